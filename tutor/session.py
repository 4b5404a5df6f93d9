"""One learner's way through one walkthrough, shared by the Textual app and the plain mode.

It holds what a view needs to remember between key presses: the step the
learner is on, which questions are settled (answered right, or the solution
shown), how many hints each question has given, and the learner's own earlier
values for error carried forward.  Every attempt goes to the progress store the
moment it happens.  Grading itself is :func:`tutor.grading.grade`; this module
only decides what to ask next and what to record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, assert_never

from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.progress import ProgressStore
from tutor.text import Text, tr

if TYPE_CHECKING:  # the walkthrough brings sympy: the app's first frame must not wait for it
    from tutor.walkthrough.steps import Question, Step, Walkthrough


#: Answers longer than this are stored shortened (the grader refuses them anyway).
STORED_ANSWER_LIMIT = 4000


@dataclass(frozen=True)
class Answered:
    """What became of one submitted answer, for the view to show."""

    question: Question
    answer: str
    grade: Any  # tutor.grading.Grade

    @property
    def verdict(self) -> str:
        return self.grade.verdict


class LessonSession:
    """Where the learner is in a walkthrough and what they have done there."""

    def __init__(self, walkthrough: Walkthrough, store: ProgressStore):
        self.walkthrough = walkthrough
        self.store = store
        self.earlier: dict[str, Any] = {}  # question id -> the learner's last counted value
        self.settled: set[str] = set()  # answered right, or the solution was shown
        self.skipped: set[str] = set()  # passed over in this sitting
        self.hints_given: dict[str, int] = {}
        self.last: dict[str, Answered] = {}  # question id -> the learner's latest counted answer
        self.revealed: set[str] = set()  # questions whose solution was shown
        self._hints: dict[str, list[Text]] = {}  # question id -> its hints, worked out once
        count = len(walkthrough.steps)
        self.step_index = min(max(store.position(self.lesson_id), 0), max(count - 1, 0))
        if store.is_finished(self.lesson_id) and self.step_index == count - 1:
            self.step_index = 0  # a finished lesson opens at its start, to look back through it

    # --- what there is ----------------------------------------------------------------------

    @property
    def lesson_id(self) -> str:
        return self.walkthrough.lesson_id

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.walkthrough.steps

    @property
    def step(self) -> Step:
        return self.steps[self.step_index]

    @property
    def at_last_step(self) -> bool:
        return self.step_index >= len(self.steps) - 1

    def total_questions(self) -> int:
        return len(self.walkthrough.questions())

    def current_question(self) -> Question | None:
        """The first question of this step not yet settled or passed over."""
        for q in self.step.questions:
            if q.id not in self.settled and q.id not in self.skipped:
                return q
        return None

    def step_done(self) -> bool:
        """Nothing left to ask on this step (every question settled or passed over)."""
        return self.current_question() is None

    def step_settled(self, step: Step | None = None) -> bool:
        step = step or self.step
        return all(q.id in self.settled for q in step.questions)

    # --- coming back ---------------------------------------------------------------------------

    def restore(self, grade: Callable | None = None) -> None:
        """Rebuild the sitting from the stored attempts (re-grading answers for their values).

        Runs the grader, so views call it from a worker thread.
        """
        if grade is None:
            from tutor import grading

            grade = grading.grade
        known = {q.id: q for q in self.walkthrough.questions()}
        for attempt in self.store.attempts(self.lesson_id):
            q = known.get(attempt.question_id)
            if q is None:  # the lesson changed since: that question is gone
                continue
            if attempt.kind == "hint":
                self.hints_given[q.id] = self.hints_given.get(q.id, 0) + 1
            elif attempt.kind == "solution":
                self.settled.add(q.id)
                self.revealed.add(q.id)
                self.earlier.pop(q.id, None)
            elif attempt.kind == "answer" and attempt.verdict in ("right", "wrong"):
                try:
                    g = grade(q, attempt.answer, dict(self.earlier))
                except TutorError:
                    continue
                if g.counted:
                    self.last[q.id] = Answered(q, attempt.answer, g)
                if attempt.verdict == "right" and g.right:
                    self.earlier[q.id] = g.value  # only a right value is built on (never a wrong attempt's)
                    self.settled.add(q.id)

    # --- answering ------------------------------------------------------------------------------

    def check(self, question: Question, text: str, earlier: dict | None = None):
        """Grade an answer (no recording).

        From a worker thread, pass ``earlier`` copied on the UI thread, so the
        grader never reads the dict while the UI changes it.
        """
        from tutor.grading import grade

        return grade(question, text, dict(self.earlier) if earlier is None else earlier)

    def accept(self, question: Question, text: str, grade) -> Answered:
        """Record a graded answer and let it count: settles the question when right."""
        self.record(question, text, grade)
        return self.apply(question, text, grade)

    def record(self, question: Question, text: str, grade) -> None:
        """Store the attempt (the store is thread-safe: a worker may call this the moment it graded)."""
        kind = "answer" if grade.counted else "invalid"
        self.store.record(
            self.lesson_id,
            question.id,
            clip(text, STORED_ANSWER_LIMIT),
            grade.verdict,
            self.grade_text(grade),
            kind=kind,
            skill=question.skill,
        )

    def apply(self, question: Question, text: str, grade) -> Answered:
        """Let a recorded grade count in this sitting (UI thread): earlier values, settled questions.

        Only a right answer becomes an earlier value that later questions are judged from: a question
        left wrong (skipped, or its solution shown) goes on from the true value, the one the table shows.
        """
        if grade.verdict == "right":
            self.earlier[question.id] = grade.value
            self.settled.add(question.id)
            self.skipped.discard(question.id)
        answered = Answered(question, text, grade)
        if grade.counted:
            self.last[question.id] = answered
        return answered

    def refuse(self, question: Question, text: str, message: str) -> None:
        """Record an answer the grader could not handle at all (kept, never counted)."""
        self.store.record(
            self.lesson_id,
            question.id,
            clip(text, STORED_ANSWER_LIMIT),
            "invalid",
            message,
            kind="invalid",
            skill=question.skill,
        )

    def grade_text(self, grade) -> str:
        """The grade in words: verdict, which part, matched feedback, carried forward (Markdown stripped)."""
        from tutor.plaintext import strip_markdown

        parts = [strip_markdown(tr(grade.message))]
        if grade.feedback:
            parts.append(strip_markdown(tr(grade.feedback)))
        carried = _("Your earlier value was carried forward: this was judged from your own answer.")
        if grade.carried_forward and "carried" not in " ".join(parts) and "沿用" not in " ".join(parts):
            parts.append(carried)
        text = ""
        for part in (p for p in parts if p):
            text = _(SENTENCES).format(first=text, then=part) if text else part
        return text

    def prepare_hints(self) -> None:
        """Gather every question's hints now (the walkthrough has already derived them), so F2 only looks up."""
        for question in self.walkthrough.questions():
            self.hints(question)

    def hints(self, question: Question) -> list[Text]:
        """The author's hints, then (for a derivative) the engine's derivation one rule at a time."""
        known = self._hints.get(question.id)
        if known is None:
            known = self._hints[question.id] = self._work_out_hints(question)
        return known

    def _work_out_hints(self, question: Question) -> list[Text]:
        """General to specific, the answer only in the last: the author's first hint, the derivation's
        rules innermost first, the author's other hints, then the derivative of each variable."""
        from tutor.walkthrough.contract import DeriveContext

        authored: list[Text] = list(question.help.hints)
        if not isinstance(question.context, DeriveContext):
            return authored
        rules: list[Text] = []
        results: list[Text] = []
        for steps in question.context.hints:  # per variable, outermost rule first: the first is the derivative
            if not steps:
                continue
            answer = _result(steps[0])
            inner = list(reversed(steps[1:]))
            # a rule whose result is already the whole derivative (the one term with x in it) would give
            # the answer early: the last hint, the whole derivation, says it
            rules += [step for step in inner if _result(step) != answer]
            results.append(steps[0])
        return authored[:1] + rules + authored[1:] + results

    def hint(self, question: Question) -> str | None:
        """The next hint (recorded), or None when there are no more."""
        available = self.hints(question)
        given = self.hints_given.get(question.id, 0)
        if given >= len(available):
            return None
        from tutor.plaintext import strip_markdown

        text = strip_markdown(tr(available[given]))
        self.hints_given[question.id] = given + 1
        self.store.record(self.lesson_id, question.id, "", "", text, kind="hint", skill=question.skill)
        return text

    def hint_count(self, question: Question) -> tuple[int, int]:
        return self.hints_given.get(question.id, 0), len(self.hints(question))

    def solution(self, question: Question) -> str:
        """The worked solution (recorded as shown); the question is settled by it."""
        text = self.solution_text(question)
        self.store.record(self.lesson_id, question.id, "", "", text, kind="solution", skill=question.skill)
        self.settled.add(question.id)
        self.revealed.add(question.id)
        self.skipped.discard(question.id)
        self.earlier.pop(question.id, None)  # later questions build on the true value now
        return text

    def solution_text(self, question: Question) -> str:
        from tutor.plaintext import strip_markdown
        from tutor.walkthrough import expected_given  # loaded already: it built self.walkthrough

        expected, carried = expected_given(question, self.earlier)
        answer = format_value(question, expected)
        lines = []
        if question.help.solution:
            lines.append(strip_markdown(tr(question.help.solution)))
        lines.append(_("The answer is {answer}.").format(answer=answer))
        if carried:
            lines.append(_("(This follows from your own earlier answers.)"))
        return "\n".join(lines)

    def reveal_text(self, question: Question) -> str:
        """The right value and its one-line reason (the last line of the worked solution), for a skip."""
        from tutor.plaintext import strip_markdown

        answer = format_value(question, question.expected)
        reason = ""
        if question.help.solution:
            lines = [line.strip() for line in tr(question.help.solution).splitlines() if line.strip()]
            reason = strip_markdown(lines[-1]) if lines else ""
        said = _("The answer was {answer}.").format(answer=answer)
        return f"{said} {reason}".strip()

    def derivation(self, step: Step | None = None) -> list[str]:
        """A derive step's derivative, one rule per line (Unicode text); [] for any other step."""
        from tutor.walkthrough.contract import (
            BatchPayload,
            DerivePayload,
            DescentFacts,
            EvaluatePayload,
            ExplainPayload,
            PredictPayload,
            QuestionPayload,
            TrainingPayload,
        )

        payload = (step or self.step).payload
        match payload:
            case DerivePayload(derivation=derivation):
                return [tr(line) for line in derivation.lines]
            case ExplainPayload() | EvaluatePayload() | DescentFacts() | PredictPayload() | TrainingPayload():
                return []
            case BatchPayload() | QuestionPayload():
                return []
            case _:
                assert_never(payload)

    def skip(self, question: Question) -> str:
        """Pass over a question for now: its right value is shown (and recorded as shown), and later
        questions go on from that value, never from a wrong attempt.  Returns what to show."""
        text = self.reveal_text(question)
        self.skipped.add(question.id)
        self.earlier.pop(question.id, None)
        if question.id not in self.revealed:
            self.store.record(self.lesson_id, question.id, "", "", text, kind="solution", skill=question.skill)
            self.revealed.add(question.id)
        return text

    # --- moving ---------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        self.step_index = min(max(index, 0), len(self.steps) - 1)
        self.store.set_position(self.lesson_id, self.step_index, len(self.steps), self.total_questions())

    def next_step(self) -> bool:
        """Move on; at the end, mark the lesson finished and return False."""
        if self.at_last_step:
            self.finish()
            return False
        self.go(self.step_index + 1)
        return True

    def previous_step(self) -> bool:
        if self.step_index == 0:
            return False
        self.go(self.step_index - 1)
        return True

    def finish(self) -> None:
        self.store.set_position(self.lesson_id, self.step_index, len(self.steps), self.total_questions())
        self.store.finished(self.lesson_id)

    def score(self) -> tuple[int, int]:
        right, _tried = self.store.score(self.lesson_id)
        return right, self.total_questions()

    def summary(self) -> str:
        """The end of the lesson in words: right at the first try, right later, hints, solutions shown."""
        from tutor.feedback_summary import lesson_summary

        return lesson_summary(self.store.attempts(self.lesson_id), self.total_questions())


