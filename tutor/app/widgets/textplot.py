"""A step's picture drawn in text at braille resolution (plotext), for terminals that cannot show the PNG.

The numbers come ready-made in a :class:`~tutor.plots.sketch.Sketch` (made in
a worker); this widget only lays them out at the size of its pane, again on
every resize.  Labels sit beside their point (never on it) and the legend is
a line under the plot, so neither covers the data.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tutor.text import columns

if TYPE_CHECKING:
    from tutor.plots.sketch import Sketch

#: Rich colour for each plotext colour name a sketch uses (for the legend line).
RICH = {"orange": "dark_orange", "gray": "grey62"}


def build_text(sketch: Sketch, width: int, height: int, theme: str) -> Text:
    """The sketch drawn by plotext at ``width`` × ``height`` cells (tens of milliseconds: workers call it too)."""
    from textual_plotext.plot import Plot

    plt = Plot()
    plt.plotsize(width, height)
    plt._set_size(width, height)  # as textual-plotext's own render does
    if width > 10 and height > 4:
        SketchPlot._draw(plt, sketch, width, height)
    plt.theme(theme)
    return Text.from_ansi("\n".join(_settled(line) for line in plt.build().split("\n")))


#: Put by :func:`_spaced` after each wide character, and removed once plotext has drawn: plotext gives every
#: character one cell, so a CJK character (two columns) and its filler keep the row as wide as the others.
_FILLER = "\ue000"
_TOKEN = re.compile(r"\x1b\[[0-9;]*m|.", re.S)


def _spaced(text: str) -> str:
    """``text`` with a filler cell after each wide (CJK) character, for plotext to lay out by columns."""
    return "".join(c + _FILLER if columns(c) == 2 else c for c in text)


def _settled(line: str) -> str:
    """One drawn row with its fillers taken out, as many columns wide as plotext's cells.

    A wide character keeps its two columns only with its filler after it: where
    something else was drawn over the filler (another label, a point) or the
    edge cut it off, the character gives way to a blank; a filler left alone
    (its character drawn over) is a blank too.
    """
    tokens = _TOKEN.findall(line)
    visible = [i for i, t in enumerate(tokens) if not t.startswith("\x1b")]
    for n, i in enumerate(visible):
        here = tokens[i]
        after = tokens[visible[n + 1]] if n + 1 < len(visible) else None
        if columns(here) == 2 and here != _FILLER and after != _FILLER:
            tokens[i] = " "
        elif here == _FILLER:
            before = tokens[visible[n - 1]] if n else None
            tokens[i] = "" if before is not None and columns(before) == 2 else " "
    return "".join(tokens)


class SketchPlot(PlotextPlot):
    """The plot area: redrawn from the sketch at the widget's current size.

    Drawing takes tens of milliseconds, so a drawing is kept for its sketch,
    size and theme, and the worker that made the sketch can hand one in
    (:meth:`prime`), so the frame that shows a step does not wait for it.
    """

    DEFAULT_CSS = """
    SketchPlot { width: 1fr; height: 1fr; min-height: 8; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sketch: Sketch | None = None
        self._drawn: dict[tuple, Text] = {}
        #: the size it had when last laid out, for a worker drawing ahead while the plot is hidden
        self.last_size: tuple[int, int] = (0, 0)

    def on_resize(self, event) -> None:
        if event.size.width and event.size.height:
            self.last_size = (event.size.width, event.size.height)

    def draw(self, sketch: Sketch) -> None:
        self.sketch = sketch
        self.refresh()

    def theme_name(self) -> str:
        return self._get_plotext_theme_name(self.app.theme)

    def prime(self, sketch: Sketch, width: int, height: int, theme: str, text: Text) -> None:
        """A drawing made elsewhere (a worker), used when the widget has that size and theme."""
        if len(self._drawn) > 16:
            self._drawn.clear()
        self._drawn[(id(sketch), width, height, theme)] = text

    def render(self):
        sketch = self.sketch
        if sketch is None:
            return Text()
        width, height = self.size
        key = (id(sketch), width, height, self.theme_name())
        text = self._drawn.get(key)
        if text is None:
            text = build_text(sketch, width, height, key[3])
            self.prime(sketch, width, height, key[3], text)
        return text

    @staticmethod
    def _draw(plt, sketch: Sketch, width: int, height: int) -> None:
        for s in sketch.series:
            if s.line:
                plt.plot(list(s.xs), list(s.ys), marker="braille", color=s.color)
            else:
                plt.scatter(list(s.xs), list(s.ys), marker=s.marker, color=s.color)
        (x0, x1), (y0, y1) = sketch.xlim, sketch.ylim
        # one character cell in data units: the plotting area is the widget less the y ticks and the frame
        cell = (x1 - x0) / max(width - 10, 1)
        # one text row in data units (the frame, the ticks, the title and the legend take about 6 rows)
        row = (y1 - y0) / max(height - 6, 1)
        for label in sketch.labels:
            span = columns(label.text)  # terminal columns: a CJK character takes two
            if label.below and label.y - row >= y0:  # a row free under the point: centred there
                x = min(max(label.x - span / 2 * cell, x0 + cell), x1 - (span + 1) * cell)
                plt.text(_spaced(label.text), x, label.y - row, color=label.color, alignment="left")
                continue
            if (x1 - label.x) / cell > span + 2:
                x = label.x + 1.5 * cell
            else:  # at the right edge: to the left of the point
                x = label.x - (span + 1) * cell
            plt.text(_spaced(label.text), x, label.y, color=label.color, alignment="left")
        plt.xlim(x0, x1)
        plt.ylim(y0, y1)
        if sketch.title:
            plt.title(_spaced(sketch.title))
        if sketch.xticks:
            plt.xticks(list(sketch.xticks), [f"{t:g}" for t in sketch.xticks])
        if sketch.xlabel:
            plt.xlabel(_spaced(sketch.xlabel))


class TextPlot(Vertical):
    """The braille plot and, under it, its legend and any note (e.g. iterates off the chart)."""

    DEFAULT_CSS = """
    TextPlot { height: 1fr; min-height: 10; }
    TextPlot > .sketch-legend { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield SketchPlot()
        yield Static("", classes="sketch-legend", markup=False)

    def draw(self, sketch: Sketch) -> None:
        self.query_one(SketchPlot).draw(sketch)
        legend = Text()
        for marker, color, words in sketch.legend:
            if legend:
                legend.append("   ")
            legend.append(marker, style=RICH.get(color, color))
            legend.append(" " + words)
        if sketch.note:
            legend.append(("\n" if legend else "") + "⚠ " + sketch.note)
        self.query_one(".sketch-legend", Static).update(legend)

    @property
    def sketch(self) -> Sketch | None:
        return self.query_one(SketchPlot).sketch
