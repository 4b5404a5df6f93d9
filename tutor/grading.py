"""Grading a learner's answer against a :class:`~tutor.walkthrough.Question`.

Every grade says why: right; wrong and which part; which author feedback or
misconception matched; or invalid input, which is not counted as an attempt.

- Text reaches sympy only through :mod:`tutor.mathinput`, with the question's
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

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from tutor.calculus import differs_somewhere
from tutor.derivation import show  # the lesson's notation: 4x³ − 4, −63/16, never Python's 4*x**3
from tutor.errors import TutorError
from tutor.i18n import _, current_language, in_every_language, ngettext
from tutor.mathinput import MathTextError, parse_expression, parse_number, parse_vector
from tutor.sandbox import BoundExceeded, run_bounded
from tutor.synonyms import PUNCTUATION, key_for
from tutor.text import Text, tr
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
        super().__init__(tr(message))
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


def grade(question: Question, answer: str, earlier: Mapping[str, Any] | None = None) -> Grade:
    """Grade ``answer`` to ``question``; ``earlier`` maps question ids to the learner's accepted parsed answers.

    Choice labels in the learner's language are matched first.
    """
    earlier = earlier or {}
    try:
        value = read_answer(question, answer)
    except _Unreadable as err:
        return _invalid(err.text, err.column)
    except MathTextError as err:
        return _invalid(err.message, err.column)
    except TutorError as err:
        return _invalid(err.message, getattr(err, "column", None))
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, ArithmeticError):
        return _invalid(_("it is too large or too deeply nested to work with"), None)

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
            _("it is too complicated to check in time; please simplify it"),
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


def read_answer(question: Question, text: str) -> Any:
    """The learner's text as a value of the question's kind (raises MathTextError when unreadable)."""
    if not isinstance(text, str):
        raise _Unreadable(_("the answer must be text"))
    if not text.strip():
        raise _Unreadable(_("the answer is empty"), 0)
    if question.kind == "choice":
        return _read_choice(question, text)
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
    raise _Unreadable(_("unknown kind of question: {kind}").format(kind=question.kind))


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


def _entry_labels(question: Question, n: int) -> list[str]:
    """Each entry's name (x; the low end a), from the misconception engine if installed."""
    try:
        from tutor.misconceptions.answers import entry_labels
    except ImportError:
        return [f"#{i + 1}" for i in range(n)]
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
    """A choice's label in every language it has: a lesson's mapping, or a code label and its translation."""
    return in_every_language(label) if isinstance(label, str) else list(label.values())


def _match_choice(item: str, choices: Sequence[Choice]) -> str | None:
    t = item.strip().strip(".!?。！？").strip().casefold()
    if not t:
        return None
    for c in choices:
        if t == c.key.casefold():
            return c.key
    for first in (True, False):  # the learner's language first, then any
        for c in choices:
            labels = [tr(c.label)] if first else _labels(c.label)
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


def _choice_list(choices: Sequence[Choice]) -> str:
    """The choices as the learner may type them: the keys in English, the labels in another language."""
    if current_language() == "en":
        return ", ".join(c.key for c in choices)
    return _("、").join(tr(c.label) for c in choices)


