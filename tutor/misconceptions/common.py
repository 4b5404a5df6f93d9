"""What every family of misconceptions shares: the Misconception record, comparing answers, wording."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import Field, dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import sympy as sp

from tutor.calculus import differs_somewhere
from tutor.derivation import show
from tutor.mathinput import symbol
from tutor.text import Text

if TYPE_CHECKING:  # annotations only: the contexts are the walkthrough contract's data types
    from tutor.walkthrough.contract import Context


@dataclass(frozen=True)
class Misconception:
    """A wrong answer the engine expects, and what it says about the learner's idea."""

    name: str  # e.g. "with_gradient", "exponent_factor_forgotten"
    value: Any  # the wrong answer, in the question's shape (expression, tuple, or choice key)
    says: Text


class Asked(Protocol):
    """What misconceptions read of a question: :class:`tutor.walkthrough.steps.Question`, a frozen dataclass.

    This layer sits below the walkthrough, so it names the fields it reads instead of importing the class.
    """

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def expected(self) -> Any: ...
    @property
    def skill(self) -> str: ...
    @property
    def variables(self) -> tuple[str, ...]: ...
    @property
    def tolerance(self) -> float | None: ...
    @property
    def context(self) -> Context | None: ...


#: A family of misconceptions: the question and its context's fields -> the wrong answers it expects.
Family = Callable[[Asked, Mapping[str, Any]], list[Misconception]]


# --- comparing answers ----------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A one-element vector is its element (a learner may type [10] for 10)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return _scalar(value[0])
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool):
        return _value(value)
    return value


def _undefined(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_undefined(v) for v in value)
    return isinstance(value, sp.Basic) and value.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I)


def _same(a: Any, b: Any, tolerance: float | None) -> bool:
    """Equal answers: the same choice, or equivalent expressions (within a tolerance for numbers)."""
    a, b = _scalar(a), _scalar(b)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same(x, y, tolerance) for x, y in zip(a, b))
        )
    if not isinstance(a, sp.Basic) or not isinstance(b, sp.Basic):
        return a == b
    if a == b:
        return True
    difference = a - b
    if difference.is_number and tolerance is not None:
        try:
            return abs(float(difference)) <= tolerance
        except TypeError:
            return False
    if differs_somewhere(difference):  # most differences: at once, before any simplifying
        return False
    if difference.is_number:
        return difference.is_zero is True or sp.simplify(difference) == 0
    return sp.expand(difference) == 0 or sp.simplify(difference) == 0


# --- small pieces of wording ---------------------------------------------------------------------

_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def _sub(name: str, k: int) -> str:
    """x₃: a variable at iteration k."""
    return f"{name}{str(k).translate(_SUBSCRIPTS)}"


def _vector(values: Sequence[Any]) -> str:
    values = tuple(values)
    return show(values[0]) if len(values) == 1 else "(" + ", ".join(show(v) for v in values) + ")"


def _value(v: Any) -> sp.Expr:
    """An engine value as a sympy number: never parses text (that only happens in tutor.mathinput)."""
    if isinstance(v, sp.Basic):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
        raise TypeError(f"not a number: {type(v).__name__}")
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    return sp.Integer(v) if isinstance(v, int) else sp.Float(v)


def _point(variables: Sequence[str], point: Mapping[str, Any]) -> str:
    return ", ".join(f"{v} = {show(_value(point[v]))}" for v in variables)


def _slope(variables: Sequence[str]) -> tuple[str, str]:
    """The name of the slope in both languages' formulas: f' for one variable, ∇f for several."""
    return ("f'", "f'") if len(variables) == 1 else ("∇f", "∇f")


def _at(f: sp.Expr, variables: Sequence[str], point: Mapping[str, Any]) -> sp.Expr:
    return f.xreplace({symbol(v): _value(point[v]) for v in variables})


def _gradient_at(f: sp.Expr, variables: Sequence[str], point: Mapping[str, Any]) -> tuple[sp.Expr, ...]:
    return tuple(_at(sp.diff(f, symbol(v)), variables, point) for v in variables)


def _points(variables: Sequence[str], values: Any) -> dict[str, sp.Expr]:
    """A point as a mapping, from a mapping, a tuple in the variables' order, or one number."""
    if isinstance(values, Mapping):
        return {v: _value(values[v]) for v in variables}
    if isinstance(values, (tuple, list)):
        return {v: _value(x) for v, x in zip(variables, values)}
    return {variables[0]: _value(values)}


def _vec(values: Any) -> tuple[sp.Expr, ...]:
    if isinstance(values, Mapping):
        return tuple(_value(x) for x in values.values())
    if isinstance(values, (tuple, list)):
        return tuple(_value(x) for x in values)
    return (_value(values),)


def _vec_in_order(values: Any, variables: Sequence[str]) -> Any:
    if isinstance(values, Mapping):
        return tuple(values[v] for v in variables)
    return values
