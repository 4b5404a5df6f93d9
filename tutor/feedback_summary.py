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

from tutor.text import both, tr

if TYPE_CHECKING:
    from tutor.progress import Attempt


def lesson_summary(attempts: Iterable[Attempt], total: int, lang: str = "en") -> str:
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
    en = [f"{len(first_try)} of {total} questions right at the first try"]
    zh = [f"{total} 题中 {len(first_try)} 题一次答对"]
    if later:
        en.append(f"{len(later)} right after more tries or hints")
        zh.append(f"{len(later)} 题多次尝试或看提示后答对")
    if shown:
        en.append(f"{len(shown)} with the answer shown")
        zh.append(f"{len(shown)} 题看了答案")
    if untouched:
        en.append(f"{untouched} not answered")
        zh.append(f"{untouched} 题未作答")
    en_tail = f"; {wrong_tries} wrong {'try' if wrong_tries == 1 else 'tries'}, {hints} hint{'' if hints == 1 else 's'}"
    zh_tail = f"；答错 {wrong_tries} 次，提示 {hints} 次"
    return tr(both(", ".join(en) + en_tail + ".", "，".join(zh) + zh_tail + "。"), lang)
