"""The lesson screen: one step at a time, its text, the iterations so far, the question, the answer.

The screen only renders and records.  Building the walkthrough (and working
out its hints), grading an answer and drawing a plot run in thread workers
(sympy and matplotlib can take a moment), and come back to the screen through
``call_from_thread``, so the interface never waits on them.  This module
imports neither: the workers do, the first time they need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, Static

from tutor.app.bindings import fit_footer
from tutor.app.widgets.answer import AnswerInput
from tutor.app.widgets.iterations import IterationTable
from tutor.app.widgets.markdown import LessonMarkdown
from tutor.app.widgets.plot import PlotView
from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.latex_unicode import markdown_maths, plain_maths
from tutor.plaintext import strip_markdown
from tutor.safe_text import one_line, shown
from tutor.session import Answered, LessonSession, prompt_text
from tutor.session import caret as caret_line
from tutor.tables import function_line, shortened
from tutor.text import tr
from tutor.walkthrough.contract import BatchPayload, IterationPayload, TrainingPayload

if TYPE_CHECKING:  # the lesson model brings sympy: only the workers below load it
    from tutor.lesson.model import Lesson


#: From this many columns the text and the plot sit side by side (the -side breakpoint in TutorApp).
SIDE_BY_SIDE = 100
#: Stacked, from this many rows the plot sits under the text; below, F4 shows it instead of the text.
ROOMY = 30
#: Below this many columns the footer leaves out "esc Lessons" (the key still works), so the rest fits.
FOOTER_ALL_KEYS = 70

#: Steps whose picture shows before their questions are answered (it does not give the answers away).
PICTURED_WITH_QUESTIONS = (IterationPayload, TrainingPayload, BatchPayload)


def plot_mode(images: bool | str) -> str:
    """The plot mode from the app's setting: True (the old flag) is graphics, False off."""
    if images is True:
        return "graphics"
    if images is False or images not in ("graphics", "text", "off"):
        return "off"
    return images


def _markdown_escape(text: str) -> str:
    """Plain text that Markdown shows as written (no * or _ in a derivation turns into emphasis)."""
    import re

    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


