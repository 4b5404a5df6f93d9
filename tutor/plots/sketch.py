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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from tutor.plots.fitting import _data_box, _kind, _losses, _model_fn
from tutor.plots.geometry import _minima, _point, _view, _view_2d, _ylimits, numeric
from tutor.plots.style import _subscript, num, word
from tutor.walkthrough.contract import (
    BatchPayload,
    DescentFacts,
    ExplainPayload,
    FunctionPlot,
    IterationPayload,
    RunPayload,
    TrainingPayload,
)

#: Samples of a curve: a braille cell is 2 dots wide, so 400 covers a 200-column plot.
TEXT_SAMPLES = 400
#: Grid of a contour sketch (each side).
TEXT_GRID = 90
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
    """Words next to a point (placed beside it by the widget, so the point stays visible)."""

    x: float
    y: float
    text: str
    color: str


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


@lru_cache(maxsize=64)
def _numeric(f: Any, variables: tuple[str, ...]):
    """f compiled once per function (every step of a section shares it)."""
    return numeric(f, variables)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _xk(k: int, name: str = "x") -> str:
    return f"{name}{_subscript(k)}"


def sketch_step(step: Any, lang: str = "en", reveal: bool = True) -> Sketch | None:
    """The step's picture as numbers, or None when it has nothing to draw."""
    match step.payload:
        case ExplainPayload(plot=FunctionPlot() as p):
            return _function(p, lang)
        case RunPayload(compare=compare) as p if compare:
            return _compare(p, compare, lang)
        case DescentFacts() as p if p.run.steps:
            return _descent(p, lang, reveal)
        case TrainingPayload() as p if p.xs:
            return _training(p, lang)
        case BatchPayload() as p:
            return _batch(p, lang)
    return None


# --- one variable -------------------------------------------------------------------------------------


def _curve(fn, lo: float, hi: float, label: str) -> tuple[Series, Any]:
    import numpy as np

    xs = np.linspace(lo, hi, TEXT_SAMPLES)
    ys = fn(xs)
    keep = np.isfinite(ys)
    return Series(tuple(xs[keep].tolist()), tuple(ys[keep].tolist()), TEXT_COLORS["curve"], label=label), ys


def _value(fn, x: float) -> float:
    import numpy as np

    return float(fn(np.array([x]))[0])


def _minimum_marks(fn, minima, lo, hi, lang) -> tuple[list[Series], list[Label], list[float]]:
    series, labels, ys = [], [], []
    for (m,) in minima:
        if lo <= m <= hi:
            y = _value(fn, m)
            if math.isfinite(y):
                label = word("minimum", lang) if not series else ""
                series.append(Series((m,), (y,), TEXT_COLORS["minimum"], line=False, marker="★", label=label))
                labels.append(Label(m, y, f"{word('minimum', lang)} {m:.4g}", TEXT_COLORS["minimum"]))
                ys.append(y)
    return series, labels, ys


def _one_variable(p: DescentFacts, lang: str, reveal: bool) -> Sketch:
    variables = p.variables or tuple(p.run.variables)
    steps = list(p.run.steps)
    current = _current_index(p)
    if current is not None:
        steps = steps[: current + 1]
    next_x = None
    if current is not None and reveal and p.next is not None:
        next_x = _point(p.next, variables)[0]
    xs_all = [num(s.point[0]) for s in steps]
    minima = _minima(p.minima, variables)
    lo, hi, shown = _view(xs_all + ([next_x] if next_x is not None else []), [m[0] for m in minima])
    fn = _numeric(p.function, tuple(variables))
    name = variables[0]
    curve, samples = _curve(fn, lo, hi, f"f({name})")
    series, labels = [curve], []
    xs, ys = xs_all[:shown], [num(s.value) for s in steps[:shown]]
    marks = list(ys)
    if current is not None and reveal and current < len(xs):  # the tangent: its slope is f'(x_k)
        xk, yk, slope = xs[current], ys[current], num(steps[current].gradient[0])
        if _finite(xk, yk, slope):
            half = 0.15 * (hi - lo)
            tangent = Series(
                (xk - half, xk + half),
                (yk - slope * half, yk + slope * half),
                TEXT_COLORS["tangent"],
                label=word("tangent", lang, k=_subscript(steps[current].k)),
            )
            series.append(tangent)
    if len(xs) > 1:
        series.append(Series(tuple(xs), tuple(ys), TEXT_COLORS["path"]))
    if next_x is not None and xs and _finite(next_x) and lo <= next_x <= hi:
        y_next = _value(fn, next_x)
        if _finite(y_next):
            series.append(Series((xs[-1], next_x), (ys[-1], y_next), TEXT_COLORS["next"]))
            series.append(Series((next_x,), (y_next,), TEXT_COLORS["next"], line=False, marker="●", label=""))
            labels.append(Label(next_x, y_next, _xk(steps[-1].k + 1, name), TEXT_COLORS["next"]))
            marks.append(y_next)
    if xs:
        series.append(Series(tuple(xs), tuple(ys), TEXT_COLORS["path"], line=False, marker="●", label=""))
        named = range(len(xs)) if len(xs) <= 6 else (0, 1, len(xs) - 1)
        for i in named:
            if _finite(xs[i], ys[i]):
                labels.append(Label(xs[i], ys[i], _xk(steps[i].k, name), TEXT_COLORS["path"]))
    mins, min_labels, min_ys = _minimum_marks(fn, minima, lo, hi, lang)
    series += mins
    labels += min_labels
    marks += min_ys
    ylim = _ylimits(samples, marks) or (-1.0, 1.0)
    legend = _iterate_legend(lang, name, current, reveal and next_x is not None)
    sketch = Sketch(
        _title(p, lang, current),
        (lo, hi),
        ylim,
        name,
        f"f({name})",
        tuple(series),
        tuple(labels),
        word("off_chart", lang) if shown < len(xs_all) else "",
    ).with_legend(*legend)
    return sketch


