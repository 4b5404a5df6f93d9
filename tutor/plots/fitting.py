"""Training a model: the data and the fit before and after an update, the loss, batch against stochastic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.plots import style
from tutor.plots.style import (
    COLORS,
    WORDS,
    _legend,
    _one_at_a_time,
    _suptitle,
    finite,
    formulas,
    new_figure,
    symlog_if_wide,
    word,
)
from tutor.walkthrough.contract import BatchPicture, Curve, TrainingPicture

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _model_curve(ax: Axes, curve: Curve, **style: Any) -> None:
    ax.plot(curve.xs, curve.ys, **style)


def _data_ylim(ax, ys: Sequence[float]) -> None:
    ys = finite(ys)
    if ys:
        lo, hi = min(ys), max(ys)
        pad = 0.35 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)


def _loss_axes(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(word("update"))
    ax.set_ylabel(word("loss"))
    ax.grid(True, alpha=0.3)


@_one_at_a_time
def plot_training(data: TrainingPicture, path: Path | str) -> Path:
    """Left: the data, the model before and after the update.  Right: the loss against the update."""
    xs, ys, used, predictions = data.xs, data.ys, data.used, data.predictions
    losses = data.losses
    # without a run after this update there is no loss curve: the data and the models take the whole figure
    if losses:
        fig, (left, right) = new_figure(2, width_ratios=(3, 2))
    else:
        (fig, left), right = new_figure(), None
    left.plot(xs, ys, "o", color="#444444", ms=7, label=word("data"), zorder=4)
    if len(used) < len(xs):
        left.plot(
            [xs[i] for i in used],
            [ys[i] for i in used],
            "o",
            mfc="none",
            mec=COLORS["path"],
            ms=13,
            mew=1.8,
            label=word("used"),
            zorder=5,
        )
    _model_curve(left, data.before_curve, color=COLORS["before"], ls="--", lw=1.8, label=word("before"), zorder=3)
    # the errors the loss squares: from each prediction y1 to its target y
    first = True
    for j, i in enumerate(used):
        x, y, y1 = xs[i], ys[i], predictions[j] if j < len(predictions) else math.nan
        if not all(map(math.isfinite, (x, y1, y))):
            continue
        left.plot(
            [x, x],
            [y1, y],
            color=COLORS["path"],
            lw=1.2,
            alpha=0.7,
            zorder=2,
            label=word("residual") if first else None,
        )
        first = False
    if data.after_curve is not None:
        _model_curve(left, data.after_curve, color=COLORS["after"], lw=2.2, label=word("after"), zorder=3)
    left.set_xlim(*data.xlim)
    _data_ylim(left, list(ys) + [p for p in predictions if math.isfinite(p)])
    left.set_xlabel(data.input)
    left.set_ylabel("y")
    left.grid(True, alpha=0.3)
    left.set_title(_model_title(data), fontsize=9)
    _legend(left, loc="best")

    if right is None:
        _suptitle(fig, word("training"))
        return style.save(fig, path)
    starts_after = data.starts_after
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
            label=word("start_loss"),
            zorder=5,
        )
    if len(losses) > (0 if starts_after else 1):
        i = 0 if starts_after else 1
        right.plot([ks[i]], [losses[i]], "o", ms=8, color=COLORS["next"], mec="black", label=word("hand"), zorder=5)
    symlog_if_wide(right, losses)
    if min(finite(losses) or [0]) >= 0 and right.get_yscale() == "linear":
        right.set_ylim(bottom=0)
    _legend(right)
    _loss_axes(right)
    right.set_title(word("loss_curve"), fontsize=10)
    _suptitle(fig, word("training"))
    return style.save(fig, path)


def _model_title(data: TrainingPicture) -> str:
    def fmt(values: Sequence[float]) -> str:
        return ", ".join(f"{p} = {v:.4g}" for p, v in zip(data.parameters, values))

    parts = [formulas((data.model,)), fmt(data.before)]
    if data.after is not None:
        parts.append("→ " + fmt(data.after))
    return "   ".join(parts)


@_one_at_a_time
def plot_batch(data: BatchPicture, path: Path | str) -> Path | None:
    """Batch, stochastic and mini-batch: loss against the update on one axes, and their fitted models."""
    if not data.runs:
        return None
    fig, (left, right) = new_figure(2, width_ratios=(3, 2))
    all_losses: list[float] = []
    for run in data.runs:
        kind, losses = run.kind, run.losses
        label = (
            word("minibatch", n=data.batch_size) if kind == "minibatch" else (word(kind) if kind in WORDS else run.key)
        )
        left.plot(
            range(len(losses)),
            losses,
            "-o" if len(losses) <= 30 else "-",
            ms=3.5,
            lw=1.8,
            color=COLORS.get(kind),
            label=f"{label} · {word('steps', n=max(len(losses) - 1, 0))}",
        )
        all_losses += losses
    _loss_axes(left)
    symlog_if_wide(left, all_losses)
    left.set_title(word("loss_curve"), fontsize=10)
    _legend(left, loc="upper right")

    fits = [run for run in data.runs if run.fit is not None]
    if data.xs and fits:
        right.plot(data.xs, data.ys, "o", color="#444444", ms=6, label=word("data"), zorder=4)
        for run in fits:
            # no legend entry: the colours are the loss panel's, whose legend names them (a second one covered data)
            _model_curve(right, run.fit, color=COLORS.get(run.kind), lw=1.8)  # type: ignore[arg-type]
        right.set_xlim(*data.xlim)
        _data_ylim(right, data.ys)
        right.set_xlabel(data.input)
        right.set_ylabel("y")
        right.grid(True, alpha=0.3)
        right.set_title(word("fits"), fontsize=10)
        _legend(right, loc="upper left")
    else:
        right.set_axis_off()
    _suptitle(fig, word("batch_title"))
    return style.save(fig, path)
