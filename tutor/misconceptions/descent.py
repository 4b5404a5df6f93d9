"""One step of descent: the next iterate, the direction, the sign change and the interval it brackets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _at,
    _gradient_at,
    _points,
    _scalar,
    _slope,
    _sub,
    _value,
    _vec,
    _vec_in_order,
    _vector,
)
from tutor.text import both


def _bracket(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """The interval the sign change brackets, written the wrong way round."""
    a, b = context["bracket"]
    low, high = (a, b) if a <= b else (b, a)
    return [
        Misconception(
            "interval_reversed",
            (high, low),
            both(
                "Those are the right two points, the wrong way round: an interval [a, b] starts at its low end, so a < b.",
                "两个端点找对了，但顺序反了：区间 [a, b] 从较小的一端写起，a < b。",
            ),
        )
    ]


def _next_iterate(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """x_{k+1} = x_k − η ∇f(x_k), and the ways to get it wrong."""
    if context.get("optimizer", "gd") != "gd":
        return []  # momentum and Adam have their own update; these slips are about plain descent
    f = context.get("function")
    variables = tuple(context["variables"])
    k = int(context.get("k", 0))
    x = _vec(_vec_in_order(context["point"], variables))
    g = _vec(_vec_in_order(context["gradient"], variables))
    lr = _value(context["learning_rate"])
    one = len(variables) == 1
    name = variables[0] if one else "x"
    now, then, after = _sub(name, k), _sub(name, k + 1), _sub(name, k + 2)
    slope = _slope(variables)[0]
    rule = f"{then} = {now} − η {slope}({now})"
    out: list[Misconception] = []

    def add(key: str, value: Sequence[sp.Expr], en: str, zh: str) -> None:
        out.append(Misconception(key, tuple(value), both(en, zh)))

    add(
        "with_gradient",
        [a + lr * b for a, b in zip(x, g)],
        f"That is {now} + η {slope}({now}): you moved WITH the gradient, uphill. Descent moves against it: {rule}.",
        f"这是 {now} + η {slope}({now})：你沿着梯度的方向走了，那是上坡。梯度下降要逆着梯度走：{rule}。",
    )
    add(
        "no_learning_rate",
        [a - b for a, b in zip(x, g)],
        f"That is {now} − {slope}({now}): you left out the learning rate η = {show(lr)}. "
        f"The step is the gradient scaled by η: {rule}.",
        f"这是 {now} − {slope}({now})：你漏掉了学习率 η = {show(lr)}。步长是梯度乘以 η：{rule}。",
    )
    add(
        "step_only",
        [-lr * b for b in g],
        f"That is −η {slope}({now}), the step itself. The new point is where the step takes you from {now}: {rule}.",
        f"这是 −η {slope}({now})，只是步长本身。新的点是从 {now} 出发走这一步之后的位置：{rule}。",
    )
    add(
        "stayed",
        x,
        f"That is {now}, the point you start this step from. The question asks for the next one, {then} = {now} − η {slope}({now}).",
        f"这是 {now}，也就是这一步的起点。题目要的是下一个点：{then} = {now} − η {slope}({now})。",
    )
    if f is not None:
        point = dict(zip(variables, x))
        value = _at(f, variables, point)
        add(
            "function_instead_of_gradient",
            [a - lr * value for a in x],
            f"That is {now} − η f({now}): you used the value of f, {show(value)}, instead of its slope. "
            f"The step follows the derivative: {rule}.",
            f"这是 {now} − η f({now})：你用了函数值 {show(value)}，而不是斜率。步长由导数决定：{rule}。",
        )
        nxt = [a - lr * b for a, b in zip(x, g)]
        g2 = _gradient_at(f, variables, dict(zip(variables, nxt)))
        add(
            "two_steps",
            [a - lr * b for a, b in zip(nxt, g2)],
            f"That is {after}: you took two steps. The question asks for one: {rule}.",
            f"这是 {after}：你走了两步。题目只要一步：{rule}。",
        )
        previous = context.get("previous_point")
        if previous is not None and k > 0:
            before = _gradient_at(f, variables, _points(variables, previous))
            there = _sub(name, k - 1)
            add(
                "gradient_at_previous_point",
                [a - lr * b for a, b in zip(x, before)],
                f"That uses {slope}({there}), the slope at the previous point. Each step uses the slope where you are now: {rule}.",
                f"这里用了 {slope}({there})，上一个点的斜率。每一步都要用当前点的斜率：{rule}。",
            )
        at_zero = _gradient_at(f, variables, {v: 0 for v in variables})
        add(
            "gradient_at_zero",
            [a - lr * b for a, b in zip(x, at_zero)],
            f"That uses {slope}(0) = {_vector(at_zero)}, the slope at 0. Each step uses the slope where you are now: {rule}.",
            f"这里用了 {slope}(0) = {_vector(at_zero)}，0 处的斜率。每一步都要用当前点的斜率：{rule}。",
        )
    return out


# --- direction and sign change --------------------------------------------------------------------

_OPPOSITE = {"increase": "decrease", "decrease": "increase"}


def _direction(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """Which way to move: against the sign of the derivative, or stay where it is 0."""
    g = _vec(context["gradient"])
    variables = tuple(context.get("variables") or question.variables or ())
    expected = _scalar(question.expected)
    keys = expected if isinstance(expected, tuple) else (expected,)
    if len(keys) != len(g):
        return []
    out = []
    reversed_keys = tuple(_OPPOSITE.get(key, key) for key in keys)
    names = variables if len(variables) == len(g) else ("x",) * len(g)
    one = len(g) == 1
    parts_en, parts_zh = [], []
    for v, slope in zip(names, g):
        d = f"f'({v})" if one else f"∂f/∂{v}"
        if slope > 0:
            parts_en.append(
                f"{d} = {show(slope)} > 0: f rises as {v} increases, so increasing {v} goes uphill; decrease {v}"
            )
            parts_zh.append(f"{d} = {show(slope)} > 0：{v} 增大时 f 也增大，增大 {v} 是往上走；应减小 {v}")
        elif slope < 0:
            parts_en.append(
                f"{d} = {show(slope)} < 0: f falls as {v} increases, so decreasing {v} goes uphill; increase {v}"
            )
            parts_zh.append(f"{d} = {show(slope)} < 0：{v} 增大时 f 减小，减小 {v} 是往上走；应增大 {v}")
    if any(s != 0 for s in g):
        out.append(
            Misconception(
                "direction_reversed",
                reversed_keys if not one else reversed_keys[0],
                both(
                    "That way is uphill. Gradient descent moves against the sign of the derivative: "
                    + "; ".join(parts_en)
                    + ".",
                    "那个方向是上坡。梯度下降逆着导数的符号走：" + "；".join(parts_zh) + "。",
                ),
            )
        )
        stay = tuple("stay" if s != 0 else key for s, key in zip(g, keys))
        out.append(
            Misconception(
                "stay_on_a_slope",
                stay if not one else stay[0],
                both(
                    "The slope there is not 0, so this is not a flat point and gradient descent still moves: "
                    + "; ".join(parts_en)
                    + ".",
                    "那里的斜率不是 0，不是平坦的点，梯度下降还要继续走：" + "；".join(parts_zh) + "。",
                ),
            )
        )
    flat = [v for v, s in zip(names, g) if s == 0]
    if flat:
        for key in ("increase", "decrease"):
            moved = tuple(key if s == 0 else k for s, k in zip(g, keys))
            d = ", ".join(f"f'({v})" if one else f"∂f/∂{v}" for v in flat)
            out.append(
                Misconception(
                    "move_on_flat",
                    moved if not one else moved[0],
                    both(
                        f"{d} = 0: the slope is flat there, so a gradient step does not move {', '.join(flat)}: stay.",
                        f"{d} = 0：那里斜率为 0，梯度下降的一步不会改变 {'、'.join(flat)}：保持不动。",
                    ),
                )
            )
    return out


def _sign_change(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """Whether f' changed sign between x_{k−1} and x_k: a flip from + to − (or − to +), not just smaller."""
    before = _vec(context["previous_gradient"])
    now = _vec(context["gradient"])
    expected = _scalar(question.expected)
    keys = [c.key for c in getattr(question, "choices", ())] or ["yes", "no"]
    if not isinstance(expected, str) or expected not in keys or len(keys) != 2:
        return []
    other = keys[1] if expected == keys[0] else keys[0]
    changed = any(a * b < 0 for a, b in zip(before, now))
    went = f"{_vector(before)} → {_vector(now)}"
    if len(now) > 1:  # several variables: each partial derivative on its own
        changed_names = [v for v, a, b in zip(context.get("variables") or (), before, now) if a * b < 0]
        if changed:
            says = both(
                f"The gradient went {went}: ∂f/∂{', ∂f/∂'.join(changed_names or ['?'])} changed sign "
                f"(one value positive, the other negative), so the minimum along it lies between the last two points.",
                f"梯度从 {went}：∂f/∂{'、∂f/∂'.join(changed_names or ['?'])} 变号了（一正一负），所以沿这个方向的最小值在最近的两个点之间。",
            )
        else:
            says = both(
                f"The gradient went {went}: no partial derivative went from positive to negative or back, so no sign changed.",
                f"梯度从 {went}：没有哪个偏导数从正变负或从负变正，所以没有变号。",
            )
        return [Misconception("sign_change_confusion", other, says)]
    if changed:
        says = both(
            f"f' went {went}: from one sign to the other, so its sign changed. "
            f"The slope was downhill one way and is now downhill the other way: the minimum lies between the last two points.",
            f"f' 从 {went}：符号从正变负（或从负变正），所以符号变了。这说明最小值就在最近的两个点之间。",
        )
    elif any(b == 0 for b in now):
        says = both(
            f"f' went {went}: it reached 0 exactly, a flat point, but did not change sign. "
            f"A sign change means one value is positive and the other negative.",
            f"f' 从 {went}：恰好变成 0，是平坦的点，但符号没有改变。符号改变是指一个为正、另一个为负。",
        )
    else:
        says = both(
            f"f' went {went}: its size changed but its sign did not. "
            f"A sign change means one value is positive and the other negative (their product is negative).",
            f"f' 从 {went}：大小变了，符号没变。符号改变是指一个为正、另一个为负（两者相乘为负）。",
        )
    return [Misconception("sign_change_confusion", other, says)]
