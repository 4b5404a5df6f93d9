"""The Textual tutor, driven by Textual's Pilot: a whole small lesson, resume, a broken lesson, small screens.

The lesson is the article's first example: f(x) = 5x^2 from x0 = 1 with
learning rate 1/20.  Expected answers, worked by hand:
    f'(x) = 10x;  f'(1) = 10 > 0, so decrease x;  x1 = 1 - 10/20 = 1/2;
    f'(1/2) = 5;  x2 = 1/2 - 5/20 = 1/4.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import settle, speaking

from tutor import i18n
from tutor.progress import ProgressStore

# textual-image 0.12 calls a Pillow method that Pillow 13 deprecates; harmless until Pillow 14
pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")

FIVE_X_SQUARED = textwrap.dedent(
    """\
    id: five-x-squared
    order: 1
    title: {en: "Five x squared", zh: "五倍 x 平方"}
    summary: {en: "The derivative's sign on 5x^2", zh: "5x^2 上导数的符号"}
    sections:
      - explain:
          title: {en: "The recipe", zh: "方法"}
          text:
            en: "We minimise $y = 5x^2$ by the sign of $f'(x)$: $$x_{k+1} = x_k - \\\\eta f'(x_k)$$"
            zh: "用 $f'(x)$ 的符号最小化 $y = 5x^2$：$$x_{k+1} = x_k - \\\\eta f'(x_k)$$"
      - derive:
          function: "5x^2"
          hints:
            - {en: "Power rule: bring the 2 down.", zh: "幂函数法则：把 2 乘到前面。"}
          feedback:
            - answer: "5x"
              says: {en: "You lost the factor 2.", zh: "丢掉了因子 2。"}
      - descent:
          function: "5x^2"
          start: {x: 1}
          learning_rate: "1/20"
          by_hand: 2
          max_steps: 4
          ask: [derivative, direction, next]
    """
)

BROKEN = textwrap.dedent(
    """\
    id: broken-lesson
    order: 9
    title: {en: "A broken lesson", zh: "有错误的课"}
    summary: {en: "x", zh: "x"}
    sections:
      - derive:
          function: "5x^^2"
    """
)


@pytest.fixture
def lessons(tmp_path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "five-x-squared.yaml").write_text(FIVE_X_SQUARED, encoding="utf-8")
    return folder


@pytest.fixture
def broken(tmp_path) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


@pytest.fixture
def no_plots(monkeypatch):
    """Most tests do not need matplotlib's seconds; the plot test below draws for real."""
    import tutor.plots

    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)


def make_app(lesson_dirs, **kwargs):
    from tutor.app.app import TutorApp

    kwargs.setdefault("images", False)
    return TutorApp(None, list(lesson_dirs), **kwargs)


async def answer(pilot, text: str) -> str:
    """Type an answer, press Enter, and return the feedback shown."""
    screen = pilot.app.screen
    box = screen.query_one("#answer")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    return str(screen.query_one("#feedback").render())


def prompt(pilot) -> str:
    return str(pilot.app.screen.query_one("#prompt").render())


async def open_first_lesson(pilot):
    from tutor.app.screens.lesson import LessonScreen

    await settle(pilot)
    await pilot.press("enter")  # the picker highlights the first lesson
    await settle(pilot)
    assert isinstance(pilot.app.screen, LessonScreen)
    return pilot.app.screen


