"""What every optimiser is: a named update rule with its words, colour, settings and step.

An optimiser is a frozen dataclass whose fields are its settings (β, α, ε, ...).
``start`` gives its state before the first step, ``update`` takes one step and
``at_rest`` says whether a zero gradient really stops it.  The same ``update``
runs exact rationals, floats, or sympy placeholders (the walkthrough's formulas
for error carried forward), so a rule is written once.

Nothing here imports sympy at module level: the command line reads this
registry for its choices, and ``tutor --help`` stays fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, ClassVar

from tutor.i18n import N_, _
from tutor.text import Text

#: A point or a gradient: one number per variable (rationals, floats, or sympy expressions).
Vector = tuple[Any, ...]


def root(value: Any) -> Any:
    """√value for a float, or for a sympy expression (a walkthrough's placeholders)."""
    if isinstance(value, (int, float)):
        return math.sqrt(value)
    import sympy as sp

    return sp.sqrt(value)


def _shown(value: Any) -> str:
    """A setting's value in a message: 1/2 stays 1/2, a float is short."""
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Setting:
    """One hyperparameter: its lesson key (and ``--key`` on the command line), its symbol and valid range."""

    key: str
    symbol: str
    default: Fraction | float
    #: what it does, one sentence (the schema and ``--help`` show it)
    meaning: str
    low: float = 0
    #: None: no upper end (it must still be finite)
    high: float | None = 1
    low_open: bool = False
    high_open: bool = True
    #: the dataclass field it sets, when that differs from ``key`` (Adam's β is its β₁)
    attribute: str = ""

    @property
    def field(self) -> str:
        return self.attribute or self.key

    def _low_words(self) -> str:
        if self.low_open:
            return _("greater than {value}").format(value=_shown(self.low))
        return _("at least {value}").format(value=_shown(self.low))

    def _high_words(self) -> str:
        if self.high_open:
            return _("less than {value}").format(value=_shown(self.high))
        return _("at most {value}").format(value=_shown(self.high))

    def range_words(self) -> str:
        if self.high is None:
            return self._low_words()
        return _("{low} and {high}").format(low=self._low_words(), high=self._high_words())

    def problem(self, value: Any, float_only: bool) -> str | None:
        """What is wrong with ``value`` for this setting, in one line; None when it is fine.

        A float-only optimiser also checks the value as a float: 1 − 10⁻³⁰ is below 1
        exactly but is 1.0 in the run.
        """
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return _("{symbol} must be a number, got {value}").format(symbol=self.symbol, value=_shown(value))
        if not math.isfinite(number):
            return _("{symbol} must be a finite number, got {value}").format(symbol=self.symbol, value=_shown(value))
        if not (self._above_low(value) and self._below_high(value)):
            return _("{symbol} must be {range}, got {value}").format(
                symbol=self.symbol, range=self.range_words(), value=_shown(value)
            )
        if float_only and not self._above_low(number):
            return _("{symbol} must be {range} by more than rounding, got {value}").format(
                symbol=self.symbol, range=self._low_words(), value=_shown(value)
            )
        if float_only and not self._below_high(number):
            return _("{symbol} must be {range} by more than rounding, got {value}").format(
                symbol=self.symbol, range=self._high_words(), value=_shown(value)
            )
        return None

    def _above_low(self, value: Any) -> bool:
        return bool(value > self.low if self.low_open else value >= self.low)

    def _below_high(self, value: Any) -> bool:
        if self.high is None:
            return True
        return bool(value < self.high if self.high_open else value <= self.high)


@dataclass(frozen=True)
class Optimiser:
    """The base of every optimiser: subclasses set the class attributes and write the step."""

    #: the name on the command line (--optimizer) and in lessons (optimizer:)
    key: ClassVar[str]
    #: its name as a title or legend entry ("Gradient descent with momentum")
    label: ClassVar[str]
    #: its name inside a sentence ("The momentum update gives:")
    noun: ClassVar[str]
    #: its colour in plots that compare optimisers
    colour: ClassVar[str]
    #: the update rule written out, in Unicode and in LaTeX
    update_unicode: ClassVar[Text]
    update_latex: ClassVar[str]
    #: which published form the rule follows (stated in --help and the README)
    convention: ClassVar[str] = ""
    #: its hyperparameters, in the order they are documented
    settings: ClassVar[tuple[Setting, ...]] = ()
    #: False when the rule leaves the rationals (square roots): float mode only
    exact_capable: ClassVar[bool] = True
    float_only_because: ClassVar[str] = N_("takes square roots")
    #: the largest stable learning rate on a quadratic of curvature L, as a formula; None: no such bound
    stability_formula: ClassVar[str | None] = None

    @property
    def name(self) -> str:
        """The same as ``key``: what a :class:`tutor.descent.Run` records as its optimizer."""
        return self.key

    # --- the step --------------------------------------------------------------------

    def start(self, n: int) -> Any:
        """The state before the first step, for n variables."""
        return None

    def at_rest(self, state: Any) -> bool:
        """Whether a zero gradient stops the run (no velocity left to carry the point on)."""
        return True

    def update(self, point: Vector, grad: Vector, state: Any, lr: Any) -> tuple[Vector, Any]:
        """One step: the next point and the next state."""
        raise NotImplementedError

    def stability(self, L: Any) -> tuple[Any, str] | None:
        """On a quadratic of largest curvature L: the bound on η and the constants it used, in words."""
        return None

    # --- its settings ----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Its settings by lesson key."""
        return {s.key: getattr(self, s.field) for s in self.settings}

    def in_mode(self, exact: bool) -> Optimiser:
        """The same optimiser with its settings as exact rationals, or as floats for a float run."""
        if not self.settings:
            return self
        if exact:
            from tutor.calculus import exact_number

            return replace(self, **{s.field: exact_number(getattr(self, s.field)) for s in self.settings})
        return replace(self, **{s.field: float(getattr(self, s.field)) for s in self.settings})

    @classmethod
    def build(cls, **given: Any) -> Optimiser:
        """The optimiser with the settings given (None: the default), each checked against its range.

        Defaults are exact (9/10, not 0.9) for an optimiser that can run exactly.
        Raises MathError naming the setting and what is wrong with it.
        """
        from tutor.calculus import MathError, exact_number

        known = {s.key: s for s in cls.settings}
        for key, value in given.items():
            if value is not None and key not in known:
                symbols = ", ".join(s.symbol for s in cls.settings)
                has = _("its settings are {symbols}").format(symbols=symbols) if symbols else _("it has no settings")
                raise MathError(
                    _("the {optimizer} optimizer has no setting '{key}'; {has}").format(
                        optimizer=cls.key, key=key, has=has
                    )
                )
        fields = {}
        for s in cls.settings:
            value = given.get(s.key)
            if value is None:
                value = exact_number(s.default) if cls.exact_capable else float(s.default)
            else:
                problem = s.problem(value, float_only=not cls.exact_capable)
                if problem:
                    raise MathError(problem)
                if not cls.exact_capable:
                    value = float(value)
            fields[s.field] = value
        return cls(**fields)
