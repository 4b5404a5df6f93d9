"""Where to look: numeric versions of f, the engine's points as floats, and the ranges a figure shows."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tutor.plots.style import VIEW_LIMIT, finite, num


def _symbols(f: Any, variables: Sequence[str]) -> tuple:
    """The symbols of f in the variables' order (matched by name, as f was built)."""
    import sympy as sp

    by_name = {s.name: s for s in getattr(f, "free_symbols", ())}
    return tuple(by_name.get(v, sp.Symbol(v, real=True)) for v in variables)


def numeric(f: Any, variables: Sequence[str]):
    """f as a numpy function of its variables, NaN where it has no real value."""
    import numpy as np
    import sympy as sp

    compiled = sp.lambdify(_symbols(f, variables), f, modules="numpy")

    def call(*arrays):
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


def _point(value: Any, variables: Sequence[str]) -> tuple[float, ...] | None:
    """A point given as a tuple, a mapping name -> value, or a single number."""
    if value is None:
        return None
    point = getattr(value, "point", value)  # a StationaryPoint or a descent Step
    if isinstance(point, Mapping):
        return tuple(num(point.get(v)) for v in variables)
    if isinstance(point, (tuple, list)):
        return tuple(num(v) for v in point)
    return (num(point),)


def _raw_point(value: Any, variables: Sequence[str]) -> tuple | None:
    """A point's values as given (exact), in the variables' order."""
    if value is None:
        return None
    point = getattr(value, "point", value)
    if isinstance(point, Mapping):
        return tuple(point.get(v) for v in variables)
    if isinstance(point, (tuple, list)):
        return tuple(point)
    return (point,)


def _minima(data: Any, variables: Sequence[str]) -> list[tuple[float, ...]]:
    """Minimum points from the engine's record (stationary points of kind "minimum")."""
    out = []
    for item in data or ():
        kind = getattr(item, "kind", None) or (
            item.get("kind") if isinstance(item, Mapping) and "kind" in item else None
        )
        if kind not in (None, "minimum"):
            continue
        point = _point(item.get("point", item) if isinstance(item, Mapping) and "point" in item else item, variables)
        if point and len(point) == len(variables) and all(math.isfinite(v) for v in point):
            out.append(point)
    return out


def _view(points: Sequence[float], anchors: Sequence[float]) -> tuple[float, float, int]:
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


def _ylimits(curve, marks: Sequence[float]):
    """y-limits that show the marked points and the curve, ignoring spikes."""
    import numpy as np

    values = curve[np.isfinite(curve)]
    marks = finite(marks)
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


def _bracket_of(steps: Sequence[Any], upto: int | None = None) -> tuple[float, float] | None:
    """Where the first sign change happened: between the iterate before it and it."""
    last = len(steps) if upto is None else min(upto + 1, len(steps))
    for i in range(1, last):
        if steps[i].sign_change:
            return num(steps[i - 1].point[0]), num(steps[i].point[0])
    return None


def _view_2d(paths: Sequence[Sequence[tuple[float, float]]], anchors: Sequence[tuple[float, ...]]):
    """A box around every path (each clipped like :func:`_view`) and the anchors."""
    boxes_x, boxes_y, clipped = [], [], False
    for pts in paths:
        pts = [p for p in pts if all(map(math.isfinite, p))]
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
        return (-2.0, 2.0), (-2.0, 2.0), clipped

    def spread(values):
        lo, hi = min(values), max(values)
        return lo, hi

    (xlo, xhi), (ylo, yhi) = spread(boxes_x), spread(boxes_y)
    wx, wy = xhi - xlo, yhi - ylo
    side = max(wx, wy, 1e-9)
    # never let one side collapse: a path along one axis still needs room around it
    wx2, wy2 = max(wx, 0.3 * side, 1.0 if side < 1e-6 else 0), max(wy, 0.3 * side, 1.0 if side < 1e-6 else 0)
    cx, cy = (xlo + xhi) / 2, (ylo + yhi) / 2
    pad = 1.3
    return (cx - pad * wx2 / 2, cx + pad * wx2 / 2), (cy - pad * wy2 / 2, cy + pad * wy2 / 2), clipped


#: Width / height of the plotting area left for a contour plot beside its colour bar.
CONTOUR_ASPECT = 1.5


def _fill_box(xlim, ylim):
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


def _growing(steps: Sequence[Any]) -> bool:
    """The last steps are much longer than the first: the run is moving away, not settling."""
    if len(steps) < 4:
        return False
    pts = [tuple(num(v) for v in s.point) for s in steps]
    if not all(math.isfinite(v) for p in pts[-2:] + pts[:2] for v in p):
        return True
    first, last = math.dist(pts[0], pts[1]), math.dist(pts[-2], pts[-1])
    return last > 10 * first > 0


def _symlog_if_wide(ax, values: Sequence[float]) -> None:
    """A log axis when the values span many orders of magnitude (symmetric when they change sign).

    The linear band around zero is as wide as the values the run started with,
    so the early iterates read linearly and only the runaway is compressed.
    """
    vals = finite(values)
    sizes = [abs(v) for v in vals if v != 0]
    if not sizes or max(sizes) / min(sizes) <= 1e4:
        return
    if all(v > 0 for v in vals):
        ax.set_yscale("log")
        return
    start = next((abs(v) for v in vals if v != 0), 1.0)
    linthresh = 10 ** math.floor(math.log10(max(start, 1e-12)))
    decades = math.log10(max(sizes) / linthresh) if max(sizes) > linthresh else 1.0
    ax.set_yscale("symlog", linthresh=linthresh, linscale=max(1.0, decades / 8))