async def test_a_whole_lesson_with_right_and_wrong_answers_hints_and_a_solution(lessons, no_plots):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        session = screen.session
        assert session.step.kind == "explain"
        text = screen.query_one("#step-text").source
        assert "5x²" in text and "xₖ₊₁ = xₖ − η f′(xₖ)" in text  # maths as Unicode, not $5x^2$
        await pilot.press("enter")  # explain: Enter goes on
        await settle(pilot)

        # derive: a wrong answer with author feedback, a hint, then the right answer
        assert session.step.kind == "derive"
        said = await answer(pilot, "5x")
        assert "✗" in said and "factor 2" in said
        await pilot.press("f2")
        await settle(pilot)
        assert "Power rule" in str(screen.query_one("#feedback").render())
        said = await answer(pilot, "10*x")
        assert "✓" in said
        assert "Enter" in prompt(pilot)
        await pilot.press("enter")
        await settle(pilot)

        # iteration k = 0: f'(1) = 10, decrease, x1 = 1/2 (first typed wrong, then the solution shown)
        assert session.step.kind == "iteration"
        assert "?" in _table_cells(screen)  # the slope is hidden until answered
        said = await answer(pilot, "x^^2")
        assert "⚠" in said  # invalid input: told where, not counted
        assert "^" in said
        assert "✓" in await answer(pilot, "10")
        assert "✓" in await answer(pilot, "decrease")
        assert "✗" in await answer(pilot, "0.6")
        await pilot.press("f3")  # show the solution: recorded as such
        await settle(pilot)
        assert "1/2" in str(screen.query_one("#feedback").render())
        assert "10" in _table_cells(screen)  # settled: the slope is shown now
        await pilot.press("enter")
        await settle(pilot)

        # iteration k = 1: f'(1/2) = 5, decrease, x2 = 1/4
        assert session.step.kind == "iteration"
        assert "✓" in await answer(pilot, "5")
        assert "✓" in await answer(pilot, "decrease")
        assert "✓" in await answer(pilot, "1/4")
        while not session.at_last_step:
            await pilot.press("enter")
            await settle(pilot)
            while session.current_question() is not None:
                await pilot.press("f8")  # skip what the engine asks after the hand iterations
                await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Lesson finished" in str(screen.query_one("#feedback").render())
        await pilot.press("enter")  # back to the lessons
        await settle(pilot)
        assert not isinstance(app.screen, LessonScreen)
        options = app.screen.query_one("#lessons")
        mine = next(i for i, e in enumerate(app.catalog) if e.id == "five-x-squared")
        assert "done, " in str(options.get_option_at_index(mine).prompt)

    rows = ProgressStore().attempts("five-x-squared")
    kinds = [(r.kind, r.verdict, r.answer) for r in rows]
    assert ("answer", "wrong", "5x") in kinds
    assert ("answer", "right", "10*x") in kinds
    assert ("invalid", "invalid", "x^^2") in kinds
    assert ("answer", "right", "10") in kinds
    assert ("answer", "wrong", "0.6") in kinds
    assert ("answer", "right", "1/4") in kinds
    assert [r.kind for r in rows].count("hint") == 1
    assert [r.kind for r in rows].count("solution") == 1
    assert all(r.skill for r in rows if r.kind == "answer")
    store = ProgressStore()
    assert store.is_finished("five-x-squared")
    assert store.summary("five-x-squared").startswith("done")


def _table_cells(screen) -> list[str]:
    table = screen.query_one("#iterations")
    return [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]


async def test_restart_resumes_at_the_saved_step(lessons, no_plots):
    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")  # past the explanation
        await settle(pilot)
        assert "✓" in await answer(pilot, "10x")
        await pilot.press("enter")
        await settle(pilot)
        assert "✗" in await answer(pilot, "12")  # a wrong f'(x0)
        await pilot.press("f8")  # skip it: the right value is shown, and x1 goes on from it (issue 15)
        await settle(pilot)
        shown = str(screen.query_one("#feedback").render())
        assert "10" in shown and "12" not in shown
        assert "✓" in await answer(pilot, "decrease")
        assert "✗" in await answer(pilot, "2/5")  # 1 - 12/20 would carry the skipped wrong 12 forward
        said = await answer(pilot, "1/2")  # x1 = 1 - 10/20, from the true f'(x0) the table shows
        assert "✓" in said and "carried" not in said.lower()
        step_before = screen.session.step_index
        await pilot.press("ctrl+q")

    assert ProgressStore().position("five-x-squared") == step_before
    again = make_app([lessons])
    async with again.run_test(size=(100, 32)) as pilot:
        from tutor.app.screens.lesson import LessonScreen

        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, LessonScreen)  # the last lesson opened by itself
        assert screen.session.step_index == step_before
        # the stored answers were re-graded: only right values are built on, never the skipped wrong 12
        import sympy as sp

        values = set(screen.session.earlier.values())
        assert sp.Integer(12) not in values and sp.Rational(1, 2) in values
        # the skipped derivative was shown, and is recorded as such
        assert any("deriv" in qid for qid in screen.session.revealed)


