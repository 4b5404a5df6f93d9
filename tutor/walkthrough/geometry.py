"""What each step's picture shows, as floats: the ranges, f sampled over them, the iterates, minima and titles.

The figures (:mod:`tutor.plots`) and the text plot only lay these out, so a
view never compiles f or decides where to look.  f is compiled once per
function (numpy code from sympy's ``lambdify``) and a sample is shared by every
step of a build that shows the same range, so a section of twenty iterations
of the same view holds one curve.

A picture that cannot be made (f has no numeric form, say) is left out: the
step still teaches, it only has nothing to draw.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tutor.walkthrough.contract import (
    BatchPayload,
    BatchPicture,
    BatchRun,
    ComparedRun,
    ComparisonPicture,
    ContourView,
    Curve,
    CurveView,
    DescentFacts,
    DescentPicture,
    ExplainPayload,
    Formula,
    FunctionPicture,
    FunctionPlot,
    Grid,
    Iterate,
    IterationPayload,
    RunPayload,
    TrainingPayload,
    TrainingPicture,
)
from tutor.walkthrough.steps import Step

#: Iterates further than this many "first step sizes" from the start are off the chart.
VIEW_LIMIT = 10.0
#: Samples along a curve, and per side of a contour grid (the PNG's resolution; the text plot resamples).
CURVE_SAMPLES = 600
GRID_SAMPLES = 160
#: Samples of a model's line over the data.
MODEL_SAMPLES = 200
#: Width / height of the plotting area left for a contour plot beside its colour bar.
CONTOUR_ASPECT = 1.5
#: Iterates of a companion run that set a comparison's view (the rest may leave it).
COMPANION_POINTS = 3
#: Longest LaTeX shown as a formula; longer ones are written as text.
LONGEST_FORMULA = 90

Numeric = Callable[..., Any]


def num(value: Any) -> float:
    """A float for drawing: exact values converted, anything without one is NaN."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return math.nan


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


# --- numeric f ------------------------------------------------------------------------------------------


def _symbols(f: Any, variables: Sequence[str]) -> tuple[Any, ...]:
    """The symbols of f in the variables' order (matched by name, as f was built)."""
    import sympy as sp

    by_name = {s.name: s for s in getattr(f, "free_symbols", ())}
    return tuple(by_name.get(v, sp.Symbol(v, real=True)) for v in variables)


def numeric(f: Any, variables: Sequence[str]) -> Numeric:
    """f as a numpy function of its variables, NaN where it has no real value."""
    import numpy as np
    import sympy as sp

    compiled = sp.lambdify(_symbols(f, variables), f, modules="numpy")

    def call(*arrays: Any) -> Any:
        with np.errstate(all="ignore"):
            try:
                out = compiled(*arrays)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return np.full(np.shape(arrays[0]), np.nan)
            out = np.asarray(out)
            if np.iscomplexobj(out):
                out = np.where(np.abs(out.imag) < 1e-12, out.real, np.nan)
            out = np.broadcast_to(out.astype(float, copy=False), np.shape(arrays[0]))
        return np.where(np.isfinite(out), out, np.nan)

    return call


class Sampler:
    """f compiled once per function, and each curve or grid sampled once per range (shared between steps)."""

    def __init__(self) -> None:
        self._fns: dict[tuple[Any, tuple[str, ...]], Numeric] = {}
        self._curves: dict[tuple[Any, ...], Curve] = {}
        self._grids: dict[tuple[Any, ...], Grid] = {}

    def fn(self, f: Any, variables: Sequence[str]) -> Numeric:
        key = (f, tuple(variables))
        if key not in self._fns:
            self._fns[key] = numeric(f, variables)
        return self._fns[key]

    def value(self, f: Any, variables: Sequence[str], *point: float) -> float:
        import numpy as np

        return float(self.fn(f, variables)(*(np.array([v]) for v in point))[0])

    def curve(self, f: Any, variables: Sequence[str], lo: float, hi: float, n: int = CURVE_SAMPLES) -> Curve:
        key = (f, tuple(variables), lo, hi, n)
        if key not in self._curves:
            import numpy as np

            xs = np.linspace(lo, hi, n)
            xs.flags.writeable = False
            ys = self.fn(f, variables)(xs)
            ys.flags.writeable = False
            self._curves[key] = Curve(xs, ys)
        return self._curves[key]

    def model_curve(self, model: Any, names: Sequence[str], params: Sequence[float], lo: float, hi: float) -> Curve:
        """A model's line y(x) with its parameters fixed (``names``: the input, then the parameters)."""
        key = (model, tuple(names), tuple(params), lo, hi)
        if key not in self._curves:
            import numpy as np

            xs = np.linspace(lo, hi, MODEL_SAMPLES)
            ys = self.fn(model, names)(xs, *[np.full_like(xs, p) for p in params])
            xs.flags.writeable = False
            ys.flags.writeable = False
            self._curves[key] = Curve(xs, ys)
        return self._curves[key]

    def grid(self, f: Any, variables: Sequence[str], xlim: tuple[float, float], ylim: tuple[float, float]) -> Grid:
        """f on a grid over the box and a tenth beyond each side (contours reach the frame)."""
        key = (f, tuple(variables), xlim, ylim)
        if key not in self._grids:
            import numpy as np

            mx, my = 0.1 * (xlim[1] - xlim[0]), 0.1 * (ylim[1] - ylim[0])
            gx = np.linspace(xlim[0] - mx, xlim[1] + mx, GRID_SAMPLES)
            gy = np.linspace(ylim[0] - my, ylim[1] + my, GRID_SAMPLES)
            zs = self.fn(f, variables)(*np.meshgrid(gx, gy))
            for a in (gx, gy, zs):
                a.flags.writeable = False
            self._grids[key] = Grid(gx, gy, zs)
        return self._grids[key]


