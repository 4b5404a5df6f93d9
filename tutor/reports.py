"""What ``tutor derive`` and ``tutor descend`` compute: the engine's answers as plain reports.

The CLI asks this module (which asks the engine), then hands the reports to
:mod:`tutor.console`, which only writes them out.  A descent is handed over
as a stream (its steps, and the signs of each, as they are taken), with what
its notes and summary need kept here in bounded memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from tutor import calculus
from tutor.i18n import _, ngettext
from tutor.mathinput import infer_variables, parse_assignments, parse_expression, parse_number
from tutor.text import tr

if TYPE_CHECKING:  # descent is imported by the descend command only: derive starts faster without it
    from tutor import descent
    from tutor.optimisers import Optimiser


def resolve_variables(text: str, declared: str | None) -> tuple[str, ...]:
    if declared:
        names = tuple(v.strip() for v in declared.split(",") if v.strip())
        from tutor.mathinput import check_variable_name

        for name in names:
            check_variable_name(name)
        twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
        if twice:  # f(x, x) would have two partial derivatives in the same variable
            raise calculus.MathError(f"--vars names {', '.join(twice)} twice")
        return names
    return infer_variables(text)


def point_in_order(assigned: dict[str, sp.Expr], variables: Sequence[str], option: str) -> dict[str, sp.Expr]:
    missing = [v for v in variables if v not in assigned]
    extra = [v for v in assigned if v not in variables]
    if extra:
        raise calculus.MathError(
            ngettext(
                "{option} names {names}, which is not a variable of f ({variables})",
                "{option} names {names}, which are not variables of f ({variables})",
                len(extra),
            ).format(option=option, names=", ".join(extra), variables=", ".join(variables))
        )
    if missing:
        raise calculus.MathError(
            _("{option} needs a value for {names}").format(option=option, names=", ".join(missing))
        )
    return {v: assigned[v] for v in variables}


# --- derive -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeriveReport:
    f: sp.Expr
    variables: tuple[str, ...]
    gradient: tuple[sp.Expr, ...]
    at: dict[str, sp.Expr] | None
    f_value: sp.Expr | None
    value: tuple[sp.Expr, ...] | None


def derive(text: str, variables: str | None = None, at: str | None = None) -> DeriveReport:
    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    grad = calculus.gradient(f, names)
    point = f_value = value = None
    if at:
        point = point_in_order(parse_assignments(at, names), names, "--at")
        f_value = calculus.evaluate(f, point, what="f")
        value = calculus.evaluate_vector(grad, point)
    return DeriveReport(f, names, grad, point, f_value, value)


# --- descend ----------------------------------------------------------------------------


def descend(
    text: str,
    variables: str | None,
    start: str,
    lr: str,
    *,
    steps: int | None = None,
    until: Sequence[str] = (),
    exact: bool = False,
    optimizer: str = "gd",
    beta: str | None = None,
    settings: Mapping[str, str | None] | None = None,
) -> tuple[sp.Expr, descent.Descent]:
    """The parsed f and its descent, not yet run: the steps are taken as the renderer reads them."""
    from tutor import descent

    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    point = point_in_order(parse_assignments(start, names), names, "--from")
    rate = parse_number(lr)
    if not rate.is_positive:
        raise calculus.MathError(
            _("the learning rate must be a positive number, not {rate}").format(rate=sp.sstr(rate))
        )
    if not exact and not math.isfinite(float(rate)):
        raise calculus.MathError(
            _("the learning rate {lr} is too large for floating point; use --exact or a smaller rate").format(lr=lr)
        )
    if not exact and float(rate) == 0:  # 1e-400 would silently become η = 0
        raise calculus.MathError(
            _(
                "the learning rate {lr} is too small for floating point (it rounds to 0); use --exact or a larger rate"
            ).format(lr=lr)
        )
    if not exact:  # a start that rounds to 0 or overflows is not the start asked for (log(x) from 1e-999)
        for name, value in point.items():
            if value != 0 and (float(value) == 0 or not math.isfinite(float(value))):
                raise calculus.MathError(
                    _(
                        "the start {name} = {value} cannot be held by a floating-point number (it rounds to"
                        " {rounded}); use --exact or a start nearer 1"
                    ).format(name=name, value=sp.N(value, 3), rounded=f"{float(value):g}")
                )
    if steps is None:
        # a stop rule that waits for something (a sign change, a tolerance) gets room to happen
        steps = 10_000 if any(w.strip() and w.strip() != "zero" for item in until for w in item.split(",")) else 20
    given = dict(settings or {})
    if beta is not None:
        given["beta"] = beta
    opt = _optimizer(optimizer, given)
    words = [w for item in until for w in item.split(",")]
    walk = descent.descend(f, names, list(point.values()), rate, steps=steps, until=words, exact=exact, optimizer=opt)
    return f, walk


def _optimizer(key: str, given: Mapping[str, str | None]) -> Optimiser:
    """The optimiser with the settings given on the command line (--beta, --eps, ...), each parsed exactly."""
    from tutor.optimisers import get, settings_by_key

    kind = get(key)
    takes = {s.key for s in kind.settings}
    for name, value in given.items():
        if value is not None and name not in takes:
            uses = settings_by_key().get(name, [])
            keys = [c.key for c, _setting in uses]
            users = _(" or ").join([", ".join(keys[:-1]), keys[-1]] if len(keys) > 1 else keys)
            symbol = uses[0][1].symbol if uses else name
            raise calculus.MathError(
                _("--{name} is for --optimizer {users}; {optimizer} has no {symbol}").format(
                    name=name, users=users, optimizer=tr(kind.noun), symbol=symbol
                )
            )
    return kind.build(**{name: parse_number(value) for name, value in given.items() if value is not None})


def descend_notes(f: sp.Expr, run: descent.Run) -> tuple[str, ...]:
    """What the table alone does not say (f has no minimum, η at or above its bound), decided by
    :mod:`tutor.analysis`."""
    from tutor import analysis

    try:
        return analysis.notes(f, run)
    except (calculus.MathError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return ()


def signs(run: descent.Run) -> tuple[tuple[int, ...], ...]:
    """The sign of each gradient component at each step of the run (exact in an exact run)."""
    return tuple(step_signs(s) for s in run.steps)


def step_signs(step: descent.Step) -> tuple[int, ...]:
    """The sign of each gradient component at one step."""
    return tuple(calculus.sign_any(g) for g in step.gradient)


def signed(steps: Iterable[descent.Step]) -> Iterator[tuple[descent.Step, tuple[int, ...]]]:
    """Each step as it comes, with its signs: what the table prints beside it (nothing is kept)."""
    for step in steps:
        yield step, step_signs(step)


def whole_run(walk: descent.Descent | descent.Run) -> descent.Run:
    """The descent run to its end with every step kept (a plot draws the whole path)."""
    from tutor import descent

    if isinstance(walk, descent.Run):
        return walk
    steps = tuple(walk)
    assert walk.stop is not None, "a descent read to its end knows why it stopped"
    return descent.Run(steps=steps, stop=walk.stop, **walk.record)


#: The notes judge the whole course of a run; a streamed run keeps at most this many steps for them.
NOTES_KEEP = 10_000


class NotesRecord:
    """The steps of a streamed run kept for its notes: all of them up to ``NOTES_KEEP``, then the first only.

    A run longer than that gets the notes decided from f and its start
    (no minimum; for a quadratic, the exact verdict on η), so its memory
    stays bounded.
    """

    def __init__(self, walk: descent.Descent | descent.Run, f: sp.Expr) -> None:
        # the notes read the course of a run only for a polynomial (see tutor.analysis.notes)
        self.walk, self.whole = walk, f.is_polynomial(*calculus.symbols_of(walk.variables))
        self.steps: list[descent.Step] = []

    def tee(self, steps: Iterable[descent.Step] | descent.Run) -> Iterator[descent.Step]:
        """The steps (of a Descent or a Run), passed on as they come, the first ``NOTES_KEEP`` kept."""
        for step in steps if isinstance(steps, Iterable) else steps.steps:
            if self.whole or not self.steps:
                self.steps.append(step)
                if len(self.steps) > NOTES_KEEP:
                    self.steps, self.whole = self.steps[:1], False
            yield step

    def notes(self, f: sp.Expr) -> tuple[str, ...]:
        from tutor import descent

        if isinstance(self.walk, descent.Run):
            return descend_notes(f, self.walk)
        assert self.walk.stop is not None, "the notes are read once the steps are out"
        return descend_notes(f, descent.Run(steps=tuple(self.steps), stop=self.walk.stop, **self.walk.record))


def descend_summary_and_notes(
    f: sp.Expr, walk: descent.Descent | descent.Run
) -> tuple[descent.Run | descent.Summary, tuple[str, ...]]:
    """The run for a one-line summary, and its notes, in bounded memory.

    A run asked for at most ``NOTES_KEEP`` steps keeps them for its notes; a
    longer one takes the fast loop (first and last steps only) and gets the
    notes decided from f and its start.
    """
    from tutor import descent

    if isinstance(walk, descent.Run):
        return walk, descend_notes(f, walk)
    if walk.steps_asked > NOTES_KEEP:
        summary = walk.summary()
        first = (summary.first,) if summary.first is not None else ()
        return summary, descend_notes(f, descent.Run(steps=first, stop=summary.stop, **walk.record))
    run = whole_run(walk)
    return run, descend_notes(f, run)
