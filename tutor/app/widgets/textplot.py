"""A step's picture drawn in text at braille resolution (plotext), for terminals that cannot show the PNG.

The numbers come ready-made in a :class:`~tutor.plots.sketch.Sketch` (made in
a worker); this widget only lays them out at the size of its pane, again on
every resize.  Labels sit beside their point (never on it) and the legend is
a line under the plot, so neither covers the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from tutor.plots.sketch import Sketch

#: Rich colour for each plotext colour name a sketch uses (for the legend line).
RICH = {"orange": "dark_orange", "gray": "grey62"}


class SketchPlot(PlotextPlot):
    """The plot area: redrawn from the sketch at the widget's current size."""

    DEFAULT_CSS = """
    SketchPlot { width: 1fr; height: 1fr; min-height: 8; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sketch: Sketch | None = None

    def draw(self, sketch: Sketch) -> None:
        self.sketch = sketch
        self.refresh()

    def render(self):
        plt = self.plt
        plt.clear_figure()
        sketch = self.sketch
        if sketch is not None and self.size.width > 10 and self.size.height > 4:
            self._draw(plt, sketch, self.size.width, self.size.height)
        return super().render()

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
        for label in sketch.labels:
            right_room = (x1 - label.x) / cell
            if right_room > len(label.text) + 2:
                x = label.x + 1.5 * cell
            else:  # at the right edge: to the left of the point
                x = label.x - (len(label.text) + 1) * cell
            plt.text(label.text, x, label.y, color=label.color, alignment="left")
        plt.xlim(x0, x1)
        plt.ylim(y0, y1)
        if sketch.title:
            plt.title(sketch.title)
        if sketch.xticks:
            plt.xticks(list(sketch.xticks), [f"{t:g}" for t in sketch.xticks])
        if sketch.xlabel:
            plt.xlabel(sketch.xlabel)


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
