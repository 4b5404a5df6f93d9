"""A predict section: will the run converge, oscillate or diverge? Asked first, then shown.

The outcome is read off what the run did (:func:`outcome_of`); the reason
given is the 2/L bound on the learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor import analysis, descent
from tutor.i18n import N_, _
from tutor.lesson.model import Lesson, Predict
from tutor.notation import OUTCOME_SENTENCES, OUTCOMES
from tutor.text import Text
from tutor.walkthrough.contract import OutcomePayload, PredictContext, PredictPayload
from tutor.walkthrough.descent_steps import (
    _bound_words,
    _Landscape,
    _landscape,
    _run_data,
    _run_table,
    _stop_words,
    curvature_known,
)
from tutor.walkthrough.latex import _function_tex, _iterate_tex, tex, tex_factor
from tutor.walkthrough.shared import _fail, _join, _one, _with_solution
from tutor.walkthrough.steps import Choice, Question, Step, _sympy

OUTCOME_CHOICES = tuple(Choice(key, label) for key, label in OUTCOMES.items())


def outcome_of(run: descent.Run) -> str:
    """converge / oscillate / diverge, as the run itself shows it (:func:`tutor.analysis.observe`).

    A run that has not settled either way is read by its trend: |∇f| at least
    halved is converging, at least doubled is diverging, anything else is
    oscillating.
    """
    seen = analysis.observe(run)
    if seen.outcome in analysis.OUTCOMES:
        return seen.outcome
    return analysis.predict_outcome(analysis.Assessment(seen.outcome, False, None, seen), run)[0]


def _compare(a: Any, b: Any) -> int:
    """-1, 0, 1: exactly for exact numbers, within a relative 1e-9 for floats."""
    a, b = _sympy(a), _sympy(b)
    if a.is_Rational and b.is_Rational:
        return int(bool(a > b)) - int(bool(a < b))
    fa, fb = float(a), float(b)
    if abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb)):
        return 0
    return 1 if fa > fb else -1


def _predict(i: int, section: Predict, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.start]
    if missing:
        raise _fail(
            lesson, section, _("the start needs a value for {missing}").format(missing=", ".join(missing)), "start"
        )
    start = tuple(section.start[v] for v in names)
    lr = section.learning_rate
    run = descent.run(f, names, start, lr, steps=section.steps, exact=True)
    if run.stop.reason == "exact_limit":
        run = descent.run(f, names, start, lr, steps=section.steps, exact=False)
    if not run.steps:
        raise _fail(lesson, section, _("the descent cannot start: {message}").format(message=run.stop.message), "start")
    judged = analysis.assess(f, run)
    outcome, ambiguous = analysis.predict_outcome(judged, run)
    known = curvature_known(lesson, i)
    land = _landscape(f, names, section.start, known)
    x0 = f"${_iterate_tex(names, 0)} = {tex(_one(_sympy(start)))}$"
    prompt: Text = _(
        "Gradient descent on ${f}$ starts at {x0} with learning rate $\\eta = {lr}$. Over {steps} steps, will it converge, oscillate or diverge?"
    ).format(f=_function_tex(f, names), x0=x0, lr=tex(lr), steps=section.steps)
    if section.prompt and not judged.exact:  # a verdict read off the run holds over its steps only: say how many
        prompt = _join(
            section.prompt,
            _("(Over {steps} steps.)").format(steps=section.steps),
        )
    elif section.prompt:
        prompt = section.prompt
    reason = _join(_outcome_reason(land, lr, names, judged, known), _horizon_words(ambiguous, section.steps))
    words = _(OUTCOME_SENTENCES[outcome])
    verdict = _("{verdict}.").format(verdict=words)
    solution = _join(verdict, reason)
    question = Question(
        id=f"s{i}.predict",
        kind="choice",
        prompt=prompt,
        expected=outcome,
        skill="learning_rate",
        choices=OUTCOME_CHOICES,
        help=_with_solution(section.help, solution),
        # the misconception feedback states the 2/L rule: true only when the start moves along every direction
        context=PredictContext(
            f,
            names,
            dict(section.start),
            lr,
            land.bound if judged.quadratic is None or all(m.excited for m in judged.quadratic.modes) else None,
        ),
    )
    title = section.title or _("Predict")
    payload = PredictPayload(f, tuple(names), lr, start)
    ask = Step(f"s{i}", i, title, section.text or "", payload, (question,), solution)
    facts = OutcomePayload(**_run_data(fn, run, land, len(run.steps) - 1), display=section.display, outcome=outcome)
    text = _join(verdict, _stop_words(run, names), reason)
    shown = Step(f"s{i}.run", i, _("What happens"), text, facts, (), _run_table(run, names, section.display))
    return [ask, shown]


def _horizon_words(ambiguous: str | None, steps: int) -> Text | None:
    if ambiguous is None:
        return None
    return _("Careful: over these {steps} steps it is hard to tell ({ambiguous}).").format(
        steps=steps, ambiguous=ambiguous
    )


_FATE = {
    "converge": N_("shrinks"),
    "oscillate": N_("keeps its size, flipping side each step: it bounces for ever"),
    "diverge": N_("grows"),
}


def _outcome_reason(
    land: _Landscape, lr: Any, names: Sequence[str], judged: analysis.Assessment, known: bool
) -> Text | None:
    """Why: the factor each step multiplies the distance by along each direction (a quadratic), or what the run showed."""
    q = judged.quadratic
    if q is None:
        return _observed_words(judged.observation)
    if q.kind == "none":
        return _no_minimum_words(q, names)
    parts = [_bound_words(land, lr, "gd")]
    one = len(names) == 1
    for mode in q.modes:
        along = (
            ""
            if one or not mode.direction
            else _(" along {direction}").format(direction=analysis.direction_words(mode.direction, names))
        )
        if not mode.excited:
            parts.append(_("The start has no slope{along}, so the descent never moves{along}.").format(along=along))
            continue
        factor = 1 - _sympy(lr) * mode.eigenvalue
        fate = _(_FATE[mode.fate])
        if known:
            name = "L" if one else "\\lambda"
            formula = f"$1 - \\eta {name} = 1 - {tex(lr)}\\cdot {tex_factor(mode.eigenvalue)} = {tex(factor)}$"
            said = _("Each step multiplies the distance to the minimum{along} by {formula}, so that distance {fate}.")
            parts.append(said.format(along=along, formula=formula, fate=fate))
        else:  # its own sentence: a translation may join "the same factor" to the verb without a space
            said = _(
                "Each step multiplies the distance to the minimum{along} by the same factor, ${factor}$, "
                "so that distance {fate}."
            )
            parts.append(said.format(along=along, factor=tex(factor), fate=fate))
    return _join(*parts)


def _no_minimum_words(q: analysis.QuadraticVerdict, names: Sequence[str]) -> Text:
    if q.outcome in ("converge", "stationary"):
        return _(
            "f has no minimum (it falls without limit in some direction), but the start has no slope along that direction, so the descent settles on a saddle point, not a minimum."
        )
    return _("f has no minimum: it falls without limit, and from this start the descent follows it downhill for ever.")


def _observed_words(seen: analysis.Observation) -> Text:
    """What the run showed (f is not quadratic): an observation over its steps, not a theorem."""
    return _("f is not quadratic, so this is what the run shows, not a theorem: {shown}.").format(shown=seen.sentence)
