"""One walkthrough step to its picture: ``match step.payload`` and hand it to the figure that draws it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tutor.plots.comparison import plot_optimizers
from tutor.plots.fitting import plot_batch, plot_training
from tutor.plots.function import plot_function
from tutor.plots.geometry import _minima, _point
from tutor.plots.runs import _draw_descent
from tutor.plots.style import _one_at_a_time
from tutor.walkthrough.contract import (
    BatchPayload,
    ExplainPayload,
    FunctionPlot,
    IterationPayload,
    OutcomePayload,
    RunPayload,
    TrainingPayload,
)


@_one_at_a_time
def plot_step(step: Any, path: Path | str, lang: str = "en") -> Path | None:
    """The picture for one walkthrough step, or None when the step has nothing to draw."""
    match step.payload:
        case ExplainPayload(plot=FunctionPlot() as p):
            return plot_function(p.function, p.variables, path, lang, x_range=p.x_range, minima=p.minima)
        case IterationPayload() as p if p.run.steps:
            variables = p.variables or tuple(p.run.variables)
            index = next((i for i, s in enumerate(p.run.steps) if s.k == p.k), min(p.k, len(p.run.steps) - 1))
            bracket = p.bracket  # the engine's (x_{k-1}, x_k) when f' changed sign at k
            if bracket is not None and len(variables) == 1:
                bracket = tuple(_point(b, variables)[0] for b in bracket)
            return _draw_descent(
                p.function,
                variables,
                p.run,
                path,
                lang,
                upto=index,
                next_point=p.next,
                bracket=bracket,
                minima=_minima(p.minima, variables),
                bound=p.bound,
                update=p.update_mathtext,
                optimisers=p.optimisers,
            )
        case RunPayload(compare=compare) as p if compare:
            return plot_optimizers(p.function, p.variables or tuple(p.run.variables), compare, path, lang, p.optimisers)
        case IterationPayload() | RunPayload() | OutcomePayload() as p:
            variables = p.variables or tuple(p.run.variables)
            return _draw_descent(
                p.function,
                variables,
                p.run,
                path,
                lang,
                minima=_minima(p.minima, variables),
                bound=p.bound,
                optimisers=p.optimisers,
            )
        case TrainingPayload() as p if p.model is not None and p.xs:
            return plot_training(p, path, lang)
        case BatchPayload() as p:
            return plot_batch(p, path, lang)
    return None
