"""The optimisers, one module each, and the registry everything else reads.

The command line's choices, the lesson schema and loader, ``tutor check``, the
walkthrough, plots and export all look an optimiser up here by its key; adding
one is a new module below plus its entry in ``OPTIMISERS`` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from typing import Any

from tutor.i18n import _
from tutor.optimisers.adam import Adam
from tutor.optimisers.base import Optimiser, Setting, root
from tutor.optimisers.gd import GradientDescent
from tutor.optimisers.momentum import Momentum
from tutor.optimisers.nesterov import Nesterov
from tutor.optimisers.rmsprop import RMSProp

#: Every optimiser by key, in the order the command line and the docs list them.
OPTIMISERS: dict[str, type[Optimiser]] = {cls.key: cls for cls in (GradientDescent, Momentum, Nesterov, Adam, RMSProp)}


def get(key: str) -> type[Optimiser]:
    """The optimiser class called ``key``; MathError naming the choices when there is none."""
    try:
        return OPTIMISERS[key]
    except (KeyError, TypeError):
        from tutor.calculus import MathError

        raise MathError(
            _("unknown optimizer '{key}'; choose one of {names}").format(key=key, names=", ".join(OPTIMISERS))
        ) from None


def make_optimizer(name: str, beta: Any = None, **settings: Any) -> Optimiser:
    """The optimiser called ``name`` with its settings checked (β is momentum's β, or Adam's β₁)."""
    return get(name).build(beta=beta, **settings)


def settings_by_key() -> dict[str, list[tuple[type[Optimiser], Setting]]]:
    """Each setting's key with the optimisers that take it (one ``--key`` option serves them all)."""
    out: dict[str, list[tuple[type[Optimiser], Setting]]] = {}
    for cls in OPTIMISERS.values():
        for s in cls.settings:
            out.setdefault(s.key, []).append((cls, s))
    return out


__all__ = [
    "OPTIMISERS",
    "Adam",
    "GradientDescent",
    "Momentum",
    "Nesterov",
    "Optimiser",
    "RMSProp",
    "Setting",
    "get",
    "make_optimizer",
    "root",
]
