"""The typical wrong answers to a question, computed by the engine, and what each one means.

An author lists the wrong answers they expect; the engine knows the usual
ones anyway, from the question's kind, skill and context (see
:class:`tutor.walkthrough.Question`): it recomputes the answer with one idea
broken (the power rule without its factor, a step WITH the gradient, no
learning rate, f instead of f', the wrong variable, the wrong point, one
iterate too few or too many, the direction reversed, ...).  A learner's wrong
answer equal to one of those values gets the explanation of that idea.

Derivative slips are made on the derivation tree of :mod:`tutor.derivation`:
the tree is folded again with one rule replaced by its faulty version, so
every function the engine can differentiate has its misconceptions too.

A misconception whose value equals the right answer is never offered (for
x² + 3 "forgetting the constant's derivative is 0" changes nothing at x = 0,
say), so a right answer is never explained as a mistake.  The grader calls
:func:`explain` only after the author's own feedback did not match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

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
from tutor.mathtext import symbol
from tutor.text import Text, both
from tutor.walkthrough.contract import context_fields


@dataclass(frozen=True)
class Misconception:
    """A wrong answer the engine expects, and what it says about the learner's idea."""

    name: str  # e.g. "with_gradient", "exponent_factor_forgotten"
    value: Any  # the wrong answer, in the question's shape (expression, tuple, or choice key)
    says: Text


def explain(question, value: Any) -> Text | None:
    """What the learner's wrong ``value`` means, if it is a known misconception; else None."""
    if value is None:
        return None
    value = _scalar(value)
    for m in candidates(question):
        if _same(m.value, value, question.tolerance):
            return m.says
    return None


def candidates(question) -> list[Misconception]:
    """Every misconception for this question whose answer differs from the right one (first one wins)."""
    context = context_fields(question.context)  # the typed context's fields, read by name below
    builder = _builder(question, context)
    if builder is None:
        return []
    try:
        found = builder(question, context)
    except (ValueError, TypeError, ZeroDivisionError, KeyError, IndexError, AttributeError, ArithmeticError):
        return []  # a context the engine cannot work with: no generated feedback, never a crash
    expected = _scalar(question.expected)
    out: list[Misconception] = []
    for m in found:
        value = _scalar(m.value)
        if value is None or _undefined(value):
            continue
        if _same(value, expected, question.tolerance):
            continue
        if any(_same(value, kept.value, None) for kept in out):
            continue
        out.append(Misconception(m.name, value, m.says))
    return out


def _builder(question, context: Mapping[str, Any]) -> Callable | None:
    """Which kind of question this is, from what the engine put in its context."""
    if "bracket" in context:
        return _bracket
    if "previous_gradient" in context:
        return _sign_change
    if "model" in context:
        return _training
    if "learning_rate" in context and "point" in context:
        return _next_iterate
    if "learning_rate" in context and "bound" in context:
        return _predict
    if "function" in context and "point" in context:
        return _iteration_derivative
    if "function" in context:
        what = context.get("what")
        if what in ("value", "derivative", "gradient") and context.get("at") is not None:
            return _evaluate
        return _derive
    if "gradient" in context:
        return _direction
    return None


def _bracket(question, context) -> list[Misconception]:
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


# --- comparing answers ----------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A one-element vector is its element (a learner may type [10] for 10)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return _scalar(value[0])
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool):
        return _value(value)
    return value


def _undefined(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_undefined(v) for v in value)
    return isinstance(value, sp.Basic) and value.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I)


def _same(a: Any, b: Any, tolerance: float | None) -> bool:
    """Equal answers: the same choice, or equivalent expressions (within a tolerance for numbers)."""
    a, b = _scalar(a), _scalar(b)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same(x, y, tolerance) for x, y in zip(a, b))
        )
    if not isinstance(a, sp.Basic) or not isinstance(b, sp.Basic):
        return a == b
    if a == b:
        return True
    difference = a - b
    if difference.is_number:
        if tolerance is not None:
            try:
                return abs(float(difference)) <= tolerance
            except TypeError:
                return False
        return difference.is_zero is True or sp.simplify(difference) == 0
    if _differs_somewhere(difference):
        return False
    return sp.expand(difference) == 0 or sp.simplify(difference) == 0


