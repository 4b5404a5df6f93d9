"""What every section builder shares.

The shape of an answer (a number for one component, a vector for several),
the worked solution, the author's help completed with it,
and the :class:`~tutor.lesson.model.LessonError` that points at the lesson line
the engine cannot answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from tutor.i18n import _
from tutor.lesson.model import Diagnostic, Help, Lesson, LessonError, Where
from tutor.text import Text, tr
from tutor.walkthrough.steps import _sympy


def _one(values: Sequence[Any]) -> Any:
    """A number for one component, a tuple for several (how answers are written)."""
    values = _sympy(tuple(values))
    return values[0] if len(values) == 1 else values


def _kind(n: int) -> str:
    return "number" if n == 1 else "vector"


def _component(name: str) -> Text:
    return _("the {name} component").format(name=name)


def _partials(variables: Sequence[str], of: str = "f") -> tuple[Text, ...]:
    return tuple(_component(f"∂{of}/∂{v}") for v in variables)


def _one_formula(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else tuple(values)


def _with_solution(help: Help | None, solution: Text) -> Help:
    """The author's help, with the engine's worked solution when the author wrote none."""
    help = help or Help()
    return help if help.solution is not None else dataclasses.replace(help, solution=solution)


def _join(*texts: Text | None) -> str:
    """Paragraphs in the learner's language (lesson texts and the engine's own), skipping empty ones."""
    return "\n\n".join(tr(t) for t in texts if t)


def _lines(lines: Sequence[str]) -> str:
    """A worked solution, one paragraph a line."""
    return "\n\n".join(lines)


def _where(lesson: Lesson, section: Any, *keys: str) -> Where:
    places = getattr(section, "places", None) or {}
    for key in keys:
        if key in places:
            return places[key]
    return getattr(section, "where", None) or lesson.where or Where(lesson.path or lesson.id, 1, 1)


def _fail(lesson: Lesson, section: Any, message: str, *keys: str) -> LessonError:
    return LessonError([Diagnostic(_where(lesson, section, *keys), "error", message)])
