"""Text from a lesson file, a file name or a learner, made safe to show.

A lesson may hold YAML's ``"\\e"`` escape, a file name may hold anything but
``/`` and NUL, and a learner may paste anything: sent raw to a terminal, ESC
and its friends set the window title, clear the screen or write the clipboard
(OSC 52).  Every view passes such text through :func:`shown` (or
:func:`one_line`) at the point where it is written, so control characters are
*seen*, escaped as ``\\x1b`` or ``\\u202e``, and never *sent*.

A leaf module: the standard library only, cheap to import from ``tutor --help``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["UNSAFE", "find_unsafe", "json_safe", "markdown_heading", "markdown_safe", "one_line", "shown"]

#: C0 controls (but tab and newline, which are layout), DEL, C1 controls, the
#: bidirectional overrides, embeddings and isolates (U+202A-E, U+2066-9: text
#: that reads differently from what it is), and lone surrogates (undecodable
#: bytes carried by ``surrogateescape``, which no terminal can show).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    if c in _NAMED:
        return _NAMED[c]
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` with every control character escaped; newlines and tabs kept as layout."""
    text = text if isinstance(text, str) else str(text)
    return UNSAFE.sub(_escape, text)


def one_line(text: object) -> str:
    """``text`` as one printable line: newlines and tabs escaped too (names, titles, quoted input)."""
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE_LINE.sub(_escape, text)


def json_safe(text: str) -> str:
    """JSON text with control characters as ``\\u`` escapes (still valid JSON: they only occur inside strings).

    ``json.dumps`` escapes C0 already; DEL, C1, bidi controls and lone
    surrogates it leaves raw with ``ensure_ascii=False``.
    """
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def find_unsafe(text: str) -> Iterator[tuple[int, str]]:
    """(offset, escaped character) of each control character that :func:`shown` would escape."""
    for match in UNSAFE.finditer(text):
        yield match.start(), _escape(match)


# --- Markdown documents (tutor export) ----------------------------------------------------------

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.S)
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_BAD_SCHEME = r"\s*<?\s*(?:javascript|vbscript|data|file)\s*:"
_BAD_LINK = re.compile(r"(\]\()" + _BAD_SCHEME + r"[^)]*\)", re.I)
_BAD_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]]+\]:)" + _BAD_SCHEME + r".*$", re.I | re.M)
_TEX_COMMANDS = re.compile(
    r"\\(input|include|includeonly|write|immediate|openin|openout|read|def|gdef|edef|xdef|let|catcode|"
    r"newcommand|renewcommand|href|url|special|csname)(?![A-Za-z])"
)


def _outside_maths(text: str) -> str:
    text = _TAG.sub("&lt;", text)  # raw HTML (<script>, <img onerror=...>) is shown, not run
    text = _BAD_LINK.sub(r"\1#)", text)  # [x](javascript:...) leads nowhere
    return _BAD_REFERENCE.sub(r"\1 #", text)


def _inside_maths(maths: str) -> str:
    return _TEX_COMMANDS.sub(r"\\backslash\\mathrm{\1}", maths)  # \input{...} is shown as text, not read


def markdown_safe(text: str) -> str:
    """Lesson text for a Markdown document: HTML, script links and TeX file commands neutralised."""
    parts = _MATH.split(shown(text))
    return "".join(_inside_maths(part) if i % 2 else _outside_maths(part) for i, part in enumerate(parts))


def markdown_heading(text: str) -> str:
    """A title for ``# ...``: one line (no newline can open a new block), made safe as above."""
    return markdown_safe(" ".join(str(text).split()))
