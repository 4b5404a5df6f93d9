"""Derivative slips, made on the derivation tree: f'(x), ∂f/∂v, ∇f, and their values at a point."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sympy as sp

from tutor.derivation import (
    ChainRule,
    ConstantRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    Rule,
    derive_steps,
    show,
)
from tutor.i18n import _
from tutor.mathinput import symbol
from tutor.misconceptions.common import (
    Asked,
    Misconception,
    _at,
    _gradient_at,
    _point,
    _points,
    _slope,
    _sub,
    _value,
    _vec,
    _vector,
)
from tutor.text import Text

# --- derivative slips, made on the derivation tree -------------------------------------------------

Fault = Callable[..., "sp.Expr | None"]


def refold(rule: Rule, faults: Mapping[type, Fault]) -> sp.Expr:
    """The derivative again, with some rules replaced by faulty ones (None: apply the rule as it is)."""
    parts = [refold(sub, faults) for sub in rule.substeps]
    fault = faults.get(type(rule))
    if fault is not None:
        wrong = fault(rule, *parts)
        if wrong is not None:
            return wrong
    return rule.combine(*parts)


#: The kind of derivation node a slip breaks.
R = TypeVar("R", bound=Rule)


@dataclass(frozen=True)
class _Slip(Generic[R]):
    """One broken idea about derivatives: which rule it breaks and how, and what to say."""

    name: str
    rule: type[R]
    fault: Fault
    says: Callable[[R, str], Text]  # (the first node it breaks, the wrong answer shown) -> text


def _power_example(node: PowerRule) -> str:
    return f"d/d{node.variable} {show(node.expr)} = {show(node.result)}"


def _say_factor(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return _(
        "That is {wrong}: you lowered the power but did not bring the exponent down as a factor. The power rule multiplies by the exponent, then lowers it by one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex})."
    ).format(wrong=wrong, ex=ex)


def _say_not_lowered(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return _(
        "That is {wrong}: you multiplied by the exponent but kept the power as it was. The power rule also lowers the power by one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex})."
    ).format(wrong=wrong, ex=ex)


def _say_lowered_by_two(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return _(
        "That is {wrong}: you brought the exponent down but lowered the power by two. The power rule lowers it by exactly one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex})."
    ).format(wrong=wrong, ex=ex)


def _say_chain(node: ChainRule, wrong: str) -> Text:
    inside, inside_d = show(node.inner), show(node.inner_step.result)
    return _(
        "That is {wrong}: you differentiated the outer function but did not multiply by the derivative of the inside. Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x); here the inside is {inside}, whose derivative is {inside_d}."
    ).format(wrong=wrong, inside=inside, inside_d=inside_d)


def _say_product(node: ProductRule, wrong: str) -> Text:
    return _(
        "That is {wrong}: the derivative of a product is not the product of the derivatives. Product rule: (f·g)' = f'·g + f·g'."
    ).format(wrong=wrong)


def _say_quotient(node: QuotientRule, wrong: str) -> Text:
    return _(
        "That is {wrong}: the numerator of the quotient rule is the other way round. (f/g)' = (f'·g − f·g')/g²: the derivative of the top comes first."
    ).format(wrong=wrong)


def _say_constant(node: ConstantRule, wrong: str) -> Text:
    x = node.variable.name
    held = node.held
    if held:
        names = ", ".join(held)
        return _(
            "That is {wrong}: you kept a term without {x}. For ∂f/∂{x}, {names} is held constant, so a term like {expr} is a constant and its derivative is 0."
        ).format(wrong=wrong, x=x, names=names, expr=show(node.expr))
    return _(
        "That is {wrong}: you kept the constant term {expr}. A constant does not change, so its derivative is 0."
    ).format(wrong=wrong, expr=show(node.expr))


SLIPS: tuple[_Slip[Any], ...] = (
    _Slip(
        "exponent_factor_forgotten",
        PowerRule,
        lambda r: r.variable ** (r.exponent - 1) if r.exponent not in (0, 1) else None,
        _say_factor,
    ),
    _Slip(
        "power_not_lowered",
        PowerRule,
        lambda r: r.exponent * r.variable**r.exponent if r.exponent not in (0, 1) else None,
        _say_not_lowered,
    ),
    _Slip(
        "power_lowered_by_two",
        PowerRule,
        # n·x^(n-2): only where it cannot be mistaken for a value (n > 2 keeps the variable in it)
        lambda r: r.exponent * r.variable ** (r.exponent - 2) if r.exponent.is_Integer and r.exponent > 2 else None,
        _say_lowered_by_two,
    ),
    _Slip("chain_rule_forgotten", ChainRule, lambda r, outer_d, inner_d: outer_d.xreplace({r.u: r.inner}), _say_chain),
    _Slip("product_of_derivatives", ProductRule, lambda r, left_d, right_d: left_d * right_d, _say_product),
    _Slip(
        "quotient_rule_reversed",
        QuotientRule,
        lambda r, top_d, bottom_d: (r.numerator * bottom_d - top_d * r.denominator) / r.denominator**2,
        _say_quotient,
    ),
    _Slip("constant_kept", ConstantRule, lambda r: r.expr if r.expr != 0 else None, _say_constant),
)


def _slipped(f: sp.Expr, variable: str) -> list[tuple[_Slip[Any], Rule, sp.Expr]]:
    """(slip, the node it breaks, the wrong derivative) for each slip that applies to ∂f/∂variable."""
    tree = derive_steps(f, variable)
    out = []
    for slip in SLIPS:
        node = _first_faulty(tree, slip)
        if node is None:
            continue
        out.append((slip, node, refold(tree, {slip.rule: slip.fault})))
    return out


def _first_faulty(tree: Rule, slip: _Slip[Any]) -> Rule | None:
    """The first node the slip really changes (for 2x² + 7m³ lowered by two, the 7m³ term, never x²)."""
    for node, _depth in tree.walk():
        if not isinstance(node, slip.rule):
            continue
        try:
            wrong = slip.fault(node, *(sub.result for sub in node.substeps))
        except (TypeError, ValueError, ArithmeticError, AttributeError):
            continue
        if wrong is not None and wrong != node.result:
            return node
    return None


# --- derive: "what is f'(x)?", "what is ∂f/∂z?", "what is the gradient?" -----------------------


def _of(context: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    variables = tuple(context.get("variables") or ())
    of = context.get("of") or (variables[0] if len(variables) == 1 else "gradient")
    return variables, of


def _derive(
    question: Asked, context: Mapping[str, Any], point: Mapping[str, sp.Expr] | None = None
) -> list[Misconception]:
    """Slips in f' (or ∂f/∂v, or ∇f); with ``point``, the same slips evaluated there."""
    f = context["function"]
    variables, of = _of(context)
    targets = variables if of == "gradient" else (of,)
    where = _point(variables, point) if point is not None else ""

    def value(exprs: Sequence[sp.Expr]) -> Any:
        if point is not None:
            exprs = [_at(e, variables, point) for e in exprs]
        return tuple(exprs) if of == "gradient" else exprs[0]

    def shown(exprs: Sequence[sp.Expr]) -> str:
        formula = _vector(exprs)
        if point is None:
            return formula
        return _("{formula} at {where}, which is {value}").format(
            formula=formula, where=where, value=_vector(_vec(value(exprs)))
        )

    def says(slip: _Slip[Any], node: Rule, exprs: Sequence[sp.Expr]) -> Text:
        return slip.says(node, shown(exprs))

    out: list[Misconception] = []
    per_variable = {v: _slipped(f, v) for v in targets}
    for slip in SLIPS:  # the same slip in every component asked for
        wrong, node = [], None
        for v in targets:
            found = next(((n, w) for s, n, w in per_variable[v] if s is slip), None)
            if found is None:
                wrong.append(sp.diff(f, symbol(v)))
            else:  # the node named is one this slip changes, in the first component it changes
                node = node or found[0]
                wrong.append(found[1])
        if node is not None:
            out.append(Misconception(slip.name, value(wrong), says(slip, node, wrong)))

    if of != "gradient" and len(variables) > 1:
        out += [Misconception(m.name, value([m.value]), m.says) for m in _wrong_variable(f, variables, of)]
        held = _held_differentiated(f, variables, of)
        out.append(Misconception(held.name, value([held.value]), held.says))
    if of == "gradient" and len(variables) > 1:
        out += [Misconception(m.name, value(m.value), m.says) for m in _gradient_order(f, variables)]
    return out


