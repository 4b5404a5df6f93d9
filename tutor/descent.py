"""Gradient descent and its optimisers, run exactly or fast.

An optimiser (one module each in :mod:`tutor.optimisers`) is a small rule
whose docstring is its update; the runner asks it for the next point and records every step as plain data (a :class:`Run`).
Exact mode keeps rationals (what the learner computes by hand); float mode
runs compiled code (what a real training loop does).  Neither calls ``subs``
in the loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.pycode import SymPyPrinter

from tutor.calculus import (
    MathError,
    TooLarge,
    evaluate,
    exact_number,
    gradient,
    nondifferentiable_at,
    sign_any,
    sign_changes,
    symbols_of,
)

# The optimisers live one module each in tutor.optimisers; the runner and its callers find them here too.
from tutor.optimisers import Adam as Adam
from tutor.optimisers import GradientDescent
from tutor.optimisers import Momentum as Momentum
from tutor.optimisers import make_optimizer as make_optimizer

#: |x| beyond this means the run has run away.
DIVERGENCE_LIMIT = 1e12
#: The stop message when |x| passes the limit: what was seen, and the two usual causes as a question.
ESCAPED = (
    f"|x| passed {DIVERGENCE_LIMIT:.0e}: the steps grow without bound "
    "(is the learning rate too large, or does f fall without limit?)"
)
#: Exact mode stops when a number needs more digits than this.
EXACT_DIGIT_LIMIT = 2000
#: Exact mode never runs more steps than this.
EXACT_STEP_LIMIT = 10_000

STOP_REASONS = (
    "max_steps",  # ran the steps asked for
    "zero_gradient",  # the gradient is exactly zero: a stationary point, nothing moves
    "sign_change",  # a partial derivative changed sign: the step overshot along that coordinate
    "tolerance",  # every |∂f/∂v| is at most the tolerance
    "diverged",  # non-finite, overflowing, or growing without bound
    "undefined",  # f or its gradient has no real value at the point
    "not_differentiable",  # a kink (abs) at the point
    "exact_limit",  # exact numbers grew too large or stopped being rational
)


# --- the record -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One iterate: where we are, the value there, the slope there."""

    k: int
    point: tuple
    value: Any
    gradient: tuple
    sign_change: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stop:
    reason: str
    k: int
    message: str


@dataclass(frozen=True)
class Run:
    """A whole descent: the steps in order and why it stopped."""

    variables: tuple[str, ...]
    learning_rate: Any
    exact: bool
    optimizer: str
    steps: tuple[Step, ...]
    stop: Stop
    until: tuple[str, ...] = field(default=())
    beta: Any = None  # momentum's β (what the analysis of the run needs to know of the optimiser)

    @property
    def final(self) -> Step | None:
        return self.steps[-1] if self.steps else None


@dataclass(frozen=True)
class Until:
    """Which optional stop rules are on.  Zero gradient and divergence always stop."""

    sign_change: bool = False
    tolerance: float | None = None

    @classmethod
    def parse(cls, words: Sequence[str]) -> Until:
        sign, tol = False, None
        for word in words:
            word = word.strip()
            if word in ("", "zero", "max_steps", "steps"):
                continue
            if word in ("sign-change", "sign_change"):
                sign = True
            elif word.startswith("tol:") or word.startswith("tolerance:"):
                try:
                    tol = float(word.split(":", 1)[1])
                except ValueError:
                    raise MathError(f"'{word}' needs a number after the colon, e.g. tol:1e-8") from None
                if not (tol > 0 and math.isfinite(tol)):
                    raise MathError(f"the tolerance in '{word}' must be a positive number")
            else:
                raise MathError(f"unknown stop rule '{word}'; use zero, sign-change or tol:1e-8")
        return cls(sign, tol)

    def words(self) -> tuple[str, ...]:
        out = ["zero"]
        if self.sign_change:
            out.append("sign-change")
        if self.tolerance is not None:
            out.append(f"tol:{self.tolerance:g}")
        return tuple(out)


