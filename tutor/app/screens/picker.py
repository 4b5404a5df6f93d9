"""The lesson picker: the lessons in order, each with the learner's progress.

A broken lesson stays on the list with its error (so a teacher sees why) but
cannot be opened.  Enter opens the highlighted lesson.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.app.bindings import localised
from tutor.i18n import N_, _
from tutor.safe_text import one_line, shown
from tutor.text import tr


class LessonList(OptionList):
    """The list of lessons; Enter opens one (and says so in the footer)."""

    BINDINGS = [Binding("enter", "select", N_("Open"))]


class PickerScreen(Screen):
    """Choose a lesson."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="picker"):
            yield Static(
                _("Choose a lesson and press Enter.  Ctrl+P jumps to any lesson; Ctrl+Q quits."),
                id="picker-help",
                markup=False,
            )
            yield localised(LessonList)(id="lessons")
            yield Static("", id="lesson-detail", markup=False)
            yield Static("", id="mastery", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "descent-tutor"
        self.sub_title = _("lessons")
        self.query_one("#lessons", OptionList).loading = True

    def on_resize(self) -> None:
        from tutor.app.bindings import fit_footer

        fit_footer(self)

    def on_screen_resume(self) -> None:
        """Back from a lesson: its progress (and mastery) changed."""
        self.app.refresh_picker()

    def show_lessons(self, entries: list, mastery_line: str = "") -> None:
        """Fill the list (keeps the highlighted lesson across refreshes)."""
        self.entries = list(entries)
        options = self.query_one("#lessons", OptionList)
        options.loading = False
        keep = options.highlighted
        options.clear_options()
        store = self.app.store
        for number, entry in enumerate(self.entries, start=1):
            title = escape(one_line(tr(entry.title) or entry.id))
            if entry.error is not None or entry.lesson is None:
                error = escape(one_line(entry.error or _("cannot be read")))
                prompt = f"{number:>2}. {title}  [$error]✗ {_('broken')}[/]\n    [$text-muted]{error}[/]"
            else:
                steps, questions = store.totals(entry.id)
                status = escape(store.summary(entry.id, steps, questions))
                style = "$success" if store.is_finished(entry.id) else "$text-muted"
                prompt = f"{number:>2}. {title}  [{style}]{status}[/]"
            options.add_option(Option(prompt, id=entry.id))
        if not self.entries:
            options.add_option(Option(escape(_("No lessons found.")), disabled=True))
        if self.entries:
            if keep is None or keep >= len(self.entries):  # first fill: the first lesson not yet done
                keep = next(
                    (i for i, e in enumerate(self.entries) if e.lesson is not None and not store.is_finished(e.id)), 0
                )
            options.highlighted = keep
            done = getattr(self.app, "just_finished", None)
            if done is not None:  # a lesson was just finished: offer the next one
                self.app.just_finished = None
                index = next((i for i, e in enumerate(self.entries) if e.id == done), None)
                if index is not None and index + 1 < len(self.entries):
                    options.highlighted = index + 1
        self.query_one("#mastery", Static).update(mastery_line)
        options.focus()

    def entry(self, index: int | None):
        if index is None or not (0 <= index < len(self.entries)):
            return None
        return self.entries[index]

    @on(OptionList.OptionHighlighted, "#lessons")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = self.entry(event.option_index)
        detail = self.query_one("#lesson-detail", Static)
        if entry is None:
            detail.update("")
        elif entry.error is not None or entry.lesson is None:
            detail.update(shown(f"{entry.path}\n{entry.error}"))
        else:
            from tutor.latex_unicode import plain_maths

            detail.update(plain_maths(tr(entry.lesson.summary)))

    @on(OptionList.OptionSelected, "#lessons")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.open(self.entry(event.option_index))

    def open(self, entry) -> None:
        if entry is None:
            return
        if entry.error is not None or entry.lesson is None:
            self.app.notify(
                shown(_("This lesson cannot be opened: {error}").format(error=entry.error)),
                severity="error",
                markup=False,
            )
            return
        self.app.open_lesson(entry.lesson)
