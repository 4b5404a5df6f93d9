"""Predicting what a learning rate does: converge, oscillate or diverge, against the bound 2/L."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.i18n import _
from tutor.mathinput import symbol
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _value,
)


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
    head = _("η = {lr} {compare} 2/L = {limit} (L = {L}, the steepest curvature of f)").format(
        lr=show(lr), compare=compare, limit=show(limit), L=show(L)
    )
    step = ""
    if one:
        size = abs(factor)
        fate = _("shrinks") if size < 1 else _("keeps its size") if size == 1 else _("grows")
        step = _(": each step multiplies the distance to the minimum by 1 − ηL = {factor}, so it {fate}").format(
            factor=show(factor), fate=fate
        )
    rule = _(
        "Below 2/L gradient descent converges; exactly at 2/L it bounces between two points; above it, it diverges."
    )
    says = _("{head}{step}. {rule}").format(head=head, step=step, rule=rule)
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
    if size < 1:
        fate = _("shrinks: it converges")
    elif size == 1:
        fate = _("keeps its size: it oscillates")
    else:
        fate = _("grows: it diverges")
    sign = _(" and flips its sign each step") if factor < 0 else ""
    says = _(
        "Each step multiplies the distance to the minimum by 1 − η·f'' = 1 − {lr}·{curvature} = "
        "{factor}{sign}. Multiplied by {factor} again and again, the distance {fate}."
    ).format(lr=show(lr), curvature=show(curvature), factor=show(factor), sign=sign, fate=fate)
    return [Misconception("learning_rate_factor", key, says) for key in ("converge", "oscillate", "diverge")]
