"""Heavy-ball momentum: a velocity that remembers past gradients.

Steps that agree add up, and steps that zig-zag across a valley cancel out.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tutor.i18n import N_
from tutor.optimisers.base import Optimiser, Setting, Vector

BETA = Setting("beta", "β", Fraction(9, 10), "β: how much of the velocity each step keeps, PyTorch's momentum μ")


@dataclass(frozen=True)
class Momentum(Optimiser):
    """v_{k+1} = β v_k + ∇f(x_k);  x_{k+1} = x_k - η v_{k+1}."""

    beta: Any = BETA.default
    key = "momentum"
    label = N_("Gradient descent with momentum")
    noun = N_("momentum")
    colour = "#1f77b4"
    update_unicode = "v ← β v + ∇f(x);  x ← x − η v"
    update_latex = r"v_{k+1} = \beta\, v_k + \nabla f(x_k), \quad x_{k+1} = x_k - \eta\, v_{k+1}"
    convention = "PyTorch SGD(lr=η, momentum=β, dampening=0)"
    settings = (BETA,)
    stability_formula = "2(1+β)/L"

    def start(self, n: int) -> Any:
        return (0,) * n

    def at_rest(self, velocity: Any) -> bool:
        """A zero gradient stops nothing while the velocity still carries the point on."""
        return all(v == 0 for v in velocity)

    def update(self, point: Vector, grad: Vector, velocity: Any, lr: Any) -> tuple[Vector, Any]:
        velocity = tuple(self.beta * v + g for v, g in zip(velocity, grad))
        return tuple(x - lr * v for x, v in zip(point, velocity)), velocity

    def stability(self, L: Any) -> tuple[Any, str]:
        """Heavy ball on a quadratic: stable while η L < 2(1 + β) (the roots of z² − (1 + β − ηL) z + β)."""
        return 2 * (1 + self.beta) / L, f"β = {self.beta}, L = {L}"
