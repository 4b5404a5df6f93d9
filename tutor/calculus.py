"""Exact calculus on trusted sympy expressions: the mathematics the tutor teaches.

Every function here takes expressions that already came through
:mod:`tutor.mathinput` and returns exact sympy values or small dataclasses.
Nothing here parses text, prints, or touches files; callers that work on
untrusted input run the expensive parts (``solve``, ``limit``) under
:func:`tutor.sandbox.run_bounded`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.mathinput import check_size_at, symbol


class MathError(TutorError):
    """The mathematics has no answer here (undefined, not differentiable, ...)."""


class TooLarge(MathError):
    """The exact value exists but has too many digits to compute (``x^x^x^x`` at x = 10)."""


Point = Mapping[str, sp.Expr]


def symbols_of(variables: Sequence[str]) -> tuple[sp.Symbol, ...]:
    return tuple(symbol(v) for v in variables)


def _no_delta(d: sp.Expr) -> sp.Expr:
    """sympy writes sign'(u) as 2·DiracDelta(u): 0 wherever a derivative exists (the jump at u = 0 has none)."""
    return d.replace(sp.DiracDelta, lambda *args: sp.S.Zero) if d.has(sp.DiracDelta) else d


def derivative(f: sp.Expr, variable: str) -> sp.Expr:
    """∂f/∂v, the other variables held constant."""
    return _no_delta(sp.diff(f, symbol(variable)))


def gradient(f: sp.Expr, variables: Sequence[str]) -> tuple[sp.Expr, ...]:
    """The vector of partial derivatives, in the variables' order."""
    return tuple(derivative(f, v) for v in variables)


def hessian(f: sp.Expr, variables: Sequence[str]) -> sp.Matrix:
    """The matrix of second partial derivatives (its curvature)."""
    return sp.hessian(f, symbols_of(variables)).applyfunc(_no_delta)


def describe_point(point: Point) -> str:
    return ", ".join(f"{name} = {sp.sstr(value)}" for name, value in point.items())


def exact_number(value: Any) -> sp.Expr:
    """A number as an exact sympy value; a float by its shortest decimal (0.1 is 1/10).

    Never text: strings must come through :mod:`tutor.mathinput` first.
    """
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (bool, str)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, float):
        return sp.Rational(repr(value)) if math.isfinite(value) else sp.nan
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.Integer(value)


def _substitution(point: Point) -> dict[sp.Symbol, sp.Expr]:
    return {symbol(name): exact_number(value) for name, value in point.items()}


def _why_undefined(f: sp.Expr, point: Point) -> str:
    """Name the part of f that has no real value at the point (for the message)."""
    subs = _substitution(point)
    for part in sp.preorder_traversal(f):
        if isinstance(part, sp.Pow) and part.exp.is_negative and sp.simplify(part.base.xreplace(subs)) == 0:
            return _("division by zero in {part}").format(part=sp.sstr(part))
        if isinstance(part, sp.log):
            arg = part.args[0].xreplace(subs)
            if arg.is_nonpositive:
                return _("log needs a positive argument, but {argument} = {value}").format(
                    argument=sp.sstr(part.args[0]), value=sp.sstr(arg)
                )
        if isinstance(part, sp.Pow) and part.exp == sp.Rational(1, 2):
            arg = part.base.xreplace(subs)
            if arg.is_negative:
                return _("sqrt needs a non-negative argument, but {argument} = {value}").format(
                    argument=sp.sstr(part.base), value=sp.sstr(arg)
                )
    return _("it has no real value there")


