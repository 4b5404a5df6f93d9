"""One walkthrough step to its picture: ``match step.payload`` and hand its picture to the figure that draws it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from tutor.plots.comparison import plot_optimizers
from tutor.plots.fitting import plot_batch, plot_training
from tutor.plots.function import plot_function
from tutor.plots.runs import draw_descent
from tutor.plots.style import _one_at_a_time
from tutor.walkthrough.contract import (
    BatchPayload,
    DerivePayload,
    EvaluatePayload,
    ExplainPayload,
    IterationPayload,
    OutcomePayload,
    PredictPayload,
    QuestionPayload,
    RunPayload,
    TrainingPayload,
)

if TYPE_CHECKING:
    from tutor.walkthrough.model import Step


@_one_at_a_time
def plot_step(step: Step, path: Path | str, lang: str = "en") -> Path | None:
    """The picture for one walkthrough step, or None when the step has nothing to draw."""
    match step.payload:
        case ExplainPayload(picture=picture):
            return plot_function(picture, path, lang) if picture is not None else None
        case RunPayload(comparison=comparison) as p if comparison is not None:
            return plot_optimizers(comparison, path, lang, p.optimisers)
        case IterationPayload() | RunPayload() | OutcomePayload() as p:
            if p.picture is None:
                return None
            return draw_descent(p.picture, p.run, path, lang, update=p.update_mathtext, optimisers=p.optimisers)
        case TrainingPayload(picture=picture):
            return plot_training(picture, path, lang) if picture is not None else None
        case BatchPayload(picture=picture):
            return plot_batch(picture, path, lang) if picture is not None else None
        case DerivePayload() | EvaluatePayload() | PredictPayload() | QuestionPayload():
            return None
        case _:
            assert_never(step.payload)
