"""Learning-rate schedules: η_k, the learning rate of step k, from the base rate η.

- step decay:   η_k = η · factor^⌊k / every⌋   (halve it every 10 steps: every 10, factor 1/2)
- 1/t decay:    η_k = η / (1 + decay · k)
- exponential:  η_k = η · rate^k

Exact numbers stay exact (1/2, 9/10 are rationals), so an exact run stays
exact.  :class:`Scheduled` wraps an optimiser: its state carries k, so the
runner, the walkthrough's error-carried-forward formulas and the checker all
take the same steps without knowing about schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

KINDS = ("step_decay", "inverse_time", "exponential")


@dataclass(frozen=True)
class Schedule:
    kind: str  # one of KINDS
    every: int = 1  # step_decay
    factor: Any = None  # step_decay: η is multiplied by this every ``every`` steps
    decay: Any = None  # inverse_time
    rate: Any = None  # exponential

    def multiplier(self, k: int) -> Any:
        """η_k / η at step k (exact when the schedule's numbers are)."""
        if self.kind == "step_decay":
            return self.factor ** (k // self.every)
        if self.kind == "inverse_time":
            return 1 / (1 + self.decay * k)
        return self.rate**k

    def rate_at(self, k: int, lr: Any) -> Any:
        """η_k, in the arithmetic of ``lr`` (a float run stays in floats)."""
        m = self.multiplier(k)
        return lr * (float(m) if isinstance(lr, float) else m)

    def words(self) -> str:
        """The rule in symbols, for the walkthrough's text."""
        if self.kind == "step_decay":
            return rf"\eta_k = \eta \cdot \left({sp.latex(self.factor)}\right)^{{\lfloor k/{self.every} \rfloor}}"
        if self.kind == "inverse_time":
            return rf"\eta_k = \eta / (1 + {sp.latex(self.decay)}\, k)"
        return rf"\eta_k = \eta \cdot \left({sp.latex(self.rate)}\right)^{{k}}"


@dataclass(frozen=True)
class Scheduled:
    """An optimiser whose learning rate follows a schedule; the state is (k, the inner optimiser's state)."""

    inner: Any
    schedule: Schedule

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def key(self) -> str:
        return self.inner.key

    @property
    def exact_capable(self) -> bool:
        return getattr(self.inner, "exact_capable", True)

    def __getattr__(self, attribute: str) -> Any:
        """Everything else (its settings, words, colour, stability bound) is the inner optimiser's."""
        if attribute in ("inner", "schedule") or attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.inner, attribute)

    def in_mode(self, exact: bool) -> Scheduled:
        inner = self.inner.in_mode(exact) if hasattr(self.inner, "in_mode") else self.inner
        return Scheduled(inner, self.schedule)

    def start(self, n: int) -> Any:
        return (0, self.inner.start(n))

    def at_rest(self, state: Any) -> bool:
        return self.inner.at_rest(state[1])

    def update(self, point: tuple[Any, ...], grad: tuple[Any, ...], state: Any, lr: Any) -> tuple[tuple[Any, ...], Any]:
        k, inner = state
        point, inner = self.inner.update(point, grad, inner, self.schedule.rate_at(k, lr))
        return point, (k + 1, inner)
