"""Adam: a step size per coordinate, from running means of the gradient and its square."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.i18n import N_
from tutor.optimisers.base import Optimiser, Setting, Vector, root

BETA1 = Setting("beta", "β", 0.9, "β₁: how much of the running mean of the gradient each step keeps", attribute="beta1")
BETA2 = Setting("beta2", "β₂", 0.999, "β₂: how much of the running mean of the squared gradient each step keeps")
EPS = Setting(
    "eps", "ε", 1e-8, "ε: added to the square root so a zero gradient never divides by 0", low_open=True, high=None
)


@dataclass(frozen=True)
class Adam(Optimiser):
    """m = β₁m + (1-β₁)g;  s = β₂s + (1-β₂)g²;  x -= η m̂ / (√ŝ + ε), with bias-corrected m̂, ŝ.

    Each coordinate gets its own step size, from the size of its recent
    gradients.  Square roots make it a float-only optimiser.
    """

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    key = "adam"
    label = N_("Adam")
    noun = N_("Adam")
    colour = "#9467bd"
    update_unicode = "m ← β₁m + (1−β₁)g;  s ← β₂s + (1−β₂)g²;  x ← x − η m̂ / (√ŝ + ε), m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ)"
    update_latex = (
        r"m_{k+1} = \beta_1 m_k + (1-\beta_1)\, g_k, \quad s_{k+1} = \beta_2 s_k + (1-\beta_2)\, g_k^2, \quad "
        r"x_{k+1} = x_k - \eta\, \frac{\hat m_{k+1}}{\sqrt{\hat s_{k+1}} + \varepsilon}"
    )
    convention = "PyTorch Adam(lr=η, betas=(β₁, β₂), eps=ε)"
    settings = (BETA1, BETA2, EPS)
    exact_capable = False

    def start(self, n: int) -> Any:
        return (0, (0.0,) * n, (0.0,) * n)

    def at_rest(self, state: Any) -> bool:
        """Adam's first moment keeps moving the point after the gradient vanishes."""
        return all(a == 0 for a in state[1])

    def update(self, point: Vector, grad: Vector, state: Any, lr: Any) -> tuple[Vector, Any]:
        t, m, s = state
        t += 1
        m = tuple(self.beta1 * a + (1 - self.beta1) * g for a, g in zip(m, grad))
        s = tuple(self.beta2 * a + (1 - self.beta2) * g * g for a, g in zip(s, grad))
        c1, c2 = 1 - self.beta1**t, 1 - self.beta2**t
        point = tuple(x - lr * (a / c1) / (root(b / c2) + self.eps) for x, a, b in zip(point, m, s))
        return point, (t, m, s)
