"""Gradient descent and its optimisers, run exactly or fast.

An optimiser (one module each in :mod:`tutor.optimisers`) is a small rule
whose docstring is its update; the runner asks it for the next point and records every step as plain data (a :class:`Run`).
Exact mode keeps rationals (what the learner computes by hand); float mode
runs compiled code (what a real training loop does).  Neither calls ``subs``
in the loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
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
from tutor.codegen import descent_loop, exact_values, fast_loop
from tutor.i18n import N_, _, ngettext

# The optimisers live one module each in tutor.optimisers; the runner and its callers find them here too.
from tutor.optimisers import Adam as Adam
from tutor.optimisers import GradientDescent, Optimiser
from tutor.optimisers import Momentum as Momentum
from tutor.optimisers import make_optimizer as make_optimizer
from tutor.schedules import Scheduled

#: |x| beyond this means the run has run away.
DIVERGENCE_LIMIT = 1e12
#: The stop message when |x| passes the limit: what was seen, and the two usual causes as a question.
ESCAPED = N_(
    "|x| passed {limit:.0e}: the steps grow without bound (is the learning rate too large, or does f fall without limit?)"
)


def escaped() -> str:
    """The stop message when |x| passes the limit, in the learner's language."""
    return _(ESCAPED).format(limit=DIVERGENCE_LIMIT)


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
    point: tuple[Any, ...]
    value: Any
    gradient: tuple[Any, ...]
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
    def first(self) -> Step | None:
        return self.steps[0] if self.steps else None

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
                    raise MathError(
                        _("'{word}' needs a number after the colon, e.g. tol:1e-8").format(word=word)
                    ) from None
                if not (tol > 0 and math.isfinite(tol)):
                    raise MathError(_("the tolerance in '{word}' must be a positive number").format(word=word))
            else:
                raise MathError(_("unknown stop rule '{word}'; use zero, sign-change or tol:1e-8").format(word=word))
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

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr: sp.Rational) -> str:
        return self._print_Rational(expr)


def _compile(f: sp.Expr, variables: Sequence[str], exact: bool) -> Callable[..., Any]:
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


def _dot(u: Iterable[Any], v: Iterable[Any]) -> Any:
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
    said = _("{names} changed sign between step {previous} and step {k}").format(names=names, previous=k - 1, k=k)
    if len(variables) == 1:
        if brackets_minimum(before, after):
            return _(
                "{said}: f falls at one end and rises at the other, so a minimum of f lies between {a} and {b}"
            ).format(said=said, a=a, b=b)
        return _(
            "{said}: f rises at the left end and falls at the right, so a maximum of f (not a minimum) lies between {a} and {b}"
        ).format(said=said, a=a, b=b)
    overshot = _("{said}: the step overshot the lowest point along {coords}").format(
        said=said, coords=", ".join(after.sign_change)
    )
    if brackets_minimum(before, after):
        return _(
            "{overshot}; along the straight segment from {a} to {b}, f is lowest strictly between the two points"
        ).format(overshot=overshot, a=a, b=b)
    return _("{overshot} (this does not say where the minimum of f is)").format(overshot=overshot)


def brackets_minimum(before: Step, after: Step) -> bool:
    """Does f have its lowest point strictly between two iterates whose slope changed sign?

    One variable: f falls at the left end and rises at the right (else a
    maximum lies between them).  Several: the same along the straight segment
    from one to the other, from the slopes of f along it at both ends.
    """
    if len(before.point) == 1:
        left, right = (before, after) if before.point[0] < after.point[0] else (after, before)
        return sign_any(left.gradient[0]) < 0 < sign_any(right.gradient[0])
    step = tuple(y - x for x, y in zip(before.point, after.point))
    return sign_any(_dot(before.gradient, step)) < 0 < sign_any(_dot(after.gradient, step))


def _within(tolerance: float) -> str:
    return _("every partial derivative is within {tolerance} of zero").format(tolerance=f"{tolerance:g}")


def _ran(steps: int) -> str:
    return ngettext("ran the {n} step asked for", "ran the {n} steps asked for", steps).format(n=steps)


def _brief(value: sp.Expr, limit: int = 80) -> str:
    """A value for a message: at most ``limit`` characters (sstr of a huge integer can even raise)."""
    try:
        text = sp.sstr(value)
    except ValueError:
        return _("a number too long to show")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(err: Exception) -> str:
    """Python's words for a float failure, in the learner's: no 'complex' or 'math domain error'."""
    if isinstance(err, ZeroDivisionError):
        return _("division by zero")
    if isinstance(err, TypeError) and "complex" in str(err):
        return _("it is not a real number there (a power or root of a negative number)")
    if isinstance(err, ValueError) and "domain" in str(err):
        return _("a function is used outside its domain (log or sqrt of a negative number?)")
    return str(err)


