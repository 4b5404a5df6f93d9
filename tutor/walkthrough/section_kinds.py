"""The section kinds, in one table: the YAML key, the lesson model, its reader, the builder, and the payloads views render.

A new kind of section is one row here plus its pieces: the model dataclass
(:mod:`tutor.lesson.model`), its reader (a function of
:mod:`tutor.lesson.sections`, which the loader finds in ``SECTION_READERS``
under the same key: the loader sits below the walkthrough, so it keeps its
own index of the readers this table names), its builder (a module of this
package) and, for a new kind of step, a payload in
:mod:`tutor.walkthrough.contract` with a ``case`` in each view's
``match step.payload`` (mypy names every view that lacks one: each match
ends in ``case _: assert_never(...)``).  ``tests/test_sections.py`` checks
that the loader, the schema and this table name the same kinds and readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.lesson import sections as readers
from tutor.lesson.model import Ask, BatchCompare, Derive, Descent, Evaluate, Explain, Lesson, Predict, TrainingStep
from tutor.walkthrough import contract
from tutor.walkthrough.derive import _derive, _evaluate
from tutor.walkthrough.descent_steps import _descent
from tutor.walkthrough.explain import _explain
from tutor.walkthrough.predict import _predict
from tutor.walkthrough.question import _question
from tutor.walkthrough.steps import Step
from tutor.walkthrough.training_steps import _batch, _training


@dataclass(frozen=True)
class SectionKind:
    key: str  # how a lesson names it: "- descent: {...}"
    model: type  # the lesson model's dataclass the loader reads it into
    read: Callable[..., Any]  # (reader, its fields, where) -> the model: the loader's reader for this key
    build: Callable[[int, Any, Lesson], list[Step]]  # (section index, section, lesson) -> its steps
    payloads: tuple[type, ...]  # the payloads of the steps it builds


SECTION_KINDS: tuple[SectionKind, ...] = (
    SectionKind("explain", Explain, readers._explain, _explain, (contract.ExplainPayload,)),
    SectionKind("derive", Derive, readers._derive, _derive, (contract.DerivePayload,)),
    SectionKind("evaluate", Evaluate, readers._evaluate, _evaluate, (contract.EvaluatePayload,)),
    SectionKind("descent", Descent, readers._descent, _descent, (contract.IterationPayload, contract.RunPayload)),
    SectionKind("predict", Predict, readers._predict, _predict, (contract.PredictPayload, contract.OutcomePayload)),
    SectionKind("training_step", TrainingStep, readers._training_step, _training, (contract.TrainingPayload,)),
    SectionKind("batch_compare", BatchCompare, readers._batch_compare, _batch, (contract.BatchPayload,)),
    SectionKind("question", Ask, readers._question, _question, (contract.QuestionPayload,)),
)

BY_MODEL: dict[type, SectionKind] = {kind.model: kind for kind in SECTION_KINDS}
BY_KEY: dict[str, SectionKind] = {kind.key: kind for kind in SECTION_KINDS}
