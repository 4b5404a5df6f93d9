"""Plain gradient descent: step against the gradient, scaled by the learning rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.i18n import N_
from tutor.optimisers.base import Optimiser, Vector


@dataclass(frozen=True)
class GradientDescent(Optimiser):
    """x_{k+1} = x_k - η ∇f(x_k)."""

    key = "gd"
    label = N_("Gradient descent")
    noun = N_("gradient descent")
    colour = "#d62728"
    update_unicode = "x ← x − η ∇f(x)"
    update_latex = r"x_{k+1} = x_k - \eta\, \nabla f(x_k)"
    convention = "PyTorch SGD(lr=η)"
    stability_formula = "2/L"

    def update(self, point: Vector, grad: Vector, state: Any, lr: Any) -> tuple[Vector, Any]:
        return tuple(x - lr * g for x, g in zip(point, grad)), state

    def stability(self, L: Any) -> tuple[Any, str]:
        """Each step multiplies the distance to the minimum by 1 − ηλ: stable while η L < 2."""
        return 2 / L, f"L = {L}"
