"""A training step's data table lists the samples the step uses and marks them, in every view.

The walkthrough says which samples (``data_use``); the tutor's table, plain mode
and the export only draw the mark.  Lesson 7 by hand: seed 0 shuffles its four
samples to 2, 0, 1, 3 (the lesson's text says so), so mini-batch descent (batch
size 2) first uses samples 0 and 2, stochastic descent sample 2, batch descent all four.
"""

from __future__ import annotations

import io
import os
import textwrap

import pytest
from conftest import speaking

os.environ.setdefault("MPLBACKEND", "Agg")

from tutor.progress import ProgressStore
from tutor.tables import USED, data_rows, plain_table

#: 40 samples on y = 2x + 1: a long data set.  The update uses samples 3, 17 and 30 only.
LONG = textwrap.dedent(
    """
    id: long-data
    title: {en: Long data, zh: 长数据}
    summary: {en: One update on three of forty samples., zh: 在四十个样本中的三个上更新一次。}
    sections:
      - training_step:
          title: {en: Three samples, zh: 三个样本}
          model: "w*x + b"
          parameters: [w, b]
          input: x
          data: {x: [%s], y: [%s]}
          start: {w: 0, b: 0}
          learning_rate: "1/100"
          samples: [3, 17, 30]
          ask: [update]
      - batch_compare:
          title: {en: Three kinds, zh: 三种方式}
          model: "w*x + b"
          parameters: [w, b]
          input: x
          data: {x: [%s], y: [%s]}
          start: {w: 0, b: 0}
          learning_rate: "1/1000"
          batch_size: 4
          epochs: 1
          seed: 3
          by_hand: false
    """
) % ((", ".join(str(i) for i in range(40)), ", ".join(str(2 * i + 1) for i in range(40))) * 2)


