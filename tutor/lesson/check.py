"""``tutor check``: is a lesson well formed, and is its mathematics what it says?

Loading (:mod:`tutor.lesson.loader`) finds what is wrong with the *file*.
This module runs the *mathematics* each section asks about, with the engine
itself (:mod:`tutor.calculus`, :mod:`tutor.descent`, :mod:`tutor.training`),
under :func:`tutor.sandbox.run_bounded`: a lesson is untrusted, so no check
may hang the checker.  Each check below is a module-level function of plain
data (the sandbox pickles it) whose docstring is the rule it applies.

A descent section's checks:

- f and its gradient have real values at the start (else an error at ``start:``);
- f unbounded below (a witness direction found and checked exactly), a warning;
- the learning rate at or above the stability bound 2/L (exact for a quadratic
  with a minimum, L its largest Hessian eigenvalue; local at a minimum
  otherwise, with what a long run shows), a warning that names the bound;
- both warnings are silent when ``expect`` says that is the lesson's point;
- a stated ``expect`` that :mod:`tutor.analysis` contradicts is an error.

A predict section's verdict is :func:`tutor.analysis.predict_outcome` over
exactly the steps it shows; one that is ambiguous at that horizon is an error.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import _, ngettext
from tutor.lesson.loader import read_lesson_file
from tutor.lesson.model import (
    OUTCOMES,
    BatchCompare,
    Descent,
    Diagnostic,
    Evaluate,
    Lesson,
    LessonError,
    Predict,
    TrainingStep,
    Where,
)

LESSON_SUFFIXES = (".yaml", ".yml")

#: Seconds each kind of check may take in the sandbox.
QUICK, SLOW, RUN, WALK = 2.0, 4.0, 8.0, 15.0
#: Seconds the section checks of one file may take in all (then the rest are named, not checked).
FILE_SECONDS = 60.0

#: A float run of this many steps (at least) decides converge / oscillate / diverge.
CLASSIFY_STEPS = 1000
#: |∇f| at the end over |∇f| at the start: at most this is "settled", at least its inverse "growing".
SETTLED = 1e-2


class _Unchecked(Exception):
    """A check that could not finish in its time (or could not run at all)."""


def _bounded(fn: Callable, *args: Any, timeout: float) -> Any:
    """``fn(*args)`` under the sandbox; any failure of the sandbox itself becomes _Unchecked."""
    from tutor.sandbox import run_bounded

    try:
        return run_bounded(fn, *args, timeout=timeout)
    except TutorError as err:  # BoundExceeded, or an engine error surfacing from the child
        raise _Unchecked(err.message) from None


# --- the checks, run in the sandbox --------------------------------------------------------


def start_problem(f: sp.Expr, variables: tuple[str, ...], point: dict[str, sp.Expr]) -> str | None:
    """A descent starts where f and every ∂f/∂v have real values and f has no kink."""
    from tutor import calculus

    try:
        calculus.evaluate(f, point, what="f")
        kink = calculus.nondifferentiable_at(f, point)
        if kink:
            return kink
        what = "the derivative" if len(variables) == 1 else "the gradient"
        calculus.evaluate_vector(calculus.gradient(f, variables), point, what=what)
    except TutorError as err:
        return err.message
    return None


def value_problem(
    f: sp.Expr, variables: tuple[str, ...], point: dict[str, sp.Expr], what: str, of: str | None
) -> str | None:
    """An evaluate question has an answer: the value (or derivative, gradient) is real at the point."""
    from tutor import calculus

    try:
        if what == "value":
            calculus.evaluate(f, point, what="f")
            return None
        kink = calculus.nondifferentiable_at(f, point)
        if kink:
            return kink
        if what == "derivative":
            assert of is not None, (
                "an evaluate section that asks for a derivative names its variable (the loader sees to it)"
            )
            calculus.evaluate(calculus.derivative(f, of), point, what=f"∂f/∂{of}" if len(variables) > 1 else "f'")
        else:
            calculus.evaluate_vector(calculus.gradient(f, variables), point)
    except TutorError as err:
        return err.message
    return None


def unbounded_along(f: sp.Expr, variables: tuple[str, ...]) -> tuple[str | None, bool | None]:
    """(the unbounded-below sentence with its witness, or None; True/False/None: f proved bounded below or not)."""
    from tutor import analysis

    witness = analysis.unbounded_witness(f, variables)
    if witness is not None:
        return analysis.unbounded_note(witness, variables), False
    return None, analysis.bounded_below(f, variables)


def bound_warning(
    f: sp.Expr,
    variables: tuple[str, ...],
    start: tuple,
    lr: sp.Expr,
    optimizer: str,
    settings: dict[str, sp.Expr],
    steps: int,
) -> str | None:
    """The learning rate at or above its stability bound: the bound and what follows, each part true.

    A quadratic with a minimum: exact, direction by direction (a direction the
    start has no component along never moves).  Otherwise plain descent only:
    the local bound at the minimum nearest the start, and what a long run shows.
    """
    from tutor import analysis, descent

    q = analysis.quadratic_verdict(f, variables, start, lr, descent.make_optimizer(optimizer, **settings))
    if q is not None:
        if q.bound is None or lr < q.bound:
            return None
        method = q.method
        constants = f"L = {sp.sstr(q.curvature)}"
        if method.name != "gd":
            constants = f"β = {sp.sstr(method.beta)}, {constants}"
        moving = [m for m in q.modes if m.excited and m.fate in ("oscillate", "diverge")]
        if any(m.fate == "diverge" for m in moving):
            fate = _("the descent will diverge")
        elif moving:
            fate = _("the descent will oscillate for ever without settling")
        else:
            still = analysis._modes_words([m for m in q.modes if m.fate in ("oscillate", "diverge")], variables)
            fate = _("but the start has no component{still}, so nothing moves{still} and the descent converges").format(
                still=still
            )
        values = dict(lr=sp.sstr(lr), name=method.bound_name, bound=sp.sstr(q.bound), constants=constants, fate=fate)
        if lr > q.bound:
            return _("learning rate {lr} is above the stability bound {name} = {bound} ({constants}): {fate}").format(
                **values
            )
        return _("learning rate {lr} is at the stability bound {name} = {bound} ({constants}): {fate}").format(**values)
    if optimizer != "gd" or analysis.unbounded_witness(f, variables) is not None:
        return None
    bound = calculus_bound(f, variables, start)
    if bound is None or lr < bound.bound:
        return None
    run = descent.run(f, variables, tuple(float(x) for x in start), float(lr), steps=steps)
    seen = analysis.observe(run, [bound.at[v] for v in variables])
    where = ", ".join(f"{v} = {sp.sstr(bound.at[v])}" for v in variables)
    curv = "f''" if len(variables) == 1 else _("the largest eigenvalue of the Hessian")
    shown = seen.sentence
    if seen.closer_every_step:
        shown = _("{shown}; the distance to that minimum shrank at every step").format(shown=shown)
    values = dict(lr=sp.sstr(lr), bound=sp.sstr(bound.bound), where=where, L=sp.sstr(bound.curvature), curvature=curv)
    if lr > bound.bound:
        said = _(
            "learning rate {lr} is above the local bound 2/L = {bound} at the minimum nearest the start, {where} "
            "(L = {L} is {curvature} there, a local curvature)"
        ).format(**values)
    else:
        said = _(
            "learning rate {lr} is at the local bound 2/L = {bound} at the minimum nearest the start, {where} "
            "(L = {L} is {curvature} there, a local curvature)"
        ).format(**values)
    if seen.outcome == "undefined":  # the run's own check says where it stops
        return said
    return _("{said}; in a {steps}-step run: {shown}").format(said=said, steps=steps, shown=shown)


def calculus_bound(f: sp.Expr, variables: tuple[str, ...], start: tuple):
    from tutor import calculus

    return calculus.safe_learning_rate(f, variables, dict(zip(variables, start)))


def run_verdict(
    f: sp.Expr,
    variables: tuple[str, ...],
    start: tuple,
    lr: sp.Expr,
    optimizer: str,
    settings: dict[str, sp.Expr],
    steps: int,
) -> tuple[str, bool, str]:
    """(outcome, exact?, evidence): the analysis' verdict on a long float run from the start."""
    from tutor import analysis, descent

    opt = descent.make_optimizer(optimizer, **settings)
    run = descent.run(
        f, variables, tuple(float(x) for x in start), float(lr), steps=steps, optimizer=opt.in_mode(False)
    )
    judged = analysis.assess(f, run, opt)
    if judged.exact:
        return judged.outcome, True, _exact_evidence(judged.quadratic, lr, variables)
    return judged.outcome, False, judged.observation.sentence


