"""A descent run, or one iteration of it: the curve (one variable), contours (two) or values by k (more)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.i18n import _
from tutor.plots import style
from tutor.plots.style import (
    COLORS,
    _label,
    _legend,
    _message,
    _render_lock,
    _subscript,
    _suptitle,
    formulas,
    new_figure,
    reason_words,
    symlog_if_wide,
    word,
)
from tutor.text import tr
from tutor.walkthrough.contract import ContourView, CurveView, DescentPicture, Iterate, OptimiserWords

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _draw_curve(ax: Axes, view: CurveView, label: str, variables: Sequence[str]) -> None:
    ax.plot(view.curve.xs, view.curve.ys, color=COLORS["curve"], lw=2, label=label, zorder=2)
    ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
    ax.set_xlabel(variables[0])
    ax.set_ylabel(f"f({variables[0]})")
    ax.grid(True, alpha=0.3)


def _mark_minima(
    ax: Axes, minima: Sequence[tuple[float, ...]], values: Sequence[float], lo: float, hi: float
) -> list[Any]:
    """The minima inside the x-range, each with its value; returns their markers (one legend entry)."""
    first, marks = True, []
    for (m,), y in zip(minima, values):
        if lo <= m <= hi and math.isfinite(y):
            marks += ax.plot(
                [m],
                [y],
                marker="*",
                ms=16,
                color=COLORS["minimum"],
                mec="black",
                mew=0.6,
                zorder=_OVER + 6,
                ls="none",
                label=word("minimum") if first else None,
            )
            # its value at the foot of a dotted line down to the x-axis, away from the iterates' labels
            ax.axvline(m, color=COLORS["minimum"], lw=0.9, ls=":", zorder=_OVER + 1)
            ax.annotate(
                f"{word('minimum')} {m:.4g}",
                (m, 0),
                xycoords=("data", "axes fraction"),
                textcoords="offset points",
                xytext=(3, 3) if m <= (lo + hi) / 2 else (-3, 3),
                ha="left" if m <= (lo + hi) / 2 else "right",
                va="bottom",
                fontsize=8.5,
                color="#1a5e1a",
                zorder=_OVER + 3,  # a text's own: over the step's texts of the same layer
            )
            first = False
    return marks


def _limits(ax: Axes, view: CurveView) -> None:
    if view.ylim:
        ax.set_ylim(*view.ylim)
    ax.set_xlim(*view.xlim)


def _one_variable(ax: Axes, pic: DescentPicture, view: CurveView, *, current: int | None) -> bool:
    """The iterates joined by arrows, the tangent at x_k, the bracket (over the frame's curve and minima).

    ``current`` is the index of the iterate whose tangent is drawn.  Returns
    True when some iterates were too far away to show.
    """
    lo, hi = view.xlim
    shown = pic.iterates[: view.shown]
    xs, ys = [it.point[0] for it in shown], [it.value for it in shown]
    # the iterates, joined by arrows in the order they were visited
    if xs:
        ax.plot(xs, ys, "o", color=COLORS["path"], ms=7, mec="black", mew=0.6, zorder=5, label=word("iterates"))
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
                _label(ax, f"$x_{{{shown[i].k}}}$", xs[i], ys[i], COLORS["path"], right=xs[i] >= middle, up=up)
                placed.append((xs[i], up))
        ax.plot(xs, [0] * len(xs), "|", color=COLORS["path"], ms=10, zorder=3)
    # the tangent at the current iterate: its slope is the derivative
    if current is not None and current < len(xs):
        xk, yk, slope = xs[current], ys[current], shown[current].gradient[0]
        if all(map(math.isfinite, (xk, yk, slope))):
            half = 0.22 * (hi - lo)
            ax.plot(
                [xk - half, xk + half],
                [yk - slope * half, yk + slope * half],
                "--",
                color=COLORS["tangent"],
                lw=1.5,
                zorder=3,
                label=word("tangent", k=_subscript(shown[current].k)),
            )
    # the next iterate, and the step along the x-axis that reaches it
    next_x = pic.next[0] if pic.next is not None else math.nan
    if pic.next is not None and math.isfinite(next_x) and current is not None and current < len(xs):
        y_next = pic.next_value
        if math.isfinite(y_next) and lo <= next_x <= hi:
            ax.plot(
                [next_x], [y_next], "o", color=COLORS["next"], ms=8, mec="black", mew=0.6, zorder=6,
                label=word("next"),
            )  # fmt: skip
            ax.annotate(
                "",
                xy=(next_x, y_next),
                xytext=(xs[current], ys[current]),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=1.8, shrinkA=5, shrinkB=5),
                zorder=4,
            )
            _label(ax, f"$x_{{{shown[current].k + 1}}}$", next_x, y_next, COLORS["next"], right=next_x >= (lo + hi) / 2)
        ax.annotate(
            "",
            xy=(next_x, 0),
            xytext=(xs[current], 0),
            arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=2.2),
            zorder=4,
        )
        ax.annotate(
            word("move"),
            ((next_x + xs[current]) / 2, 0),
            textcoords="offset points",
            xytext=(0, -14),
            ha="center",
            fontsize=8.5,
            color="#a04a00",
        )
    # the sign change: the minimum lies between the last two points
    if pic.bracket and all(map(math.isfinite, pic.bracket)):
        a, b = sorted(pic.bracket)
        ax.axvspan(a, b, color=COLORS["bracket"], alpha=0.15, zorder=1, label=word("bracket"))
    return len(shown) < len(pic.iterates)


def _contours(ax: Axes, fig: Figure, view: ContourView, variables: Sequence[str]) -> None:
    """Filled contours of f with quantile levels: dense near the minimum, where paths end."""
    import numpy as np

    (x0, x1), (y0, y1) = view.xlim, view.ylim
    X, Y = np.meshgrid(view.grid.xs, view.grid.ys)
    Z = view.grid.zs
    inside = (x0 <= X) & (x1 >= X) & (y0 <= Y) & (y1 >= Y)
    values = Z[np.isfinite(Z) & inside]
    if values.size > 1 and values.max() > values.min():
        levels = np.unique(np.quantile(values, np.linspace(0, 1, 22)))
        if levels.size >= 3:
            filled = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.75, zorder=0, extend="max")
            ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.5, alpha=0.6, zorder=1)
            bar = fig.colorbar(filled, ax=ax, shrink=0.9)
            bar.set_label(f"f({', '.join(variables)})")
            bar.ax.tick_params(labelsize=8)
    ax.set_xlim(*view.xlim)
    ax.set_ylim(*view.ylim)
    ax.set_xlabel(variables[0])
    ax.set_ylabel(variables[1])
    if view.equal:
        ax.set_aspect("equal", adjustable="box")


def _path_2d(ax: Axes, pts: Sequence[tuple[float, ...]], color: str, label: str, *, marker_size: float = 6) -> None:
    good = [p for p in pts if all(map(math.isfinite, p))]
    if not good:
        return
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


def _gradient_arrows(ax: Axes, iterates: Sequence[Iterate], view: ContourView) -> None:
    """∇f at each iterate, drawn at one length so the direction reads clearly."""
    import numpy as np

    xlim, ylim = view.xlim, view.ylim
    chosen = list(iterates)
    if len(chosen) > 15:
        chosen = chosen[:: max(1, len(chosen) // 15)]
    pts, dirs = [], []
    for it in chosen:
        p, g = it.point[:2], it.gradient[:2]
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
        label=word("gradient_arrows"),
    )


def _two_variables(ax: Axes, pic: DescentPicture, view: ContourView) -> bool:
    """The path so far with ∇f arrows and the next iterate (over the frame's contours and minima)."""
    pts = [it.point for it in pic.iterates]
    _path_2d(ax, pts, COLORS["path"], word("path"))
    _gradient_arrows(ax, pic.iterates, view)
    nxt = pic.next
    if nxt is not None and pts and all(map(math.isfinite, (*nxt, *pts[-1]))):
        ax.annotate("", xy=(nxt[0], nxt[1]), xytext=(pts[-1][0], pts[-1][1]), arrowprops=dict(arrowstyle="-|>", color=COLORS["next"], lw=2.2),
                    zorder=6)  # fmt: skip
        ax.plot(
            [nxt[0]], [nxt[1]], "o", color=COLORS["next"], ms=8, mec="black", mew=0.6, zorder=7,
            label=word("next"),
        )  # fmt: skip
    for it in pic.iterates[:4]:
        if all(map(math.isfinite, it.point)):
            _label(ax, f"$x_{{{it.k}}}$", it.point[0], it.point[1], "black")
    return view.clipped


def _minima_2d(ax: Axes, minima: Sequence[tuple[float, ...]]) -> list[Any]:
    first, marks = True, []
    for m in minima:
        if len(m) == 2:
            marks += ax.plot(
                [m[0]],
                [m[1]],
                "*",
                ms=18,
                color=COLORS["minimum"],
                mec="black",
                mew=0.8,
                zorder=_OVER + 9,
                ls="none",
                label=word("minimum") if first else None,
            )
            first = False
    return marks


def _many_variables(axes: Sequence[Axes], pic: DescentPicture, with_next: bool) -> None:
    """Left: each coordinate against k; right: f against k.  The next iterate, if given, dashed."""
    from matplotlib.ticker import MaxNLocator

    left, right = axes
    ks = [it.k for it in pic.iterates]
    next_point = pic.next if with_next else None
    for i, name in enumerate(pic.variables):
        values = [it.point[i] for it in pic.iterates]
        (line,) = left.plot(ks, values, "-o", ms=4, label=name)
        if next_point is not None and ks:
            left.plot(
                [ks[-1], ks[-1] + 1], [values[-1], next_point[i]], "--o", ms=4, color=line.get_color(), mfc="white"
            )
    if next_point is not None and ks:
        left.plot([], [], "--o", ms=4, color="#555555", mfc="white", label=word("next"))
    left.set_title(word("coordinates"), fontsize=10)
    coordinates = [v for it in pic.iterates for v in it.point]
    symlog_if_wide(left, coordinates + list(next_point or ()))
    _legend(left)
    values = [it.value for it in pic.iterates]
    right.plot(ks, values, "-o", ms=4, color=COLORS["path"], label=f"$f({', '.join(pic.variables)})$")
    right.set_title(word("value_by_k"), fontsize=10)
    symlog_if_wide(right, values)
    _legend(right)
    last = ks[-1] + 1 if next_point is not None and ks else (ks[-1] if ks else 0)
    for ax in (left, right):
        ax.set_xlabel(word("iteration"))
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ks:  # both panels on the same k axis; one iterate alone once got ticks at ±0.015 written over each other
            ax.set_xlim(ks[0] - 0.3, last + 0.3)


def _optimizer_words(name: str, optimisers: Mapping[str, OptimiserWords]) -> str:
    """The optimiser's name as a title (from the walkthrough's words; its key when none were given)."""
    words = optimisers.get(name)
    return tr(words.label) if words is not None else name


def _optimizer_colour(name: str, fallback: str, optimisers: Mapping[str, OptimiserWords]) -> str:
    words = optimisers.get(name)
    return words.colour if words is not None else fallback


def _run_words(pic: DescentPicture, clipped: bool, optimisers: Mapping[str, OptimiserWords]) -> list[str]:
    """The figure title: which optimiser, how many steps, why it stopped (diverged said plainly)."""
    reason = pic.stop
    steps = word("steps", n=pic.steps)
    name = _optimizer_words(pic.optimizer, optimisers)
    if reason != "diverged" and pic.growing:
        status = _("{steps}, {why}").format(steps=steps, why=word("stopped", reason=reason_words(reason)))
        lines = [_("{optimizer}: {status}").format(optimizer=name, status=status), word("growing").upper()]
        if clipped:
            lines[-1] = _("{warning} — {note}").format(warning=lines[-1], note=word("off_chart"))
        return lines
    if reason == "diverged":
        status = _("{diverged} ({steps})").format(diverged=word("diverged").upper(), steps=steps)
    else:
        status = _("{steps}, {why}").format(steps=steps, why=word("stopped", reason=reason_words(reason)))
    lines = [_("{optimizer}: {status}").format(optimizer=name, status=status)]
    if clipped:
        lines.append(word("off_chart"))
    return lines


def draw_descent(
    pic: DescentPicture,
    path: Path | str,
    *,
    update: str = "",
    optimisers: Mapping[str, OptimiserWords] | None = None,
    frames: Frames | None = None,
) -> Path:
    """A run (``pic.current`` None) or iteration k of it, with the next iterate; by the number of variables.

    ``update``: the walkthrough's written-out update (mathtext), shown under the formula; ``optimisers``: the
    words of the run's optimiser; ``frames``: the figure kept from the step before, updated when it shows the
    same frame (the steps of one section).
    """
    optimisers = optimisers or {}
    upto = pic.current
    view = pic.view
    if view is None:  # three or more variables: values against k
        fig, axes = new_figure(2)
        if pic.iterates:
            _many_variables(axes, pic, upto is not None)
        else:
            for ax in axes:
                ax.set_axis_off()
            _message(axes[0], word("no_steps", reason=reason_words(pic.stop)))
        _suptitle(fig, *_titles(pic, False, optimisers))
        fig.supxlabel(formulas(pic.title), fontsize=10)
        return style.save(fig, path)
    fig, ax, late = _frame(pic, view, frames)
    if isinstance(view, CurveView):
        clipped = _one_variable(ax, pic, view, current=upto if upto is not None else 0)
    else:
        clipped = _two_variables(ax, pic, view)
    if not pic.iterates:
        _message(ax, word("no_steps", reason=reason_words(pic.stop)))
    _suptitle(fig, *_titles(pic, clipped, optimisers))
    title = formulas(pic.title)
    if upto is not None and pic.iterates and pic.next is not None and update:
        title += "\n" + update
    ax.set_title(title, fontsize=10)
    _legend(ax, loc="best", last=late)
    return style.save(fig, path)


#: What the frame draws goes over what each step adds on the same layer, as when it was drawn last.
_OVER = 0.01


@dataclass
class Frames:
    """One figure per run, updated per step: the figure kept between the steps of a section and what it shows.

    The frame (axes, the curve or the contours, the minima, the limits) is
    drawn once; each step removes what the step before added and draws its
    own iterates, arrows, labels, titles and legend.  The frame is drawn first
    whether it is kept or not, so a figure updated is the same picture, byte
    for byte, as one drawn afresh.
    """

    key: tuple[Any, ...] | None = None
    fig: Figure | None = None
    ax: Axes | None = None
    kept: frozenset[Any] = frozenset()
    late: tuple[Any, ...] = ()


def _frame_key(pic: DescentPicture, view: CurveView | ContourView) -> tuple[Any, ...] | None:
    """What the frame shows, in full (its words in the current language); None when it cannot be kept."""
    from tutor.i18n import current_language

    if isinstance(view, CurveView):
        if view.ylim is None:  # limits from the step's own data
            return None
        data: tuple[Any, ...] = (view.curve.xs.tobytes(), view.curve.ys.tobytes(), pic.function)
    else:
        grid = view.grid
        data = (view.equal, grid.xs.tobytes(), grid.ys.tobytes(), grid.zs.tobytes())
    key = (type(view).__name__, view.xlim, view.ylim, pic.variables, pic.minima, pic.minima_values, *data)
    return (current_language(), *key)


def _frame(
    pic: DescentPicture, view: CurveView | ContourView, frames: Frames | None
) -> tuple[Figure, Axes, tuple[Any, ...]]:
    """The figure with its frame drawn (kept from the step before when it shows the same), and its late legend entries."""
    key = _frame_key(pic, view) if frames is not None else None
    if (
        frames is not None
        and key is not None
        and frames.key == key
        and frames.fig is not None
        and frames.ax is not None
    ):
        ax = frames.ax
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        for artist in ax.get_children():
            if artist not in frames.kept:
                artist.remove()
        return frames.fig, ax, frames.late
    fig, ax = new_figure()
    if isinstance(view, CurveView):
        _draw_curve(ax, view, formulas(pic.function), pic.variables)
        late = tuple(_mark_minima(ax, pic.minima, pic.minima_values, *view.xlim))
        _limits(ax, view)
    else:
        _contours(ax, fig, view, pic.variables)
        late = tuple(_minima_2d(ax, pic.minima))
    if frames is not None:
        frames.key, frames.fig, frames.ax = key, (fig if key is not None else None), (ax if key is not None else None)
        frames.kept, frames.late = frozenset(ax.get_children()), late
    return fig, ax, late


def _titles(pic: DescentPicture, clipped: bool, optimisers: Mapping[str, OptimiserWords]) -> list[str]:
    if pic.current is None:
        return _run_words(pic, clipped, optimisers)
    lines = [f"{word('descent')} — {word('step_k', k=pic.current)}"]
    if clipped:
        lines.append(word("off_chart"))
    return lines


def plot_run(
    picture: DescentPicture,
    path: Path | str,
    *,
    optimisers: Mapping[str, OptimiserWords] | None = None,
) -> Path:
    """The whole run: where it went, and why it stopped (used by ``tutor descend --plot``).

    ``picture`` is :func:`tutor.walkthrough.geometry.descent_picture` of the run and ``optimisers`` the
    optimiser's words, found by the caller (plots compute and look up nothing).
    """
    with _render_lock, style._fonts():
        return draw_descent(picture, path, optimisers=optimisers)