def evaluate(f: sp.Expr, point: Point, *, what: str = "f") -> sp.Expr:
    """The exact real value of f at the point, or a MathError saying why not."""
    try:  # x^x^x^x at x = 10: refused before sympy computes 10^10^10^10
        check_size_at(f, point, what)
    except TutorError as err:
        raise TooLarge(err.message) from None
    try:
        value = f.xreplace(_substitution(point))
    except (ValueError, TypeError, ArithmeticError, RecursionError) as err:  # sympy itself failed (huge numbers)
        raise MathError(
            _("{what} could not be evaluated at {point} ({error})").format(
                what=_(what), point=describe_point(point), error=type(err).__name__
            )
        ) from None
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or value.is_finite is False:
        raise MathError(
            _("{what} is undefined at {point}: {why}").format(
                what=_(what), point=describe_point(point), why=_why_undefined(f, point)
            )
        )
    if value.is_real is False or value.has(sp.I):
        raise MathError(
            _("{what} is not a real number at {point}: {why}").format(
                what=_(what), point=describe_point(point), why=_why_undefined(f, point)
            )
        )
    return value


def evaluate_vector(fs: Sequence[sp.Expr], point: Point, *, what: str = N_("the gradient")) -> tuple[sp.Expr, ...]:
    return tuple(evaluate(g, point, what=what) for g in fs)


def sign(value: sp.Expr) -> int:
    """The exact sign (-1, 0 or 1) of a real constant."""
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    approx = sp.N(value, 50)
    if approx == 0:
        return 0
    return 1 if approx > 0 else -1


def nondifferentiable_at(f: sp.Expr, point: Point) -> str | None:
    """Why f has no derivative at the point (a kink of abs), or None.

    ``diff(abs(x))`` is ``sign(x)``, and sympy says ``sign(0) = 0``: that is a
    subgradient, not a derivative, and the learner should be told so.
    """
    subs = _substitution(point)
    for part in sp.preorder_traversal(f):
        if isinstance(part, (sp.Abs, sp.sign)) and part.args[0].xreplace(subs) == 0:
            inner = sp.sstr(part.args[0])
            if isinstance(part, sp.sign):  # a jump, not a kink: no slope fits on both sides
                return _(
                    "{part} jumps from -1 to 1 where {inner} = 0: it has no slope there, "
                    "so the derivative rules give no slope for f at this point."
                ).format(part=sp.sstr(part), inner=inner)
            return _(
                "{part} is not differentiable where {inner} = 0: its slope is -1 on one side "
                "and +1 on the other. Any slope between -1 and 1 is a subgradient there; "
                "0 is one of them, so a kink like this can itself be the minimum."
            ).format(part=sp.sstr(part), inner=inner)
    return None


def sign_changes(
    previous: Sequence[sp.Expr] | Sequence[float],
    current: Sequence[sp.Expr] | Sequence[float],
    variables: Sequence[str],
) -> tuple[str, ...]:
    """The variables whose partial derivative went from + to - or - to +.

    For one variable this is the article's stop rule (f' has opposite signs at
    the two points); in several it says only that the step overshot along
    that coordinate (see :func:`tutor.descent.sign_change_message`).
    """
    changed = []
    for name, before, after in zip(variables, previous, current):
        if sign_any(before) * sign_any(after) < 0:
            changed.append(name)
    return tuple(changed)


def sign_any(value: Any) -> int:
    """The sign (-1, 0 or 1) of an exact value or a float."""
    if isinstance(value, sp.Basic):
        return sign(value)
    return (value > 0) - (value < 0)


_sign_any = sign_any  # the old private name, still used by the views


# --- stationary points --------------------------------------------------------------


@dataclass(frozen=True)
class StationaryPoint:
    """A point where the gradient is zero, and what kind of point it is."""

    point: dict[str, sp.Expr]
    kind: str  # "minimum" | "maximum" | "saddle" | "inconclusive"


def _classify_one_variable(f: sp.Expr, x: sp.Symbol, at: sp.Expr) -> str:
    """Higher-derivative test: the first non-zero derivative decides."""
    d = sp.diff(f, x)
    for order in range(2, 9):
        d = sp.diff(d, x)
        value = sp.simplify(d.xreplace({x: at}))
        s = sign(value) if value.is_number else None
        if s is None:
            return "inconclusive"
        if s == 0:
            continue
        if order % 2 == 1:
            return "saddle"  # an odd first non-zero derivative: an inflection point, not an extremum
        return "minimum" if s > 0 else "maximum"
    return "inconclusive"


