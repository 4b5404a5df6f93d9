"""What is wrong with the shape of an answer, or with each of its entries, when no whole-answer idea fits.

The families of :mod:`tutor.misconceptions` recompute a whole answer with one
idea broken.  A learner often breaks an idea in one entry only, or gets the
entries right and the packaging wrong.  This family looks at the answer
against the expected one:

- a vector: the entries in another order (a permutation, named by the
  variables), all of them added up into one number, every entry off by the
  same factor; else each wrong entry on its own, through the question's own
  catalogue (``(10, 25)`` for ∇(x² + 25y²) at (5, 1): the y entry lost the
  factor 2 of the power rule) and the one-number checks below;
- one number or expression: a value where a function is asked, or a formula
  where a value is asked; the sign dropped; the square of a negative written
  negative; a common factor off (a lost 2, η, 1/n, a power of ten); an
  expression off by a constant term.

Every message says what the learner's answer is and which idea fixes it,
without giving the answer away.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import sympy as sp

from tutor.calculus import differs_somewhere
from tutor.derivation import show
from tutor.i18n import N_, _, ngettext
from tutor.misconceptions.common import Asked, Misconception, _same, _scalar, _value
from tutor.text import Text, tr
from tutor.walkthrough.contract import (
    DeriveContext,
    EvaluateContext,
    PredictContext,
    TrainingContext,
    UpdateContext,
    context_fields,
)


def diagnose(question: Asked, value: Any, found: Sequence[Misconception] = ()) -> Text | None:
    """What the shape of ``value`` or its entries say about the mistake; None when nothing specific fits."""
    expected = _scalar(question.expected)
    if question.kind == "choice":
        if isinstance(expected, tuple) and isinstance(value, tuple) and len(value) == len(expected):
            return _entries(question, value, expected, found)
        return None
    value = _scalar(value)
    tolerance = question.tolerance
    if _same(value, expected, tolerance):  # a right answer is never explained as a mistake
        return None
    if isinstance(expected, tuple):
        if isinstance(value, tuple):
            if len(value) == len(expected):
                return _vector(question, value, expected, found)
            return None
        return _summed(question, value, expected, tolerance)
    if isinstance(value, tuple) or not isinstance(value, sp.Basic) or not isinstance(expected, sp.Basic):
        return None
    return _one(question, value, expected)


# --- vectors ------------------------------------------------------------------------------------


def entry_names(question: Asked, n: int) -> tuple[str, ...]:
    """How to name the entries: the variables (x, z, m), the parameters (w, b), else 1st, 2nd, ..."""
    context = context_fields(question.context)
    for names in (question.variables, context.get("parameters"), context.get("variables")):
        if names and len(tuple(names)) == n:
            return tuple(str(v) for v in names)
    return tuple(f"#{i + 1}" for i in range(n))


def entry_labels(question: Asked, n: int) -> list[str]:
    """Each entry's name: the variables or parameters, else the question's parts (the low end a)."""
    names = entry_names(question, n)
    parts = tuple(getattr(question, "parts", ()) or ())
    if names[0].startswith("#") and len(parts) == n:
        return [tr(p).removeprefix("the ") for p in parts]
    return list(names)


def _vector(
    question: Asked, value: tuple[Any, ...], expected: tuple[Any, ...], found: Sequence[Misconception]
) -> Text | None:
    tolerance = question.tolerance
    n = len(expected)
    names = entry_names(question, n)
    order = _permutation(value, expected, tolerance)
    if order is not None:
        given = ", ".join(names[i] for i in order)
        return _(
            "Those are the right entries in another order: you gave them in the order ({given}). A vector lists its entries in the order of the variables: ({names})."
        ).format(given=given, names=", ".join(names))
    factor = _common_factor(value, expected)
    if factor is not None:
        return _say_factor(question, factor, every=True)
    if all(isinstance(a, sp.Basic) and a.is_number for a in value) and not any(
        isinstance(b, sp.Basic) and b.is_number for b in expected
    ):
        return _values_for_formulas(question, value, expected)
    return _entries(question, value, expected, found)


def _values_for_formulas(question: Asked, value: tuple[Any, ...], expected: tuple[Any, ...]) -> Text:
    """Numbers where the entries are functions: the vector's value at a point, not the vector itself."""
    variables = sorted(set().union(*(b.free_symbols for b in expected)), key=str)
    names = ", ".join(str(v) for v in variables)
    at = ""
    for point in (1, 0, 2, -1):
        if all(_same(b.xreplace({v: point for v in variables}), a, None) for a, b in zip(value, expected)):
            at = ", ".join(f"{v} = {point}" for v in variables)
            break
    seen = _(" (those are its entries' values at {at})").format(at=at) if at else ""
    return _(
        "Those are numbers; the question asks for each entry as a function of {names}, "
        "a formula that holds everywhere{seen}."
    ).format(names=names, seen=seen)


