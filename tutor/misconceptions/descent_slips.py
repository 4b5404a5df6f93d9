"""One step of descent: the next iterate, the direction, the sign change and the interval it brackets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from tutor.derivation import show
from tutor.i18n import _
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


def _bracket(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """The interval the sign change brackets, written the wrong way round."""
    a, b = context["bracket"]
    low, high = (a, b) if a <= b else (b, a)
    return [
        Misconception(
            "interval_reversed",
            (high, low),
            _(
                "Those are the right two points, the wrong way round: an interval [a, b] starts at its low end, so a < b."
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

    def add(key: str, value: Sequence[sp.Expr], says: str) -> None:
        out.append(Misconception(key, tuple(value), says))

    add(
        "with_gradient",
        [a + lr * b for a, b in zip(x, g)],
        _(
            "That is {now} + η {slope}({now}): you moved WITH the gradient, uphill. Descent moves against it: {rule}."
        ).format(now=now, slope=slope, rule=rule),
    )
    add(
        "no_learning_rate",
        [a - b for a, b in zip(x, g)],
        _(
            "That is {now} − {slope}({now}): you left out the learning rate η = {lr}. The step is the gradient scaled by η: {rule}."
        ).format(now=now, slope=slope, lr=show(lr), rule=rule),
    )
    add(
        "step_only",
        [-lr * b for b in g],
        _(
            "That is −η {slope}({now}), the step itself. The new point is where the step takes you from {now}: {rule}."
        ).format(slope=slope, now=now, rule=rule),
    )
    add(
        "stayed",
        x,
        _(
            "That is {now}, the point you start this step from. The question asks for the next one, {then} = {now} − η {slope}({now})."
        ).format(now=now, then=then, slope=slope),
    )
    if f is not None:
        point = dict(zip(variables, x))
        value = _at(f, variables, point)
        add(
            "function_instead_of_gradient",
            [a - lr * value for a in x],
            _(
                "That is {now} − η f({now}): you used the value of f, {value}, instead of its slope. The step follows the derivative: {rule}."
            ).format(now=now, value=show(value), rule=rule),
        )
        nxt = [a - lr * b for a, b in zip(x, g)]
        g2 = _gradient_at(f, variables, dict(zip(variables, nxt)))
        add(
            "two_steps",
            [a - lr * b for a, b in zip(nxt, g2)],
            _("That is {after}: you took two steps. The question asks for one: {rule}.").format(after=after, rule=rule),
        )
        previous = context.get("previous_point")
        if previous is not None and k > 0:
            before = _gradient_at(f, variables, _points(variables, previous))
            there = _sub(name, k - 1)
            add(
                "gradient_at_previous_point",
                [a - lr * b for a, b in zip(x, before)],
                _(
                    "That uses {slope}({there}), the slope at the previous point. Each step uses the slope where you are now: {rule}."
                ).format(slope=slope, there=there, rule=rule),
            )
        at_zero = _gradient_at(f, variables, {v: 0 for v in variables})
        add(
            "gradient_at_zero",
            [a - lr * b for a, b in zip(x, at_zero)],
            _(
                "That uses {slope}(0) = {at_zero}, the slope at 0. Each step uses the slope where you are now: {rule}."
            ).format(slope=slope, at_zero=_vector(at_zero), rule=rule),
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
    parts = []
    for v, slope in zip(names, g):
        d = f"f'({v})" if one else f"∂f/∂{v}"
        if slope > 0:
            parts.append(
                _("{d} = {slope} > 0: f rises as {v} increases, so increasing {v} goes uphill; decrease {v}").format(
                    d=d, slope=show(slope), v=v
                )
            )
        elif slope < 0:
            parts.append(
                _("{d} = {slope} < 0: f falls as {v} increases, so decreasing {v} goes uphill; increase {v}").format(
                    d=d, slope=show(slope), v=v
                )
            )
    why = _("; ").join(parts)
    if any(s != 0 for s in g):
        out.append(
            Misconception(
                "direction_reversed",
                reversed_keys if not one else reversed_keys[0],
                _("That way is uphill. Gradient descent moves against the sign of the derivative: {why}.").format(
                    why=why
                ),
            )
        )
        stay = tuple("stay" if s != 0 else key for s, key in zip(g, keys))
        out.append(
            Misconception(
                "stay_on_a_slope",
                stay if not one else stay[0],
                _(
                    "The slope there is not 0, so this is not a flat point and gradient descent still moves: {why}."
                ).format(why=why),
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
                    _("{d} = 0: the slope is flat there, so a gradient step does not move {names}: stay.").format(
                        d=d, names=_(", ").join(flat)
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
            says = _(
                "The gradient went {went}: {partials} changed sign "
                "(one value positive, the other negative), so the minimum along it lies between the last two points."
            ).format(went=went, partials=_(", ").join(f"∂f/∂{v}" for v in changed_names or ["?"]))
        else:
            says = _(
                "The gradient went {went}: no partial derivative went from positive to negative or back, so no sign changed."
            ).format(went=went)
        return [Misconception("sign_change_confusion", other, says)]
    if changed:
        says = _(
            "f' went {went}: from one sign to the other, so its sign changed. The slope was downhill one way and is now downhill the other way: the minimum lies between the last two points."
        ).format(went=went)
    elif any(b == 0 for b in now):
        says = _(
            "f' went {went}: it reached 0 exactly, a flat point, but did not change sign. A sign change means one value is positive and the other negative."
        ).format(went=went)
    else:
        says = _(
            "f' went {went}: its size changed but its sign did not. A sign change means one value is positive and the other negative (their product is negative)."
        ).format(went=went)
    return [Misconception("sign_change_confusion", other, says)]
