"""Generate the descent loops as Python source, from the expression tree.

Why: calling a lambdified gradient once per step and wrapping every step in
objects costs several times the loop a person would write by hand.  So, like
``sympy.lambdify`` itself, we print the (already parsed, allow-listed) tree
with sympy's Python code printer and compile functions whose bodies are the
update with the gradient written out and the checks inlined.

Three loops come out of one expression:

* :func:`descent_loop`, the recording loop: every step's numbers go to a
  callback as a bare tuple, with every stop rule checked at every step.
* :func:`fast_loop`, the loop for a run of which only the end is shown: no
  record, f evaluated only where it might not be finite, divergence checked
  on the point alone.  It returns ``None`` the moment anything unusual
  happens, and the caller replays that stretch with the recording loop, so
  every stop is found at the same step with the same message.
* :func:`exact_values`, f and its gradient over :class:`fractions.Fraction`
  for exact mode (rational functions only), so exact runs do not pay for
  sympy's assumption system at every step.

Safety: the source is produced by sympy's printer from a sympy expression that
came through :mod:`tutor.mathinput` (names are only declared variables and
allow-listed functions); no text a person typed is ever part of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from tutor.calculus import gradient as engine_gradient
from tutor.mathinput import symbol

#: Errors a generated loop can raise for a point where f is undefined or too large.
ARITHMETIC_ERRORS = (OverflowError, ZeroDivisionError, ValueError, TypeError)


class _LoopPrinter(PythonCodePrinter):
    """Python source for float arithmetic: a square or cube of a name is written as products.

    ``p*p`` is a single multiplication where ``p**2`` is a call to C's pow();
    in the loop that is a sixth of a step.  Both are correctly rounded for a
    square; past the largest float a product gives inf (the loop's finiteness
    check stops the run as diverged) where pow raises OverflowError (the
    caller stops it as diverged too).
    """

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if base.is_Symbol and exponent in (2, 3):
            name = self._print(base)
            return "(" + "*".join([name] * int(exponent)) + ")"
        return super()._print_Pow(expr, rational=rational)


class _FractionPrinter(_LoopPrinter):
    """Python source over Fractions: rationals as Fraction(p, q), integers as ints, sign() as _sign()."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr: sp.Rational) -> str:
        return self._print_Rational(expr)

    def _print_Integer(self, expr: sp.Integer) -> str:
        return str(expr.p)

    def _print_sign(self, expr: sp.sign) -> str:
        return f"_sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"


def _check(f: sp.Expr, variables: Sequence[str]) -> None:
    if not isinstance(f, sp.Expr) or not {s.name for s in f.free_symbols} <= set(variables):
        raise TypeError("the generated loops take a parsed sympy expression in its declared variables, never text")


def _parts(
    f: sp.Expr, variables: Sequence[str], printer: PythonCodePrinter
) -> tuple[list[tuple[str, str, sp.Expr]], str, list[str], sp.Expr, list[sp.Expr]]:
    """(temporaries, f, gradient) as source lines over p0, p1, ...: common subexpressions computed once."""
    syms = [symbol(v) for v in variables]
    grad = list(engine_gradient(f, variables))  # the engine's gradient (sign' is 0, not sympy's DiracDelta)
    replacements, (value, *gradient) = sp.cse([f, *grad], symbols=sp.numbered_symbols("t"))
    rename = {s: sp.Symbol(f"p{i}") for i, s in enumerate(syms)}

    def code(expr: sp.Expr) -> str:
        return printer.doprint(expr.xreplace(rename))

    temps = [(str(t), code(e), e) for t, e in replacements]
    return temps, code(value), [code(e) for e in gradient], value, gradient


def _float_printer() -> _LoopPrinter:
    return _LoopPrinter({"standard": "python3", "fully_qualified_modules": True})


