"""The section kinds, in one table: the YAML key, the lesson model, the builder, and the payloads views render.

A new kind of section is one row here plus its pieces: the model dataclass
(:mod:`tutor.lesson.model`), its reader (``SECTION_READERS`` in
:mod:`tutor.lesson.sections`, under the same key), its builder (a module of this
package) and, for a new kind of step, a payload in
:mod:`tutor.walkthrough.contract` with a ``case`` in each view's
``match step.payload``.  ``tests/test_sections.py`` checks that the loader,
the schema and this table name the same kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.lesson.model import Ask, BatchCompare, Derive, Descent, Evaluate, Explain, Lesson, Predict, TrainingStep
from tutor.walkthrough import contract
from tutor.walkthrough.derive import _derive, _evaluate
from tutor.walkthrough.descent import _descent
from tutor.walkthrough.explain import _explain
from tutor.walkthrough.model import Step
from tutor.walkthrough.predict import _predict
from tutor.walkthrough.question import _question
from tutor.walkthrough.training import _batch, _training


@dataclass(frozen=True)
class SectionKind:
    key: str  # how a lesson names it: "- descent: {...}"
    model: type  # the lesson model's dataclass the loader reads it into
    build: Callable[[int, Any, Lesson], list[Step]]  # (section index, section, lesson) -> its steps
    payloads: tuple[type, ...]  # the payloads of the steps it builds


SECTION_KINDS: tuple[SectionKind, ...] = (
    SectionKind("explain", Explain, _explain, (contract.ExplainPayload,)),
    SectionKind("derive", Derive, _derive, (contract.DerivePayload,)),
    SectionKind("evaluate", Evaluate, _evaluate, (contract.EvaluatePayload,)),
    SectionKind("descent", Descent, _descent, (contract.IterationPayload, contract.RunPayload)),
    SectionKind("predict", Predict, _predict, (contract.PredictPayload, contract.OutcomePayload)),
    SectionKind("training_step", TrainingStep, _training, (contract.TrainingPayload,)),
    SectionKind("batch_compare", BatchCompare, _batch, (contract.BatchPayload,)),
    SectionKind("question", Ask, _question, (contract.QuestionPayload,)),
)

BY_MODEL: dict[type, SectionKind] = {kind.model: kind for kind in SECTION_KINDS}
BY_KEY: dict[str, SectionKind] = {kind.key: kind for kind in SECTION_KINDS}
