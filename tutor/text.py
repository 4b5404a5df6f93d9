"""Lesson text in several languages: a plain string, or a mapping of language code to string.

The engine's own words are gettext messages (:mod:`tutor.i18n`); lesson files
carry their own translations as mappings (``{en: ..., zh: ...}``).  :func:`tr`
shows either in the language chosen for the process.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

#: Every piece of lesson text.  A plain string is the same in every language.
Text = str | Mapping[str, str]


def tr(text: Text | None, lang: str | None = None) -> str:
    """The text in ``lang`` (the process's language when not given), falling back to English, then to any.

    A plain string is a message marked ``N_()`` where it was defined (or a lesson
    text with one wording): in the process's language it is looked up in the
    catalogue, and comes back as it is when the catalogue does not have it.
    """
    if text is None:
        return ""
    from tutor.i18n import _, current_language

    current = current_language()
    if isinstance(text, str):
        return _(text) if text and (lang is None or lang == current) else text
    for code in (lang or current, "en", *text.keys()):
        if text.get(code):
            return text[code]
    return ""


def columns(text: str) -> int:
    """How many terminal columns the text takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
