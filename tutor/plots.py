"""Walkthrough data -> PNG pictures a learner can read without the text.

Only matplotlib's object API is used (a :class:`~matplotlib.figure.Figure`
drawn on its own Agg canvas, never pyplot's global figures), so plots can be
rendered from worker threads.  Nothing here computes the mathematics the
lesson teaches: iterates, values, slopes, minima and brackets come from the
engine's records; the only numbers made here are the samples of a curve or
a contour grid, which is drawing.

Pictures are byte-for-byte deterministic (fixed size and dpi, no software or
time stamp in the PNG), so exporting a lesson twice gives identical files.

Chinese labels need glyphs that matplotlib's DejaVu Sans lacks: the tutor
ships a subset of Noto Sans CJK SC (``assets/fonts``) and lists it after
DejaVu Sans, so Latin letters and maths come from DejaVu and hanzi fall back
to the CJK font.  Text that mixes Chinese with ``$maths$`` would go through
mathtext, which has no fallback, so words and formulas are kept in separate
text objects: words (either language) in the figure's title, formulas in
the axes title and legends.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor import notation
from tutor.optimisers import OPTIMISERS
from tutor.text import both, tr
from tutor.walkthrough.contract import (
    BatchPayload,
    ExplainPayload,
    FunctionPlot,
    IterationPayload,
    OutcomePayload,
    RunPayload,
    TrainingPayload,
)

#: Every figure is this size, in inches, at this resolution: 800 x 500 pixels.
FIGSIZE = (8.0, 5.0)
DPI = 100
#: The family matplotlib knows the bundled CJK font by.
CJK_FAMILY = "Descent Tutor CJK"
CJK_FILE = "DescentTutorCJK-Regular.otf"
#: Iterates further than this many "first step sizes" from the start are off the chart.
VIEW_LIMIT = 10.0
#: Samples along a curve, and per side of a contour grid.
CURVE_SAMPLES = 600
GRID_SAMPLES = 160

COLORS = {
    "curve": "#1f77b4",
    "path": "#d62728",
    "next": "#ff7f0e",
    "tangent": "#7f7f7f",
    "bracket": "#2ca02c",
    "minimum": "#2ca02c",
    "gradient": "#9467bd",
    "before": "#7f7f7f",
    "after": "#d62728",
    "batch": "#1f77b4",
    "stochastic": "#ff7f0e",
    "minibatch": "#2ca02c",
}

WORDS = {
    "descent": both("Gradient descent", "梯度下降"),
    "steps": both("{n} steps", "{n} 步"),
    "one_step": both("1 step", "1 步"),
    "step_k": both("Iteration k = {k}", "第 k = {k} 次迭代"),
    "stopped": both("stopped: {reason}", "停止：{reason}"),
    "diverged": both("diverged", "发散"),
    "growing": both("diverging: each step is longer than the last", "发散：每一步都比上一步更长"),
    "no_steps": both("No steps were taken: {reason}", "没有迭代：{reason}"),
    "iterates": both("iterates xₖ", "迭代点 xₖ"),
    "next": both("next iterate xₖ₊₁", "下一个迭代点 xₖ₊₁"),
    "tangent": both("tangent at x{k} (its slope is f′(x{k}))", "x{k} 处的切线（斜率为 f′(x{k})）"),
    "bracket": both("f′ changed sign: the minimum lies in here", "f′ 变号：最小值在此区间内"),
    "minimum": both("minimum", "最小值"),
    "start": both("start", "起点"),
    "path": both("descent path", "下降路径"),
    "gradient_arrows": both("gradient ∇f (uphill; we step the other way)", "梯度 ∇f（上坡方向，我们朝反方向走）"),
    "off_chart": both("later iterates lie off the chart", "之后的迭代点超出图的范围"),
    "move": both("step −η·f′(xₖ)", "步长 −η·f′(xₖ)"),
    "coordinates": both("Each coordinate against the iteration k", "每个坐标随迭代次数 k 的变化"),
    "value_by_k": both("f(xₖ) against the iteration k", "f(xₖ) 随迭代次数 k 的变化"),
    "iteration": both("iteration k", "迭代次数 k"),
    "function": both("The function", "函数图像"),
    "training": both("One training update: predict, loss, gradient, update", "一次训练更新：预测、损失、梯度、更新"),
    "data": both("data (x, y)", "数据 (x, y)"),
    "used": both("samples used in this update", "本次更新使用的样本"),
    "before": both("model before the update", "更新前的模型"),
    "after": both("model after the update", "更新后的模型"),
    "residual": both("error y₁ − y", "误差 y₁ − y"),
    "loss_curve": both("Loss against the update", "损失随更新次数的变化"),
    "loss": both("loss (mean squared error)", "损失函数（均方误差）"),
    "update": both("update", "更新次数"),
    "hand": both("after your update", "你手算的更新之后"),
    "start_loss": both("before any update", "更新之前"),
    "batch_title": both("Batch, stochastic and mini-batch gradient descent", "批量、随机与小批量梯度下降"),
    "fits": both("Fitted models after training", "训练后的模型"),
    "batch": both("batch gradient descent", "批量梯度下降"),
    "stochastic": both("stochastic gradient descent", "随机梯度下降"),
    "minibatch": both("mini-batch gradient descent (size {n})", "小批量梯度下降（每批 {n} 个）"),
    "optimizers": both("Optimizers on the same function", "同一函数上的不同优化器"),
}

REASONS = {
    "max_steps": both("ran the steps asked for", "达到设定的步数"),
    "zero_gradient": both("the gradient is exactly zero", "梯度恰好为零"),
    "sign_change": both("the derivative changed sign", "导数变号"),
    "tolerance": both("the gradient is within the tolerance", "梯度小于容差"),
    "diverged": both("diverged", "发散"),
    "growing": both("diverging: each step is longer than the last", "发散：每一步都比上一步更长"),
    "undefined": both("f is undefined there", "函数在该点无定义"),
    "not_differentiable": both("f is not differentiable there", "函数在该点不可导"),
    "exact_limit": both("the exact numbers grew too large", "精确数值变得过大"),
}


def word(key: str, lang: str, **values: Any) -> str:
    """A built-in label in the lesson's language ("1 step", not "1 steps")."""
    if key == "steps" and values.get("n") == 1:
        key = "one_step"
    return notation.word(WORDS, key, lang, **values)