async def test_quitting_while_an_answer_is_graded_loses_nothing(lessons, no_plots, monkeypatch):
    import time

    from tutor.session import LessonSession

    real_check = LessonSession.check

    def slow_check(self, question, text, earlier=None):
        time.sleep(0.5)  # sympy taking its time
        return real_check(self, question, text, earlier)

    monkeypatch.setattr(LessonSession, "check", slow_check)
    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first_lesson(pilot)
        await pilot.press("enter")
        await settle(pilot)
        box = app.screen.query_one("#answer")
        box.value = "10x"
        await pilot.press("enter", "ctrl+q")  # quit before the grade is back
    rows = ProgressStore().attempts("five-x-squared")
    assert [(r.answer, r.verdict) for r in rows] == [("10x", "right")]


async def test_hostile_answers_get_a_message_and_the_learner_carries_on(lessons, no_plots, tmp_path):
    from textual import events

    from tutor.session import STORED_ANSWER_LIMIT

    pwned = tmp_path / "pwned"
    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")  # the derivative of 5x^2 is asked
        await settle(pilot)
        for text in (f"__import__('os').system('touch {pwned}')", "9**9**9**9", "sin(sin(3+exp(exp(exp(3)))))"):
            said = await answer(pilot, text)
            assert said.startswith("⚠") and "not count" in said, text
        box = screen.query_one("#answer")
        box.value = ""
        box.post_message(events.Paste("x" * 100_000))  # a 100 kB paste
        await pilot.pause()
        assert len(box.value) == 100_000
        await pilot.press("enter")
        await settle(pilot)
        assert "⚠" in str(screen.query_one("#feedback").render())
        assert "✓" in await answer(pilot, "10x")  # and the next right answer counts
    assert not pwned.exists()
    rows = ProgressStore().attempts("five-x-squared")
    assert [(r.kind, r.verdict) for r in rows] == [("invalid", "invalid")] * 4 + [("answer", "right")]
    assert all(len(r.answer) < STORED_ANSWER_LIMIT + 100 for r in rows)  # the paste is stored shortened


async def test_an_answered_step_shows_its_worked_solution(lessons, no_plots):
    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")
        await settle(pilot)
        worked = screen.query_one("#worked")
        assert not worked.display  # not before the learner has answered
        assert "✓" in await answer(pilot, "10x")
        assert worked.display
        assert "power rule" in worked.source and "10x" in worked.source  # d/dx 5x^2 = 5 * 2x, rule by rule
        await pilot.press("enter")
        await settle(pilot)
        assert not worked.display  # the next step's questions are open again
        await pilot.press("f8", "f8", "f8")  # skipped is not settled: no solution given away
        await settle(pilot)
        assert not worked.display
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("f3")  # one solution shown: two questions still open
        await settle(pilot)
        assert not worked.display
        await pilot.press("f3", "f3")  # every question settled by its solution
        await settle(pilot)
        assert worked.display and "f′(x₀)" in worked.source


