"""Practice lessons generated from a template and a seed.

Each template draws a fresh function and point from ``random.Random(seed)``,
so the same seed always gives the same lesson (a learner can come back to
it, a teacher can hand out "seed 12"), and builds an ordinary
:class:`tutor.lesson.model.Lesson`: the walkthrough, the grading, the
misconceptions and the views treat it like any lesson from a file.

Templates:
  derivative  f = a xⁿ + b xᵐ: the derivative, then its value at a point;
  gradient    a polynomial in two or three variables: one partial derivative,
              the gradient, then the gradient at a point;
  descent     f = a(x − c)² from a start, with a learning rate below the
              stability bound 2/L (L = 2a), by hand for three iterations.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.lesson.model import Derive, Descent, Evaluate, Explain, Function, Lesson
from tutor.mastery import SKILLS, suggest
from tutor.mathinput import symbol

TEMPLATES = ("derivative", "gradient", "descent")

#: What to practise for a weak skill (see tutor.mastery.SKILLS).
TEMPLATE_FOR_SKILL = {
    "derivative": "derivative",
    "evaluate": "derivative",
    "partial": "gradient",
    "gradient": "gradient",
    "direction": "descent",
    "update": "descent",
    "sign_change": "descent",
    "learning_rate": "descent",
}

#: Names for the variables of a several-variable function (the article's x, z, m first).
_NAME_SETS = (("x", "z", "m"), ("x", "y", "z"), ("w", "b"), ("u", "v"))

#: η as a fraction r of 1/a for f = a(x − c)²: each step multiplies x − c by 1 − 2r
#: (r = 1/4 halves it; 1/5, 2/5 and 1/8 shrink it to 3/5, 1/5 and 3/4; 3/5 and 3/4 jump
#: past the minimum to −1/5 and −1/2 of the distance, so the derivative changes sign and
#: the minimum is bracketed): always below the bound 2/L = 1/a, with small numbers by hand.
_RATE_FRACTIONS = (
    sp.Rational(1, 4),
    sp.Rational(1, 5),
    sp.Rational(2, 5),
    sp.Rational(1, 8),
    sp.Rational(3, 5),
    sp.Rational(3, 4),
)


class PracticeError(TutorError):
    """A practice template that does not exist."""


def practice_lesson(template: str, seed: int) -> Lesson:
    """A practice lesson from ``template`` with random functions and points drawn from ``seed``."""
    builders = {"derivative": _derivative, "gradient": _gradient, "descent": _descent}
    if template not in builders:
        raise PracticeError(f"unknown practice template '{template}'; choose one of {', '.join(TEMPLATES)}")
    rng = random.Random(f"{template}:{int(seed)}")
    title, summary, sections = builders[template](rng)
    return Lesson(
        id=practice_id(template, seed),
        title=title,
        summary=summary,
        sections=tuple(sections),
        order=1000,
    )


def practice_id(template: str, seed: int) -> str:
    """The lesson id progress is recorded under: one per template and seed."""
    return f"practice-{template}-{int(seed)}"


def template_for(name: str) -> str:
    """The template that practises a skill (or a template named directly); ``sign-change`` reads as ``sign_change``."""
    key = name.strip().replace("-", "_")
    if key in TEMPLATE_FOR_SKILL:
        return TEMPLATE_FOR_SKILL[key]
    if key in TEMPLATES:
        return key
    choices = ", ".join(
        [*(s for s in SKILLS if s in TEMPLATE_FOR_SKILL), *(t for t in TEMPLATES if t not in TEMPLATE_FOR_SKILL)]
    )
    raise PracticeError(f"no practice for '{name}'; choose one of {choices}")


def next_skill(mastery: Mapping[str, float]) -> str:
    """What to practise next, among the skills a template exercises.

    The weakest skill below mastery (:func:`tutor.mastery.suggest`); else the
    first not practised yet, in teaching order ("derivative" for a new
    learner); else, everything mastered, the least mastered one.
    """
    practicable = [s for s in SKILLS if s in TEMPLATE_FOR_SKILL]
    weak = [s for s in suggest(mastery) if s in TEMPLATE_FOR_SKILL]
    if weak:
        return weak[0]
    unseen = [s for s in practicable if s not in mastery]
    if unseen:
        return unseen[0]
    return min(practicable, key=lambda s: mastery[s])  # ties keep teaching order


def fresh_seed(template: str, taken: Collection[str] = (), rng: random.Random | None = None) -> int:
    """A four-digit seed (short enough to type again) whose set is not among the ``taken`` lesson ids."""
    rng = rng or random.SystemRandom()
    seed = rng.randint(1000, 9999)
    for _attempt in range(100):  # a learner who has met most of the 9000 sets still gets one
        if practice_id(template, seed) not in taken:
            break
        seed = rng.randint(1000, 9999)
    return seed


def _nonzero(rng: random.Random, low: int, high: int) -> int:
    return rng.choice([k for k in range(low, high + 1) if k != 0])


def _function(expr: sp.Expr, variables: tuple[str, ...]) -> Function:
    return Function(expr=expr, variables=variables, source=sp.sstr(expr))


def _derivative(rng: random.Random):
    x = symbol("x")
    n = rng.randint(2, 5)
    m = rng.randint(0, n - 1)
    a, b = _nonzero(rng, -9, 9), _nonzero(rng, -9, 9)
    f = _function(a * x**n + b * x**m, ("x",))
    at = {"x": sp.Integer(_nonzero(rng, -3, 3))}
    sections = [
        Explain(
            text=_(
                "Practice: differentiate $f(x) = {latex}$ term by term with the power rule, then find the slope at a point."
            ).format(latex=sp.latex(f.expr))
        ),
        Derive(function=f, of="x"),
        Evaluate(function=f, what="derivative", at=at, of="x"),
    ]
    title = _("Practice: the power rule")
    summary = _("A random polynomial: its derivative and the slope at a point.")
    return title, summary, sections


def _gradient(rng: random.Random):
    count = rng.choice((2, 3))
    names = next(s for s in rng.sample(_NAME_SETS, len(_NAME_SETS)) if len(s) >= count)[:count]
    syms = [symbol(v) for v in names]
    terms = [_nonzero(rng, -9, 9) * s ** rng.randint(2 if i == 0 else 1, 3) for i, s in enumerate(syms)]
    if rng.random() < 0.5:  # a cross term, so a partial derivative keeps another variable in it
        i, j = rng.sample(range(count), 2)
        terms.append(_nonzero(rng, -5, 5) * syms[i] * syms[j])
    f = _function(sp.Add(*terms), tuple(names))
    of = rng.choice(names)
    at = {v: sp.Integer(rng.randint(-3, 3)) for v in names}
    held = ", ".join(v for v in names if v != of)
    sections = [
        Explain(
            text=_(
                "Practice: $f = {latex}$. A partial derivative differentiates in one variable and holds the others ({held}) constant; the gradient collects all of them in the order ({names})."
            ).format(latex=sp.latex(f.expr), held=held, names=", ".join(names))
        ),
        Derive(function=f, of=of),
        Derive(function=f, of="gradient"),
        Evaluate(function=f, what="gradient", at=at),
    ]
    title = _("Practice: partial derivatives and the gradient")
    summary = _("A random polynomial in several variables.")
    return title, summary, sections


def _descent(rng: random.Random):
    x = symbol("x")
    a = rng.randint(1, 5)
    c = rng.randint(-3, 3)
    start = c + _nonzero(rng, -4, 4)
    rate = rng.choice(_RATE_FRACTIONS) / a  # below the bound 2/L = 1/a, since L = f'' = 2a
    f = _function(a * (x - c) ** 2, ("x",))
    sections = [
        Explain(
            text=_(
                "Practice: descend $f(x) = {latex}$ from $x_0 = {start}$ with learning rate $\\eta = {rate}$. At each step: the derivative, the direction, then $x_{{k+1}} = x_k - \\eta f'(x_k)$."
            ).format(latex=sp.latex(f.expr), start=start, rate=sp.latex(rate))
        ),
        Descent(
            function=f,
            start={"x": sp.Integer(start)},
            learning_rate=rate,
            stop=("zero", "sign-change"),
            max_steps=20,
            by_hand=3,
            expect="converge",
        ),
    ]
    title = _("Practice: gradient descent by hand")
    summary = _("A random parabola, a start and a safe learning rate.")
    return title, summary, sections


__all__ = [
    "TEMPLATES",
    "TEMPLATE_FOR_SKILL",
    "PracticeError",
    "fresh_seed",
    "next_skill",
    "practice_id",
    "practice_lesson",
    "template_for",
]
