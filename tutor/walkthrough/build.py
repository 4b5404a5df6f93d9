"""A lesson turned into a :class:`~tutor.walkthrough.steps.Walkthrough`: one builder per kind of section
(found in :data:`tutor.walkthrough.section_kinds.SECTION_KINDS`).

:func:`build_walkthrough` is the only entry point that asks the engine; it is
pure (no I/O) and turns an engine error into a one-line
:class:`~tutor.lesson.model.LessonError` that says which section failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import overload

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.lesson.model import Diagnostic, Lesson, LessonError
from tutor.text import Text
from tutor.walkthrough.authored import resolve_patterns
from tutor.walkthrough.geometry import attach_pictures
from tutor.walkthrough.section_kinds import BY_MODEL
from tutor.walkthrough.shared import _where
from tutor.walkthrough.steps import Step, Walkthrough


def build_walkthrough(lesson: Lesson) -> Walkthrough:
    """Every section of the lesson as steps with exact expected answers (pure: no I/O)."""
    steps: list[Step] = []
    for i, section in enumerate(lesson.sections):
        kind = BY_MODEL.get(type(section))
        if kind is None:
            raise LessonError(
                [
                    Diagnostic(
                        _where(lesson, section),
                        "error",
                        _("unknown kind of section: {name}").format(name=type(section).__name__),
                    )
                ]
            )
        try:
            steps.extend(kind.build(i, section, lesson))
        except LessonError:
            raise
        except TutorError as err:  # the engine has no answer: say where, in one line
            raise LessonError([Diagnostic(_where(lesson, section), "error", err.message)]) from None
    steps = attach_pictures([_concrete(step) for step in steps])
    if lesson.figures is not None:  # the lesson's precision rule, on every question
        steps = [replace(s, questions=tuple(replace(q, figures=lesson.figures) for q in s.questions)) for s in steps]
    return Walkthrough(lesson.id, lesson.title, lesson.summary, tuple(_tidy(step) for step in steps), lesson.path)


def _concrete(step: Step) -> Step:
    """Each question's pattern feedback as literal answers (see :mod:`tutor.walkthrough.authored`)."""
    if not any(any(f.pattern for f in q.help.feedback) for q in step.questions):
        return step
    return replace(
        step, questions=tuple(replace(q, help=resolve_patterns(q.help, q.expected, q.kind)) for q in step.questions)
    )


_EQUALS_APPROX = re.compile(r"=\s*\\approx")


@overload
def _tidy_text(text: str) -> str: ...
@overload
def _tidy_text(text: Text) -> Text: ...
@overload
def _tidy_text(text: None) -> None: ...
def _tidy_text(text: Text | None) -> Text | None:
    """'x = \\approx 0.35' (an exact value shown as a decimal) reads 'x \\approx 0.35'."""
    if isinstance(text, str):
        return _EQUALS_APPROX.sub(r"\\approx", text)
    if isinstance(text, Mapping):
        return {lang: _tidy_text(t) for lang, t in text.items()}
    return text


def _tidy(step: Step) -> Step:
    return replace(step, text=_tidy_text(step.text), solution=_tidy_text(step.solution))
