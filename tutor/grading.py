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
  question has a tolerance.  Precision is a stated rule: a decimal stands for
  an exact value when it agrees with it to :func:`figures` significant
  figures (the lesson's ``figures:``, default :data:`SIGNIFICANT_FIGURES`);
  a shorter rounding is "close", which is said and not counted.
- Vectors are compared component by component and every wrong one is named;
  ``【−0.5，1】``, ``4、12、21`` and ``w=2, b=0.5`` are vectors too.
  Choices accept the key, its first letter where that is unambiguous, the
  label in any language (``减小``) or a synonym (:mod:`tutor.synonyms`).
- A wrong answer is explained by the author's feedback, else by
  :mod:`tutor.misconceptions` (bounded in the checker process); when neither
  fits, :func:`compare_words` says how it differs (the shape expected, how far
  off and which way, which variable is missing or extra): never a bare
  "Not right.".
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

from tutor.derivation import show  # the lesson's notation: 4x³ − 4, −63/16, never Python's 4*x**3
from tutor.errors import TutorError
from tutor.mathtext import MathTextError, parse_expression, parse_number, parse_vector
from tutor.sandbox import BoundExceeded, run_bounded
from tutor.synonyms import PUNCTUATION, key_for
from tutor.text import Text, both, tr
from tutor.walkthrough import Choice, Question, carried_inputs, expected_given

VERDICTS = ("right", "wrong", "close", "invalid")

#: Exact questions accept a decimal that agrees with the exact value to this many significant figures
#: (−3.938 for −63/16); a shorter rounding (−3.94) is "close": not wrong, not counted, asked again.
#: A question may state its own with a ``figures`` attribute.
SIGNIFICANT_FIGURES = 4

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
MISCONCEPTION_TIMEOUT = 3.0
#: The comparison that teaches runs in-process: it looks at terms only of answers this small.
COMPARE_OPS = 40
COMPARE_DEGREE = 12
#: Seconds allowed for the checker process to import the catalogue (not counted against the time above).
CATALOGUE_LOAD_TIMEOUT = 60.0


@dataclass(frozen=True)
class Grade:
    """What the grader decided about one answer, and why."""

    verdict: str  # "right" | "wrong" | "close" (a shorter rounding of an exact value) | "invalid"
    message: Text  # why, in en and zh
    value: Any = None  # the parsed answer (None if invalid)
    part: int | None = None  # index of the first wrong component (every one is in ``parts``)
    feedback: Text | None = None  # matched author feedback or misconception
    carried_forward: bool = False  # judged from the learner's own earlier answer
    column: int | None = None  # where the input could not be read (invalid only)
    parts: tuple[int, ...] = ()  # every wrong component of a vector answer

    @property
    def counted(self) -> bool:
        """Invalid input is not an attempt; nor is a rounding that is right as far as it goes."""
        return self.verdict not in ("invalid", "close")

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
    parts: tuple[int, ...] = ()  # every wrong component
    close: bool = False  # every wrong component is the right value rounded to too few figures


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
    decimal = _typed_decimal(answer)
    match = compare(question, value, expected, decimal)
    carried_used = carried
    if carried and match.ok is not True:
        truth = compare(question, value, question.expected, decimal)
        if truth.ok is True or (truth.close and not match.close):  # they used the true earlier value
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
    target = expected if carried_used else question.expected
    if match.close:
        return Grade("close", _close_message(question, value, target, match), value, None, None, carried_used, None)
    feedback = _author_feedback(question, value) or _misconception(question, value)
    message = _wrong_message(question, match, inputs, value, target, explained=feedback is not None)
    return Grade("wrong", message, value, match.part, feedback, carried_used, None, match.parts)


def _typed_decimal(text: Any) -> bool:
    """Did the learner write a decimal (3.94), which may be a rounding of an exact value?"""
    return isinstance(text, str) and re.search(r"\d[.．]\d|[.．]\d", text) is not None


def figures(question: Question) -> int:
    """How many significant figures a decimal needs to stand for an exact value here."""
    stated = getattr(question, "figures", None)
    return stated if isinstance(stated, int) and stated > 0 else SIGNIFICANT_FIGURES


# --- reading --------------------------------------------------------------------------------------


def read_answer(question: Question, text: str, lang: str = "en") -> Any:
    """The learner's text as a value of the question's kind (raises MathTextError when unreadable)."""
    if not isinstance(text, str):
        raise _Unreadable(both("the answer must be text", "答案必须是文字"))
    if not text.strip():
        raise _Unreadable(both("the answer is empty", "答案是空的"), 0)
    if question.kind == "choice":
        return _read_choice(question, text, lang)
    text = text.translate(PUNCTUATION)  # 【−0.5，1】, 4、12、21: one character for one, columns stay right
    names = _names(question)
    if question.kind == "expression":
        return parse_expression(text, names)
    if question.kind == "vector":
        named = _named_entries(question, text)
        if named is not None:
            return tuple(parse_expression(entry, names) for entry in named)
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


_NAMED = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(.+?)\s*$")


def _entry_names(question: Question, n: int) -> tuple[str, ...]:
    """The names of a vector answer's entries (x, z, m; w, b), from the misconception engine if installed."""
    try:
        from tutor.misconceptions.answers import entry_names
    except ImportError:
        return tuple(f"#{i + 1}" for i in range(n))
    return entry_names(question, n)


def _entry_labels(question: Question, n: int) -> list[dict[str, str]]:
    """Each entry's name in each language (x; the low end a), from the misconception engine if installed."""
    try:
        from tutor.misconceptions.answers import entry_labels
    except ImportError:
        return [{"en": f"#{i + 1}", "zh": f"#{i + 1}"} for i in range(n)]
    return entry_labels(question, n)


def _named_entries(question: Question, text: str) -> list[str] | None:
    """``w=2, b=0.5`` (in any order): the entries' texts in the question's order; None if not written so."""
    n = len(question.expected) if isinstance(question.expected, tuple) else 0
    if n < 2 or "=" not in text:
        return None
    inner = text.strip()
    if inner[:1] in "([{" and inner[-1:] in ")]}":
        inner = inner[1:-1]
    items = [item for item in inner.split(",") if item.strip()]
    wanted = _entry_names(question, n)
    found: dict[str, str] = {}
    for item in items:
        m = _NAMED.match(item)
        if m is None or m.group(1) not in wanted or m.group(1) in found:
            return None
        found[m.group(1)] = m.group(2)
    if len(found) != n:
        return None
    return [found[name] for name in wanted]


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
    synonym = key_for(item, tuple(c.key for c in choices))
    if synonym is not None:  # converges, smaller, down, 调大, 会收敛, 变号了
        return synonym
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
    inner = text.translate(PUNCTUATION).strip()  # 【减小，减小，增大】 as (减小, 减小, 增大)
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


def compare(question: Question, value: Any, expected: Any, decimal: bool = False) -> _Match:
    """Does ``value`` match ``expected`` for this question's kind (and which parts do not)?

    ``decimal``: the learner wrote a decimal, so an exact value may be matched by its rounding.
    """
    if question.kind == "choice":
        return _compare_choice(question, value, expected)
    numeric = not question.variables  # the answer is a number (or numbers), not a function
    digits = figures(question) if decimal and question.tolerance is None else None
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
        wrong, close, reason = [], [], None
        for i, (a, b) in enumerate(zip(values, expected)):
            ok, why = _scalar(a, b, question.tolerance, numeric)
            if ok is False and digits is not None:
                rounded = _rounding(a, b, digits)
                if rounded == "right":
                    continue
                if rounded == "close":
                    close.append(i)
                    continue
            if ok is None:
                undecided = True
            elif not ok:
                wrong.append(i)
                reason = reason or why
        if wrong or close:
            parts = tuple(sorted(wrong + close))
            return _Match(False, parts[0], reason, parts, close=not wrong)
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
    if ok is False and digits is not None:
        rounded = _rounding(value, expected, digits)
        if rounded == "right":
            return _Match(True)
        if rounded == "close":
            return _Match(False, None, None, (), close=True)
    return _Match(ok, None, reason)


def _rounding(a: Any, b: Any, digits: int) -> str | None:
    """Is the decimal ``a`` the exact ``b`` rounded?  "right" to ``digits`` significant figures or more,
    "close" to fewer, None when it is not a rounding of ``b`` at all."""
    if not isinstance(a, sp.Rational) or not isinstance(b, sp.Expr) or not b.is_number or a.is_Integer:
        return None
    fb = _float(b)
    if fb is None or fb == 0:
        return None
    places = next((p for p in range(1, 31) if (a * 10**p).is_Integer), None)  # the places it was written with
    if places is None:
        return None
    if abs(float(a) - fb) > 0.5 * 10.0**-places * (1 + 1e-9):
        return None
    significant = places + math.floor(math.log10(abs(fb))) + 1
    return "right" if significant >= digits else "close"


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
        wrong = tuple(i for i, (a, b) in enumerate(zip(values, expected)) if a != b)
        return _Match(False, wrong[0], None, wrong) if wrong else _Match(True)
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
    try:  # the checker process imports the catalogue first, on its own time (it is replaced after a time-out)
        run_bounded(_load_catalogue, timeout=CATALOGUE_LOAD_TIMEOUT)
    except Exception:
        return None
    try:  # bounded: it simplifies the learner's answer, which can take sympy for ever ((1+sqrt(2))^1000)
        return run_bounded(explain, question, value, timeout=MISCONCEPTION_TIMEOUT)
    except Exception:
        return None


def _load_catalogue() -> bool:
    """Run in the checker process: import the misconception catalogue there (once; later calls are instant)."""
    importlib.import_module("tutor.misconceptions")
    return True


def _invalid(reason: Text, column: int | None) -> Grade:
    message = both(
        f"I cannot read this answer: {tr(reason, 'en')}. It does not count as an attempt.",
        f"无法读懂这个答案：{tr(reason, 'zh')}。这次不计为作答。",
    )
    return Grade("invalid", message, None, None, None, False, column)


def _close_message(question: Question, value: Any, expected: Any, match: _Match) -> Text:
    digits = figures(question)
    if isinstance(expected, tuple) and match.parts:
        names = _part_names(question, match.parts)
        shown = ", ".join(show(expected[i]) for i in match.parts)
        return both(
            f"Close: {names['en']} {_is_are(match.parts)} {shown} rounded; give the exact value or more digits "
            f"(at least {digits} significant figures). It does not count as a wrong attempt.",
            f"接近了：{names['zh']}是 {shown} 的近似值；请给出精确值或更多位数（至少 {digits} 位有效数字）。这次不算答错。",
        )
    return both(
        f"Close: that is {show(expected)} rounded; give the exact value or more digits "
        f"(at least {digits} significant figures). It does not count as a wrong attempt.",
        f"接近了：这是 {show(expected)} 的近似值；请给出精确值或更多位数（至少 {digits} 位有效数字）。这次不算答错。",
    )


def _is_are(parts: Sequence[int]) -> str:
    return "is" if len(parts) == 1 else "are"


def _part_names(question: Question, parts: Sequence[int]) -> dict[str, str]:
    """'the w component', 'the w and b components' (en); 'w 分量、b 分量' (zh)."""
    named = [
        question.parts[i] if i < len(question.parts) else both(f"component {i + 1}", f"第 {i + 1} 个分量")
        for i in parts
    ]
    en = [tr(p, "en") for p in named]
    zh = "、".join(tr(p, "zh") for p in named)
    if len(en) == 1:
        return {"en": en[0], "zh": zh}
    if all(e.startswith("the ") and e.endswith(" component") for e in en):  # the w and b components
        middles = [e[4 : -len(" component")] for e in en]
        return {"en": "the " + _and(middles) + " components", "zh": zh}
    return {"en": _and(en), "zh": zh}


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _wrong_message(
    question: Question,
    match: _Match,
    inputs: list[tuple[Text, Any, Any]],
    value: Any = None,
    expected: Any = None,
    explained: bool = False,
) -> Text:
    """Not right, which parts, and (when no catalogue idea explains it) how it compares with the answer."""
    en, zh = "Not right.", "不对。"
    parts = match.parts or ((match.part,) if match.part is not None else ())
    if match.reason is not None:
        en, zh = f"Not right: {tr(match.reason, 'en')}.", f"不对：{tr(match.reason, 'zh')}。"
    elif parts:
        names = _part_names(question, parts)
        en, zh = f"Not right: {names['en']} {_is_are(parts)} wrong.", f"不对：{names['zh']}不对。"
    if not explained and match.reason is None:
        try:
            compared = compare_words(question, value, expected, parts)
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            compared = None
        if compared is not None:
            en, zh = f"{en} {compared['en']}", f"{zh}{compared['zh']}"
    if inputs:
        given_en, given_zh = _given_words(inputs)
        en += f" (Judged from {given_en}, carried forward.)"
        zh += f"（按照{given_zh}继续判断。）"
    return both(en, zh)


# --- the comparison that still teaches, when no known idea fits ---------------------------------


def compare_words(question: Question, value: Any, expected: Any, parts: Sequence[int] = ()) -> dict[str, str] | None:
    """The shape expected, which way and how far off a number is, which variable is missing or extra."""
    if question.kind == "choice":  # no number to compare: the question's first hint points the way
        hints = question.help.hints
        if not hints:
            return None
        return {"en": f"A hint: {tr(hints[0], 'en')}", "zh": f"提示：{tr(hints[0], 'zh')}"}
    if value is None or expected is None:
        return None
    if isinstance(expected, tuple):
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(expected):
            return None
        labels = _entry_labels(question, len(expected))
        en, zh = [], []
        for i in parts or range(len(expected)):
            said = _one_words(question, values[i], expected[i])
            if said is not None:
                en.append(f"{labels[i]['en']}: {said['en']}")
                zh.append(f"{labels[i]['zh']}：{said['zh']}")
        return {"en": "; ".join(en) + ".", "zh": "；".join(zh) + "。"} if en else None
    if isinstance(value, tuple):
        return None
    said = _one_words(question, value, expected)
    if said is None:
        return None
    return {"en": said["en"][:1].upper() + said["en"][1:] + ".", "zh": said["zh"] + "。"}


def _one_words(question: Question, a: Any, b: Any) -> dict[str, str] | None:
    if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr):
        return None
    if b.is_number and a.is_number:
        fa, fb = _float(a), _float(b)
        if fa is None or fb is None or fa == fb:
            return None
        if (fa < 0) != (fb < 0) and fa != 0 and fb != 0:
            sign_en = "positive" if fb > 0 else "negative"
            sign_zh = "正数" if fb > 0 else "负数"
            return {
                "en": f"the answer is {sign_en}, yours is not: check the signs",
                "zh": f"答案是{sign_zh}，你的不是：检查符号",
            }
        way_en, way_zh = ("too large", "太大") if fa > fb else ("too small", "太小")
        size = abs(fa - fb) / max(abs(fb), 1e-300)
        if fb == 0:
            return {"en": f"yours is {way_en}", "zh": f"你的值{way_zh}"}
        if size >= 1:
            how_en, how_zh = "off by more than the answer's own size", "差距比答案本身还大"
        elif size >= 0.1:
            how_en, how_zh = f"off by about {round(size * 100, -1):.0f} %", f"相差约 {round(size * 100, -1):.0f}%"
        else:
            how_en, how_zh = "but not by much: check the arithmetic", "但差得不多：检查一下计算"
        return {"en": f"yours is {way_en}, {how_en}", "zh": f"你的值{way_zh}，{how_zh}"}
    missing = sorted(str(s) for s in b.free_symbols - a.free_symbols)
    extra = sorted(str(s) for s in a.free_symbols - b.free_symbols)
    if missing or extra:
        en, zh = [], []
        if missing:
            en.append(f"the answer depends on {', '.join(missing)}, yours does not")
            zh.append(f"答案含有 {', '.join(missing)}，你的没有")
        if extra:
            en.append(f"yours has {', '.join(extra)}, which the answer does not")
            zh.append(f"你的含有 {', '.join(extra)}，答案里没有")
        return {"en": "; ".join(en), "zh": "；".join(zh)}
    variables = sorted(b.free_symbols, key=str)
    small = a.count_ops() <= COMPARE_OPS and b.count_ops() <= COMPARE_OPS  # runs unbounded: small answers only
    if small and len(variables) == 1 and a.is_polynomial(*variables) and b.is_polynomial(*variables):
        x = variables[0]
        da, db = sp.degree(a, x), sp.degree(b, x)
        if max(da, db) > COMPARE_DEGREE:
            return None
        if da != db:
            return {
                "en": f"the answer has degree {db} in {x}, yours has degree {da}",
                "zh": f"答案关于 {x} 是 {db} 次的，你的是 {da} 次",
            }
        right_terms = [t for t in sp.Add.make_args(sp.expand(a)) if t in sp.Add.make_args(sp.expand(b))]
        if right_terms:
            shown = ", ".join(show(t) for t in right_terms)
            return {
                "en": f"the term{'s' if len(right_terms) > 1 else ''} {shown} {'are' if len(right_terms) > 1 else 'is'} right; check the others",
                "zh": f"{shown} 这几项是对的；检查其余各项",
            }
    if question.kind == "expression":
        return {
            "en": "it is a function of the right variables but not equal to the answer: compare them term by term",
            "zh": "变量对了，但与答案不相等：逐项比较",
        }
    return None


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