def _iterate_legend(lang: str, name: str, current, next_shown: bool) -> list[tuple[str, str, str]]:
    entries = [("●", TEXT_COLORS["path"], word("iterates", lang).replace("x", name, 1))]
    if next_shown:
        entries.append(("●", TEXT_COLORS["next"], word("next", lang).replace("x", name, 1)))
    return entries


def _current_index(p: DescentFacts) -> int | None:
    """The index of iterate k in the run, for an iteration step; None for a whole run."""
    if not isinstance(p, IterationPayload):
        return None
    steps = p.run.steps
    return next((i for i, s in enumerate(steps) if s.k == p.k), min(p.k, len(steps) - 1))


def _title(p: DescentFacts, lang: str, current: int | None) -> str:
    if current is not None:
        return f"{word('descent', lang)} — {word('step_k', lang, k=p.k)}"
    return word("descent", lang)


# --- two variables: contour lines ------------------------------------------------------------------------


def _levels(f, variables, xlim, ylim, lang) -> list[Series]:
    """A few contour lines of f over the box, spaced by quantiles (dense near the minimum)."""
    import contourpy
    import numpy as np

    fn = _numeric(f, tuple(variables))
    gx = np.linspace(xlim[0], xlim[1], TEXT_GRID)
    gy = np.linspace(ylim[0], ylim[1], TEXT_GRID)
    X, Y = np.meshgrid(gx, gy)
    Z = fn(X, Y)
    values = Z[np.isfinite(Z)]
    if values.size < 2 or values.max() <= values.min():
        return []
    levels = np.unique(np.quantile(values, np.linspace(0.02, 0.9, TEXT_LEVELS)))
    generator = contourpy.contour_generator(X, Y, np.ma.masked_invalid(Z), line_type=contourpy.LineType.Separate)
    out: list[Series] = []
    for level in levels:
        for line in generator.lines(float(level)):
            if len(line) >= 2:
                label = "" if out else word("level_sets", lang)
                out.append(
                    Series(tuple(line[:, 0].tolist()), tuple(line[:, 1].tolist()), TEXT_COLORS["level"], label=label)
                )
    return out


def _two_variables(p: DescentFacts, lang: str, reveal: bool) -> Sketch:
    variables = p.variables or tuple(p.run.variables)
    current = _current_index(p)
    steps = list(p.run.steps) if current is None else list(p.run.steps[: current + 1])
    pts = [(num(s.point[0]), num(s.point[1])) for s in steps]
    next_pt = _point(p.next, variables) if (current is not None and reveal and p.next is not None) else None
    minima = _minima(p.minima, variables)
    xlim, ylim, clipped = _view_2d([pts + ([next_pt] if next_pt else [])], minima)
    series = _levels(p.function, variables, xlim, ylim, lang)
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
    for i, m in enumerate(minima):
        if len(m) == 2:
            label = word("minimum", lang) if i == 0 else ""
            series.append(Series((m[0],), (m[1],), TEXT_COLORS["minimum"], line=False, marker="★", label=label))
    sketch = Sketch(
        _title(p, lang, current),
        xlim,
        ylim,
        variables[0],
        variables[1],
        tuple(series),
        tuple(labels),
        word("off_chart", lang) if clipped else "",
    ).with_legend(*_iterate_legend(lang, "x", current, next_pt is not None))
    return sketch


def _inside(q, xlim, ylim) -> bool:
    return xlim[0] <= q[0] <= xlim[1] and ylim[0] <= q[1] <= ylim[1]


# --- more variables: values against k ------------------------------------------------------------------


