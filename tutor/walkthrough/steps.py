"""The plain-data contract every view renders, and error carried forward.

A :class:`Walkthrough` is a lesson's :class:`Step` objects; each step holds the
exact values the engine computed and the :class:`Question` objects asked
there, each with its exact expected answer.  The tutor, the plain mode, the
plots and the Markdown export read only these dataclasses.

Error carried forward: a question whose answer depends on an earlier answer
(x₂ depends on the learner's x₁) carries a ``formula`` in placeholder symbols
named by ``depends``; the grader substitutes the learner's own earlier
answers, so one slip does not fail every later step.  The conventions:

- ``depends`` maps a placeholder name to the id of the question whose answer
  it stands for; ``given`` holds the true value of each (what is used when
  the learner has not answered it); ``labels`` says how to name it to a
  learner ("x₁").
- A placeholder is the plain symbol :func:`placeholder` ``(name)`` for a
  number, and ``placeholder(name, i)`` (printed ``name[i]``) for component i
  of a vector answer.  Plain symbols never clash with the lesson's variables,
  which are real symbols made by :func:`tutor.mathinput.symbol`.
- A choice question carries forward through ``rule``: the formula is a
  number (or a tuple of numbers) and the rule turns it into the choice key.
  ``"direction"``: the formula is the learner's derivative (or gradient); its
  sign decides (positive → decrease, negative → increase, zero → stay).
  ``"sign_change"``: the formula is the product f'(x_{k-1})·f'(x_k) (one per
  variable); any negative product means "yes".

Question and step ids are stable: ``s{section}`` for a one-step section,
``s{section}.k{k}`` for descent iteration k, ``s{section}.run`` for a
completed run; a question adds its name: ``s2.k1.next``, ``s0.gradient``.

A step's ``payload`` and a question's ``context`` are the typed dataclasses of
:mod:`tutor.walkthrough.contract`.  Descent payloads keep the run's own shapes:
``point``, ``gradient`` and ``next`` are tuples in the variables' order.  A
question's context gives ``point`` and ``previous_point`` as mappings name →
value instead, and ``gradient`` as a number for one variable, a tuple for several.

Several variables: the direction question is ONE choice question whose
expected answer is a tuple of keys in the variables' order (answered
``decrease, decrease, increase``), as author feedback for it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from tutor import calculus
from tutor.lesson.model import Help
from tutor.text import Text
from tutor.walkthrough.contract import Context, Payload

#: Answer kinds and how each is graded.
#:  expression: equivalence of expressions (random points, then exact simplification)
#:  vector:     element-wise equivalence, in the variables' order
#:  number:     exact equality, or within ``tolerance``
#:  choice:     one of ``choices`` (by key, or by its label in any language)
ANSWER_KINDS = ("expression", "vector", "number", "choice")


@dataclass(frozen=True)
class Choice:
    key: str  # e.g. "increase", "decrease", "stay", "yes", "no", "converge"
    label: Text


@dataclass(frozen=True)
class Question:
    id: str  # unique in the walkthrough, e.g. "s3.k1.next"
    kind: str  # one of ANSWER_KINDS
    prompt: Text
    expected: Any  # exact: sympy expression, tuple of them, or a choice key (tuple of keys for several variables)
    skill: str  # e.g. "derivative", "partial", "evaluate", "direction", "update", "sign_change", ...
    variables: tuple[str, ...] = ()  # names an answer may use
    choices: tuple[Choice, ...] = ()
    tolerance: float | None = None
    help: Help = field(default_factory=Help)
    # error carried forward: expected == formula with each symbol replaced by
    # the learner's answer to the question it names (or the true value).
    formula: Any = None
    depends: Mapping[str, str] = field(default_factory=dict)  # symbol name -> question id
    context: Context | None = None  # what the engine knows, for misconceptions and hints
    parts: tuple[Text, ...] = ()  # what each component of a vector answer is, e.g. "the ∂f/∂z component"
    given: Mapping[str, Any] = field(default_factory=dict)  # symbol name -> its true value
    labels: Mapping[str, Text] = field(default_factory=dict)  # symbol name -> how to name it ("x₁")
    rule: str | None = None  # choice questions: how the formula's value becomes a key (see RULES)
    figures: int | None = None  # significant figures a decimal needs for an exact answer (None: the grader's 4)


@dataclass(frozen=True)
class Step:
    """One screen of the lesson: text, the payload views render, questions to ask."""

    id: str  # e.g. "s3.k1"
    section: int  # index of the lesson section it came from
    title: Text
    text: Text  # Markdown with $maths$
    payload: Payload
    questions: tuple[Question, ...] = ()
    solution: Text | None = None  # the step's worked solution (Markdown), for the export

    @property
    def kind(self) -> str:
        """The payload's kind ("explain", "iteration", ...): for logs and tests; views match on the payload."""
        return self.payload.kind


@dataclass(frozen=True)
class Walkthrough:
    lesson_id: str
    title: Text
    summary: Text
    steps: tuple[Step, ...]
    path: str = ""

    def questions(self) -> list[Question]:
        return [q for step in self.steps for q in step.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)