async def test_broken_lesson_is_listed_with_its_error_and_not_opened(lessons, broken, no_plots):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app([lessons, broken])
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#lessons")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        index = next(i for i, e in enumerate(app.catalog) if e.error is not None)
        error = app.catalog[index].error
        assert "broken.yaml:7:21: error:" in error  # the file, line and column at fault
        assert "✗ broken" in prompts[index] and error in prompts[index]
        options.highlighted = index
        await pilot.pause()
        assert str(app.catalog[index].error) in str(app.screen.query_one("#lesson-detail").render())
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LessonScreen)


async def test_command_palette_jumps_to_a_lesson(lessons, no_plots):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app([lessons], resume=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"five")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.session.lesson_id == "five-x-squared"


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
async def test_small_screens_work(lessons, size):
    app = make_app([lessons], images=True)  # textual-image falls back to text off a terminal
    async with app.run_test(size=size) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "10x")
        await pilot.press("enter")
        await settle(pilot)
        for text in ("10", "decrease", "1/2"):
            await answer(pilot, text)
        await pilot.press("f7", "f8")
        await settle(pilot)
        assert screen.session.step_index >= 1
        await pilot.press("escape")  # back to the lessons, even with the answer box focused
        await settle(pilot)
        assert pilot.app.screen is pilot.app.picker


async def test_plots_are_written_and_their_path_shown(lessons, tmp_path):
    from tutor.paths import plots_dir

    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "10x")
        await pilot.press("enter")
        await settle(pilot)
        for text in ("10", "decrease", "1/2"):
            await answer(pilot, text)
        await settle(pilot)
        step = screen.session.step
        path = plots_dir() / "five-x-squared" / f"{step.id}.png"
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(path) in str(screen.query_one("#plot .plot-path").render())


async def test_footer_words_follow_the_language(lessons, no_plots):
    from tutor.app.app import TutorApp
    from tutor.app.bindings import localised

    i18n.set_language("zh")  # chosen once per process; conftest puts English back after the test
    app = localised(TutorApp)(None, [lessons], images=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"提示", "答案", "上一步", "退出"} <= shown
        assert "步" in app.screen.sub_title


# --- the UI thread never waits on sympy or matplotlib ----------------------------------------

