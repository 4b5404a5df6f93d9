"""Predicting what a learning rate does: converge, oscillate or diverge, against the bound 2/L."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.mathinput import symbol
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _value,
)
from tutor.text import both


def _predict(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """Judging the learning rate against the stability bound 2/L (exact for a quadratic)."""
    bound = context.get("bound")
    if bound is None:  # before 2/L is taught (or where it does not decide): the factor of one step alone
        return _factor_only(context)
    if getattr(bound, "scope", None) != "quadratic":
        return []
    lr = _value(context["learning_rate"])
    L, limit = bound.curvature, bound.bound
    factor = 1 - lr * L
    one = len(tuple(context.get("variables") or ())) == 1
    compare = "<" if lr < limit else "=" if lr == limit else ">"
    head_en = f"η = {show(lr)} {compare} 2/L = {show(limit)} (L = {show(L)}, the steepest curvature of f)"
    head_zh = f"η = {show(lr)} {compare} 2/L = {show(limit)}（L = {show(L)}，f 最陡的曲率）"
    if one:
        size = abs(factor)
        fate_en = "shrinks" if size < 1 else "keeps its size" if size == 1 else "grows"
        fate_zh = "变小" if size < 1 else "大小不变" if size == 1 else "变大"
        step_en = f": each step multiplies the distance to the minimum by 1 − ηL = {show(factor)}, so it {fate_en}"
        step_zh = f"：每一步把到最小值的距离乘以 1 − ηL = {show(factor)}，所以距离{fate_zh}"
    else:
        step_en, step_zh = "", ""
    rule_en = (
        "Below 2/L gradient descent converges; exactly at 2/L it bounces between two points; above it, it diverges."
    )
    rule_zh = "学习率小于 2/L 时梯度下降收敛；恰好等于 2/L 时在两点之间来回振荡；大于 2/L 时发散。"
    says = both(f"{head_en}{step_en}. {rule_en}", f"{head_zh}{step_zh}。{rule_zh}")
    return [Misconception("learning_rate_judgement", key, says) for key in ("converge", "oscillate", "diverge")]


def _factor_only(context: Mapping[str, Any]) -> list[Misconception]:
    """f = a·(x − c)² + d in one variable: each step multiplies x − c by 1 − η·f'' (said without 2/L)."""
    variables = tuple(context.get("variables") or ())
    f = context.get("function")
    if f is None or len(variables) != 1:
        return []
    x = symbol(variables[0])
    curvature = sp.diff(f, x, 2)
    if not curvature.is_number or not curvature.is_positive or sp.diff(f, x, 3) != 0:
        return []
    lr = _value(context["learning_rate"])
    factor = 1 - lr * curvature
    size = abs(factor)
    fate_en = (
        "shrinks: it converges" if size < 1 else "keeps its size: it oscillates" if size == 1 else "grows: it diverges"
    )
    fate_zh = "变小：收敛" if size < 1 else "大小不变：振荡" if size == 1 else "变大：发散"
    sign_en = " and flips its sign each step" if factor < 0 else ""
    sign_zh = "，并且每一步都变号" if factor < 0 else ""
    says = both(
        f"Each step multiplies the distance to the minimum by 1 − η·f'' = 1 − {show(lr)}·{show(curvature)} = "
        f"{show(factor)}{sign_en}. Multiplied by {show(factor)} again and again, the distance {fate_en}.",
        f"每一步把到最小值的距离乘以 1 − η·f'' = 1 − {show(lr)}·{show(curvature)} = {show(factor)}{sign_zh}。"
        f"一再乘以 {show(factor)}，距离{fate_zh}。",
    )
    return [Misconception("learning_rate_factor", key, says) for key in ("converge", "oscillate", "diverge")]
