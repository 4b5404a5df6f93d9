"""One weight update of a model (predict, loss, gradient, update) and batch, stochastic, mini-batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.i18n import N_, _, ngettext
from tutor.mathinput import symbol
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _points,
    _scalar,
    _value,
)

#: A training run's kind (tutor.training.KINDS), as an adjective.
KIND_NAMES = {"batch": N_("batch"), "stochastic": N_("stochastic"), "minibatch": N_("mini-batch")}


def _training(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """The four steps of one weight update (predict, loss, gradient, update) and their usual slips."""
    model = context["model"]
    parameters = tuple(context["parameters"])
    x_name = context.get("input", "x")
    xs = [_value(v) for v in context["xs"]]
    ys = [_value(v) for v in context["ys"]]
    params = _points(parameters, context["params"])
    lr = _value(context["learning_rate"])
    samples = context.get("samples")
    used = tuple(range(len(xs))) if samples is None else tuple(samples)
    n = len(used)
    part = _training_part(question)

    x = symbol(x_name)
    at = {symbol(p): params[p] for p in parameters}
    predict = {i: model.xreplace({**at, x: xs[i]}) for i in range(len(xs))}
    slopes = {p: sp.diff(model, symbol(p)) for p in parameters}

    def grad(indices: Sequence[int], factor: int = 2, mean: bool = True, sign: int = 1) -> tuple[Any, ...]:
        m = len(indices)
        return tuple(
            (sp.Rational(factor, m) if mean else factor)
            * sum(sign * (predict[i] - ys[i]) * slopes[p].xreplace({**at, x: xs[i]}) for i in indices)
            for p in parameters
        )

    right = grad(used)
    out: list[Misconception] = []

    def add(key: str, value: Any, says: str) -> None:
        out.append(Misconception(key, value, says))

    if part == "predict":
        add(
            "targets_not_predictions",
            tuple(ys[i] for i in used),
            _(
                "Those are the targets y from the data. The prediction y1 is what the model gives with the current weights: put each x and the weights into the model."
            ),
        )
    elif part == "loss":
        add(
            "loss_not_squared",
            sp.Rational(1, n) * sum(predict[i] - ys[i] for i in used),
            _(
                "That is the mean error without squaring: positive and negative errors cancel out. The mean squared error squares each error first: L = (1/n) Σ (y1 − y)²."
            ),
        )
        add(
            "loss_sum_not_mean",
            sum((predict[i] - ys[i]) ** 2 for i in used),
            _(
                "That is the sum of the squared errors. The mean squared error divides it by the number of samples, n = {n}."
            ).format(n=n),
        )
    elif part == "gradient":
        add(
            "gradient_factor_two_forgotten",
            grad(used, factor=1),
            _("That is the gradient without the 2 from the square: ∂/∂w (y1 − y)² = 2(y1 − y)·∂y1/∂w."),
        )
        add(
            "gradient_sum_not_mean",
            grad(used, mean=False),
            _(
                "That is the sum over the samples. The loss is a mean, so its gradient is divided by n = {n} as well."
            ).format(n=n),
        )
        add(
            "gradient_error_reversed",
            grad(used, sign=-1),
            _(
                "That uses (y − y1) instead of (y1 − y), so every component has the wrong sign: an update with it would climb the loss instead of descending."
            ),
        )
        if len(used) < len(xs):
            shown = ", ".join(str(i) for i in used)
            add(
                "gradient_all_samples",
                grad(tuple(range(len(xs)))),
                _(
                    "That uses every sample. This update uses only samples {shown} (that is the difference between batch, stochastic and mini-batch gradient descent)."
                ).format(shown=shown),
            )
    elif part == "batch":
        now = tuple(params[p] for p in parameters)
        kind = context.get("kind", "batch")
        if len(used) < len(xs):
            everything = grad(tuple(range(len(xs))))
            add(
                "batch_used_all_samples",
                tuple(a - lr * g for a, g in zip(now, everything)),
                ngettext(
                    "That is the batch update, with the gradient over every sample. "
                    "This {kind} update uses only sample {samples}: the gradient of the loss on those alone.",
                    "That is the batch update, with the gradient over every sample. "
                    "This {kind} update uses only samples {samples}: the gradient of the loss on those alone.",
                    len(used),
                ).format(kind=_(KIND_NAMES.get(kind, kind)), samples=", ".join(str(i) for i in used)),
            )
        elif len(xs) > 1:
            first = grad(used[:1])
            add(
                "batch_used_one_sample",
                tuple(a - lr * g for a, g in zip(now, first)),
                _(
                    "That uses only sample {used}. Batch gradient descent accumulates the gradient over all {n} samples before it updates."
                ).format(used=used[0], n=n),
            )
        part = "update"
    if part == "update":
        now = tuple(params[p] for p in parameters)
        add(
            "with_gradient",
            tuple(a + lr * g for a, g in zip(now, right)),
            _(
                "You moved the weights WITH the gradient of the loss, which makes the loss larger. The optimiser moves against it: w ← w − η ∂L/∂w."
            ),
        )
        add(
            "no_learning_rate",
            tuple(a - g for a, g in zip(now, right)),
            _("You left out the learning rate η = {lr}: the step is the gradient scaled by η, w ← w − η ∂L/∂w.").format(
                lr=show(lr)
            ),
        )
    expected = _scalar(question.expected)
    if isinstance(expected, sp.Basic):  # a question about one parameter or one sample
        out = [
            Misconception(m.name, m.value[0], m.says) if isinstance(m.value, tuple) and len(m.value) == 1 else m
            for m in out
        ]
    return out


def _training_part(question: Asked) -> str:
    """predict / loss / gradient / update: from the question id's last part, else the skill."""
    if question.skill == "batch":
        return "batch"
    tail = str(question.id).rsplit(".", 1)[-1]
    for part in ("predict", "loss", "gradient", "update"):
        if part in tail:
            return part
    return ""
