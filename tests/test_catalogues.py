"""The message catalogues are complete, and a Chinese run of every command and lesson says no English.

The completeness test extracts the messages with Babel (as ``python -m
tutor.i18n update`` does) and reads the ``.po`` and ``.mo`` files directly, so
it does not trust the code it checks.  The English-leak test runs the real
command line in a subprocess with ``LANG=zh_CN.UTF-8`` and looks for English
words outside maths, code, file paths and proper names.
"""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel")

from babel.messages.pofile import read_po

from tutor import i18n

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("*.yaml"))


def _catalogue(locale: str):
    po = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "tutor.po"
    with po.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", [loc for loc in i18n.LOCALES.values() if loc != "en"])
def test_every_extracted_message_has_a_translation(locale):
    catalogue = _catalogue(locale)
    template = i18n.extract()
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not strings or not all(s.strip() for s in strings):
            missing.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
    assert not missing, (
        f"{len(missing)} messages without a {locale} translation (python -m tutor.i18n update): {missing[:10]}"
    )
    assert not fuzzy, f"fuzzy translations in {locale}: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", [loc for loc in i18n.LOCALES.values() if loc != "en"])
def test_the_compiled_catalogue_matches_its_source(locale):
    """The shipped .mo says exactly what the .po says (python -m tutor.i18n compile)."""
    catalogue = _catalogue(locale)
    mo = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "tutor.mo"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    checked = 0
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0]
        else:
            assert compiled.gettext(message.id) == message.string, message.id
        checked += 1
    assert checked == len([m for m in catalogue if m.id and not m.fuzzy])


def test_placeholders_survive_translation():
    """A translation may drop a placeholder but never invent one (str.format would raise KeyError)."""
    field = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}(?!\})")
    for message in _catalogue("zh_CN"):
        if not message.id or isinstance(message.id, tuple):
            continue
        extra = set(field.findall(message.string)) - set(field.findall(message.id))
        if message.id == "{names} is held constant":
            extra -= {"x"}  # the Chinese sentence names the variable English leaves implicit; the code passes it
        assert not extra, f"{message.id!r} -> {message.string!r} uses {extra}"


# --- a Chinese learner's session: no English outside maths, code, paths and names -------------------

#: Words that are not English prose: function names, option and command names, optimiser keys,
#: stop reasons (identifiers printed in brackets), proper names and file formats.
ALLOWED = {
    # maths and the maths the parser accepts
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "ln",
    "sqrt",
    "abs",
    "sign",
    "sinh",
    "cosh",
    "tanh",
    "asin",
    "acos",
    "atan",
    "pi",
    "dx",
    "dy",
    "dz",
    "dw",
    "db",
    "max",
    "min",
    # the tutor, its commands, options and the words the learner may type
    "tutor",
    "derive",
    "descend",
    "check",
    "lessons",
    "progress",
    "export",
    "run",
    "practice",
    "new",
    "schema",
    "lang",
    "en",
    "zh",
    "help",
    "version",
    "vars",
    "at",
    "steps",
    "format",
    "from",
    "lr",
    "until",
    "exact",
    "optimizer",
    "plot",
    "plain",
    "seed",
    "reset",
    "output",
    "template",
    "text",
    "json",
    "table",
    "summary",
    "hint",
    "solution",
    "skip",
    "quit",
    "beta",
    "alpha",
    "eps",
    "OPTIONS",
    "COMMAND",
    "ARGS",
    "EXPR",
    "LESSON",
    "SKILL",
    "PATH",
    "LINE",
    "COL",
    "TUTOR_LANG",
    "TUTOR_HOME",
    "zero",
    "tol",
    "python",
    # optimiser keys and stop reasons, printed as identifiers
    "gd",
    "momentum",
    "nesterov",
    "adam",
    "rmsprop",
    "max_steps",
    "zero_gradient",
    "sign_change",
    "tolerance",
    "diverged",
    "undefined",
    "not_differentiable",
    "exact_limit",
    # skill keys (tutor practice SKILL), lesson keys a lesson author writes
    "derivative",
    "partial",
    "gradient",
    "evaluate",
    "direction",
    "update",
    "learning_rate",
    "descent",
    "expect",
    "unbounded",
    "by_hand",
    # proper names, formats and conventions
    "id",
    "MSE",
    "PyTorch",
    "SGD",
    "Adam",
    "RMSprop",
    "YAML",
    "JSON",
    "Markdown",
    "PNG",
    "CSV",
    "SVG",
    "UTF",
    "Schema",
    "draft",
    "dampening",
    "True",
    "betas",
    "centering",
}
ALLOWED |= {"images", "auto", "graphics", "off", "TUTOR_IMAGES", "variant"}  # --images values, option names
#: The bundled lessons' ids are identifiers the learner types (tutor run gradients), not prose.
ALLOWED |= {path.stem.split("-", 1)[1] for path in LESSONS}
#: Spans that are maths, code or paths: $...$, `...`, anything with a slash or a dot-extension, identifiers
#: with digits or underscores, and the argument of a function call written as maths.
_SKIP = re.compile(
    r"\$[^$\n]*\$"  # maths
    r"|`[^`\n]*`"  # code
    r"|'[^'\n]*'|\"[^\"\n]*\""  # the learner's or the author's own input, quoted back
    r"|（[A-Za-z][A-Za-z -]*）"  # a lesson's gloss of a term: 轮次（epoch）
    r"|\S*[/\\]\S*|\S+\.(?:png|md|yaml|yml|json)\b"  # paths
    r"|[A-Za-z]+(?:[_-][A-Za-z0-9]+)+"  # identifiers: lesson ids, keys
)
_WORD = re.compile(r"(?<![A-Za-z∂])[A-Za-z][A-Za-z]+(?:'[a-z]+)?")


def english_words(text: str) -> list[str]:
    """English words in ``text`` outside maths, code and paths (two letters or more, not allowed)."""
    found = []
    for line in text.splitlines():
        line = _SKIP.sub(" ", line)
        for word in _WORD.findall(line):
            if word not in ALLOWED and word.lower() not in ALLOWED:
                found.append(word)
    return found


def test_english_words_finds_prose_and_skips_maths():
    assert english_words("答案是 振荡 (oscillate)。") == ["oscillate"]
    assert english_words("f'(x) = 10x，所以 $x_{1} = 1/2$，sin(x)") == []
    assert english_words("已写入 /tmp/a/export/lesson.md") == []


def _tutor(args: list[str], home: Path, stdin: str = "", cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANGUAGE", "TUTOR_"))}
    env.update(LANG="zh_CN.UTF-8", TUTOR_HOME=str(home), MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd or home,
        timeout=600,
    )
    return result.stdout + result.stderr


def _assert_chinese(output: str) -> None:
    words = english_words(output)
    assert not words, f"English in a Chinese run: {sorted(set(words))}\n{output[:3000]}"


def test_help_lists_every_command_in_chinese(tmp_path):
    from tutor.cli import main

    out = _tutor(["--help"], tmp_path)
    for name in main.commands:
        assert f"  {name} " in out
    assert "用法" in out and "命令" in out
    _assert_chinese(out)


def test_a_usage_error_in_chinese(tmp_path):
    out = _tutor(["nope"], tmp_path)
    assert "用法" in out and "没有命令" in out
    _assert_chinese(out)


# The English-leak runs of lessons, derive, descend, check, progress, export and every bundled lesson in
# plain mode come with the conversion of the modules they print from (branch h17-i18n).