def _exact_evidence(q, lr: sp.Expr, variables: tuple[str, ...]) -> str:
    """The eigen-analysis in one line: each direction the start moves along and what happens there."""
    from tutor import analysis

    what = {
        "converge": _("it converges"),
        "oscillate": _("it oscillates for ever"),
        "diverge": _("it diverges"),
        "stationary": _("the start is a stationary point"),
    }[q.outcome]
    if q.kind == "none" and q.outcome == "diverge":
        return _("f is quadratic with no minimum, and from this start the descent falls without limit: it diverges")
    parts = []
    for m in q.modes:
        if not m.excited:
            continue
        where = (
            ""
            if len(variables) == 1
            else _(" along {direction}").format(direction=analysis.direction_words(m.direction, variables))
            if m.direction
            else ""
        )
        if q.method.name == "gd" and m.eigenvalue > 0:
            name = "f'" if len(variables) == 1 else _("the gradient")
            parts.append(
                _("each step multiplies {name}{where} by 1 - ηL = {factor} (L = {L})").format(
                    name=name, where=where, factor=sp.sstr(1 - lr * m.eigenvalue), L=sp.sstr(m.eigenvalue)
                )
            )
        else:
            parts.append(_("{where}: {fate}").format(where=where.strip() or _("it"), fate=_(m.fate)))
    return _("f is quadratic, so exactly: {parts}: {what}").format(
        parts=_("; ").join(parts) or _("nothing moves"), what=what
    )