#: Two sentences of feedback one after the other (Chinese needs no space between them).
SENTENCES = N_("{first} {then}")


def _result(step: Text) -> str:
    """What a derivation step comes to: the text after its last '='."""
    return tr(step, "en").rsplit("=", 1)[-1].strip()


def format_value(question: Question, value: Any) -> str:
    """An expected answer in the lesson's notation (which the answer box reads too): 1/2, 10x, (4, 12, 21), decrease."""
    if question.kind == "choice":
        for choice in question.choices:
            if choice.key == value:
                label = tr(choice.label)
                # TRANSLATORS: a choice's label and the key a learner may type; drop {key} if labels are typed too
                return label if label == choice.key else _("{label} ({key})").format(label=label, key=choice.key)
        return str(value)
    import sympy as sp

    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(format_value(question, v) for v in value) + ")"
    if isinstance(value, sp.Basic):
        from tutor.derivation import show  # 4x³ − 4 as the lesson writes it, never Python's 4*x**3 - 4

        return show(value)
    return str(value)


def prompt_text(question: Question) -> str:
    """The question (Markdown markers stripped), with its choices unless the question already names them all."""
    from tutor.plaintext import strip_markdown

    text = strip_markdown(tr(question.prompt))
    if question.kind == "choice" and question.choices:
        labels = [tr(c.label) or c.key for c in question.choices]
        if all(label.lower() in text.lower() for label in labels):
            return text
        options = ", ".join(
            # TRANSLATORS: a choice's label and the key a learner may type; drop {key} if labels are typed too
            label if label == c.key else _("{label} [{key}]").format(label=label, key=c.key)
            for label, c in zip(labels, question.choices)
        )
        text += f"  ({options})"
    return text


def caret(text: str, column: int, width: int = 70) -> str:
    """The answer (a window of a long one) and a ^ under the column the grader could not read.

    CJK characters take two columns on a terminal.
    """
    import unicodedata

    column = max(0, min(column, len(text)))
    start = max(0, min(column - width // 2, len(text) - width))
    shown = text[start : start + width]
    before = "…" if start > 0 else ""
    after = "…" if start + width < len(text) else ""
    pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before + text[start:column])
    return f"{before}{shown}{after}\n{' ' * pad}^"


def clip(text: str, limit: int = 200) -> str:
    """A long answer shortened for echoing or storing: what it starts with and how long it was."""
    if len(text) <= limit:
        return text
    return _("{start}… ({n} characters)").format(start=text[:limit], n=len(text))
