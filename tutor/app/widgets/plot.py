"""A step's plot: where the PNG was written, and the picture itself when the terminal can show it.

textual-image draws the PNG with the best the terminal offers (Sixel, the
Kitty graphics protocol, or coloured half cells); in tests and plain terminals
the path alone is shown, which is still something a learner can open.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.text import both, tr


def image_widget_class():
    """textual-image's widget, or None when it is not installed or cannot talk to this terminal."""
    try:
        from textual_image.widget import Image
    except Exception:  # not installed, or the terminal query failed: fall back to the path
        return None
    return Image


class PlotView(Vertical):
    """The path of a step's PNG and, when images are on, the image."""

    DEFAULT_CSS = """
    PlotView { height: auto; }
    PlotView > .plot-image { width: auto; height: 16; max-width: 100%; }
    """

    def __init__(self, images: bool = True, lang: str = "en", **kwargs):
        super().__init__(**kwargs)
        self.images = images
        self.lang = lang
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="plot-path", markup=False)

    def show_busy(self) -> None:
        self.display = True
        self._remove_image()
        self.query_one(".plot-path", Static).update(tr(both("drawing the plot…", "正在绘图……"), self.lang))

    def show_note(self, text: str) -> None:
        self.display = True
        self._remove_image()
        self.query_one(".plot-path", Static).update(text)

    def show_none(self) -> None:
        self.path = None
        self._remove_image()
        self.display = False

    def show_error(self, message: str) -> None:
        self.display = True
        self._remove_image()
        self.query_one(".plot-path", Static).update(tr(both("no plot: ", "无法绘图："), self.lang) + message)

    def show_plot(self, path: Path) -> None:
        self.display = True
        self.path = path
        self.query_one(".plot-path", Static).update(tr(both("plot: ", "图像："), self.lang) + str(path))
        self._remove_image()
        Image = image_widget_class() if self.images else None
        if Image is not None:
            try:
                self.mount(Image(str(path), classes="plot-image"))
            except Exception as err:  # an unreadable PNG: the path is still shown
                self.query_one(".plot-path", Static).update(f"{path} ({err})")

    def _remove_image(self) -> None:
        for widget in self.query(".plot-image"):
            widget.remove()