def predict_verdict(
    f: sp.Expr, variables: tuple[str, ...], start: tuple, lr: sp.Expr, steps: int
) -> tuple[str, str | None]:
    """The verdict a predict question grades, over exactly its steps, and why it is ambiguous (None if not)."""
    from tutor import analysis, descent

    run = descent.run(f, variables, start, lr, steps=steps, exact=True)
    if run.stop.reason == "exact_limit":
        run = descent.run(f, variables, start, lr, steps=steps, exact=False)
    if not run.steps:
        return "diverge", run.stop.message
    return analysis.predict_outcome(analysis.assess(f, run), run)


def run_summary(
    f: sp.Expr,
    variables: tuple[str, ...],
    start: tuple,
    lr: sp.Expr,
    optimizer: str,
    settings: dict[str, sp.Expr],
    steps: int,
    until: tuple[str, ...],
    exact: bool,
    schedule=None,
) -> dict:
    """The engine's run, as plain data: why it stopped, |∇f| and the gradient's signs at each step."""
    from tutor import descent

    if not exact:
        lr = float(lr)
    opt: Any = descent.make_optimizer(optimizer, **settings).in_mode(exact)  # or Scheduled around it
    if schedule is not None:
        from tutor.schedules import Scheduled

        opt = Scheduled(opt, schedule)
    run = descent.run(f, variables, start, lr, steps=steps, until=until, exact=exact, optimizer=opt)
    sizes, signs, changes = [], [], []
    for step in run.steps:
        grad = [float(g) for g in step.gradient]
        sizes.append(max((abs(g) for g in grad), default=0.0))
        signs.append(tuple((g > 0) - (g < 0) for g in grad))
        if step.sign_change:
            changes.append((step.k, step.sign_change))
    return {
        "reason": run.stop.reason,
        "k": run.stop.k,
        "message": run.stop.message,
        "sizes": sizes,
        "signs": signs,
        "changes": changes,
        "points": [
            tuple(sp.sstr(x) if isinstance(x, sp.Basic) else f"{x:.6g}" for x in s.point) for s in run.steps[-2:]
        ],
    }


def training_problem(section: TrainingStep | BatchCompare) -> str | None:
    """One exact update runs: the model has a real value and gradient at every sample used."""
    from tutor import training

    samples = getattr(section, "samples", None)
    try:
        training.one_update(
            section.model.expr,
            section.model.parameters,
            section.model.input,
            section.data.x,
            section.data.y,
            section.start,
            section.learning_rate,
            samples,
        )
    except TutorError as err:
        return err.message
    return None


def walkthrough_problems(lesson: Lesson) -> list[tuple] | None:
    """The engine can turn the lesson into a walkthrough (None: no engine to ask yet).

    Problems come back as plain tuples (path, line, column, severity, message);
    a problem without a place is located by building each section alone.
    """
    try:
        from tutor import walkthrough
    except Exception as err:
        message = _("the engine cannot be loaded ({name}: {err})").format(name=type(err).__name__, err=err)
        return [(None, None, None, "error", message)]
    build = getattr(walkthrough, "build_walkthrough", None)
    if not callable(build):
        return None

    built = []

    def attempt(subject: Lesson) -> list[tuple]:
        try:
            built.append(build(subject))
        except LessonError as err:
            return [(d.where.path, d.where.line, d.where.column, d.severity, d.message) for d in err.diagnostics] or [
                (None, None, None, "error", err.message)
            ]
        except TutorError as err:
            return [(None, None, None, "error", err.message)]
        except RecursionError:
            return [(None, None, None, "error", _("the engine ran out of stack building this lesson"))]
        except Exception as err:
            message = _("the engine failed ({name}: {err}); please report this").format(
                name=type(err).__name__, err=err
            )
            return [(None, None, None, "error", message)]
        return []

    problems = attempt(lesson)
    if not problems:  # every expected answer exists: each must also be gradable
        if not built or built[0] is None:
            return problems
        walked = built[0]
        return unreachable_feedback(walked) + answer_test_problems(walked) + grading_problems(lesson, walked)
    if all(p[1] is not None for p in problems):
        return problems
    located = []
    for section in lesson.sections:
        for problem in attempt(dataclasses.replace(lesson, sections=(section,))):
            if problem[1] is None and section.where is not None:
                w = section.where
                problem = (w.path, w.line, w.column, *problem[3:])
            located.append(problem)
    return located or problems


