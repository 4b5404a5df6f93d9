"""Footer words in the learner's language, and a footer that fits a narrow window.

Textual reads ``BINDINGS`` from the class, so a language gets its own small
subclass whose bindings carry translated descriptions (a subclass's binding
replaces its parent's for the same key).
"""

from __future__ import annotations

from functools import cache

from textual.binding import Binding

from tutor.text import both, tr

WORDS = {
    "Hint": both("Hint", "提示"),
    "Solution": both("Solution", "答案"),
    "Back": both("Back", "上一步"),
    "Next/skip": both("Next/skip", "下一步/跳过"),
    "Lessons": both("Lessons", "课程列表"),
    "Plot": both("Plot", "图像"),
    "Open": both("Open", "打开"),
    "Quit": both("Quit", "退出"),
}


@cache
def localised(cls: type, lang: str) -> type:
    """``cls`` with its footer words in ``lang`` (``cls`` itself for English)."""
    if lang == "en":
        return cls
    bindings = []
    for b in cls.BINDINGS:
        if isinstance(b, Binding):
            words = WORDS.get(b.description)
            description = tr(words, lang) if words else b.description
            bindings.append(
                Binding(b.key, b.action, description, show=b.show, key_display=b.key_display, priority=b.priority)
            )
        else:
            bindings.append(b)
    return type(cls.__name__, (cls,), {"BINDINGS": bindings, "__module__": cls.__module__})


#: Below this many columns the footer drops its spacing and the command palette's key (all keys fit in 60).
NARROW = 80


def fit_footer(screen) -> None:
    """Compact footer on a narrow screen, so more of the keys stay visible."""
    from textual.widgets import Footer

    narrow = screen.size.width < NARROW
    for footer in screen.query(Footer):
        if footer.compact != narrow:
            footer.compact = narrow
            footer.show_command_palette = not narrow
            footer.refresh(recompose=True)  # the palette's key is only added or removed on a recompose
