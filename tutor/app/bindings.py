"""Footer words and Textual's own commands in the learner's language, and a footer that fits a narrow window.

Textual reads ``BINDINGS`` from the class, so a language gets its own small
subclass whose bindings carry translated descriptions (a subclass's binding
replaces its parent's for the same key).  Textual's own words (the system
commands of the palette, its placeholder) are marked here so that they are
extracted into the catalogues with ours.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from textual.binding import Binding

from tutor.i18n import N_, _, current_language

#: Textual's words that the learner sees: the footer's palette key and the palette's system commands
#: (textual.app.App.get_system_commands, Textual 8.2), translated where they are shown.
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Search for commands…"),
    N_("Search for themes…"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def localised(cls: type) -> type:
    """``cls`` with its footer words in the current language (``cls`` itself for English)."""
    return _localised(cls, current_language())


@cache
def _localised(cls: type[Any], language: str) -> type[Any]:
    if language == "en":
        return cls
    bindings = []
    for b in cls.BINDINGS:
        if isinstance(b, Binding):
            bindings.append(
                Binding(
                    b.key,
                    b.action,
                    _(b.description) if b.description else b.description,
                    show=b.show,
                    key_display=b.key_display,
                    priority=b.priority,
                    tooltip=_(b.tooltip) if b.tooltip else b.tooltip,
                )
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
