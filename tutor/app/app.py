"""The Textual application: the lesson picker, the lesson screen, the command palette.

It owns the learner's progress store and the lesson catalogue; the screens
render and record.  On start the last lesson the learner had open resumes at
the step where they left it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from tutor.app.bindings import localised
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.picker import PickerScreen
from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.progress import ProgressStore
from tutor.safe_text import one_line, shown
from tutor.text import tr

if TYPE_CHECKING:  # the lesson model brings sympy: only the workers load it, after the first frame
    from tutor.lesson.model import Lesson


#: Seconds ctrl+q waits for an answer still being graded, so that it is stored.
GRADE_WAIT_ON_QUIT = 5.0
#: Seconds the catalogue waits for the picker's first frame before it reads the lessons anyway.
FIRST_FRAME_WAIT = 2.0


class LessonCommands(Provider):
    """Ctrl+P: jump to any lesson by (part of) its title or id."""

    def _lessons(self):
        app = self.app
        for entry in getattr(app, "catalog", []):
            if entry.lesson is not None and entry.error is None:
                title = one_line(tr(entry.title) or entry.id)
                label = _("Open lesson: {title}").format(title=title)
                yield entry, label

    async def discover(self) -> Hits:
        for entry, label in self._lessons():
            yield DiscoveryHit(label, partial(self.app.open_lesson, entry.lesson), help=entry.id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry, label in self._lessons():
            score = max(matcher.match(label), matcher.match(entry.id))
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.open_lesson, entry.lesson), help=entry.id)


class TutorApp(App):
    """descent-tutor: gradient descent, one iteration at a time."""

    CSS_PATH = "tutor.tcss"
    TITLE = "descent-tutor"
    COMMANDS = App.COMMANDS | {LessonCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        # Textual adds this one itself unless the app has it; here so that the footer says it in the learner's words
        Binding(
            "ctrl+p",
            "command_palette",
            N_("palette"),
            show=False,
            priority=True,
            tooltip=N_("Open the command palette"),
        ),
    ]
    #: Screens get -short below 18 rows, -narrow below 60 columns and -side from 100 (the lesson and its plot
    #: side by side; see tutor.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (18, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide"), (100, "-side")]

    def __init__(
        self,
        lesson: Lesson | None = None,
        lesson_dirs: list[Path] | tuple = (),
        *,
        images: bool | str = True,
        store: ProgressStore | None = None,
        resume: bool = True,
    ):
        super().__init__()
        self.start_lesson = lesson
        self.lesson_dirs = [Path(p) for p in lesson_dirs]
        self.images = images
        self.store = store if store is not None else ProgressStore()
        self.resume = resume
        self.catalog: list = []
        self._told: set[str] = set()
        self.just_finished: str | None = None  # the picker then highlights the lesson after it
        self._started = False
        self.notices: list[str] = []  # about the terminal itself (an encoding that lacks symbols)

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        """Textual's own palette commands (Theme, Quit, Keys, ...), in the learner's language."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        """Textual's palette, with its placeholder in the learner's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The theme picker (the palette's Theme command), its placeholder in the learner's language."""
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def on_mount(self) -> None:
        self.picker = localised(PickerScreen)()
        self.push_screen(self.picker)
        for notice in self.notices:
            self.notify_once(notice)
        self.tell_store()
        if self.start_lesson is not None:
            self.open_lesson(self.start_lesson)
        painted = threading.Event()
        self.picker.call_after_refresh(painted.set)
        self.load_catalog(painted)

    def notify_once(self, message: str) -> None:
        """Tell the learner about the progress file once per sitting."""
        if message not in self._told:
            self._told.add(message)
            self.notify(shown(message), severity="warning", timeout=12, markup=False)

    def tell_store(self) -> None:
        """Say what the progress store has had to report (a damaged file, a full disk), each thing once.

        Called by the screens after every write, so a disk that fills up in the
        middle of a lesson is reported when it happens.
        """
        for message in list(self.store.messages):
            self.notify_once(message)

    # --- the catalogue ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="catalog")
    def load_catalog(self, painted: threading.Event | None = None) -> None:
        """Read every lesson (YAML and sympy: off the UI thread); broken ones come with their error.

        The worker exists from the start (so whoever waits for the workers waits
        for it), but imports the lessons' sympy only once ``painted`` is set,
        after the picker's first frame: the import's CPU time shares the GIL
        with the UI thread and would hold that frame back.
        """
        if painted is not None:
            painted.wait(FIRST_FRAME_WAIT)
        from tutor import sandbox
        from tutor.lesson.catalog import find_lessons

        sandbox.warm_up()  # the checker process starts now, not when the first hard answer needs it

        problem = None
        try:
            entries = find_lessons(self.lesson_dirs)
        except TutorError as err:
            entries, problem = [], err.message
        except OSError as err:  # a lesson folder that cannot be read: say so
            entries, problem = [], _("cannot read the lessons: {reason}").format(reason=err)
        mastery = self.mastery_line()
        try:
            if problem:
                self.call_from_thread(self.notify, problem, severity="error", markup=False)
            self.call_from_thread(self._catalog_loaded, entries, mastery)
        except RuntimeError:  # quit while the lessons were being read
            pass

    def mastery_line(self) -> str:
        """Mastery per skill and what to practise next, from the stored attempts."""
        evidence = self.store.mastery_attempts()
        if not evidence:
            return ""
        from tutor import mastery

        estimate = mastery.estimate(evidence)
        shown = "  ".join(f"{mastery.skill_name(skill)} {p:.0%}" for skill, p in sorted(estimate.items()))
        line = _("Mastery: ") + shown
        practise = [mastery.skill_name(s) for s in mastery.suggest(estimate)]
        if practise:
            line += "\n" + _("Practise next: ") + ", ".join(practise)
        return line

    def _catalog_loaded(self, entries: list, mastery_line: str) -> None:
        self.catalog = entries
        self.picker.show_lessons(entries, mastery_line)
        if self._started:
            return
        self._started = True
        if self.start_lesson is None and self.resume:
            last = self.store.last_lesson()
            for entry in entries:
                if entry.id == last and entry.lesson is not None and entry.error is None:
                    if not self.store.is_finished(entry.id):
                        self.open_lesson(entry.lesson)
                    break

    def refresh_picker(self) -> None:
        if self.catalog:
            self.picker.show_lessons(self.catalog, self.mastery_line())

    async def action_quit(self) -> None:
        """Quit, but first let an answer being graded reach the progress store (a few seconds at most)."""
        import asyncio
        import sys

        # a worker busy in sympy or matplotlib takes the GIL back every 5 ms, and closing the screen
        # needs it hundreds of times: hand it over more often from here on (the process is ending)
        sys.setswitchinterval(0.0002)
        pending = [w for w in self.workers if w.group == "grade" and not w.is_finished]
        if pending:
            waits = asyncio.gather(*(w.wait() for w in pending), return_exceptions=True)
            try:
                await asyncio.wait_for(waits, timeout=GRADE_WAIT_ON_QUIT)
            except TimeoutError:
                pass
        self.exit()

    # --- moving between screens -------------------------------------------------------------------

    def open_lesson(self, lesson: Lesson) -> None:
        screen = localised(LessonScreen)(lesson, images=self.images)
        if isinstance(self.screen, LessonScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_picker(self) -> None:
        if isinstance(self.screen, LessonScreen):
            self.pop_screen()
