"""One weight update of a model (predict, loss, gradient, update) and batch, stochastic, mini-batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.mathinput import symbol
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _points,
    _scalar,
    _value,
)
from tutor.text import both


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

    def add(key: str, value: Any, en: str, zh: str) -> None:
        out.append(Misconception(key, value, both(en, zh)))

    if part == "predict":
        add(
            "targets_not_predictions",
            tuple(ys[i] for i in used),
            "Those are the targets y from the data. The prediction y1 is what the model gives with the current weights: "
            "put each x and the weights into the model.",
            "这些是数据里的目标值 y。预测值 y1 是模型用当前权重算出来的：把每个 x 和权重代入模型。",
        )
    elif part == "loss":
        add(
            "loss_not_squared",
            sp.Rational(1, n) * sum(predict[i] - ys[i] for i in used),
            "That is the mean error without squaring: positive and negative errors cancel out. "
            "The mean squared error squares each error first: L = (1/n) Σ (y1 − y)².",
            "这是没有平方的平均误差：正负误差会互相抵消。均方误差要先把每个误差平方：L = (1/n) Σ (y1 − y)²。",
        )
        add(
            "loss_sum_not_mean",
            sum((predict[i] - ys[i]) ** 2 for i in used),
            f"That is the sum of the squared errors. The mean squared error divides it by the number of samples, n = {n}.",
            f"这是误差平方的总和。均方误差还要除以样本数 n = {n}。",
        )
    elif part == "gradient":
        add(
            "gradient_factor_two_forgotten",
            grad(used, factor=1),
            "That is the gradient without the 2 from the square: ∂/∂w (y1 − y)² = 2(y1 − y)·∂y1/∂w.",
            "这是漏掉了平方带来的系数 2 的梯度：∂/∂w (y1 − y)² = 2(y1 − y)·∂y1/∂w。",
        )
        add(
            "gradient_sum_not_mean",
            grad(used, mean=False),
            f"That is the sum over the samples. The loss is a mean, so its gradient is divided by n = {n} as well.",
            f"这是对样本求和的结果。损失函数是平均值，所以梯度也要除以 n = {n}。",
        )
        add(
            "gradient_error_reversed",
            grad(used, sign=-1),
            "That uses (y − y1) instead of (y1 − y), so every component has the wrong sign: "
            "an update with it would climb the loss instead of descending.",
            "这里用了 (y − y1) 而不是 (y1 − y)，每个分量的符号都反了：用它更新会让损失变大而不是变小。",
        )
        if len(used) < len(xs):
            shown = ", ".join(str(i) for i in used)
            add(
                "gradient_all_samples",
                grad(tuple(range(len(xs)))),
                f"That uses every sample. This update uses only samples {shown} "
                f"(that is the difference between batch, stochastic and mini-batch gradient descent).",
                f"这里用了全部样本。这一次更新只用样本 {shown}（这正是批量梯度下降、随机梯度下降和小批量梯度下降的区别）。",
            )
    elif part == "batch":
        now = tuple(params[p] for p in parameters)
        kind = context.get("kind", "batch")
        if len(used) < len(xs):
            everything = grad(tuple(range(len(xs))))
            add(
                "batch_used_all_samples",
                tuple(a - lr * g for a, g in zip(now, everything)),
                f"That is the batch update, with the gradient over every sample. This {kind} update uses only "
                f"sample{'s' if n > 1 else ''} {', '.join(str(i) for i in used)}: the gradient of the loss on those alone.",
                f"这是批量梯度下降的更新，用了全部样本的梯度。这次更新只用样本 {', '.join(str(i) for i in used)}：只在这些样本上算损失函数的梯度。",
            )
        elif len(xs) > 1:
            first = grad(used[:1])
            add(
                "batch_used_one_sample",
                tuple(a - lr * g for a, g in zip(now, first)),
                f"That uses only sample {used[0]}. Batch gradient descent accumulates the gradient over all {n} samples before it updates.",
                f"这里只用了样本 {used[0]}。批量梯度下降要把全部 {n} 个样本的梯度累加（取平均）之后再更新。",
            )
        part = "update"
    if part == "update":
        now = tuple(params[p] for p in parameters)
        add(
            "with_gradient",
            tuple(a + lr * g for a, g in zip(now, right)),
            "You moved the weights WITH the gradient of the loss, which makes the loss larger. "
            "The optimiser moves against it: w ← w − η ∂L/∂w.",
            "你让权重沿着损失函数梯度的方向走了，这会让损失变大。优化器要逆着梯度走：w ← w − η ∂L/∂w。",
        )
        add(
            "no_learning_rate",
            tuple(a - g for a, g in zip(now, right)),
            f"You left out the learning rate η = {show(lr)}: the step is the gradient scaled by η, w ← w − η ∂L/∂w.",
            f"你漏掉了学习率 η = {show(lr)}：步长是梯度乘以 η，w ← w − η ∂L/∂w。",
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