def classify(f: sp.Expr, variables: Sequence[str], point: Point) -> str:
    """Minimum, maximum, saddle or inconclusive, from the Hessian at the point."""
    if len(variables) == 1:
        return _classify_one_variable(f, symbol(variables[0]), exact_number(point[variables[0]]))
    h = hessian(f, variables).xreplace(_substitution(point))
    eigen = [sp.N(v) for v, mult in h.eigenvals().items() for _ in range(mult)]
    if any(not v.is_real for v in eigen):
        return "inconclusive"
    if all(v > 0 for v in eigen):
        return "minimum"
    if all(v < 0 for v in eigen):
        return "maximum"
    if any(v > 0 for v in eigen) and any(v < 0 for v in eigen):
        return "saddle"
    return "inconclusive"


def _is_real_number(value: sp.Expr) -> bool:
    if value.is_real is not None:
        return bool(value.is_real)
    approx = sp.N(value, 30)
    return abs(sp.im(approx)) < 1e-20


def stationary_points(f: sp.Expr, variables: Sequence[str]) -> list[StationaryPoint]:
    """Real solutions of ∇f = 0 that sympy can find, each classified.

    Solving can be slow on untrusted input: run this under the sandbox.
    """
    syms = symbols_of(variables)
    grad = gradient(f, variables)
    if len(syms) == 1 and grad[0].is_polynomial(syms[0]) and not grad[0].is_zero:
        # exact real roots (CRootOf where radicals would hide them behind I)
        roots = sp.Poly(grad[0], syms[0]).real_roots() if sp.Poly(grad[0], syms[0]).degree() > 0 else []
        solutions = [{syms[0]: r} for r in dict.fromkeys(roots)]
    else:
        try:
            solutions = sp.solve(list(grad), list(syms), dict=True)
        except (NotImplementedError, ValueError):
            return []
    found = []
    for solution in solutions:
        if set(solution) != set(syms):
            continue  # a family of solutions (a flat valley): not a single point
        point = {v: solution[s] for v, s in zip(variables, syms)}
        if not all(_is_real_number(value) for value in point.values()):
            continue
        found.append(StationaryPoint(point, classify(f, variables, point)))
    found.sort(key=lambda p: [float(v) for v in p.point.values()])
    return found


def bounded_below(f: sp.Expr, variables: Sequence[str]) -> dict[str, bool | None]:
    """Along each variable (others held at 0), can f fall without limit?

    True: bounded below along it; False: it is not (x^3, 7m^3, -x^2); None:
    undecided.  A descent on an unbounded function can run away for ever.
    """
    result: dict[str, bool | None] = {}
    others = {symbol(v): 0 for v in variables}
    for name in variables:
        x = symbol(name)
        g = f.xreplace({s: 0 for s in others if s != x})
        poly = sp.Poly(g, x) if g.is_polynomial(x) else None
        if poly is not None and poly.degree() > 0:
            lead = poly.LC()
            if lead.is_number:
                result[name] = bool(poly.degree() % 2 == 0 and lead > 0)
                continue
        try:
            # only the directions where f is real (log(x) has no left side to fall down)
            probes = {sp.oo: sp.Integer(10**6), -sp.oo: sp.Integer(-(10**6))}
            ends = [end for end, probe in probes.items() if g.xreplace({x: probe}).is_real is not False]
            lows = [sp.limit(g, x, end) for end in ends]
        except (NotImplementedError, ValueError, TypeError):
            result[name] = None
            continue
        if any(v == -sp.oo for v in lows):
            result[name] = False
        elif all(v.is_finite or v == sp.oo for v in lows):
            result[name] = True
        else:
            result[name] = None
    return result


# --- the learning rate ----------------------------------------------------------------


