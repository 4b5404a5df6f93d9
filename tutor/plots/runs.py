"""A descent run, or one iteration of it: the curve (one variable), contours (two) or values by k (more)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor.plots import style
from tutor.plots.geometry import (
    _bracket_of,
    _fill_box,
    _growing,
    _minima,
    _point,
    _raw_point,
    _symlog_if_wide,
    _view,
    _view_2d,
    _ylimits,
    numeric,
)
from tutor.plots.style import (
    COLORS,
    CURVE_SAMPLES,
    GRID_SAMPLES,
    _formula_title,
    _label,
    _legend,
    _message,
    _render_lock,
    _subscript,
    _suptitle,
    new_figure,
    num,
    reason_words,
    word,
)
from tutor.text import tr
from tutor.walkthrough.contract import OptimiserWords


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
                # its value at the foot of a dotted line down to the x-axis, away from the iterates' labels
                ax.axvline(m, color=COLORS["minimum"], lw=0.9, ls=":", zorder=1)
                ax.annotate(
                    f"{word('minimum', lang)} {m:.4g}",
                    (m, 0),
                    xycoords=("data", "axes fraction"),
                    textcoords="offset points",
                    xytext=(3, 3) if m <= (lo + hi) / 2 else (-3, 3),
                    ha="left" if m <= (lo + hi) / 2 else "right",
                    va="bottom",
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


def _optimizer_words(name: str, lang: str, optimisers: Mapping[str, OptimiserWords]) -> str:
    """The optimiser's name as a title (from the walkthrough's words; its key when none were given)."""
    words = optimisers.get(name)
    return tr(words.label, lang) if words is not None else name


def _optimizer_colour(name: str, fallback: str, optimisers: Mapping[str, OptimiserWords]) -> str:
    words = optimisers.get(name)
    return words.colour if words is not None else fallback


def _run_words(run, lang: str, clipped: bool, optimisers: Mapping[str, OptimiserWords]) -> list[str]:
    """The figure title: which optimiser, how many steps, why it stopped (diverged said plainly)."""
    reason = run.stop.reason
    steps = word("steps", lang, n=max(len(run.steps) - 1, 0))
    if reason != "diverged" and _growing(run.steps):
        status = f"{steps}{'，' if lang == 'zh' else ', '}{word('stopped', lang, reason=reason_words(reason, lang))}"
        colon = "：" if lang == "zh" else ": "
        lines = [
            f"{_optimizer_words(run.optimizer, lang, optimisers)}{colon}{status}",
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
    lines = [f"{_optimizer_words(run.optimizer, lang, optimisers)}{colon}{status}"]
    if clipped:
        lines.append(word("off_chart", lang))
    return lines


def _draw_descent(
    f,
    variables,
    run,
    path,
    lang,
    *,
    upto=None,
    next_point=None,
    bracket=None,
    minima=(),
    bound=None,
    update="",
    optimisers: Mapping[str, OptimiserWords] | None = None,
) -> Path:
    """A run (``upto`` None) or iteration ``upto`` of it, with the next iterate; by the number of variables.

    ``update``: the walkthrough's written-out update (mathtext), shown under the formula;
    ``optimisers``: the words of the run's optimiser, by key.
    """
    optimisers = optimisers or {}
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
        _suptitle(fig, *_titles(run, lang, False, upto, optimisers))
        fig.supxlabel(_formula_title(f, variables, run.learning_rate, bound), fontsize=10)
        return style.save(fig, path)
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
    _suptitle(fig, *_titles(run, lang, clipped, upto, optimisers))
    title = _formula_title(f, variables, run.learning_rate, bound)
    if upto is not None and steps and next_point is not None and update:
        title += "\n" + update
    ax.set_title(title, fontsize=10)
    _legend(ax, loc="best")
    return style.save(fig, path)


def _titles(run, lang: str, clipped: bool, upto: int | None, optimisers: Mapping[str, OptimiserWords]) -> list[str]:
    if upto is None:
        return _run_words(run, lang, clipped, optimisers)
    lines = [f"{word('descent', lang)} — {word('step_k', lang, k=upto)}"]
    if clipped:
        lines.append(word("off_chart", lang))
    return lines


def plot_run(
    f: Any,
    run: Any,
    path: Path | str,
    lang: str = "en",
    *,
    minima: Sequence[Any] = (),
    bound: Any = None,
    optimisers: Mapping[str, OptimiserWords] | None = None,
) -> Path:
    """The whole run: where it went, and why it stopped (used by ``tutor descend --plot``).

    ``minima`` are the engine's stationary points and ``optimisers`` the optimiser's words, found by the
    caller (plots solve nothing and look nothing up).
    """
    variables = tuple(run.variables)
    with _render_lock, style._fonts():
        return _draw_descent(
            f, variables, run, path, lang, minima=_minima(minima, variables), bound=bound, optimisers=optimisers
        )
