"""Training a model: the data and the fit before and after an update, the loss, batch against stochastic."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor.plots import style
from tutor.plots.geometry import _symlog_if_wide, numeric
from tutor.plots.style import COLORS, WORDS, _legend, _one_at_a_time, _suptitle, finite, latex, new_figure, num, word
from tutor.walkthrough.contract import BatchPayload, TrainingPayload


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

    history = data.history
    losses = _losses(history)
    # without a run after this update there is no loss curve: the data and the models take the whole figure
    if losses:
        fig, (left, right) = new_figure(2, width_ratios=(3, 2))
    else:
        (fig, left), right = new_figure(), None
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

    if right is None:
        _suptitle(fig, word("training", lang))
        return style.save(fig, path)
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
    return style.save(fig, path)


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
            # no legend entry: the colours are the loss panel's, whose legend names them (a second one covered data)
            _model_curve(right, fn, _params(final, parameters), lo, hi, color=COLORS.get(kind), lw=1.8)
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
    return style.save(fig, path)