#: Run in a new Python: the tutor headless, noting when sympy arrives and which thread imports the engine.
PROBE = textwrap.dedent(
    """\
    import asyncio, json, sys, threading
    from pathlib import Path

    from tutor.app.app import TutorApp  # all the first frame needs
    from tutor.app.screens.picker import PickerScreen

    # the engine, and IPython (which Pygments loads as a plugin when it guesses a code block's language)
    WATCHED = ("sympy", "mpmath", "numpy", "matplotlib", "tutor.walkthrough", "tutor.lesson.model",
               "tutor.lesson.catalog", "tutor.grading", "tutor.derivation", "tutor.plots", "IPython")
    imported = {"ui": [], "worker": []}  # first imports of those, by thread
    seen = {}  # moment -> whether sympy was loaded then


    class Watch:
        \"\"\"A finder that finds nothing: it notes who imports a watched module for the first time.\"\"\"

        def find_spec(self, name, path=None, target=None):
            if any(name == m or name.startswith(m + ".") for m in WATCHED):
                ui = threading.current_thread() is threading.main_thread()
                imported["ui" if ui else "worker"].append(name)
            return None


    class Probe(TutorApp):
        CSS_PATH = str(Path(sys.modules[TutorApp.__module__].__file__).with_name(TutorApp.CSS_PATH))

        def on_mount(self):  # Textual calls this before TutorApp.on_mount, which pushes the picker
            self.screen_change_signal.subscribe(self, self.screen_changed, immediate=True)

        def screen_changed(self, screen):
            if isinstance(screen, PickerScreen) and "pushed" not in seen:
                seen["pushed"] = "sympy" in sys.modules
                compose = screen.compose

                def composed():  # Textual calls it when the picker is mounted
                    seen.setdefault("composed", "sympy" in sys.modules)
                    return compose()

                screen.compose = composed
                screen.screen_layout_refresh_signal.subscribe(self, self.picker_laid_out, immediate=True)

        def picker_laid_out(self, screen):  # the layout of the first frame, about to be drawn
            seen.setdefault("laid out", "sympy" in sys.modules)


    async def settle(pilot):  # as conftest.settle (this script runs on its own)
        for round_ in range(6):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if round_ >= 2 and all(worker.is_finished for worker in pilot.app.workers):
                return


    async def answer(pilot, text):
        box = pilot.app.screen.query_one("#answer")
        box.value = text
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        return str(pilot.app.screen.query_one("#feedback").render())


    async def main(lessons):
        said = []
        app = Probe(None, [lessons], images=False, resume=False)
        sys.meta_path.insert(0, Watch())
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            seen["listed"] = "sympy" in sys.modules
            picker = app.screen
            picker.query_one("#lessons").highlighted = [e.id for e in app.catalog].index("five-x-squared")
            await pilot.press("enter")  # open it
            await settle(pilot)
            lesson = app.screen
            await pilot.press("enter")  # past the explanation, to the derivative
            await settle(pilot)
            said.append(await answer(pilot, "5x"))
            for _ in range(2):  # the author's hint, then the engine's derivation
                await pilot.press("f2")
                await settle(pilot)
                said.append(str(lesson.query_one("#feedback").render()))
            said.append(await answer(pilot, "10x"))
            await pilot.press("enter")  # the first iteration
            await settle(pilot)
            said.append(await answer(pilot, "10"))
            said.append(await answer(pilot, "decrease"))
            await pilot.press("f3")  # the solution: the step is done and its plot is drawn
            await settle(pilot)
            said.append(str(lesson.query_one("#feedback").render()))
            said.append(str(lesson.query_one("#plot .plot-path").render()))
            await pilot.press("ctrl+q")
        print(json.dumps({"seen": seen, "imported": imported, "said": said}))


    if __name__ == "__main__":
        asyncio.run(main(sys.argv[1]))
    """
)