def unreachable_feedback(walkthrough) -> list[tuple]:
    """Author feedback listed for an answer the grader accepts as right can never be shown.

    A descent's feedback serves every iteration: it is unreachable only when it
    is the right answer at every iteration that asks it.
    """
    from tutor.grading import compare

    right: dict[tuple, bool] = {}
    for question in walkthrough.questions():
        for item in question.help.feedback:
            key = (item.where, 0) if item.where is not None else (None, id(item))  # one entry, every iteration
            try:
                accepted = compare(question, item.answer, question.expected).ok is True
            except Exception:
                accepted = False
            right[key] = right.get(key, True) and accepted
    problems = []
    for (where, _key), accepted in right.items():
        if accepted and where is not None:
            problems.append(
                (
                    where.path,
                    where.line,
                    where.column,
                    "warning",
                    "this feedback is for the right answer, so no learner ever sees it "
                    "(feedback answers are wrong answers a learner might give)",
                )
            )
    return problems


def answer_test_problems(walkthrough) -> list[tuple]:
    """Run each question's answer tests (as STACK's question tests): a test whose verdict or feedback differs fails.

    Help shared by the iterations of a descent is tested at the first
    question that carries it (iteration 0).
    """
    from tutor.grading import grade
    from tutor.text import tr

    problems, done = [], set()
    for question in walkthrough.questions():
        for test in question.help.tests:
            if id(test) in done:
                continue
            done.add(id(test))
            where = test.where
            got = grade(question, test.answer)
            # a test's feedback may be written in any of the lesson's languages: the grader's words in each
            words = " ".join(_said_in_every_language(question, test.answer))
            if got.verdict != test.verdict:
                said = f" ({tr(got.feedback or got.message)})" if (got.feedback or got.message) else ""
                message = _("answer test: '{answer}' should be {verdict}, but the grader says {got}{said}").format(
                    answer=test.answer, verdict=_(test.verdict), got=_(got.verdict), said=said
                )
            elif test.says and test.says not in words:
                message = _("answer test: '{answer}' is {got}, but its feedback does not say '{says}'").format(
                    answer=test.answer, got=_(got.verdict), says=test.says
                )
            else:
                continue
            problems.append(
                (where.path, where.line, where.column, "error", message)
                if where
                else (None, None, None, "error", message)
            )
    return problems


def _said_in_every_language(question: Any, answer: str) -> list[str]:
    """The grader's message and feedback for ``answer`` in each language the tutor speaks."""
    from tutor import i18n
    from tutor.grading import grade
    from tutor.text import tr

    before = i18n.current_language()
    said = []
    try:
        for code in i18n.LANGUAGES:
            i18n.set_language(code)
            got = grade(question, answer)
            said += [tr(t, lang) for t in (got.message, got.feedback) if t for lang in i18n.LANGUAGES]
    finally:
        i18n.set_language(before)
    return said


def _typed(expected: Any) -> str | None:
    """The expected answer as a learner would type it (None: a choice, graded by key)."""
    if isinstance(expected, sp.Basic):
        return sp.sstr(expected).replace("**", "^")
    if isinstance(expected, tuple) and expected and all(isinstance(e, sp.Basic) for e in expected):
        return "[" + ", ".join(sp.sstr(e).replace("**", "^") for e in expected) + "]"
    return None


def grading_problems(lesson: Lesson, walkthrough: Any) -> list[tuple]:
    """A problem for each question whose own expected answer is not graded right.

    Such a question can never be answered (sinh(sinh(sinh(100))) has no value
    the grader can compare within its bound), so ``tutor check`` refuses it.
    """
    from tutor.grading import grade

    problems = []
    for step in getattr(walkthrough, "steps", ()):
        for question in step.questions:
            text = None if question.choices or question.formula is not None else _typed(question.expected)
            if text is None:
                continue
            verdict = grade(question, text).verdict
            if verdict != "right":
                section = lesson.sections[step.section] if 0 <= step.section < len(lesson.sections) else None
                w = getattr(section, "where", None) or Where(lesson.path, 1, 1)
                shown = text if len(text) <= 40 else text[:39] + "…"
                message = _("no answer can be graded: its own expected answer ({shown}) is graded {verdict}").format(
                    shown=shown, verdict=_(verdict)
                )
                problems.append((w.path, w.line, w.column, "error", message))
    return problems


# --- reading a run ------------------------------------------------------------------------


