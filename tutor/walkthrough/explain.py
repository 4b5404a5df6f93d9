"""An explain section: the author's text, and the function to plot when there is one (no question)."""

from __future__ import annotations

from typing import Any

from tutor.lesson.model import Explain, Lesson
from tutor.text import both
from tutor.walkthrough.model import Step


def _explain(i: int, section: Explain, lesson: Lesson) -> list[Step]:
    data: dict[str, Any] = {}
    if section.plot is not None:
        fn = section.plot.function
        data = {"function": fn.expr, "variables": fn.variables, "x_range": section.plot.x_range}
    title = section.title or both("Explanation", "讲解")
    return [Step(f"s{i}", i, "explain", title, section.text, data=data)]