def test_the_picker_is_drawn_before_sympy_loads_and_the_ui_thread_never_imports_the_engine(lessons, tmp_path):
    """A new process, as a learner starts it: the picker is composed and laid out with no sympy loaded.

    Afterwards sympy, the walkthrough, the grader, the derivation and matplotlib
    are all imported (a lesson is opened, answered, hinted, solved and plotted),
    every one of them by a worker thread and none by the UI thread.
    """
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "TUTOR_SANDBOX": "inline"}  # TUTOR_HOME: this test's own
    run = subprocess.run(
        [sys.executable, str(script), str(lessons)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["seen"] == {"pushed": False, "composed": False, "laid out": False, "listed": True}
    assert report["imported"]["ui"] == []
    worker = {
        name.split(".")[0] if name.startswith(("sympy", "matplotlib")) else name
        for name in report["imported"]["worker"]
    }
    # the contract's types (tutor.walkthrough, tutor.walkthrough.contract) load no sympy: the screens import them
    # up front; the builder that asks the engine is a worker's
    engine = {"sympy", "matplotlib", "tutor.walkthrough.build", "tutor.grading", "tutor.derivation", "tutor.plots"}
    assert engine <= worker
    wrong, hint, derivation, right, slope, direction, solution, plot = report["said"]
    assert "✗" in wrong and "factor 2" in wrong
    assert "Power rule" in hint and "Hint 2/" in derivation
    assert "✓" in right and "✓" in slope and "✓" in direction
    assert "1/2" in solution  # x1 = 1 - 10/20
    assert "five-x-squared" in plot and plot.endswith(".png")


async def test_a_hint_is_looked_up_not_derived_on_the_ui_thread(lessons, no_plots, monkeypatch):
    """The derivation behind F2 runs sympy: the lesson's worker works every hint out before the lesson shows."""
    import tutor.derivation

    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")  # the derivative of 5x^2
        await settle(pilot)

        def derive_now(*args, **kwargs):
            raise AssertionError("the derivation ran on the UI thread")

        monkeypatch.setattr(tutor.derivation, "hint_steps", derive_now)
        total = screen.session.hint_count(screen.session.current_question())[1]
        assert total > 1  # the author's hint and the engine's rules
        for given in range(1, total + 1):
            await pilot.press("f2")
            await settle(pilot)
            assert f"Hint {given}/{total}:" in str(screen.query_one("#feedback").render())


# --- what the screens show, without a screen ---------------------------------------------


def test_maths_reads_as_unicode():
    from tutor.latex_unicode import latex_to_unicode, markdown_maths, plain_maths

    assert latex_to_unicode(r"x_{k+1} = x_k - \eta f'(x_k)") == "xₖ₊₁ = xₖ − η f′(xₖ)"
    assert latex_to_unicode(r"1 - \tfrac{1}{20}\cdot 10 = \tfrac{1}{2}") == "1 − 1/20 · 10 = 1/2"
    assert latex_to_unicode(r"\frac{\partial f}{\partial z}") == "∂f/∂z"
    assert latex_to_unicode(r"\nabla f = (4x, 12z, 21m^2)") == "∇f = (4x, 12z, 21m²)"
    assert latex_to_unicode(r"\frac{x+1}{2}") == "(x+1)/2"
    assert latex_to_unicode(r"e^{-x}") == "e^(−x)"  # no superscript x: kept readable, not lost
    assert latex_to_unicode(r"\unknowncommand{x}") == "\\unknowncommandx"
    # Markdown: inline maths escaped so * and _ stay literal; display maths on its own block
    assert markdown_maths("slope $x_k$ and $a*b$") == "slope xₖ and a\\*b"
    assert "```\ny = 5x²\n```" in markdown_maths("$$y = 5x^2$$")
    assert plain_maths("costs $5 and $6") == "costs $5 and $6"  # money is not maths
    assert plain_maths("at $x = 1$.") == "at x = 1."


def test_a_code_block_without_a_language_is_plain_text_not_guessed(monkeypatch):
    import textual.highlight

    from tutor.app.widgets.markdown import PlainFence

    def guess(*args, **kwargs):
        raise AssertionError("Pygments was asked to guess the language")

    monkeypatch.setattr(textual.highlight, "guess_language", guess)
    assert PlainFence.highlight("xₖ₊₁ = xₖ − η f′(xₖ)", "").plain.strip() == "xₖ₊₁ = xₖ − η f′(xₖ)"
    assert PlainFence.highlight("print(1)", "python").plain.strip() == "print(1)"  # a stated language is kept


def test_iteration_rows_hide_the_answers_until_the_step_is_done():
    import sympy as sp

    from tutor.descent import run
    from tutor.mathinput import symbol
    from tutor.tables import formula, header, plain_table, rows
    from tutor.walkthrough import Step
    from tutor.walkthrough.contract import IterationPayload
    from tutor.walkthrough.descent_steps import descent_facts

    x = symbol("x")
    r = run(5 * x**2, ["x"], [1], sp.Rational(1, 20), steps=3, exact=True)
    step = Step("s1.k1", 1, "k = 1", "", IterationPayload(**descent_facts(5 * x**2, ("x",), r, 1)))
    cols, hidden = rows(step, reveal=False)
    assert cols == header(("x",)) == ["k", "xₖ", "f(xₖ)", "f′(xₖ)", "sign", "sign change"]
    # worked by hand: x0 = 1, f = 5, f' = 10; x1 = 1/2, f = 5/4, f' = 5
    assert hidden == [["0", "1", "5", "10", "+", "—"], ["1", "1/2", "5/4", "?", "?", "?"]]
    _, shown = rows(step, reveal=True)
    assert shown[1] == ["1", "1/2", "5/4", "5", "+", "—"]
    assert plain_table(step, reveal=True).splitlines()[2].split() == ["1", "1/2", "5/4", "5", "+", "—"]
    assert formula(5 * x**2) == "5x²" and formula(x / 20) == "x/20"


def test_choices_and_carets():
    from tutor.session import caret, clip, prompt_text
    from tutor.walkthrough import Choice, Question

    q = Question(
        "q",
        "choice",
        "Which way?",
        "decrease",
        "direction",
        choices=(
            Choice("increase", {"en": "increase", "zh": "增大"}),
            Choice("decrease", {"en": "decrease", "zh": "减小"}),
        ),
    )
    assert prompt_text(q) == "Which way?  (increase, decrease)"
    # Chinese labels are typed as they are (the grader reads them): no English key beside them
    assert speaking("zh", prompt_text, q) == "Which way?  (增大, 减小)"
    named = Question("q", "choice", "Should x increase or decrease?", "decrease", "direction", choices=q.choices)
    assert prompt_text(named) == "Should x increase or decrease?"
    assert caret("x^^2", 2) == "x^^2\n  ^"
    assert caret("增大x", 2) == "增大x\n    ^"  # wide characters take two columns
    assert clip("x" * 300).endswith("(300 characters)")


def test_partial_derivative_hints_reveal_the_rules_innermost_first(tmp_path, bundled_walkthrough):
    """∂f/∂m of 2x² + 6z² + 7m³: after the author's hints, the engine's rules, the power rule before the result."""
    from tutor.progress import ProgressStore
    from tutor.session import LessonSession

    walk = bundled_walkthrough("gradients")
    session = LessonSession(walk, ProgressStore(tmp_path / "p.sqlite3"))
    partial = next(q for q in walk.questions() if q.skill == "partial" and getattr(q.context, "of", None) == "m")
    hints = [h["en"] if isinstance(h, dict) else h for h in session.hints(partial)]
    authored = len(partial.help.hints)
    engine = hints[authored:]
    assert engine, "the derivation adds hints after the author's"
    power = next(i for i, h in enumerate(engine) if h.startswith("power rule"))
    summed = next(i for i, h in enumerate(engine) if h.startswith("sum rule"))
    assert power < summed and "3m²" in engine[power]
    assert any("held constant" in h for h in engine)


FLOAT_DESCENT = textwrap.dedent(
    """\
    id: float-descent
    order: 1
    title: {en: "A float run", zh: "浮点运行"}
    summary: {en: "5x^2 in floats", zh: "浮点的 5x^2"}
    sections:
      - descent:
          function: "5x^2"
          start: {x: 1}
          learning_rate: "1/20"
          exact: false
          by_hand: 2
          max_steps: 4
          ask: [derivative, direction, next]
    """
)


async def test_the_iteration_table_shows_signs_in_a_float_run(tmp_path, no_plots):
    """f'(x) = 10x: f'(1) = 10 > 0 and f'(1/2) = 5 > 0, so the sign column reads + (it once read ? in float runs)."""
    from tutor.app.widgets.iterations import IterationTable

    folder = tmp_path / "float"
    folder.mkdir()
    (folder / "float-descent.yaml").write_text(FLOAT_DESCENT, encoding="utf-8")
    app = make_app([folder])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_first_lesson(pilot)
        assert screen.session.step.kind == "iteration"
        for text in ("10", "decrease", "0.5"):  # x1 = 1 - (1/20)(10) = 0.5
            await answer(pilot, text)
        table = screen.query_one(IterationTable)
        assert table.display and table.row_count >= 1
        columns = [str(c.label) for c in table.columns.values()]
        sign = columns.index("sign")
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "0" and float(first[1]) == 1.0 and float(first[3]) == 10.0
        assert first[sign] == "+"
        if table.row_count > 1:
            second = [str(cell) for cell in table.get_row_at(1)]
            assert float(second[1]) == 0.5 and second[sign] in ("+", "?")  # the next row's slope is still asked