def _show(values: Iterable[Any]) -> str:
    return ", ".join(sp.sstr(v) if isinstance(v, (sp.Basic, Fraction)) else f"{v:.6g}" for v in values)


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
    happened and why, in words a learner can read.  The whole history is kept
    (the walkthrough and the export show it as a table); a caller that shows
    the steps one by one, or only the end, uses :func:`descend` instead.
    """
    walk = descend(f, variables, start, learning_rate, steps=steps, until=until, exact=exact, optimizer=optimizer)
    history = tuple(walk)
    assert walk.stop is not None, "a descent read to its end knows why it stopped"
    return Run(steps=history, stop=walk.stop, **walk.record)


@dataclass(frozen=True)
class Summary:
    """What a one-line report needs of a run: the first and last steps and the stop (no history)."""

    variables: tuple[str, ...]
    learning_rate: Any
    exact: bool
    optimizer: str
    first: Step | None
    final: Step | None
    stop: Stop
    until: tuple[str, ...] = field(default=())
    beta: Any = None  # momentum's β, as in a Run


class Descent:
    """A descent under way: iterating it takes the steps one at a time, and then ``stop`` says why it ended.

    It can be iterated once.  Nothing is kept but what the next step needs,
    so a million steps streamed to a JSON file, or summed up in one line by
    :meth:`summary`, take as much memory as ten.
    """

    def __init__(
        self,
        record: dict[str, Any],
        steps: Generator[Step, None, Stop] | None = None,
        stop: Stop | None = None,
        fast: Callable[[], tuple[Step | None, Step | None, Stop]] | None = None,
    ):
        self.record = record
        self.variables: tuple[str, ...] = record["variables"]
        self.learning_rate = record["learning_rate"]
        self.exact: bool = record["exact"]
        self.optimizer: str = record["optimizer"]
        self.until: tuple[str, ...] = record["until"]
        self.stop: Stop | None = stop
        self.first: Step | None = None  # known once iterating has begun
        self._steps = steps
        self._fast = fast
        self.steps_asked = 0  # the most steps it may take (set by descend)

    def __iter__(self) -> Iterator[Step]:
        steps, self._steps, self._fast = self._steps, None, None
        if steps is None:
            return
        try:
            self.first = next(steps)
        except StopIteration as end:
            self.stop = end.value
            return
        yield self.first
        self.stop = yield from steps

    def summary(self) -> Summary:
        """Run to the end keeping only the first and the last step (the float loop keeps no record at all)."""
        if self._fast is not None:
            fast, self._steps, self._fast = self._fast, None, None
            self.first, final, self.stop = fast()
        else:
            final = None
            for final in self:  # noqa: B007 (the last one is the one kept)
                pass
        assert self.stop is not None, "a descent read to its end knows why it stopped"
        return Summary(first=self.first, final=final, stop=self.stop, **self.record)


def descend(
    f: sp.Expr,
    variables: Sequence[str],
    start: Sequence[Any],
    learning_rate: Any,
    *,
    steps: int = 20,
    until: Until | Sequence[str] = (),
    exact: bool = False,
    optimizer: Any = None,
) -> Descent:
    """The descent of :func:`run`, step by step: iterate it, or call ``summary()``.

    The start is checked now (a bad start gives a Descent with no steps and
    its stop); the steps are taken only as they are read.
    """
    variables = tuple(variables)
    rules = until if isinstance(until, Until) else Until.parse(until)
    opt = optimizer or GradientDescent()
    if exact and not opt.exact_capable:
        raise MathError(
            _("the {key} optimizer {why}, so it runs in float mode only").format(
                key=opt.key, why=_(opt.float_only_because)
            )
        )
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

    walk = _descend(f, variables, start, point, lr, steps, rules, opt, exact, record)
    walk.steps_asked = steps
    return walk


def _descend(
    f: sp.Expr,
    variables: tuple[str, ...],
    start: Sequence[Any],
    point: tuple[Any, ...],
    lr: Any,
    steps: int,
    rules: Until,
    opt: Optimiser | Scheduled,
    exact: bool,
    record: dict[str, Any],
) -> Descent:
    """The Descent for a start already read: a stop at once for a bad start, else the right loop."""
    named = dict(zip(variables, (exact_number(x) for x in start)))
    try:
        evaluate(f, named, what="f")
        evaluate_grad = gradient(f, variables)
        kink = nondifferentiable_at(f, named)
        if kink:
            return Descent(record, stop=Stop("not_differentiable", 0, kink))
        for g in evaluate_grad:
            evaluate(g, named, what=N_("the derivative"))
    except TooLarge as err:  # defined but huge: floats overflow in the loop below and say so
        if exact:
            return Descent(record, stop=Stop("exact_limit", 0, err.message))
    except MathError as err:
        return Descent(record, stop=Stop("undefined", 0, err.message))

    if not exact and isinstance(opt, GradientDescent):
        return Descent(
            record,
            _compiled_steps(f, variables, point, lr, steps, rules),
            fast=lambda: _compiled_summary(f, variables, point, lr, steps, rules),
        )
    if exact:
        fractions = exact_values(f, variables)
        if fractions is not None and all(isinstance(getattr(opt, s.field), sp.Rational) for s in opt.settings):
            return Descent(record, _exact_steps(fractions, variables, point, lr, steps, rules, opt))
    return Descent(record, _steps(_compile(f, variables, exact), variables, point, lr, steps, rules, opt, exact))


def _steps(
    values_at: Callable[..., Any],
    variables: tuple[str, ...],
    point: tuple[Any, ...],
    lr: Any,
    steps: int,
    rules: Until,
    opt: Optimiser | Scheduled,
    exact: bool,
) -> Generator[Step, None, Stop]:
    """The general loop (any optimiser; exact mode over sympy numbers): yields each step, returns the stop."""
    state = opt.start(len(variables))
    previous: Step | None = None
    k = 0
    while True:
        try:
            value, *grad = values_at(*point)
            if exact:  # a derivative that is the constant 0 comes back as Python's int 0
                value, grad = exact_number(value), [exact_number(g) for g in grad]
        except OverflowError:
            message = _(
                "overflow: f is too large for floating point at ({point}); try exact mode or a start nearer the minimum"
            ).format(point=_show(point))
            return Stop("diverged", k, message)
        except (ZeroDivisionError, ValueError, TypeError) as err:
            return Stop(
                "undefined",
                k,
                _("f or its derivative is undefined at ({point}): {why}").format(point=_show(point), why=_why(err)),
            )
        grad = tuple(grad)
        if not exact and any(isinstance(v, complex) for v in (value, *grad)):  # (-8.0)**(1/3) is complex in Python
            return Stop(
                "undefined", k, _("f or its derivative is not a real number at ({point})").format(point=_show(point))
            )
        if exact and any(_too_big(v) for v in (*point, value, *grad)):  # stop before such a step is recorded
            return Stop("exact_limit", k, _too_long())
        if exact:
            bad = [v for v in (value, *grad) if not v.is_Rational]
            if any(v.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) for v in bad):
                return Stop(
                    "undefined", k, _("f or its derivative is undefined at ({point})").format(point=_show(point))
                )
            if bad:
                message = _("exact mode keeps rational numbers, but {value} is not rational; use float mode").format(
                    value=_brief(bad[0])
                )
                return Stop("exact_limit", k, message)
        changed = sign_changes(previous.gradient, grad, variables) if previous is not None else ()
        step = Step(k, point, value, grad, changed)
        yield step
        pair = (previous, step)
        stop = _stop_after(k, point, value, grad, changed, pair, opt.at_rest(state), rules, steps, exact, variables)
        if stop is not None:
            return stop
        point, state = opt.update(point, grad, state, lr)
        previous = step
        k += 1


def _too_long() -> str:
    return _("the exact numbers passed {limit} digits; use float mode for a run this long").format(
        limit=EXACT_DIGIT_LIMIT
    )


def _stop_after(
    k: int,
    point: tuple[Any, ...],
    value: Any,
    grad: tuple[Any, ...],
    changed: tuple[str, ...],
    pair: tuple[Step | None, Step],
    at_rest: bool,
    rules: Until,
    steps: int,
    exact: bool,
    variables: tuple[str, ...],
) -> Stop | None:
    """The stop rules, in order, for step k just taken (``pair``: the Steps k-1 and k); None to go on.

    ``point``, ``value`` and ``grad`` are the numbers the run computes with (Fractions in exact mode).
    """
    if not exact and not all(math.isfinite(v) for v in (value, *grad, *point)):
        return Stop("diverged", k, _("the values are no longer finite numbers: the descent blew up"))
    if any(abs(x) > DIVERGENCE_LIMIT for x in point):
        return Stop("diverged", k, escaped())
    if all(g == 0 for g in grad) and at_rest:
        return Stop("zero_gradient", k, _("the gradient is exactly zero: a stationary point, so no step moves"))
    if rules.sign_change and changed:
        before, after = pair
        assert before is not None, "a sign change is seen between two steps, so there is a step before"
        return Stop("sign_change", k, sign_change_message(before, after, variables))
    if rules.tolerance is not None and all(abs(g) <= rules.tolerance for g in grad):
        return Stop("tolerance", k, _within(rules.tolerance))
    if k >= steps:
        return Stop("max_steps", k, _ran(steps))
    return None


# --- exact mode over Fractions ------------------------------------------------------------


def _must_stop(stop: Stop | None) -> Stop:
    """The stop for a step that its caller has seen meet a stop rule (its test mirrors :func:`_stop_after`)."""
    assert stop is not None, "the step meets one of the stop rules"
    return stop


def _in_fractions(opt: Optimiser | Scheduled) -> Optimiser | Scheduled:
    """The optimiser with its exact settings (β) as Fractions, so its update stays in Fractions (a schedule's too)."""
    if isinstance(opt, Scheduled):
        return Scheduled(_in_fractions(opt.inner), opt.schedule)
    return replace(opt, **{s.field: _fraction(getattr(opt, s.field)) for s in opt.settings})


def _fraction(value: sp.Rational) -> Fraction:
    return Fraction(int(value.p), int(value.q))


#: sympy >= 1.13 makes a Rational from coprime integers without a second gcd.
_from_coprime = getattr(sp.Rational, "from_coprime_ints", sp.Rational)


def _rational(value: Fraction) -> sp.Rational:
    """A Fraction as the sympy number the learner sees (it is already in lowest terms)."""
    return _from_coprime(value.numerator, value.denominator)


def _exact_steps(
    values_at: Callable[..., Any],
    variables: tuple[str, ...],
    start: tuple[Any, ...],
    lr: Any,
    steps: int,
    rules: Until,
    opt: Optimiser | Scheduled,
) -> Generator[Step, None, Stop]:
    """Exact mode for rational functions: the arithmetic in Fractions, each step shown in sympy numbers.

    The same run as :func:`_steps` gives (the numbers are the same rationals,
    the stop rules the same, in the same order), without sympy's assumptions
    and sign tests at every step: signs and sizes are read from numerators
    and denominators, and sympy numbers are made only for the record.
    """
    # an exact optimiser's settings (β) are rationals: as Fractions, its update stays in Fractions
    opt = _in_fractions(opt)
    lr_f = _fraction(lr)
    point = tuple(_fraction(x) for x in start)
    shown_point = tuple(start)
    state = opt.start(len(variables))
    previous: Step | None = None
    previous_signs = None
    bits = int(EXACT_DIGIT_LIMIT / _LOG10_2)  # more bits than this is more digits than the limit
    limit = int(DIVERGENCE_LIMIT)
    tol = rules.tolerance
    k = 0
    while True:
        try:
            value, *grad = values_at(*point)
        except ZeroDivisionError:  # sympy says zoo or nan here
            return Stop(
                "undefined", k, _("f or its derivative is undefined at ({point})").format(point=_show(shown_point))
            )
        for v in (*point, value, *grad):  # int.bit_length() ignores the sign
            if v.numerator.bit_length() > bits or v.denominator.bit_length() > bits:
                return Stop("exact_limit", k, _too_long())
        signs = tuple((g.numerator > 0) - (g.numerator < 0) for g in grad)
        changed: tuple[str, ...] = ()
        if previous_signs is not None:
            changed = tuple(v for v, a, b in zip(variables, previous_signs, signs) if a * b < 0)
        step = Step(k, shown_point, _rational(value), tuple(_rational(g) for g in grad), changed)
        yield step
        if any(abs(x.numerator) > limit * x.denominator for x in point):
            return _must_stop(
                _stop_after(k, point, value, grad, changed, (previous, step), False, rules, steps, True, variables)
            )
        if (
            (not any(signs) and opt.at_rest(state))
            or (changed and rules.sign_change)
            or (tol is not None and all(abs(g) <= tol for g in grad))
            or k >= steps
        ):
            return _must_stop(
                _stop_after(
                    k, point, value, grad, changed, (previous, step), opt.at_rest(state), rules, steps, True, variables
                )
            )
        previous = step
        point, state = opt.update(point, grad, state, lr_f)
        shown_point = tuple(_rational(x) for x in point)
        previous_signs = signs
        k += 1


# --- float mode, plain descent: the generated loops -----------------------------------------------------

#: Steps the recording loop takes between two hand-overs (bounds the memory of a stream).
CHUNK = 1024


def _record_step(
    record: tuple[Any, ...], k: int, previous_gradient: tuple[Any, ...] | None, variables: tuple[str, ...]
) -> Step:
    """A Step from the generated loop's bare tuple ``(*point, f, *gradient, sign_changed)``."""
    n = len(variables)
    grad = record[n + 1 : 2 * n + 1]
    changed: tuple[str, ...] = ()
    if record[-1] and previous_gradient is not None:
        changed = sign_changes(previous_gradient, grad, variables)
    return Step(k, record[:n], record[n], grad, changed)


def _compiled_steps(
    f: sp.Expr, variables: tuple[str, ...], point: tuple[float, ...], lr: float, steps: int, rules: Until
) -> Generator[Step, None, Stop]:
    """Plain descent in float mode through the generated recording loop (see :mod:`tutor.codegen`)."""
    loop = descent_loop(f, variables)
    start, signs, k = point, (0,) * len(variables), 0
    before = last = None
    while True:
        out: list[tuple[Any, ...]] = []
        result = loop(
            *point, *signs, k, k + CHUNK, lr, steps, rules.tolerance, rules.sign_change, DIVERGENCE_LIMIT, out.append
        )
        for record in out:
            step = _record_step(record, k, last.gradient if last else None, variables)
            yield step
            before, last, k = last, step, k + 1
        if result[0] != "pause":
            return _compiled_stop(result, last, before, variables, start, steps, rules)
        _pause, k, point, signs = result


#: Steps the fast loop takes between two looks by the recording loop.
FAST_CHUNK = 4096


def _compiled_summary(
    f: sp.Expr, variables: tuple[str, ...], point: tuple[float, ...], lr: float, steps: int, rules: Until
) -> tuple[Step | None, Step | None, Stop]:
    """The first and last steps and the stop of a float run, without a record of the steps between.

    The fast loop takes the steps in stretches; each stretch ends with the
    recording loop taking its last step again and the next one, so the last
    two steps are always at hand, and a stretch in which anything happens
    is replayed by the recording loop: every stop comes at the step and with
    the message of :func:`_compiled_steps`.
    """
    loop = descent_loop(f, variables)
    fast = fast_loop(f, variables, DIVERGENCE_LIMIT, rules.sign_change, rules.tolerance is not None)
    n = len(variables)
    tol, sign_stop = rules.tolerance, rules.sign_change
    start, signs, k, end = point, (0,) * n, 0, 1
    first = before = last = None
    previous_gradient = None
    while True:
        out: list[tuple[Any, ...]] = []
        result = loop(*point, *signs, k, end, lr, steps, tol, sign_stop, DIVERGENCE_LIMIT, out.append)
        for record in out:
            step = _record_step(record, k, previous_gradient, variables)
            first = first or step
            before, last, k, previous_gradient = last, step, k + 1, step.gradient
        if result[0] != "pause":
            return first, last, _compiled_stop(result, last, before, variables, start, steps, rules)
        _pause, k, point, signs = result
        count = min(FAST_CHUNK, steps - k)
        end = k + count + 1
        if count >= 2:
            taken = fast(*point, *signs, count, lr, tol, DIVERGENCE_LIMIT)
            if taken is not None:  # record its last step again, then the next one
                point, signs, k = taken[:n], taken[n:], k + count - 1
                previous_gradient = signs


def _compiled_stop(
    result: tuple[Any, ...],
    last: Step | None,
    before: Step | None,
    variables: tuple[str, ...],
    start: tuple[float, ...],
    steps: int,
    rules: Until,
) -> Stop:
    """The Stop for what the generated loop returned, in the runner's words."""
    reason = result[0]
    if reason == "raised":
        err, k = result[2], (last.k + 1 if last else 0)  # the steps recorded so far
        if isinstance(err, OverflowError):
            where = _show(last.point if last else start)
            message = _(
                "overflow: the numbers passed the largest float (about 1.8e308) after ({where}); "
                "try exact mode or a start nearer the minimum"
            ).format(where=where)
            return Stop("diverged", k, message)
        return Stop("undefined", k, _("f or its derivative is undefined at step {k}: {why}").format(k=k, why=_why(err)))
    k = result[1]
    if reason == "sign_change":
        assert before is not None and last is not None, "the loop compares the signs of two recorded steps"
        return Stop(reason, k, sign_change_message(before, last, variables))
    messages = {
        "diverged": _("the values are no longer finite numbers: the descent blew up"),
        "escaped": escaped(),
        "zero_gradient": _("the gradient is exactly zero: a stationary point, so no step moves"),
        "tolerance": _within(rules.tolerance) if rules.tolerance else "",
        "max_steps": _ran(steps),
    }
    return Stop("diverged" if reason == "escaped" else reason, k, messages[reason])