def _entries(
    question: Asked, value: tuple[Any, ...], expected: tuple[Any, ...], found: Sequence[Misconception]
) -> Text | None:
    """Each wrong entry on its own, named (entries with the same explanation together); None if none fits."""
    tolerance = question.tolerance
    labels = entry_labels(question, len(expected))
    groups: dict[str, tuple[list[int], Text]] = {}  # the explanation -> (entries, explanation)
    for i, (a, b) in enumerate(zip(value, expected)):
        if _same(a, b, tolerance):
            continue
        why = _entry(question, i, a, b, found)
        if why is not None:
            groups.setdefault(tr(why), ([], why))[0].append(i)
    if not groups:
        return None
    return " ".join(
        _("{entries}: {why}").format(entries=_(", ").join(labels[i] for i in entries), why=tr(why))
        for entries, why in groups.values()
    )


def _permutation(value: tuple[Any, ...], expected: tuple[Any, ...], tolerance: float | None) -> tuple[int, ...] | None:
    """The order of the expected entries the learner's entries follow, when it is another order."""
    used: set[int] = set()
    order = []
    for a in value:
        hit = next((j for j, b in enumerate(expected) if j not in used and _same(a, b, tolerance)), None)
        if hit is None:
            return None
        used.add(hit)
        order.append(hit)
    if order == list(range(len(expected))):
        return None
    return tuple(order)


def _common_factor(value: tuple[Any, ...], expected: tuple[Any, ...]) -> sp.Expr | None:
    """c when every entry is c times the right one (c ≠ 1), with at least two entries that say so."""
    ratios = []
    for a, b in zip(value, expected):
        if b == 0:
            if a != 0:
                return None
            continue
        ratio = sp.nsimplify(a / b) if (a / b).is_Float else sp.simplify(a / b)
        if ratio.free_symbols:
            return None
        ratios.append(ratio)
    if len(ratios) < 2 or ratios[0] == 1:
        return None
    return ratios[0] if all(_same(r, ratios[0], 1e-9) for r in ratios) else None


def _summed(question: Asked, value: Any, expected: tuple[Any, ...], tolerance: float | None) -> Text | None:
    """One number (or expression) where a vector is asked: the entries added up, or one entry alone."""
    if not isinstance(value, sp.Basic):
        return None
    names = entry_names(question, len(expected))
    total = sp.Add(*expected)
    shape = _("a vector of {n} entries, ({names})").format(n=len(expected), names=", ".join(names))
    if _same(value, total, tolerance):
        return _(
            "That is {total}, the entries added up into one. The answer is {shape}: "
            "give each entry on its own, in that order."
        ).format(total=show(total), shape=shape)
    for i, b in enumerate(expected):
        if _same(value, b, tolerance):
            return _("That is only the {name} entry. The answer is {shape}.").format(name=names[i], shape=shape)
    return None