# --- the runner -----------------------------------------------------------------------


class _ExactPrinter(SymPyPrinter):
    """lambdify prints 1/4 as Python division (a float); exact mode needs Rational(1, 4)."""

    def _print_Rational(self, expr):
        return f"Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return self._print_Rational(expr)


def _compile(f: sp.Expr, variables: Sequence[str], exact: bool):
    """One function returning (f, ∂f/∂v1, ...) at a point: generated code, no subs."""
    syms = symbols_of(variables)
    exprs = [f, *gradient(f, variables)]
    if exact:
        return sp.lambdify(
            syms, exprs, modules=[{"Rational": sp.Rational, "sympy": sp}, "sympy"], cse=True, printer=_ExactPrinter
        )
    return sp.lambdify(syms, exprs, modules="math", cse=True)


def _too_big(value: sp.Expr) -> bool:
    """More than EXACT_DIGIT_LIMIT digits, counted in bits (str() of a 4301-digit int raises)."""
    if value.is_Rational:
        return max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) * _LOG10_2 > EXACT_DIGIT_LIMIT
    return False


_LOG10_2 = math.log10(2)


def _slope_names(changed: Sequence[str], variables: Sequence[str]) -> str:
    """f'(x) for one variable, ∂f/∂v for several: the names a learner has been taught."""
    if len(variables) == 1:
        return f"f'({variables[0]})"
    return ", ".join(f"∂f/∂{v}" for v in changed)


def _dot(u, v) -> Any:
    return sum(a * b for a, b in zip(u, v))


def sign_change_message(before: Step, after: Step, variables: Sequence[str]) -> str:
    """What a sign change between two iterates shows, and no more.

    One variable: f' has opposite signs at the ends of the interval, so f has
    a minimum inside it exactly when f falls at its left end and rises at its
    right end (a momentum step can also jump over a maximum).  Several
    variables: one partial derivative changing sign only says the step went
    past the lowest point along that coordinate; what is true of the segment
    is checked, from the slopes of f along it at both ends.
    """
    k = after.k
    names = _slope_names(after.sign_change, variables)
    a, b = f"({_show(before.point)})", f"({_show(after.point)})"
    said = f"{names} changed sign between step {k - 1} and step {k}"
    if len(variables) == 1:
        left, right = (before, after) if before.point[0] < after.point[0] else (after, before)
        if sign_any(left.gradient[0]) < 0 < sign_any(right.gradient[0]):
            return f"{said}: f falls at one end and rises at the other, so a minimum of f lies between {a} and {b}"
        return f"{said}: f rises at the left end and falls at the right, so a maximum of f (not a minimum) lies between {a} and {b}"
    step = tuple(y - x for x, y in zip(before.point, after.point))
    coords = ", ".join(after.sign_change)
    overshot = f"{said}: the step overshot the lowest point along {coords}"
    if sign_any(_dot(before.gradient, step)) < 0 < sign_any(_dot(after.gradient, step)):
        return f"{overshot}; along the straight segment from {a} to {b}, f is lowest strictly between the two points"
    return f"{overshot} (this does not say where the minimum of f is)"


def _brief(value: sp.Expr, limit: int = 80) -> str:
    """A value for a message: at most ``limit`` characters (sstr of a huge integer can even raise)."""
    try:
        text = sp.sstr(value)
    except ValueError:
        return "a number too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(err: Exception) -> str:
    """Python's words for a float failure, in the learner's: no 'complex' or 'math domain error'."""
    if isinstance(err, ZeroDivisionError):
        return "division by zero"
    if isinstance(err, TypeError) and "complex" in str(err):
        return "it is not a real number there (a power or root of a negative number)"
    if isinstance(err, ValueError) and "domain" in str(err):
        return "a function is used outside its domain (log or sqrt of a negative number?)"
    return str(err)


def _show(values) -> str:
    return ", ".join(sp.sstr(v) if isinstance(v, sp.Basic) else f"{v:.6g}" for v in values)