# --- points ---------------------------------------------------------------------------------------------


def point(value: Any, variables: Sequence[str]) -> tuple[float, ...] | None:
    """A point given as a tuple, a mapping name -> value, or a single number, as floats."""
    if value is None:
        return None
    at = getattr(value, "point", value)  # a StationaryPoint or a descent Step
    if isinstance(at, Mapping):
        return tuple(num(at.get(v)) for v in variables)
    if isinstance(at, (tuple, list)):
        return tuple(num(v) for v in at)
    return (num(at),)


def minima(data: Any, variables: Sequence[str]) -> tuple[tuple[float, ...], ...]:
    """Minimum points from the engine's record (stationary points of kind "minimum"), as floats."""
    out = []
    for item in data or ():
        kind = getattr(item, "kind", None) or (
            item.get("kind") if isinstance(item, Mapping) and "kind" in item else None
        )
        if kind not in (None, "minimum"):
            continue
        at = point(item.get("point", item) if isinstance(item, Mapping) and "point" in item else item, variables)
        if at and len(at) == len(variables) and all(math.isfinite(v) for v in at):
            out.append(at)
    return tuple(out)


def iterates(steps: Sequence[Any]) -> tuple[Iterate, ...]:
    return tuple(
        Iterate(s.k, tuple(num(v) for v in s.point), num(s.value), tuple(num(g) for g in s.gradient)) for s in steps
    )


# --- ranges ---------------------------------------------------------------------------------------------


def view(points: Sequence[float], anchors: Sequence[float]) -> tuple[float, float, int]:
    """The x-interval to show: the anchors and the iterates near them.

    An iterate further than VIEW_LIMIT first-step sizes from the start is left
    off (a diverging run would otherwise flatten everything else).  Returns
    (lo, hi, how many iterates are shown).
    """
    pts: list[float] = []
    if points and math.isfinite(points[0]):
        x0 = points[0]
        first = abs(points[1] - x0) if len(points) > 1 and math.isfinite(points[1]) else 0.0
        scale = max(first, abs(x0), *(abs(a - x0) for a in anchors if math.isfinite(a)), 1e-6)
        for p in points:  # in the order visited: stop at the first one that ran away
            if not math.isfinite(p) or abs(p - x0) > VIEW_LIMIT * scale:
                break
            pts.append(p)
    shown = len(pts)
    inside = pts + [a for a in anchors if math.isfinite(a)]
    if not inside:
        return -2.0, 2.0, 0
    lo, hi = min(inside), max(inside)
    width = hi - lo
    if width <= 1e-12 * max(1.0, abs(hi)):
        width = max(1.0, abs(hi))
        lo, hi = lo - width / 2, hi + width / 2
    pad = 0.18 * (hi - lo)
    return lo - pad, hi + pad, shown


