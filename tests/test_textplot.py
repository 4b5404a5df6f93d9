"""The braille text plot keeps its frame straight in Chinese: a CJK character takes two columns, not one."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tutor.plots.sketch import Label, Series, Sketch

LESSONS = ["sign-change-brackets", "gradients", "batch-stochastic-minibatch"]


def widths(sketch: Sketch, width: int, height: int) -> set[int]:
    from tutor.app.widgets.textplot import build_text

    lines = build_text(sketch, width, height, "default").plain.rstrip("\n").split("\n")
    return {cell_len(line) for line in lines}


def test_a_chinese_label_and_title_keep_every_row_as_wide_as_the_plot():
    """'最小值' is 3 characters but 6 columns: the row with it, and the title row, stay 60 columns wide."""
    curve = Series((0.0, 1.0, 2.0, 3.0, 4.0), (4.0, 1.0, 0.0, 1.0, 4.0), "blue")
    labels = (Label(2.0, 0.0, "最小值 1.131", "green"), Label(3.9, 1.0, "最小值", "green"))
    sketch = Sketch("函数与最小值", (0.0, 4.0), (0.0, 4.0), xlabel="迭代次数 k", series=(curve,), labels=labels)
    text = widths(sketch, 60, 16)
    assert text == {60}


@pytest.mark.parametrize("lesson_id", LESSONS)
@pytest.mark.parametrize("size", [(60, 16), (47, 13)])
def test_every_row_of_a_chinese_lesson_sketch_has_the_same_width(lesson_id, size, bundled_walkthrough, zh):
    from tutor.plots.sketch import sketch_step

    drawn = 0
    for step in bundled_walkthrough(lesson_id).steps:
        for reveal in (False, True):
            sketch = sketch_step(step, reveal=reveal)
            if sketch is None:
                continue
            assert any(ord(c) > 0x2E80 for c in sketch.title + "".join(l.text for l in sketch.labels))
            assert widths(sketch, *size) == {size[0]}, (step.id, reveal)
            drawn += 1
    assert drawn


@pytest.mark.parametrize("size", [(18, 20), (44, 19), (75, 11)])
def test_labels_drawn_over_each_other_or_cut_at_the_edge_keep_the_rows_straight(size):
    """Overlapping Chinese labels (one over the other's filler cells) and labels past the edges of the axes."""
    curve = Series((0.0, 1.0, 2.0, 3.0, 4.0), (4.0, 1.0, 0.0, 1.0, 4.0), "blue")
    labels = (
        Label(1.0, 1.0, "下一个迭代点 x₁", "green"),
        Label(1.3, 1.0, "最小值 1.131", "red"),  # on the same row, over the first
        Label(3.95, 3.0, "下一个迭代点 x₁", "green"),  # at the right edge: drawn to the left, maybe past x = 0
        Label(-0.4, 2.0, "最小值", "green"),  # left of the axes
        Label(4.6, 0.5, "最小值", "green"),  # right of the axes
    )
    sketch = Sketch("一次训练更新：预测、损失、梯度、更新", (0.0, 4.0), (0.0, 4.0), series=(curve,), labels=labels)
    assert widths(sketch, *size) == {size[0]}


def test_a_minimums_words_go_under_its_star_not_over_the_curve_beside_it():
    """The curve runs along the minimum's row on both sides: words beside the star would hide it (issue 16, item 6).
    Drawn by hand: a parabola over x in [-2, 2], its minimum 0 at x = 0, with room under it."""
    from tutor.app.widgets.textplot import build_text

    xs = tuple(i / 50 - 2 for i in range(201))
    curve = Series(xs, tuple(x * x for x in xs), "blue")
    star = Series((0.0,), (0.0,), "green", line=False, marker="★")
    sketch = Sketch(
        "", (-2.0, 2.0), (-1.0, 4.0), series=(curve, star), labels=(Label(0.0, 0.0, "minimum 0", "green", below=True),)
    )
    lines = build_text(sketch, 60, 24, "default").plain.split("\n")
    star_row = next(i for i, line in enumerate(lines) if "★" in line)
    label_row = next(i for i, line in enumerate(lines) if "minimum 0" in line)
    assert label_row > star_row  # under the star (rows count down the screen)
    assert "minimum" not in lines[star_row]


def test_a_minimum_at_the_foot_of_the_axes_keeps_its_words_beside_it():
    from tutor.app.widgets.textplot import build_text

    xs = tuple(i / 50 - 2 for i in range(201))
    curve = Series(xs, tuple(x * x for x in xs), "blue")
    sketch = Sketch(
        "", (-2.0, 2.0), (0.0, 4.0), series=(curve,), labels=(Label(0.0, 0.0, "minimum 0", "green", below=True),)
    )
    assert any("minimum 0" in line for line in build_text(sketch, 60, 24, "default").plain.split("\n"))