#: Points where a difference of expressions is tried before any simplification (most wrong answers differ at once).
_PROBES = (sp.Rational(7, 10), sp.Rational(-13, 10), sp.Rational(23, 10))


def _differs_somewhere(difference: sp.Expr) -> bool:
    """True when the difference is clearly non-zero at some probe point (a cheap, certain "not equal")."""
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    for shift, probe in enumerate(_PROBES):
        point = {s: _PROBES[(shift + i) % len(_PROBES)] + i * sp.Rational(1, 7) for i, s in enumerate(symbols)}
        try:
            value = complex(difference.xreplace(point).evalf(30))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if value != value or abs(value) == float("inf"):  # nan or inf: the probe told us nothing
            continue
        if abs(value) > 1e-12:
            return True
    return False


# --- small pieces of wording ---------------------------------------------------------------------

_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def _sub(name: str, k: int) -> str:
    """x₃: a variable at iteration k."""
    return f"{name}{str(k).translate(_SUBSCRIPTS)}"


def _vector(values: Sequence[Any]) -> str:
    values = tuple(values)
    return show(values[0]) if len(values) == 1 else "(" + ", ".join(show(v) for v in values) + ")"


def _value(v: Any) -> sp.Expr:
    """An engine value as a sympy number: never parses text (that only happens in tutor.mathtext)."""
    if isinstance(v, sp.Basic):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
        raise TypeError(f"not a number: {type(v).__name__}")
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    return sp.Integer(v) if isinstance(v, int) else sp.Float(v)


def _point(variables: Sequence[str], point: Mapping[str, Any]) -> str:
    return ", ".join(f"{v} = {show(_value(point[v]))}" for v in variables)


def _slope(variables: Sequence[str]) -> tuple[str, str]:
    """The name of the slope in both languages' formulas: f' for one variable, ∇f for several."""
    return ("f'", "f'") if len(variables) == 1 else ("∇f", "∇f")


def _at(f: sp.Expr, variables: Sequence[str], point: Mapping[str, Any]) -> sp.Expr:
    return f.xreplace({symbol(v): _value(point[v]) for v in variables})


def _gradient_at(f: sp.Expr, variables: Sequence[str], point: Mapping[str, Any]) -> tuple[sp.Expr, ...]:
    return tuple(_at(sp.diff(f, symbol(v)), variables, point) for v in variables)


def _points(variables: Sequence[str], values: Any) -> dict[str, sp.Expr]:
    """A point as a mapping, from a mapping, a tuple in the variables' order, or one number."""
    if isinstance(values, Mapping):
        return {v: _value(values[v]) for v in variables}
    if isinstance(values, (tuple, list)):
        return {v: _value(x) for v, x in zip(variables, values)}
    return {variables[0]: _value(values)}


def _vec(values: Any) -> tuple[sp.Expr, ...]:
    if isinstance(values, Mapping):
        return tuple(_value(x) for x in values.values())
    if isinstance(values, (tuple, list)):
        return tuple(_value(x) for x in values)
    return (_value(values),)


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


def _first(rule: Rule, kind: type) -> Rule | None:
    return next((node for node, _ in rule.walk() if isinstance(node, kind)), None)


@dataclass(frozen=True)
class _Slip:
    """One broken idea about derivatives: which rule it breaks and how, and what to say."""

    name: str
    rule: type
    fault: Fault
    says: Callable[[Rule, str], Text]  # (the first node it breaks, the wrong answer shown) -> text


def _power_example(node: PowerRule) -> str:
    return f"d/d{node.variable} {show(node.expr)} = {show(node.result)}"