def _entry(question: Asked, i: int, a: Any, b: Any, found: Sequence[Misconception]) -> Text | None:
    """Why entry i is wrong: the question's own catalogue for that entry alone, else the one-number checks."""
    sub = _component_question(question, i, b)
    if sub is not None:
        from tutor.misconceptions import candidates  # the families live in the package

        for m in candidates(sub):
            if _same(m.value, a, question.tolerance):
                return m.says
    for m in found:  # a whole-answer idea that explains this entry (with the others right or wrong)
        if isinstance(m.value, tuple) and i < len(m.value) and _same(m.value[i], a, question.tolerance):
            return m.says
    if isinstance(a, sp.Basic) and isinstance(b, sp.Basic):
        return _one(question, a, b)
    return None


#: A question of whatever class the grader passes (copied with one entry as its own question).
Q = TypeVar("Q", bound=Asked)


def _component_question(question: Q, i: int, expected: Any) -> Q | None:
    """Entry i of a gradient asked as its own question (∂f/∂v, or its value at the point)."""
    context = question.context
    if isinstance(context, (TrainingContext, UpdateContext, PredictContext)):  # no gradient's entry to ask for
        return None
    f = getattr(context, "function", None)
    variables = tuple(getattr(context, "variables", None) or question.variables or ())
    if f is None or len(variables) <= i:
        return None
    v = variables[i]
    at = context.at if isinstance(context, (DeriveContext, EvaluateContext)) else getattr(context, "point", None)
    sub: DeriveContext | EvaluateContext
    if at is None:  # the gradient as expressions: ∂f/∂v
        sub, kind = DeriveContext(f, variables, v, "partial"), "expression"
    else:
        sub, kind = EvaluateContext(f, variables, v, "derivative", at), "number"
    return dataclasses.replace(
        question, kind=kind, expected=expected, context=sub, parts=(), formula=None, depends={}, given={}
    )


# --- one number or one expression -------------------------------------------------------------------


_FACTOR_WORDS = {
    sp.Rational(1, 2): N_("half the right size: a factor 2 went missing"),
    sp.Integer(2): N_("twice the right size: a factor 2 too many"),
}


#: Skills where a factor 2 comes from a power or a square (a derivative; the gradient of a squared error).
_TWO_COMES_FROM = ("derivative", "partial", "gradient", "evaluate", "training")


def _say_factor(question: Asked, factor: sp.Expr, every: bool = False) -> Text | None:
    """An answer c times the right one: which common factor that usually is."""
    context = context_fields(question.context)
    samples = context.get("samples") or context.get("xs")
    n = len(tuple(samples)) if samples is not None else None
    what = _("Every entry is") if every else _("That is")
    c = show(factor)
    if factor == 1:
        return None
    if factor == -1:
        return _(
            "{what} the right size with the opposite sign. Check the sign of each factor "
            "(a minus sign in the formula, a negative number put in)."
        ).format(what=what)
    if factor in _FACTOR_WORDS:
        words = _(_FACTOR_WORDS[factor])
        if question.skill in _TWO_COMES_FROM:
            return _("{what} {words} (the power rule's exponent, or the 2 of a square).").format(what=what, words=words)
        return _("{what} exactly {words}. Go through the computation again and check each factor.").format(
            what=what, words=words
        )
    if n and (factor == n or factor == sp.Rational(1, n)):
        return _(
            "{what} {c} times the right value, and there are n = {n} samples: check whether "
            "it is a sum or a mean (divide by n once)."
        ).format(what=what, c=c, n=n)
    ten = sp.log(abs(factor), 10) if factor.is_Rational and factor > 0 else None
    if ten is not None and ten.is_Integer:
        return ngettext(
            "{what} {c} times the right value: the decimal point is {places} place off.",
            "{what} {c} times the right value: the decimal point is {places} places off.",
            abs(int(ten)),
        ).format(what=what, c=c, places=abs(int(ten)))
    return None  # a factor with no usual reason: the grader's comparison says how far off it is