def _echo(text: str, limit: int = 40) -> str:
    """The learner's text, safe to show on one line: control characters escaped (no newline, no terminal codes), cut short."""
    safe = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _read_choice(question: Question, text: str) -> Any:
    options = _choice_list(question.choices)
    many = isinstance(question.expected, tuple)
    inner = text.translate(PUNCTUATION).strip()  # 【减小，减小，增大】 as (减小, 减小, 增大)
    if many and inner[:1] in "([{" and inner[-1:] in ")]}":
        inner = inner[1:-1]
    items = [s for s in re.split(r"[,，、;；]", inner)]
    if len(items) == 1 and many:
        items = inner.split()
    if not many and len(items) > 1:
        raise _Unreadable(_("give one answer: {options}").format(options=options), text.find(items[1]))
    picked = []
    for item in items:
        key = _match_choice(item, question.choices)
        if key is None:
            shown = _echo(item.strip()) or _("(empty)")
            column = max(text.find(item.strip()), 0) if item.strip() else None
            raise _Unreadable(_("'{shown}' is not one of: {options}").format(shown=shown, options=options), column)
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
                _("expected {expected} components, you gave {values}").format(
                    expected=len(expected), values=len(values)
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
                _("expected one value, you gave {value}").format(value=len(value)),
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
                _("expected {expected} answers, one per variable; you gave {values}").format(
                    expected=len(expected), values=len(values)
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
        return False, _(
            "a number is expected here, but your answer still contains {names}: evaluate it at the point"
        ).format(names=names)
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
    if differs_somewhere(a - b):  # at 30 digits, where a float overflowed (x^1000 at 3): no simplifying needed
        return False
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
    """What the misconception engine recognises in this answer (imported when first needed: it is sympy-heavy)."""
    from tutor.misconceptions import explain

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
    import tutor.misconceptions  # noqa: F401  (the import is the work)

    return True


def _invalid(reason: Text, column: int | None) -> Grade:
    message = _("I cannot read this answer: {reason}. It does not count as an attempt.").format(reason=tr(reason))
    return Grade("invalid", message, None, None, None, False, column)


def _close_message(question: Question, value: Any, expected: Any, match: _Match) -> Text:
    digits = figures(question)
    if isinstance(expected, tuple) and match.parts:
        shown = ", ".join(show(expected[i]) for i in match.parts)
        return ngettext(
            "Close: {names} is {shown} rounded; give the exact value or more digits "
            "(at least {digits} significant figures). It does not count as a wrong attempt.",
            "Close: {names} are {shown} rounded; give the exact value or more digits "
            "(at least {digits} significant figures). It does not count as a wrong attempt.",
            len(match.parts),
        ).format(names=_part_names(question, match.parts), shown=shown, digits=digits)
    return _(
        "Close: that is {shown} rounded; give the exact value or more digits "
        "(at least {digits} significant figures). It does not count as a wrong attempt."
    ).format(shown=show(expected), digits=digits)


def _part_names(question: Question, parts: Sequence[int]) -> str:
    """'the w component', 'the w component and the b component' (in the learner's language)."""
    return _and(
        [
            tr(question.parts[i]) if i < len(question.parts) else _("component {number}").format(number=i + 1)
            for i in parts
        ]
    )


def _and(items: Sequence[str]) -> str:
    """a, b and c (in the learner's language)."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return _("{names} and {last}").format(names=_(", ").join(items[:-1]), last=items[-1])


def _wrong_message(
    question: Question,
    match: _Match,
    inputs: list[tuple[Text, Any, Any]],
    value: Any = None,
    expected: Any = None,
    explained: bool = False,
) -> Text:
    """Not right, which parts, and (when no catalogue idea explains it) how it compares with the answer."""
    message = _("Not right.")
    parts = match.parts or ((match.part,) if match.part is not None else ())
    if match.reason is not None:
        message = _("Not right: {reason}.").format(reason=tr(match.reason))
    elif parts:
        message = ngettext("Not right: {names} is wrong.", "Not right: {names} are wrong.", len(parts)).format(
            names=_part_names(question, parts)
        )
    if not explained and match.reason is None:
        try:
            compared = compare_words(question, value, expected, parts)
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            compared = None
        if compared is not None:
            message = _("{message} {compared}").format(message=message, compared=compared)
    if inputs:
        message += _(" (Judged from {given}, carried forward.)").format(given=_given_words(inputs))
    return message


# --- the comparison that still teaches, when no known idea fits ---------------------------------


def compare_words(question: Question, value: Any, expected: Any, parts: Sequence[int] = ()) -> str | None:
    """The shape expected, which way and how far off a number is, which variable is missing or extra."""
    if question.kind == "choice":  # no number to compare: the question's first hint points the way
        hints = question.help.hints
        if not hints:
            return None
        return _("A hint: {hint}").format(hint=tr(hints[0]))
    if value is None or expected is None:
        return None
    if isinstance(expected, tuple):
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(expected):
            return None
        labels = _entry_labels(question, len(expected))
        said_of = []
        for i in parts or range(len(expected)):
            said = _one_words(question, values[i], expected[i])
            if said is not None:
                said_of.append(_("{label}: {said}").format(label=labels[i], said=said))
        return _("{clauses}.").format(clauses=_("; ").join(said_of)) if said_of else None
    if isinstance(value, tuple):
        return None
    said = _one_words(question, value, expected)
    if said is None:
        return None
    return _("{clauses}.").format(clauses=said[:1].upper() + said[1:])


def _one_words(question: Question, a: Any, b: Any) -> str | None:
    if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr):
        return None
    if b.is_number and a.is_number:
        fa, fb = _float(a), _float(b)
        if fa is None or fb is None or fa == fb:
            return None
        if (fa < 0) != (fb < 0) and fa != 0 and fb != 0:
            if fb > 0:
                return _("the answer is positive, yours is not: check the signs")
            return _("the answer is negative, yours is not: check the signs")
        larger = fa > fb
        size = abs(fa - fb) / max(abs(fb), 1e-300)
        if fb == 0:
            return _("yours is too large") if larger else _("yours is too small")
        if size >= 1:
            how = _("off by more than the answer's own size")
        elif size >= 0.1:
            how = _("off by about {percent} %").format(percent=f"{round(size * 100, -1):.0f}")
        else:
            how = _("but not by much: check the arithmetic")
        if larger:
            return _("yours is too large, {how}").format(how=how)
        return _("yours is too small, {how}").format(how=how)
    missing = sorted(str(s) for s in b.free_symbols - a.free_symbols)
    extra = sorted(str(s) for s in a.free_symbols - b.free_symbols)
    if missing or extra:
        clauses = []
        if missing:
            clauses.append(_("the answer depends on {names}, yours does not").format(names=", ".join(missing)))
        if extra:
            clauses.append(_("yours has {names}, which the answer does not").format(names=", ".join(extra)))
        return _("; ").join(clauses)
    variables = sorted(b.free_symbols, key=str)
    small = a.count_ops() <= COMPARE_OPS and b.count_ops() <= COMPARE_OPS  # runs unbounded: small answers only
    if small and len(variables) == 1 and a.is_polynomial(*variables) and b.is_polynomial(*variables):
        x = variables[0]
        da, db = sp.degree(a, x), sp.degree(b, x)
        if max(da, db) > COMPARE_DEGREE:
            return None
        if da != db:
            return _("the answer has degree {expected} in {x}, yours has degree {yours}").format(
                expected=db, x=x, yours=da
            )
        right_terms = [t for t in sp.Add.make_args(sp.expand(a)) if t in sp.Add.make_args(sp.expand(b))]
        if right_terms:
            return ngettext(
                "the term {terms} is right; check the others",
                "the terms {terms} are right; check the others",
                len(right_terms),
            ).format(terms=", ".join(show(t) for t in right_terms))
    if question.kind == "expression":
        return _("it is a function of the right variables but not equal to the answer: compare them term by term")
    return None


def _given_words(inputs: list[tuple[Text, Any, Any]]) -> str:
    return _(" and ").join(
        _("your {label} = {mine} (the correct {label} was {truth})").format(
            label=tr(label), mine=show(mine), truth=show(truth)
        )
        for label, mine, truth in inputs
    )


def _right_message(inputs: list[tuple[Text, Any, Any]]) -> Text:
    if not inputs:
        return _("Right.")
    given = _given_words(inputs)
    if len(inputs) == 1:
        return _("Right, given {given}: your earlier answer was carried forward.").format(given=given)
    return _("Right, given {given}: your earlier answers were carried forward.").format(given=given)
