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

from tutor.progress import ProgressStore

FIVE_X_SQUARED = textwrap.dedent(
    """\
    id: five-x-squared
    order: 1
    title: {en: "Five x squared", zh: "五倍 x 平方"}
    summary: {en: "The derivative's sign on 5x^2", zh: "5x^2 上导数的符号"}
    sections:
      - explain:
          title: {en: "The recipe", zh: "方法"}
          text: {en: "We minimise $y = 5x^2$ by the sign of $f'(x)$.", zh: "用 $f'(x)$ 的符号最小化 $y = 5x^2$。"}
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


def make_app(lesson_dirs, **kwargs):
    from tutor.app.app import TutorApp

    kwargs.setdefault("images", False)
    return TutorApp(None, list(lesson_dirs), "en", **kwargs)


async def settle(pilot) -> None:
    """Let workers (walkthrough, grading, plots) finish and their results reach the screen."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


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


async def test_a_whole_lesson_with_right_and_wrong_answers_hints_and_a_solution(lessons):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        session = screen.session
        assert session.step.kind == "explain"
        assert "5x²" in str(screen.query_one("#step-text").source) or "5x²" in screen.query_one("#step-text")._markdown
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


async def test_restart_resumes_at_the_saved_step(lessons):
    app = make_app([lessons])
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_first_lesson(pilot)
        await pilot.press("enter")  # past the explanation
        await settle(pilot)
        assert "✓" in await answer(pilot, "10x")
        await pilot.press("enter")
        await settle(pilot)
        assert "✗" in await answer(pilot, "12")  # a wrong f'(x0): carried forward into x1
        await pilot.press("f8")  # skip it
        await settle(pilot)
        assert "✓" in await answer(pilot, "decrease")
        said = await answer(pilot, "2/5")  # x1 = 1 - 12/20, judged from the learner's own 12
        assert "✓" in said and "carried" in said.lower()
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
        # the re-graded earlier answers are back: the skipped derivative is asked again, still from x0
        assert screen.session.current_question().skill
        assert "derivative" in screen.session.earlier.__repr__() or screen.session.earlier


async def test_broken_lesson_is_listed_with_its_error_and_not_opened(lessons, broken):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app([lessons, broken])
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#lessons")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("broken" in p and "5x^^2" in p or "broken" in p and "line" in p for p in prompts), prompts
        index = next(i for i, e in enumerate(app.catalog) if e.error is not None)
        options.highlighted = index
        await pilot.pause()
        assert str(app.catalog[index].error) in str(app.screen.query_one("#lesson-detail").render())
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LessonScreen)


async def test_command_palette_jumps_to_a_lesson(lessons):
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
        await pilot.press("f7", "f8", "escape")
        await settle(pilot)
        assert screen.session.step_index >= 1


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
