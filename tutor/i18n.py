"""The learner's language, chosen once per process, and the message catalogues.

Every user-visible string in the code is an English message marked ``_("...")``
(or ``N_("...")`` where a constant is defined once and translated where it is
shown).  The translations live in gettext catalogues,
``tutor/locale/<locale>/LC_MESSAGES/tutor.po``, compiled to the ``.mo`` files
beside them (``python -m tutor.i18n compile``); lesson texts stay in the lesson
files.  Babel extracts the messages (``python -m tutor.i18n update``) and a
test fails when a message has no translation or a ``.mo`` is older than its
``.po``.

The language is chosen once, first match wins: ``--lang`` (on ``tutor`` or any
subcommand), ``TUTOR_LANG``, the locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``), English.  Nothing else passes a language around.

Click marks its own messages (usage, errors, ``--help`` headings) for the
standard ``gettext`` module's global domain; :func:`set_language` binds that
domain to the same catalogues, so they are translated too.
"""

from __future__ import annotations

import gettext
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

#: Where the catalogues are: tutor/locale/<locale>/LC_MESSAGES/tutor.{po,mo}.
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "tutor"

#: The languages the tutor speaks: its code (``--lang``) and the gettext locale of its catalogue.
LOCALES: Mapping[str, str] = {"en": "en", "zh": "zh_CN"}
LANGUAGES: tuple[str, ...] = tuple(LOCALES)

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_of(value: str) -> str | None:
    """The tutor's language for a locale or language name (``zh_CN.UTF-8`` → ``zh``), or None."""
    value = value.strip().lower().replace("-", "_")
    for code in LOCALES:
        if value == code or value.startswith(code + "_") or value.startswith(code + "."):
            return code
    if value in ("c", "posix") or value.startswith(("c.", "posix.")):
        return "en"
    return None


def language_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """``TUTOR_LANG``, then the locale variables in gettext's order; English when none names a language we have."""
    tutor_lang = environ.get("TUTOR_LANG", "")
    if tutor_lang and language_of(tutor_lang):
        return language_of(tutor_lang) or "en"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if not value:
            continue
        # LANGUAGE is a priority list (zh_CN:en); the others are one locale.
        for part in value.split(":") if var == "LANGUAGE" else (value,):
            code = language_of(part)
            if code:
                return code
        if var != "LANGUAGE":  # the first locale variable that is set decides, as in gettext
            return "en"
    return "en"


def language_from_argv(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` anywhere on the command line (before click parses it, so its own messages match)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return language_of(argv[i + 1])
        if arg.startswith("--lang="):
            return language_of(arg.split("=", 1)[1])
    return None


def set_language(code: str) -> None:
    """Make ``code`` the language of every message from now on (the whole process)."""
    global _translation, _language
    if code not in LOCALES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LOCALES)}")
    _language = code
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[LOCALES[code]], fallback=True)
    # Click (and anything else using gettext's global functions) reads the global domain:
    # point it at our catalogues and say which language to take from them.
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LOCALES[code]


def choose_language(argv: Sequence[str] | None = None) -> str:
    """Choose and set the language from the command line and the environment; return it."""
    code = language_from_argv(sys.argv[1:] if argv is None else argv) or language_from_environment()
    set_language(code)
    return code


def current_language() -> str:
    """The language chosen for this process (``en`` until one is chosen)."""
    return _language


def _(message: str) -> str:
    """The message in the current language (gettext's conventional name)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the current language."""
    return _translation.ngettext(singular, plural, n)


def in_every_language(message: str) -> list[str]:
    """``message`` as each catalogue says it (English first): what a learner may type for a built-in word."""
    return [
        gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True).gettext(message)
        for locale in LOCALES.values()
    ]


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated with ``_()`` where it is shown."""
    return message


# --- maintaining the catalogues (needs Babel, a test/dev dependency) ---------------------


def _catalogue_paths(locale: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def extract() -> object:
    """Every message marked in the package, as a Babel catalogue (the template)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    package = Path(__file__).parent
    catalog = Catalog(project="descent-tutor", charset="utf-8")
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
        package, method_map=[("**.py", "python")], keywords=keywords, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, locations=[(f"tutor/{filename}", lineno)], auto_comments=comments, context=context)
    # Click's own messages (usage, errors, --help headings) are looked up in our domain too.
    import click

    click_dir = Path(click.__file__).parent
    for filename, lineno, message, _comments, context in extract_from_dir(
        click_dir, method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}
    ):
        if message not in catalog:
            catalog.add(message, locations=[(f"click/{filename}", lineno)], context=context)
    return catalog


def compile_all(locales: Iterable[str] | None = None) -> list[Path]:
    """Compile each ``.po`` to its ``.mo`` (deterministically); return the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for locale in locales or [loc for loc in LOCALES.values() if loc != "en"]:
        po, mo = _catalogue_paths(locale)
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def update_all() -> list[Path]:
    """Merge newly marked messages into each ``.po`` (new ones untranslated, obsolete ones dropped)."""
    from babel.messages.pofile import read_po, write_po

    template = extract()
    written = []
    for locale in [loc for loc in LOCALES.values() if loc != "en"]:
        po, _mo = _catalogue_paths(locale)
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)  # type: ignore[arg-type]
        catalog.obsolete.clear()
        with po.open("wb") as f:
            write_po(f, catalog, width=120, sort_output=True, omit_header=False)
        written.append(po)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tutor.i18n update|compile``: keep the catalogues in step with the code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["update"]:
        for path in update_all():
            print(f"updated {path}")
        return 0
    if args == ["compile"]:
        for path in compile_all():
            print(f"wrote {path}")
        return 0
    print("usage: python -m tutor.i18n update|compile", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
