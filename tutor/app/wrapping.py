"""Chinese wraps like Chinese: a line may break between any two CJK characters, never inside a formula.

Rich and Textual wrap at spaces only, so a run of hanzi is one long "word":
it moves to the next line whole (leaving a ragged gap) or is cut at the edge
wherever it falls, formula included.  Both split text into words with one
regular expression (``rich._wrap.re_word``, used by Textual's Content and so
its Markdown and Static widgets; ``textual._wrap.re_chunk``); :func:`install`
replaces them with ones where each CJK character is a word of its own
(opening brackets kept with what follows, closing punctuation with what
precedes), and a no-break space joins rather than separates.  (Inline
formulas from :func:`tutor.latex_unicode.markdown_maths` hold their spaces as
``FORMULA_SPACE``, a blank that is not whitespace, since Textual's Markdown
turns a no-break space into a plain one.)  There is no public hook for this in either library.
"""

from __future__ import annotations

import re

#: Hanzi, kana, hangul, CJK punctuation and full-width forms.
CJK = "\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
#: Never at the start of a line (kept with the character before).
CLOSING = "，。、；：！？）》」』】〕〉”’…"
#: Never at the end of a line (kept with the character after).
OPENING = "（《「『【〔〈“‘"
#: Whitespace that separates (all but the no-break space).
SPACE = r"[^\S\u00a0]"

#: One CJK character with its punctuation, or a word (a formula, with its no-break spaces).
_WORD = rf"(?:[{OPENING}]*[{CJK}][{CLOSING}]*|(?:[^\s{CJK}]|\u00a0)+[{CLOSING}]*)"
#: Textual's chunks: a word and the spaces after it, or spaces alone.
CHUNK = re.compile(rf"{_WORD}{SPACE}*|\s+")
#: Rich's words: the spaces before, a word, the spaces after.
WORD = re.compile(rf"{SPACE}*{_WORD}{SPACE}*")


def install() -> bool:
    """Use these words for Rich's and Textual's wrapping; False where a library wraps some other way (left as is)."""
    from rich import _wrap as rich_wrap
    from textual import _wrap as textual_wrap

    done = True
    for module, name, pattern in ((rich_wrap, "re_word", WORD), (textual_wrap, "re_chunk", CHUNK)):
        if isinstance(getattr(module, name, None), re.Pattern):
            setattr(module, name, pattern)
        else:
            done = False
    return done