def classify(summary: dict) -> tuple[str, str]:
    """converge / oscillate / diverge / undefined / undecided, with the evidence in words.

    converge:  the run stops on a zero gradient or the tolerance, or |∇f| falls
               to a hundredth of its start;
    diverge:   the run stops as diverged, or |∇f| grows a hundredfold;
    oscillate: the gradient's sign alternates step after step while |∇f|
               stays the same size.
    """
    reason, k = summary["reason"], summary["k"]
    if reason in ("zero_gradient", "tolerance"):
        return "converge", _("the run stops at step {k}: {why}").format(k=k, why=summary["message"])
    if reason == "diverged":
        return "diverge", _("the run diverges at step {k}: {why}").format(k=k, why=summary["message"])
    if reason in ("undefined", "not_differentiable", "exact_limit"):
        return "undefined", _("the run stops at step {k}: {why}").format(k=k, why=summary["message"])
    sizes, signs = summary["sizes"], summary["signs"]
    if len(sizes) < 2 or sizes[0] == 0:
        return "undecided", _("the run is too short to tell")
    ratio = sizes[-1] / sizes[0]
    steps = len(sizes) - 1
    if ratio <= SETTLED:
        return "converge", _("|∇f| falls from {start} to {end} in {steps} steps").format(
            start=f"{sizes[0]:.3g}", end=f"{sizes[-1]:.3g}", steps=steps
        )
    if ratio >= 1 / SETTLED:
        return "diverge", _("|∇f| grows from {start} to {end} in {steps} steps").format(
            start=f"{sizes[0]:.3g}", end=f"{sizes[-1]:.3g}", steps=steps
        )
    tail = signs[-min(len(signs), 10) :]
    main = max(range(len(tail[0])), key=lambda i: abs(tail[-1][i])) if tail and tail[0] else 0
    alternating = len(tail) >= 3 and all(a[main] * b[main] < 0 for a, b in zip(tail, tail[1:]))
    if alternating:
        return (
            "oscillate",
            _("the gradient's sign alternates every step while |∇f| stays near {end} (it started at {start})").format(
                end=f"{sizes[-1]:.3g}", start=f"{sizes[0]:.3g}"
            ),
        )
    return "undecided", _("after {steps} steps |∇f| has gone from {start} to {end}").format(
        steps=steps, start=f"{sizes[0]:.3g}", end=f"{sizes[-1]:.3g}"
    )


# --- the checks of each section ------------------------------------------------------------


class _Report:
    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.diagnostics: list[Diagnostic] = []

    def at(self, section, *keys: str) -> Where:
        for key in keys:
            where = getattr(section, "places", {}).get(key)
            if where is not None:
                return where
        return section.where or self.lesson.where or Where(self.lesson.path, 1, 1)

    def error(self, where: Where, message: str) -> None:
        self.diagnostics.append(Diagnostic(where, "error", message))

    def warning(self, where: Where, message: str) -> None:
        self.diagnostics.append(Diagnostic(where, "warning", message))


def _point_words(point: dict[str, sp.Expr]) -> str:
    return ", ".join(f"{name} = {sp.sstr(value)}" for name, value in point.items())


def _check_start(report: _Report, section, start: dict) -> bool:
    f = section.function
    try:
        problem = _bounded(start_problem, f.expr, f.variables, start, timeout=QUICK)
    except _Unchecked as err:
        report.error(
            report.at(section, "start"), _("the engine could not evaluate f at the start: {err}").format(err=err)
        )
        return False
    if problem:
        report.error(
            report.at(section, "start"),
            _("the descent cannot start at {start}: {problem}").format(start=_point_words(start), problem=problem),
        )
        return False
    return True


def _check_bounds(report: _Report, section: Descent) -> None:
    """The two warnings: unbounded below, learning rate at or above the stability bound."""
    f = section.function
    expect = section.expect
    try:
        falls, bounded = _bounded(unbounded_along, f.expr, f.variables, timeout=SLOW)
    except _Unchecked:
        falls, bounded = None, None
    if falls and expect not in ("diverge", "unbounded"):
        report.warning(
            report.at(section, "function"),
            _("{falls} (say expect: unbounded if that is the point)").format(falls=falls),
        )
    if expect == "unbounded" and bounded:
        report.error(report.at(section, "expect"), _("expect: unbounded, but f is bounded below along every variable"))
    if expect in ("diverge", "oscillate"):
        return
    if section.schedule is not None:  # the rate falls step by step: whether it settles is the run's to say
        return
    start = tuple(section.start[v] for v in f.variables)
    opt = section.optimizer
    try:
        message = _bounded(
            bound_warning,
            f.expr,
            f.variables,
            start,
            section.learning_rate,
            opt.name,
            opt.settings,
            CLASSIFY_STEPS,
            timeout=RUN,
        )
    except _Unchecked:
        return
    if message:
        report.warning(
            report.at(section, "learning_rate"),
            _("{message} (say expect: diverge or oscillate if that is the point)").format(message=message),
        )


def _summary(section: Descent, *, steps: int, until: tuple[str, ...], exact: bool) -> dict:
    f = section.function
    start = tuple(section.start[v] for v in f.variables)
    opt = section.optimizer
    return _bounded(
        run_summary,
        f.expr,
        f.variables,
        start,
        section.learning_rate,
        opt.name,
        opt.settings,
        steps,
        until,
        exact,
        section.schedule,
        timeout=RUN,
    )


