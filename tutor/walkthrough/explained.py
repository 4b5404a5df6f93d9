"""A derivative explained rule by rule, in the learner's language, for the payloads (views never run the rules)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.derivation import hint_steps, steps_markdown
from tutor.errors import TutorError
from tutor.text import Text
from tutor.walkthrough.contract import Derivation

#: What the rules raise on a function they cannot explain (the answer still stands without them).
_CANNOT_EXPLAIN = (TutorError, RecursionError, ValueError, TypeError, NotImplementedError)


def derivation(f: Any, targets: Sequence[str]) -> Derivation:
    """The derivative of f in each target variable: text lines (tutor) and Markdown (export)."""
    try:
        lines = tuple(line for v in targets for line in hint_steps(f, v))
    except _CANNOT_EXPLAIN:
        lines = ()
    try:
        markdown: Text | None = steps_markdown(f, targets)
    except _CANNOT_EXPLAIN:
        markdown = None
    return Derivation(lines, markdown)


def derivation_hints(f: Any, variable: str) -> tuple[Text, ...]:
    """The derivative in one variable, one rule per hint (outermost rule first); () when the rules cannot say."""
    try:
        return tuple(hint_steps(f, variable))
    except _CANNOT_EXPLAIN:
        return ()
