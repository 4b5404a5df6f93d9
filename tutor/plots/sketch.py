"""A step's picture as plain numbers, for a terminal that cannot show the PNG.

The text plot in the tutor (:mod:`tutor.app.widgets.textplot`) draws a
:class:`Sketch` with plotext at braille resolution.  A sketch holds floats and
words only: the samples of the curve (or the contour lines), the iterates, the
step to the next iterate, the minima, the ranges and the legend.  Like the
PNGs, it computes none of the mathematics it shows: iterates, slopes and minima
are the walkthrough's; the curve samples are drawing.  It is made in a worker
(numpy), so the widget only lays it out.

``reveal`` False leaves out what the step's questions ask (the tangent at xₖ,
whose slope is f′(xₖ), and the next iterate): the learner sees where they are
and where the minimum is, and works out the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, assert_never

from tutor.plots.style import _subscript, word
from tutor.text import tr
from tutor.walkthrough.contract import (
    BatchPayload,
    BatchPicture,
    ComparedRun,
    ComparisonPicture,
    ContourView,
    CurveView,
    DerivePayload,
    DescentFacts,
    DescentPicture,
    EvaluatePayload,
    ExplainPayload,
    FunctionPicture,
    OptimiserWords,
    PredictPayload,
    QuestionPayload,
    RunPayload,
    TrainingPayload,
    TrainingPicture,
)

if TYPE_CHECKING:
    from tutor.walkthrough.steps import Step

#: Contour lines drawn in a text plot: more would fill the braille cells.
TEXT_LEVELS = 7

#: Plotext colour names by role (the PNG's palette, in the 16 colours every terminal has).
TEXT_COLORS = {
    "curve": "cyan",
    "level": "gray",
    "path": "red",
    "next": "orange",
    "tangent": "gray",
    "minimum": "green",
    "gd": "red",
    "momentum": "blue",
    "adam": "magenta",
    "nesterov": "cyan",
    "rmsprop": "yellow",
    "batch": "blue",
    "stochastic": "orange",
    "minibatch": "green",
    "data": "white",
    "model": "cyan",
}


@dataclass(frozen=True)
class Series:
    """Points joined by a line (``line``) or markers only, with an optional legend entry."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    color: str
    line: bool = True
    marker: str = "braille"
    label: str = ""


@dataclass(frozen=True)
class Label:
    """Words next to a point (placed beside it by the widget, so the point stays visible).

    ``below``: under the point where there is room (a minimum: the curve runs along its row on both sides).
    """

    x: float
    y: float
    text: str
    color: str
    below: bool = False


@dataclass(frozen=True)
class Sketch:
    title: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xlabel: str = ""
    ylabel: str = ""
    series: tuple[Series, ...] = ()
    labels: tuple[Label, ...] = ()
    note: str = ""  # e.g. some iterates are off the chart
    xticks: tuple[float, ...] = ()  # where the x ticks go, when not plotext's choice (iterations are whole numbers)
    legend: tuple[tuple[str, str, str], ...] = field(default=())  # (marker, colour, words), drawn under the plot

    def with_legend(self, *first: tuple[str, str, str]) -> Sketch:
        """The legend: ``first``, then each labelled series (a line, or its marker)."""
        entries = tuple((s.marker if not s.line else "─", s.color, s.label) for s in self.series if s.label)
        return replace(self, legend=(*first, *entries))


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _xk(k: int, name: str = "x") -> str:
    return f"{name}{_subscript(k)}"