def _say_factor(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return both(
        f"That is {wrong}: you lowered the power but did not bring the exponent down as a factor. "
        f"The power rule multiplies by the exponent, then lowers it by one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex}).",
        f"这是 {wrong}：你把幂次减了 1，却没有把指数拿下来作系数。"
        f"幂法则先乘以指数，再把幂次减 1：d/dx xⁿ = n·xⁿ⁻¹（这里 {ex}）。",
    )


def _say_not_lowered(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return both(
        f"That is {wrong}: you multiplied by the exponent but kept the power as it was. "
        f"The power rule also lowers the power by one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex}).",
        f"这是 {wrong}：你乘了指数，但幂次没有减 1。幂法则还要把幂次减 1：d/dx xⁿ = n·xⁿ⁻¹（这里 {ex}）。",
    )


def _say_lowered_by_two(node: PowerRule, wrong: str) -> Text:
    ex = _power_example(node)
    return both(
        f"That is {wrong}: you brought the exponent down but lowered the power by two. "
        f"The power rule lowers it by exactly one: d/dx xⁿ = n·xⁿ⁻¹ (here {ex}).",
        f"这是 {wrong}：你把指数拿下来了，但幂次减了 2。幂法则只把幂次减 1：d/dx xⁿ = n·xⁿ⁻¹（这里 {ex}）。",
    )


def _say_chain(node: ChainRule, wrong: str) -> Text:
    inside, inside_d = show(node.inner), show(node.inner_step.result)
    return both(
        f"That is {wrong}: you differentiated the outer function but did not multiply by the derivative of the inside. "
        f"Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x); here the inside is {inside}, whose derivative is {inside_d}.",
        f"这是 {wrong}：你只对外层函数求了导，没有乘以内层函数的导数。"
        f"链式法则：d/dx f(g(x)) = f'(g(x))·g'(x)；这里内层是 {inside}，它的导数是 {inside_d}。",
    )


def _say_product(node: ProductRule, wrong: str) -> Text:
    return both(
        f"That is {wrong}: the derivative of a product is not the product of the derivatives. "
        f"Product rule: (f·g)' = f'·g + f·g'.",
        f"这是 {wrong}：乘积的导数不等于导数的乘积。乘积法则：(f·g)' = f'·g + f·g'。",
    )


def _say_quotient(node: QuotientRule, wrong: str) -> Text:
    return both(
        f"That is {wrong}: the numerator of the quotient rule is the other way round. "
        f"(f/g)' = (f'·g − f·g')/g²: the derivative of the top comes first.",
        f"这是 {wrong}：商法则分子的两项顺序反了。(f/g)' = (f'·g − f·g')/g²：分子的导数在前。",
    )


def _say_constant(node: ConstantRule, wrong: str) -> Text:
    x = node.variable.name
    held = node.held
    if held:
        names = ", ".join(held)
        return both(
            f"That is {wrong}: you kept a term without {x}. For ∂f/∂{x}, {names} is held constant, "
            f"so a term like {show(node.expr)} is a constant and its derivative is 0.",
            f"这是 {wrong}：你保留了不含 {x} 的项。求 ∂f/∂{x} 时 {names} 视为常数，"
            f"所以像 {show(node.expr)} 这样的项是常数，导数为 0。",
        )
    return both(
        f"That is {wrong}: you kept the constant term {show(node.expr)}. A constant does not change, so its derivative is 0.",
        f"这是 {wrong}：你保留了常数项 {show(node.expr)}。常数不变化，它的导数是 0。",
    )


SLIPS: tuple[_Slip, ...] = (
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


def _slipped(f: sp.Expr, variable: str) -> list[tuple[_Slip, Rule, sp.Expr]]:
    """(slip, the node it breaks, the wrong derivative) for each slip that applies to ∂f/∂variable."""
    tree = derive_steps(f, variable)
    out = []
    for slip in SLIPS:
        node = _first(tree, slip.rule)
        if node is None:
            continue
        out.append((slip, node, refold(tree, {slip.rule: slip.fault})))
    return out


# --- derive: "what is f'(x)?", "what is ∂f/∂z?", "what is the gradient?" -----------------------


def _of(context: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    variables = tuple(context.get("variables") or ())
    of = context.get("of") or (variables[0] if len(variables) == 1 else "gradient")
    return variables, of


def _derive(question, context, point: Mapping[str, sp.Expr] | None = None) -> list[Misconception]:
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
        return f"{formula} at {where}, which is {_vector(_vec(value(exprs)))}"

    out: list[Misconception] = []
    per_variable = {v: _slipped(f, v) for v in targets}
    for slip in SLIPS:  # the same slip in every component asked for
        wrong, node = [], None
        for v in targets:
            found = next(((n, w) for s, n, w in per_variable[v] if s is slip), None)
            if found is None:
                wrong.append(sp.diff(f, symbol(v)))
            else:
                node = node or found[0]
                wrong.append(found[1])
        if node is not None:
            out.append(Misconception(slip.name, value(wrong), slip.says(node, shown(wrong))))

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
        says = both(
            f"That is ∂f/∂{w}: you differentiated with respect to {w}. The question asks for ∂f/∂{of}: "
            f"differentiate with respect to {of}, holding {others} constant.",
            f"这是 ∂f/∂{w}：你对 {w} 求了导。题目要的是 ∂f/∂{of}：对 {of} 求导，把 {others} 视为常数。",
        )
        out.append(Misconception(f"partial_wrong_variable_{w}", sp.diff(f, symbol(w)), says))
    return out


def _held_differentiated(f: sp.Expr, variables: Sequence[str], of: str) -> Misconception:
    others = [v for v in variables if v != of]
    names = ", ".join(others)
    total = sp.Add(*(sp.diff(f, symbol(v)) for v in variables))
    says = both(
        f"That is {show(total)}: you differentiated the terms in {names} as well, as if each were the variable. "
        f"For ∂f/∂{of} the other variables are held constant, so a term with only {names} in it gives 0.",
        f"这是 {show(total)}：你把含 {names} 的项也求了导，好像它们也是自变量。"
        f"求 ∂f/∂{of} 时其他变量视为常数，只含 {names} 的项导数为 0。",
    )
    return Misconception("held_variables_differentiated", total, says)


def _gradient_order(f: sp.Expr, variables: Sequence[str]) -> list[Misconception]:
    grad = tuple(sp.diff(f, symbol(v)) for v in variables)
    order = ", ".join(f"∂f/∂{v}" for v in variables)
    says = both(
        f"Those are the right partial derivatives in the wrong order. The gradient lists them in the order of "
        f"the variables ({', '.join(variables)}): ({order}).",
        f"这些偏导数都对，但顺序错了。梯度按变量的顺序（{', '.join(variables)}）排列：({order})。",
    )
    return [
        Misconception("gradient_order", grad[::-1], says),
        Misconception("gradient_order", grad[1:] + grad[:1], says),
        Misconception("gradient_order", grad[-1:] + grad[:-1], says),
    ]


# --- evaluate: f, ∂f/∂v or the gradient at a point ------------------------------------------------


def _evaluate(question, context) -> list[Misconception]:
    f = context["function"]
    variables, _ = _of(context)
    what = context["what"]
    point = _points(variables, context["at"])
    where = _point(variables, point)
    value_f = _at(f, variables, point)
    out: list[Misconception] = []
    if what == "value":
        grad = _gradient_at(f, variables, point)
        says = both(
            f"That is the slope at {where}, {_vector(grad)}, not the value. The question asks for f itself there: "
            f"put the numbers into f.",
            f"这是 {where} 处的导数（斜率）{_vector(grad)}，不是函数值。题目要的是 f 本身在该点的值：把数代入 f。",
        )
        out.append(Misconception("derivative_instead_of_value", grad if len(grad) > 1 else grad[0], says))
        return out

    of = "gradient" if what == "gradient" else (context.get("of") or variables[0])
    says = both(
        f"That is f at {where} = {show(value_f)}, the value of the function. The question asks for the slope there: "
        f"differentiate first, then put in the numbers.",
        f"这是 f 在 {where} 处的函数值 {show(value_f)}。题目要的是该点的斜率：先求导，再代入数值。",
    )
    out.append(Misconception("function_instead_of_derivative", value_f, says))
    out += _derive(question, {"function": f, "variables": variables, "of": of}, point)
    return out


# --- one descent iteration ------------------------------------------------------------------------


def _iteration_derivative(question, context) -> list[Misconception]:
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
            both(
                f"That is f({here}) = {show(value)}, the height of the curve. The step needs its slope: {slope}({here}).",
                f"这是 f({here}) = {show(value)}，是函数值（曲线的高度）。这一步需要的是斜率：{slope}({here})。",
            ),
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
                both(
                    f"That is {slope}({there}) = {_vector(before)}, the slope at the previous point. "
                    f"Evaluate at the current point {here} = {_vector(_vec(point))}.",
                    f"这是 {slope}({there}) = {_vector(before)}，是上一个点的斜率。应该在当前点 {here} = {_vector(_vec(point))} 处求值。",
                ),
            )
        )
    zero = {v: sp.S.Zero for v in variables}
    at_zero = _gradient_at(f, variables, zero)
    out.append(
        Misconception(
            "wrong_point_zero",
            at_zero,
            both(
                f"That is {slope}(0) = {_vector(at_zero)}, the slope at 0. Evaluate at the current point {here} = {_vector(_vec(point))}.",
                f"这是 {slope}(0) = {_vector(at_zero)}，是 0 处的斜率。应该在当前点 {here} = {_vector(_vec(point))} 处求值。",
            ),
        )
    )
    of = "gradient" if len(variables) > 1 else variables[0]
    out += _derive(question, {"function": f, "variables": variables, "of": of}, point)
    return out


def _next_iterate(question, context) -> list[Misconception]:
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


def _vec_in_order(values: Any, variables: Sequence[str]) -> Any:
    if isinstance(values, Mapping):
        return tuple(values[v] for v in variables)
    return values


# --- direction and sign change --------------------------------------------------------------------

_OPPOSITE = {"increase": "decrease", "decrease": "increase"}


def _direction(question, context) -> list[Misconception]:
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


def _sign_change(question, context) -> list[Misconception]:
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


# --- predict: will it converge, oscillate or diverge? ------------------------------------------


def _predict(question, context) -> list[Misconception]:
    """Judging the learning rate against the stability bound 2/L (exact for a quadratic)."""
    bound = context.get("bound")
    if bound is None or getattr(bound, "scope", None) != "quadratic":
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


# --- one training step ------------------------------------------------------------------------------


def _training(question, context) -> list[Misconception]:
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

    def grad(indices, factor=2, mean=True, sign=1):
        m = len(indices)
        return tuple(
            (sp.Rational(factor, m) if mean else factor)
            * sum(sign * (predict[i] - ys[i]) * slopes[p].xreplace({**at, x: xs[i]}) for i in indices)
            for p in parameters
        )

    right = grad(used)
    out: list[Misconception] = []

    def add(key: str, value, en: str, zh: str) -> None:
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


def _training_part(question) -> str:
    """predict / loss / gradient / update: from the question id's last part, else the skill."""
    if question.skill == "batch":
        return "batch"
    tail = str(question.id).rsplit(".", 1)[-1]
    for part in ("predict", "loss", "gradient", "update"):
        if part in tail:
            return part
    return ""


__all__ = ["SLIPS", "Misconception", "candidates", "explain", "refold"]
