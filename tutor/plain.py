"""``tutor run LESSON --plain``: the same walkthrough, line by line on stdin and stdout.

For screen readers, pipes and scripts: no colour, no cursor movement, no box
drawing; maths as Unicode text.  Every attempt is recorded exactly as the
Textual app records it (both use :class:`tutor.session.LessonSession`), so
progress carries over between the two.  End of input at any prompt ends the
sitting cleanly (exit status 0) with everything already saved.

At the answer prompt: ``hint``, ``solution``, ``skip`` and ``quit`` are
commands; anything else is an answer.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.text import tr

if TYPE_CHECKING:  # only for the annotations: plain mode imports these when it needs them
    from tutor.lesson.model import Lesson
    from tutor.progress import ProgressStore

COMMANDS = {
    "hint": "hint",
    "h": "hint",
    "提示": "hint",
    "solution": "solution",
    "答案": "solution",
    "skip": "skip",
    "跳过": "skip",
    "quit": "quit",
    "q": "quit",
    "exit": "quit",
    "退出": "quit",
}


# --- a terminal that cannot show every character -------------------------------------------

#: How the tutor's symbols read in plain letters, for an output that cannot encode them.
SPELLED = {
    "−": "-",
    "·": "*",
    "⋅": "*",
    "×": "x",
    "÷": "/",
    "±": "+/-",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "⇔": "<=>",
    "…": "...",
    "⋯": "...",
    "′": "'",
    "″": "''",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "—": "--",
    "–": "-",
    "•": "*",
    "∇": "grad ",
    "∂": "d",
    "√": "sqrt",
    "∞": "inf",
    "Σ": "sum",
    "∈": " in ",
    "✓": "[right]",
    "✗": "[wrong]",
    "⚠": "[!]",
    "⟨": "<",
    "⟩": ">",
    "‖": "||",
    "∼": "~",
    "∝": "~",
}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵏᵀᵗ", "0123456789+-=()nikTt"))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789+-=()aehijklmnoprstuvx"))


def spell(text: str) -> str:
    """Text in plain ASCII letters: x² -> x^2, xₖ -> x_k, η -> eta, − -> -; '?' for what has no spelling."""
    import unicodedata

    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in SUPERSCRIPTS or c in SUBSCRIPTS:  # a run of them is one exponent or index
            table, mark = (SUPERSCRIPTS, "^") if c in SUPERSCRIPTS else (SUBSCRIPTS, "_")
            j = i
            while j < len(text) and text[j] in table:
                j += 1
            run = "".join(table[ch] for ch in text[i:j])
            out.append(mark + (run if len(run) == 1 else f"({run})"))
            i = j
            continue
        if ord(c) < 128:
            out.append(c)
        elif c in SPELLED:
            out.append(SPELLED[c])
        else:
            name = unicodedata.name(c, "")
            plain = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
            if name.startswith("GREEK SMALL LETTER "):
                out.append(name.rsplit(" ", 1)[1].lower())
            elif name.startswith("GREEK CAPITAL LETTER "):
                out.append(name.rsplit(" ", 1)[1].capitalize())
            elif plain:
                out.append(plain)  # é -> e, ｘ -> x
            else:
                out.append("?")
        i += 1
    return "".join(out)


def _spell_errors(err: UnicodeError) -> tuple[str, int]:
    """The codec error handler ``tutor-spell``: what the output cannot encode is spelled in ASCII."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return spell(err.object[err.start : err.end]), err.end


codecs.register_error("tutor-spell", _spell_errors)

#: Characters the tutor prints: an output that cannot encode them all needs the fallback.
PROBE = "−x²₀η✓中"