def run(
    f: sp.Expr,
    variables: Sequence[str],
    start: Sequence[Any],
    learning_rate: Any,
    *,
    steps: int = 20,
    until: Until | Sequence[str] = (),
    exact: bool = False,
    optimizer: Any = None,
) -> Run:
    """Descend from ``start`` for at most ``steps`` updates and record everything.

    Never raises for a bad start or a runaway: the :class:`Stop` says what
    happened and why, in words a learner can read.
    """
    variables = tuple(variables)
    rules = until if isinstance(until, Until) else Until.parse(until)
    opt = optimizer or GradientDescent()
    if exact and not opt.exact_capable:
        raise MathError(f"the {opt.key} optimizer {opt.float_only_because}, so it runs in float mode only")
    # its settings as rationals or floats: an exact β would turn every float of the run into a sympy number
    opt = opt.in_mode(exact)
    if exact:
        steps = min(steps, EXACT_STEP_LIMIT)
        lr = exact_number(learning_rate)
        point = tuple(exact_number(x) for x in start)
    else:
        lr = float(learning_rate)
        point = tuple(float(x) for x in start)
    record = dict(
        variables=variables,
        learning_rate=lr,
        exact=exact,
        optimizer=opt.name,
        until=rules.words(),
        beta=getattr(opt, "beta", None),
    )

    named = dict(zip(variables, (exact_number(x) for x in start)))
    try:
        evaluate(f, named, what="f")
        evaluate_grad = gradient(f, variables)
        kink = nondifferentiable_at(f, named)
        if kink:
            return Run(steps=(), stop=Stop("not_differentiable", 0, kink), **record)
        for g in evaluate_grad:
            evaluate(g, named, what="the derivative")
    except TooLarge as err:  # defined but huge: floats overflow in the loop below and say so
        if exact:
            return Run(steps=(), stop=Stop("exact_limit", 0, err.message), **record)
    except MathError as err:
        return Run(steps=(), stop=Stop("undefined", 0, err.message), **record)

    if not exact and isinstance(opt, GradientDescent):
        return _run_compiled(f, variables, point, lr, steps, rules, record)

    values_at = _compile(f, variables, exact)
    state = opt.start(len(variables))
    history: list[Step] = []
    previous_grad = None
    k = 0
    while True:
        try:
            value, *grad = values_at(*point)
            if exact:  # a derivative that is the constant 0 comes back as Python's int 0
                value, grad = exact_number(value), [exact_number(g) for g in grad]
        except OverflowError:
            message = f"overflow: f is too large for floating point at ({_show(point)}); try exact mode or a start nearer the minimum"
            return Run(steps=tuple(history), stop=Stop("diverged", k, message), **record)
        except (ZeroDivisionError, ValueError, TypeError) as err:
            message = f"f or its derivative is undefined at ({_show(point)}): {_why(err)}"
            return Run(steps=tuple(history), stop=Stop("undefined", k, message), **record)
        grad = tuple(grad)
        if not exact and any(isinstance(v, complex) for v in (value, *grad)):  # (-8.0)**(1/3) is complex in Python
            message = f"f or its derivative is not a real number at ({_show(point)})"
            return Run(steps=tuple(history), stop=Stop("undefined", k, message), **record)
        if exact and any(_too_big(v) for v in (*point, value, *grad)):  # stop before such a step is recorded
            message = f"the exact numbers passed {EXACT_DIGIT_LIMIT} digits; use float mode for a run this long"
            return Run(steps=tuple(history), stop=Stop("exact_limit", k, message), **record)
        if exact:
            bad = [v for v in (value, *grad) if not v.is_Rational]
            if any(v.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) for v in bad):
                return Run(
                    steps=tuple(history),
                    stop=Stop("undefined", k, f"f or its derivative is undefined at ({_show(point)})"),
                    **record,
                )
            if bad:
                message = f"exact mode keeps rational numbers, but {_brief(bad[0])} is not rational; use float mode"
                return Run(steps=tuple(history), stop=Stop("exact_limit", k, message), **record)
        changed = sign_changes(previous_grad, grad, variables) if previous_grad is not None else ()
        history.append(Step(k, point, value, grad, changed))

        if not exact and not all(math.isfinite(v) for v in (value, *grad, *point)):
            return Run(
                steps=tuple(history),
                stop=Stop("diverged", k, "the values are no longer finite numbers: the descent blew up"),
                **record,
            )
        if any(abs(x) > DIVERGENCE_LIMIT for x in point):
            message = ESCAPED
            return Run(steps=tuple(history), stop=Stop("diverged", k, message), **record)
        if all(g == 0 for g in grad) and opt.at_rest(state):
            return Run(
                steps=tuple(history),
                stop=Stop("zero_gradient", k, "the gradient is exactly zero: a stationary point, so no step moves"),
                **record,
            )
        if rules.sign_change and changed:
            message = sign_change_message(history[-2], history[-1], variables)
            return Run(steps=tuple(history), stop=Stop("sign_change", k, message), **record)
        if rules.tolerance is not None and all(abs(g) <= rules.tolerance for g in grad):
            return Run(
                steps=tuple(history),
                stop=Stop("tolerance", k, f"every partial derivative is within {rules.tolerance:g} of zero"),
                **record,
            )
        if k >= steps:
            return Run(steps=tuple(history), stop=Stop("max_steps", k, f"ran the {steps} steps asked for"), **record)

        point, state = opt.update(point, grad, state, lr)
        previous_grad = grad
        k += 1


