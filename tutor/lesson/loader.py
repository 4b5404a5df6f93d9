"""Lesson YAML -> :class:`~tutor.lesson.model.Lesson`, with every problem at its line and column.

A lesson file is untrusted text.  It is *composed* (never constructed) by a
:class:`yaml.SafeLoader` subclass into nodes that remember where they were
written, then read node by node:

- anchors and aliases are refused outright (no billion laughs), and so is
  every tag that is not plain YAML (``!!python/...``);
- duplicate keys, unknown keys (with a did-you-mean), wrong types and values
  out of range are reported at the node at fault;
- numbers are built from the node's *source text* through
  :func:`tutor.mathtext.parse_number`, so ``1e-3`` is 1/1000 exactly and
  ``no``, ``~``, ``.nan`` and ``.inf`` are errors, not False/None/NaN;
- expressions go through :mod:`tutor.mathtext`, and a parse error points
  *inside* the expression.

Reading goes on after an error, so one run reports everything; nothing that
goes wrong inside the reader escapes as a traceback.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sympy as sp
import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.errors import TutorError
from tutor.lesson.model import (
    ITERATION_QUESTIONS,
    OUTCOMES,
    TRAINING_QUESTIONS,
    BatchCompare,
    DataSet,
    Derive,
    Descent,
    Diagnostic,
    Evaluate,
    Explain,
    Feedback,
    Function,
    Help,
    Lesson,
    LessonError,
    Model,
    Optimizer,
    PlotRange,
    Predict,
    TrainingStep,
    Where,
)
from tutor.mathtext import check_variable_name, infer_variables, parse_expression, parse_number, parse_vector
from tutor.optimisers import OPTIMISERS as _REGISTRY
from tutor.text import Text

# --- limits: a lesson is read by a person, so none of these bind a real one ---------------

MAX_BYTES = 1024 * 1024  # 1 MB
MAX_SECTIONS = 200
MAX_HINTS = 100
MAX_FEEDBACK = 100
MAX_LANGUAGES = 20
MAX_VARIABLES = 20
MAX_BY_HAND = 50
MAX_STEPS = 10_000
MAX_SAMPLES = 1000
MAX_EPOCHS = 1000
MAX_DEPTH = 64

# --- the format's keys (the JSON Schema is tested against these) --------------------------

TOP_KEYS = ("id", "order", "title", "summary", "sections")
TOP_REQUIRED = ("id", "title", "sections")

_TEXT_KEYS = ("title", "text")
_ONE_QUESTION = ("prompt", "hints", "solution", "feedback")

SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "explain": ("title", "text", "plot"),
    "derive": ("function", "variables", "of", *_ONE_QUESTION, *_TEXT_KEYS),
    "evaluate": ("function", "variables", "what", "of", "at", "tolerance", *_ONE_QUESTION, *_TEXT_KEYS),
    "descent": (
        "function",
        "variables",
        "start",
        "learning_rate",
        "optimizer",
        "stop",
        "max_steps",
        "by_hand",
        "ask",
        "expect",
        "exact",
        "help",
        *_TEXT_KEYS,
    ),
    "predict": ("function", "variables", "start", "learning_rate", "steps", *_ONE_QUESTION, *_TEXT_KEYS),
    "training_step": (
        "model",
        "parameters",
        "input",
        "data",
        "start",
        "learning_rate",
        "loss",
        "samples",
        "ask",
        "then_steps",
        "help",
        *_TEXT_KEYS,
    ),
    "batch_compare": (
        "model",
        "parameters",
        "input",
        "data",
        "start",
        "learning_rate",
        "batch_size",
        "epochs",
        "seed",
        "loss",
        "by_hand",
        "help",
        *_TEXT_KEYS,
    ),
}
SECTION_REQUIRED: dict[str, tuple[str, ...]] = {
    "explain": ("text",),
    "derive": ("function",),
    "evaluate": ("function", "at"),
    "descent": ("function", "start", "learning_rate"),
    "predict": ("function", "start", "learning_rate"),
    "training_step": ("model", "parameters", "data", "start", "learning_rate"),
    "batch_compare": ("model", "parameters", "data", "start", "learning_rate"),
}
HELP_KEYS = ("hints", "solution", "feedback")
FEEDBACK_KEYS = ("answer", "says")
PLOT_KEYS = ("function", "variables", "range")
DATA_KEYS = ("x", "y", "generate")
GENERATE_KEYS = ("seed", "n", "w", "b", "noise", "x_range")
OPTIMIZERS = tuple(_REGISTRY)
EXPECTATIONS = ("converge", "oscillate", "diverge", "sign_change", "unbounded")
EVALUATE_WHAT = ("value", "derivative", "gradient")
DIRECTIONS = ("increase", "decrease", "stay")
LOSSES = ("mse",)
BATCH_QUESTIONS = TRAINING_QUESTIONS

#: Names people reach for that the format spells differently.
ALIASES = {
    "lr": "learning_rate",
    "eta": "learning_rate",
    "rate": "learning_rate",
    "f": "function",
    "fn": "function",
    "expr": "function",
    "x0": "start",
    "from": "start",
    "point": "at",
    "hint": "hints",
    "vars": "variables",
    "params": "parameters",
    "optimiser": "optimizer",
    "until": "stop",
    "iterations": "by_hand",
}

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML + t for t in ("str", "int", "float", "bool", "null"))
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LANG = re.compile(r"[a-z]{2,5}")
_NAN_INF = re.compile(r"[-+]?\.(nan|inf)", re.IGNORECASE)
_LEADING_ZEROS = re.compile(r"([-+]?)0+([0-9]+)")
_YES = ("yes", "true", "on", "y")
_NO = ("no", "false", "off", "n")


# --- YAML that cannot do anything but describe a tree --------------------------------------


class _Refused(yaml.MarkedYAMLError):
    """Raised while composing: a construct lessons do not allow."""


class _LessonLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases before they are composed.

    Only :meth:`compose` is ever used: nothing is constructed, so no tag can
    run code, and without aliases no document can expand beyond its size.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(problem="anchors and aliases are not allowed in lessons", problem_mark=event.start_mark)
        return super().compose_node(parent, index)


def _depth_exceeded(root: Node) -> Node | None:
    """The first node nested deeper than MAX_DEPTH (iteratively: deep input must not recurse)."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return None