def ylimits(curve: Any, marks: Sequence[float]) -> tuple[float, float] | None:
    """y-limits that show the marked points and the curve, ignoring spikes."""
    import numpy as np

    values = curve[np.isfinite(curve)]
    marks = _finite(marks)
    if values.size == 0 and not marks:
        return None
    if values.size:
        lo, hi = float(values.min()), float(values.max())
        p1, p99 = (float(v) for v in np.percentile(values, [1, 99]))
        if hi - lo > 50 * max(p99 - p1, 1e-12):  # a pole: keep the body of the curve
            lo, hi = p1, p99
    else:
        lo, hi = marks[0], marks[0]
    if marks:
        lo, hi = min(lo, *marks), max(hi, *marks)
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 1, hi + 1
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def bracket_of(steps: Sequence[Any], upto: int | None = None) -> tuple[float, float] | None:
    """Where the first sign change happened: between the iterate before it and it."""
    last = len(steps) if upto is None else min(upto + 1, len(steps))
    for i in range(1, last):
        if steps[i].sign_change:
            return num(steps[i - 1].point[0]), num(steps[i].point[0])
    return None


Box = tuple[tuple[float, float], tuple[float, float]]


def view_2d(paths: Sequence[Sequence[tuple[float, ...]]], anchors: Sequence[tuple[float, ...]]) -> tuple[Box, bool]:
    """A box around every path (each clipped like :func:`view`) and the anchors; True when a path was clipped."""
    boxes_x: list[float] = []
    boxes_y: list[float] = []
    clipped = False
    for path in paths:
        pts = [p for p in path if all(map(math.isfinite, p))]
        if not pts:
            continue
        x0 = pts[0]
        first = math.dist(pts[1], x0) if len(pts) > 1 else 0.0
        scale = max(first, math.hypot(*x0), 1e-6)
        kept = []
        for p in pts:
            if math.dist(p, x0) > VIEW_LIMIT * scale:
                clipped = True
                break
            kept.append(p)
        boxes_x += [p[0] for p in kept]
        boxes_y += [p[1] for p in kept]
    for a in anchors:
        if len(a) == 2 and all(map(math.isfinite, a)):
            boxes_x.append(a[0])
            boxes_y.append(a[1])
    if not boxes_x:
        return ((-2.0, 2.0), (-2.0, 2.0)), clipped
    xlo, xhi, ylo, yhi = min(boxes_x), max(boxes_x), min(boxes_y), max(boxes_y)
    wx, wy = xhi - xlo, yhi - ylo
    side = max(wx, wy, 1e-9)
    # never let one side collapse: a path along one axis still needs room around it
    wx2, wy2 = max(wx, 0.3 * side, 1.0 if side < 1e-6 else 0), max(wy, 0.3 * side, 1.0 if side < 1e-6 else 0)
    cx, cy = (xlo + xhi) / 2, (ylo + yhi) / 2
    pad = 1.3
    return ((cx - pad * wx2 / 2, cx + pad * wx2 / 2), (cy - pad * wy2 / 2, cy + pad * wy2 / 2)), clipped


def fill_box(
    xlim: tuple[float, float], ylim: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float], bool]:
    """Widen the shorter side so equal scales on both axes fill the picture (no squashed circles)."""
    (x0, x1), (y0, y1) = xlim, ylim
    wx, wy = x1 - x0, y1 - y0
    if not (0.2 < wx / wy < 5):
        return xlim, ylim, False  # too elongated for equal scales: let each axis fit its own range
    if wx / wy < CONTOUR_ASPECT:
        grow = (wy * CONTOUR_ASPECT - wx) / 2
        xlim = (x0 - grow, x1 + grow)
    else:
        grow = (wx / CONTOUR_ASPECT - wy) / 2
        ylim = (y0 - grow, y1 + grow)
    return xlim, ylim, True


def growing(steps: Sequence[Any]) -> bool:
    """The last steps are much longer than the first: the run is moving away, not settling."""
    if len(steps) < 4:
        return False
    pts = [tuple(num(v) for v in s.point) for s in steps]
    if not all(math.isfinite(v) for p in pts[-2:] + pts[:2] for v in p):
        return True
    first, last = math.dist(pts[0], pts[1]), math.dist(pts[-2], pts[-1])
    return last > 10 * first > 0


def _contour_view(sampler: Sampler, f: Any, variables: Sequence[str], box: Box, clipped: bool) -> ContourView:
    xlim, ylim, equal = fill_box(*box)
    return ContourView(xlim, ylim, equal, sampler.grid(f, variables, xlim, ylim), clipped, box)