def _check_run(report: _Report, section: Descent) -> None:
    """The lesson's own run must get through the iterations the learner does by hand."""
    try:
        summary = _summary(section, steps=section.max_steps, until=section.stop, exact=section.exact)
    except _Unchecked as err:
        report.warning(
            report.at(section, "max_steps", "function"),
            _("the engine could not finish this run to check it: {err}").format(err=err),
        )
        return
    reason, k = summary["reason"], summary["k"]
    if reason in ("undefined", "not_differentiable", "exact_limit", "diverged") and k > 0:
        key = ("exact", "function") if reason == "exact_limit" else ("learning_rate",)
        message = _("the descent stops at step {k}: {summary}").format(k=k, summary=summary["message"])
        if k < section.by_hand:  # iterations 0..k-1 are complete; the learner needs 0..by_hand-1
            report.error(
                report.at(section, *key),
                _("{message}, before the {by_hand} steps the learner does by hand").format(
                    message=message, by_hand=section.by_hand
                ),
            )
        elif reason != "diverged" or section.expect not in ("diverge", "unbounded"):
            report.warning(report.at(section, *key), message)
    elif reason == "exact_limit":
        report.error(
            report.at(section, "exact", "function"),
            _("{summary} (write exact: false)").format(summary=summary["message"]),
        )
    if reason in ("sign_change", "zero_gradient", "tolerance") and k + 1 < section.by_hand:
        # a run that stops at step k has k + 1 iterations (the last asks the derivative, not a next point)
        report.warning(
            report.at(section, "by_hand"),
            _(
                "the run stops at step {k} ({summary}), so it has {k_1} iterations, fewer than by_hand: {by_hand}"
            ).format(k=k, summary=summary["message"], k_1=k + 1, by_hand=section.by_hand),
        )
    if section.expect == "sign_change" and not summary["changes"] and reason != "sign_change":
        report.error(
            report.at(section, "expect"),
            _(
                "expect: sign_change, but the derivative never changes sign (the run stops at step {k}: {summary})"
            ).format(k=k, summary=summary["message"]),
        )
    if section.expect in ("converge", "oscillate", "diverge"):
        f, opt = section.function, section.optimizer
        start = tuple(section.start[v] for v in f.variables)
        try:
            kind, _exact, evidence = _bounded(
                run_verdict,
                f.expr,
                f.variables,
                start,
                section.learning_rate,
                opt.name,
                opt.settings,
                max(section.max_steps, CLASSIFY_STEPS),
                timeout=RUN,
            )
        except _Unchecked as err:
            report.warning(
                report.at(section, "expect"),
                _("could not check expect: {expect}: {err}").format(expect=section.expect, err=err),
            )
            return
        kind = "converge" if kind == "stationary" else kind
        if kind in OUTCOMES and kind != section.expect:
            report.error(
                report.at(section, "expect"),
                _("expect: {expect}, but it does not: {evidence}").format(expect=section.expect, evidence=evidence),
            )
        elif kind not in OUTCOMES:
            report.warning(
                report.at(section, "expect"),
                _("could not confirm expect: {expect}: {evidence}").format(expect=section.expect, evidence=evidence),
            )


def _check_descent(report: _Report, section: Descent) -> None:
    if not _check_start(report, section, section.start):
        return
    _check_bounds(report, section)
    _check_run(report, section)


def _check_predict(report: _Report, section: Predict) -> None:
    """The question must have one honest answer over the steps it shows."""
    if not _check_start(report, section, section.start):
        return
    f = section.function
    start = tuple(section.start[v] for v in f.variables)
    try:
        _outcome, ambiguous = _bounded(
            predict_verdict, f.expr, f.variables, start, section.learning_rate, section.steps, timeout=RUN
        )
    except _Unchecked as err:
        report.warning(
            report.at(section, "steps", "learning_rate"), _("could not check this prediction: {err}").format(err=err)
        )
        return
    if ambiguous:
        report.error(
            report.at(section, "steps", "learning_rate"),
            _(
                "this prediction has no clear answer over {steps} steps ({ambiguous}); show more steps or choose another learning rate"
            ).format(steps=section.steps, ambiguous=ambiguous),
        )


def _check_evaluate(report: _Report, section: Evaluate) -> None:
    f = section.function
    try:
        problem = _bounded(value_problem, f.expr, f.variables, section.at, section.what, section.of, timeout=QUICK)
    except _Unchecked as err:
        report.error(report.at(section, "at"), _("the engine could not evaluate this in time: {err}").format(err=err))
        return
    if problem:
        report.error(
            report.at(section, "at"),
            _("this question has no answer at {point_words}: {problem}").format(
                point_words=_point_words(section.at), problem=problem
            ),
        )


