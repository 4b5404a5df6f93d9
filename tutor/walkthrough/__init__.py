"""A lesson turned into plain data: the steps a learner goes through.

Each :class:`Step` holds the exact values the engine computed and the
:class:`Question` objects asked there, each with its exact expected answer.
The tutor, the plain mode, the plots and the Markdown export all render a
:class:`Walkthrough`; none of them computes mathematics of its own.
:func:`build_walkthrough` is the only place that asks the engine
(:mod:`tutor.calculus`, :mod:`tutor.descent`, :mod:`tutor.training`); it is
pure (no I/O) and raises :class:`~tutor.lesson.model.LessonError` when the
engine cannot answer a question the lesson asks.

Where each concern lives:

- :mod:`~tutor.walkthrough.contract`: the typed payload of each step kind and
  the context of each question (views ``match step.payload``).
- :mod:`~tutor.walkthrough.steps`: the step, question and walkthrough, and error
  carried forward (:func:`expected_given`, :func:`carried_inputs`).
- :mod:`~tutor.walkthrough.latex`: how values and maths are written (LaTeX, Unicode).
- :mod:`~tutor.walkthrough.build`: :func:`build_walkthrough`, which hands each
  section to its builder:
  :mod:`~tutor.walkthrough.explain`, :mod:`~tutor.walkthrough.derive` (derive
  and evaluate), :mod:`~tutor.walkthrough.descent_steps` (iterations and the run),
  :mod:`~tutor.walkthrough.predict`, :mod:`~tutor.walkthrough.training_steps` (one
  weight update, batch comparison); what they share is in
  :mod:`~tutor.walkthrough.shared`.
"""

import importlib
from typing import Any

#: Where each public name lives: imported on first use, so importing the contract's types
#: (:mod:`tutor.walkthrough.contract`) does not load sympy and the engine.
_WHERE = {
    "FunctionPlot": "tutor.walkthrough.contract",
    "ExplainPayload": "tutor.walkthrough.contract",
    "Derivation": "tutor.walkthrough.contract",
    "DerivePayload": "tutor.walkthrough.contract",
    "EvaluatePayload": "tutor.walkthrough.contract",
    "DescentFacts": "tutor.walkthrough.contract",
    "IterationPayload": "tutor.walkthrough.contract",
    "RunPayload": "tutor.walkthrough.contract",
    "PredictPayload": "tutor.walkthrough.contract",
    "OutcomePayload": "tutor.walkthrough.contract",
    "TrainingPayload": "tutor.walkthrough.contract",
    "BatchPayload": "tutor.walkthrough.contract",
    "DeriveContext": "tutor.walkthrough.contract",
    "EvaluateContext": "tutor.walkthrough.contract",
    "SlopeContext": "tutor.walkthrough.contract",
    "DirectionContext": "tutor.walkthrough.contract",
    "UpdateContext": "tutor.walkthrough.contract",
    "SignChangeContext": "tutor.walkthrough.contract",
    "BracketContext": "tutor.walkthrough.contract",
    "PredictContext": "tutor.walkthrough.contract",
    "TrainingContext": "tutor.walkthrough.contract",
    "Payload": "tutor.walkthrough.contract",
    "Context": "tutor.walkthrough.contract",
    "context_fields": "tutor.walkthrough.contract",
    "build_walkthrough": "tutor.walkthrough.build",
    "DIRECTION_CHOICES": "tutor.walkthrough.descent_steps",
    "HAND_TOLERANCE": "tutor.walkthrough.descent_steps",
    "LANDSCAPE_DEGREE": "tutor.walkthrough.descent_steps",
    "TABLE_ROWS": "tutor.walkthrough.descent_steps",
    "YES_NO": "tutor.walkthrough.descent_steps",
    "SHORT_DIGITS": "tutor.walkthrough.latex",
    "show": "tutor.walkthrough.latex",
    "sub": "tutor.walkthrough.latex",
    "tex": "tutor.walkthrough.latex",
    "tex_factor": "tutor.walkthrough.latex",
    "tex_in": "tutor.walkthrough.latex",
    "tex_short": "tutor.walkthrough.latex",
    "ANSWER_KINDS": "tutor.walkthrough.steps",
    "RULES": "tutor.walkthrough.steps",
    "Choice": "tutor.walkthrough.steps",
    "Question": "tutor.walkthrough.steps",
    "Step": "tutor.walkthrough.steps",
    "Walkthrough": "tutor.walkthrough.steps",
    "carried_inputs": "tutor.walkthrough.steps",
    "direction_of": "tutor.walkthrough.steps",
    "expected_given": "tutor.walkthrough.steps",
    "placeholder": "tutor.walkthrough.steps",
    "placeholders": "tutor.walkthrough.steps",
    "same_value": "tutor.walkthrough.steps",
    "OUTCOME_CHOICES": "tutor.walkthrough.predict",
    "outcome_of": "tutor.walkthrough.predict",
    "BATCH_KINDS": "tutor.walkthrough.training_steps",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tutor.walkthrough' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ANSWER_KINDS",
    "BATCH_KINDS",
    "DIRECTION_CHOICES",
    "HAND_TOLERANCE",
    "LANDSCAPE_DEGREE",
    "OUTCOME_CHOICES",
    # error carried forward
    "RULES",
    # writing values
    "SHORT_DIGITS",
    "TABLE_ROWS",
    "YES_NO",
    "BatchPayload",
    "BracketContext",
    "Choice",
    "Context",
    "Derivation",
    "DeriveContext",
    "DerivePayload",
    "DescentFacts",
    "DirectionContext",
    "EvaluateContext",
    "EvaluatePayload",
    "ExplainPayload",
    # the contract
    "FunctionPlot",
    "IterationPayload",
    "OutcomePayload",
    "Payload",
    "PredictContext",
    "PredictPayload",
    "Question",
    "RunPayload",
    "SignChangeContext",
    "SlopeContext",
    "Step",
    "TrainingContext",
    "TrainingPayload",
    "UpdateContext",
    "Walkthrough",
    # building
    "build_walkthrough",
    "carried_inputs",
    "context_fields",
    "direction_of",
    "expected_given",
    "outcome_of",
    "placeholder",
    "placeholders",
    "same_value",
    "show",
    "sub",
    "tex",
    "tex_factor",
    "tex_in",
    "tex_short",
]