# --- titles ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _tex(expr: Any) -> tuple[str, str]:
    """(LaTeX, plain text) of an expression; LaTeX empty when it is too long to read as a formula.

    Cached: every step of a section titles its picture with the same f and learning rate.
    """
    import sympy as sp

    try:
        body = sp.latex(expr)
    except Exception:  # a printer failure must not cost the picture
        return "", str(expr)
    if len(body) > LONGEST_FORMULA:
        text = sp.sstr(expr)
        return "", text if len(text) <= LONGEST_FORMULA else text[: LONGEST_FORMULA - 3] + "…"
    return body, sp.sstr(expr)


def function_formula(f: Any, variables: Sequence[str]) -> Formula:
    name = f"f({', '.join(variables)})"
    body, plain = _tex(f)
    return Formula(f"{name} = {body}" if body else "", f"{name} = {plain}")


def run_formulas(f: Any, variables: Sequence[str], learning_rate: Any = None, bound: Any = None) -> tuple[Formula, ...]:
    """f(x) = ..., the learning rate, and the bound 2/L on it when the engine found one."""
    import sympy as sp

    parts = [function_formula(f, variables)]
    if learning_rate is not None:
        body, plain = _tex(sp.nsimplify(learning_rate) if isinstance(learning_rate, sp.Basic) else learning_rate)
        parts.append(Formula(rf"\eta = {body}" if body else "", f"η = {plain}"))
    b = getattr(bound, "bound", bound)
    if b is not None and not isinstance(b, (Mapping, tuple, list)):
        if isinstance(b, (int, sp.Rational)) and len(sp.latex(b)) <= 30:
            body, _ = _tex(b)
            if body:
                parts.append(Formula(rf"\frac{{2}}{{L}} = {body}"))
        elif math.isfinite(num(b)):  # an algebraic bound (a root of a cubic): its value is what a learner can use
            parts.append(Formula(rf"\frac{{2}}{{L}} \approx {num(b):.4g}"))
    return tuple(parts)


# --- pictures -------------------------------------------------------------------------------------------


def function_picture(plot: FunctionPlot, sampler: Sampler) -> FunctionPicture | None:
    """An explain section's function over its range (-2..2 when the range is unusable)."""
    variables = tuple(plot.variables)
    lo, hi = (num(v) for v in plot.x_range)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        lo, hi = -2.0, 2.0
    mins = minima(plot.minima, variables)
    title = (function_formula(plot.function, variables),)
    if len(variables) == 1:
        curve = sampler.curve(plot.function, variables, lo, hi)
        inside = [m for m in mins if lo <= m[0] <= hi]
        values = tuple(sampler.value(plot.function, variables, m[0]) for m in inside)
        view_ = CurveView((lo, hi), ylimits(curve.ys, _finite(values)), curve)
        return FunctionPicture(variables, view_, tuple(inside), values, title)
    if len(variables) == 2:
        return FunctionPicture(variables, _contour_view(sampler, plot.function, variables, ((lo, hi), (lo, hi)), False),
                               mins, (), title)  # fmt: skip
    return None


def descent_picture(
    f: Any,
    variables: Sequence[str],
    run: Any,
    sampler: Sampler,
    *,
    upto: int | None = None,
    next_point: Any = None,
    bracket: Any = None,
    minima_found: Sequence[Any] = (),
    bound: Any = None,
) -> DescentPicture:
    """A run (``upto`` None) or iteration ``upto`` of it with the next iterate (exact or float values)."""
    variables = tuple(variables)
    steps = list(run.steps) if upto is None else list(run.steps[: upto + 1])
    its = iterates(steps)
    nxt = point(next_point, variables)
    mins = minima(minima_found, variables)
    n = len(variables)
    next_value = math.nan
    values: tuple[float, ...] = ()
    if n == 1:
        brk = None
        if bracket is not None:
            ends = [point(b, variables) for b in bracket]
            brk = (ends[0][0], ends[1][0]) if all(e is not None for e in ends) else None  # type: ignore[index]
        else:
            brk = bracket_of(run.steps, upto)
        anchors = [m[0] for m in mins] + (list(brk) if brk else [])
        xs_all = [it.point[0] for it in its]
        lo, hi, shown = view(xs_all + ([nxt[0]] if nxt is not None else []), anchors)
        curve = sampler.curve(f, variables, lo, hi)
        marks = [it.value for it in its[:shown]]
        if nxt is not None and math.isfinite(nxt[0]):
            next_value = sampler.value(f, variables, nxt[0])
            if math.isfinite(next_value) and lo <= nxt[0] <= hi:
                marks.append(next_value)
        mins = tuple(m for m in mins if lo <= m[0] <= hi)
        values = tuple(sampler.value(f, variables, m[0]) for m in mins)
        marks += _finite(values)
        shown_view: CurveView | ContourView | None = CurveView(
            (lo, hi), ylimits(curve.ys, marks), curve, min(shown, len(its))
        )
    elif n == 2:
        brk = None
        pts = [it.point for it in its]
        box, clipped = view_2d([pts + ([nxt] if nxt is not None else [])], mins)
        shown_view = _contour_view(sampler, f, variables, box, clipped)
        if nxt is not None and all(map(math.isfinite, nxt)):
            next_value = sampler.value(f, variables, *nxt)
    else:
        brk, shown_view = None, None
    return DescentPicture(
        variables=variables,
        optimizer=str(getattr(run, "optimizer", "gd")),
        stop=run.stop.reason,
        steps=max(len(run.steps) - 1, 0),
        iterates=its,
        current=len(its) - 1 if upto is not None else None,
        next=nxt,
        next_value=next_value,
        bracket=brk,
        minima=mins,
        minima_values=values,
        view=shown_view,
        growing=growing(run.steps),
        title=run_formulas(f, variables, run.learning_rate, bound),
        function=(function_formula(f, variables),),
    )