class LessonScreen(Screen):
    """Steps through one lesson's walkthrough."""

    BINDINGS = [
        Binding("f2", "hint", N_("Hint"), priority=True),
        Binding("ctrl+t", "hint", N_("Hint"), show=False, priority=True),
        Binding("f3", "solution", N_("Solution"), priority=True),
        Binding("ctrl+r", "solution", N_("Solution"), show=False, priority=True),
        Binding("f7", "previous", N_("Back"), priority=True),
        Binding("f8", "next", N_("Next/skip"), priority=True),
        Binding("ctrl+n", "next", N_("Next/skip"), show=False, priority=True),
        Binding("f4", "toggle_plot", N_("Plot"), priority=True),
        Binding("f6", "toggle_exact", N_("Exact values"), show=False, priority=True),
        Binding("escape", "lessons", N_("Lessons")),
        Binding("escape", "lessons_anyway", N_("Lessons"), show=False),  # when the footer has no room to say so
        Binding("up", "scroll_text(-1)", N_("Scroll up"), show=False),
        Binding("down", "scroll_text(1)", N_("Scroll down"), show=False),
        Binding("pageup", "scroll_text(-10)", N_("Page up"), show=False),
        Binding("pagedown", "scroll_text(10)", N_("Page down"), show=False),
    ]

    def __init__(self, lesson: Lesson, images: bool | str = "off"):
        super().__init__()
        self.lesson = lesson
        #: "graphics" (the PNG in the terminal), "text" (a braille sketch) or "off" (the PNG's path)
        self.plot_mode = plot_mode(images)
        self.session: LessonSession | None = None
        self.busy = False  # an answer is being graded
        self.finished_here = False
        self.exact = False  # F6: long exact values in full in the table
        self.plot_first = False  # F4 on a small stacked screen: the plot instead of the text
        self.plotted: dict[str, Path | None] = {}
        self.sketched: dict[tuple[str, bool], object] = {}  # (step id, revealed) -> its Sketch, or None
        self.derivations: dict[str, list[str]] = {}  # step id -> the rule-by-rule derivation (derive steps)

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):  # side by side from 100 columns, stacked below (tutor.tcss)
            with Vertical(id="lesson"):
                with VerticalScroll(id="content"):
                    yield Static("", id="step-title", markup=False)
                    yield LessonMarkdown("", id="step-text")
                    yield Static("", id="function", markup=False)
                    yield IterationTable(id="iterations")
                    yield Static("", id="table-note", markup=False)
                    yield Static("", id="transcript", markup=False)
                    yield Static("", id="feedback-inline", markup=False)  # the feedback, on a short screen
                    yield LessonMarkdown("", id="worked")
                with Vertical(id="ask"):
                    yield Static("", id="prompt", markup=False)
                    yield AnswerInput(id="answer", placeholder=_("your answer"), compact=True)
                    yield Static("", id="feedback", markup=False)
            yield PlotView(mode=self.plot_mode, id="plot")
        yield Footer()

    def on_mount(self) -> None:
        self.title = one_line(tr(self.lesson.title))
        self.sub_title = _("preparing the lesson…")
        self.query_one("#content").loading = True
        self.query_one("#answer", Input).disabled = True
        self.query_one(IterationTable).display = False
        self.query_one(PlotView).show_none()
        self.prepare()

    # --- building the walkthrough ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="prepare")
    def prepare(self) -> None:
        """Build the walkthrough and re-read the learner's past attempts (sympy: not on the UI thread)."""
        from tutor.lesson.variants import for_learner
        from tutor.sandbox import bounded_walkthrough

        try:
            walkthrough = bounded_walkthrough(for_learner(self.lesson, self.app.store))  # a lesson cannot hang the app
            session = LessonSession(walkthrough, self.app.store)
            session.restore()
            session.prepare_hints()  # F2 then only looks them up
            self.derivations = {step.id: session.derivation(step) for step in walkthrough.steps}
        except TutorError as err:
            self._back_on_screen(self._failed, err.message)
            return
        except Exception as err:  # never a traceback on the learner's screen
            self._back_on_screen(self._failed, f"{type(err).__name__}: {err}")
            return
        self._back_on_screen(self._ready, session)

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            return
        self.query_one("#content").loading = False
        self.sub_title = ""
        self.query_one("#step-title", Static).update(_("This lesson cannot be opened:") + f"\n{shown(message)}")
        self.query_one("#step-title").add_class("-error")
        self.query_one("#prompt", Static).update(_("Press Esc for the lessons."))

    def _ready(self, session: LessonSession) -> None:
        self.session = session
        if not self.is_attached:  # closed while it was being prepared
            return
        self.app.tell_store()
        self.query_one("#content").loading = False
        answer = self.query_one("#answer", Input)
        answer.disabled = False
        session.go(session.step_index)  # remember this lesson as the one last opened
        self.show_step()
        answer.focus()

    # --- showing a step -------------------------------------------------------------------------

    def show_step(self) -> None:
        session = self.session
        if session is None:
            return
        step = session.step
        n = len(session.steps)
        self.sub_title = _("step {session_step_index_1} of {n}").format(
            session_step_index_1=session.step_index + 1, n=n
        )
        title = tr(step.title)
        self.query_one("#step-title", Static).update(plain_maths(title))
        self.show_text(markdown_maths(tr(step.text)))
        self.refresh_worked()
        self.query_one("#function", Static).update(function_line(step))
        self.query_one("#function").display = bool(function_line(step))
        self.refresh_table()
        self.refresh_plot()
        self.refresh_transcript()
        self.refresh_prompt()
        self.say("", None)
        self.query_one("#answer", Input).value = ""
        self.query_one("#content", VerticalScroll).scroll_home(animate=False)
        self.app.tell_store()

    def show_text(self, markdown: str) -> None:
        """The step's text, hidden until its blocks are mounted: the last step's text never shows under this title."""
        widget = self.query_one("#step-text", Markdown)
        widget.styles.visibility = "hidden"
        mounted = widget.update(markdown)

        async def reveal() -> None:
            await mounted
            widget.styles.visibility = "visible"

        self.run_worker(reveal(), group="step-text", exclusive=True)

    def refresh_worked(self) -> None:
        """Once a step's questions are settled, its worked solution under the learner's answers.

        A derive step has no text of its own: answered, it shows the derivative
        rule by rule, so the screen is not left empty.
        """
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        step = session.step
        worked = ""
        if step.questions and session.step_settled():
            lines = self.derivations.get(step.id) or []
            if lines:
                worked = "\n".join("- " + _markdown_escape(line) for line in lines)
            else:  # the author's own words when the lesson has them, else the engine's
                written = [tr(q.help.solution) for q in step.questions if q.help.solution]
                if not written and step.solution:
                    written = [tr(step.solution)]
                worked = "\n\n".join(markdown_maths(text) for text in written)
        widget = self.query_one("#worked", Markdown)
        widget.display = bool(worked)
        widget.update("**" + _("Worked solution") + "**\n\n" + worked if worked else "")

    def refresh_table(self) -> None:
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        table = self.query_one(IterationTable)
        table.display = table.show(session.step, reveal=session.step_done(), exact=self.exact)
        note = self.query_one("#table-note", Static)
        words = ""
        if table.display and shortened(table.body):
            words = _("≈: rounded. F6 shows the exact values.")
        elif table.display and self.exact:
            words = _("Exact values. F6 rounds the long ones.")
        note.update(words)
        note.display = bool(words)

    def action_toggle_exact(self) -> None:
        """F6: a run's long exact fractions in full, or rounded again."""
        if self.session is None:
            return
        self.exact = not self.exact
        self.refresh_table()

    def refresh_transcript(self) -> None:
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        lines = []
        for q in session.step.questions:
            answered = session.last.get(q.id)
            short = plain_maths(strip_markdown(tr(q.prompt)))
            if q.id in session.settled:
                if answered is not None and answered.verdict == "right":
                    lines.append(f"✓ {short}  {answered.answer}")
                else:
                    lines.append(f"• {short}  " + _("(solution shown)"))
            elif answered is not None and answered.verdict == "wrong":
                lines.append(f"✗ {short}  {answered.answer}")
            elif q.id in session.skipped:
                lines.append(f"… {short}  " + _("(skipped)"))
        widget = self.query_one("#transcript", Static)
        widget.update(shown("\n".join(lines)))  # the learner's own answers
        widget.display = bool(lines)

    def refresh_prompt(self) -> None:
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        q = session.current_question()
        prompt = self.query_one("#prompt", Static)
        answer = self.query_one("#answer", Input)
        if q is not None:
            index = session.step.questions.index(q) + 1
            count = len(session.step.questions)
            where = f"[{index}/{count}] " if count > 1 else ""
            prompt.update(where + plain_maths(prompt_text(q)))
            answer.placeholder = _("your answer, then Enter")
        elif self.finished_here or session.at_last_step:
            prompt.update(_("End of the lesson: {summary} Press Enter to finish.").format(summary=session.summary()))
            answer.placeholder = _("Enter to finish")
        elif session.step.questions and not session.step_settled():
            prompt.update(_("You skipped a question here. Enter goes on; F7 goes back to it."))
            answer.placeholder = _("Enter for the next step")
        else:
            prompt.update(_("Press Enter for the next step."))
            answer.placeholder = _("Enter for the next step")

    def set_feedback_class(self, verdict: str | None) -> None:
        for feedback in self.query("#feedback, #feedback-inline"):
            for name in ("-right", "-wrong", "-invalid", "-hint", "-solution"):
                feedback.remove_class(name)
            if verdict:
                feedback.add_class(f"-{verdict}")

    def say(self, text: str, verdict: str | None) -> None:
        """Feedback under the answer box; on a short screen at the end of the step, where ↑/↓ reach it."""
        text = shown(text)  # feedback quotes the learner's answer
        self.query_one("#feedback", Static).update(text)
        inline = self.query_one("#feedback-inline", Static)
        inline.update(text)
        inline.set_class(not text, "-empty")
        self.set_feedback_class(verdict)
        if text and self.has_class("-short"):
            self.call_after_refresh(self._show_inline_feedback)

    def _show_inline_feedback(self) -> None:
        if self.is_attached:
            self.query_one("#content", VerticalScroll).scroll_to_widget(
                self.query_one("#feedback-inline"), animate=False, top=True
            )

    def on_resize(self) -> None:
        fit_footer(self)
        self.fit()

    def fit(self) -> None:
        """Side by side from SIDE_BY_SIDE columns; stacked, the plot under the text from ROOMY rows, else behind F4."""
        width, height = self.size
        stacked_small = width < SIDE_BY_SIDE and height < ROOMY
        self.set_class(stacked_small and not self.plot_first, "-no-plot")
        self.set_class(stacked_small and self.plot_first, "-plot-only")
        self.refresh_bindings()

    def action_toggle_plot(self) -> None:
        """F4 on a small stacked screen: the plot in place of the text, and back."""
        self.plot_first = not self.plot_first
        self.fit()

    def check_action(self, action: str, parameters) -> bool | None:
        width, height = self.size
        if action == "toggle_plot":  # only where the plot is not already on screen beside the text
            return width < SIDE_BY_SIDE and height < ROOMY
        if action == "lessons":  # its label makes way for F4 in a narrow footer; Esc then runs lessons_anyway
            return width >= FOOTER_ALL_KEYS
        return True

    # --- plots ------------------------------------------------------------------------------------

    def refresh_plot(self) -> None:
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        step = session.step
        view = self.query_one(PlotView)
        if self.plot_mode == "text":
            self.refresh_sketch()
            return
        if step.questions and not session.step_done():  # the picture would give the answers away
            if not isinstance(step.payload, PICTURED_WITH_QUESTIONS):
                view.show_none()
                return
            view.show_note(_("The plot appears once you have answered this step."))
            return
        if step.id in self.plotted:
            path = self.plotted[step.id]
            view.show_plot(path) if path else view.show_none()
            return
        view.show_busy()
        self.draw_plot(session.lesson_id, step)

    def refresh_sketch(self) -> None:
        """The braille picture: before the step's questions are answered, without what they ask."""
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        step = session.step
        view = self.query_one(PlotView)
        revealed = not step.questions or session.step_done()
        if not revealed and not isinstance(step.payload, PICTURED_WITH_QUESTIONS):
            view.show_none()
            return
        key = (step.id, revealed)
        if key in self.sketched:
            self._show_sketch(self.sketched[key])
        else:
            view.show_busy()
        wanted = [key]
        # the next step too, both ways, so the key press that opens it finds its picture ready
        later = session.steps[session.step_index + 1 : session.step_index + 2]
        wanted += [(s.id, r) for s in later for r in (False, True)]
        missing = [k for k in wanted if k not in self.sketched]
        if missing:
            from tutor.app.widgets.textplot import SketchPlot

            by_id = {s.id: s for s in session.steps}
            plot = self.query_one(SketchPlot)
            # read here, on the UI thread: a widget's size read from a worker can make Textual lay the screen out
            # there, racing the UI thread's own layout (its box-model cache then failed with a KeyError)
            width, height = plot.size if plot.size.area else plot.last_size
            self.draw_sketches([(by_id[i], r) for i, r in missing], plot, width, height, plot.theme_name())

    def _show_sketch(self, sketch) -> None:
        view = self.query_one(PlotView)
        if sketch is None:
            view.show_none()
        else:
            view.show_sketch(sketch)

    @work(thread=True, group="sketch")
    def draw_sketches(self, wanted: list, plot: Any, width: int, height: int, theme: str) -> None:
        """Each (step, revealed) sketch (numpy), drawn at the plot's size (plotext), off the UI thread.

        Shown if its step is on screen; the next step's are ready for the key that opens it.  The plot's size and
        theme are read on the UI thread (see the caller); here only its cache of drawings is filled.
        """
        from tutor.app.widgets.textplot import build_text

        for step, revealed in wanted:
            try:
                from tutor.plots.sketch import sketch_step

                sketch = sketch_step(step, reveal=revealed)
                if sketch is not None and width and height:
                    plot.prime(sketch, width, height, theme, build_text(sketch, width, height, theme))
            except ImportError:
                sketch = None
            except TutorError as err:
                self._back_on_screen(self._plot_failed, step.id, err.message)
                continue
            except Exception as err:
                self._back_on_screen(self._plot_failed, step.id, f"{type(err).__name__}: {err}")
                continue
            self._back_on_screen(self._sketched, step.id, revealed, sketch)

    def _sketched(self, step_id: str, revealed: bool, sketch) -> None:
        self.sketched[(step_id, revealed)] = sketch
        session = self.session
        if not self.is_attached or session is None or session.step.id != step_id:
            return
        if revealed == (not session.step.questions or session.step_done()):
            self._show_sketch(sketch)

    @work(thread=True, exclusive=True, group="plot")
    def draw_plot(self, lesson_id: str, step) -> None:
        """Write the step's PNG (matplotlib, off the UI thread) and show it when done."""
        from tutor.paths import plots_dir

        path = plots_dir() / lesson_id / f"{step.id}.png"
        try:
            from tutor.plots import plot_step

            written = plot_step(step, path)
        except TutorError as err:
            self._back_on_screen(self._plot_failed, step.id, err.message)
            return
        except Exception as err:
            self._back_on_screen(self._plot_failed, step.id, f"{type(err).__name__}: {err}")
            return
        self._back_on_screen(self._plotted, step.id, written)

    def _plotted(self, step_id: str, path: Path | None) -> None:
        self.plotted[step_id] = path
        if not self.is_attached or self.session is None or self.session.step.id != step_id:
            return
        view = self.query_one(PlotView)
        view.show_plot(path) if path else view.show_none()

    def _plot_failed(self, step_id: str, message: str) -> None:
        if self.is_attached and self.session is not None and self.session.step.id == step_id:
            self.query_one(PlotView).show_error(message)

    # --- answering -------------------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def submitted(self, event: Input.Submitted) -> None:
        session = self.session
        if session is None or self.busy:
            return
        text = event.value.strip()
        q = session.current_question()
        if q is None:
            self.action_next()
            return
        if not text:
            self.say(
                _("Type an answer first (F2 gives a hint, F3 the solution, F8 skips)."),
                "invalid",
            )
            return
        self.busy = True
        self.say(_("checking…"), None)
        self.grade_answer(q, text, dict(session.earlier))

    @work(thread=True, exclusive=True, group="grade")
    def grade_answer(self, question, text: str, earlier: dict) -> None:
        """Grade and record off the UI thread (so a quit right after Enter loses nothing); show it on the UI thread."""
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        try:
            grade = session.check(question, text, earlier)
        except Exception as err:  # the grader answers every input itself; this is the last resort
            message = err.message if isinstance(err, TutorError) else f"{type(err).__name__}: {err}"
            session.refuse(question, text, message)
            self._back_on_screen(self._grading_failed, message)
            return
        session.record(question, text, grade)
        self._back_on_screen(self._graded, question, text, grade)

    def _back_on_screen(self, callback, *args) -> None:
        """Run ``callback`` on the UI thread, unless the app has already closed."""
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is gone (quit while grading): the attempt is already stored
            pass

    def _grading_failed(self, message: str) -> None:
        self.busy = False
        if self.is_attached:
            self.say("⚠ " + message, "invalid")
            self.app.tell_store()

    def _graded(self, question, text: str, grade) -> None:
        self.busy = False
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        answered = session.apply(question, text, grade)
        if not self.is_attached or question not in session.step.questions:
            return  # the learner moved on meanwhile: the answer counts, the screen shows where they are
        self.show_grade(answered)
        if grade.verdict == "right":
            self.query_one("#answer", Input).value = ""
        else:  # selected, so what the learner types next replaces it (5 after 10 is 5, not 105)
            self.query_one("#answer", AnswerInput).offer_again()
        self.refresh_transcript()
        self.refresh_answered()
        self.app.tell_store()

    def refresh_answered(self) -> None:
        """What changes when a question is settled or passed over: table, plot, worked solution, prompt."""
        if self.session is not None and self.session.step_done():
            self.refresh_table()
            self.refresh_plot()
            self.refresh_worked()
        self.refresh_prompt()

    def show_grade(self, answered: Answered) -> None:
        grade = answered.grade
        session = self.session
        if session is None:  # (the lesson is still opening)
            return
        words = plain_maths(session.grade_text(grade))
        if grade.verdict == "right":
            self.say("✓ " + words, "right")
        elif grade.verdict == "wrong":
            tail = _("  Try again, or F2 for a hint.")
            self.say("✗ " + words + tail, "wrong")
        elif grade.verdict == "close":
            self.say("≈ " + words, "hint")
        else:
            caret = ""
            column = getattr(grade, "column", None)
            if column is not None and answered.answer:
                caret = "\n" + "\n".join("  " + line for line in caret_line(answered.answer, column).splitlines())
            self.say("⚠ " + words + caret, "invalid")

    # --- keys --------------------------------------------------------------------------------------

    def action_hint(self) -> None:
        session = self.session
        if session is None or self.busy:
            return
        q = session.current_question()
        if q is None:
            self.say(_("There is no question on this step."), "hint")
            return
        text = session.hint(q)
        given, total = session.hint_count(q)
        if text is None:
            self.say(
                _("No more hints here; F3 shows the solution."),
                "hint",
            )
        else:
            self.say(_("Hint {given}/{total}: ").format(given=given, total=total) + plain_maths(text), "hint")
        self.app.tell_store()

    def action_solution(self) -> None:
        session = self.session
        if session is None or self.busy:
            return
        q = session.current_question()
        if q is None:
            self.say(_("There is no open question on this step."), "hint")
            return
        text = session.solution(q)
        self.say(_("Solution: ") + plain_maths(text), "solution")
        self.query_one("#answer", Input).value = ""
        self.refresh_transcript()
        self.refresh_answered()
        self.app.tell_store()

    def action_next(self) -> None:
        session = self.session
        if session is None or self.busy:
            return
        q = session.current_question()
        if q is not None:  # pass over this question: its value is shown, and later ones go on from it
            revealed = session.skip(q)
            note = _("Skipped. ") + plain_maths(revealed)
            self.query_one("#answer", Input).value = ""
            self.say(note, "solution")
            self.refresh_transcript()
            self.refresh_answered()
            return
        if session.at_last_step:
            if self.finished_here:
                self.action_lessons()
                return
            session.finish()
            self.finished_here = True
            self.app.just_finished = session.lesson_id
            self.say(
                _("Lesson finished: {summary} Press Enter (or Esc) for the lessons.").format(summary=session.summary()),
                "right",
            )
            self.refresh_prompt()
            self.app.tell_store()
            return
        self._leave_step()
        session.next_step()
        self.show_step()

    def action_previous(self) -> None:
        session = self.session
        if session is None or self.busy:
            return
        skipped = [q for q in session.step.questions if q.id in session.skipped]
        if skipped:  # back to the question passed over, before going back a step
            session.skipped.difference_update(q.id for q in skipped)
            self.say(_("Back to the skipped question."), "hint")
            self.refresh_table()
            self.refresh_plot()
            self.refresh_worked()
            self.refresh_prompt()
            return
        if not session.previous_step():
            return
        self.finished_here = False
        self._leave_step()
        self.show_step()

    def _leave_step(self) -> None:
        """Skipped questions are asked again when the learner comes back to their step."""
        if self.session is not None:
            self.session.skipped.clear()

    def action_lessons(self) -> None:
        self.app.show_picker()

    def action_lessons_anyway(self) -> None:
        self.app.show_picker()

    def action_scroll_text(self, lines: int) -> None:
        self.query_one("#content", VerticalScroll).scroll_relative(y=lines, animate=False)
