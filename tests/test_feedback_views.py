"""The plain mode and the Textual tutor say the same thing to the same answers (issue 15).

The lesson is f(x) = 5x² from x₀ = 1 with η = 1/20 (worked by hand):
f′(x) = 10x; f′(1) = 10, decrease, x₁ = 1 − 10/20 = 1/2; f′(1/2) = 5, decrease,
x₂ = 1/2 − 5/20 = 1/4.  The answers include an author's feedback written in
Markdown, a value for a function, a wrong slope then a skip, synonyms, and a
short rounding ("close").
"""

from __future__ import annotations

import io
import textwrap

import pytest
from conftest import settle

from tutor.plain import run_plain

pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")

LESSON = textwrap.dedent(
    """\
    id: five-x-squared
    order: 1
    title: {en: "Five x squared", zh: "五倍 x 平方"}
    summary: {en: "The derivative's sign on 5x^2", zh: "5x^2 上导数的符号"}
    sections:
      - explain:
          text: {en: "We make $y = 5x^2$ **smaller**, step *and* step.", zh: "把 $y = 5x^2$ **变小**。"}
      - derive:
          function: "5x^2"
          feedback:
            - answer: "5x"
              says: {en: "You lost the *factor 2*.", zh: "丢掉了*因子 2*。"}
      - descent:
          function: "5x^2"
          start: {x: 1}
          learning_rate: "1/20"
          by_hand: 2
          max_steps: 4
          ask: [derivative, direction, next]
    """
)

#: (answer, what the learner should be told, in substance)
ANSWERS = [
    ("5x", "factor 2"),
    ("10", "function of x"),
    ("10x", "Right"),
    ("12", "Not right"),
    ("skip", "10"),
    ("smaller", "Right"),
    ("1/2", "Right"),
    ("5", "Right"),
    ("down", "Right"),
    ("0.3", "Close"),
    ("1/4", "Right"),
]


@pytest.fixture(autouse=True)
def _patient_catalogue(monkeypatch):
    """The catalogue runs bounded (1 s) in the checker process; on a loaded test machine that bound, not
    the feedback, would decide what is said.  The bound itself is tested in test_hostile."""
    import tutor.grading

    monkeypatch.setattr(tutor.grading, "MISCONCEPTION_TIMEOUT", 60.0)


@pytest.fixture
def lessons(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "five-x-squared.yaml").write_text(LESSON, encoding="utf-8")
    return folder


def _core(line: str) -> str:
    """What the grade says, without the view's own marks and key hints."""
    for mark in ("✓ ", "✗ ", "≈ ", "⚠ "):
        line = line.removeprefix(mark)
    return line.split("  Try again")[0].split("  再试一次")[0].strip()


#: How each language's grade lines begin.
STARTS = {"en": ("Right", "Not right", "Close", "Skipped"), "zh": ("正确", "不对", "接近了", "已跳过")}


def plain_feedback(lessons, lang: str = "en") -> list[str]:
    lines = [""] + [a for a, _ in ANSWERS] + [""] * 6
    out = io.StringIO()
    run_plain(str(lessons / "five-x-squared.yaml"), [], stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    text = out.getvalue()
    told = []
    for line in text.splitlines():
        if line.startswith(STARTS[lang]):
            told.append(_core(line))
    assert "**" not in text and "*and*" not in text and "*factor" not in text  # Markdown never raw
    return told


async def tui_feedback(lessons, lang: str = "en") -> list[str]:
    from tutor.app.app import TutorApp

    app = TutorApp(None, [lessons], images=False)
    told = []
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the picker's first lesson
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter")  # past the explanation
        await settle(pilot)
        for text, _ in ANSWERS:
            while screen.session.current_question() is None:  # a step done: Enter goes on
                await pilot.press("enter")
                await settle(pilot)
            if text == "skip":
                await pilot.press("f8")
            else:
                box = screen.query_one("#answer")
                box.value = text
                box.focus()
                await pilot.press("enter")
            await settle(pilot)
            shown = str(screen.query_one("#feedback").render())
            assert "**" not in shown and "*factor" not in shown
            told.append(_core(shown))
    return told


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_plain_mode_and_the_tui_give_the_same_feedback(lessons, monkeypatch, tmp_path, lang):
    import tutor.plots
    from tutor import i18n

    i18n.set_language(lang)  # the language is the process's, chosen once, as the CLI does
    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "plain-learner"))
    plain = plain_feedback(lessons, lang)
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tui-learner"))  # a learner starting afresh
    tui = await tui_feedback(lessons, lang)
    assert len(plain) == len(ANSWERS)
    assert plain == tui
    if lang == "en":
        for line, (_, meaning) in zip(plain, ANSWERS):
            assert meaning in line, (line, meaning)
    else:
        assert "因子 2" in plain[0] and "函数" in plain[1] and "10" in plain[4] and "接近了" in plain[9]


async def test_a_wrong_answer_is_selected_so_typing_replaces_it(lessons, monkeypatch):
    import tutor.plots
    from tutor.app.app import TutorApp

    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)
    app = TutorApp(None, [lessons], images=False)
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # past the explanation
        await settle(pilot)
        box = app.screen.query_one("#answer")
        await pilot.press("1", "0", "enter")  # 10 for f′(x) = 10x: wrong
        await settle(pilot)
        assert box.value == "10" and box.selected_text == "10"  # kept, selected
        await pilot.press("1", "0", "x")
        assert box.value == "10x"  # typed over it: not 1010x
        await pilot.press("enter")
        await settle(pilot)
        assert "✓" in str(app.screen.query_one("#feedback").render())