def comparison_picture(
    f: Any, variables: Sequence[str], runs: Mapping[str, Any], sampler: Sampler
) -> ComparisonPicture:
    """Optimisers from the same start; a run that diverged leaves the view instead of shrinking the rest."""
    variables = tuple(variables)
    names = list(runs)
    settled = [k for k in names if runs[k].stop.reason != "diverged"] or names
    paths = {k: [tuple(num(v) for v in s.point) for s in runs[k].steps] for k in names}
    shown_view: CurveView | ContourView | None = None
    on_curve: dict[str, tuple[float, ...]] = {k: () for k in names}
    if len(variables) == 1:
        starts = [paths[k][0][0] for k in names if paths[k]]
        main = [p[0] for p in paths[settled[0]]]
        companions = [p[0] for k in settled[1:] for p in paths[k][:COMPANION_POINTS]]
        lo, hi, _ = view(main, companions + starts)
        curve = sampler.curve(f, variables, lo, hi)
        marks: list[float] = []
        for k in names:
            ys = tuple(
                sampler.value(f, variables, x) if math.isfinite(x) and lo <= x <= hi else math.nan for (x,) in paths[k]
            )
            on_curve[k] = ys
            marks += _finite(ys)
        shown_view = CurveView((lo, hi), ylimits(curve.ys, marks), curve)
    elif len(variables) == 2:
        box, clipped = view_2d([paths[k] for k in settled], [])
        shown_view = _contour_view(sampler, f, variables, box, clipped)
    compared = tuple(
        ComparedRun(
            key=k,
            optimizer=getattr(runs[k], "optimizer", k),
            diverged=runs[k].stop.reason == "diverged",
            steps=max(len(runs[k].steps) - 1, 0),
            ks=tuple(s.k for s in runs[k].steps),
            points=tuple(paths[k]),
            values=tuple(num(s.value) for s in runs[k].steps),
            on_curve=on_curve[k],
        )
        for k in names
    )
    return ComparisonPicture(variables, compared, shown_view, (function_formula(f, variables),))


def params(value: Any, names: Sequence[str]) -> tuple[float, ...]:
    """Parameter values, from a mapping name -> value or a sequence in the names' order."""
    if isinstance(value, Mapping):
        return tuple(num(value.get(n)) for n in names)
    if isinstance(value, (tuple, list)):
        return tuple(num(v) for v in value)
    return (num(value),)


def losses(history: Any) -> tuple[float, ...]:
    """Losses from a list of numbers, of mappings with "loss", or of records with ``.loss``."""
    if history is None:
        return ()
    found = getattr(history, "losses", None)
    if found is not None:
        return tuple(num(v) for v in found)
    out = []
    for item in history:
        if isinstance(item, Mapping):
            out.append(num(item.get("loss")))
        elif hasattr(item, "loss"):
            out.append(num(item.loss))
        else:
            out.append(num(item))
    return tuple(out)


def data_box(xs: Sequence[float]) -> tuple[float, float]:
    """The data's x-range with a margin."""
    xs = _finite(xs)
    if not xs:
        return -1.0, 1.0
    lo, hi = min(xs), max(xs)
    pad = 0.12 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def batch_kind(name: str) -> str:
    key = name.lower().replace("-", "").replace("_", "").replace(" ", "")
    return {"minibatch": "minibatch", "batch": "batch", "stochastic": "stochastic", "sgd": "stochastic"}.get(key, key)


