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

#: Words that may appear in a Chinese run although they are Latin letters, each for a reason.  (Measured over
#: every run below with the whole conversion in: each entry outside the maths functions and proper names occurs.)
ALLOWED = {
    # the maths the parser reads and `tutor derive` writes back outside $...$ (sin(x), exp, pi)
    *("sin", "cos", "tan", "exp", "log", "ln", "sqrt", "abs", "sinh", "cosh", "tanh", "asin", "acos", "atan", "pi"),
    # the program as it is started (python -m tutor) and its commands: typed as they are, in every language
    *("python", "tutor", "run", "derive", "descend", "check", "lessons", "progress", "export", "practice", "new"),
    "schema",
    # click's metavariables in usage lines: the placeholders of what the user types
    *("OPTIONS", "COMMAND", "ARGS", "EXPR", "LESSON", "SKILL", "PATH"),
    # values the user types for options: --lang en|zh, --images auto|graphics|text|off, --optimizer gd, ...
    *("en", "zh", "auto", "graphics", "text", "off", "gd", "momentum", "nesterov", "adam", "rmsprop"),
    # a stop reason's key, printed in brackets as an identifier (the reason itself is said in Chinese)
    *("diverged", "tolerance", "undefined"),
    # the words a learner types in a lesson (echoed back in plain mode), accepted in every language
    *("hint", "solution", "skip", "quit"),
    # practice skills: `tutor practice SKILL` takes these keys, and a practice set is named by one
    *("derivative", "partial", "gradient", "evaluate", "direction", "update", "descent"),
    # the keys and section kinds a lesson author writes in YAML, which `tutor check` names
    *("explain", "derive", "predict", "question", "kind", "function", "start", "steps"),
    # proper names, and the names of file formats
    *("PyTorch", "Adam", "RMSProp", "Nesterov", "NaN", "JSON", "Markdown", "PNG"),
}
#: The bundled lessons' ids are identifiers the learner types (tutor run gradients), not prose.
ALLOWED |= {path.stem.split("-", 1)[1] for path in LESSONS}
#: Spans that are maths, code or paths: $...$, `...`, quoted input, a lesson's gloss of a term in brackets,
#: anything with a slash or a file extension, identifiers with underscores or hyphens, --options.
_SKIP = re.compile(
    r"\$[^$\n]*\$"  # maths
    r"|`[^`\n]*`"  # code
    r"|'[^'\n]*'|\"[^\"\n]*\"|“[^”\n]*”"  # the learner's or the author's own input, quoted back
    r"|（[A-Za-z][A-Za-z -]*）|\([A-Za-z][A-Za-z -]*\)(?=[\u4e00-\u9fff])"  # a lesson's gloss of a term: 轮次（epoch）
    r"|\S*[/\\]\S*|\S+\.(?:png|md|yaml|yml|json|csv|sqlite3)\b"  # paths
    r"|--?[A-Za-z][A-Za-z-]*"  # options
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
    assert english_words("在 k = 3 处停止（sign_change）：导数变号") == []
    assert english_words("sum rule: ∂/∂x (2x²) = 4x") == ["sum", "rule"]


#: How a run says Chinese: the locale, or --lang on the command line.
MODES = {"LANG": ([], "zh_CN.UTF-8"), "--lang": (["--lang", "zh"], "en_US.UTF-8")}


def _tutor(args: list[str], home: Path, mode: str = "LANG", stdin: str = "") -> str:
    flag, locale = MODES[mode]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANGUAGE", "TUTOR_"))}
    env.update(LANG=locale, TUTOR_HOME=str(home / "home"), MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tutor", *args[:1], *flag, *args[1:]] if args else [sys.executable, "-m", "tutor"]
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, encoding="utf-8", env=env, cwd=home, timeout=900
    )
    return result.stdout + result.stderr


def _assert_chinese(output: str, what: str = "output") -> None:
    words = english_words(output)
    assert not words, f"English in a Chinese run's {what}: {sorted(set(words))}\n{output[:3000]}"


@pytest.mark.parametrize("mode", MODES)
def test_help_lists_every_command_in_chinese(mode, tmp_path):
    from tutor.cli import main

    out = _tutor(["--help"], tmp_path, mode)
    for name in main.commands:
        assert f"  {name} " in out, name
    assert "用法" in out and "命令" in out
    _assert_chinese(out)


def test_lang_before_the_command_chooses_chinese(tmp_path):
    """``tutor --lang zh lessons``: the top-level option, with an English locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANGUAGE", "TUTOR_"))}
    env.update(LANG="en_US.UTF-8", TUTOR_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tutor", "--lang", "zh", "lessons"]
    result = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "标题" in result.stdout and "共 8 课" in result.stdout
    _assert_chinese(result.stdout + result.stderr)


def test_a_usage_error_in_chinese(tmp_path):
    out = _tutor(["nope"], tmp_path)
    assert "用法" in out and "没有命令" in out
    _assert_chinese(out)


BROKEN_LESSON = """\
id: broken
title: {en: A broken lesson, zh: 有错误的一课}
sections:
  - kind: descent
    function: "x^2 +"
    start: {x: 1}
    learning_rate: 1/10
    steps: 2
  - kind: nonsense
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "args",
    [
        ["lessons"],
        ["derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1", "--steps"],
        ["derive", "x^2 +"],
        ["descend", "5x^2", "--from", "x=1", "--lr", "1/20", "--steps", "5", "--exact"],
        ["descend", "x^2 + 3y^2", "--from", "x=1,y=1", "--lr", "0.1", "--until", "sign-change"],
        ["descend", "x^2", "--from", "x=1", "--lr", "2", "--steps", "30", "--format", "summary"],
        ["descend", "x^2", "--lr", "0.1"],
        ["check", "broken.yaml"],
        ["progress"],
        ["nope"],
    ],
    ids=lambda a: " ".join(a)[:40],
)
def test_a_command_in_chinese(args, mode, tmp_path):
    (tmp_path / "broken.yaml").write_text(BROKEN_LESSON, encoding="utf-8")
    _assert_chinese(_tutor(args, tmp_path, mode))


@pytest.mark.parametrize("mode", MODES)
def test_export_in_chinese_and_its_markdown(mode, tmp_path):
    out = _tutor(["export", "sign-of-the-derivative", "training-loop", "-o", "export"], tmp_path, mode)
    _assert_chinese(out)
    written = sorted((tmp_path / "export").glob("*.md"))
    assert [p.name for p in written] == ["sign-of-the-derivative.md", "training-loop.md"], out
    for path in written:
        _assert_chinese(path.read_text(encoding="utf-8"), path.name)


#: What a learner types: a Chinese word for a number, '?', a wrong answer, a hint (both ways), the solution, on.
ANSWERS = "零\n?\n0\n提示\nhint\n答案\n\n" * 60


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_in_plain_mode_in_chinese(lesson, tmp_path):
    """Under a Chinese locale, as the issue asks (``--lang zh`` reaches the same choice: the commands above try both)."""
    lesson_id = lesson.stem.split("-", 1)[1]
    out = _tutor(["run", lesson_id, "--plain"], tmp_path, "LANG", stdin=ANSWERS)
    assert "答案" in out and "提示" in out
    _assert_chinese(out)
