"""Chinese wraps like Chinese in the tutor: breaks between any two hanzi, never inside a formula."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from tutor.latex_unicode import markdown_maths

TEXT = "我们用导数的符号来最小化 $f(x) = \\frac{1}{2} L x^2$，从任意一点出发，一步一步地走向最小值。"


def lines_of(text: str, width: int) -> list[str]:
    from textual._cells import cell_len
    from textual._wrap import compute_wrap_offsets

    from tutor.app import wrapping

    assert wrapping.install()
    cuts = [0, *compute_wrap_offsets(text, width, 4), len(text)]
    lines = [text[a:b] for a, b in zip(cuts, cuts[1:])]
    assert all(cell_len(line.rstrip()) <= width for line in lines)
    return lines


def test_lines_break_between_hanzi_and_are_filled():
    text = "从任意一点出发一步一步地走向最小值再走一步"  # 21 hanzi, 42 cells
    lines = lines_of(text, 10)
    assert lines == [text[i : i + 5] for i in range(0, 21, 5)]  # five hanzi (10 cells) a line, by hand


def test_a_formula_is_never_cut_and_closing_punctuation_never_starts_a_line():
    formula = markdown_maths("$f(x) = \\frac{1}{2} L x^2$").replace("\\", "")
    text = markdown_maths(TEXT).replace("\\", "")
    for width in range(len(formula) + 2, 40):  # the formula and the comma after it fit on a line
        lines = lines_of(text, width)
        assert any(formula in line for line in lines), width
        assert not any(line[:1] in "，。" for line in lines[1:]), (width, lines)


SOLUTION = "so the minimum lies between $x_{0} = 1$ and $x_{1} = -\\frac{1}{2}$, where $f'(x) = 10x$ changed sign."


class Page(App):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        from tutor.app.widgets.markdown import LessonMarkdown

        yield LessonMarkdown(markdown_maths(self.text))


@pytest.mark.parametrize("width", [28, 44, 60])
async def test_the_lesson_text_never_breaks_inside_a_formula(width):
    formulas = ["f(x) = 1/2 Lx²", "x₀ = 1", "x₁ = −1/2", "f′(x) = 10x"]
    for text in (TEXT, SOLUTION):
        app = Page(text)
        async with app.run_test(size=(width, 12)) as pilot:
            await pilot.pause()
            shown = " | ".join(_lines(app))
        wanted = [f for f in formulas if f.replace(" ", "") in markdown_maths(text).replace("\u2800", "")]
        assert wanted
        for formula in wanted:
            assert formula.replace("Lx", "L x") in shown or formula in shown, (formula, shown)


def _lines(app) -> list[str]:
    from tutor.app.widgets.markdown import LessonMarkdown

    markdown = app.query_one(LessonMarkdown)
    out = []
    for block in markdown.children:
        for y in range(block.size.height):
            out.append("".join(segment.text for segment in block.render_line(y)).replace("\u2800", " "))
    return out