def _all_nodes(root: Node):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _suggest(word: str, options: Sequence[str]) -> str:
    """'; did you mean 'title'?' or a list of what is allowed."""
    if word in ALIASES and ALIASES[word] in options:
        return f"; did you mean '{ALIASES[word]}'?"
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower().replace("-", "_"), list(options), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (expected one of: {', '.join(options)})"


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Reader:
    """Reads nodes into model values, recording a Diagnostic for every problem.

    Each reader returns ``None`` after reporting a problem; a section is only
    built when reading it added no error.
    """

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.refused: set[int] = set()  # ids of nodes already reported as unusable

    # --- reporting -------------------------------------------------------------------

    def where(self, node: Node | None, offset: int = 0) -> Where:
        if node is None:
            return Where(self.path, 1, 1)
        mark = node.start_mark
        return Where(self.path, mark.line + 1, mark.column + 1 + offset)

    def error(self, node: Node | None, message: str, offset: int = 0) -> None:
        self.diagnostics.append(Diagnostic(self.where(node, offset), "error", message))

    def warning(self, node: Node | None, message: str, offset: int = 0) -> None:
        self.diagnostics.append(Diagnostic(self.where(node, offset), "warning", message))

    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    def _inner_offset(self, node: ScalarNode) -> int | None:
        """Columns from the node's start to its value's first character, when the source shows it verbatim."""
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            return None
        source = self.text[start.index : end.index]
        if node.style is None and source == node.value:
            return 0
        if node.style in ("'", '"') and source == f"{node.style}{node.value}{node.style}":
            return 1
        return None

    def math_error(self, node: Node, err: TutorError) -> None:
        """A MathTextError points inside the expression when the source shows it as written."""
        column = getattr(err, "column", None)
        offset = self._inner_offset(node) if isinstance(node, ScalarNode) else None
        if column is not None and offset is not None and 0 <= column <= len(node.value):
            self.error(node, err.message, offset + column)
        else:
            self.error(node, err.message)

    def guarded(self, node: Node, fn: Callable, *args):
        """Call a mathtext function on untrusted text; every failure becomes a diagnostic."""
        try:
            return fn(*args)
        except TutorError as err:
            self.math_error(node, err)
        except RecursionError:
            self.error(node, "this expression is nested too deeply to read")
        except Exception as err:
            self.error(node, f"cannot read this ({type(err).__name__}: {_short(str(err), 80)})")
        return None

    # --- kinds of node ---------------------------------------------------------------

    def describe(self, node: Node) -> str:
        if isinstance(node, SequenceNode):
            return "a list"
        if isinstance(node, MappingNode):
            return "a mapping"
        if node.tag == _NULL:
            return "nothing (an empty value, ~ or null)" if node.style is None else "nothing"
        if node.tag == _BOOL:
            truth = "true" if node.value.lower() in _YES else "false"
            return f"'{node.value}', which YAML reads as {truth}"
        if node.tag in (_INT, _FLOAT):
            return f"the number {node.value}"
        if node.value.strip() == "":
            return "empty text"
        return f"'{_short(node.value)}'"

    def expected(self, node: Node, what: str) -> None:
        self.error(node, f"expected {what}, got {self.describe(node)}")

    def usable(self, node: Node) -> bool:
        return id(node) not in self.refused

    def scalar(self, node: Node, what: str, *, allow_empty: bool = False) -> str | None:
        """The source text of a scalar (YAML 1.1's yes/no/010 are not interpreted)."""
        if not self.usable(node):
            return None
        if not isinstance(node, ScalarNode) or (node.tag == _NULL and node.style is None):
            self.expected(node, what)
            return None
        if not allow_empty and node.value.strip() == "":
            self.expected(node, what)
            return None
        return node.value

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        """A mapping's items by key; duplicate keys are reported at the duplicate."""
        if not self.usable(node):
            return None
        if not isinstance(node, MappingNode):
            self.expected(node, what)
            return None
        items: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not self.usable(key):
                continue
            if not isinstance(key, ScalarNode) or key.tag == _NULL:
                self.error(key, f"a key must be a plain name, got {self.describe(key)}")
                continue
            name = key.value
            if name in items:
                first = items[name][0].start_mark.line + 1
                self.error(key, f"duplicate key '{name}' (first given on line {first})")
                continue
            items[name] = (key, value)
        return items

    def sequence(self, node: Node, what: str, limit: int, *, allow_scalar: bool = False) -> list[Node] | None:
        if not self.usable(node):
            return None
        if allow_scalar and isinstance(node, ScalarNode) and node.tag != _NULL:
            return [node]
        if not isinstance(node, SequenceNode):
            self.expected(node, what)
            return None
        if len(node.value) > limit:
            self.error(node.value[limit], f"at most {limit} entries are allowed here, got {len(node.value)}")
            return None
        return list(node.value)

    def fields(
        self, node: Node, kind: str, allowed: Sequence[str], required: Sequence[str], anchor: Node
    ) -> dict[str, Node] | None:
        """The keys of a mapping, unknown ones and missing required ones reported."""
        items = self.mapping(node, f"the keys of {kind} (a mapping)")
        if items is None:
            return None
        suggested = set()
        for name, (key, _) in items.items():
            if name not in allowed:
                hint = _suggest(name, allowed)
                suggested.update(a for a in allowed if f"'{a}'" in hint and "did you mean" in hint)
                self.error(key, f"unknown key '{_short(name)}' in {kind}{hint}")
        for name in required:
            if name not in items and name not in suggested:
                self.error(anchor, f"{kind} needs '{name}:'")
        return {name: value for name, (key, value) in items.items() if name in allowed}

    # --- values ----------------------------------------------------------------------

    def text_value(self, node: Node) -> Text | None:
        """A string, or a mapping of language code (en, zh, ...) to string."""
        what = "text (a string, or a mapping of language code to string, e.g. {en: ..., zh: ...})"
        if not self.usable(node):
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, what, allow_empty=True)
        if not isinstance(node, MappingNode):
            self.expected(node, what)
            return None
        items = self.mapping(node, what)
        if items is None:
            return None
        if not items:
            self.expected(node, what)
            return None
        if len(items) > MAX_LANGUAGES:
            self.error(node, f"at most {MAX_LANGUAGES} languages are allowed, got {len(items)}")
            return None
        out: dict[str, str] = {}
        for code, (key, value) in items.items():
            why = " (inside {...} a comma ends the text: quote text that has commas)" if node.flow_style else ""
            if not _LANG.fullmatch(code):
                self.error(
                    key, f"'{_short(code)}' is not a language code: use 2 to 5 lowercase letters, e.g. en or zh{why}"
                )
                continue
            if isinstance(value, ScalarNode) and value.tag == _NULL and value.style is None and value.value == "":
                self.error(key, f"'{_short(code)}' has no text{why}")
                continue
            string = self.scalar(value, f"the {code} text (a string)", allow_empty=True)
            if string is not None:
                out[code] = string
        return out

    def number(self, node: Node, what: str = "a number") -> sp.Expr | None:
        """An exact number from the source text: 0.05 is 1/20, 1e-3 is 1/1000, "1/20" is 1/20."""
        if not self.usable(node):
            return None
        if isinstance(node, (SequenceNode, MappingNode)) or node.tag in (_NULL, _BOOL):
            self.expected(node, what)
            return None
        text = node.value.strip()
        if text == "":
            self.expected(node, what)
            return None
        if _NAN_INF.fullmatch(text):
            self.error(node, f"expected {what}, got {text}, which is not a finite number")
            return None
        zeros = _LEADING_ZEROS.fullmatch(text)
        if zeros and node.style is None:
            text = zeros.group(1) + str(int(zeros.group(2))) if len(text) < 20 else text
            self.warning(node, f"leading zeros are read as decimal: {node.value} is {text}")
        value = self.guarded(node, parse_number, text)
        if value is None:
            return None
        if not (value.is_real and value.is_finite):
            self.error(node, f"expected {what}, got {_short(node.value)}, which is not a finite real number")
            return None
        return value

    def positive(self, node: Node, what: str) -> sp.Expr | None:
        value = self.number(node, f"a number for {what}")
        if value is not None and not value.is_positive:
            self.error(node, f"{what} must be positive, got {sp.sstr(value)}")
            return None
        return value

    def integer(self, node: Node, key: str, low: int, high: int) -> int | None:
        what = "a whole number"
        if not self.usable(node):
            return None
        if not isinstance(node, ScalarNode) or node.tag in (_NULL, _BOOL):
            self.expected(node, what)
            return None
        text = node.value.strip()
        if not re.fullmatch(r"[-+]?[0-9]+", text):
            self.expected(node, what)
            return None
        if len(text.lstrip("+-").lstrip("0")) > 12:
            self.error(node, f"{key} must be between {low} and {high}, got {_short(text)}")
            return None
        zeros = _LEADING_ZEROS.fullmatch(text)
        value = int(text, 10)
        if zeros and node.style is None:
            self.warning(node, f"leading zeros are read as decimal: {text} is {value}")
        if not low <= value <= high:
            self.error(node, f"{key} must be between {low} and {high}, got {value}")
            return None
        return value

    def boolean(self, node: Node, key: str) -> bool | None:
        text = self.scalar(node, "true or false")
        if text is None:
            return None
        if text.lower() in ("true", "yes", "on"):
            return True
        if text.lower() in ("false", "no", "off"):
            return False
        self.error(node, f"{key} must be true or false, got {self.describe(node)}")
        return None

    def choice(self, node: Node, choices: Sequence[str], what: str) -> str | None:
        text = self.scalar(node, f"{what} (one of: {', '.join(choices)})")
        if text is None:
            return None
        word = text.strip()
        if word in choices:
            return word
        if word.replace("-", "_") in choices:
            return word.replace("-", "_")
        self.error(node, f"unknown {what} '{_short(word)}'{_suggest(word, choices)}")
        return None

    def choices(self, node: Node, choices: Sequence[str], what: str) -> tuple[str, ...] | None:
        items = self.sequence(
            node, f"a list of {what}s, e.g. [{', '.join(choices[:2])}]", len(choices) * 2, allow_scalar=True
        )
        if items is None:
            return None
        out: list[str] = []
        for item in items:
            word = self.choice(item, choices, what)
            if word is None:
                continue
            if word in out:
                self.error(item, f"'{word}' is listed twice")
                continue
            out.append(word)
        return tuple(out)

    def yes_no(self, node: Node) -> str | None:
        text = self.scalar(node, "yes or no")
        if text is None:
            return None
        if text.lower() in _YES:
            return "yes"
        if text.lower() in _NO:
            return "no"
        self.error(node, f"expected yes or no, got {self.describe(node)}")
        return None

    # --- names, expressions, points -----------------------------------------------

    def variable_name(self, node: Node, what: str = "a variable name") -> str | None:
        """A plain identifier that is not a function or constant name (``__import__('os')`` is refused)."""
        text = self.scalar(node, what)
        if text is None:
            return None
        try:
            check_variable_name(text)
        except TutorError as err:
            self.math_error(node, err)
            return None
        return text

    def names(self, node: Node, what: str) -> tuple[str, ...] | None:
        items = self.sequence(node, f"a list of {what}, e.g. [x, z, m]", MAX_VARIABLES)
        if items is None:
            return None
        before = self.errors()
        out: list[str] = []
        for item in items:
            name = self.variable_name(item)
            if name is None:
                continue
            if name in out:
                self.error(item, f"'{name}' is listed twice")
                continue
            out.append(name)
        if self.errors() > before:
            return None
        if not out:
            self.error(node, f"expected at least one name in {what}")
            return None
        return tuple(out)

    def expression_source(self, node: Node) -> str | None:
        what = "one expression"
        if not self.usable(node):
            return None
        if isinstance(node, (SequenceNode, MappingNode)) or node.tag in (_NULL, _BOOL):
            self.expected(node, what)
            return None
        text = node.value
        if text.strip() == "":
            self.expected(node, what)
            return None
        if node.tag == _FLOAT and _NAN_INF.fullmatch(text.strip()):
            self.error(node, f"expected {what}, got {text.strip()}, which is not a finite number")
            return None
        return text

    def expression(self, node: Node, variables: Sequence[str]) -> sp.Expr | None:
        text = self.expression_source(node)
        if text is None:
            return None
        return self.guarded(node, parse_expression, text, tuple(variables))

    def vector(self, node: Node, variables: Sequence[str], length: int | None, what: str) -> tuple[sp.Expr, ...] | None:
        """A YAML list of expressions, or one string like "(4x, 12z, 21m^2)"."""
        if not self.usable(node):
            return None
        if isinstance(node, SequenceNode):
            if len(node.value) > MAX_SAMPLES:
                self.error(node, f"this list is too long for {what} (at most {MAX_SAMPLES} entries)")
                return None
            parts = [self.expression(item, variables) for item in node.value]
            if any(p is None for p in parts):
                return None
            value = tuple(parts)
        else:
            text = self.expression_source(node)
            if text is None:
                return None
            parsed = self.guarded(node, parse_vector, text, tuple(variables))
            if parsed is None:
                return None
            value = tuple(parsed)
        if length is not None and len(value) != length:
            self.error(node, f"{what} has {length} entries, but this answer has {len(value)}")
            return None
        return value

    def point(self, node: Node, variables: Sequence[str], what: str) -> dict[str, sp.Expr] | None:
        """``{x: 1, z: 1}``: a value for every variable, in the variables' order."""
        example = "{" + ", ".join(f"{v}: 1" for v in variables[:3]) + "}"
        items = self.mapping(node, f"a point, e.g. {example}")
        if items is None:
            return None
        before = self.errors()
        values: dict[str, sp.Expr] = {}
        for name, (key, value) in items.items():
            if name not in variables:
                self.error(
                    key,
                    f"'{_short(name)}' is not a variable here (variables: {', '.join(variables)}){_suggest(name, variables) if len(variables) > 1 else ''}",
                )
                continue
            number = self.number(value, f"a number for {name}")
            if number is not None:
                values[name] = number
        missing = [v for v in variables if v not in items]
        if missing:
            self.error(node, f"{what} needs a value for {', '.join(missing)}")
        if self.errors() > before:
            return None
        return {v: values[v] for v in variables}

    def function(self, fields: dict[str, Node], key: str = "function") -> Function | None:
        """f and its variables: declared, or the names in order of first appearance."""
        node = fields[key]
        text = self.expression_source(node)
        if text is None:
            return None
        if "variables" in fields:
            variables = self.names(fields["variables"], "variables")
        else:
            variables = self.guarded(node, infer_variables, text)
            if variables is not None:
                variables = tuple(variables)
                if len(variables) > MAX_VARIABLES:
                    self.error(node, f"at most {MAX_VARIABLES} variables are allowed, got {len(variables)}")
                    return None
        if variables is None:
            return None
        if not variables:
            self.error(node, "this function has no variables; write a function of x, e.g. 5x^2")
            return None
        expr = self.guarded(node, parse_expression, text, variables)
        if expr is None:
            return None
        return Function(expr, variables, text, self.where(node))

    # --- help on questions ------------------------------------------------------------

    def help(self, fields: dict[str, Node], read_answer: Callable[[Node], Any]) -> Help:
        hints: list[Text] = []
        if "hints" in fields:
            for item in self.sequence(fields["hints"], "a list of hints", MAX_HINTS) or []:
                hint = self.text_value(item)
                if hint is not None:
                    hints.append(hint)
        solution = self.text_value(fields["solution"]) if "solution" in fields else None
        feedback: list[Feedback] = []
        if "feedback" in fields:
            for item in self.sequence(fields["feedback"], "a list of {answer: ..., says: ...}", MAX_FEEDBACK) or []:
                entry = self.fields(item, "feedback", FEEDBACK_KEYS, FEEDBACK_KEYS, item)
                if entry is None or not all(k in entry for k in FEEDBACK_KEYS):
                    continue
                answer = read_answer(entry["answer"])
                says = self.text_value(entry["says"])
                if answer is not None and says is not None:
                    feedback.append(Feedback(answer, says, self.where(item)))
        return Help(tuple(hints), solution, tuple(feedback))

    def help_by_kind(
        self, node: Node, kinds: Sequence[str], asked: Sequence[str], readers: dict[str, Callable]
    ) -> dict[str, Help]:
        items = self.mapping(node, "help by question kind, e.g. {derivative: {hints: [...]}}")
        out: dict[str, Help] = {}
        for name, (key, value) in (items or {}).items():
            if name not in kinds:
                self.error(key, f"unknown question kind '{_short(name)}' in help{_suggest(name, kinds)}")
                continue
            if name not in asked:
                self.warning(key, f"help for '{name}', which this section does not ask (ask: {', '.join(asked)})")
            block = self.fields(value, f"help for {name}", HELP_KEYS, (), key)
            if block is not None:
                out[name] = self.help(block, readers[name])
        return out

    # --- answer readers for author-listed wrong answers ---------------------------------

    def value_answer(self, variables: Sequence[str], length: int, what: str) -> Callable[[Node], Any]:
        """A number or expression (one variable), or a vector of them (several)."""
        if length == 1:
            return lambda node: self.expression(node, variables)
        return lambda node: self.vector(node, variables, length, what)

    def choice_answer(self, choices: Sequence[str], what: str, length: int = 1) -> Callable[[Node], Any]:
        def read(node: Node):
            if length > 1 and isinstance(node, SequenceNode):
                picked = [self.choice(item, choices, what) for item in node.value]
                if any(p is None for p in picked):
                    return None
                if len(picked) != length:
                    self.error(node, f"expected {length} {what}s (one per variable), got {len(picked)}")
                    return None
                return tuple(picked)
            return self.choice(node, choices, what)

        return read


