"""Which numbers a learner gets: the variants of a lesson, numbered from 1, and a learner's seed.

A lesson's ``variants:`` gives each parameter a list of exact values; variant
n is the n-th combination (parameters in the order written, each one's
values in order) that meets every ``require:`` constraint.  Numbering by
enumeration keeps it stable: the same file gives the same variant n on any
machine, so ``--variant n`` reproduces what a learner saw.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sympy as sp

from tutor.lesson.model import Lesson, Requirement, Variants
from tutor.mathinput import symbol

if TYPE_CHECKING:
    from tutor.progress import ProgressStore

_OPS = {
    "<": lambda d: d < 0,
    "<=": lambda d: d <= 0,
    ">": lambda d: d > 0,
    ">=": lambda d: d >= 0,
    "==": lambda d: d == 0,
    "!=": lambda d: d != 0,
}


def holds(requirement: Requirement, values: dict[str, sp.Expr]) -> bool:
    """Exactly: does ``lhs op rhs`` hold at these values?  (Undecidable or not real counts as not.)"""
    mapping = {symbol(name): value for name, value in values.items()}
    difference = (requirement.lhs - requirement.rhs).xreplace(mapping)
    if not difference.is_number or difference.is_real is not True:
        return False
    try:
        return bool(_OPS[requirement.op](difference))
    except TypeError:  # a comparison sympy cannot decide
        return False


def combinations(spec: Variants) -> Iterator[dict[str, sp.Expr]]:
    """Every admissible combination, in variant order."""
    pools = [spec.values[name] for name in spec.names]
    for chosen in itertools.product(*pools):
        values = dict(zip(spec.names, chosen))
        if all(holds(r, values) for r in spec.require):
            yield values


def admissible(spec: Variants) -> list[dict[str, sp.Expr]]:
    """All the variants (values of each), in order: variant n is ``admissible(spec)[n - 1]``."""
    return list(combinations(spec))


def product_size(spec: Variants) -> int:
    size = 1
    for name in spec.names:
        size *= len(spec.values[name])
    return size


def sample(count: int, limit: int | None) -> list[int]:
    """The variants ``tutor check`` checks: all of them, or ``limit`` spread evenly (always the first and last)."""
    if limit is None or count <= limit:
        return list(range(1, count + 1))
    if limit == 1:
        return [1]
    picked = {1 + round(i * (count - 1) / (limit - 1)) for i in range(limit)}
    return sorted(picked)


def variant_of_seed(seed: int, count: int) -> int:
    """A learner's variant from their stored seed."""
    return 1 + seed % count


def describe(values: dict[str, sp.Expr]) -> str:
    """'a = 2, eta = 1/10', for messages."""
    return ", ".join(f"{name} = {sp.sstr(value)}" for name, value in values.items())


def for_learner(lesson: Lesson, store: ProgressStore) -> Lesson:
    """The variant this learner works on: the one asked for, else the one their stored seed picks.

    The seed is drawn once, the first time the learner opens the lesson, and
    kept with their progress (``store``), so the numbers never change under them.
    """
    if lesson.variants is None or lesson.chosen:
        return lesson
    import secrets

    from tutor.lesson.loader import load_variant

    seed = store.variant_seed(lesson.id)
    if seed is None:
        seed = secrets.randbelow(2**31)
        store.set_variant_seed(lesson.id, seed)
    number = variant_of_seed(seed, len(admissible(lesson.variants)))
    return load_variant(lesson, number)