@dataclass(frozen=True)
class LearningRateBound:
    """Plain gradient descent is stable for 0 < lr < 2/L.

    For a quadratic with a minimum the Hessian is constant and L, its largest
    eigenvalue, is the steepest curvature of f anywhere: the bound holds
    everywhere.  Otherwise L is the largest eigenvalue of the Hessian at one
    minimum (``at``): a local curvature, and a local bound that says nothing
    of the descent far from that minimum.
    """

    curvature: sp.Expr  # L
    bound: sp.Expr  # 2/L
    scope: str  # "quadratic" (everywhere) | "local" (near the minimum at `at`)
    at: dict[str, sp.Expr] | None = None

    @property
    def one_step(self) -> sp.Expr:
        """lr = 1/L lands on the minimum of a one-variable quadratic in one step."""
        return 1 / self.curvature


def _largest_eigenvalue(h: sp.Matrix) -> sp.Expr | None:
    values = [v for v in h.eigenvals()]
    if not values or not all(v.is_real for v in values):
        return None
    return max(values, key=lambda v: float(sp.N(v)))


def safe_learning_rate(f: sp.Expr, variables: Sequence[str], near: Point | None = None) -> LearningRateBound | None:
    """The exact stability bound on the learning rate, or None if there is none.

    Quadratic with a minimum: lr < 2/L everywhere; a quadratic without one (a
    saddle, or unbounded below) has no bound.  Otherwise: the local bound at
    the minimum nearest to ``near`` (or the first minimum found).
    """
    syms = symbols_of(variables)
    if f.is_polynomial(*syms) and sp.Poly(f, *syms).total_degree() <= 2:
        h = hessian(f, variables)
        values = [v for v in h.eigenvals()]
        if not values or not all(v.is_real and v.is_nonnegative for v in values):
            return None  # a saddle or a falling valley: no minimum, so no bound to be stable near
        linear = sp.Matrix(evaluate_vector(gradient(f, variables), {v: 0 for v in variables}))
        try:
            h.gauss_jordan_solve(linear)
        except ValueError:
            return None  # flat along a direction where the linear part falls: unbounded below
        L = _largest_eigenvalue(h)
        if L is None or not L.is_positive:
            return None
        return LearningRateBound(L, 2 / L, "quadratic")
    minima = [p for p in stationary_points(f, variables) if p.kind == "minimum"]
    if not minima:
        return None
    if near is not None:
        target = [float(sp.N(exact_number(near[v]))) for v in variables]
        minima.sort(key=lambda p: sum((float(sp.N(p.point[v])) - t) ** 2 for v, t in zip(variables, target)))
    best = minima[0]
    L = _largest_eigenvalue(hessian(f, variables).xreplace(_substitution(best.point)))
    if L is None or not L.is_positive:
        return None
    L = sp.nsimplify(L) if not L.is_Rational and L.is_number and L.is_algebraic else L
    return LearningRateBound(L, 2 / L, "local", best.point)


#: Points where a difference of expressions is tried before any simplification (most wrong answers differ at once).
_PROBES = (sp.Rational(7, 10), sp.Rational(-13, 10), sp.Rational(23, 10))


def differs_somewhere(difference: sp.Expr) -> bool:
    """True when the difference is clearly non-zero at some probe point (a cheap, certain "not equal").

    Evaluated to 30 digits by sympy (which raises its precision where terms cancel), so a value too large for a
    float, such as (1 + √2)¹⁰⁰⁰ − 10x, still differs: it once fell through to expanding the power (seconds).
    """
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    for shift in range(len(_PROBES) if symbols else 1):  # a number: one evaluation
        point = {s: _PROBES[(shift + i) % len(_PROBES)] + i * sp.Rational(1, 7) for i, s in enumerate(symbols)}
        try:
            size = abs(difference.xreplace(point).evalf(30))
            if not size.is_Number or size.is_finite is not True:  # nan, an infinity, or not a number: no news
                continue
            if size > 1e-12:
                return True
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
    return False
