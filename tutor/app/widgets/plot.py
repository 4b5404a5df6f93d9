"""A step's plot at the size of its pane: the PNG where the terminal shows images, else a braille text plot.

Modes (``--images``, or the ``TUTOR_IMAGES`` setting):

- ``graphics``: textual-image draws the PNG (Kitty graphics, Sixel; coloured half
  cells when the terminal has neither);
- ``text``: :class:`~tutor.app.widgets.textplot.TextPlot` draws the step's
  sketch with braille dots: it reads the same in tmux, over SSH and in a browser;
- ``off``: no picture; the PNG's path only, when there is one.

``auto`` (the default) is ``graphics`` when textual-image found Kitty graphics
or Sixel, or in iTerm2 3.5 and later (Sixel), ``text`` otherwise: see :func:`choose_mode`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.app.widgets.textplot import TextPlot
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.plots.sketch import Sketch

MODES = ("auto", "graphics", "text", "off")


def image_widget_class():
    """textual-image's widget, or None when it is not installed or cannot talk to this terminal.

    In iTerm2 (3.5 and later draw Sixel) its Sixel widget, when textual-image's
    own query did not find an image protocol.
    """
    try:
        from textual_image.widget import Image, SixelImage
    except Exception:  # not installed, or the terminal query failed: fall back to text
        return None
    if not terminal_shows_images() and iterm2_sixel():
        return SixelImage
    return Image


def terminal_shows_images() -> bool:
    """Whether textual-image found a real image protocol (Kitty graphics or Sixel), not just half cells."""
    try:
        from textual_image.renderable import Image, SixelImage, TGPImage
    except Exception:
        return False
    return Image in (SixelImage, TGPImage)


#: The first iTerm2 release that draws Sixel images.
ITERM2_SIXEL = (3, 5)


def iterm2_sixel(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the tutor runs straight in iTerm2 3.5 or later, which draws Sixel whatever textual-image's query found.

    iTerm2 says so in ``TERM_PROGRAM=iTerm.app`` (``TERM_PROGRAM_VERSION``), and in
    ``LC_TERMINAL=iTerm2`` (``LC_TERMINAL_VERSION``), which ssh passes on.  Inside
    tmux or screen the images would not reach it, so the text plot stays.
    """
    env = os.environ if environ is None else environ
    if env.get("TMUX") or env.get("STY") or env.get("TERM", "").startswith(("screen", "tmux")):
        return False
    program = env.get("TERM_PROGRAM", "")
    if program == "iTerm.app":
        version = env.get("TERM_PROGRAM_VERSION", "")
    elif not program and env.get("LC_TERMINAL") == "iTerm2":  # over ssh: only iTerm2's own variable is left
        version = env.get("LC_TERMINAL_VERSION", "")
    else:
        return False
    numbers = re.findall(r"\d+", version)[:2]
    return not numbers or tuple(int(n) for n in numbers) >= ITERM2_SIXEL  # no version given: a current iTerm2


def choose_mode(asked: str | None, images_available: bool) -> str:
    """``auto`` resolved: graphics only where the terminal draws real images (found by textual-image, or iTerm2)."""
    asked = (asked or "auto").lower()
    if asked not in MODES:
        asked = "auto"
    if asked == "auto":
        return "graphics" if images_available and (terminal_shows_images() or iterm2_sixel()) else "text"
    if asked == "graphics" and not images_available:
        return "text"
    return asked


class PlotView(Vertical):
    """The plot pane: a note or the PNG's path on top, the picture under it, as large as the pane."""

    DEFAULT_CSS = """
    PlotView { height: 1fr; }
    PlotView.-empty { display: none; }
    PlotView > .plot-path { height: auto; }
    PlotView > .plot-image { width: 100%; height: 1fr; }
    PlotView > TextPlot { display: none; }
    PlotView.-sketch > TextPlot { display: block; }
    /* side by side, a text-mode pane keeps its place and size between steps (no reflow of the text beside it) */
    .-side PlotView.-text-mode { display: block; }
    .-side PlotView.-text-mode > TextPlot { display: block; visibility: hidden; }
    .-side PlotView.-text-mode.-sketch > TextPlot { visibility: visible; }
    """

    def __init__(self, mode: str = "text", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode
        self.set_class(mode == "text", "-text-mode")
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="plot-path", markup=False)
        yield TextPlot()

    def _note(self, text: str) -> None:
        note = self.query_one(".plot-path", Static)
        note.update(text)
        note.display = bool(text)
        bare = self.mode != "text" and not self.query(".plot-image")  # a path line alone needs one row, not a pane
        self.set_class(bare, "-bare")

    def show_busy(self) -> None:
        self.remove_class("-empty")
        self._clear()
        self._note(_("drawing the plot…"))

    def show_note(self, text: str) -> None:
        self.remove_class("-empty")
        self._clear()
        self._note(text)

    def show_none(self) -> None:
        self.path = None
        self._clear()
        self.add_class("-empty")

    def show_error(self, message: str) -> None:
        self.remove_class("-empty")
        self._clear()
        self._note(_("no plot: ") + message)

    def show_sketch(self, sketch: Sketch, note: str = "") -> None:
        """The braille plot of the step (text mode)."""
        self.remove_class("-empty")
        self._remove_image()
        self._note(note)
        self.query_one(TextPlot).draw(sketch)
        self.add_class("-sketch")
        self.remove_class("-bare")

    def show_plot(self, path: Path) -> None:
        """The PNG (graphics mode), or its path alone (off)."""
        self.remove_class("-empty")
        self.path = path
        self.remove_class("-sketch")
        self._note(_("plot: ") + str(path))
        self._remove_image()
        Image = image_widget_class() if self.mode == "graphics" else None
        if Image is not None:
            try:
                self.mount(Image(str(path), classes="plot-image"))
                self.remove_class("-bare")
            except Exception as err:  # an unreadable PNG: the path is still shown
                self._note(f"{path} ({err})")

    def _clear(self) -> None:
        self.remove_class("-sketch")
        self._remove_image()

    def _remove_image(self) -> None:
        for widget in self.query(".plot-image"):
            widget.remove()

    @property
    def sketch(self) -> Sketch | None:
        return self.query_one(TextPlot).sketch if self.has_class("-sketch") else None
