"""Plain descent against an optimiser with memory, from the same start: who zig-zags, who glides."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor.plots import style
from tutor.plots.geometry import _symlog_if_wide, _view, _view_2d, _ylimits, numeric
from tutor.plots.runs import _contours, _draw_curve, _optimizer_colour, _optimizer_words, _path_2d
from tutor.plots.style import _formula_title, _legend, _one_at_a_time, _suptitle, new_figure, num, word
from tutor.walkthrough.contract import OptimiserWords


@_one_at_a_time
def plot_optimizers(
    f: Any,
    variables: Sequence[str],
    runs: Mapping[str, Any],
    path: Path | str,
    lang: str = "en",
    optimisers: Mapping[str, OptimiserWords] | None = None,
) -> Path:
    """Plain descent against momentum (or Adam) on the same picture: who zig-zags, who glides.

    ``optimisers``: each optimiser's words and colour, by key (from the walkthrough).
    """
    optimisers = optimisers or {}
    variables = tuple(variables)
    names = list(runs)
    n = len(variables)

    def label(name: str, run) -> str:
        key = getattr(run, "optimizer", name)
        base = _optimizer_words(key, lang, optimisers) if key in optimisers else name
        status = (
            word("diverged", lang)
            if run.stop.reason == "diverged"
            else word("steps", lang, n=max(len(run.steps) - 1, 0))
        )
        return f"{base} ({status})"

    # the view fits the runs that did not diverge: one that did leaves the picture instead of shrinking the rest
    settled = [k for k in names if runs[k].stop.reason != "diverged"] or names
    if n == 2:
        fig, ax = new_figure()
        paths = [[(num(s.point[0]), num(s.point[1])) for s in runs[k].steps] for k in settled]
        xlim, ylim, _ = _view_2d(paths, [])
        xlim, ylim = _contours(ax, fig, f, variables, xlim, ylim)
        for i, key in enumerate(names):
            run = runs[key]
            color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}", optimisers)
            _path_2d(ax, _until_far(run.steps, xlim, ylim), color, label(key, run), marker_size=4.5)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_title(_formula_title(f, variables), fontsize=10)
        _legend(ax, loc="best")
    elif n == 1:
        fig, (ax, right) = new_figure(2, width_ratios=(3, 2))
        import numpy as np

        xs_all = [num(s.point[0]) for k in names for s in runs[k].steps[:1]]
        pts = [[num(s.point[0]) for s in runs[k].steps] for k in names]
        main = [num(s.point[0]) for s in runs[settled[0]].steps]
        others = [[num(s.point[0]) for s in runs[k].steps] for k in settled[1:]]
        lo, hi, _ = _view(main, [x for p in others for x in p[:3]] + xs_all)
        fn = numeric(f, variables)
        _, curve = _draw_curve(ax, fn, lo, hi, f, variables)
        marks = []
        for i, key in enumerate(names):
            run = runs[key]
            color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}", optimisers)
            xs = [x for x in pts[i] if math.isfinite(x) and lo <= x <= hi]
            ys = list(fn(np.array(xs))) if xs else []
            ax.plot(xs, ys, "-o", color=color, ms=5, lw=1, label=label(key, run), alpha=0.85)
            marks += ys
        ylim = _ylimits(curve, marks)
        if ylim:
            ax.set_ylim(*ylim)
        ax.set_xlim(lo, hi)
        ax.set_title(_formula_title(f, variables), fontsize=10)
        _legend(ax, loc="best")
        _values_by_k(right, names, runs, lang, optimisers)
    else:
        fig, ax = new_figure()
        _values_by_k(ax, names, runs, lang, optimisers, with_labels=True, label=label)
        ax.set_title(_formula_title(f, variables), fontsize=10)
    _suptitle(fig, word("optimizers", lang))
    return style.save(fig, path)


def _until_far(steps, xlim, ylim) -> list:
    """A path's steps up to the first one far outside the view (the line to it leaves the picture, clipped)."""
    wx, wy = xlim[1] - xlim[0], ylim[1] - ylim[0]
    out = []
    for s in steps:
        out.append(s)
        x, y = num(s.point[0]), num(s.point[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            break
        if not (xlim[0] - 2 * wx <= x <= xlim[1] + 2 * wx and ylim[0] - 2 * wy <= y <= ylim[1] + 2 * wy):
            break
    return out


def _values_by_k(ax, names, runs, lang, optimisers, *, with_labels=False, label=None) -> None:
    values = []
    for i, key in enumerate(names):
        run = runs[key]
        color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}", optimisers)
        ks = [s.k for s in run.steps]
        vs = [num(s.value) for s in run.steps]
        ax.plot(ks, vs, "-", color=color, lw=1.8, label=label(key, run) if with_labels and label else None)
        values += vs
    ax.set_xlabel(word("iteration", lang))
    ax.set_title(word("value_by_k", lang), fontsize=10)
    ax.grid(True, alpha=0.3)
    _symlog_if_wide(ax, values)
    if with_labels:
        _legend(ax)
