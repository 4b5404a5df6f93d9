"""The lesson screen's layout and its text plot, driven by the Pilot at 60×20, 120×36 and 200×60.

Lesson 2 (the sign of the derivative) runs f(x) = 5x² from x₀ = 1 with η = 3/20.
By hand: f′(x) = 10x, so x₁ = 1 − 3/20·10 = −1/2, and the minimum of 5x² is at x = 0.
"""

from __future__ import annotations

import math

import pytest
from conftest import settle

from tutor.progress import ProgressStore

pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")


def lesson_app(lesson_id: str, tmp_path, images: str = "text"):
    from tutor.app.app import TutorApp
    from tutor.lesson.catalog import resolve_lesson

    store = ProgressStore(tmp_path / "progress.sqlite")
    return TutorApp(resolve_lesson(lesson_id, []), [], images=images, store=store, resume=False)


async def go_to(pilot, wanted) -> None:
    """F8 (next, or skip the open question) until ``wanted(step)`` holds."""
    screen = pilot.app.screen
    for _ in range(60):
        if wanted(screen.session.step):
            return
        await pilot.press("f8")
        await settle(pilot)
    raise AssertionError("the step was not reached")


def first_iteration_one(step) -> bool:
    from tutor.walkthrough.contract import IterationPayload

    return isinstance(step.payload, IterationPayload) and step.payload.k == 1


def visible(screen, widget) -> bool:
    """Entirely inside the screen, and inside the part of every scrolling parent that is on screen."""
    region = widget.region
    if region.area == 0 or not screen.region.contains_region(region):
        return False
    parent = widget.parent
    while parent is not None and parent is not screen:
        if parent.region.area and not parent.region.contains_region(region):
            return False
        parent = parent.parent
    return True


def plot_text(screen) -> str:
    from tutor.app.widgets.textplot import SketchPlot

    return screen.query_one(SketchPlot).render().plain


