"""An explain section: the author's text, and the function to plot when there is one (no question)."""

from __future__ import annotations

from tutor.i18n import _
from tutor.lesson.model import Explain, Lesson
from tutor.walkthrough.contract import ExplainPayload, FunctionPlot
from tutor.walkthrough.steps import Step


def _explain(i: int, section: Explain, lesson: Lesson) -> list[Step]:
    plot = None
    if section.plot is not None:
        fn = section.plot.function
        variables = tuple(fn.variables) or tuple(sorted(s.name for s in fn.expr.free_symbols))
        plot = FunctionPlot(fn.expr, variables, section.plot.x_range)
    title = section.title or _("Explanation")
    return [Step(f"s{i}", i, title, section.text, ExplainPayload(plot))]
