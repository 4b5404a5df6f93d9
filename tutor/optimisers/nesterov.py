"""Nesterov momentum, as PyTorch writes it: the step looks ahead along the velocity it is about to have.

PyTorch's ``SGD(momentum=β, dampening=0, nesterov=True)``:
b_t = β b_{t-1} + g_t (b_1 = g_1), then θ_t = θ_{t-1} − η (g_t + β b_t).
It differs from Sutskever et al.'s form in where η sits, as PyTorch's own note says.
Only products and sums: it runs exactly on rationals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.i18n import N_
from tutor.optimisers.base import Optimiser, Vector
from tutor.optimisers.momentum import BETA


@dataclass(frozen=True)
class Nesterov(Optimiser):
    """b_{k+1} = β b_k + ∇f(x_k);  x_{k+1} = x_k - η (∇f(x_k) + β b_{k+1})."""

    beta: Any = BETA.default
    key = "nesterov"
    label = N_("Nesterov momentum")
    noun = N_("Nesterov momentum")
    colour = "#17becf"
    update_unicode = "b ← β b + ∇f(x);  x ← x − η (∇f(x) + β b)"
    update_latex = r"b_{k+1} = \beta\, b_k + \nabla f(x_k), \quad x_{k+1} = x_k - \eta\, \bigl(\nabla f(x_k) + \beta\, b_{k+1}\bigr)"
    convention = "PyTorch SGD(lr=η, momentum=β, dampening=0, nesterov=True)"
    settings = (BETA,)
    stability_formula = "2(1+β)/((1+2β)L)"

    def start(self, n: int) -> Any:
        return (0,) * n

    def at_rest(self, buffer: Any) -> bool:
        """A zero gradient still moves the point by η β² b while the buffer is not zero."""
        return all(b == 0 for b in buffer)

    def update(self, point: Vector, grad: Vector, buffer: Any, lr: Any) -> tuple[Vector, Any]:
        buffer = tuple(self.beta * b + g for b, g in zip(buffer, grad))
        return tuple(x - lr * (g + self.beta * b) for x, g, b in zip(point, grad, buffer)), buffer

    def stability(self, L: Any) -> tuple[Any, str]:
        """On a quadratic: stable while η L < 2(1 + β)/(1 + 2β).

        With h = ηλ each step maps (x, ηb) by a matrix whose characteristic
        polynomial is z² − (1 + β)(1 − h) z + β(1 − h); Jury's test puts both
        roots inside the unit circle exactly when 0 < h < 2(1 + β)/(1 + 2β).
        """
        return 2 * (1 + self.beta) / ((1 + 2 * self.beta) * L), f"β = {self.beta}, L = {L}"
