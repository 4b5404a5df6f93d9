"""RMSProp, as PyTorch writes it: each coordinate's step divided by the root of its recent squared gradients.

PyTorch's ``RMSprop(alpha=α, eps=ε)`` without weight decay, centering or momentum:
v_t = α v_{t-1} + (1 − α) g_t² (v_0 = 0), then θ_t = θ_{t-1} − η g_t / (√v_t + ε),
ε added after the square root (TensorFlow adds it before).  Square roots make
it a float-only optimiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.i18n import N_
from tutor.optimisers.adam import EPS
from tutor.optimisers.base import Optimiser, Setting, Vector, root

ALPHA = Setting("alpha", "α", 0.99, "α: how much of the running mean of the squared gradient each step keeps")


@dataclass(frozen=True)
class RMSProp(Optimiser):
    """v_{k+1} = α v_k + (1-α) ∇f(x_k)²;  x_{k+1} = x_k - η ∇f(x_k) / (√v_{k+1} + ε), per coordinate."""

    alpha: float = 0.99
    eps: float = 1e-8
    key = "rmsprop"
    label = N_("RMSProp")
    noun = N_("RMSProp")
    colour = "#8c564b"
    update_unicode = "v ← α v + (1−α) g²;  x ← x − η g / (√v + ε)"
    update_latex = (
        r"v_{k+1} = \alpha\, v_k + (1-\alpha)\, \nabla f(x_k)^2, \quad "
        r"x_{k+1} = x_k - \eta\, \frac{\nabla f(x_k)}{\sqrt{v_{k+1}} + \varepsilon}"
    )
    convention = "PyTorch RMSprop(lr=η, alpha=α, eps=ε), no centering, no momentum"
    settings = (ALPHA, EPS)
    exact_capable = False

    def start(self, n: int) -> Any:
        return (0.0,) * n

    def update(self, point: Vector, grad: Vector, v: Any, lr: Any) -> tuple[Vector, Any]:
        v = tuple(self.alpha * a + (1 - self.alpha) * g * g for a, g in zip(v, grad))
        return tuple(x - lr * (g / (root(a) + self.eps)) for x, g, a in zip(point, grad, v)), v
