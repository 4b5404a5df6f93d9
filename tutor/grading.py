"""Grading a learner's answer against a :class:`~tutor.walkthrough.Question`.

Every grade says why: right; wrong and which part; which author feedback or
misconception matched; or invalid input, which is not counted as an attempt.

- Text reaches sympy only through :mod:`tutor.mathtext`, with the question's
  variables (``10x``, ``y = 10x``, ``f'(x) = 10x``; ``{4x, 12z, 21m^2}``).
- Expressions are equivalent when their difference is zero.  Cheap first:
  the two are evaluated (compiled floats) at seeded random real points, and
  one clear difference settles it.  Then exactly: ``simplify(a - b) == 0``
  (or ``equals``) in :func:`tutor.sandbox.run_bounded`; if that runs out of
  time, agreement to 1e-9 at five or more points is accepted.
- Numbers are exact (``0.5`` is 1/2, so it equals ``1/2``) unless the
  question has a tolerance.  Vectors are compared component by component.
  Choices accept the key, its first letter where that is unambiguous, or the
  label in any language (``减小``).
- Error carried forward: the expected answer is recomputed from the learner's
  earlier accepted answers (:func:`tutor.walkthrough.expected_given`); an
  answer right from their own earlier value is right, and the message says
  so.  An answer right from the true earlier value is right as well.
"""

from __future__ import annotations

import importlib
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from tutor.errors import TutorError
from tutor.mathtext import MathTextError, parse_expression, parse_number, parse_vector
from tutor.sandbox import BoundExceeded, run_bounded
from tutor.text import Text, both, tr
from tutor.walkthrough import Choice, Question, carried_inputs, expected_given, show

VERDICTS = ("right", "wrong", "invalid")

#: Random points per comparison, and the seed that makes them the same every time.
SAMPLE_POINTS = 12
SEED = 1847
#: Relative differences: above CLEARLY is a different value; within AGREE is the same.
CLEARLY = 1e-6
AGREE = 1e-9
#: Points that must agree for a numeric verdict when exact simplification runs out of time.
MIN_AGREEING = 5
#: Seconds allowed for exact simplification of one difference.
SIMPLIFY_TIMEOUT = 2.0
#: Seconds allowed for recognising a misconception in a wrong answer (else no explanation is given).
MISCONCEPTION_TIMEOUT = 1.0


@dataclass(frozen=True)
class Grade:
    """What the grader decided about one answer, and why."""

    verdict: str  # "right" | "wrong" | "invalid"
    message: Text  # why, in en and zh
    value: Any = None  # the parsed answer (None if invalid)
    part: int | None = None  # index of the first wrong component
    feedback: Text | None = None  # matched author feedback or misconception
    carried_forward: bool = False  # judged from the learner's own earlier answer
    column: int | None = None  # where the input could not be read (invalid only)

    @property
    def counted(self) -> bool:
        """Invalid input is not an attempt."""
        return self.verdict != "invalid"

    @property
    def right(self) -> bool:
        return self.verdict == "right"


class _Unreadable(TutorError):
    """An answer that is not one of the choices (or not the right number of them)."""

    def __init__(self, message: Text, column: int | None = None):
        super().__init__(tr(message, "en"))
        self.text = message
        self.column = column


@dataclass(frozen=True)
class _Match:
    """ok: True / False / None (cannot be decided in time); which part; why."""

    ok: bool | None
    part: int | None = None
    reason: Text | None = None


# --- the entry point ---------------------------------------------------------------------------


def grade(question: Question, answer: str, earlier: Mapping[str, Any] | None = None, lang: str = "en") -> Grade:
    """Grade ``answer`` to ``question``; ``earlier`` maps question ids to the learner's accepted parsed answers.

    ``lang`` is the learner's language: its choice labels are matched first.
    """
    earlier = earlier or {}
    try:
        value = read_answer(question, answer, lang)
    except _Unreadable as err:
        return _invalid(err.text, err.column)
    except MathTextError as err:
        return _invalid(both(err.message, err.message), err.column)
    except TutorError as err:
        return _invalid(both(err.message, err.message), getattr(err, "column", None))
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, ArithmeticError):
        return _invalid(both("it is too large or too deeply nested to work with", "它太大或嵌套太深，无法处理"), None)

    expected, carried = expected_given(question, earlier)
    match = compare(question, value, expected)
    carried_used = carried
    if carried and match.ok is not True:
        truth = compare(question, value, question.expected)
        if truth.ok is True:  # they used the true earlier value: right, nothing carried
            match, carried_used = truth, False
    if match.ok is None:
        return _invalid(
            both(
                "it is too complicated to check in time; please simplify it", "它太复杂，无法及时检查；请化简后再输入"
            ),
            None,
        )
    inputs = carried_inputs(question, earlier) if carried_used else []
    if match.ok:
        return Grade("right", _right_message(inputs), value, None, None, carried_used, None)
    feedback = _author_feedback(question, value) or _misconception(question, value)
    return Grade("wrong", _wrong_message(question, match, inputs), value, match.part, feedback, carried_used, None)


