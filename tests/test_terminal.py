"""The terminal itself: a tiny window, resizing mid-lesson, fast typing, a locale that is not UTF-8.

The lesson is the first bundled one: L(w) = ((w - 2)^2 + (3w - 6)^2)/2, so by
hand L(1) = (1 + 9)/2 = 5, L(3) = (1 + 9)/2 = 5, L(3/2) = (1/4 + 9/4)/2 = 5/4
and L(2) = 0.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from conftest import settle, speaking

from tutor.progress import ProgressStore

pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")

FIRST = "training-is-minimisation"
ANSWERS = ["5", "5", "5/4", "0"]  # L(1), L(3), L(3/2), L(2)


@pytest.fixture
def no_plots(monkeypatch):
    import tutor.plots

    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)


def make_app(**kwargs):
    from tutor.app.app import TutorApp

    kwargs.setdefault("images", False)
    return TutorApp(None, [], **kwargs)


def on_screen(widget) -> bool:
    """The widget is really visible: the screen finds it at its own top-left corner."""
    screen = widget.screen
    region = widget.region
    if region.width < 1 or region.height < 1 or not screen.region.contains_region(region):
        return False
    try:
        found, _ = screen.get_widget_at(region.x, region.y)
    except Exception:
        return False
    return found is widget or widget in found.ancestors_with_self


async def type_answer(pilot, text: str) -> None:
    """Keys, one by one, as a learner types them (ctrl+u first clears a wrong answer left in the box)."""
    keys = [{"/": "slash", ".": "full_stop", " ": "space"}.get(c, c) for c in text]
    await pilot.press("ctrl+u", *keys, "enter")
    await settle(pilot)


def feedback(screen) -> str:
    return str(screen.query_one("#feedback").render())


# --- small windows ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
async def test_the_first_lesson_by_keyboard_alone_then_quit_and_resume(size, no_plots):
    from tutor.app.screens.lesson import LessonScreen

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert on_screen(app.screen.query_one("#lessons"))
        await pilot.press("enter")  # the first lesson is highlighted
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.session.lesson_id == FIRST
        short = size[1] < 18
        assert screen.has_class("-short") == short
        await pilot.press("enter", "enter")  # the two explanations
        await settle(pilot)
        for text in ANSWERS[:2]:
            box = screen.query_one("#answer")
            assert on_screen(box) and on_screen(screen.query_one("#prompt"))
            await type_answer(pilot, text)
            assert "✓" in feedback(screen)
            shown = screen.query_one("#feedback-inline" if short else "#feedback")
            assert on_screen(shown)  # the verdict can be read at this size
            await pilot.press("enter")
            await settle(pilot)
        step = screen.session.step_index
        await pilot.press("ctrl+q")

    assert ProgressStore().position(FIRST) == step
    again = make_app()
    async with again.run_test(size=size) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, LessonScreen) and screen.session.step_index == step  # resumed by itself
        for text in ANSWERS[2:]:
            assert on_screen(screen.query_one("#answer"))
            await type_answer(pilot, text)
            assert "✓" in feedback(screen)
            await pilot.press("enter")
            await settle(pilot)
        assert screen.session.at_last_step
        await pilot.press("enter")  # finish
        await settle(pilot)
        assert "Lesson finished: 4 of 4" in feedback(screen)
        await pilot.press("enter")  # back to the lessons, the next one offered
        await settle(pilot)
        assert again.screen is again.picker
        options = again.picker.query_one("#lessons")
        assert again.catalog[options.highlighted].id != FIRST
    assert ProgressStore().is_finished(FIRST)


async def test_a_long_answer_feedback_is_reachable_on_a_tiny_screen(no_plots):
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        screen = app.screen
        await type_answer(pilot, "10")  # the sum, not the mean: the lesson's own feedback says so
        inline = screen.query_one("#feedback-inline")
        said = str(inline.render())
        assert "✗" in said and "mean" in said
        assert on_screen(inline)  # scrolled into view
        assert on_screen(screen.query_one("#answer"))
        title = screen.query_one("#step-title")
        assert not on_screen(title)
        await pilot.press("up", "up", "up")  # typing in the box, the arrows scroll the lesson
        await pilot.pause()
        assert on_screen(title) and screen.focused is screen.query_one("#answer")
        await type_answer(pilot, "5")
        assert "✓" in str(inline.render())


async def test_the_picker_at_40x12_shows_lessons_and_opens_the_highlighted_one(no_plots):
    app = make_app(resume=False)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#lessons")
        assert on_screen(options)
        assert not app.screen.query_one("#picker-help").display  # made room for the list
        await pilot.press("down")
        await pilot.pause()
        assert options.highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.session.lesson_id == app.catalog[1].id


async def test_resizing_during_a_lesson_keeps_it_usable(no_plots):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        screen = app.screen
        await type_answer(pilot, "10")
        assert "✗" in feedback(screen)
        for size in [(40, 12), (30, 8), (120, 40), (40, 12), (80, 24)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert app.size == size
            assert screen.has_class("-short") == (size[1] < 18)
            assert screen.has_class("-narrow") == (size[0] < 60)
            assert on_screen(screen.query_one("#answer")), size
        await type_answer(pilot, "5")  # the lesson goes on where it was
        assert "✓" in feedback(screen)
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_answer(pilot, "5")
        assert "✓" in feedback(screen)
        assert screen.session.step_index == 3  # L(3), the step after L(1)


async def test_the_footer_fits_a_narrow_window(no_plots):
    from textual.widgets import Footer

    app = make_app(resume=False)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        assert footer.compact and not footer.show_command_palette
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert not footer.compact and footer.show_command_palette


# --- typing -------------------------------------------------------------------------------------


async def test_a_key_typed_right_after_ctrl_u_is_kept(no_plots):
    """Keys arriving in one burst (fast typing, a multiplexer) are applied in the order typed."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        box = app.screen.query_one("#answer")
        burst = [
            ("1", "1"),
            ("0", "0"),
            ("ctrl+u", "\x15"),
            ("5", "5"),
            ("9", "9"),
            ("backspace", "\x7f"),
            ("left", None),
            ("ctrl+k", "\x0b"),
            ("5", "5"),
        ]
        for key, character in burst:
            box.post_message(events.Key(key, character))
        await pilot.pause()
        assert box.value == "5"  # 10, cleared, 59, 5, cursor left, cleared to the right, 5
        box.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert "✓" in feedback(app.screen)


