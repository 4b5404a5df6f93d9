"""The end of a lesson in honest words: what was right at the first try, what took several, what was shown.

"4 of 4 questions right" after several wrong tries and a solution says
less than the truth.  The summary counts, per question, from the stored
attempts in order: right at the first counted answer with no hint or
solution before it; right later (after wrong tries or hints); solution
shown (F3, or a skip, which shows the value); not answered.  Hints are
counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tutor.i18n import _, ngettext

if TYPE_CHECKING:
    from tutor.progress import Attempt


def lesson_summary(attempts: Iterable[Attempt], total: int) -> str:
    """One line for the end of a lesson, from its attempts (``tutor.progress.Attempt`` rows, in order)."""
    first_try: set[str] = set()
    later: set[str] = set()
    shown: set[str] = set()
    helped: set[str] = set()
    wrong_tries = 0
    hints = 0
    answered: set[str] = set()
    for a in attempts:
        q = a.question_id
        if a.kind == "hint":
            hints += 1
            helped.add(q)
        elif a.kind == "solution":
            if q not in first_try and q not in later:
                shown.add(q)
        elif a.kind == "answer" and a.verdict in ("right", "wrong"):
            first = q not in answered
            answered.add(q)
            if a.verdict == "wrong":
                if q not in first_try and q not in later:
                    wrong_tries += 1
                continue
            if q in first_try or q in later or q in shown:
                continue
            (first_try if first and q not in helped else later).add(q)
    untouched = max(total - len(first_try | later | shown), 0)
    parts = [
        ngettext(
            "{first} of {total} question right at the first try",
            "{first} of {total} questions right at the first try",
            total,
        ).format(first=len(first_try), total=total)
    ]
    if later:
        parts.append(_("{n} right after more tries or hints").format(n=len(later)))
    if shown:
        parts.append(_("{n} with the answer shown").format(n=len(shown)))
    if untouched:
        parts.append(_("{n} not answered").format(n=untouched))
    tries = ngettext("{n} wrong try", "{n} wrong tries", wrong_tries).format(n=wrong_tries)
    hinted = ngettext("{n} hint", "{n} hints", hints).format(n=hints)
    return _("{parts}; {tries}, {hints}.").format(parts=_(", ").join(parts), tries=tries, hints=hinted)