class _Steps(Sequence):
    """The compiled loop's bare tuples, turned into :class:`Step` objects only when read.

    A 100,000-step run printed as a one-line summary builds one Step, not 100,000.
    """

    def __init__(self, records: list, variables: tuple[str, ...]):
        self._records = records
        self._variables = variables

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._records)
        if not 0 <= index < len(self._records):
            raise IndexError(index)
        n = len(self._variables)
        record = self._records[index]
        point, value, grad = record[:n], record[n], record[n + 1 : 2 * n + 1]
        changed: tuple[str, ...] = ()
        if index > 0 and record[-1]:
            changed = sign_changes(self._records[index - 1][n + 1 : 2 * n + 1], grad, self._variables)
        return Step(index, tuple(point), value, tuple(grad), changed)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


def _run_compiled(f, variables, point, lr, steps, rules: Until, record) -> Run:
    """Plain descent in float mode through the generated loop (see :mod:`tutor.codegen`)."""
    from tutor.codegen import descent_loop

    loop = descent_loop(f, variables)
    out: list = []
    try:
        reason, k = loop(*point, lr, steps, rules.tolerance, rules.sign_change, DIVERGENCE_LIMIT, out)
    except OverflowError:
        where = _show(out[-1][: len(variables)]) if out else _show(point)
        reason, k = "overflow", len(out)
        message = f"overflow: the numbers passed the largest float (about 1.8e308) after ({where}); try exact mode or a start nearer the minimum"
    except (ZeroDivisionError, ValueError, TypeError) as err:
        reason, k = "undefined", len(out)
        message = f"f or its derivative is undefined at step {k}: {_why(err)}"
    history = _Steps(out, variables)
    messages = {
        "diverged": "the values are no longer finite numbers: the descent blew up",
        "escaped": ESCAPED,
        "zero_gradient": "the gradient is exactly zero: a stationary point, so no step moves",
        "tolerance": f"every partial derivative is within {rules.tolerance:g} of zero" if rules.tolerance else "",
        "max_steps": f"ran the {steps} steps asked for",
    }
    if reason == "sign_change":
        message = sign_change_message(history[-2], history[-1], variables)
    elif reason in messages:
        message = messages[reason]
    if reason in ("escaped", "overflow"):
        reason = "diverged"
    return Run(steps=history, stop=Stop(reason, k, message), **record)
