"""The author's help made concrete for one question: patterns become answers, ``{{...}}`` the iteration's values.

A descent's help is written once for every iteration; its texts may name the
iteration's own values (``{{k}}``, ``{{k_next}}``, ``{{x_k}}``, ``{{grad_k}}``, ``{{x_next}}``,
``{{eta}}``), so the solution under x₂ speaks of x₂.  Feedback on a pattern
(``wrong_sign``, ``factor``) is turned into the literal wrong answer from each
question's own right answer, so the grader matches it like any other.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, overload

import sympy as sp

from tutor.lesson.model import Feedback, Help
from tutor.text import Text
from tutor.walkthrough.latex import tex

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@overload
def fill(text: Text, values: Mapping[str, Any]) -> Text: ...
@overload
def fill(text: None, values: Mapping[str, Any]) -> None: ...
def fill(text: Text | None, values: Mapping[str, Any]) -> Text | None:
    """``{{name}}`` replaced by the value's LaTeX (for $...$); unknown names stay as written."""
    if text is None or not values:
        return text

    def one(s: str) -> str:
        if "{{" not in s:
            return s
        return _PLACEHOLDER.sub(lambda m: tex(values[m.group(1)]) if m.group(1) in values else m.group(0), s)

    if isinstance(text, str):
        return one(text)
    return {lang: one(s) for lang, s in text.items()}


def fill_help(help: Help | None, values: Mapping[str, Any]) -> Help | None:
    """The help with every text filled in with this iteration's values."""
    if help is None:
        return None
    return dataclasses.replace(
        help,
        hints=tuple(fill(h, values) for h in help.hints),
        solution=fill(help.solution, values),
        feedback=tuple(dataclasses.replace(f, says=fill(f.says, values)) for f in help.feedback),
    )


def _scaled(expected: Any, factor: Any) -> Any:
    if isinstance(expected, tuple):
        return tuple(_scaled(e, factor) for e in expected)
    return sp.expand(factor * expected)


def concrete(feedback: Feedback, expected: Any, kind: str) -> Feedback | None:
    """A pattern as the literal answer it stands for here (None: it cannot apply to this question)."""
    if feedback.pattern not in ("wrong_sign", "factor"):
        return feedback
    if kind == "choice" or expected is None:
        return None
    factor = -1 if feedback.pattern == "wrong_sign" else feedback.factor
    return dataclasses.replace(feedback, answer=_scaled(expected, factor), pattern=None)


def resolve_patterns(help: Help, expected: Any, kind: str) -> Help:
    """The help with pattern feedback made literal for this question's right answer."""
    if not any(f.pattern in ("wrong_sign", "factor") for f in help.feedback):
        return help
    made = (concrete(f, expected, kind) for f in help.feedback)
    return dataclasses.replace(help, feedback=tuple(f for f in made if f is not None))