def _check_training(report: _Report, section) -> None:
    try:
        problem = _bounded(training_problem, section, timeout=SLOW)
    except _Unchecked as err:
        report.error(
            report.at(section, "data"), _("the engine could not run one update in time: {err}").format(err=err)
        )
        return
    if problem:
        report.error(
            report.at(section, "data", "model"), _("one update cannot be computed: {problem}").format(problem=problem)
        )


CHECKS: dict[type, Callable[[_Report, Any], None]] = {
    Descent: _check_descent,
    Predict: _check_predict,
    Evaluate: _check_evaluate,
    TrainingStep: _check_training,
    BatchCompare: _check_training,
}


def _check_walkthrough(report: _Report, lesson: Lesson) -> None:
    try:
        problems = _bounded(walkthrough_problems, lesson, timeout=WALK)
    except _Unchecked as err:
        report.error(
            lesson.where or Where(lesson.path, 1, 1),
            _("the engine could not build this lesson's walkthrough: {err}").format(err=err),
        )
        return
    for path, line, column, severity, message in problems or ():
        where = Where(path or lesson.path, line or 1, column or 1)
        plain = severity != "error" or message.startswith(_("answer test"))
        text = message if plain else _("a question the engine cannot answer: {message}").format(message=message)
        report.diagnostics.append(Diagnostic(where, "warning" if severity == "warning" else "error", text))


def validate_math(lesson: Lesson) -> list[Diagnostic]:
    """Run every section's mathematics with the engine; warnings and errors, never an exception."""
    import time

    report = _Report(lesson)
    end = time.monotonic() + FILE_SECONDS
    for number, section in enumerate(lesson.sections):
        check = CHECKS.get(type(section))
        if check is None:
            continue
        if time.monotonic() > end:  # each check is bounded; so is the whole file (200 descent sections)
            left = sum(type(s) in CHECKS for s in lesson.sections[number:])
            report.warning(
                report.at(section),
                _(
                    "this and the {n} sections after it were not checked: the {seconds} s this file's checks may take ran out"
                ).format(n=left - 1, seconds=f"{FILE_SECONDS:g}"),
            )
            break
        try:
            check(report, section)
        except Exception as err:
            report.error(
                report.at(section),
                _("the checker failed on this section ({name}: {err}); please report this").format(
                    name=type(err).__name__, err=err
                ),
            )
    if not any(d.severity == "error" for d in report.diagnostics):
        try:
            _check_walkthrough(report, lesson)
        except Exception as err:
            report.error(
                lesson.where or Where(lesson.path, 1, 1),
                _("the checker failed building the walkthrough ({name}: {err})").format(
                    name=type(err).__name__, err=err
                ),
            )
    return report.diagnostics


# --- the command -----------------------------------------------------------------------------


def lesson_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The lesson files named or found (recursively) in folders, and a diagnostic for each path that is neither."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in LESSON_SUFFIXES and p.is_file())
            if not found:
                problems.append(
                    Diagnostic(Where(str(path), 1, 1), "warning", _("no lesson files (*.yaml, *.yml) in this folder"))
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Diagnostic(Where(str(path), 1, 1), "error", _("no such file or folder")))
    unique = list(dict.fromkeys(files))
    return unique, problems


def check_file(path: Path) -> tuple[Lesson | None, list[Diagnostic]]:
    """Everything ``tutor check`` says about one file (every checked variant of it)."""
    lesson, diagnostics = read_lesson_file(path)
    if lesson is not None:
        diagnostics = diagnostics + control_characters(path) + validate_math(lesson)
        if lesson.variants is not None:
            diagnostics = diagnostics + check_variants(path, lesson, diagnostics)
    return lesson, diagnostics


def predict_outcomes(lesson: Lesson) -> dict[str, Any]:
    """The outcome each predict question expects (question id -> converge / oscillate / diverge)."""
    from tutor.walkthrough import build_walkthrough

    try:
        walkthrough = build_walkthrough(lesson)
    except Exception:
        return {}
    return {q.id: q.expected for q in walkthrough.questions() if q.id.endswith(".predict")}