def _one(question: Asked, a: sp.Expr, b: sp.Expr) -> Text | None:
    """One number or expression against the right one."""
    context = context_fields(question.context)
    numeric = not question.variables
    if numeric and b.is_number and not a.is_number:
        return _formula_for_value(question, a, b)
    if not numeric and a.is_number and not b.is_number:
        return _value_for_formula(question, a, b)
    if a.is_number and b.is_number:
        if a == -b and b != 0:
            square = _negative_square(context, b)
            if square is not None:
                return square
            return _(
                "That is {a}: the right size, the wrong sign. Check the sign of each factor, and what a negative number does to it."
            ).format(a=show(a))
        if b != 0 and a != 0:
            ratio = a / b
            if ratio.is_Float:
                ratio = sp.nsimplify(ratio, tolerance=1e-9, rational=True)
            if ratio.is_Rational and (ratio.p <= 100 and ratio.q <= 100):
                return _say_factor(question, ratio)
        return None
    if not _varies(a - b):
        difference = sp.expand(a - b)
        if difference.is_number and difference != 0:
            return _(
                "That differs from the answer by the constant {difference}: check the constant terms (a constant's derivative is 0; the derivative of c·x is c)."
            ).format(difference=show(difference))
    if not _varies(a / b):
        ratio = sp.cancel(a / b)
        if ratio.is_number and ratio != 1 and ratio.is_Rational:
            return _say_factor(question, ratio)
    return None


def _varies(e: sp.Expr) -> bool:
    """Certainly not a constant: e(x) and e(x + 1/3) clearly differ somewhere.

    Asked before expanding or cancelling, which is where the time goes: (x + 1)¹⁰⁰⁰ took seconds to expand only to
    find that it does not differ from 10x by a constant.
    """
    shifted = {s: s + sp.Rational(1, 3) for s in e.free_symbols}
    return bool(shifted) and differs_somewhere(e - e.xreplace(shifted))


def _negative_square(context: Mapping[str, Any], b: sp.Expr) -> Text | None:
    """−a² for (−a)²: when the point has a negative coordinate and f has an even power."""
    f = context.get("function")
    at = context.get("at") or context.get("point")
    if f is None or at is None or not b.is_number or b <= 0:
        return None
    values = at.values() if hasattr(at, "values") else (at if isinstance(at, (tuple, list)) else (at,))
    negative = [v for v in values if _value(v) < 0]
    if not negative:
        return None
    even = any(p.exp.is_Integer and p.exp % 2 == 0 for p in sp.preorder_traversal(f) if isinstance(p, sp.Pow))
    if not even:
        return None
    x = show(_value(negative[0]))
    return _(
        "The sign is wrong: the square of a negative number is positive, ({x})² = {negative}. Put the negative number in with its brackets."
    ).format(x=x, negative=show(_value(negative[0]) ** 2))


def _formula_for_value(question: Asked, a: sp.Expr, b: sp.Expr) -> Text:
    context = context_fields(question.context)
    names = ", ".join(sorted(str(s) for s in a.free_symbols))
    at = context.get("at") if context.get("at") is not None else context.get("point")
    where = ""
    if isinstance(at, dict):
        where = ", ".join(f"{k} = {show(_value(v))}" for k, v in at.items())
    if where:
        return _(
            "That is a formula in {names}, the function itself. The question asks for its value at {where}: "
            "put the numbers in and work it out."
        ).format(names=names, where=where)
    return _(
        "That is a formula in {names}, the function itself. The question asks for its value at the point: "
        "put the numbers in and work it out."
    ).format(names=names)


def _value_for_formula(question: Asked, a: sp.Expr, b: sp.Expr) -> Text:
    names = ", ".join(sorted(str(s) for s in b.free_symbols))
    at = ""
    variables = sorted(b.free_symbols, key=str)
    for point in (1, 0, 2, -1):
        if _same(b.xreplace({s: point for s in variables}), a, None):
            at = f"{', '.join(f'{s} = {point}' for s in variables)}"
            break
    seen = _(" ({value} is its value at {at})").format(value=show(a), at=at) if at else ""
    return _(
        "That is a number; the question asks for a function of {names}, a formula that holds for every {names}{seen}."
    ).format(names=names, seen=seen)


__all__ = ["diagnose", "entry_labels", "entry_names"]