@pytest.mark.parametrize("size", [(120, 36), (200, 60)])
async def test_wide_screen_shows_question_table_and_plot_side_by_side(tmp_path, size):
    from tutor.app.widgets.textplot import SketchPlot

    app = lesson_app("sign-of-the-derivative", tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        await go_to(pilot, first_iteration_one)
        assert screen.has_class("-side")
        plot = screen.query_one(SketchPlot)
        lesson = screen.query_one("#lesson")
        for selector in ("#prompt", "#answer", "#iterations"):
            assert visible(screen, screen.query_one(selector)), selector
        assert visible(screen, plot)
        assert plot.region.x >= lesson.region.right  # beside the maths, not under it
        assert plot.region.width >= 40 and plot.region.height >= 12
        # the plot takes the height of the screen, less the header, the footer and its legend
        assert plot.region.height >= size[1] - 8
        drawn = plot_text(screen)
        assert "x₀" in drawn and "x₁" in drawn and "★" in drawn
        # where they are: x₀ = 1, x₁ = −1/2 (by hand) and the minimum of 5x² at 0
        sketch = plot.sketch
        by_text = {label.text: label for label in sketch.labels}
        assert math.isclose(by_text["x₀"].x, 1.0) and math.isclose(by_text["x₀"].y, 5.0)
        assert math.isclose(by_text["x₁"].x, -0.5) and math.isclose(by_text["x₁"].y, 1.25)
        minimum = next(label for label in sketch.labels if label.text.startswith("minimum"))
        assert math.isclose(minimum.x, 0.0, abs_tol=1e-12) and math.isclose(minimum.y, 0.0, abs_tol=1e-12)
        # before the step's questions are answered, neither x₂ nor the tangent at x₁ (their answers) is drawn
        assert "x₂" not in by_text and "x₂" not in drawn
        assert not any("tangent" in words for _, _, words in sketch.legend)


async def test_the_plot_grows_with_the_window(tmp_path):
    from tutor.app.widgets.textplot import SketchPlot

    app = lesson_app("sign-of-the-derivative", tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await go_to(pilot, first_iteration_one)
        before = app.screen.query_one(SketchPlot).region
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        after = app.screen.query_one(SketchPlot).region
        assert after.width > before.width + 30 and after.height > before.height + 15
        # narrower than 100 columns the plot goes under the text
        await pilot.resize_terminal(90, 40)
        await settle(pilot)
        screen = app.screen
        plot = screen.query_one(SketchPlot)
        assert not screen.has_class("-side")
        assert plot.region.y >= screen.query_one("#ask").region.bottom
        assert visible(screen, screen.query_one("#answer")) and visible(screen, plot)


async def test_a_60_by_20_screen_cuts_nothing_off(tmp_path):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from tutor.app.widgets.textplot import SketchPlot

    app = lesson_app("sign-of-the-derivative", tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = app.screen
        await go_to(pilot, first_iteration_one)
        footer = screen.query_one(Footer)
        keys = [key for key in footer.query(FooterKey) if key.display]
        actions = {key.action.rsplit(".", 1)[-1] for key in keys}
        assert {"hint", "solution", "previous", "next", "toggle_plot", "quit"} <= actions
        for key in keys:
            assert key.region.right <= 60, key.action
        for selector in ("#prompt", "#answer", "#iterations"):
            assert visible(screen, screen.query_one(selector)), selector
        # F4: the plot in place of the text, the question and the answer box still there
        await pilot.press("f4")
        await settle(pilot)
        plot = screen.query_one(SketchPlot)
        assert visible(screen, plot) and plot.region.height >= 8
        assert "x₀" in plot_text(screen) and "x₁" in plot_text(screen)
        for selector in ("#prompt", "#answer"):
            assert visible(screen, screen.query_one(selector)), selector
        await pilot.press("f4")
        await settle(pilot)
        assert visible(screen, screen.query_one("#iterations")) and not screen.query_one("#plot").region.area


async def test_the_sign_column_is_filled_in_float_runs(tmp_path):
    """Lesson 3's float runs: each sign is the sign of the f′ column next to it, read from the printed number."""
    from textual.widgets.data_table import RowDoesNotExist

    from tutor.app.widgets.iterations import IterationTable

    app = lesson_app("sign-change-brackets", tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen

        def float_table(step) -> bool:
            table = screen.query_one(IterationTable)
            if not table.display or table.row_count < 2:
                return False
            try:
                return any("." in str(table.get_row_at(i)[1]) for i in range(table.row_count))
            except (KeyError, RowDoesNotExist):  # being refilled (see below): not yet
                return False

        await go_to(pilot, float_table)
        table = screen.query_one(IterationTable)
        # The table is refilled over more than one message (columns, then rows): a row read between them has
        # no cell for a new column (KeyError inside DataTable). Read it once the app has caught up.
        for _ in range(50):
            try:
                rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
                break
            except (KeyError, RowDoesNotExist):
                await pilot.pause(0.05)
        header = [str(column.label) for column in table.columns.values()]
        slope, sign = header.index("f′(xₖ)"), header.index("sign")
        checked = 0
        for row in rows:
            if row[slope] == "?":
                continue
            value = float(row[slope].replace("−", "-"))
            expected = "+" if value > 0 else "−" if value < 0 else "0"
            assert row[sign] == expected, row
            checked += 1
        assert checked >= 2


def test_images_mode_from_the_option_then_the_setting(monkeypatch):
    from tutor.app import images_setting
    from tutor.app.widgets.plot import choose_mode

    monkeypatch.delenv("TUTOR_IMAGES", raising=False)
    assert images_setting(None) == "auto"
    monkeypatch.setenv("TUTOR_IMAGES", "text")
    assert images_setting(None) == "text"
    assert images_setting("off") == "off"  # the option wins over the setting
    monkeypatch.setenv("TUTOR_IMAGES", "nonsense")
    assert images_setting(None) == "auto"
    # off a terminal with an image protocol, auto is the text plot; graphics without textual-image is too
    assert choose_mode("auto", images_available=False) == "text"
    assert choose_mode("graphics", images_available=False) == "text"
    assert choose_mode("off", images_available=True) == "off"


def test_images_option_is_checked_on_the_command_line():
    from click.testing import CliRunner

    from tutor.cli import main

    result = CliRunner().invoke(main, ["run", "--images", "colour"])
    assert result.exit_code == 2 and "--images" in result.output


THIRDS = """\
id: thirds
order: 1
title: {en: "Thirds", zh: "三分之一"}
summary: {en: "x squared, a third at a time", zh: "x 平方"}
sections:
  - descent:
      function: "x^2"
      start: {x: 1}
      learning_rate: "1/3"
      by_hand: 0
      max_steps: STEPS
"""


def thirds(tmp_path, steps: int):
    """f(x) = x² from 1 with η = 1/3: by hand x_k = 1/3^k, f(x_k) = 1/9^k, f′(x_k) = 2/3^k."""
    from tutor.lesson.catalog import resolve_lesson

    path = tmp_path / "thirds.yaml"
    path.write_text(THIRDS.replace("STEPS", str(steps)), encoding="utf-8")
    return resolve_lesson(str(path), [])


def test_a_long_run_shows_its_first_and_last_rows(tmp_path):
    from tutor.tables import plain_table
    from tutor.walkthrough import build_walkthrough

    walkthrough = build_walkthrough(thirds(tmp_path, 40))
    step = next(s for s in walkthrough.steps if s.id.endswith(".run"))
    *lines, note = plain_table(step, reveal=True).splitlines()
    ks = [line.split()[0] for line in lines[1:]]
    assert ks == ["0", "1", "2", "3", "4", "…", "35", "36", "37", "38", "39", "40"]
    assert "30 more" in lines[6]  # 41 rows, 11 shown
    last = lines[-1].split()
    assert last[1] == f"≈{1 / 3**40:.4g}" and last[3] == f"≈{2 / 3**40:.4g}"
    assert last[2] == f"≈{1 / 9**40:.4g}"
    # plain mode has no F6: the last row's exact values follow the table
    assert note == f"≈: rounded; exactly, at k = 40: xₖ = 1/{3**40}, f(xₖ) = 1/{9**40}, f′(xₖ) = 2/{3**40}"


async def test_f6_shows_the_rounded_values_exactly(tmp_path):
    from tutor.app.app import TutorApp
    from tutor.app.widgets.iterations import IterationTable

    store = ProgressStore(tmp_path / "progress.sqlite")
    app = TutorApp(thirds(tmp_path, 12), [], images="off", store=store, resume=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        await go_to(pilot, lambda step: step.id.endswith(".run"))
        table = screen.query_one(IterationTable)
        last = [str(c) for c in table.get_row_at(table.row_count - 1)]
        assert last[0] == "12" and last[2] == f"≈{1 / 9**12:.4g}"
        assert "F6" in str(screen.query_one("#table-note").render())
        await pilot.press("f6")
        await settle(pilot)
        last = [str(c) for c in table.get_row_at(table.row_count - 1)]
        assert last[2] == f"1/{9**12}"


async def test_the_last_steps_text_never_shows_under_the_new_title(tmp_path):
    """Every frame drawn between the key press and the new step: its title with its own text, or no text yet."""
    from tutor.app.widgets.markdown import LessonMarkdown

    app = lesson_app("sign-of-the-derivative", tmp_path, images="off")
    frames: list[tuple[str, bool, str]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        text = screen.query_one("#step-text", LessonMarkdown)

        def shown() -> str:
            lines = []
            for block in text.children:
                for y in range(block.size.height):
                    lines.append("".join(s.text for s in block.render_line(y)).strip())
            return " ".join(line for line in lines if line)

        display = app._display

        def record(on, renderable):
            if renderable is not None and on is screen:
                frames.append(
                    (str(screen.query_one("#step-title").render()), text.styles.visibility != "hidden", shown())
                )
            return display(on, renderable)

        app._display = record
        for _ in range(4):  # through the first steps, each with text of its own
            before_title, before_text = str(screen.query_one("#step-title").render()), shown()
            frames.clear()
            await pilot.press("f8")
            await settle(pilot)
            while screen.session.current_question() is None and not frames:
                await pilot.pause()
            after_title = str(screen.query_one("#step-title").render())
            if after_title == before_title:
                continue
            for title, visible, words in frames:
                if title == after_title and visible and before_text:
                    assert words != before_text, (title, words[:60])
            await pilot.press("f8")  # past the step's question, if it has one
            await settle(pilot)


ITERM2 = {
    "TERM_PROGRAM": "iTerm.app",
    "TERM_PROGRAM_VERSION": "3.5.4",
    "LC_TERMINAL": "iTerm2",
    "TERM": "xterm-256color",
}


@pytest.mark.parametrize(
    ("environ", "sixel"),
    [
        (ITERM2, True),
        ({**ITERM2, "TERM_PROGRAM_VERSION": "3.4.23"}, False),  # before 3.5: no Sixel
        ({**ITERM2, "TERM_PROGRAM_VERSION": "3.10.1"}, True),  # compared as numbers, not as text
        ({"LC_TERMINAL": "iTerm2", "LC_TERMINAL_VERSION": "3.5.0", "TERM": "xterm"}, True),  # over ssh
        ({**ITERM2, "TMUX": "/tmp/tmux-1000/default,1,0"}, False),  # tmux in iTerm2: images do not pass
        ({**ITERM2, "TERM_PROGRAM": "tmux", "TERM": "tmux-256color"}, False),
        ({"TERM_PROGRAM": "Apple_Terminal", "LC_TERMINAL": "iTerm2"}, False),  # another terminal, a stale variable
        ({"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, False),
        ({}, False),
    ],
)
def test_iterm2_from_3_5_is_found_from_its_environment(environ, sixel):
    from tutor.app.widgets.plot import iterm2_sixel

    assert iterm2_sixel(environ) is sixel


def test_auto_draws_the_png_through_sixel_in_iterm2(monkeypatch):
    """textual-image's query finds nothing here (no terminal answers it); iTerm2's variables still choose Sixel."""
    from textual_image.widget import SixelImage

    from tutor.app.widgets import plot

    for name in ("TMUX", "STY", "TERM_PROGRAM", "LC_TERMINAL"):
        monkeypatch.delenv(name, raising=False)
    assert not plot.terminal_shows_images()  # the test's stdout is no terminal
    assert plot.choose_mode("auto", images_available=True) == "text"
    assert plot.image_widget_class() is not SixelImage
    for name, value in ITERM2.items():
        monkeypatch.setenv(name, value)
    assert plot.choose_mode("auto", images_available=True) == "graphics"
    assert plot.image_widget_class() is SixelImage
    assert plot.choose_mode("auto", images_available=False) == "text"  # without textual-image: the text plot
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    assert plot.choose_mode("auto", images_available=True) == "text"


async def test_the_plot_pane_shows_the_png_as_sixel_in_iterm2(tmp_path, monkeypatch):
    from textual_image.widget import SixelImage

    from tutor.app.widgets.plot import choose_mode

    for name, value in ITERM2.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TMUX", raising=False)
    app = lesson_app("sign-of-the-derivative", tmp_path, images=choose_mode("auto", images_available=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await go_to(pilot, first_iteration_one)
        for _ in range(10):  # skip its questions: the PNG shows once the step is settled
            if app.screen.session.step_done():
                break
            await pilot.press("f8")
            await settle(pilot)
        await settle(pilot)
        images = list(app.screen.query(".plot-image"))
        assert len(images) == 1 and isinstance(images[0], SixelImage)
        assert images[0].region.width >= 40 and images[0].region.height >= 12
