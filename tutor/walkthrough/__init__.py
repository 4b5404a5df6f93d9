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

- :mod:`~tutor.walkthrough.model`: the dataclasses (the contract) and error
  carried forward (:func:`expected_given`, :func:`carried_inputs`).
- :mod:`~tutor.walkthrough.latex`: how values and maths are written (LaTeX, Unicode).
- :mod:`~tutor.walkthrough.build`: :func:`build_walkthrough`, which hands each
  section to its builder:
  :mod:`~tutor.walkthrough.explain`, :mod:`~tutor.walkthrough.derive` (derive
  and evaluate), :mod:`~tutor.walkthrough.descent` (iterations and the run),
  :mod:`~tutor.walkthrough.predict`, :mod:`~tutor.walkthrough.training` (one
  weight update, batch comparison); what they share is in
  :mod:`~tutor.walkthrough.shared`.
"""

from tutor.walkthrough.build import build_walkthrough
from tutor.walkthrough.descent import DIRECTION_CHOICES, HAND_TOLERANCE, LANDSCAPE_DEGREE, TABLE_ROWS, YES_NO
from tutor.walkthrough.latex import SHORT_DIGITS, show, sub, tex, tex_factor, tex_in, tex_short
from tutor.walkthrough.model import (
    ANSWER_KINDS,
    RULES,
    Choice,
    Question,
    Step,
    Walkthrough,
    carried_inputs,
    direction_of,
    expected_given,
    placeholder,
    placeholders,
    same_value,
)
from tutor.walkthrough.predict import OUTCOME_CHOICES, outcome_of
from tutor.walkthrough.training import BATCH_KINDS

__all__ = [
    # the contract
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
    "Choice",
    "Question",
    "Step",
    "Walkthrough",
    # building
    "build_walkthrough",
    "carried_inputs",
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
