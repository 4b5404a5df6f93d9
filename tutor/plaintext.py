"""Markdown as plain text, for the places that show text as it is (plain mode, the feedback line).

Lesson text, hints and feedback are written in Markdown (``*terms*``,
``**smaller**``, `` `{.., .., ..}` ``).  The Textual lesson view renders it; a
screen reader's line, a pipe or a one-line feedback widget would show the
markers raw.  This keeps the words and drops the markers, with the parser
Textual itself uses (markdown-it-py), so emphasis is read exactly as the
renderer reads it.  Maths between ``$`` signs is left untouched for
:func:`tutor.latex_unicode.plain_maths` (``x_1`` is an index there, not emphasis).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it is imported when a text has Markdown in it
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: $$...$$ and $...$ spans, kept out of the Markdown parser.
_MATHS = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_PLACEHOLDER = "\ue000{}\ue001"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def strip_markdown(text: str) -> str:
    """The text without Markdown markers: emphasis, code spans and links become their words; paragraphs
    stay apart, list items keep a dash.  Text without any marker comes back unchanged."""
    if not text or not re.search(r"[*_`\[#>]|^\s*[-+] ", text, re.M):
        return text
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _PLACEHOLDER.format(len(kept) - 1)

    source = _MATHS.sub(keep, text)
    out: list[str] = []
    prefix = ""
    for token in _parser().parse(source):
        if token.type == "list_item_open":
            prefix = "- "
        elif token.type in ("inline",):
            out.append(prefix + _inline(token.children or []))
            prefix = ""
        elif token.type in ("fence", "code_block"):
            out.append(token.content.rstrip("\n"))
        elif token.type in ("paragraph_close", "heading_close", "fence", "code_block"):
            pass
    plain = "\n\n".join(out) if "\n\n" in text else "\n".join(out)
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], plain)


def _inline(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)