# --- reading --------------------------------------------------------------------------------------


def read_answer(question: Question, text: str, lang: str = "en") -> Any:
    """The learner's text as a value of the question's kind (raises MathTextError when unreadable)."""
    if not isinstance(text, str):
        raise _Unreadable(both("the answer must be text", "答案必须是文字"))
    if not text.strip():
        raise _Unreadable(both("the answer is empty", "答案是空的"), 0)
    if question.kind == "choice":
        return _read_choice(question, text, lang)
    names = _names(question)
    if question.kind == "expression":
        return parse_expression(text, names)
    if question.kind == "vector":
        return parse_vector(text, names)
    if question.kind == "number":
        return parse_expression(text, names) if names else parse_number(text)
    raise _Unreadable(both(f"unknown kind of question: {question.kind}", f"未知的题目类型：{question.kind}"))


def _names(question: Question) -> tuple[str, ...]:
    """The names an answer may use: the question's variables, or for a number the function's
    variables, so that `10x` for f'(1) is read and told it still needs evaluating."""
    if question.variables:
        return tuple(question.variables)
    names = getattr(question.context, "variables", None)
    return tuple(names) if names else ()


def _labels(label: Text) -> list[str]:
    return [label] if isinstance(label, str) else list(label.values())


def _label_in(label: Text, lang: str) -> str:
    return tr(label, lang)


def _match_choice(item: str, choices: Sequence[Choice], lang: str) -> str | None:
    t = item.strip().strip(".!?。！？").strip().casefold()
    if not t:
        return None
    for c in choices:
        if t == c.key.casefold():
            return c.key
    for first in (True, False):  # the learner's language first, then any
        for c in choices:
            labels = [_label_in(c.label, lang)] if first else _labels(c.label)
            if any(t == label.strip().casefold() for label in labels):
                return c.key
    if len(t) == 1:
        hits = {c.key for c in choices if c.key[:1].casefold() == t}
        if len(hits) != 1:
            hits = {c.key for c in choices for label in _labels(c.label) if label[:1].casefold() == t}
        if len(hits) == 1:
            return hits.pop()
    return None


def _choice_list(choices: Sequence[Choice]) -> Text:
    return both(", ".join(c.key for c in choices), "、".join(_label_in(c.label, "zh") for c in choices))


def _echo(text: str, limit: int = 40) -> str:
    """The learner's text, safe to show on one line: control characters escaped (no newline, no terminal codes), cut short."""
    safe = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _read_choice(question: Question, text: str, lang: str) -> Any:
    options = _choice_list(question.choices)
    many = isinstance(question.expected, tuple)
    inner = text.strip()
    if many and inner[:1] in "([{" and inner[-1:] in ")]}":
        inner = inner[1:-1]
    items = [s for s in re.split(r"[,，、;；]", inner)]
    if len(items) == 1 and many:
        items = inner.split()
    if not many and len(items) > 1:
        raise _Unreadable(
            both(f"give one answer: {options['en']}", f"只需给出一个答案：{options['zh']}"), text.find(items[1])
        )
    picked = []
    for item in items:
        key = _match_choice(item, question.choices, lang)
        if key is None:
            shown = _echo(item.strip()) or "(empty)"
            column = max(text.find(item.strip()), 0) if item.strip() else None
            raise _Unreadable(
                both(f"'{shown}' is not one of: {options['en']}", f"“{shown}”不是以下之一：{options['zh']}"), column
            )
        picked.append(key)
    return tuple(picked) if many else picked[0]


# --- comparing --------------------------------------------------------------------------------------