# --- a locale that is not UTF-8 ---------------------------------------------------------------------


def run_tutor(args, env_extra, stdin="", timeout=120):
    env = dict(os.environ, MPLBACKEND="Agg", **env_extra)
    for name in ("LC_ALL", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"):
        if name not in env_extra:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=timeout,
    )


def test_plain_mode_in_the_c_locale_spells_symbols_and_takes_answers():
    done = run_tutor(
        ["run", "sign-of-the-derivative", "--plain"],
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0"},  # really ASCII (Python would otherwise choose UTF-8)
        stdin="\nx²·10\n10x\n",
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr
    out = done.stdout.decode("ascii")  # nothing but ASCII reached the terminal
    assert "What is the derivative y' of y = 5x^2?" in out
    assert "> x^2*10" in out  # typed in UTF-8, read, echoed in plain letters, graded
    assert "Right." in out
    assert b"cannot show every symbol" in done.stderr


def test_plain_mode_in_chinese_to_an_ascii_output_does_not_crash():
    done = run_tutor(
        ["run", "sign-of-the-derivative", "--plain", "--lang", "zh"], {"PYTHONIOENCODING": "ascii"}, "\n10x\n"
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    out = done.stdout.decode("ascii")
    assert "5x^2" in out and "?" in out  # the Chinese text cannot be shown: marked, not a crash


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_commands_with_an_output_that_is_not_utf8_do_not_crash(encoding):
    for args in (["lessons", "--lang", "zh"], ["progress", "--lang", "zh"], ["derive", "x^3"]):
        done = run_tutor(args, {"PYTHONIOENCODING": encoding})
        assert done.returncode == 0, (args, done.stderr)
        assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr


def test_chinese_lesson_text_to_an_ascii_stream_in_process():
    from tutor.plain import run_plain, tolerant_streams

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    assert tolerant_streams(stdout=out, stderr=out, stdin=io.StringIO()) is True
    code = speaking("zh", run_plain, "sign-of-the-derivative", [], stdin=io.StringIO("\n10x\n"), stdout=out)
    assert code == 0
    text = raw.getvalue().decode("ascii")
    assert "5x^2" in text and "?" in text


def test_spelling_symbols_in_plain_letters():
    from tutor.plain import spell

    assert spell("xₖ₊₁ = xₖ − η f′(xₖ)") == "x_(k+1) = x_k - eta f'(x_k)"
    assert spell("5x² + 6z²") == "5x^2 + 6z^2"
    assert spell("∂f/∂z") == "df/dz"
    assert spell("∇f = (4x, 12z, 21m²)") == "grad f = (4x, 12z, 21m^2)"
    assert spell("✓ Right. 答对") == "[right] Right. ??"
    assert spell("ｘ café") == "x cafe"  # a compatibility form: its plain letter


def test_the_screen_keeps_its_columns_on_an_8_bit_terminal(monkeypatch):
    """Textual draws to sys.__stderr__: an 8-bit encoding gets one ? per missing cell; ASCII is taken as UTF-8."""
    from tutor.app import fit_terminal_encoding

    raw = io.BytesIO()
    latin = io.TextIOWrapper(raw, encoding="latin-1", write_through=True)
    monkeypatch.setattr(sys, "__stderr__", latin)
    note = fit_terminal_encoding()
    assert (note and "latin" in note.lower()) or "8859" in note
    latin.write("─▊✓中x²")
    assert raw.getvalue().decode("latin-1") == "-|v??x²"  # 1 + 1 + 1 + 2 cells, then what latin-1 has

    raw = io.BytesIO()
    ascii_stream = io.TextIOWrapper(raw, encoding="ascii", write_through=True)
    monkeypatch.setattr(sys, "__stderr__", ascii_stream)
    assert fit_terminal_encoding() is None
    ascii_stream.write("─✓")
    assert raw.getvalue().decode("utf-8") == "─✓"