def check_variants(path: Path, first: Lesson, found: list[Diagnostic]) -> list[Diagnostic]:
    """Variants 2, 3, ... (all, or a deterministic sample): what breaks in one is an error naming it.

    An error in any variant is reported with the variant's number and values;
    a warning only where variant 1 has none (the same warning at every variant
    would drown the rest); a predict question whose outcome differs from
    variant 1's cannot have text and feedback that fit both, so it is an error.
    """
    from tutor.lesson.keys import DEFAULT_CHECK
    from tutor.lesson.variants import admissible, describe, sample

    spec = first.variants
    if spec is None:  # one set of numbers: nothing more to check
        return []
    everyone = admissible(spec)
    limit = spec.check or DEFAULT_CHECK
    picked = sample(len(everyone), limit)
    out: list[Diagnostic] = []
    warned = {(d.where.line, d.where.column) for d in found if d.severity == "warning"}
    try:
        outcomes = _bounded(predict_outcomes, first, timeout=WALK) if _has_predict(first) else {}
    except _Unchecked:
        outcomes = {}
    for number in picked[1:]:
        lesson, diagnostics = read_lesson_file(path, number)
        label = _("variant {number} ({values})").format(number=number, values=describe(everyone[number - 1]))
        if lesson is not None:
            diagnostics = diagnostics + validate_math(lesson)
            if outcomes:
                try:
                    theirs = _bounded(predict_outcomes, lesson, timeout=WALK)
                except _Unchecked:
                    theirs = {}
                for qid, outcome in theirs.items():
                    if qid in outcomes and outcome != outcomes[qid]:
                        section = lesson.sections[int(qid[1:].split(".")[0])]
                        out.append(
                            Diagnostic(
                                section.where or Where(str(path), 1, 1),
                                "error",
                                _(
                                    "{label}: the run's outcome is {outcome}, but in variant 1 it is {first}; "
                                    "a predict question's text and feedback cannot fit both (add a requirement)"
                                ).format(label=label, outcome=_(outcome), first=_(outcomes[qid])),
                            )
                        )
        for d in diagnostics:
            if d.severity == "error" or (d.severity == "warning" and (d.where.line, d.where.column) not in warned):
                out.append(Diagnostic(d.where, d.severity, f"{label}: {d.message}"))
                if d.severity == "warning":
                    warned.add((d.where.line, d.where.column))
    if len(picked) == len(everyone):
        shown = _("{n} variants checked (all {total})").format(n=len(picked), total=len(everyone))
    else:
        shown = _("{n} variants checked (a sample of the {total}: {picked})").format(
            n=len(picked), total=len(everyone), picked=", ".join(map(str, picked))
        )
    out.append(Diagnostic(spec.where or Where(str(path), 1, 1), "note", shown))
    return out


def _has_predict(lesson: Lesson) -> bool:
    return any(isinstance(s, Predict) for s in lesson.sections)


def control_characters(path: Path) -> list[Diagnostic]:
    """A warning at each text that holds a control character (YAML's ``"\\e"``): the tutor shows it escaped.

    Only called on a file the loader has read, so it is UTF-8, at most 1 MB,
    and free of tags and aliases; composing it again builds no objects.
    """
    import yaml

    from tutor.safe_text import find_unsafe

    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    found: list[Diagnostic] = []
    nodes = [root] if root is not None else []
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.ScalarNode):
            hits = list(find_unsafe(node.value))
            if hits:
                names = ", ".join(dict.fromkeys(name for _, name in hits))
                where = Where(str(path), node.start_mark.line + 1, node.start_mark.column + 1)
                found.append(
                    Diagnostic(
                        where,
                        "warning",
                        _(
                            "this text holds control characters ({names}); they are shown escaped, never sent to a "
                            "terminal, so remove them"
                        ).format(names=names),
                    )
                )
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
    return found


def check_paths(paths: Sequence[Path]) -> tuple[int, list[Diagnostic]]:
    """(number of lesson files checked, every diagnostic sorted by path and position)."""
    files, diagnostics = lesson_files(paths)
    seen: dict[str, str] = {}
    for path in files:
        try:
            lesson, found = check_file(path)
        except Exception as err:
            lesson, found = (
                None,
                [
                    Diagnostic(
                        Where(str(path), 1, 1),
                        "error",
                        _("the checker failed on this file ({name}: {err})").format(name=type(err).__name__, err=err),
                    )
                ],
            )
        diagnostics.extend(found)
        if lesson is not None:
            if lesson.id in seen:
                where = lesson.places.get("id") or Where(str(path), 1, 1)
                diagnostics.append(
                    Diagnostic(
                        where,
                        "error",
                        _("the id '{id}' is already used by {seen}").format(id=lesson.id, seen=seen[lesson.id]),
                    )
                )
            else:
                seen[lesson.id] = str(path)
    diagnostics.sort(key=lambda d: (d.where.path, d.where.line, d.where.column, d.severity))
    return len(files), diagnostics


def check_command(paths: list[Path]) -> int:
    """Print every diagnostic and a summary line; 0 when there is no error, else 1."""
    from tutor.safe_text import shown

    checked, diagnostics = check_paths(paths)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    out = sys.stdout
    for diagnostic in diagnostics:
        print(shown(str(diagnostic)), file=out)  # file names and quoted lesson text: control characters escaped
    print(
        _("{lessons} checked: {errors}, {warnings}").format(
            lessons=ngettext("{n} lesson", "{n} lessons", checked).format(n=checked),
            errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
        ),
        file=out,
    )
    out.flush()
    return 1 if errors else 0