def compare(question: Question, value: Any, expected: Any) -> _Match:
    """Does ``value`` match ``expected`` for this question's kind (and which part does not)?"""
    if question.kind == "choice":
        return _compare_choice(question, value, expected)
    numeric = not question.variables  # the answer is a number (or numbers), not a function
    if isinstance(expected, tuple):
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(expected):
            return _Match(
                False,
                min(len(values), len(expected)),
                both(
                    f"expected {len(expected)} components, you gave {len(values)}",
                    f"应该有 {len(expected)} 个分量，你给了 {len(values)} 个",
                ),
            )
        undecided = False
        for i, (a, b) in enumerate(zip(values, expected)):
            ok, reason = _scalar(a, b, question.tolerance, numeric)
            if ok is None:
                undecided = True
            elif not ok:
                return _Match(False, i, reason)
        return _Match(None if undecided else True)
    if isinstance(value, tuple):
        if len(value) != 1:
            return _Match(
                False,
                None,
                both(f"expected one value, you gave {len(value)}", f"应该只有一个值，你给了 {len(value)} 个"),
            )
        value = value[0]
    ok, reason = _scalar(value, expected, question.tolerance, numeric)
    return _Match(ok, None, reason)


def _compare_choice(question: Question, value: Any, expected: Any) -> _Match:
    if isinstance(expected, tuple):
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(expected):
            return _Match(
                False,
                min(len(values), len(expected)),
                both(
                    f"expected {len(expected)} answers, one per variable; you gave {len(values)}",
                    f"应该有 {len(expected)} 个答案（每个变量一个），你给了 {len(values)} 个",
                ),
            )
        for i, (a, b) in enumerate(zip(values, expected)):
            if a != b:
                return _Match(False, i)
        return _Match(True)
    return _Match(value == expected)


def _scalar(a: Any, b: Any, tolerance: float | None, numeric: bool) -> tuple[bool | None, Text | None]:
    """One component: (ok, why not).  ``numeric``: a number is asked for, not a function."""
    if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr):
        return a == b, None
    if numeric and b.is_number and not a.is_number:
        names = ", ".join(sorted(str(s) for s in a.free_symbols))
        return False, both(
            f"a number is expected here, but your answer still contains {names}: evaluate it at the point",
            f"这里需要一个数，但你的答案里还有 {names}：请代入该点求值",
        )
    if tolerance is not None and b.is_number:
        fa, fb = _float(a), _float(b)
        if fa is None or fb is None:
            return False, None
        return abs(fa - fb) <= tolerance, None
    return equivalent(a, b), None


def _float(e: sp.Expr) -> float | None:
    """A real constant as a float, without ever running sympy's evaluator on it."""
    try:
        if e.is_Rational or e.is_Float:
            value = float(e)
        else:
            value = float(sp.lambdify((), e, modules="math")())
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
        return None
    return value if math.isfinite(value) else None


def equivalent(a: sp.Expr, b: sp.Expr) -> bool | None:
    """a == b as mathematics: True, False, or None when it cannot be decided in time."""
    if a == b:
        return True
    if a.is_Rational and b.is_Rational:
        return False
    if (a - b) == 0:  # what sympy's automatic simplification already sees: 5x + 5x is 10x
        return True
    differs, agreeing = _numeric(a, b)
    if differs:
        return False
    try:
        exact = run_bounded(_exactly_zero, a, b, timeout=SIMPLIFY_TIMEOUT)
    except BoundExceeded:
        exact = None
    except TutorError:
        exact = None
    if exact is not None:
        return bool(exact)
    return True if agreeing >= MIN_AGREEING else None


def _exactly_zero(a: sp.Expr, b: sp.Expr) -> bool | None:
    """Is a - b zero?  Run in the sandbox: simplify can take for ever on small inputs."""
    difference = sp.simplify(a - b)
    if difference == 0:
        return True
    return difference.equals(0)


def _points(n: int) -> list[tuple[float, ...]]:
    """Seeded points: half anywhere in (-3, 3), half positive (for log and sqrt)."""
    rng = random.Random(SEED + n)
    half = SAMPLE_POINTS // 2
    return [tuple(rng.uniform(-3, 3) for _ in range(n)) for _ in range(half)] + [
        tuple(rng.uniform(0.1, 3) for _ in range(n)) for _ in range(SAMPLE_POINTS - half)
    ]