def sketch_step(step: Step, reveal: bool = True) -> Sketch | None:
    """The step's picture as numbers, or None when it has nothing to draw.

    ``reveal`` False: before the step's questions are answered (no tangent, no next iterate).
    """
    match step.payload:
        case ExplainPayload(picture=picture):
            return _function(picture) if picture is not None else None
        case RunPayload(comparison=ComparisonPicture() as comparison) as p:
            return _compare(comparison, p.optimisers)
        case DescentFacts() as p:
            shown = p.picture if reveal else p.picture_unrevealed
            if shown is None or not shown.iterates:
                return None
            return _descent(shown, reveal)
        case TrainingPayload(picture=picture):
            return _training(picture) if picture is not None else None
        case BatchPayload(picture=picture):
            return _batch(picture) if picture is not None else None
        case DerivePayload() | EvaluatePayload() | PredictPayload() | QuestionPayload():
            return None
        case _:
            assert_never(step.payload)


# --- one variable -------------------------------------------------------------------------------------


def _curve(view: CurveView, label: str) -> Series:
    import numpy as np

    xs, ys = view.curve.xs, view.curve.ys
    keep = np.isfinite(ys)
    return Series(tuple(xs[keep].tolist()), tuple(ys[keep].tolist()), TEXT_COLORS["curve"], label=label)


def _minimum_marks(
    minima: Sequence[tuple[float, ...]], values: Sequence[float], lo: float, hi: float
) -> tuple[list[Series], list[Label]]:
    series: list[Series] = []
    labels: list[Label] = []
    for (m,), y in zip(minima, values):
        if lo <= m <= hi and math.isfinite(y):
            label = word("minimum") if not series else ""
            series.append(Series((m,), (y,), TEXT_COLORS["minimum"], line=False, marker="★", label=label))
            labels.append(Label(m, y, f"{word('minimum')} {m:.4g}", TEXT_COLORS["minimum"], below=True))
    return series, labels


def _one_variable(pic: DescentPicture, view: CurveView, reveal: bool) -> Sketch:
    steps = pic.iterates
    current = pic.current
    name = pic.variables[0]
    next_x = pic.next[0] if (current is not None and reveal and pic.next is not None) else None
    lo, hi = view.xlim
    series, labels = [_curve(view, f"f({name})")], []
    shown = steps[: view.shown]
    xs, ys = [it.point[0] for it in shown], [it.value for it in shown]
    if current is not None and reveal and current < len(xs):  # the tangent: its slope is f'(x_k)
        xk, yk, slope = xs[current], ys[current], shown[current].gradient[0]
        if _finite(xk, yk, slope):
            half = 0.15 * (hi - lo)
            tangent = Series(
                (xk - half, xk + half),
                (yk - slope * half, yk + slope * half),
                TEXT_COLORS["tangent"],
                label=word("tangent", k=_subscript(shown[current].k)),
            )
            series.append(tangent)
    if len(xs) > 1:
        series.append(Series(tuple(xs), tuple(ys), TEXT_COLORS["path"]))
    if next_x is not None and xs and _finite(next_x) and lo <= next_x <= hi:
        y_next = pic.next_value
        if _finite(y_next):
            series.append(Series((xs[-1], next_x), (ys[-1], y_next), TEXT_COLORS["next"]))
            series.append(Series((next_x,), (y_next,), TEXT_COLORS["next"], line=False, marker="●", label=""))
            labels.append(Label(next_x, y_next, _xk(steps[-1].k + 1, name), TEXT_COLORS["next"]))
    if xs:
        series.append(Series(tuple(xs), tuple(ys), TEXT_COLORS["path"], line=False, marker="●", label=""))
        named = range(len(xs)) if len(xs) <= 6 else (0, 1, len(xs) - 1)
        for i in named:
            if _finite(xs[i], ys[i]):
                labels.append(Label(xs[i], ys[i], _xk(shown[i].k, name), TEXT_COLORS["path"]))
    mins, min_labels = _minimum_marks(pic.minima, pic.minima_values, lo, hi)
    series += mins
    labels += min_labels
    legend = _iterate_legend(name, reveal and next_x is not None)
    return Sketch(
        _title(pic),
        (lo, hi),
        view.ylim or (-1.0, 1.0),
        name,
        f"f({name})",
        tuple(series),
        tuple(labels),
        word("off_chart") if len(shown) < len(steps) else "",
    ).with_legend(*legend)