def _wrong_variable(f: sp.Expr, variables: Sequence[str], of: str) -> list[Misconception]:
    out = []
    for w in variables:
        if w == of:
            continue
        others = ", ".join(v for v in variables if v != of)
        says = _(
            "That is ∂f/∂{w}: you differentiated with respect to {w}. The question asks for ∂f/∂{of}: differentiate with respect to {of}, holding {others} constant."
        ).format(w=w, of=of, others=others)
        out.append(Misconception(f"partial_wrong_variable_{w}", sp.diff(f, symbol(w)), says))
    return out


def _held_differentiated(f: sp.Expr, variables: Sequence[str], of: str) -> Misconception:
    others = [v for v in variables if v != of]
    names = ", ".join(others)
    total = sp.Add(*(sp.diff(f, symbol(v)) for v in variables))
    says = _(
        "That is {total}: you differentiated the terms in {names} as well, as if each were the variable. For ∂f/∂{of} the other variables are held constant, so a term with only {names} in it gives 0."
    ).format(total=show(total), names=names, of=of)
    return Misconception("held_variables_differentiated", total, says)


def _gradient_order(f: sp.Expr, variables: Sequence[str]) -> list[Misconception]:
    grad = tuple(sp.diff(f, symbol(v)) for v in variables)
    order = ", ".join(f"∂f/∂{v}" for v in variables)
    says = _(
        "Those are the right partial derivatives in the wrong order. The gradient lists them in the order of the variables ({variables}): ({order})."
    ).format(variables=", ".join(variables), order=order)
    return [
        Misconception("gradient_order", grad[::-1], says),
        Misconception("gradient_order", grad[1:] + grad[:1], says),
        Misconception("gradient_order", grad[-1:] + grad[:-1], says),
    ]