def _numeric(a: sp.Expr, b: sp.Expr) -> tuple[bool, int]:
    """(clearly different somewhere, number of points where they agree to 1e-9)."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    try:
        fa = sp.lambdify(symbols, a, modules="math")
        fb = sp.lambdify(symbols, b, modules="math")
    except (TypeError, ValueError, SyntaxError, KeyError, NameError, RecursionError):
        return False, 0
    agreeing = 0
    for point in _points(len(symbols)) if symbols else [()]:
        try:
            va, vb = float(fa(*point)), float(fb(*point))
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError, NameError):
            continue  # undefined (or too large) here: try the next point
        if not (math.isfinite(va) and math.isfinite(vb)):
            continue
        scale = max(1.0, abs(va), abs(vb))
        gap = abs(va - vb)
        if gap > CLEARLY * scale:
            return True, agreeing
        if gap <= AGREE * scale:
            agreeing += 1
    return False, agreeing


# --- why ------------------------------------------------------------------------------------


def _author_feedback(question: Question, value: Any) -> Text | None:
    """The first author-listed wrong answer this answer is equivalent to."""
    for item in question.help.feedback:
        try:
            if getattr(item, "pattern", None) == "up_to_constant":
                if _up_to_constant(value, item.answer):
                    return item.says
                continue
            if compare(question, value, item.answer).ok:
                return item.says
        except (TutorError, TypeError, ValueError, ArithmeticError):
            continue
    return None


def _up_to_constant(value: Any, answer: Any) -> bool:
    """Author feedback pattern: the answer is the given expression plus some constant (an antiderivative slip)."""
    if not isinstance(value, sp.Expr) or not isinstance(answer, sp.Expr):
        return False
    return not sp.expand(value - answer).free_symbols


def _misconception(question: Question, value: Any) -> Text | None:
    """What the misconception engine recognises in this answer, if it is installed."""
    try:
        misconceptions = importlib.import_module("tutor.misconceptions")
    except ImportError:
        return None
    explain = getattr(misconceptions, "explain", None)
    if explain is None:
        return None
    try:  # bounded: it simplifies the learner's answer, which can take sympy for ever ((1+sqrt(2))^1000)
        return run_bounded(explain, question, value, timeout=MISCONCEPTION_TIMEOUT)
    except Exception:
        return None


def _invalid(reason: Text, column: int | None) -> Grade:
    message = both(
        f"I cannot read this answer: {tr(reason, 'en')}. It does not count as an attempt.",
        f"无法读懂这个答案：{tr(reason, 'zh')}。这次不计为作答。",
    )
    return Grade("invalid", message, None, None, None, False, column)


def _given_words(inputs: list[tuple[Text, Any, Any]]) -> tuple[str, str]:
    en = " and ".join(
        f"your {tr(label, 'en')} = {show(mine)} (the correct {tr(label, 'en')} was {show(truth)})"
        for label, mine, truth in inputs
    )
    zh = "，".join(
        f"你的 {tr(label, 'zh')} = {show(mine)}（正确的 {tr(label, 'zh')} 是 {show(truth)}）"
        for label, mine, truth in inputs
    )
    return en, zh


def _right_message(inputs: list[tuple[Text, Any, Any]]) -> Text:
    if not inputs:
        return both("Right.", "正确。")
    en, zh = _given_words(inputs)
    answers = "answer was" if len(inputs) == 1 else "answers were"
    return both(
        f"Right, given {en}: your earlier {answers} carried forward.", f"正确——按照{zh}继续计算，沿用了你之前的答案。"
    )


def _wrong_message(question: Question, match: _Match, inputs: list[tuple[Text, Any, Any]]) -> Text:
    en, zh = "Not right.", "不对。"
    if match.reason is not None:
        en, zh = f"Not right: {tr(match.reason, 'en')}.", f"不对：{tr(match.reason, 'zh')}。"
    elif match.part is not None:
        part = (
            question.parts[match.part]
            if match.part < len(question.parts)
            else both(f"component {match.part + 1}", f"第 {match.part + 1} 个分量")
        )
        en, zh = f"Not right: {tr(part, 'en')} is wrong.", f"不对：{tr(part, 'zh')}不对。"
    if inputs:
        given_en, given_zh = _given_words(inputs)
        en += f" (Judged from {given_en}, carried forward.)"
        zh += f"（按照{given_zh}继续判断。）"
    return both(en, zh)
