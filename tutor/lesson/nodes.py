"""YAML nodes -> typed values (text, exact numbers, names, expressions, points), each problem at its node.

Numbers are built from the node's *source text* through
:func:`tutor.mathinput.parse_number`, so ``1e-3`` is 1/1000 exactly and
``no``, ``~``, ``.nan`` and ``.inf`` are errors, not False/None/NaN;
expressions go through :mod:`tutor.mathinput`, and a parse error points
*inside* the expression.  Duplicate keys, unknown keys (with a
did-you-mean), wrong types and values out of range are reported at the node
at fault, and reading goes on, so one run reports everything.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.lesson.keys import (
    ALIASES,
    FEEDBACK_KEYS,
    HELP_KEYS,
    MAX_FEEDBACK,
    MAX_HINTS,
    MAX_LANGUAGES,
    MAX_SAMPLES,
    MAX_TESTS,
    MAX_VARIABLES,
    TEST_KEYS,
    VERDICTS,
)
from tutor.lesson.model import PATTERNS, AnswerTest, Diagnostic, Feedback, Function, Help, Where
from tutor.lesson.yamltree import BOOL, FLOAT, INT, NULL
from tutor.mathinput import (
    check_variable_name,
    infer_variables,
    parse_expression,
    parse_number,
    parse_vector,
    symbol,
)
from tutor.text import Text

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LANG = re.compile(r"[a-z]{2,5}")
_NAN_INF = re.compile(r"[-+]?\.(nan|inf)", re.IGNORECASE)
_LEADING_ZEROS = re.compile(r"([-+]?)0+([0-9]+)")
_YES = ("yes", "true", "on", "y")
_NO = ("no", "false", "off", "n")


def suggest(word: str, options: Sequence[str]) -> str:
    """'; did you mean 'title'?' or a list of what is allowed."""
    meant = meant_option(word, options)
    if meant is not None:
        return _("; did you mean '{option}'?").format(option=meant)
    return _(" (expected one of: {options})").format(options=", ".join(options))


def meant_option(word: str, options: Sequence[str]) -> str | None:
    """The option ``word`` is most likely a misspelling or an alias of, or None."""
    if word in ALIASES and ALIASES[word] in options:
        return ALIASES[word]
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower().replace("-", "_"), list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Reader:
    """Reads nodes into model values, recording a Diagnostic for every problem.

    Each reader returns ``None`` after reporting a problem; a section is only
    built when reading it added no error.
    """

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.refused: set[int] = set()  # ids of nodes already reported as unusable
        self.texts: list[tuple[Node, tuple[str, ...]]] = []  # each text mapping and its languages
        self.values: dict[str, sp.Expr] = {}  # the lesson's parameters in the variant being read

    # --- parameters (variants) -------------------------------------------------------

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.values)

    def instantiate(self, value):
        """An expression (or tuple of them) with the variant's parameter values put in, exactly."""
        if not self.values or value is None:
            return value
        if isinstance(value, tuple):
            return tuple(self.instantiate(v) for v in value)
        mapping = {symbol(name): v for name, v in self.values.items()}
        return value.xreplace(mapping)

    def template(self, text: str) -> str:
        """``{{a}}`` in a text becomes the parameter's value (LaTeX, for $...$), so texts follow the variant."""
        if not self.values or "{{" not in text:
            return text
        return _PLACEHOLDER.sub(
            lambda m: sp.latex(self.values[m.group(1)]) if m.group(1) in self.values else m.group(0), text
        )

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

    def _source_position(self, node: ScalarNode, column: int) -> tuple[int, int] | None:
        """Where character ``column`` of a multi-line or block scalar's value is written (0-based line, column).

        YAML folds such values (line breaks and indentation become one space or
        vanish), so the value's characters are matched in order against the
        source; any character that cannot be matched gives up.
        """
        start, end = node.start_mark, node.end_mark
        source = self.text[start.index : end.index]
        j = 1 if node.style in ("'", '"') else 0
        if node.style in ("|", ">"):  # the value starts on the line after the indicator
            j = source.find("\n") + 1
            if j == 0:
                return None
        for i, c in enumerate(node.value[: column + 1]):
            while j < len(source) and source[j] != c:
                if not source[j].isspace():
                    return None
                j += 1
            if j >= len(source):
                return None
            if i == column:
                break
            j += 1
        index = start.index + j
        line = start.line + source.count("\n", 0, j)
        line_start = self.text.rfind("\n", 0, index) + 1
        return line, index - line_start

    def math_error(self, node: Node, err: TutorError) -> None:
        """A MathTextError points inside the expression, wherever in the source its character is written."""
        column = getattr(err, "column", None)
        offset = self._inner_offset(node) if isinstance(node, ScalarNode) else None
        if column is not None and offset is not None and 0 <= column <= len(node.value):
            self.error(node, err.message, offset + column)
            return
        if isinstance(node, ScalarNode) and column is not None and 0 <= column < len(node.value):
            found = self._source_position(node, column)
            if found is not None:
                where = Where(self.path, found[0] + 1, found[1] + 1)
                self.diagnostics.append(Diagnostic(where, "error", err.message))
                return
        self.error(node, err.message)

    def guarded(self, node: Node, fn: Callable, *args):
        """Call a tutor.mathinput function on untrusted text; every failure becomes a diagnostic."""
        try:
            return fn(*args)
        except TutorError as err:
            self.math_error(node, err)
        except RecursionError:
            self.error(node, _("this expression is nested too deeply to read"))
        except Exception as err:
            self.error(
                node, _("cannot read this ({name}: {short})").format(name=type(err).__name__, short=short(str(err), 80))
            )
        return None

    def translation_warnings(self) -> None:
        """A text mapping without a language the lesson uses elsewhere silently shows another language."""
        used: list[str] = []
        for _node, codes in self.texts:
            used.extend(c for c in codes if c not in used)
        for node, codes in self.texts:
            missing = [c for c in used if c not in codes]
            if missing and codes:
                shown = "en" if "en" in codes else codes[0]
                names = ", ".join(missing)
                self.warning(
                    node,
                    _(
                        "no {names} text here, though the lesson has {names} elsewhere: {names} readers will see the {shown} text"
                    ).format(names=names, shown=shown),
                )

    # --- kinds of node ---------------------------------------------------------------

    def describe(self, node: Node) -> str:
        if isinstance(node, SequenceNode):
            return _("a list")
        if isinstance(node, MappingNode):
            return _("a mapping")
        if node.tag == NULL:
            return _("nothing (an empty value, ~ or null)") if node.style is None else _("nothing")  # type: ignore[attr-defined]
        if node.tag == BOOL:
            truth = "true" if node.value.lower() in _YES else "false"
            return _("'{value}', which YAML reads as {truth}").format(value=node.value, truth=truth)
        if node.tag in (INT, FLOAT):
            return _("the number {value}").format(value=node.value)
        if node.value.strip() == "":
            return _("empty text")
        return f"'{short(node.value)}'"

    def expected(self, node: Node, what: str) -> None:
        self.error(node, _("expected {what}, got {describe}").format(what=what, describe=self.describe(node)))

    def usable(self, node: Node) -> bool:
        return id(node) not in self.refused

    def scalar(self, node: Node, what: str, *, allow_empty: bool = False) -> str | None:
        """The source text of a scalar (YAML 1.1's yes/no/010 are not interpreted)."""
        if not self.usable(node):
            return None
        if not isinstance(node, ScalarNode) or (node.tag == NULL and node.style is None):
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
            if not isinstance(key, ScalarNode) or key.tag == NULL:
                self.error(key, _("a key must be a plain name, got {describe}").format(describe=self.describe(key)))
                continue
            name = key.value
            if name in items:
                first = items[name][0].start_mark.line + 1
                self.error(
                    key, _("duplicate key '{name}' (first given on line {first})").format(name=name, first=first)
                )
                continue
            items[name] = (key, value)
        return items

    def sequence(self, node: Node, what: str, limit: int, *, allow_scalar: bool = False) -> list[Node] | None:
        if not self.usable(node):
            return None
        if allow_scalar and isinstance(node, ScalarNode) and node.tag != NULL:
            return [node]
        if not isinstance(node, SequenceNode):
            self.expected(node, what)
            return None
        if len(node.value) > limit:
            self.error(
                node.value[limit],
                _("at most {limit} entries are allowed here, got {len}").format(limit=limit, len=len(node.value)),
            )
            return None
        return list(node.value)

    def fields(
        self, node: Node, kind: str, allowed: Sequence[str], required: Sequence[str], anchor: Node
    ) -> dict[str, Node] | None:
        """The keys of a mapping, unknown ones and missing required ones reported."""
        items = self.mapping(node, _("the keys of {kind} (a mapping)").format(kind=kind))
        if items is None:
            return None
        suggested: set[str] = set()
        for name, (key, _value) in items.items():
            if name not in allowed:
                hint = suggest(name, allowed)
                meant = meant_option(name, allowed)
                if meant is not None:
                    suggested.add(meant)
                self.error(
                    key, _("unknown key '{short}' in {kind}{hint}").format(short=short(name), kind=kind, hint=hint)
                )
        for name in required:
            if name not in items and name not in suggested:
                self.error(anchor, _("{kind} needs '{name}:'").format(kind=kind, name=name))
        return {name: value for name, (key, value) in items.items() if name in allowed}

    # --- values ----------------------------------------------------------------------

    def text_value(self, node: Node) -> Text | None:
        """A string, or a mapping of language code (en, zh, ...) to string."""
        what = _("text (a string, or a mapping of language code to string, e.g. {en: ..., zh: ...})")
        if not self.usable(node):
            return None
        if isinstance(node, ScalarNode):
            string = self.scalar(node, what, allow_empty=True)
            return None if string is None else self.template(string)
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
            self.error(
                node,
                _("at most {MAX_LANGUAGES} languages are allowed, got {len}").format(
                    MAX_LANGUAGES=MAX_LANGUAGES, len=len(items)
                ),
            )
            return None
        out: dict[str, str] = {}
        for code, (key, value) in items.items():
            why = " (inside {...} a comma ends the text: quote text that has commas)" if node.flow_style else ""
            if not _LANG.fullmatch(code):
                self.error(
                    key,
                    _("'{short}' is not a language code: use 2 to 5 lowercase letters, e.g. en or zh{why}").format(
                        short=short(code), why=why
                    ),
                )
                continue
            if isinstance(value, ScalarNode) and value.tag == NULL and value.style is None and value.value == "":
                self.error(key, _("'{short}' has no text{why}").format(short=short(code), why=why))
                continue
            string = self.scalar(value, _("the {code} text (a string)").format(code=code), allow_empty=True)
            if string is not None:
                out[code] = self.template(string)
        self.texts.append((node, tuple(out)))
        return out

    def number(self, node: Node, what: str = "a number") -> sp.Expr | None:
        """An exact number from the source text: 0.05 is 1/20, 1e-3 is 1/1000, "1/20" is 1/20."""
        if not self.usable(node):
            return None
        if isinstance(node, (SequenceNode, MappingNode)) or node.tag in (NULL, BOOL):
            self.expected(node, what)
            return None
        text = node.value.strip()
        if text == "":
            self.expected(node, what)
            return None
        if _NAN_INF.fullmatch(text):
            self.error(
                node, _("expected {what}, got {text}, which is not a finite number").format(what=what, text=text)
            )
            return None
        zeros = _LEADING_ZEROS.fullmatch(text)
        if zeros and node.style is None:  # type: ignore[attr-defined]  # a ScalarNode here
            text = zeros.group(1) + str(int(zeros.group(2))) if len(text) < 20 else text
            self.warning(
                node, _("leading zeros are read as decimal: {value} is {text}").format(value=node.value, text=text)
            )
        if self.values:  # may name the variants' parameters
            value = self.instantiate(self.guarded(node, parse_expression, text, self.parameters))
        else:
            value = self.guarded(node, parse_number, text)
        if value is None:
            return None
        if not (value.is_real and value.is_finite):
            self.error(
                node,
                _("expected {what}, got {short}, which is not a finite real number").format(
                    what=what, short=short(node.value)
                ),
            )
            return None
        return value

    def positive(self, node: Node, what: str) -> sp.Expr | None:
        value = self.number(node, _("a number for {what}").format(what=what))
        if value is not None and not value.is_positive:
            self.error(node, _("{what} must be positive, got {sstr}").format(what=what, sstr=sp.sstr(value)))
            return None
        return value

    def integer(self, node: Node, key: str, low: int, high: int) -> int | None:
        what = _("a whole number")
        if not self.usable(node):
            return None
        if not isinstance(node, ScalarNode) or node.tag in (NULL, BOOL):
            self.expected(node, what)
            return None
        text = node.value.strip()
        if not re.fullmatch(r"[-+]?[0-9]+", text):
            self.expected(node, what)
            return None
        if len(text.lstrip("+-").lstrip("0")) > 12:
            self.error(
                node,
                _("{key} must be between {low} and {high}, got {short}").format(
                    key=key, low=low, high=high, short=short(text)
                ),
            )
            return None
        zeros = _LEADING_ZEROS.fullmatch(text)
        value = int(text, 10)
        if zeros and node.style is None:
            self.warning(node, _("leading zeros are read as decimal: {text} is {value}").format(text=text, value=value))
        if not low <= value <= high:
            self.error(
                node,
                _("{key} must be between {low} and {high}, got {value}").format(
                    key=key, low=low, high=high, value=value
                ),
            )
            return None
        return value

    def boolean(self, node: Node, key: str) -> bool | None:
        text = self.scalar(node, _("true or false"))
        if text is None:
            return None
        if text.lower() in ("true", "yes", "on"):
            return True
        if text.lower() in ("false", "no", "off"):
            return False
        self.error(node, _("{key} must be true or false, got {describe}").format(key=key, describe=self.describe(node)))
        return None

    def choice(self, node: Node, choices: Sequence[str], what: str) -> str | None:
        text = self.scalar(node, _("{what} (one of: {join})").format(what=what, join=", ".join(choices)))
        if text is None:
            return None
        word = text.strip()
        if word in choices:
            return word
        if word.replace("-", "_") in choices:
            return word.replace("-", "_")
        self.error(
            node,
            _("unknown {what} '{short}'{suggest}").format(what=what, short=short(word), suggest=suggest(word, choices)),
        )
        return None

    def choices(self, node: Node, choices: Sequence[str], what: str) -> tuple[str, ...] | None:
        items = self.sequence(
            node,
            _("a list of {what}s, e.g. [{join}]").format(what=what, join=", ".join(choices[:2])),
            len(choices) * 2,
            allow_scalar=True,
        )
        if items is None:
            return None
        out: list[str] = []
        for item in items:
            word = self.choice(item, choices, what)
            if word is None:
                continue
            if word in out:
                self.error(item, _("'{word}' is listed twice").format(word=word))
                continue
            out.append(word)
        return tuple(out)

    def yes_no(self, node: Node) -> str | None:
        text = self.scalar(node, _("yes or no"))
        if text is None:
            return None
        if text.lower() in _YES:
            return "yes"
        if text.lower() in _NO:
            return "no"
        self.error(node, _("expected yes or no, got {describe}").format(describe=self.describe(node)))
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
        items = self.sequence(node, _("a list of {what}, e.g. [x, z, m]").format(what=what), MAX_VARIABLES)
        if items is None:
            return None
        before = self.errors()
        out: list[str] = []
        for item in items:
            name = self.variable_name(item)
            if name is None:
                continue
            if name in out:
                self.error(item, _("'{name}' is listed twice").format(name=name))
                continue
            out.append(name)
        if self.errors() > before:
            return None
        if not out:
            self.error(node, _("expected at least one name in {what}").format(what=what))
            return None
        return tuple(out)

    def expression_source(self, node: Node) -> str | None:
        what = _("one expression")
        if not self.usable(node):
            return None
        if isinstance(node, (SequenceNode, MappingNode)) or node.tag in (NULL, BOOL):
            self.expected(node, what)
            return None
        text = node.value
        if text.strip() == "":
            self.expected(node, what)
            return None
        if node.tag == FLOAT and _NAN_INF.fullmatch(text.strip()):
            self.error(
                node,
                _("expected {what}, got {strip}, which is not a finite number").format(what=what, strip=text.strip()),
            )
            return None
        return text

    def expression(self, node: Node, variables: Sequence[str]) -> sp.Expr | None:
        text = self.expression_source(node)
        if text is None:
            return None
        return self.instantiate(self.guarded(node, parse_expression, text, (*variables, *self.parameters)))

    def vector(self, node: Node, variables: Sequence[str], length: int | None, what: str) -> tuple[sp.Expr, ...] | None:
        """A YAML list of expressions, or one string like "(4x, 12z, 21m^2)"."""
        if not self.usable(node):
            return None
        if isinstance(node, SequenceNode):
            if len(node.value) > MAX_SAMPLES:
                self.error(
                    node,
                    _("this list is too long for {what} (at most {MAX_SAMPLES} entries)").format(
                        what=what, MAX_SAMPLES=MAX_SAMPLES
                    ),
                )
                return None
            parts = [self.expression(item, variables) for item in node.value]
            if any(p is None for p in parts):
                return None
            value = tuple(parts)
        else:
            text = self.expression_source(node)
            if text is None:
                return None
            parsed = self.instantiate(self.guarded(node, parse_vector, text, (*variables, *self.parameters)))
            if parsed is None:
                return None
            value = tuple(parsed)
        if length is not None and len(value) != length:
            self.error(
                node,
                _("{what} has {length} entries, but this answer has {len}").format(
                    what=what, length=length, len=len(value)
                ),
            )
            return None
        return value

    def point(self, node: Node, variables: Sequence[str], what: str) -> dict[str, sp.Expr] | None:
        """``{x: 1, z: 1}``: a value for every variable, in the variables' order."""
        example = "{" + ", ".join(f"{v}: 1" for v in variables[:3]) + "}"
        items = self.mapping(node, _("a point, e.g. {example}").format(example=example))
        if items is None:
            return None
        before = self.errors()
        values: dict[str, sp.Expr] = {}
        for name, (key, value) in items.items():
            if name not in variables:
                self.error(
                    key,
                    _("'{short}' is not a variable here (variables: {join}){suggest}").format(
                        short=short(name),
                        join=", ".join(variables),
                        suggest=suggest(name, variables) if len(variables) > 1 else "",
                    ),
                )
                continue
            number = self.number(value, _("a number for {name}").format(name=name))
            if number is not None:
                values[name] = number
        missing = [v for v in variables if v not in items]
        if missing:
            self.error(node, _("{what} needs a value for {join}").format(what=what, join=", ".join(missing)))
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
                taken = [v for v in variables if v in self.values]
                variables = tuple(v for v in variables if v not in self.values)
                if taken and not variables:
                    self.error(
                        node,
                        _(
                            "{join} is a parameter of the variants, so this function has no variable left; rename the parameter"
                        ).format(join=", ".join(taken)),
                    )
                    return None
                if len(variables) > MAX_VARIABLES:
                    self.error(
                        node,
                        _("at most {MAX_VARIABLES} variables are allowed, got {len}").format(
                            MAX_VARIABLES=MAX_VARIABLES, len=len(variables)
                        ),
                    )
                    return None
        if variables is None:
            return None
        if not variables:
            self.error(node, _("this function has no variables; write a function of x, e.g. 5x^2"))
            return None
        clash = [v for v in variables if v in self.values]
        if clash:
            self.error(
                node,
                _("{join} is a parameter of the variants, so it cannot be a variable too").format(
                    join=", ".join(clash)
                ),
            )
            return None
        expr = self.instantiate(self.guarded(node, parse_expression, text, (*variables, *self.parameters)))
        if expr is None:
            return None
        return Function(expr, variables, text if not self.values else sp.sstr(expr), self.where(node))

    # --- help on questions ------------------------------------------------------------

    def help(self, fields: dict[str, Node], read_answer: Callable[[Node], Any]) -> Help:
        hints: list[Text] = []
        if "hints" in fields:
            for item in self.sequence(fields["hints"], _("a list of hints"), MAX_HINTS) or []:
                hint = self.text_value(item)
                if hint is not None:
                    hints.append(hint)
        solution = self.text_value(fields["solution"]) if "solution" in fields else None
        feedback: list[Feedback] = []
        if "feedback" in fields:
            for item in self.sequence(fields["feedback"], _("a list of {answer: ..., says: ...}"), MAX_FEEDBACK) or []:
                entry = self.fields(item, "feedback", FEEDBACK_KEYS, ("says",), item)
                if entry is None or "says" not in entry:
                    continue
                read = self._feedback(item, entry, read_answer)
                if read is not None:
                    feedback.append(read)
        tests: list[AnswerTest] = []
        if "tests" in fields:
            for item in self.sequence(fields["tests"], _("a list of {answer: ..., verdict: right}"), MAX_TESTS) or []:
                entry = self.fields(item, "an answer test", TEST_KEYS, ("answer", "verdict"), item)
                if entry is None or not all(k in entry for k in ("answer", "verdict")):
                    continue
                answer = self.scalar(entry["answer"], _("the answer as a learner would type it"))
                verdict = self.choice(entry["verdict"], VERDICTS, "verdict")
                says = self.scalar(entry["says"], _("a phrase the feedback must contain")) if "says" in entry else None
                if answer is not None and verdict is not None:
                    tests.append(AnswerTest(answer, verdict, says, self.where(item)))
        return Help(tuple(hints), solution, tuple(feedback), tuple(tests))

    def _feedback(self, item: Node, entry: dict[str, Node], read_answer: Callable[[Node], Any]) -> Feedback | None:
        """``answer:`` (literal), or ``pattern:`` wrong_sign / factor (with ``factor:``) / up_to_constant (with ``answer:``)."""
        says = self.text_value(entry["says"])
        if "pattern" not in entry:
            if "factor" in entry:
                self.error(entry["factor"], _("factor: goes with pattern: factor"))
                return None
            if "answer" not in entry:
                self.error(item, _("feedback needs 'answer:' (a wrong answer) or 'pattern:' (wrong_sign, factor, ...)"))
                return None
            answer = read_answer(entry["answer"])
            return None if answer is None or says is None else Feedback(answer, says, self.where(item))
        pattern = self.choice(entry["pattern"], PATTERNS, "pattern")
        if pattern is None or says is None:
            return None
        answer = factor = None
        if pattern == "factor":
            if "factor" not in entry:
                self.error(entry["pattern"], _("pattern: factor needs 'factor:', e.g. factor: 1/2 for a missing 2"))
                return None
            factor = self.number(entry["factor"], _("the factor"))
            if factor is None:
                return None
        elif "factor" in entry:
            self.error(entry["factor"], _("factor: goes with pattern: factor, not {pattern}").format(pattern=pattern))
            return None
        if pattern == "up_to_constant":
            if "answer" not in entry:
                self.error(
                    entry["pattern"], _("pattern: up_to_constant needs 'answer:', the expression up to a constant")
                )
                return None
            answer = read_answer(entry["answer"])
            if answer is None:
                return None
        elif "answer" in entry:
            self.error(
                entry["answer"],
                _("pattern: {pattern} is about the right answer itself: leave out 'answer:'").format(pattern=pattern),
            )
            return None
        return Feedback(answer, says, self.where(item), pattern, factor)

    def help_by_kind(
        self, node: Node, kinds: Sequence[str], asked: Sequence[str], readers: dict[str, Callable]
    ) -> dict[str, Help]:
        items = self.mapping(node, _("help by question kind, e.g. {derivative: {hints: [...]}}"))
        out: dict[str, Help] = {}
        for name, (key, value) in (items or {}).items():
            if name not in kinds:
                self.error(
                    key,
                    _("unknown question kind '{short}' in help{suggest}").format(
                        short=short(name), suggest=suggest(name, kinds)
                    ),
                )
                continue
            if name not in asked:
                self.warning(
                    key,
                    _("help for '{name}', which this section does not ask (ask: {join})").format(
                        name=name, join=", ".join(asked)
                    ),
                )
            block = self.fields(value, _("help for {name}").format(name=name), HELP_KEYS, (), key)
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
                    self.error(
                        node,
                        _("expected {length} {what}s (one per variable), got {len}").format(
                            length=length, what=what, len=len(picked)
                        ),
                    )
                    return None
                return tuple(picked)
            return self.choice(node, choices, what)

        return read