# --- sections -------------------------------------------------------------------------------


def _places(r: _Reader, fields: dict[str, Node]) -> dict[str, Where]:
    return {name: r.where(node) for name, node in fields.items()}


def _explain(r: _Reader, f: dict[str, Node], where: Where) -> Explain:
    plot = None
    if "plot" in f:
        p = r.fields(f["plot"], "plot", PLOT_KEYS, ("function",), f["plot"])
        if p is not None and "function" in p:
            function = r.function(p)
            x_range = (-2.0, 2.0)
            if "range" in p:
                ends = r.sequence(p["range"], "a range [from, to], e.g. [-2, 2]", 2)
                if ends is not None and len(ends) != 2:
                    r.error(p["range"], f"a range has two ends [from, to], got {len(ends)}")
                elif ends is not None:
                    lo, hi = (r.number(e, "a number") for e in ends)
                    if lo is not None and hi is not None:
                        if not lo < hi:
                            r.error(
                                p["range"],
                                f"a range runs from a smaller to a larger number, got [{sp.sstr(lo)}, {sp.sstr(hi)}]",
                            )
                        x_range = (float(lo), float(hi))
            if function is not None:
                if len(function.variables) != 1:
                    r.error(
                        p["function"],
                        f"a plot draws a function of one variable; this one has {len(function.variables)} ({', '.join(function.variables)})",
                    )
                plot = PlotRange(function, x_range)
    return Explain(
        text=r.text_value(f["text"]) if "text" in f else "",
        title=r.text_value(f["title"]) if "title" in f else None,
        plot=plot,
        where=where,
        places=_places(r, f),
    )


