"""Mastery per skill, by Bayesian knowledge tracing (Corbett & Anderson, 1995).

Each skill is either known or not.  The tutor never sees which; it sees
answers.  Before any answer the probability the skill is known is
``P_INIT``.  After each answer the estimate is updated by Bayes' rule, then
once more for the chance that the learner learned it from this practice:

    right:  P(L | right) = P(L)(1 − slip) / [P(L)(1 − slip) + (1 − P(L)) guess]
    wrong:  P(L | wrong) = P(L) slip     / [P(L) slip     + (1 − P(L))(1 − guess)]
    then:   P(L)' = P(L | answer) + (1 − P(L | answer)) · learn

``guess`` is the chance of a right answer without the skill, ``slip`` the
chance of a wrong one with it.  A skill counts as mastered from
``MASTERY_THRESHOLD`` (0.95, the usual criterion).

What is evidence: each graded answer, in order.  A revealed worked solution
should be passed as a wrong answer (the learner did not show the skill);
hints may be passed the same way or left out.  :meth:`tutor.progress.ProgressStore.mastery_attempts`
passes answers and solution views, not hints or invalid input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tutor.i18n import N_, _
from tutor.text import Text, columns, tr

#: P(L₀): the chance a skill is already known before the first answer.
P_INIT = 0.3
#: P(T): the chance of learning the skill from one practice opportunity.
P_LEARN = 0.15
#: P(G): the chance of a right answer without the skill.  Typed answers
#: (an expression, a number) are hard to guess.
P_GUESS = 0.15
#: P(S): the chance of a wrong answer although the skill is known (a slip).
P_SLIP = 0.1
#: Choice questions are easier to guess: one of three directions, yes or no.
P_GUESS_BY_SKILL: dict[str, float] = {"direction": 1 / 3, "sign_change": 1 / 2, "learning_rate": 1 / 3}
#: From here a skill counts as mastered.
MASTERY_THRESHOLD = 0.95

#: The skills questions are tagged with (see tutor.walkthrough.Question.skill), in teaching order.
SKILLS: dict[str, Text] = {
    "derivative": N_("derivative rules"),
    "partial": N_("partial derivatives"),
    "gradient": N_("the gradient"),
    "evaluate": N_("evaluating at a point"),
    "direction": N_("the direction to move"),
    "update": N_("the update rule"),
    "sign_change": N_("sign change of the derivative"),
    "learning_rate": N_("judging the learning rate"),
    "training": N_("one training step"),
    "batch": N_("batch, stochastic and mini-batch"),
}


def guess_for(skill: str) -> float:
    return P_GUESS_BY_SKILL.get(skill, P_GUESS)


def update(
    p_known: float, correct: bool, *, guess: float = P_GUESS, slip: float = P_SLIP, learn: float = P_LEARN
) -> float:
    """One answer's evidence, then the chance of having learned from it (the formulas above)."""
    if correct:
        seen = p_known * (1 - slip)
        posterior = seen / (seen + (1 - p_known) * guess)
    else:
        seen = p_known * slip
        posterior = seen / (seen + (1 - p_known) * (1 - guess))
    return posterior + (1 - posterior) * learn


def estimate(attempts: Iterable[tuple[str, bool]]) -> dict[str, float]:
    """P(known) per skill after the attempts (skill, correct), taken in order; only skills seen appear."""
    mastery: dict[str, float] = {}
    for skill, correct in attempts:
        if not skill:
            continue
        before = mastery.get(skill, P_INIT)
        mastery[skill] = update(before, bool(correct), guess=guess_for(skill))
    return mastery


def suggest(mastery: Mapping[str, float], threshold: float = MASTERY_THRESHOLD) -> list[str]:
    """Skills below the threshold, weakest first (ties in teaching order): what to practise next."""
    order = {skill: i for i, skill in enumerate(SKILLS)}
    below = [s for s, p in mastery.items() if p < threshold]
    return sorted(below, key=lambda s: (mastery[s], order.get(s, len(order)), s))


def skill_name(skill: str) -> str:
    return tr(SKILLS.get(skill, skill))


def mastery_table(mastery: Mapping[str, float], threshold: float = MASTERY_THRESHOLD) -> str:
    """Every skill with a bar and a percentage; unpractised skills say so."""
    rows = []
    names = {s: skill_name(s) for s in [*SKILLS, *[k for k in mastery if k not in SKILLS]]}
    width = max(columns(n) for n in names.values())
    for skill, name in names.items():
        pad = " " * (width - columns(name))
        if skill not in mastery:
            note = _("not practised yet")
            rows.append(f"{name}{pad}  {'·' * 10}   —  {note}")
            continue
        p = mastery[skill]
        filled = int(p * 10 + 0.5)
        mark = _("mastered") if p >= threshold else _("practise")
        rows.append(f"{name}{pad}  {'█' * filled}{'·' * (10 - filled)}  {p:4.0%}  {mark}")
    return "\n".join(rows)


__all__ = [
    "MASTERY_THRESHOLD",
    "P_GUESS",
    "P_GUESS_BY_SKILL",
    "P_INIT",
    "P_LEARN",
    "P_SLIP",
    "SKILLS",
    "estimate",
    "mastery_table",
    "skill_name",
    "suggest",
    "update",
]