def reason_words(reason: str, lang: str) -> str:
    return tr(REASONS.get(reason, both(reason, reason)), lang)


# --- one picture at a time ------------------------------------------------------------------

#: matplotlib's figures are independent, but its mathtext parser (pyparsing) and
#: text caches are shared and not thread-safe: two threads drawing formulas at
#: once can garble each other's glyphs.  Worker threads may call any plot
#: function; they take turns drawing (each picture takes a fraction of a second).
_render_lock = threading.RLock()


def _one_at_a_time(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _render_lock:
            return fn(*args, **kwargs)

    return wrapper


# --- fonts --------------------------------------------------------------------------------

_font_lock = threading.Lock()
_font_family: list[str] | None = None


def cjk_font_path() -> Path | None:
    """The bundled CJK font: the repository's ``assets/fonts``, else the copy in the package."""
    here = Path(__file__).resolve().parent
    for folder in (here.parent / "assets" / "fonts", here / "data" / "fonts"):
        candidate = folder / CJK_FILE
        if candidate.is_file():
            return candidate
    return None


def font_family() -> list[str]:
    """DejaVu Sans for Latin letters and maths, then the CJK font for hanzi (registered once)."""
    global _font_family
    with _font_lock:
        if _font_family is None:
            from matplotlib import font_manager

            family = ["DejaVu Sans"]
            path = cjk_font_path()
            if path is not None:
                font_manager.fontManager.addfont(str(path))
                family.append(CJK_FAMILY)
            _font_family = family
        return list(_font_family)


# --- numbers ------------------------------------------------------------------------------


def num(value: Any) -> float:
    """A float for drawing: exact values converted, anything without one is NaN."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return math.nan


def finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def latex(expr: Any) -> str:
    """``$...$`` for matplotlib's mathtext, or plain text when mathtext cannot draw it."""
    import sympy as sp

    try:
        body = sp.latex(expr)
    except Exception:  # a printer failure must not cost the picture
        return str(expr)
    if len(body) > 90:
        text = sp.sstr(expr)
        return text if len(text) <= 90 else text[:87] + "…"
    source = f"${body}$"
    return source if mathtext_ok(source) else sp.sstr(expr)


@functools.lru_cache(maxsize=512)
def mathtext_ok(source: str) -> bool:
    """Whether matplotlib's mathtext can draw this (it knows only part of LaTeX)."""
    from matplotlib.mathtext import MathTextParser

    with _render_lock:  # pyparsing is not thread-safe
        try:
            MathTextParser("path").parse(source)
        except Exception:
            return False
    return True


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


def _bound(value: Any) -> Any:
    """The learning-rate bound 2/L, from a LearningRateBound or a bare number."""
    return getattr(value, "bound", value)


# --- figures ------------------------------------------------------------------------------


def new_figure(ncols: int = 1, *, width_ratios: Sequence[float] | None = None):
    """A fresh Figure on its own Agg canvas (no pyplot, no shared state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, width_ratios=width_ratios) if ncols > 1 else fig.subplots()
    return fig, axes


def save(fig, path: Path | str) -> Path:
    """Write the PNG with fixed metadata, so the same picture gives the same bytes."""
    from matplotlib.text import Text

    family = font_family()
    for text in fig.findobj(Text):
        if text.get_text():
            text.set_fontfamily(family)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # one draw: the layout engine runs inside it (savefig would draw twice)
    fig.canvas.print_png(path, metadata={"Software": None})
    return path


def _suptitle(fig, *lines: str) -> None:
    fig.suptitle("\n".join(line for line in lines if line), fontsize=12)


def _legend(ax, **kwargs) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=8.5, framealpha=0.85, **kwargs)


def _message(ax, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        wrap=True,
        zorder=10,
        bbox=dict(boxstyle="round,pad=0.5", facecolor="white", edgecolor="#999999", alpha=0.95),
    )


def _label(ax, text: str, x: float, y: float, color: str, *, right: bool = True, up: bool = True) -> None:
    """A small label beside a point, outlined in white so it reads on any background."""
    from matplotlib import patheffects

    ax.annotate(
        text,
        (x, y),
        textcoords="offset points",
        xytext=(8 if right else -8, 7 if up else -13),
        ha="left" if right else "right",
        fontsize=10,
        color=color,
        zorder=9,
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
    )


def _subscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋"))


def _formula_title(f: Any, variables: Sequence[str], learning_rate: Any = None, bound: Any = None) -> str:
    """The axes title: f(x) = ..., η = ... (formulas only: no language-dependent words)."""
    import sympy as sp

    name = f"f({', '.join(variables)})"
    shown = latex(f)
    parts = [f"${name} = {shown[1:-1]}$" if shown.startswith("$") else f"{name} = {shown}"]
    if learning_rate is not None:
        lr = latex(sp.nsimplify(learning_rate) if isinstance(learning_rate, sp.Basic) else learning_rate)
        parts.append(f"$\\eta = {lr[1:-1]}$" if lr.startswith("$") else f"η = {lr}")
    b = _bound(bound)
    if b is not None and not isinstance(b, (Mapping, tuple, list)):
        if isinstance(b, (int, sp.Rational)) and len(sp.latex(b)) <= 30:
            shown_b = latex(b)
            if shown_b.startswith("$"):
                parts.append(f"$\\frac{{2}}{{L}} = {shown_b[1:-1]}$")
        elif math.isfinite(num(b)):  # an algebraic bound (a root of a cubic): its value is what a learner can use
            parts.append(f"$\\frac{{2}}{{L}} \\approx {num(b):.4g}$")
    return ",   ".join(parts)


# --- one variable -------------------------------------------------------------------------


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


def _draw_curve(ax, fn, lo: float, hi: float, f: Any, variables: Sequence[str]):
    import numpy as np

    xs = np.linspace(lo, hi, CURVE_SAMPLES)
    ys = fn(xs)
    label = _formula_title(f, variables)
    ax.plot(xs, ys, color=COLORS["curve"], lw=2, label=label, zorder=2)
    ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
    ax.set_xlabel(variables[0])
    ax.set_ylabel(f"f({variables[0]})")
    ax.grid(True, alpha=0.3)
    return xs, ys


def _mark_minima(ax, fn, minima: Sequence[tuple[float, ...]], lo: float, hi: float, lang: str) -> list[float]:
    import numpy as np

    ys = []
    first = True
    for (m,) in minima:
        if lo <= m <= hi:
            y = float(fn(np.array([m]))[0])
            if math.isfinite(y):
                ax.plot(
                    [m],
                    [y],
                    marker="*",
                    ms=16,
                    color=COLORS["minimum"],
                    mec="black",
                    mew=0.6,
                    zorder=6,
                    ls="none",
                    label=word("minimum", lang) if first else None,
                )
                ax.annotate(
                    f"{word('minimum', lang)} {m:.4g}",
                    (m, y),
                    textcoords="offset points",
                    xytext=(0, -18),
                    ha="center",
                    fontsize=8.5,
                    color="#1a5e1a",
                )
                ys.append(y)
                first = False
    return ys


def _one_variable(ax, f, variables, steps, lang, *, current=None, next_point=None, bracket=None, minima=()) -> bool:
    """The curve, the iterates joined by arrows, the tangent at x_k, the bracket, the minima.

    ``steps`` are the engine's iterates (k, point, value, gradient); ``current``
    is the index whose tangent is drawn.  Returns True when some iterates were
    too far away to show.
    """
    xs_all = [num(s.point[0]) for s in steps]
    values = [num(s.value) for s in steps]
    anchors = [m[0] for m in minima]
    if bracket:
        anchors += list(bracket)
    lo, hi, shown = _view(xs_all + ([next_point] if next_point is not None else []), anchors)
    fn = numeric(f, variables)
    _, curve = _draw_curve(ax, fn, lo, hi, f, variables)

    xs, ys = xs_all[:shown], values[:shown]
    marks = list(ys)
    # the iterates, joined by arrows in the order they were visited
    if xs:
        ax.plot(xs, ys, "o", color=COLORS["path"], ms=7, mec="black", mew=0.6, zorder=5, label=word("iterates", lang))
        for i in range(len(xs) - 1):
            if all(map(math.isfinite, (xs[i], ys[i], xs[i + 1], ys[i + 1]))):
                ax.annotate(
                    "",
                    xy=(xs[i + 1], ys[i + 1]),
                    xytext=(xs[i], ys[i]),
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["path"], lw=1.4, shrinkA=5, shrinkB=5),
                    zorder=4,
                )
        labelled = set(range(len(xs))) if len(xs) <= 6 else {0, 1, len(xs) - 1}
        middle, near = (lo + hi) / 2, 0.06 * (hi - lo)
        placed: list[tuple[float, bool]] = []
        for i in sorted(labelled):
            if math.isfinite(ys[i]):
                # above the point, unless a label above a point close by is already there
                up = not any(abs(xs[i] - x) < near and was_up for x, was_up in placed)
                _label(ax, f"$x_{{{steps[i].k}}}$", xs[i], ys[i], COLORS["path"], right=xs[i] >= middle, up=up)
                placed.append((xs[i], up))
        ax.plot(xs, [0] * len(xs), "|", color=COLORS["path"], ms=10, zorder=3)
    # the tangent at the current iterate: its slope is the derivative
    if current is not None and current < len(xs):
        xk, yk, slope = xs[current], ys[current], num(steps[current].gradient[0])
        if all(map(math.isfinite, (xk, yk, slope))):
            half = 0.22 * (hi - lo)
            ax.plot(
                [xk - half, xk + half],
                [yk - slope * half, yk + slope * half],
                "--",
                color=COLORS["tangent"],
                lw=1.5,
                zorder=3,
                label=word("tangent", lang, k=_subscript(steps[current].k)),
            )
    # the next iterate, and the step along the x-axis that reaches it
    if next_point is not None and math.isfinite(next_point) and current is not None and current < len(xs):
        import numpy as np

        y_next = float(fn(np.array([next_point]))[0])
        if math.isfinite(y_next) and lo <= next_point <= hi:
            ax.plot(
                [next_point],
                [y_next],
                "o",
                color=COLORS["next"],
                ms=8,
                mec="black",
                mew=0.6,
                zorder=6,
                label=word("next", lang),
            )
            ax.annotate(
                "",
                xy=(next_point, y_next),
                xytext=(xs[current], ys[current]),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=1.8, shrinkA=5, shrinkB=5),
                zorder=4,
            )
            _label(
                ax,
                f"$x_{{{steps[current].k + 1}}}$",
                next_point,
                y_next,
                COLORS["next"],
                right=next_point >= (lo + hi) / 2,
            )
            marks.append(y_next)
        ax.annotate(
            "",
            xy=(next_point, 0),
            xytext=(xs[current], 0),
            arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=2.2),
            zorder=4,
        )
        ax.annotate(
            word("move", lang),
            ((next_point + xs[current]) / 2, 0),
            textcoords="offset points",
            xytext=(0, -14),
            ha="center",
            fontsize=8.5,
            color="#a04a00",
        )
    # the sign change: the minimum lies between the last two points
    if bracket and all(map(math.isfinite, bracket)):
        a, b = sorted(bracket)
        ax.axvspan(a, b, color=COLORS["bracket"], alpha=0.15, zorder=1, label=word("bracket", lang))
    marks += _mark_minima(ax, fn, minima, lo, hi, lang)
    ylim = _ylimits(curve, marks)
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_xlim(lo, hi)
    return shown < len(xs_all)


def _bracket_of(steps: Sequence[Any], upto: int | None = None) -> tuple[float, float] | None:
    """Where the first sign change happened: between the iterate before it and it."""
    last = len(steps) if upto is None else min(upto + 1, len(steps))
    for i in range(1, last):
        if steps[i].sign_change:
            return num(steps[i - 1].point[0]), num(steps[i].point[0])
    return None


# --- two variables ------------------------------------------------------------------------


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


def _contours(ax, fig, f, variables, xlim, ylim):
    """Filled contours of f with quantile levels: dense near the minimum, where paths end.

    Returns the limits actually shown (widened to keep equal scales).
    """
    import numpy as np

    xlim, ylim, equal = _fill_box(xlim, ylim)
    fn = numeric(f, variables)
    mx, my = 0.1 * (xlim[1] - xlim[0]), 0.1 * (ylim[1] - ylim[0])
    gx = np.linspace(xlim[0] - mx, xlim[1] + mx, GRID_SAMPLES)
    gy = np.linspace(ylim[0] - my, ylim[1] + my, GRID_SAMPLES)
    X, Y = np.meshgrid(gx, gy)
    Z = fn(X, Y)
    inside = (xlim[0] <= X) & (xlim[1] >= X) & (ylim[0] <= Y) & (ylim[1] >= Y)
    values = Z[np.isfinite(Z) & inside]
    if values.size > 1 and values.max() > values.min():
        levels = np.unique(np.quantile(values, np.linspace(0, 1, 22)))
        if levels.size >= 3:
            filled = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.75, zorder=0, extend="max")
            ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.5, alpha=0.6, zorder=1)
            bar = fig.colorbar(filled, ax=ax, shrink=0.9)
            bar.set_label(f"f({', '.join(variables)})")
            bar.ax.tick_params(labelsize=8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(variables[0])
    ax.set_ylabel(variables[1])
    if equal:
        ax.set_aspect("equal", adjustable="box")
    return xlim, ylim


def _path_2d(ax, steps, color: str, label: str, *, marker_size: float = 6) -> list[tuple[float, float]]:
    pts = [(num(s.point[0]), num(s.point[1])) for s in steps]
    good = [p for p in pts if all(map(math.isfinite, p))]
    if not good:
        return pts
    ax.plot(
        [p[0] for p in good],
        [p[1] for p in good],
        "-o",
        color=color,
        ms=marker_size,
        mec="black",
        mew=0.5,
        lw=1.6,
        zorder=4,
        label=label,
    )
    ax.plot([good[0][0]], [good[0][1]], "s", color=color, ms=marker_size + 3, mec="black", mew=0.8, zorder=5)
    return pts


def _gradient_arrows(ax, steps, xlim, ylim, lang: str) -> None:
    """∇f at each iterate, drawn at one length so the direction reads clearly."""
    import numpy as np

    chosen = list(steps)
    if len(chosen) > 15:
        chosen = chosen[:: max(1, len(chosen) // 15)]
    pts, dirs = [], []
    for s in chosen:
        p = (num(s.point[0]), num(s.point[1]))
        g = (num(s.gradient[0]), num(s.gradient[1]))
        n = math.hypot(*g)
        if all(map(math.isfinite, (*p, *g))) and n > 0 and xlim[0] <= p[0] <= xlim[1] and ylim[0] <= p[1] <= ylim[1]:
            pts.append(p)
            dirs.append((g[0] / n, g[1] / n))
    if not pts:
        return
    length = 0.08 * min(xlim[1] - xlim[0], ylim[1] - ylim[0])
    P, D = np.array(pts), np.array(dirs) * length
    ax.quiver(
        P[:, 0],
        P[:, 1],
        D[:, 0],
        D[:, 1],
        angles="xy",
        scale_units="xy",
        scale=1,
        color=COLORS["gradient"],
        width=0.005,
        zorder=6,
        label=word("gradient_arrows", lang),
    )


def _two_variables(fig, ax, f, variables, steps, lang, *, next_point=None, minima=()) -> bool:
    """Contours, the path so far with ∇f arrows, the next iterate and the minima."""
    shown_steps = steps
    pts = [(num(s.point[0]), num(s.point[1])) for s in shown_steps]
    extra = [next_point] if next_point is not None else []
    xlim, ylim, clipped = _view_2d([pts + extra], list(minima))
    xlim, ylim = _contours(ax, fig, f, variables, xlim, ylim)
    _path_2d(ax, shown_steps, COLORS["path"], word("path", lang))
    _gradient_arrows(ax, shown_steps, xlim, ylim, lang)
    if next_point is not None and pts and all(map(math.isfinite, (*next_point, *pts[-1]))):
        ax.annotate(
            "", xy=next_point, xytext=pts[-1], arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=2.2), zorder=6
        )
        ax.plot(
            [next_point[0]],
            [next_point[1]],
            "o",
            color=COLORS["next"],
            ms=8,
            mec="black",
            mew=0.6,
            zorder=7,
            label=word("next", lang),
        )
    for i, s in enumerate(shown_steps[:4]):
        p = pts[i]
        if all(map(math.isfinite, p)):
            _label(ax, f"$x_{{{s.k}}}$", p[0], p[1], "black")
    _minima_2d(ax, minima, lang)
    return clipped


def _minima_2d(ax, minima, lang):
    first = True
    for m in minima:
        if len(m) == 2:
            ax.plot(
                [m[0]],
                [m[1]],
                "*",
                ms=18,
                color=COLORS["minimum"],
                mec="black",
                mew=0.8,
                zorder=9,
                ls="none",
                label=word("minimum", lang) if first else None,
            )
            first = False


# --- three or more variables ---------------------------------------------------------------


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


def _many_variables(axes, f, variables, steps, lang, next_point=None) -> None:
    """Left: each coordinate against k; right: f against k.  The next iterate, if given, dashed."""
    from matplotlib.ticker import MaxNLocator

    left, right = axes
    ks = [s.k for s in steps]
    for i, name in enumerate(variables):
        values = [num(s.point[i]) for s in steps]
        (line,) = left.plot(ks, values, "-o", ms=4, label=name)
        if next_point is not None and ks:
            left.plot(
                [ks[-1], ks[-1] + 1], [values[-1], next_point[i]], "--o", ms=4, color=line.get_color(), mfc="white"
            )
    if next_point is not None and ks:
        left.plot([], [], "--o", ms=4, color="#555555", mfc="white", label=word("next", lang))
    left.set_title(word("coordinates", lang), fontsize=10)
    values = [num(s.point[i]) for s in steps for i in range(len(variables))]
    _symlog_if_wide(left, values + list(next_point or ()))
    _legend(left)
    values = [num(s.value) for s in steps]
    right.plot(ks, values, "-o", ms=4, color=COLORS["path"], label=f"$f({', '.join(variables)})$")
    right.set_title(word("value_by_k", lang), fontsize=10)
    _symlog_if_wide(right, values)
    _legend(right)
    for ax in (left, right):
        ax.set_xlabel(word("iteration", lang))
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# --- descent: a run, or one iteration of it ---------------------------------------------------


def _growing(steps: Sequence[Any]) -> bool:
    """The last steps are much longer than the first: the run is moving away, not settling."""
    if len(steps) < 4:
        return False
    pts = [tuple(num(v) for v in s.point) for s in steps]
    if not all(math.isfinite(v) for p in pts[-2:] + pts[:2] for v in p):
        return True
    first, last = math.dist(pts[0], pts[1]), math.dist(pts[-2], pts[-1])
    return last > 10 * first > 0


def _optimizer_words(name: str, lang: str) -> str:
    return tr(OPTIMISERS[name].label, lang) if name in OPTIMISERS else name


def _optimizer_colour(name: str, fallback: str) -> str:
    return OPTIMISERS[name].colour if name in OPTIMISERS else fallback


def _run_words(run, lang: str, clipped: bool) -> list[str]:
    """The figure title: which optimiser, how many steps, why it stopped (diverged said plainly)."""
    reason = run.stop.reason
    steps = word("steps", lang, n=max(len(run.steps) - 1, 0))
    if reason != "diverged" and _growing(run.steps):
        status = f"{steps}{'，' if lang == 'zh' else ', '}{word('stopped', lang, reason=reason_words(reason, lang))}"
        colon = "：" if lang == "zh" else ": "
        lines = [
            f"{_optimizer_words(run.optimizer, lang)}{colon}{status}",
            word("growing", lang).upper() if lang == "en" else word("growing", lang),
        ]
        if clipped:
            lines[-1] += " — " + word("off_chart", lang) if lang == "en" else "，" + word("off_chart", lang)
        return lines
    if reason == "diverged":
        status = f"{word('diverged', lang).upper() if lang == 'en' else word('diverged', lang)} ({steps})"
    else:
        status = f"{steps}{'，' if lang == 'zh' else ', '}{word('stopped', lang, reason=reason_words(reason, lang))}"
    colon = "：" if lang == "zh" else ": "
    lines = [f"{_optimizer_words(run.optimizer, lang)}{colon}{status}"]
    if clipped:
        lines.append(word("off_chart", lang))
    return lines


def _draw_descent(
    f, variables, run, path, lang, *, upto=None, next_point=None, bracket=None, minima=(), bound=None
) -> Path:
    """A run (``upto`` None) or iteration ``upto`` of it, with the next iterate; by the number of variables."""
    variables = tuple(variables)
    steps = list(run.steps) if upto is None else list(run.steps[: upto + 1])
    n = len(variables)
    exact_next = _raw_point(next_point, variables)
    next_point = _point(exact_next, variables) if exact_next is not None else None
    if n >= 3:
        fig, axes = new_figure(2)
        if steps:
            _many_variables(axes, f, variables, steps, lang, next_point if upto is not None else None)
        else:
            for ax in axes:
                ax.set_axis_off()
            _message(axes[0], word("no_steps", lang, reason=reason_words(run.stop.reason, lang)))
        _suptitle(fig, *_titles(run, lang, False, upto))
        fig.supxlabel(_formula_title(f, variables, run.learning_rate, bound), fontsize=10)
        return save(fig, path)
    fig, ax = new_figure()
    if n == 1:
        if bracket is None:
            bracket = _bracket_of(run.steps, upto)
        clipped = _one_variable(
            ax,
            f,
            variables,
            steps,
            lang,
            current=(len(steps) - 1 if upto is not None else 0),
            next_point=None if next_point is None else next_point[0],
            bracket=bracket,
            minima=minima,
        )
    else:
        clipped = _two_variables(fig, ax, f, variables, steps, lang, next_point=next_point, minima=minima)
    if not steps:
        _message(ax, word("no_steps", lang, reason=reason_words(run.stop.reason, lang)))
    _suptitle(fig, *_titles(run, lang, clipped, upto))
    title = _formula_title(f, variables, run.learning_rate, bound)
    if upto is not None and steps and next_point is not None and run.optimizer == "gd":
        update = _update_line(steps[-1], exact_next, run.learning_rate, variables)
        if update:
            title += "\n" + update
    ax.set_title(title, fontsize=10)
    _legend(ax, loc="best")
    return save(fig, path)


def _tex_number(value: Any) -> str:
    return notation.tex(value, mathtext=True)


def _factor(value: Any) -> str:
    return notation.tex_factor(value, mathtext=True)


def _update_line(step: Any, next_point: Sequence[Any], learning_rate: Any, variables: Sequence[str]) -> str:
    """x_{k+1} = x_k - η f'(x_k) = ... written out with the engine's exact numbers (mathtext)."""
    import sympy as sp

    k = step.k
    if len(variables) == 1:
        v = sp.latex(sp.Symbol(variables[0]))
        lhs = f"{v}_{{{k + 1}}} = {v}_{{{k}}} - \\eta f'({v}_{{{k}}})"
        values = (step.point[0], step.gradient[0], next_point[0])
    else:
        lhs = f"\\mathbf{{x}}_{{{k + 1}}} = \\mathbf{{x}}_{{{k}}} - \\eta \\nabla f(\\mathbf{{x}}_{{{k}}})"
        values = (tuple(step.point), tuple(step.gradient), tuple(next_point))
    try:
        point, slope, nxt = _tex_number(values[0]), _factor(values[1]), _tex_number(values[2])
        text = f"${lhs} = {point} - {_factor(learning_rate)} \\cdot {slope} = {nxt}$"
    except Exception:  # a value the printer cannot show: leave the line out, not the picture
        return ""
    if len(text) > 200 or not mathtext_ok(text):
        return ""
    return text


def _titles(run, lang: str, clipped: bool, upto: int | None) -> list[str]:
    if upto is None:
        return _run_words(run, lang, clipped)
    lines = [f"{word('descent', lang)} — {word('step_k', lang, k=upto)}"]
    if clipped:
        lines.append(word("off_chart", lang))
    return lines


def plot_run(
    f: Any, run: Any, path: Path | str, lang: str = "en", *, minima: Sequence[Any] = (), bound: Any = None
) -> Path:
    """The whole run: where it went, and why it stopped (used by ``tutor descend --plot``).

    ``minima`` are the engine's stationary points, found by the caller (plots solve nothing).
    """
    variables = tuple(run.variables)
    with _render_lock:
        return _draw_descent(f, variables, run, path, lang, minima=_minima(minima, variables), bound=bound)


@_one_at_a_time
def plot_optimizers(
    f: Any, variables: Sequence[str], runs: Mapping[str, Any], path: Path | str, lang: str = "en"
) -> Path:
    """Plain descent against momentum (or Adam) on the same picture: who zig-zags, who glides."""
    variables = tuple(variables)
    names = list(runs)
    n = len(variables)

    def label(name: str, run) -> str:
        key = getattr(run, "optimizer", name)
        base = _optimizer_words(key, lang) if key in OPTIMISERS else name
        status = (
            word("diverged", lang)
            if run.stop.reason == "diverged"
            else word("steps", lang, n=max(len(run.steps) - 1, 0))
        )
        return f"{base} ({status})"

    if n == 2:
        fig, ax = new_figure()
        paths = [[(num(s.point[0]), num(s.point[1])) for s in runs[k].steps] for k in names]
        xlim, ylim, clipped = _view_2d(paths, [])
        xlim, ylim = _contours(ax, fig, f, variables, xlim, ylim)
        for i, key in enumerate(names):
            run = runs[key]
            color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}")
            _path_2d(ax, run.steps, color, label(key, run), marker_size=4.5)
        ax.set_title(_formula_title(f, variables), fontsize=10)
        _legend(ax, loc="best")
    elif n == 1:
        fig, (ax, right) = new_figure(2, width_ratios=(3, 2))
        import numpy as np

        xs_all = [num(s.point[0]) for k in names for s in runs[k].steps[:1]]
        pts = [[num(s.point[0]) for s in runs[k].steps] for k in names]
        lo, hi, _ = _view(pts[0] if pts else [], [x for p in pts[1:] for x in p[:3]] + xs_all)
        fn = numeric(f, variables)
        _, curve = _draw_curve(ax, fn, lo, hi, f, variables)
        marks = []
        for i, key in enumerate(names):
            run = runs[key]
            color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}")
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
        _values_by_k(right, names, runs, lang)
    else:
        fig, ax = new_figure()
        _values_by_k(ax, names, runs, lang, with_labels=True, label=label)
        ax.set_title(_formula_title(f, variables), fontsize=10)
    _suptitle(fig, word("optimizers", lang))
    return save(fig, path)


def _values_by_k(ax, names, runs, lang, *, with_labels=False, label=None) -> None:
    values = []
    for i, key in enumerate(names):
        run = runs[key]
        color = _optimizer_colour(getattr(run, "optimizer", key), f"C{i}")
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
    return save(fig, path)


# --- training -------------------------------------------------------------------------------


def _params(value: Any, names: Sequence[str]) -> tuple[float, ...]:
    if isinstance(value, Mapping):
        return tuple(num(value.get(n)) for n in names)
    if isinstance(value, (tuple, list)):
        return tuple(num(v) for v in value)
    return (num(value),)


def _losses(history: Any) -> list[float]:
    """Losses from a list of numbers, of mappings with "loss", or of records with ``.loss``."""
    if history is None:
        return []
    losses = getattr(history, "losses", None)
    if losses is not None:
        return [num(v) for v in losses]
    out = []
    for item in history:
        if isinstance(item, Mapping):
            out.append(num(item.get("loss")))
        elif hasattr(item, "loss"):
            out.append(num(item.loss))
        else:
            out.append(num(item))
    return out


def _model_fn(model: Any, input_name: str, parameters: Sequence[str]):
    expr = getattr(model, "expr", model)
    return numeric(expr, (input_name, *parameters))


def _model_curve(ax, fn, params, lo, hi, **style):
    import numpy as np

    xs = np.linspace(lo, hi, 200)
    ys = fn(xs, *[np.full_like(xs, p) for p in params])
    ax.plot(xs, ys, **style)


def _data_box(xs: Sequence[float]) -> tuple[float, float]:
    xs = finite(xs)
    if not xs:
        return -1.0, 1.0
    lo, hi = min(xs), max(xs)
    pad = 0.12 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def _data_ylim(ax, ys: Sequence[float]) -> None:
    ys = finite(ys)
    if ys:
        lo, hi = min(ys), max(ys)
        pad = 0.35 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)


def _loss_axes(ax, lang: str) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(word("update", lang))
    ax.set_ylabel(word("loss", lang))
    ax.grid(True, alpha=0.3)


@_one_at_a_time
def plot_training(data: TrainingPayload, path: Path | str, lang: str = "en") -> Path:
    """Left: the data, the model before and after the update.  Right: the loss against the update."""

    parameters = tuple(data.parameters)
    input_name = data.input or "x"
    xs = [num(v) for v in data.xs]
    ys = [num(v) for v in data.ys]
    before = _params(data.params, parameters)
    after = _params(data.next_params, parameters) if data.next_params is not None else None
    samples = data.samples
    used = list(range(len(xs))) if samples is None else [i for i in samples if 0 <= i < len(xs)]
    predictions = [num(v) for v in data.predictions]
    fn = _model_fn(data.model, input_name, parameters)

    fig, (left, right) = new_figure(2, width_ratios=(3, 2))
    lo, hi = _data_box(xs)
    left.plot(xs, ys, "o", color="#444444", ms=7, label=word("data", lang), zorder=4)
    if samples is not None and len(used) < len(xs):
        left.plot(
            [xs[i] for i in used],
            [ys[i] for i in used],
            "o",
            mfc="none",
            mec=COLORS["path"],
            ms=13,
            mew=1.8,
            label=word("used", lang),
            zorder=5,
        )
    _model_curve(
        left, fn, before, lo, hi, color=COLORS["before"], ls="--", lw=1.8, label=word("before", lang), zorder=3
    )
    # the errors the loss squares: from each prediction y1 to its target y
    pairs = [(xs[i], predictions[j] if j < len(predictions) else None, ys[i]) for j, i in enumerate(used)]
    first = True
    for x, y1, y in pairs:
        if y1 is None or not all(map(math.isfinite, (x, y1, y))):
            continue
        left.plot(
            [x, x],
            [y1, y],
            color=COLORS["path"],
            lw=1.2,
            alpha=0.7,
            zorder=2,
            label=word("residual", lang) if first else None,
        )
        first = False
    if after is not None:
        _model_curve(left, fn, after, lo, hi, color=COLORS["after"], lw=2.2, label=word("after", lang), zorder=3)
    left.set_xlim(lo, hi)
    _data_ylim(left, ys + [p for p in predictions if math.isfinite(p)])
    left.set_xlabel(input_name)
    left.set_ylabel("y")
    left.grid(True, alpha=0.3)
    left.set_title(_model_title(data, before, after, parameters), fontsize=9)
    _legend(left, loc="best")

    history = data.history
    losses = _losses(history)
    # the engine's run either starts before the hand update or right after it
    first = getattr(history, "params", None) or [None]
    starts_after = after is not None and first[0] is not None and _params(first[0], parameters) == after
    if losses:
        ks = list(range(1, len(losses) + 1)) if starts_after else list(range(len(losses)))
        right.plot(ks, losses, "-o", ms=3.5, color=COLORS["path"], lw=1.6)
        if not starts_after:
            right.plot(
                [0],
                [losses[0]],
                "o",
                ms=8,
                color=COLORS["before"],
                mec="black",
                label=word("start_loss", lang),
                zorder=5,
            )
        if len(losses) > (0 if starts_after else 1):
            i = 0 if starts_after else 1
            right.plot(
                [ks[i]], [losses[i]], "o", ms=8, color=COLORS["next"], mec="black", label=word("hand", lang), zorder=5
            )
        _symlog_if_wide(right, losses)
        if min(finite(losses) or [0]) >= 0 and right.get_yscale() == "linear":
            right.set_ylim(bottom=0)
        _legend(right)
    _loss_axes(right, lang)
    right.set_title(word("loss_curve", lang), fontsize=10)
    _suptitle(fig, word("training", lang))
    return save(fig, path)


def _model_title(data, before, after, parameters) -> str:
    expr = data.model
    shown = latex(expr)
    text = f"$y_1 = {shown[1:-1]}$" if shown.startswith("$") else f"y₁ = {shown}"

    def fmt(values):
        return ", ".join(f"{p} = {v:.4g}" for p, v in zip(parameters, values))

    parts = [text, fmt(before)]
    if after is not None:
        parts.append("→ " + fmt(after))
    return "   ".join(parts)


def _kind(name: str) -> str:
    key = name.lower().replace("-", "").replace("_", "").replace(" ", "")
    return {"minibatch": "minibatch", "batch": "batch", "stochastic": "stochastic", "sgd": "stochastic"}.get(key, key)


@_one_at_a_time
def plot_batch(data: BatchPayload, path: Path | str, lang: str = "en") -> Path | None:
    """Batch, stochastic and mini-batch: loss against the update on one axes, and their fitted models."""
    runs = data.runs or {}
    if not runs:
        return None
    parameters = tuple(data.parameters)
    input_name = data.input or "x"
    xs = [num(v) for v in data.xs]
    ys = [num(v) for v in data.ys]
    size = data.batch_size
    fig, (left, right) = new_figure(2, width_ratios=(3, 2))
    all_losses = []
    for name, run in runs.items():
        kind = _kind(getattr(run, "kind", name) or name)
        losses = _losses(run)
        label = (
            word("minibatch", lang, n=size) if kind == "minibatch" else (word(kind, lang) if kind in WORDS else name)
        )
        color = COLORS.get(kind)
        left.plot(
            range(len(losses)),
            losses,
            "-o" if len(losses) <= 30 else "-",
            ms=3.5,
            lw=1.8,
            color=color,
            label=f"{label} · {word('steps', lang, n=max(len(losses) - 1, 0))}",
        )
        all_losses += losses
    _loss_axes(left, lang)
    _symlog_if_wide(left, all_losses)
    left.set_title(word("loss_curve", lang), fontsize=10)
    _legend(left, loc="upper right")

    if data.model is not None and xs:
        fn = _model_fn(data.model, input_name, parameters)
        lo, hi = _data_box(xs)
        right.plot(xs, ys, "o", color="#444444", ms=6, label=word("data", lang), zorder=4)
        for name, run in runs.items():
            kind = _kind(getattr(run, "kind", name) or name)
            final = getattr(run, "params", None)
            if isinstance(final, (list, tuple)) and final and isinstance(final[-1], (Mapping, tuple, list)):
                final = final[-1]
            if final is None:
                continue
            label = (
                word("minibatch", lang, n=size)
                if kind == "minibatch"
                else (word(kind, lang) if kind in WORDS else name)
            )
            _model_curve(right, fn, _params(final, parameters), lo, hi, color=COLORS.get(kind), lw=1.8, label=label)
        right.set_xlim(lo, hi)
        _data_ylim(right, ys)
        right.set_xlabel(input_name)
        right.set_ylabel("y")
        right.grid(True, alpha=0.3)
        right.set_title(word("fits", lang), fontsize=10)
        _legend(right, loc="upper left")
    else:
        right.set_axis_off()
    _suptitle(fig, word("batch_title", lang))
    return save(fig, path)


# --- a walkthrough step ------------------------------------------------------------------------


@_one_at_a_time
def plot_step(step: Any, path: Path | str, lang: str = "en") -> Path | None:
    """The picture for one walkthrough step, or None when the step has nothing to draw."""
    match step.payload:
        case ExplainPayload(plot=FunctionPlot() as p):
            return plot_function(p.function, p.variables, path, lang, x_range=p.x_range, minima=p.minima)
        case IterationPayload() as p if p.run.steps:
            variables = p.variables or tuple(p.run.variables)
            index = next((i for i, s in enumerate(p.run.steps) if s.k == p.k), min(p.k, len(p.run.steps) - 1))
            bracket = p.bracket  # the engine's (x_{k-1}, x_k) when f' changed sign at k
            if bracket is not None and len(variables) == 1:
                bracket = tuple(_point(b, variables)[0] for b in bracket)
            return _draw_descent(
                p.function,
                variables,
                p.run,
                path,
                lang,
                upto=index,
                next_point=p.next,
                bracket=bracket,
                minima=_minima(p.minima, variables),
                bound=p.bound,
            )
        case RunPayload(compare=compare) as p if compare:
            return plot_optimizers(p.function, p.variables or tuple(p.run.variables), compare, path, lang)
        case IterationPayload() | RunPayload() | OutcomePayload() as p:
            variables = p.variables or tuple(p.run.variables)
            return _draw_descent(
                p.function, variables, p.run, path, lang, minima=_minima(p.minima, variables), bound=p.bound
            )
        case TrainingPayload() as p if p.model is not None and p.xs:
            return plot_training(p, path, lang)
        case BatchPayload() as p:
            return plot_batch(p, path, lang)
    return None
