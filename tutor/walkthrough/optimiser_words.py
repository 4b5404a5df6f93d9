"""An optimiser's words, colour and update rule as plain data for the payloads (views never ask the registry)."""

from __future__ import annotations

from tutor.walkthrough.contract import OptimiserWords


def optimiser_words(*keys: str) -> dict[str, OptimiserWords]:
    """The words of each optimiser named, by key, from its class in :mod:`tutor.optimisers` (unknown keys left out)."""
    from tutor.optimisers import OPTIMISERS

    out = {}
    for key in keys:
        cls = OPTIMISERS.get(key)
        if cls is not None:
            out[key] = OptimiserWords(key, cls.label, cls.noun, cls.colour, cls.update_unicode, cls.update_latex)
    return out