# --- evaluate: f, ∂f/∂v or the gradient at a point ------------------------------------------------


def _evaluate(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    f = context["function"]
    variables, _of_what = _of(context)
    what = context["what"]
    point = _points(variables, context["at"])
    where = _point(variables, point)
    value_f = _at(f, variables, point)
    out: list[Misconception] = []
    if what == "value":
        grad = _gradient_at(f, variables, point)
        says = _(
            "That is the slope at {where}, {grad}, not the value. The question asks for f itself there: put the numbers into f."
        ).format(where=where, grad=_vector(grad))
        out.append(Misconception("derivative_instead_of_value", grad if len(grad) > 1 else grad[0], says))
        out += _negative_squares([f], variables, point)
        return out

    of = "gradient" if what == "gradient" else (context.get("of") or variables[0])
    says = _(
        "That is f at {where} = {value_f}, the value of the function. The question asks for the slope there: differentiate first, then put in the numbers."
    ).format(where=where, value_f=show(value_f))
    out.append(Misconception("function_instead_of_derivative", value_f, says))
    out += _derive(question, {"function": f, "variables": variables, "of": of}, point)
    targets = variables if of == "gradient" else (of,)
    out += _negative_squares([sp.diff(f, symbol(v)) for v in targets], variables, point)
    return out


def _negative_squares(exprs: Sequence[sp.Expr], variables: Sequence[str], point: Mapping[str, Any]) -> list[Any]:
    """(−a)² taken as −a²: every even power of a base that is negative at the point, with its sign flipped."""
    at = {symbol(v): _value(point[v]) for v in variables}
    first: list[sp.Expr] = []

    def negative_even(e: sp.Basic) -> bool:
        if not (e.is_Pow and e.exp.is_Integer and e.exp > 0 and e.exp % 2 == 0):
            return False
        base = e.base.xreplace(at)
        if base.is_number and base.is_negative:
            first.append(base)
            return True
        return False

    wrong = [e.replace(negative_even, lambda e: -e) for e in exprs]
    if not first or all(w == e for w, e in zip(wrong, exprs)):
        return []
    values = [w.xreplace(at) for w in wrong]
    b = first[0]
    says = _(
        "That takes the square of a negative number as negative: ({b})² = {b2}, not {value}. The square of a negative number is positive; put a negative number in with its brackets."
    ).format(b=show(b), b2=show(b**2), value=show(-(b**2)))
    return [Misconception("negative_square", tuple(values) if len(values) > 1 else values[0], says)]


# --- one descent iteration ------------------------------------------------------------------------


def _iteration_derivative(question: Asked, context: Mapping[str, Any]) -> list[Misconception]:
    """f'(x_k) (or ∇f(x_k)) at the current iterate."""
    f = context["function"]
    variables = tuple(context["variables"])
    k = int(context.get("k", 0))
    point = _points(variables, context["point"])
    name = variables[0] if len(variables) == 1 else "x"
    here = _sub(name, k)
    slope = _slope(variables)[0]
    out: list[Misconception] = []

    value = _at(f, variables, point)
    out.append(
        Misconception(
            "function_instead_of_derivative",
            value,
            _(
                "That is f({here}) = {value}, the height of the curve. The step needs its slope: {slope}({here})."
            ).format(here=here, value=show(value), slope=slope),
        )
    )
    previous = context.get("previous_point")
    if previous is not None and k > 0:
        before = _gradient_at(f, variables, _points(variables, previous))
        there = _sub(name, k - 1)
        out.append(
            Misconception(
                "wrong_point_previous",
                before,
                _(
                    "That is {slope}({there}) = {before}, the slope at the previous point. Evaluate at the current point {here} = {point}."
                ).format(slope=slope, there=there, before=_vector(before), here=here, point=_vector(_vec(point))),
            )
        )
    zero = {v: sp.S.Zero for v in variables}
    at_zero = _gradient_at(f, variables, zero)
    out.append(
        Misconception(
            "wrong_point_zero",
            at_zero,
            _("That is {slope}(0) = {at_zero}, the slope at 0. Evaluate at the current point {here} = {point}.").format(
                slope=slope, at_zero=_vector(at_zero), here=here, point=_vector(_vec(point))
            ),
        )
    )
    of = "gradient" if len(variables) > 1 else variables[0]
    out += _derive(question, {"function": f, "variables": variables, "of": of}, point)
    return out