def _iterate_legend(name: str, next_shown: bool) -> list[tuple[str, str, str]]:
    entries = [("●", TEXT_COLORS["path"], word("iterates").replace("x", name, 1))]
    if next_shown:
        entries.append(("●", TEXT_COLORS["next"], word("next").replace("x", name, 1)))
    return entries


def _title(pic: DescentPicture) -> str:
    if pic.current is not None:
        return f"{word('descent')} — {word('step_k', k=pic.iterates[pic.current].k)}"
    return word("descent")


# --- two variables: contour lines ------------------------------------------------------------------------


def _box(view: ContourView) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box a text plot shows: the tight one (its cells are not square, so equal scales would waste rows)."""
    return view.tight if view.tight is not None else (view.xlim, view.ylim)


def _levels(view: ContourView) -> list[Series]:
    """A few contour lines of f over the box shown, spaced by quantiles of f there (dense near the minimum)."""
    import contourpy
    import numpy as np

    grid = view.grid
    (x0, x1), (y0, y1) = _box(view)
    X, Y = np.meshgrid(grid.xs, grid.ys)
    Z = grid.zs
    values = Z[np.isfinite(Z) & (x0 <= X) & (x1 >= X) & (y0 <= Y) & (y1 >= Y)]
    if values.size < 2 or values.max() <= values.min():
        return []
    levels = np.unique(np.quantile(values, np.linspace(0.02, 0.9, TEXT_LEVELS)))
    generator = contourpy.contour_generator(X, Y, np.ma.masked_invalid(Z), line_type=contourpy.LineType.Separate)
    out: list[Series] = []
    for level in levels:
        for found in generator.lines(float(level)):
            line = np.asarray(found)
            if len(line) >= 2:
                label = "" if out else word("level_sets")
                out.append(
                    Series(tuple(line[:, 0].tolist()), tuple(line[:, 1].tolist()), TEXT_COLORS["level"], label=label)
                )
    return out


def _two_variables(pic: DescentPicture, view: ContourView, reveal: bool) -> Sketch:
    current = pic.current
    steps = pic.iterates
    pts = [it.point for it in steps]
    next_pt = pic.next if (current is not None and reveal) else None
    xlim, ylim = _box(view)
    series = _levels(view)
    labels: list[Label] = []
    good = [q for q in pts if _finite(*q) and _inside(q, xlim, ylim)]
    if len(good) > 1:
        series.append(Series(tuple(q[0] for q in good), tuple(q[1] for q in good), TEXT_COLORS["path"]))
    if next_pt is not None and good and _finite(*next_pt):
        series.append(Series((good[-1][0], next_pt[0]), (good[-1][1], next_pt[1]), TEXT_COLORS["next"]))
        series.append(Series((next_pt[0],), (next_pt[1],), TEXT_COLORS["next"], line=False, marker="●"))
        labels.append(Label(next_pt[0], next_pt[1], _xk(steps[-1].k + 1), TEXT_COLORS["next"]))
    if good:
        series.append(Series(tuple(q[0] for q in good), tuple(q[1] for q in good), TEXT_COLORS["path"], False, "●"))
        named = range(len(pts)) if len(pts) <= 5 else (0, 1, len(pts) - 1)
        for i in named:
            if i < len(pts) and _finite(*pts[i]) and _inside(pts[i], xlim, ylim):
                labels.append(Label(pts[i][0], pts[i][1], _xk(steps[i].k), TEXT_COLORS["path"]))
    series += _minimum_stars(pic.minima)
    return Sketch(
        _title(pic),
        xlim,
        ylim,
        pic.variables[0],
        pic.variables[1],
        tuple(series),
        tuple(labels),
        word("off_chart") if view.clipped else "",
    ).with_legend(*_iterate_legend("x", next_pt is not None))


def _minimum_stars(minima: Sequence[tuple[float, ...]]) -> list[Series]:
    return [
        Series((m[0],), (m[1],), TEXT_COLORS["minimum"], line=False, marker="★", label=word("minimum") if i == 0 else "")
        for i, m in enumerate(minima)
        if len(m) == 2
    ]  # fmt: skip


def _inside(q: Sequence[float], xlim: tuple[float, float], ylim: tuple[float, float]) -> bool:
    return xlim[0] <= q[0] <= xlim[1] and ylim[0] <= q[1] <= ylim[1]


# --- more variables: values against k ------------------------------------------------------------------


def _by_k(pic: DescentPicture) -> Sketch:
    pairs = [(float(it.k), it.value) for it in pic.iterates if _finite(it.value)]
    if not pairs:
        return Sketch(word("value_by_k"), (0.0, 1.0), (0.0, 1.0))
    xs, ys = zip(*pairs)
    series = (
        Series(xs, ys, TEXT_COLORS["path"], label=f"f({', '.join(pic.variables)})"),
        Series(xs, ys, TEXT_COLORS["path"], line=False, marker="●"),
    )
    lo, hi = min(ys), max(ys)
    pad = 0.08 * (hi - lo) or 1.0
    right = max(xs) if max(xs) > min(xs) else min(xs) + 1
    ticks = tuple(float(k) for k in range(int(min(xs)), int(right) + 1, max(1, int(right - min(xs)) // 8)))
    return Sketch(
        word("value_by_k"),
        (min(xs) - 0.3, right + 0.3),
        (lo - pad, hi + pad),
        word("iteration"),
        "f",
        series,
        xticks=ticks,
    ).with_legend()


def _descent(pic: DescentPicture, reveal: bool) -> Sketch:
    if isinstance(pic.view, CurveView):
        return _one_variable(pic, pic.view, reveal)
    if isinstance(pic.view, ContourView):
        return _two_variables(pic, pic.view, reveal)
    return _by_k(pic)


# --- an explain section's function ---------------------------------------------------------------------


def _function(p: FunctionPicture) -> Sketch:
    view = p.view
    if isinstance(view, CurveView):
        name = p.variables[0]
        mins, labels = _minimum_marks(p.minima, p.minima_values, *view.xlim)
        return Sketch(
            word("function"),
            view.xlim,
            view.ylim or (-1.0, 1.0),
            name,
            f"f({name})",
            (_curve(view, f"f({name})"), *mins),
            tuple(labels),
        ).with_legend()
    xlim, ylim = _box(view)
    series = _levels(view) + _minimum_stars(p.minima)
    return Sketch(word("function"), xlim, ylim, p.variables[0], p.variables[1], tuple(series)).with_legend()


# --- optimisers side by side ----------------------------------------------------------------------------


def _compare(p: ComparisonPicture, optimisers: Mapping[str, OptimiserWords]) -> Sketch | None:
    """Each optimiser's path; the axes fit the runs that stay in view, so one that diverges does not shrink the rest.

    A run that leaves the view (further than VIEW_LIMIT first steps from the
    start, or not finite) is drawn up to where it leaves, and said in the note.
    """
    view = p.view
    clipped = False
    if isinstance(view, ContourView):
        xlim, ylim = _box(view)
        series = _levels(view)
        for run in p.runs:
            color = TEXT_COLORS.get(run.optimizer, "white")
            kept = _kept(run.points, lambda q: _inside(q, _grow(xlim), _grow(ylim)))
            clipped = clipped or len(kept) < len(run.points)
            if kept:
                xs, ys = zip(*kept)
                series.append(Series(xs, ys, color, label=_run_label(run, optimisers)))
                series.append(Series(xs, ys, color, line=False, marker="•"))
        return Sketch(
            word("descent"),
            xlim,
            ylim,
            p.variables[0],
            p.variables[1],
            tuple(series),
            note=word("off_chart") if clipped or view.clipped else "",
        ).with_legend()
    if isinstance(view, CurveView):
        lo, hi = view.xlim
        series = [_curve(view, f"f({p.variables[0]})")]
        for run in p.runs:
            color = TEXT_COLORS.get(run.optimizer, "white")
            pairs = _kept(list(zip((q[0] for q in run.points), run.on_curve)), lambda q: _finite(*q))
            clipped = clipped or len(pairs) < len(run.points)
            if pairs:
                xs, ys = zip(*pairs)
                series.append(Series(xs, ys, color, label=_run_label(run, optimisers)))
                series.append(Series(xs, ys, color, line=False, marker="•"))
        return Sketch(
            word("descent"),
            (lo, hi),
            view.ylim or (-1.0, 1.0),
            p.variables[0],
            f"f({p.variables[0]})",
            tuple(series),
            note=word("off_chart") if clipped else "",
        ).with_legend()
    return None


def _grow(lim: tuple[float, float]) -> tuple[float, float]:
    pad = 0.02 * (lim[1] - lim[0])
    return lim[0] - pad, lim[1] + pad


def _kept(points: Sequence[Any], inside: Callable[[Any], bool]) -> list[Any]:
    """The points of a path up to the first one that leaves the view."""
    out = []
    for q in points:
        if not inside(q):
            break
        out.append(q)
    return out


def _run_label(run: ComparedRun, optimisers: Mapping[str, OptimiserWords]) -> str:
    """The optimiser's name (the registry's words, from the walkthrough) and how its run went."""
    words = optimisers.get(run.optimizer)
    base = tr(words.label) if words is not None else run.key
    if run.diverged:
        return f"{base} ({word('diverged')})"
    return f"{base} ({word('steps', n=run.steps)})"


# --- model fitting -------------------------------------------------------------------------------------


def _training(p: TrainingPicture) -> Sketch:
    """The data (the samples used marked) and the model before and after this update."""
    import numpy as np

    series = [Series(p.xs, p.ys, TEXT_COLORS["data"], line=False, marker="•", label=word("data"))]
    if p.used and len(p.used) < len(p.xs):
        used_x, used_y = tuple(p.xs[i] for i in p.used), tuple(p.ys[i] for i in p.used)
        series.append(Series(used_x, used_y, TEXT_COLORS["next"], line=False, marker="●", label=word("used")))
    for curve, color, key in ((p.before_curve, "gray", "before"), (p.after_curve, "cyan", "after")):
        if curve is not None:
            keep = np.isfinite(curve.ys)
            xs, ys = tuple(curve.xs[keep].tolist()), tuple(curve.ys[keep].tolist())
            series.insert(0, Series(xs, ys, color, label=word(key)))
    fy = [v for v in p.ys if math.isfinite(v)] or [0.0]
    pad = 0.2 * (max(fy) - min(fy)) or 1.0
    ylim = (min(fy) - pad, max(fy) + pad)
    return Sketch(word("training"), p.xlim, ylim, p.input, "y", tuple(series)).with_legend()


def _batch(p: BatchPicture) -> Sketch | None:
    """The loss on the whole data set after each update, one line per kind of batch."""
    series = []
    right, top = 1.0, 0.0
    for run in p.runs:
        pairs = [(float(i), v) for i, v in enumerate(run.losses) if math.isfinite(v)]
        if not pairs:
            continue
        xs, ys = zip(*pairs)
        right, top = max(right, xs[-1]), max(top, *ys)
        label = word("minibatch", n=p.batch_size) if run.kind == "minibatch" else word(run.kind)
        series.append(Series(xs, ys, TEXT_COLORS.get(run.kind, "white"), label=label))
    if not series:
        return None
    return Sketch(
        word("loss_curve"), (0.0, right), (0.0, 1.05 * top or 1.0), word("update"), "L", tuple(series)
    ).with_legend()
