"""Lesson text as Markdown, with code blocks shown as they are written.

A code block without a language (the display maths :mod:`tutor.latex_unicode`
sets on its own line, or a teacher's indented block) would have Textual ask
Pygments to guess the language.  Guessing loads every lexer and every lexer
plugin installed (IPython's among them): about 0.6 s on the UI thread the
first time, and an IPython half-imported there breaks matplotlib in the plot
worker.  Such a block is plain text here; one with a language keeps it.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownFence

from tutor.app import wrapping

wrapping.install()  # Chinese breaks between characters, formulas stay whole


class PlainFence(MarkdownFence):
    """A code block: highlighted in its stated language, else shown as plain text (never guessed)."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        return super().highlight(code, language or "text", ansi=ansi, dark=dark)


class LessonMarkdown(Markdown):
    """Textual's Markdown, with :class:`PlainFence` for fenced and indented code blocks."""

    BLOCKS = {**Markdown.BLOCKS, "fence": PlainFence, "code_block": PlainFence}