# --- error carried forward ------------------------------------------------------------------


def placeholder(name: str, index: int | None = None) -> sp.Symbol:
    """The symbol standing for a learner's earlier answer (component ``index`` of a vector)."""
    return sp.Symbol(name if index is None else f"{name}[{index}]")


def placeholders(name: str, n: int) -> Any:
    """One placeholder for a number, a tuple of them for an n-vector."""
    return placeholder(name) if n == 1 else tuple(placeholder(name, i) for i in range(n))


def direction_of(slope: Any) -> str:
    """The article's rule: f' > 0 means decrease x, f' < 0 means increase x, f' = 0 means stay."""
    s = _sign(slope)
    return "decrease" if s > 0 else "increase" if s < 0 else "stay"


def _rule_direction(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(direction_of(v) for v in value)
    return direction_of(value)


def _rule_sign_change(value: Any) -> str:
    products = value if isinstance(value, tuple) else (value,)
    return "yes" if any(_sign(p) < 0 for p in products) else "no"


#: How a choice question's formula value becomes its key.
RULES: dict[str, Callable[[Any], Any]] = {"direction": _rule_direction, "sign_change": _rule_sign_change}


def _sympy(value: Any) -> Any:
    """An engine value as sympy (floats of a float run become Floats); tuples stay tuples."""
    if isinstance(value, (tuple, list)):
        return tuple(_sympy(v) for v in value)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError(f"not a number: {value!r}")


def _sign(value: Any) -> int:
    if isinstance(value, sp.Basic):
        return calculus.sign(value)
    return (value > 0) - (value < 0)


def _bindings(name: str, value: Any) -> dict[sp.Symbol, Any]:
    if isinstance(value, (tuple, list)):
        return {placeholder(name, i): _sympy(v) for i, v in enumerate(value)}
    return {placeholder(name): _sympy(value)}


def _apply(formula: Any, subs: dict[Any, Any]) -> Any:
    if isinstance(formula, tuple):
        return tuple(_apply(f, subs) for f in formula)
    return formula.xreplace(subs) if isinstance(formula, sp.Basic) else formula


def _is_value(value: Any) -> bool:
    """A finite real number (or tuple of them) with no placeholder left in it."""
    if isinstance(value, tuple):
        return all(_is_value(v) for v in value)
    if isinstance(value, str):
        return True
    if not isinstance(value, sp.Expr) or not value.is_number:
        return False
    return not value.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I)


def same_value(a: Any, b: Any) -> bool:
    """Exactly the same number, key or tuple (a cheap test; the grader decides equivalence)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(same_value, a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        a, b = _sympy(a), _sympy(b)
    except TypeError:
        return False
    if a == b:
        return True
    if a.is_number and b.is_number:
        if a.has(sp.Float) or b.has(sp.Float):  # a float run's value against a learner's exact 3/5: equal to rounding
            fa, fb = float(a), float(b)
            return abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb))
        return (a - b).is_zero is True
    return False


def expected_given(question: Question, earlier: Mapping[str, Any]) -> tuple[Any, bool]:
    """The expected answer given the learner's earlier answers.

    Returns (expected, carried): ``carried`` is True when a learner's earlier
    answer differed from the truth and so changed what is expected here.
    Symbols the learner has not answered take their true value (``given``);
    an earlier answer that cannot be used (wrong shape, not a number, or one
    that leaves the formula undefined) is ignored and the truth is expected.
    """
    if question.formula is None or not question.depends:
        return question.expected, False
    subs: dict[sp.Symbol, Any] = {}
    used = False
    for name, qid in question.depends.items():
        value = _earlier(earlier, qid)
        truth = question.given.get(name)
        if value is not None and _is_value(value) and _shape(value) == _shape(truth):
            used = True
        else:
            value = truth
        if value is None:
            return question.expected, False
        try:
            subs.update(_bindings(name, value))
        except TypeError:
            return question.expected, False
    if not used:
        return question.expected, False
    try:
        value = _apply(question.formula, subs)
        if not _is_value(value):
            return question.expected, False
        if question.rule is not None:
            value = RULES[question.rule](value)
    except (TypeError, ValueError, ArithmeticError, KeyError):
        return question.expected, False
    return value, not same_value(value, question.expected)


def _earlier(earlier: Mapping[str, Any], qid: str) -> Any:
    """A learner's earlier answer as sympy (None when missing or not a number)."""
    value = earlier.get(qid)
    if value is None or isinstance(value, str):
        return value
    try:
        return _sympy(value)
    except TypeError:
        return None


def _shape(value: Any) -> int | None:
    return len(value) if isinstance(value, (tuple, list)) else None


def carried_inputs(question: Question, earlier: Mapping[str, Any]) -> list[tuple[Text, Any, Any]]:
    """(label, learner's value, true value) for each earlier answer that differs from the truth."""
    out = []
    for name, qid in question.depends.items():
        value, truth = _earlier(earlier, qid), question.given.get(name)
        if value is None or truth is None or not _is_value(value) or same_value(value, truth):
            continue
        out.append((question.labels.get(name, name), value, truth))
    return out
