"""The function an explain section talks about: its curve, or its contours for two variables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tutor.plots import style
from tutor.plots.geometry import _minima, _ylimits, numeric
from tutor.plots.runs import _contours, _draw_curve, _mark_minima, _minima_2d
from tutor.plots.style import _formula_title, _legend, _one_at_a_time, _suptitle, new_figure, num, word


@_one_at_a_time
def plot_function(
    f: Any,
    variables: Sequence[str],
    path: Path | str,
    lang: str = "en",
    x_range: Sequence[float] = (-2.0, 2.0),
    minima: Sequence[Any] = (),
) -> Path | None:
    """The function an explain section talks about: its curve, or its contours for two variables."""
    variables = tuple(variables)
    lo, hi = (num(v) for v in x_range)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        lo, hi = -2.0, 2.0
    mins = _minima(minima, variables)
    if len(variables) == 1:
        fig, ax = new_figure()
        fn = numeric(f, variables)
        _, curve = _draw_curve(ax, fn, lo, hi, f, variables)
        marks = _mark_minima(ax, fn, mins, lo, hi, lang)
        ylim = _ylimits(curve, marks)
        if ylim:
            ax.set_ylim(*ylim)
        ax.set_xlim(lo, hi)
        _legend(ax, loc="best")
    elif len(variables) == 2:
        fig, ax = new_figure()
        _contours(ax, fig, f, variables, (lo, hi), (lo, hi))
        _minima_2d(ax, mins, lang)
        ax.set_title(_formula_title(f, variables), fontsize=10)
        _legend(ax, loc="best")
    else:
        return None
    _suptitle(fig, word("function", lang))
    return style.save(fig, path)
