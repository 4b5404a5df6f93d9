"""One walkthrough step to its picture: ``match step.payload`` once, for the figure that draws it and its picture.

:func:`drawing` is the only dispatch: :func:`plot_step` draws what it names,
and the export's pool (:mod:`tutor.plots.pool`) sends it to another process
as it is (pictures are floats and words: no sympy to pickle or import there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from tutor.plots.comparison import plot_optimizers
from tutor.plots.fitting import plot_batch, plot_training
from tutor.plots.function import plot_function
from tutor.plots.runs import Frames, draw_descent
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
    from tutor.walkthrough.steps import Step

#: A figure function and its arguments before (path): picklable, light.
Drawing = tuple[Callable[..., Path | None], tuple[Any, ...], dict[str, Any]]


def drawing(step: Step) -> Drawing | None:
    """The figure that pictures this step and what it draws; None when the step has nothing to draw."""
    match step.payload:
        case ExplainPayload(picture=picture):
            return (plot_function, (picture,), {}) if picture is not None else None
        case RunPayload(comparison=comparison) as p if comparison is not None:
            return plot_optimizers, (comparison,), {"optimisers": dict(p.optimisers)}
        case IterationPayload() | RunPayload() | OutcomePayload() as p:
            if p.picture is None:
                return None
            return draw_descent, (p.picture,), {"update": p.update_mathtext, "optimisers": dict(p.optimisers)}
        case TrainingPayload(picture=picture):
            return (plot_training, (picture,), {}) if picture is not None else None
        case BatchPayload(picture=picture):
            return (plot_batch, (picture,), {}) if picture is not None else None
        case DerivePayload() | EvaluatePayload() | PredictPayload() | QuestionPayload():
            return None
        case _:
            assert_never(step.payload)


def draw(order: Drawing, path: Path | str, frames: Frames | None = None) -> Path | None:
    """Draw a :func:`drawing` to ``path`` (in this process or a worker: the same bytes).

    ``frames``: the figure kept from the section's step before, updated when it shows the same frame (a descent's
    curve or contours); the picture is the same as one drawn afresh.
    """
    figure, args, options = order
    if frames is not None and figure is draw_descent:
        options = {**options, "frames": frames}
    return _draw_one(figure, args, options, path)


def draw_section(orders: Sequence[tuple[Drawing, Path | str]], frames: Frames | None = None) -> list[Path | None]:
    """The figures of one section, in order, on one figure updated per step where they share a frame.

    ``frames``: the figure kept from the sections before (a lesson's sections often show the same curve).
    """
    frames = frames if frames is not None else Frames()
    return [draw(order, path, frames) for order, path in orders]


@_one_at_a_time
def _draw_one(
    figure: Callable[..., Path | None], args: tuple[Any, ...], options: dict[str, Any], path: Path | str
) -> Path | None:
    return figure(*args, path, **options)


def plot_step(step: Step, path: Path | str) -> Path | None:
    """The picture for one walkthrough step, or None when the step has nothing to draw."""
    order = drawing(step)
    return draw(order, path) if order is not None else None
