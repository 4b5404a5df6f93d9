"""What every section builder shares.

The shape of an answer (a number for one component, a vector for several),
the worked solution in both languages, the author's help completed with it,
and the :class:`~tutor.lesson.model.LessonError` that points at the lesson line
the engine cannot answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from tutor.lesson.model import Diagnostic, Help, Lesson, LessonError, Where
from tutor.text import Text, both
from tutor.walkthrough.model import _sympy


def _one(values: Sequence[Any]) -> Any:
    """A number for one component, a tuple for several (how answers are written)."""
    values = _sympy(tuple(values))
    return values[0] if len(values) == 1 else values


def _kind(n: int) -> str:
    return "number" if n == 1 else "vector"


def _component(name: str) -> Text:
    return both(f"the {name} component", f"{name} 分量")


def _partials(variables: Sequence[str], of: str = "f") -> tuple[Text, ...]:
    return tuple(_component(f"∂{of}/∂{v}") for v in variables)


def _one_formula(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else tuple(values)


def _with_solution(help: Help | None, solution: Text) -> Help:
    """The author's help, with the engine's worked solution when the author wrote none."""
    help = help or Help()
    return help if help.solution is not None else dataclasses.replace(help, solution=solution)


def _join(*texts: Text | None) -> Text:
    """Paragraphs in both languages, skipping empty ones."""
    parts = [t for t in texts if t]
    out = {}
    for lang in ("en", "zh"):
        out[lang] = "\n\n".join(
            t if isinstance(t, str) else t.get(lang) or t.get("en") or next(iter(t.values()), "") for t in parts
        )
    return out


def _lines(pairs: Sequence[tuple[str, str]]) -> Text:
    """A worked solution from (en, zh) lines."""
    return both("\n\n".join(en for en, _ in pairs), "\n\n".join(zh for _, zh in pairs))


def _where(lesson: Lesson, section: Any, *keys: str) -> Where:
    places = getattr(section, "places", None) or {}
    for key in keys:
        if key in places:
            return places[key]
    return getattr(section, "where", None) or lesson.where or Where(lesson.path or lesson.id, 1, 1)


def _fail(lesson: Lesson, section: Any, message: str, *keys: str) -> LessonError:
    return LessonError([Diagnostic(_where(lesson, section, *keys), "error", message)])