def _by_k(p: DescentFacts, lang: str) -> Sketch:
    current = _current_index(p)
    steps = list(p.run.steps) if current is None else list(p.run.steps[: current + 1])
    ks = [float(s.k) for s in steps]
    values = [num(s.value) for s in steps]
    pairs = [(k, v) for k, v in zip(ks, values) if _finite(v)]
    if not pairs:
        return Sketch(word("value_by_k", lang), (0.0, 1.0), (0.0, 1.0))
    xs, ys = zip(*pairs)
    series = (Series(xs, ys, TEXT_COLORS["path"], label=f"f({', '.join(p.variables)})"),)
    series += (Series(xs, ys, TEXT_COLORS["path"], line=False, marker="●"),)
    lo, hi = min(ys), max(ys)
    pad = 0.08 * (hi - lo) or 1.0
    right = max(xs) if max(xs) > min(xs) else min(xs) + 1
    ticks = tuple(float(k) for k in range(int(min(xs)), int(right) + 1, max(1, int(right - min(xs)) // 8)))
    return Sketch(
        word("value_by_k", lang),
        (min(xs) - 0.3, right + 0.3),
        (lo - pad, hi + pad),
        word("iteration", lang),
        "f",
        series,
        xticks=ticks,
    ).with_legend()


def _descent(p: DescentFacts, lang: str, reveal: bool) -> Sketch:
    n = len(p.variables or p.run.variables)
    if n == 1:
        return _one_variable(p, lang, reveal)
    if n == 2:
        return _two_variables(p, lang, reveal)
    return _by_k(p, lang)


# --- an explain section's function ---------------------------------------------------------------------


def _function(p: FunctionPlot, lang: str) -> Sketch | None:
    variables = tuple(p.variables)
    lo, hi = (num(v) for v in p.x_range)
    if not _finite(lo, hi) or hi <= lo:
        lo, hi = -2.0, 2.0
    minima = _minima(p.minima, variables)
    if len(variables) == 1:
        fn = _numeric(p.function, variables)
        curve, samples = _curve(fn, lo, hi, f"f({variables[0]})")
        mins, labels, ys = _minimum_marks(fn, minima, lo, hi, lang)
        ylim = _ylimits(samples, ys) or (-1.0, 1.0)
        return Sketch(
            word("function", lang), (lo, hi), ylim, variables[0], f"f({variables[0]})", (curve, *mins), tuple(labels)
        ).with_legend()
    if len(variables) == 2:
        series = _levels(p.function, variables, (lo, hi), (lo, hi), lang)
        for i, m in enumerate(minima):
            label = word("minimum", lang) if i == 0 else ""
            series.append(Series((m[0],), (m[1],), TEXT_COLORS["minimum"], line=False, marker="★", label=label))
        return Sketch(word("function", lang), (lo, hi), (lo, hi), *variables, tuple(series)).with_legend()
    return None


# --- optimisers side by side ----------------------------------------------------------------------------


def _compare(p: RunPayload, runs: Mapping[str, Any], lang: str) -> Sketch | None:
    """Each optimiser's path; the axes fit the runs that stay in view, so one that diverges does not shrink the rest.

    A run that leaves the view (further than VIEW_LIMIT first steps from the
    start, or not finite) is drawn up to where it leaves, and said in the note.
    """
    variables = tuple(p.variables or p.run.variables)
    names = list(runs)
    if len(variables) == 2:
        paths = {k: [(num(s.point[0]), num(s.point[1])) for s in runs[k].steps] for k in names}
        settled = [paths[k] for k in names if runs[k].stop.reason != "diverged"] or list(paths.values())
        xlim, ylim, clipped = _view_2d(settled, [])
        series = _levels(p.function, variables, xlim, ylim, lang)
        for key in names:
            color = TEXT_COLORS.get(getattr(runs[key], "optimizer", key), "white")
            kept = _kept(paths[key], lambda q: _inside(q, _grow(xlim), _grow(ylim)))
            clipped = clipped or len(kept) < len(paths[key])
            if kept:
                xs, ys = zip(*kept)
                series.append(Series(xs, ys, color, label=_run_label(key, runs[key], lang)))
                series.append(Series(xs, ys, color, line=False, marker="•"))
        return Sketch(
            word("descent", lang),
            xlim,
            ylim,
            *variables,
            tuple(series),
            note=word("off_chart", lang) if clipped else "",
        ).with_legend()
    if len(variables) == 1:
        import numpy as np

        pts = {k: [num(s.point[0]) for s in runs[k].steps] for k in names}
        settled = [k for k in names if runs[k].stop.reason != "diverged"] or names
        lo, hi, _ = _view(pts[settled[0]], [x for k in settled[1:] for x in pts[k][:VIEW_LIMIT_POINTS]])
        fn = _numeric(p.function, variables)
        curve, samples = _curve(fn, lo, hi, f"f({variables[0]})")
        series, marks, clipped = [curve], [], False
        for key in names:
            color = TEXT_COLORS.get(getattr(runs[key], "optimizer", key), "white")
            xs = _kept(pts[key], lambda x: math.isfinite(x) and lo <= x <= hi)
            clipped = clipped or len(xs) < len(pts[key])
            if xs:
                ys = fn(np.array(xs)).tolist()
                marks += ys
                series.append(Series(tuple(xs), tuple(ys), color, label=_run_label(key, runs[key], lang)))
                series.append(Series(tuple(xs), tuple(ys), color, line=False, marker="•"))
        ylim = _ylimits(samples, [m for m in marks if math.isfinite(m)]) or (-1.0, 1.0)
        return Sketch(
            word("descent", lang),
            (lo, hi),
            ylim,
            variables[0],
            f"f({variables[0]})",
            tuple(series),
            note=word("off_chart", lang) if clipped else "",
        ).with_legend()
    return None


#: Iterates of a companion run that set the view (the rest may leave it).
VIEW_LIMIT_POINTS = 3


def _grow(lim: tuple[float, float]) -> tuple[float, float]:
    pad = 0.02 * (lim[1] - lim[0])
    return lim[0] - pad, lim[1] + pad


def _kept(points: Sequence[Any], inside) -> list:
    """The points of a path up to the first one that leaves the view."""
    out = []
    for q in points:
        if not inside(q):
            break
        out.append(q)
    return out


def _run_label(key: str, run: Any, lang: str) -> str:
    from tutor.plots.style import WORDS

    name = getattr(run, "optimizer", key)
    base = word(name, lang) if name in WORDS else name
    if run.stop.reason == "diverged":
        return f"{base} ({word('diverged', lang)})"
    return f"{base} ({word('steps', lang, n=max(len(run.steps) - 1, 0))})"


# --- model fitting -------------------------------------------------------------------------------------


def _data_series(xs, ys, samples: Sequence[int], lang: str) -> list[Series]:
    """The data, with the samples this update uses marked."""
    pts = [(num(x), num(y)) for x, y in zip(xs, ys)]
    used = [pts[i] for i in samples if 0 <= i < len(pts)]
    out = [Series(*zip(*pts), TEXT_COLORS["data"], line=False, marker="•", label=word("data", lang))]
    if used and len(used) < len(pts):
        out.append(Series(*zip(*used), TEXT_COLORS["next"], line=False, marker="●", label=word("used", lang)))
    return out


def _model_line(fn, params: Sequence[float], lo: float, hi: float, color: str, label: str) -> Series:
    import numpy as np

    xs = np.linspace(lo, hi, TEXT_SAMPLES // 2)
    ys = fn(xs, *[np.full_like(xs, v) for v in params])
    keep = np.isfinite(ys)
    return Series(tuple(xs[keep].tolist()), tuple(ys[keep].tolist()), color, label=label)


def _box(xs, ys) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = _data_box([num(x) for x in xs])
    fy = [v for v in (num(y) for y in ys) if math.isfinite(v)] or [0.0]
    pad = 0.2 * (max(fy) - min(fy)) or 1.0
    return (lo, hi), (min(fy) - pad, max(fy) + pad)


def _training(p: TrainingPayload, lang: str) -> Sketch:
    """The data (the samples used marked) and the model before and after this update."""
    xlim, ylim = _box(p.xs, p.ys)
    series = _data_series(p.xs, p.ys, p.samples, lang)
    if p.model is not None:
        fn = _model_fn(p.model, p.input or "x", tuple(p.parameters))
        for params, color, key in ((p.params, "gray", "before"), (p.next_params, "cyan", "after")):
            values = [num(params.get(name)) for name in p.parameters]
            series.insert(0, _model_line(fn, values, *xlim, color, word(key, lang)))
    return Sketch(word("training", lang), xlim, ylim, p.input or "x", "y", tuple(series)).with_legend()


def _batch(p: BatchPayload, lang: str) -> Sketch | None:
    """The loss on the whole data set after each update, one line per kind of batch."""
    series = []
    right, top = 1.0, 0.0
    for name, run in (p.runs or {}).items():
        kind = _kind(getattr(run, "kind", name) or name)
        pairs = [(float(i), v) for i, v in enumerate(_losses(run)) if math.isfinite(v)]
        if not pairs:
            continue
        xs, ys = zip(*pairs)
        right, top = max(right, xs[-1]), max(top, *ys)
        label = word("minibatch", lang, n=p.batch_size) if kind == "minibatch" else word(kind, lang)
        series.append(Series(xs, ys, TEXT_COLORS.get(kind, "white"), label=label))
    if not series:
        return None
    return Sketch(
        word("loss_curve", lang), (0.0, right), (0.0, 1.05 * top or 1.0), word("update", lang), "L", tuple(series)
    ).with_legend()
