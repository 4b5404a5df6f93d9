"""The function an explain section talks about: its curve, or its contours for two variables."""

from __future__ import annotations

from pathlib import Path

from tutor.plots import style
from tutor.plots.runs import _contours, _draw_curve, _limits, _mark_minima, _minima_2d
from tutor.plots.style import _legend, _one_at_a_time, _suptitle, formulas, new_figure, word
from tutor.walkthrough.contract import CurveView, FunctionPicture


@_one_at_a_time
def plot_function(picture: FunctionPicture, path: Path | str) -> Path:
    """The function an explain section talks about: its curve, or its contours for two variables."""
    view = picture.view
    fig, ax = new_figure()
    if isinstance(view, CurveView):
        _draw_curve(ax, view, formulas(picture.title), picture.variables)
        _mark_minima(ax, picture.minima, picture.minima_values, *view.xlim)
        _limits(ax, view)
    else:
        _contours(ax, fig, view, picture.variables)
        _minima_2d(ax, picture.minima)
        ax.set_title(formulas(picture.title), fontsize=10)
    _legend(ax, loc="best")
    _suptitle(fig, word("function"))
    return style.save(fig, path)
