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
