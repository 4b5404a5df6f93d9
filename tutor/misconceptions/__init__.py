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

from typing import Any

from tutor.misconceptions.answers import diagnose
from tutor.misconceptions.common import Asked, Family, Misconception, _same, _scalar, _undefined
from tutor.misconceptions.derivatives import SLIPS, _derive, _evaluate, _iteration_derivative, refold
from tutor.misconceptions.descent_slips import _bracket, _direction, _next_iterate, _sign_change
from tutor.misconceptions.predict_slips import _predict
from tutor.misconceptions.training_slips import _training
from tutor.text import Text
from tutor.walkthrough.contract import (
    BracketContext,
    Context,
    DeriveContext,
    DirectionContext,
    EvaluateContext,
    PredictContext,
    SignChangeContext,
    SlopeContext,
    TrainingContext,
    UpdateContext,
    context_fields,
)


def explain(question: Asked, value: Any) -> Text | None:
    """What the learner's wrong ``value`` means: a known misconception of the whole answer, else what is
    wrong with its shape or with each wrong entry (:func:`tutor.misconceptions.answers.diagnose`); else None."""
    if value is None:
        return None
    value = _scalar(value)
    found = _candidates(question)
    if found is None:  # a context the engine cannot work with: nothing to say about it
        return None
    for m in found:
        if _same(m.value, value, question.tolerance):
            return m.says
    return diagnose(question, value, found)


def candidates(question: Asked) -> list[Misconception]:
    """Every misconception for this question whose answer differs from the right one (first one wins)."""
    return _candidates(question) or []


def _candidates(question: Asked) -> list[Misconception] | None:
    """The candidates; None when the question's context cannot be worked with (never a crash)."""
    family = _family(question.context)
    if family is None:
        return []
    try:  # the families read the context's fields by name
        found = family(question, context_fields(question.context))
    except (ValueError, TypeError, ZeroDivisionError, KeyError, IndexError, AttributeError, ArithmeticError):
        return None
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


#: The family of misconceptions for each typed question context (:mod:`tutor.walkthrough.contract`).
FAMILIES: dict[type, Family] = {
    DeriveContext: _derive,
    EvaluateContext: _evaluate,
    SlopeContext: _iteration_derivative,
    DirectionContext: _direction,
    UpdateContext: _next_iterate,
    SignChangeContext: _sign_change,
    BracketContext: _bracket,
    PredictContext: _predict,
    TrainingContext: _training,
}


def _family(context: Context | None) -> Family | None:
    """The family for a question's context, by its type; None for no context (or one the engine does not know)."""
    for kind, family in FAMILIES.items():
        if isinstance(context, kind):
            return family
    return None


__all__ = ["FAMILIES", "SLIPS", "Misconception", "candidates", "explain", "refold"]