def model_formula(model: Any) -> Formula:
    body, plain = _tex(model)
    return Formula(f"y_1 = {body}" if body else "", f"y₁ = {plain}")


def training_picture(p: TrainingPayload, sampler: Sampler) -> TrainingPicture:
    parameters = tuple(p.parameters)
    names = (p.input or "x", *parameters)
    expr = getattr(p.model, "expr", p.model)
    xs = tuple(num(v) for v in p.xs)
    before = params(p.params, parameters)
    after = params(p.next_params, parameters) if p.next_params is not None else None
    used = tuple(range(len(xs))) if p.samples is None else tuple(i for i in p.samples if 0 <= i < len(xs))
    lo, hi = data_box(xs)
    first = getattr(p.history, "params", None) or [None]
    return TrainingPicture(
        input=names[0],
        parameters=parameters,
        xs=xs,
        ys=tuple(num(v) for v in p.ys),
        used=used,
        predictions=tuple(num(v) for v in p.predictions),
        before=before,
        after=after,
        xlim=(lo, hi),
        before_curve=sampler.model_curve(expr, names, before, lo, hi),
        after_curve=sampler.model_curve(expr, names, after, lo, hi) if after is not None else None,
        losses=losses(p.history),
        starts_after=after is not None and first[0] is not None and params(first[0], parameters) == after,
        model=model_formula(p.model),
    )


def batch_picture(p: BatchPayload, sampler: Sampler) -> BatchPicture:
    parameters = tuple(p.parameters)
    xs = tuple(num(v) for v in p.xs)
    lo, hi = data_box(xs)
    expr = getattr(p.model, "expr", p.model)
    runs = []
    for name, run in (p.runs or {}).items():
        fit = None
        final = getattr(run, "params", None)
        if isinstance(final, (list, tuple)) and final and isinstance(final[-1], (Mapping, tuple, list)):
            final = final[-1]
        if p.model is not None and xs and final is not None:
            fit = sampler.model_curve(expr, (p.input or "x", *parameters), params(final, parameters), lo, hi)
        runs.append(BatchRun(name, batch_kind(getattr(run, "kind", name) or name), losses(run), fit))
    return BatchPicture(p.input or "x", p.batch_size, xs, tuple(num(v) for v in p.ys), (lo, hi), tuple(runs))


def _descent_pictures(p: DescentFacts, sampler: Sampler) -> DescentFacts:
    variables = p.variables or tuple(p.run.variables)
    common = dict(minima_found=p.minima, bound=p.bound)
    if isinstance(p, IterationPayload) and p.run.steps:
        index = next((i for i, s in enumerate(p.run.steps) if s.k == p.k), min(p.k, len(p.run.steps) - 1))
        shown = descent_picture(
            p.function, variables, p.run, sampler, upto=index, next_point=p.next, bracket=p.bracket, **common
        )
        hidden = shown
        if p.next is not None:
            hidden = descent_picture(p.function, variables, p.run, sampler, upto=index, bracket=p.bracket, **common)
        return replace(p, picture=shown, picture_unrevealed=hidden)
    whole = descent_picture(p.function, variables, p.run, sampler, **common)
    return replace(p, picture=whole, picture_unrevealed=whole)


def with_picture(payload: Any, sampler: Sampler) -> Any:
    """The payload with what its picture shows (unchanged when it has none)."""
    match payload:
        case ExplainPayload(plot=FunctionPlot() as plot) if len(plot.variables) in (1, 2):
            return replace(payload, picture=function_picture(plot, sampler))
        case RunPayload(compare=compare) as p if compare:
            variables = p.variables or tuple(p.run.variables)
            return replace(p, comparison=comparison_picture(p.function, variables, compare, sampler))
        case DescentFacts() as p:
            return _descent_pictures(p, sampler)
        case TrainingPayload() as p if p.model is not None and p.xs:
            return replace(p, picture=training_picture(p, sampler))
        case BatchPayload() as p if p.runs:
            return replace(p, picture=batch_picture(p, sampler))
    return payload


def attach_pictures(steps: Sequence[Step]) -> list[Step]:
    """Every step with its picture; samples shared between steps that show the same range."""
    sampler = Sampler()
    out = []
    for step in steps:
        try:
            payload = with_picture(step.payload, sampler)
        except Exception:  # f without a numeric form: the step teaches, it has nothing to draw
            payload = step.payload
        out.append(step if payload is step.payload else replace(step, payload=payload))
    return out
