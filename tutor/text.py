"""Text in several languages: a plain string, or a mapping of language code to string."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

#: Every piece of lesson text.  A plain string is the same in every language.
Text = str | Mapping[str, str]


def tr(text: Text | None, lang: str | None = None) -> str:
    """The text in ``lang`` (the process's language when not given), falling back to English, then to any."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if lang is None:
        from tutor.i18n import current_language

        lang = current_language()
    for code in (lang, "en", *text.keys()):
        if text.get(code):
            return text[code]
    return ""


def columns(text: str) -> int:
    """How many terminal columns the text takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def both(en: str, zh: str) -> dict[str, str]:
    """A built-in message in both languages (the engine's own words)."""
    return {"en": en, "zh": zh}