def _encodes(stream, sample: str = PROBE) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def tolerant_streams(stdout=None, stderr=None, stdin=None) -> bool:
    """Make the real standard streams survive a non-UTF-8 locale (``LANG=C``, ``PYTHONIOENCODING=ascii``).

    Output that cannot be encoded is spelled in ASCII instead of raising
    UnicodeEncodeError; input is read as UTF-8 (ASCII's superset) with
    undecodable bytes replaced, so the learner can always type an answer.
    Returns True when the output had to fall back.
    """
    degraded = False
    for stream in (stdout or sys.stdout, stderr or sys.stderr):
        if stream is not None and not _encodes(stream) and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="tutor-spell")
                degraded = True
            except (ValueError, OSError):
                pass
    stdin = stdin or sys.stdin
    if stdin is not None and hasattr(stdin, "reconfigure"):
        encoding = (getattr(stdin, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        try:
            if encoding in ("ascii", "usascii", "ansix3.41968", "646"):
                stdin.reconfigure(encoding="utf-8", errors="replace")
            elif encoding not in ("utf8", "utf8sig"):
                stdin.reconfigure(errors="replace")
            else:  # invalid UTF-8 arrives as lone surrogates, which the view replaces and says so
                stdin.reconfigure(errors="surrogateescape")
        except (ValueError, OSError):
            pass
    return degraded


class _EndOfInput(Exception):
    """Input ended (EOF) or the learner typed quit: stop, progress is already saved."""


class PlainTutor:
    """The line-by-line view of one lesson."""

    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin = stdin
        self.stdout = stdout
        self.store: ProgressStore | None = None
        self._told = 0
        self.plots_failed = False  # the plots folder could not be written

    def tell_store_messages(self) -> None:
        """Say, once, what the progress store had to report (a damaged file, a disk that refuses)."""
        if self.store is not None:
            for message in self.store.messages[self._told :]:
                self.say(message)
            self._told = len(self.store.messages)

    def goodbye(self) -> None:
        """'saved' only when it is: queued writes are given a moment; a full or read-only disk is said."""
        saved = self.store is None or self.store.settle()
        self.tell_store_messages()
        if saved:
            self.say(_("Progress saved. Goodbye."))
        else:
            self.say(_("Progress NOT saved (see above). Goodbye."))

    def say(self, text: str = "") -> None:
        from tutor.safe_text import shown

        self.stdout.write(shown(text) + "\n")  # lesson text and echoed answers: control characters shown, never sent
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        from tutor.safe_text import shown

        self.tell_store_messages()
        self.stdout.write(shown(prompt))
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:  # EOF
            self.say()
            raise _EndOfInput
        line = line.rstrip("\r\n")
        if "\ufffd" in line or any("\ud800" <= c <= "\udfff" for c in line):
            import re

            line = re.sub("[\ud800-\udfff]", "\ufffd", line)  # undecodable bytes: seen as �, never stored raw
            self.say(_("note: that line was not valid UTF-8 text; the bytes that could not be read show as �."))
        if not _is_tty(self.stdin):  # piped: echo, so the transcript reads like a session
            from tutor.session import clip

            self.say(clip(line))
        return line

    # --- choosing a lesson -------------------------------------------------------------------

    def choose(self, lesson_dirs: list[Path], store) -> Lesson | None:
        from tutor.lesson.catalog import find_lessons

        entries = find_lessons(lesson_dirs)
        if not entries:
            self.say(_("No lessons found."))
            return None
        self.say(_("Lessons:"))
        for number, entry in enumerate(entries, start=1):
            title = tr(entry.title) or entry.id
            if entry.error is not None or entry.lesson is None:
                self.say(f"  {number}. {title} " + _("[broken: {error}]").format(error=entry.error))
            else:
                steps, questions = store.totals(entry.id)
                self.say(f"  {number}. {title} ({store.summary(entry.id, steps, questions)})")
        last = store.last_lesson()
        default = next((e for e in entries if e.id == last and e.lesson is not None and e.error is None), None)
        asked = _("Lesson number [Enter: {lesson}]: ").format(lesson=default.id) if default else _("Lesson number: ")
        while True:
            text = self.ask(asked).strip()
            if not text and default is not None:
                return default.lesson
            if COMMANDS.get(text.lower()) == "quit":
                raise _EndOfInput
            if text.isdigit() and 1 <= int(text) <= len(entries):
                entry = entries[int(text) - 1]
                if entry.error is None and entry.lesson is not None:
                    return entry.lesson
                self.say(_("That lesson cannot be opened: {error}").format(error=entry.error))
                continue
            self.say(_("Type a number from 1 to {n}.").format(n=len(entries)))

    # --- one lesson -----------------------------------------------------------------------------

    def run_lesson(self, lesson, store) -> None:
        from tutor.lesson.variants import for_learner
        from tutor.sandbox import bounded_walkthrough
        from tutor.session import LessonSession

        walkthrough = bounded_walkthrough(for_learner(lesson, store))  # in the sandbox: a lesson cannot hang the tutor
        session = LessonSession(walkthrough, store)
        session.restore()
        session.go(session.step_index)
        self.say(f"# {tr(walkthrough.title)}")
        if session.step_index > 0:
            self.say(_("(resuming at step {i})").format(i=session.step_index + 1))
        while True:
            self.show_step(session)
            self.ask_questions(session)
            if session.at_last_step:
                session.finish()
                self.say(_("Lesson finished: {summary}").format(summary=session.summary()))
                return
            session.skipped.clear()
            session.next_step()

    def show_step(self, session) -> None:
        from tutor.latex_unicode import plain_maths
        from tutor.tables import function_line

        step = session.step
        n = len(session.steps)
        self.say()
        i = session.step_index + 1
        title = plain_maths(tr(step.title))
        self.say("## " + _("Step {i} of {n}: {title}").format(i=i, n=n, title=title))
        from tutor.plaintext import strip_markdown

        text = plain_maths(strip_markdown(tr(step.text))).strip()
        if text:
            self.say(text)
        line = function_line(step)
        if line:
            self.say(line)
        self.show_table(session)
        if not step.questions:
            self.show_plot(session)
        if not step.questions:
            answer = self.ask(_("(Enter to go on) "))
            if COMMANDS.get(answer.strip().lower()) == "quit":
                raise _EndOfInput

    def show_table(self, session) -> None:
        from tutor.tables import plain_table

        table = plain_table(session.step, reveal=session.step_done())
        if table:
            self.say(table)

    def show_plot(self, session) -> None:
        """Write the step's PNG and say where (screen readers cannot see it, but it can be opened)."""
        from tutor.paths import plots_dir

        step = session.step
        if self.plots_failed:
            return
        from tutor.plots import plot_step

        try:
            path = plot_step(step, plots_dir() / session.lesson_id / f"{step.id}.png")
        except TutorError as err:
            self.say(_("(no plot: {reason})").format(reason=err.message))
            return
        except OSError as err:  # the data folder cannot be written (read-only, full, a file in the way)
            if not self.plots_failed:  # said once; later steps stay quiet about it
                reason = err.strerror or str(err)
                self.say(_("(no plots: they cannot be saved: {reason})").format(reason=reason))
            self.plots_failed = True
            return
        if path is not None:
            self.say(_("Plot: {path}").format(path=path))

    def ask_questions(self, session) -> None:
        from tutor.latex_unicode import plain_maths
        from tutor.session import prompt_text

        while (q := session.current_question()) is not None:
            count = len(session.step.questions)
            where = f"[{session.step.questions.index(q) + 1}/{count}] " if count > 1 else ""
            self.say(where + plain_maths(prompt_text(q)))
            text = self.ask("> ").strip()
            command = COMMANDS.get(text.lower())
            if command == "quit":
                raise _EndOfInput
            if command == "hint":
                hint = session.hint(q)
                self.say(
                    _("Hint: {hint}").format(hint=plain_maths(hint))
                    if hint is not None
                    else _("No more hints; type solution to see it.")
                )
                continue
            if command == "solution":
                self.say(_("Solution: {solution}").format(solution=plain_maths(session.solution(q))))
                continue
            if command == "skip":
                revealed = session.skip(q)
                self.say(_("Skipped. {answer}").format(answer=plain_maths(revealed)))
                continue
            if not text:
                self.say(_("Type an answer, or hint, solution, skip, quit."))
                continue
            try:
                grade = session.check(q, text)
            except TutorError as err:
                session.refuse(q, text, err.message)
                self.say(_("Invalid: {reason}").format(reason=err.message))
                continue
            session.accept(q, text, grade)
            self.show_grade(session, text, grade)
        if session.step.questions:  # answered: now the table and the plot can show everything
            self.show_table(session)
            self.show_plot(session)
            lines = session.derivation() if session.step_settled() else []
            if lines:  # a derive step: the derivative rule by rule
                self.say(_("Worked solution:"))
                for line in lines:
                    self.say("  - " + line)

    def show_grade(self, session, text: str, grade) -> None:
        from tutor.latex_unicode import plain_maths

        words = plain_maths(session.grade_text(grade))  # the grade says right / not right / unreadable itself
        if not words:
            words = {"right": _("Right."), "wrong": _("Not right.")}.get(grade.verdict, _("Invalid (not counted)."))
        self.say(words)
        if grade.verdict not in ("right", "wrong"):
            column = getattr(grade, "column", None)
            if column is not None and text:
                from tutor.session import caret

                for line in caret(text, column).splitlines():
                    self.say("  " + line)


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_plain(
    lesson: str | Lesson | None,
    lesson_dirs: list[Path],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run a lesson (or choose one) on stdin/stdout; 0 when input ends or the lesson does."""
    from tutor.progress import ProgressStore

    if stdin is None and stdout is None and tolerant_streams():
        print(
            _(
                "note: this terminal's encoding ({encoding}) cannot show every symbol, so they are spelled"
                " in plain letters (x^2, eta); a UTF-8 locale such as LANG=C.UTF-8 shows them."
            ).format(encoding=sys.stdout.encoding),
            file=sys.stderr,
        )
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    view = PlainTutor(stdin, stdout)
    store = view.store = ProgressStore()
    try:
        if lesson:
            from tutor.lesson.catalog import resolve_lesson
            from tutor.lesson.model import Lesson

            chosen = lesson if isinstance(lesson, Lesson) else resolve_lesson(lesson, list(lesson_dirs))
        else:
            picked = view.choose(list(lesson_dirs), store)
            if picked is None:
                return 0
            chosen = picked
        view.run_lesson(chosen, store)
    except _EndOfInput:
        view.goodbye()
    except BrokenPipeError:  # the reader went away (| head): stop quietly, everything is saved
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    except KeyboardInterrupt:
        view.say()
        view.goodbye()
    finally:
        try:
            view.tell_store_messages()
        except (BrokenPipeError, OSError, ValueError):
            pass
        store.close()
    return 0
