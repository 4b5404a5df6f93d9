"""One figure per section, updated per step: the same pictures, byte for byte, as each step drawn afresh."""

from __future__ import annotations

import itertools
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from tutor import plots
from tutor.plots import runs, style
from tutor.plots.step import draw_section, drawing


def _sections(lesson_id: str):
    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    walkthrough = build_walkthrough(resolve_lesson(lesson_id))
    for _section, steps in itertools.groupby(walkthrough.steps, key=lambda s: s.section):
        drawn = [(step, order) for step in steps if (order := drawing(step)) is not None]
        if drawn:
            yield drawn


@pytest.mark.parametrize(
    ("lesson_id", "across"),
    [("sign-of-the-derivative", False), ("optimisers", False), ("learning-rate", True)],  # a curve; contours;
)  # sections that show the same curve (one figure kept for the whole lesson, as the export does in one process)
def test_a_figure_updated_per_step_is_the_figure_drawn_afresh(lesson_id, across, tmp_path, monkeypatch):
    made = []
    new_figure = runs.new_figure
    monkeypatch.setattr(runs, "new_figure", lambda *a, **k: made.append(1) or new_figure(*a, **k))
    descents = kept = 0
    lesson = runs.Frames()
    for number, section in enumerate(_sections(lesson_id)):
        paths = [tmp_path / "kept" / f"{number}-{i}.png" for i in range(len(section))]
        before = len(made)
        draw_section([(order, path) for (_, order), path in zip(section, paths)], lesson if across else None)
        steps = sum(order[0] is runs.draw_descent for _, order in section)
        descents += steps
        kept += steps - (len(made) - before)
        for (step, _), path in zip(section, paths):
            alone = plots.plot_step(step, tmp_path / "alone.png")
            assert alone is not None and path.read_bytes() == alone.read_bytes(), (lesson_id, step.id)
    assert kept >= 2, "no section's figure was kept for its next step"  # the steps k0, k1, ... share a frame
    assert kept < descents


def test_the_minimum_is_listed_last_though_drawn_first(tmp_path, monkeypatch):
    """The frame (curve, minima) is drawn before the step's iterates; the legend still lists the minimum last."""
    legends = []
    save = style.save
    monkeypatch.setattr(
        style,
        "save",
        lambda fig, path: legends.append([t.get_text() for t in fig.axes[0].get_legend().texts]) or save(fig, path),
    )
    for section in _sections("sign-of-the-derivative"):
        draw_section([(order, tmp_path / f"{i}.png") for i, (_, order) in enumerate(section)])
    with_minimum = [labels for labels in legends if style.word("minimum") in labels]
    assert with_minimum and all(labels[-1] == style.word("minimum") for labels in with_minimum)
    assert any(style.word("iterates") in labels for labels in with_minimum)
