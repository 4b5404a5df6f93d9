"""Plain descent against an optimiser with memory, from the same start: who zig-zags, who glides."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.plots import style
from tutor.plots.runs import _contours, _draw_curve, _limits, _optimizer_colour, _optimizer_words, _path_2d
from tutor.plots.style import _legend, _one_at_a_time, _suptitle, formulas, new_figure, symlog_if_wide, word
from tutor.walkthrough.contract import ComparedRun, ComparisonPicture, ContourView, CurveView, OptimiserWords

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _label(run: ComparedRun, optimisers: Mapping[str, OptimiserWords]) -> str:
    base = _optimizer_words(run.optimizer, optimisers) if run.optimizer in optimisers else run.key
    status = word("diverged") if run.diverged else word("steps", n=run.steps)
    return f"{base} ({status})"


@_one_at_a_time
def plot_optimizers(
    picture: ComparisonPicture,
    path: Path | str,
    optimisers: Mapping[str, OptimiserWords] | None = None,
) -> Path:
    """Plain descent against momentum (or Adam) on the same picture: who zig-zags, who glides.

    ``optimisers``: each optimiser's words and colour, by key (from the walkthrough).
    """
    optimisers = optimisers or {}
    view = picture.view
    runs = picture.runs
    if isinstance(view, ContourView):
        fig, ax = new_figure()
        _contours(ax, fig, view, picture.variables)
        for i, run in enumerate(runs):
            color = _optimizer_colour(run.optimizer, f"C{i}", optimisers)
            _path_2d(ax, _until_far(run.points, view), color, _label(run, optimisers), marker_size=4.5)
        ax.set_xlim(*view.xlim)
        ax.set_ylim(*view.ylim)
        ax.set_title(formulas(picture.function), fontsize=10)
        _legend(ax, loc="best")
    elif isinstance(view, CurveView):
        fig, (ax, right) = new_figure(2, width_ratios=(3, 2))
        _draw_curve(ax, view, formulas(picture.function), picture.variables)
        for i, run in enumerate(runs):
            color = _optimizer_colour(run.optimizer, f"C{i}", optimisers)
            inside = [(p[0], y) for p, y in zip(run.points, run.on_curve) if not math.isnan(y)]
            xs, ys = [p for p, _ in inside], [y for _, y in inside]
            ax.plot(xs, ys, "-o", color=color, ms=5, lw=1, label=_label(run, optimisers), alpha=0.85)
        _limits(ax, view)
        ax.set_title(formulas(picture.function), fontsize=10)
        _legend(ax, loc="best")
        _values_by_k(right, runs, optimisers)
    else:
        fig, ax = new_figure()
        _values_by_k(ax, runs, optimisers, with_labels=True)
        ax.set_title(formulas(picture.function), fontsize=10)
    _suptitle(fig, word("optimizers"))
    return style.save(fig, path)


def _until_far(points: Sequence[tuple[float, ...]], view: ContourView) -> list[tuple[float, ...]]:
    """A path up to the first point far outside the view (the line to it leaves the picture, clipped)."""
    (x0, x1), (y0, y1) = view.xlim, view.ylim
    wx, wy = x1 - x0, y1 - y0
    out: list[tuple[float, ...]] = []
    for x, y in points:
        out.append((x, y))
        if not (math.isfinite(x) and math.isfinite(y)):
            break
        if not (x0 - 2 * wx <= x <= x1 + 2 * wx and y0 - 2 * wy <= y <= y1 + 2 * wy):
            break
    return out


def _values_by_k(
    ax: Axes,
    runs: Sequence[ComparedRun],
    optimisers: Mapping[str, OptimiserWords],
    *,
    with_labels: bool = False,
) -> None:
    values: list[float] = []
    for i, run in enumerate(runs):
        color = _optimizer_colour(run.optimizer, f"C{i}", optimisers)
        label = _label(run, optimisers) if with_labels else None
        ax.plot(run.ks, run.values, "-", color=color, lw=1.8, label=label)
        values += run.values
    ax.set_xlabel(word("iteration"))
    ax.set_title(word("value_by_k"), fontsize=10)
    ax.grid(True, alpha=0.3)
    symlog_if_wide(ax, values)
    if with_labels:
        _legend(ax)