def _derive(r: _Reader, f: dict[str, Node], where: Where) -> Derive | None:
    function = r.function(f)
    if function is None:
        return None
    names = function.variables
    of = "gradient" if len(names) > 1 else names[0]
    if "of" in f:
        of = r.choice(f["of"], ("gradient", *names), "'of' (a variable or gradient)") or of
    if of == "gradient":
        reader = lambda node: r.vector(node, names, len(names), "the gradient")  # noqa: E731
    else:
        reader = lambda node: r.expression(node, names)  # noqa: E731
    return Derive(
        function=function,
        of=of,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=r.help(f, reader),
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _evaluate(r: _Reader, f: dict[str, Node], where: Where) -> Evaluate | None:
    function = r.function(f)
    if function is None:
        return None
    names = function.variables
    what = r.choice(f["what"], EVALUATE_WHAT, "'what'") if "what" in f else "value"
    of = None
    if what == "derivative":
        if "of" in f:
            of = r.choice(f["of"], names, "variable")
        elif len(names) == 1:
            of = names[0]
        else:
            r.error(f["what"], f"say which partial derivative with 'of:' (one of {', '.join(names)})")
    elif "of" in f:
        r.error(f["of"], f"'of' names the variable of a derivative; this section asks for the {what}")
    at = r.point(f["at"], names, "at")
    tolerance = None
    if "tolerance" in f:
        value = r.number(f["tolerance"], "a tolerance")
        if value is not None and value.is_negative:
            r.error(f["tolerance"], f"a tolerance must not be negative, got {sp.sstr(value)}")
        elif value is not None:
            tolerance = float(value)
    if what == "gradient":
        read = lambda node: r.vector(node, names, len(names), "the gradient")  # noqa: E731
    else:
        read = lambda node: r.expression(node, names)  # noqa: E731
    if what is None or at is None:
        r.help(f, read)
        return None
    return Evaluate(
        function=function,
        what=what,
        at=at,
        of=of,
        tolerance=tolerance,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=r.help(f, read),
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _optimizer(r: _Reader, node: Node) -> Optimizer | None:
    """A key of the optimiser registry (``gd``, ``momentum``, ...), or ``{momentum: {beta: 0.9}}``."""
    if isinstance(node, MappingNode):
        items = r.mapping(node, "an optimizer")
        if items is None:
            return None
        if len(items) != 1:
            r.error(node, "an optimizer with settings is a one-key mapping, e.g. {momentum: {beta: 0.9}}")
            return None
        ((name, (key, settings)),) = items.items()
        if name not in OPTIMIZERS:
            r.error(key, f"unknown optimizer '{_short(name)}'{_suggest(name, OPTIMIZERS)}")
            return None
        kind = _REGISTRY[name]
        s = r.fields(settings, f"the {name} settings", tuple(t.key for t in kind.settings), (), key)
        values = {}
        for setting in kind.settings:
            if not s or setting.key not in s:
                continue
            value = r.number(s[setting.key], f"{setting.symbol} (a number {setting.range_words()})")
            problem = None if value is None else setting.problem(value, float_only=not kind.exact_capable)
            if problem:
                r.error(s[setting.key], problem)
            elif value is not None:
                values[setting.key] = value
        return Optimizer(name, values.pop("beta", None), values)
    name = r.choice(node, OPTIMIZERS, "optimizer")
    return Optimizer(name) if name else None


def _stop_rules(r: _Reader, node: Node) -> tuple[str, ...] | None:
    from tutor.descent import Until

    items = r.sequence(node, "a list of stop rules, e.g. [sign-change]", 10, allow_scalar=True)
    if items is None:
        return None
    words: list[str] = []
    for item in items:
        word = r.scalar(item, "a stop rule: zero, sign-change or tol:1e-6")
        if word is None:
            continue
        word = word.strip()
        try:
            Until.parse([word])
        except TutorError as err:
            r.error(item, err.message)
            continue
        words.append(word)
    return tuple(words) if words else ("zero",)


def _descent(r: _Reader, f: dict[str, Node], where: Where) -> Descent | None:
    function = r.function(f)
    names = function.variables if function else ()
    start = r.point(f["start"], names, "start") if function else None
    lr = r.positive(f["learning_rate"], "the learning rate")
    optimizer = _optimizer(r, f["optimizer"]) if "optimizer" in f else Optimizer()
    stop = _stop_rules(r, f["stop"]) if "stop" in f else ("zero",)
    max_steps = r.integer(f["max_steps"], "max_steps", 1, MAX_STEPS) if "max_steps" in f else 20
    by_hand = r.integer(f["by_hand"], "by_hand", 0, MAX_BY_HAND) if "by_hand" in f else 3
    if by_hand is not None and max_steps is not None and by_hand > max_steps:
        r.error(f.get("by_hand") or f.get("max_steps"), f"by_hand ({by_hand}) is more than max_steps ({max_steps})")
    ask = ITERATION_QUESTIONS
    if "ask" in f:
        asked = r.choices(f["ask"], ITERATION_QUESTIONS, "question")
        if asked is not None and not asked:
            r.error(f["ask"], f"ask needs at least one of: {', '.join(ITERATION_QUESTIONS)}")
        ask = tuple(q for q in ITERATION_QUESTIONS if q in (asked or ()))
    expect = r.choice(f["expect"], EXPECTATIONS, "expectation") if "expect" in f else None
    kind = _REGISTRY[optimizer.name] if optimizer is not None else None
    float_only = kind is not None and not kind.exact_capable
    exact = not float_only
    if "exact" in f:
        exact = r.boolean(f["exact"], "exact")
        if exact and float_only:
            r.error(
                f["exact"],
                f"the {kind.key} optimizer {kind.float_only_because}, so it runs in float mode only: write exact: false",
            )
    help_by_kind: dict[str, Help] = {}
    if function is not None and "help" in f:
        n = len(names)
        readers = {
            "derivative": r.value_answer(names, n, "the gradient"),
            "direction": r.choice_answer(DIRECTIONS, "direction", n),
            "next": r.value_answer(names, n, "the next point"),
            "sign_change": r.yes_no,
        }
        help_by_kind = r.help_by_kind(f["help"], ITERATION_QUESTIONS, ask, readers)
    if None in (function, start, lr, optimizer, stop, max_steps, by_hand, exact):
        return None
    return Descent(
        function=function,
        start=start,
        learning_rate=lr,
        optimizer=optimizer,
        stop=stop,
        max_steps=max_steps,
        by_hand=by_hand,
        ask=ask,
        expect=expect,
        exact=exact,
        help=help_by_kind,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _predict(r: _Reader, f: dict[str, Node], where: Where) -> Predict | None:
    function = r.function(f)
    start = r.point(f["start"], function.variables, "start") if function else None
    lr = r.positive(f["learning_rate"], "the learning rate")
    steps = r.integer(f["steps"], "steps", 1, MAX_STEPS) if "steps" in f else 10
    help_ = r.help(f, r.choice_answer(OUTCOMES, "outcome"))
    if None in (function, start, lr, steps):
        return None
    return Predict(
        function=function,
        start=start,
        learning_rate=lr,
        steps=steps,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _model(r: _Reader, f: dict[str, Node]) -> Model | None:
    parameters = r.names(f["parameters"], "parameters")
    input_name = r.variable_name(f["input"], "the input's name") if "input" in f else "x"
    if parameters is None or input_name is None:
        return None
    if input_name in parameters:
        r.error(f.get("input") or f["parameters"], f"'{input_name}' cannot be both the input and a parameter")
        return None
    text = r.expression_source(f["model"])
    if text is None:
        return None
    expr = r.guarded(f["model"], parse_expression, text, (*parameters, input_name))
    if expr is None:
        return None
    used = {s.name for s in expr.free_symbols}
    for name in parameters:
        if name not in used:
            r.warning(f["model"], f"the parameter {name} does not appear in the model, so its gradient is always 0")
    if input_name not in used:
        r.warning(
            f["model"],
            f"the input {input_name} does not appear in the model, so the data cannot change its predictions",
        )
    return Model(expr, parameters, input_name, text, r.where(f["model"]))


def _data(r: _Reader, node: Node) -> DataSet | None:
    d = r.fields(node, "data", DATA_KEYS, (), node)
    if d is None:
        return None
    if "generate" in d:
        if "x" in d or "y" in d:
            r.error(node, "give either x and y, or generate, not both")
            return None
        g = r.fields(d["generate"], "generate", GENERATE_KEYS, ("seed", "n", "w"), d["generate"])
        if g is None or not all(k in g for k in ("seed", "n", "w")):
            return None
        seed = r.integer(g["seed"], "seed", 0, 2**32 - 1)
        n = r.integer(g["n"], "n", 1, MAX_SAMPLES)
        w = r.number(g["w"])
        b = r.number(g["b"]) if "b" in g else sp.Integer(0)
        noise = r.number(g["noise"], "the noise (a standard deviation)") if "noise" in g else sp.Integer(0)
        x_range: tuple = (-2, 2)
        if "x_range" in g:
            ends = r.sequence(g["x_range"], "a range [from, to], e.g. [-2, 2]", 2)
            if ends is None or len(ends) != 2:
                if ends is not None:
                    r.error(g["x_range"], f"a range has two ends [from, to], got {len(ends)}")
                return None
            x_range = tuple(r.number(e) for e in ends)
        if None in (seed, n, w, b, noise) or None in x_range:
            return None
        from tutor.training import generated_data

        try:
            xs, ys = generated_data(seed, n, w, b, noise, x_range)
        except TutorError as err:
            r.error(d["generate"], err.message)
            return None
        return DataSet(tuple(xs), tuple(ys), seed, r.where(node))
    if "x" not in d or "y" not in d:
        r.error(
            node,
            "data needs x and y (two lists of numbers of the same length), or generate: {seed: ..., n: ..., w: ...}",
        )
        return None
    columns = []
    for key in ("x", "y"):
        items = r.sequence(d[key], f"a list of numbers for {key}", MAX_SAMPLES)
        if items is None:
            return None
        values = [r.number(item) for item in items]
        if any(v is None for v in values):
            return None
        if not values:
            r.error(d[key], f"{key} needs at least one sample")
            return None
        columns.append(tuple(values))
    xs, ys = columns
    if len(xs) != len(ys):
        r.error(d["y"], f"y has {len(ys)} values but x has {len(xs)}: each sample needs both")
        return None
    return DataSet(xs, ys, None, r.where(node))


def _training_help(
    r: _Reader, f: dict[str, Node], model: Model | None, data: DataSet | None, asked: Sequence[str]
) -> dict[str, Help]:
    if "help" not in f or model is None:
        return {}
    k = len(model.parameters)
    readers = {
        "predict": lambda node: (
            r.vector(node, (), None, "the predictions") if isinstance(node, SequenceNode) else r.expression(node, ())
        ),
        "loss": lambda node: r.expression(node, model.parameters),
        "gradient": r.value_answer(model.parameters, k, "the gradient"),
        "update": r.value_answer(model.parameters, k, "the new parameters"),
    }
    return r.help_by_kind(f["help"], TRAINING_QUESTIONS, asked, readers)


def _training_step(r: _Reader, f: dict[str, Node], where: Where) -> TrainingStep | None:
    model = _model(r, f)
    data = _data(r, f["data"])
    start = r.point(f["start"], model.parameters, "start") if model else None
    lr = r.positive(f["learning_rate"], "the learning rate")
    loss = r.choice(f["loss"], LOSSES, "loss") if "loss" in f else "mse"
    samples = None
    if "samples" in f:
        items = r.sequence(f["samples"], "a list of sample numbers, counting from 0", MAX_SAMPLES)
        if items is not None:
            picked: list[int] = []
            high = len(data.x) - 1 if data else MAX_SAMPLES - 1
            for item in items:
                i = r.integer(item, "a sample number (counting from 0)", 0, high)
                if i is not None and i in picked:
                    r.error(item, f"sample {i} is listed twice")
                elif i is not None:
                    picked.append(i)
            if not items:
                r.error(f["samples"], "samples needs at least one sample number")
            samples = tuple(picked)
    ask = TRAINING_QUESTIONS
    if "ask" in f:
        asked = r.choices(f["ask"], TRAINING_QUESTIONS, "question")
        if asked is not None and not asked:
            r.error(f["ask"], f"ask needs at least one of: {', '.join(TRAINING_QUESTIONS)}")
        ask = tuple(q for q in TRAINING_QUESTIONS if q in (asked or ()))
    then_steps = r.integer(f["then_steps"], "then_steps", 0, MAX_STEPS) if "then_steps" in f else 0
    help_ = _training_help(r, f, model, data, ask)
    if None in (model, data, start, lr, loss, then_steps):
        return None
    return TrainingStep(
        data=data,
        model=model,
        start=start,
        learning_rate=lr,
        loss=loss,
        samples=samples,
        ask=ask,
        then_steps=then_steps,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _batch_compare(r: _Reader, f: dict[str, Node], where: Where) -> BatchCompare | None:
    model = _model(r, f)
    data = _data(r, f["data"])
    start = r.point(f["start"], model.parameters, "start") if model else None
    lr = r.positive(f["learning_rate"], "the learning rate")
    n = len(data.x) if data else MAX_SAMPLES
    batch_size = r.integer(f["batch_size"], "batch_size", 1, n) if "batch_size" in f else min(2, n)
    epochs = r.integer(f["epochs"], "epochs", 1, MAX_EPOCHS) if "epochs" in f else 5
    seed = r.integer(f["seed"], "seed", 0, 2**32 - 1) if "seed" in f else 0
    loss = r.choice(f["loss"], LOSSES, "loss") if "loss" in f else "mse"
    by_hand = r.boolean(f["by_hand"], "by_hand") if "by_hand" in f else True
    help_ = _training_help(r, f, model, data, BATCH_QUESTIONS)
    if None in (model, data, start, lr, batch_size, epochs, seed, loss, by_hand):
        return None
    return BatchCompare(
        data=data,
        model=model,
        start=start,
        learning_rate=lr,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        loss=loss,
        by_hand=by_hand,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


SECTION_READERS = {
    "explain": _explain,
    "derive": _derive,
    "evaluate": _evaluate,
    "descent": _descent,
    "predict": _predict,
    "training_step": _training_step,
    "batch_compare": _batch_compare,
}


def _section(r: _Reader, node: Node, index: int):
    kinds = tuple(SECTION_KEYS)
    if not isinstance(node, MappingNode):
        r.expected(node, "a section, a one-key mapping such as '- explain: {text: ...}'")
        return None
    items = r.mapping(node, "a section")
    if items is None:
        return None
    if len(items) != 1:
        names = ", ".join(items) or "none"
        r.error(
            node,
            f"a section is a one-key mapping such as '- descent: {{...}}', but this one has keys: {names} (is the indentation right?)",
        )
        return None
    ((kind, (key, body)),) = items.items()
    if kind not in SECTION_READERS:
        r.error(key, f"unknown section kind '{_short(kind)}'{_suggest(kind, kinds)}")
        return None
    before = r.errors()
    fields = r.fields(body, kind, SECTION_KEYS[kind], SECTION_REQUIRED[kind], key)
    if fields is None or r.errors() > before:
        # still read what is there, for more diagnostics, but build nothing
        if fields is not None and all(k in fields for k in SECTION_REQUIRED[kind]):
            _guarded_section(r, kind, fields, key)
        return None
    section = _guarded_section(r, kind, fields, key)
    if r.errors() > before:
        return None
    return section


def _guarded_section(r: _Reader, kind: str, fields: dict[str, Node], key: Node):
    try:
        return SECTION_READERS[kind](r, fields, r.where(key))
    except RecursionError:
        r.error(key, f"this {kind} section is nested too deeply to read")
    except Exception as err:
        r.error(
            key,
            f"the loader failed on this {kind} section ({type(err).__name__}: {_short(str(err), 80)}); please report this",
        )
    return None


def _lesson(r: _Reader, root: Node) -> Lesson | None:
    if not isinstance(root, MappingNode):
        r.expected(root, "a lesson: a mapping with id, title and sections at the top level")
        return None
    f = r.fields(root, "the lesson", TOP_KEYS, TOP_REQUIRED, root)
    if f is None:
        return None
    lesson_id = None
    if "id" in f:
        lesson_id = r.scalar(f["id"], "an id (letters, digits and dashes)")
        if lesson_id is not None and not _ID.fullmatch(lesson_id):
            r.error(
                f["id"],
                f"an id is letters, digits and dashes (at most 64), e.g. sign-of-the-derivative; got '{_short(lesson_id)}'",
            )
    order = r.integer(f["order"], "order", -1_000_000, 1_000_000) if "order" in f else 100
    title = r.text_value(f["title"]) if "title" in f else None
    summary = r.text_value(f["summary"]) if "summary" in f else ""
    sections = []
    if "sections" in f:
        items = r.sequence(f["sections"], "a list of sections", MAX_SECTIONS)
        if items is not None and not items:
            r.error(f["sections"], "a lesson needs at least one section")
        for index, item in enumerate(items or ()):
            sections.append(_section(r, item, index))
    if r.errors():
        return None
    return Lesson(
        id=lesson_id,
        title=title,
        summary=summary,
        sections=tuple(sections),
        order=order,
        path=r.path,
        where=r.where(root),
        places=_places(r, f),
    )


# --- the public API ------------------------------------------------------------------------


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _yaml_error(path: str, text: str, err: yaml.YAMLError) -> Diagnostic:
    """One line from PyYAML's error, at its mark."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        message = err.problem or "invalid YAML"
        if "\t" in message or "'\\t'" in message:
            message = "a tab cannot indent YAML; use spaces"
        elif err.context:
            context = err.context
            if err.context_mark is not None and (err.context_mark.line, err.context_mark.column) != (
                mark.line,
                mark.column,
            ):
                context += f" (which began at line {err.context_mark.line + 1}, column {err.context_mark.column + 1})"
            message = f"{message} {context}"
        if isinstance(err, _Refused):
            return Diagnostic(Where(path, mark.line + 1, mark.column + 1), "error", message)
        return Diagnostic(Where(path, mark.line + 1, mark.column + 1), "error", f"YAML syntax: {message}")
    position = getattr(err, "position", None)
    if isinstance(position, int):
        line, column = _line_column(text, position)
        reason = getattr(err, "reason", None) or "invalid character"
        character = getattr(err, "character", None)
        code = ord(character) if isinstance(character, str) and len(character) == 1 else character
        shown = f" (#x{code:04x})" if isinstance(code, int) else ""
        return Diagnostic(Where(path, line, column), "error", f"YAML syntax: {reason}{shown}")
    return Diagnostic(Where(path, 1, 1), "error", f"YAML syntax: {_short(str(err), 120)}")


def _tag_problems(r: _Reader, root: Node) -> None:
    """Report every node whose tag is not plain YAML (``!!python/...``, ``!foo``, ``!!set``)."""
    for node in _all_nodes(root):
        allowed = (
            _SCALAR_TAGS
            if isinstance(node, ScalarNode)
            else {_YAML + "seq"}
            if isinstance(node, SequenceNode)
            else {_YAML + "map"}
        )
        if node.tag == _YAML + "merge":
            r.error(node, "merge keys (<<) are not allowed in lessons: write the keys out")
            r.refused.add(id(node))
        elif node.tag not in allowed:
            r.error(
                node,
                f"unknown tag '{_short(_show_tag(node.tag), 60)}': lessons are plain YAML (strings, numbers, lists, mappings)",
            )
            for inner in _all_nodes(node):
                r.refused.add(id(inner))


def parse_lesson(text: str, path: str = "<string>") -> tuple[Lesson | None, list[Diagnostic]]:
    """The lesson (None if there is any error) and every diagnostic, errors and warnings, in file order."""
    r = _Reader(path, text)
    try:
        root = yaml.compose(text, Loader=_LessonLoader)
    except yaml.YAMLError as err:
        return None, [_yaml_error(path, text, err)]
    except RecursionError:
        return None, [Diagnostic(Where(path, 1, 1), "error", "the YAML is nested too deeply to read")]
    except Exception as err:
        return None, [Diagnostic(Where(path, 1, 1), "error", f"cannot read this file as YAML ({type(err).__name__})")]
    if root is None:
        return None, [
            Diagnostic(
                Where(path, 1, 1), "error", "the lesson is empty: expected a mapping with id, title and sections"
            )
        ]
    lesson = None
    try:
        deep = _depth_exceeded(root)
        if deep is not None:
            r.error(deep, f"nested more than {MAX_DEPTH} levels deep; a lesson never needs this")
        else:
            _tag_problems(r, root)
            lesson = _lesson(r, root)
    except RecursionError:
        r.error(root, "the lesson is nested too deeply to read")
    except Exception as err:
        r.error(
            root, f"the loader failed on this lesson ({type(err).__name__}: {_short(str(err), 80)}); please report this"
        )
    diagnostics = sorted(r.diagnostics, key=lambda d: (d.where.line, d.where.column))
    return (lesson if not any(d.severity == "error" for d in diagnostics) else None), diagnostics


def load_lesson_text(text: str, path: str = "<string>") -> Lesson:
    """The lesson in ``text``, or a LessonError carrying every diagnostic."""
    lesson, diagnostics = parse_lesson(text, path)
    if lesson is None:
        raise LessonError([d for d in diagnostics if d.severity == "error"])
    return lesson


def read_lesson_file(path: Path | str) -> tuple[Lesson | None, list[Diagnostic]]:
    """:func:`parse_lesson` for a file, refusing large files before reading them."""
    path = Path(path)
    shown = str(path)
    at = Where(shown, 1, 1)
    try:
        size = os.stat(path).st_size
        if path.is_dir():
            return None, [Diagnostic(at, "error", "this is a folder, not a lesson file")]
    except FileNotFoundError:
        return None, [Diagnostic(at, "error", "no such file")]
    except OSError as err:
        return None, [Diagnostic(at, "error", f"cannot read this file: {err.strerror or err}")]
    if size > MAX_BYTES:
        return None, [Diagnostic(at, "error", f"the file is {size / 1024 / 1024:.1f} MB; lessons are at most 1 MB")]
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return None, [Diagnostic(at, "error", f"cannot read this file: {err.strerror or err}")]
    if len(data) > MAX_BYTES:  # it grew after stat
        return None, [Diagnostic(at, "error", "the file is larger than 1 MB; lessons are at most 1 MB")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _line_column(
            data[: err.start].decode("utf-8", "replace"), len(data[: err.start].decode("utf-8", "replace"))
        )
        return None, [Diagnostic(Where(shown, line, column), "error", "this file is not UTF-8 text; save it as UTF-8")]
    return parse_lesson(text, shown)


def load_lesson(path: Path | str) -> Lesson:
    """The lesson in the file at ``path``, or a LessonError carrying every diagnostic."""
    lesson, diagnostics = read_lesson_file(path)
    if lesson is None:
        raise LessonError([d for d in diagnostics if d.severity == "error"])
    return lesson


def validate_math(lesson: Lesson) -> list[Diagnostic]:
    """The mathematical checks (run by the engine, under the sandbox): see :mod:`tutor.lesson.check`."""
    from tutor.lesson.check import validate_math as check_math

    return check_math(lesson)