def _source(f: sp.Expr, variables: Sequence[str]) -> str:
    """The recording loop: every step's numbers appended, every stop rule checked at every step."""
    n = len(variables)
    temps, value, gradient, *_ = _parts(f, variables, _float_printer())
    p = [f"p{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    sg = [f"n{i}" for i in range(n)]
    prev = [f"s{i}" for i in range(n)]
    lines = [
        f"def loop({', '.join(p)}, {', '.join(prev)}, k, end, lr, steps, tol, sign_stop, limit, append):",
        "    isfinite = math.isfinite",
        "    try:",
        "        while True:",
    ]
    body = [f"{t} = {e}" for t, e, _ in temps]
    body.append(f"f = {value}")
    body += [f"{gi} = {e}" for gi, e in zip(g, gradient)]
    body += [f"{si} = ({gi} > 0) - ({gi} < 0)" for si, gi in zip(sg, g)]
    changed = " or ".join(f"{a} * {b} < 0" for a, b in zip(prev, sg))
    body += [
        f"changed = {changed}",
        f"append(({', '.join(p)}, f, {', '.join(g)}, changed))",
        f"if not (isfinite(f) and {' and '.join(f'isfinite({v})' for v in p + g)}):",
        "    return 'diverged', k",
        f"if {' or '.join(f'abs({v}) > limit' for v in p)}:",
        "    return 'escaped', k",
        f"if {' and '.join(f'{v} == 0' for v in g)}:",
        "    return 'zero_gradient', k",
        "if sign_stop and changed:",
        "    return 'sign_change', k",
        f"if tol is not None and {' and '.join(f'abs({v}) <= tol' for v in g)}:",
        "    return 'tolerance', k",
        "if k >= steps:",
        "    return 'max_steps', k",
    ]
    body += [f"{pi} = {pi} - lr * {gi}" for pi, gi in zip(p, g)]
    body += [f"{', '.join(prev)} = {', '.join(sg)}" if n > 1 else f"{prev[0]} = {sg[0]}", "k += 1"]
    body += ["if k >= end:", f"    return 'pause', k, ({', '.join(p)},), ({', '.join(prev)},)"]
    lines += ["            " + line for line in body]
    lines += ["    except ARITHMETIC_ERRORS as err:", "        return 'raised', k, err"]
    return "\n".join(lines) + "\n"


#: f is evaluated in the fast loop unless it is provably finite wherever every |x| <= limit.
_SAFE_DIGITS = 300


def _finite_within(f: sp.Expr, variables: Sequence[str], limit: float) -> bool:
    """True when f is a polynomial that cannot overflow (or raise) while every |variable| <= limit."""
    syms = [symbol(v) for v in variables]
    try:
        poly = sp.Poly(f, *syms)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return not f.free_symbols and f.is_finite is True
    coefficients = poly.coeffs()
    if not all(c.is_Rational for c in coefficients):
        return False
    size = sum(abs(c) for c in coefficients)
    return math.log10(float(size) + 1) + poly.total_degree() * math.log10(limit) < _SAFE_DIGITS


def _fast_source(f: sp.Expr, variables: Sequence[str], limit: float, sign_stop: bool, tolerance: bool) -> str:
    """The loop without a record: stops (returns None) at anything the recording loop would look at twice."""
    n = len(variables)
    temps, value, gradient, value_expr, gradient_exprs = _parts(f, variables, _float_printer())
    p = [f"p{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    prev = [f"s{i}" for i in range(n)]
    q = [f"q{i}" for i in range(n)]
    r = [f"r{i}" for i in range(n)]
    # only the temporaries the gradient needs (f's own ones only when f is evaluated)
    needs_f = not _finite_within(f, variables, limit)
    used: set[str] = set()
    wanted = [*gradient_exprs, value_expr] if needs_f else list(gradient_exprs)
    names = {str(s) for e in wanted for s in e.free_symbols}
    for t, _, e in reversed(temps):
        if t in names or t in used:
            used.add(t)
            names |= {str(s) for s in e.free_symbols}
    lines = [
        f"def fast({', '.join(p)}, {', '.join(prev)}, count, lr, tol, limit):",
        "    inf = math.inf",
        "    try:",
        "        for _ in range(count):",
    ]
    # a point that is NaN, infinite or past the limit fails the chained comparison; a non-finite
    # gradient makes the next point non-finite, which the next step (or the check after the loop) sees
    body = [f"if not ({' and '.join(f'-limit <= {v} <= limit' for v in p)}):", "    return None"]
    body += [f"{t} = {e}" for t, e, _ in temps if t in used]
    if needs_f:
        body += [f"f = {value}", "if not -inf < f < inf:", "    return None"]
    body += [f"{gi} = {e}" for gi, e in zip(g, gradient)]
    body += [f"if {' and '.join(f'{v} == 0' for v in g)}:", "    return None"]
    if sign_stop:
        changes = " or ".join(f"{gi} < 0 < {si} or {si} < 0 < {gi}" for gi, si in zip(g, prev))
        body += [f"if {changes}:", "    return None"]
    if tolerance:
        body += [f"if {' and '.join(f'abs({v}) <= tol' for v in g)}:", "    return None"]
    # keep the state of this step: the caller records the last step the fast loop took again
    body += [f"{qi} = {pi}" for qi, pi in zip(q, p)]
    if sign_stop:
        body += [f"{ri} = {si}" for ri, si in zip(r, prev)]
        body += [f"{', '.join(prev)} = {', '.join(g)}" if n > 1 else f"{prev[0]} = {g[0]}"]
    body += [f"{pi} = {pi} - lr * {gi}" for pi, gi in zip(p, g)]
    lines += ["            " + line for line in body]
    lines += [
        "    except ARITHMETIC_ERRORS:",
        "        return None",
        f"    if not ({' and '.join(f'-limit <= {v} <= limit' for v in p)}):",
        "        return None",
        f"    return ({', '.join(q)}, {', '.join(r if sign_stop else ['0'] * n)},)",
    ]
    return "\n".join(lines) + "\n"


def _compiled(source: str, name: str, extra: dict[str, object] | None = None) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"math": math, "ARITHMETIC_ERRORS": ARITHMETIC_ERRORS, **(extra or {})}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


@lru_cache(maxsize=64)
def descent_loop(f: sp.Expr, variables: tuple[str, ...]) -> Callable[..., Any]:
    """The recording plain-gradient-descent loop for f (cached per expression).

    ``loop(*point, *previous_signs, k, end, lr, steps, tol, sign_stop, limit, append)``
    calls ``append((*point, f, *gradient, sign_changed))`` for each step from
    ``k`` and returns ``(reason, k)`` at a stop, ``('pause', k, point, signs)``
    once ``k`` reaches ``end``, or ``('raised', k, error)`` when step ``k``
    cannot be evaluated (overflow, a zero division, a complex power).
    """
    _check(f, variables)
    return _compiled(_source(f, variables), "loop")


@lru_cache(maxsize=64)
def fast_loop(
    f: sp.Expr, variables: tuple[str, ...], limit: float, sign_stop: bool, tolerance: bool
) -> Callable[..., Any]:
    """The loop with no record (cached per expression and stop rules).

    ``fast(*point, *previous_signs, count, lr, tol, limit)`` takes ``count``
    steps (count >= 1) and returns ``(*point, *previous_signs)`` of the last
    one it took, for the caller to record that step again with
    :func:`descent_loop` and carry on from there; or ``None`` when a step
    might stop the run, raise, or leave the finite numbers, and the caller
    replays those steps with :func:`descent_loop` instead.  Without
    ``sign_stop`` the signs returned are zeros (the caller's record of that
    step then says no sign change, which it never shows).
    """
    _check(f, variables)
    return _compiled(_fast_source(f, variables, limit, sign_stop, tolerance), "fast")


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def _rational_only(e: sp.Basic) -> bool:
    """True when e evaluates exactly over Fractions: + × integer powers, rationals, |·| and sign."""
    if e.is_Symbol or e.is_Rational:
        return True
    if e.is_Add or e.is_Mul or isinstance(e, (sp.Abs, sp.sign)):
        return all(_rational_only(a) for a in e.args)
    if e.is_Pow:
        return e.exp.is_Integer and _rational_only(e.base)
    return False


@lru_cache(maxsize=64)
def exact_values(f: sp.Expr, variables: tuple[str, ...]) -> Callable[..., Any] | None:
    """``values(*point) -> (f, *gradient)`` over Fractions, or None when f is not a rational function.

    Integer powers, sums and products of Fractions are exact, so the run's
    numbers are the ones sympy would compute; a zero denominator raises
    ZeroDivisionError where sympy would give zoo or nan.
    """
    _check(f, variables)
    grad = engine_gradient(f, variables)
    if not all(_rational_only(e) for e in (f, *grad)):
        return None
    n = len(variables)
    printer = _FractionPrinter({"standard": "python3", "fully_qualified_modules": True})
    temps, value, gradient, *_ = _parts(f, variables, printer)
    lines = [f"def values({', '.join(f'p{i}' for i in range(n))}):"]
    lines += [f"    {t} = {e}" for t, e, _ in temps]
    lines.append(f"    return ({value}, {', '.join(gradient)},)")
    return _compiled("\n".join(lines) + "\n", "values", {"Fraction": Fraction, "_sign": _sign})
