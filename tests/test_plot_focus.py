"""Plots that show what the step is about: a diverging companion leaves the picture, labels stay off the data."""

from __future__ import annotations

import os

import pytest
import sympy as sp

os.environ.setdefault("MPLBACKEND", "Agg")

from tutor import descent, plots
from tutor.mathinput import symbol
from tutor.walkthrough.geometry import Sampler, comparison_picture, descent_picture, training_picture

x, y = symbol("x"), symbol("y")


@pytest.fixture
def figures(monkeypatch):
    kept = []
    real_save = plots.style.save

    def keep(fig, path):
        kept.append(fig)
        return real_save(fig, path)

    monkeypatch.setattr(plots.style, "save", keep)
    return kept


def test_a_diverged_run_does_not_shrink_the_one_being_taught(tmp_path, figures):
    """x² + 25y² from (5, 1): η = 0.1 diverges in y (|1 − 0.1·50| = 4 > 1); a small η settles."""
    f = x**2 + 25 * y**2
    gd = descent.run(f, ["x", "y"], [5, 1], 0.1, steps=30, exact=False)
    slow = descent.run(f, ["x", "y"], [5, 1], 0.01, steps=30, exact=False)
    assert gd.stop.reason == "diverged" or abs(float(gd.steps[-1].point[1])) > 1e6
    runs = {"gd": gd, "slow": slow}
    plots.plot_optimizers(comparison_picture(f, ["x", "y"], runs, Sampler()), tmp_path / "opt.png")
    ax = figures[-1].axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    # by hand, η = 0.01: x_k = 5·0.98^k and y_k = 0.5^k, so the settled run spans 5·0.98^30 ≤ x ≤ 5, 0 < y ≤ 1;
    # the view is that box with a margin, not the runaway's (|y| beyond 10^6)
    assert x0 <= 5 * 0.98**30 and x1 >= 5 and y0 <= 0.5**30 and y1 >= 1
    assert x1 - x0 < 20 and y1 - y0 < 20


def test_the_minimum_label_sits_at_the_foot_of_the_axes(tmp_path, figures):
    """x⁴ − 3x² + x: an iterate near the minimum keeps its own label clear of the minimum's."""
    f = x**4 - 3 * x**2 + x
    run = descent.run(f, ["x"], [1], sp.Rational(1, 8), steps=2, exact=False)
    minimum = 1.1309  # f′(x) = 4x³ − 6x + 1 = 0 near 1.131 (by Newton's method by hand: 1.13095)
    found = [{"point": {"x": minimum}, "kind": "minimum"}]
    plots.plot_run(descent_picture(f, ["x"], run, Sampler(), minima_found=found), tmp_path / "run.png")
    fig = figures[-1]
    fig.canvas.draw()
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_text().startswith("minimum"))
    box = label.get_window_extent()
    axes_box = ax.get_window_extent()
    assert box.y0 - axes_box.y0 < 0.1 * axes_box.height  # at the bottom of the axes
    for other in ax.texts:
        if other is not label and other.get_text():
            assert not box.overlaps(other.get_window_extent()), other.get_text()


def test_one_update_without_a_run_after_it_has_no_empty_loss_panel(tmp_path, figures):
    from tutor.walkthrough.contract import TrainingPayload

    w, b, xx = symbol("w"), symbol("b"), symbol("x")
    data = TrainingPayload(
        model=w * xx + b,
        parameters=("w", "b"),
        input="x",
        xs=(0, 1, 2, 3),
        ys=(1, 4, 4, 7),
        params={"w": 1, "b": 0},
        predictions=(0, 2),
        loss=sp.Rational(5, 2),
        gradient=(-2, -3),
        next_params={"w": sp.Rational(7, 5), "b": sp.Rational(3, 10)},
        samples=(0, 2),
        learning_rate=sp.Rational(1, 10),
        history=None,
    )
    plots.plot_training(training_picture(data, Sampler()), tmp_path / "one.png")
    axes = [ax for ax in figures[-1].axes if ax.get_visible()]
    assert len(axes) == 1 and axes[0].lines  # the data and the models, no empty panel beside them