@pytest.fixture
def long_lesson(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    path = folder / "long-data.yaml"
    path.write_text(LONG, encoding="utf-8")
    return path


def marked(cols: list[str], body: list[list[str]], column: str) -> list[int]:
    """The samples (#) whose cell in ``column`` carries the mark."""
    at = cols.index(column)
    return [int(row[0]) for row in body if row[0].isdigit() and row[at] == USED]


# --- the walkthrough says which samples -----------------------------------------------------------


def test_lesson_7_says_which_samples_each_update_uses(bundled_walkthrough):
    steps = {s.id: s for s in bundled_walkthrough("batch-stochastic-minibatch").steps}
    one = steps["s1"].payload.data_use
    assert one.uses == (("used", (0, 2)),) and one.shown == (0, 1, 2, 3) and one.total == 4
    kinds = dict(steps["s2"].payload.data_use.uses)
    assert kinds == {"batch": (0, 1, 2, 3), "stochastic": (2,), "minibatch": (0, 2)}
    in_chinese = speaking("zh", bundled_walkthrough, "batch-stochastic-minibatch").steps
    for step, step_zh in zip(steps.values(), in_chinese, strict=True):  # the table is the views' now: not in the text
        assert "| # |" not in step.text and "| 序号 |" not in step_zh.text


def test_a_long_data_set_lists_only_the_samples_used(long_lesson):
    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    steps = build_walkthrough(resolve_lesson(str(long_lesson), [])).steps
    training, batch = steps[0].payload, steps[1].payload
    assert training.data_use.shown == (3, 17, 30) and training.data_use.total == 40
    order = list(batch.order)
    assert sorted(order) == list(range(40))
    uses = dict(batch.data_use.uses)
    # stochastic descent first takes the first sample of the shuffle, mini-batch the first four (ascending)
    assert uses["stochastic"] == (order[0],) and uses["minibatch"] == tuple(sorted(order[:4]))
    assert uses["batch"] == tuple(range(40))
    assert batch.data_use.shown == tuple(sorted(order[:4]))  # batch descent's "all" does not pick rows


# --- the views mark them ------------------------------------------------------------------------


def test_the_table_rows_mark_the_used_samples_and_count_the_rest(long_lesson):
    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    steps = build_walkthrough(resolve_lesson(str(long_lesson), [])).steps
    cols, body = data_rows(steps[0])
    assert cols == ["#", "x", "y", "used"]
    assert body[:3] == [["3", "3", "7", USED], ["17", "17", "35", USED], ["30", "30", "61", USED]]  # y = 2x + 1
    assert body[3][:2] == ["…", "37 more"] and len(body) == 4
    cols, body = data_rows(steps[1])
    assert cols == ["#", "x", "y", "batch", "stochastic", "mini-batch"]
    assert len(marked(cols, body, "stochastic")) == 1 and len(marked(cols, body, "mini-batch")) == 4
    assert marked(cols, body, "batch") == [int(r[0]) for r in body[:-1]]  # every sample listed is batch's
    assert body[-1][:2] == ["…", "36 more"]


def test_plain_mode_prints_the_marked_rows(long_lesson):
    from tutor.plain import run_plain

    out = io.StringIO()
    run_plain(str(long_lesson), [], stdin=io.StringIO("quit\n"), stdout=out)
    text = out.getvalue()
    lines = [line.split() for line in text.splitlines()]
    assert ["#", "x", "y", "used"] in lines
    assert ["3", "3", "7", USED] in lines and ["30", "30", "61", USED] in lines
    assert ["…", "37", "more"] in lines
    assert not any(line[:3] == ["4", "4", "9"] for line in lines)  # an unused sample is not listed


def test_plain_table_in_chinese_keeps_its_columns_aligned(bundled_walkthrough, zh):
    from tutor.text import columns

    step = bundled_walkthrough("batch-stochastic-minibatch").steps[2]
    lines = plain_table(step, reveal=True).splitlines()
    assert "批量" in lines[0] and "小批量" in lines[0]
    # the mark of sample 2 (used by every kind) sits under the last heading's last column
    assert columns(lines[0]) == columns(lines[3])


def test_the_export_marks_the_samples_of_each_kind(bundled_walkthrough):
    from tutor.export import render_markdown

    text, _images = render_markdown(bundled_walkthrough("batch-stochastic-minibatch"))
    assert "| $i$ | $x_i$ | $y_i$ | used |\n|---|---|---|---|\n| $0$ | $0$ | $1$ | ● |\n| $1$ | $1$ | $4$ |  |" in text
    assert "| $2$ | $2$ | $4$ | ● | ● | ● |" in text and "| $1$ | $1$ | $4$ | ● |  |  |" in text


def test_the_export_of_a_long_data_set_says_how_many_rows_are_left_out(long_lesson):
    from tutor.export import render_markdown
    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    text, _images = render_markdown(build_walkthrough(resolve_lesson(str(long_lesson), [])))
    assert "| $17$ | $17$ | $35$ | ● |" in text and "| … 37 more rows … |  |  |  |" in text
    assert "| $4$ | $4$ | $9$ |" not in text


async def test_the_tutor_shows_the_data_table_with_the_used_samples_marked(tmp_path):
    from tutor.app.app import TutorApp
    from tutor.app.widgets.iterations import IterationTable
    from tutor.lesson.catalog import resolve_lesson

    store = ProgressStore(tmp_path / "progress.sqlite")
    app = TutorApp(resolve_lesson("batch-stochastic-minibatch", []), [], images="text", store=store, resume=False)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(20):
            await app.workers.wait_for_complete()
            await pilot.pause()
            session = app.screen.session
            if session is not None and session.step.id == "s1":
                break
            await pilot.press("f8")
        table = app.screen.query_one(IterationTable)
        assert table.display
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        cols = [str(c.label) for c in table.columns.values()]
        assert cols == ["#", "x", "y", "used"]
        assert rows == [["0", "0", "1", USED], ["1", "1", "4", ""], ["2", "2", "4", USED], ["3", "3", "7", ""]]
