"""What a picture shows, computed by the walkthrough: ranges around the iterates and minima, f sampled over them.

Every expected value is worked out by hand or evaluated here independently
(plain Python arithmetic on the sample points), never read back from the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from tutor import descent
from tutor.calculus import StationaryPoint
from tutor.mathinput import symbol
from tutor.walkthrough.contract import ContourView, CurveView, IterationPayload, TrainingPayload
from tutor.walkthrough.descent_steps import descent_facts
from tutor.walkthrough.geometry import Sampler, descent_picture, training_picture, with_picture

x, y, w, b = (symbol(n) for n in "xywb")
R = sp.Rational


def quadratic_run(steps: int = 3) -> descent.Run:
    # f = x² − 3x, f′ = 2x − 3, from 4 with η = 1/5: x₁ = 4 − 5/5 = 3, x₂ = 3 − 3/5 = 12/5, x₃ = 12/5 − (9/5)/5 = 51/25
    return descent.run(x**2 - 3 * x, ["x"], [4], R(1, 5), steps=steps, exact=True)


def test_one_variable_iteration_shows_the_iterates_the_next_one_and_the_minimum():
    run = quadratic_run()
    minimum = [StationaryPoint({"x": R(3, 2)}, "minimum")]  # f′ = 0 at 3/2
    pic = descent_picture(x**2 - 3 * x, ["x"], run, Sampler(), upto=1, next_point=(R(12, 5),), minima_found=minimum)
    assert [it.point[0] for it in pic.iterates] == [4.0, 3.0]
    assert [it.value for it in pic.iterates] == [4.0, 0.0]  # 16 − 12, 9 − 9
    assert [it.gradient[0] for it in pic.iterates] == [5.0, 3.0]
    assert pic.current == 1 and pic.next == (2.4,)
    assert pic.next_value == pytest.approx(2.4**2 - 3 * 2.4)
    assert pic.minima == ((1.5,),) and pic.minima_values == (pytest.approx(-2.25),)
    view = pic.view
    assert isinstance(view, CurveView)
    lo, hi = view.xlim
    assert lo < 1.5 and hi > 4.0  # the minimum and every iterate inside, with a margin
    assert view.shown == 2
    xs, ys = view.curve.xs, view.curve.ys
    assert xs[0] == lo and xs[-1] == pytest.approx(hi) and np.allclose(np.diff(xs), (hi - lo) / (len(xs) - 1))
    assert ys == pytest.approx([v * v - 3 * v for v in xs.tolist()])
    assert view.ylim is not None and view.ylim[0] < -2.25 and view.ylim[1] > 4.0


def test_steps_that_show_the_same_range_share_one_sample():
    """Iteration 0 with x₁ revealed and iteration 1 before its answer show the same points, x₀ and x₁."""
    run, sampler = quadratic_run(), Sampler()
    revealed = descent_picture(x**2 - 3 * x, ["x"], run, sampler, upto=0, next_point=(3,))
    before = descent_picture(x**2 - 3 * x, ["x"], run, sampler, upto=1)
    assert isinstance(revealed.view, CurveView) and isinstance(before.view, CurveView)
    assert revealed.view.xlim == before.view.xlim
    assert revealed.view.curve is before.view.curve


def test_a_walkthrough_step_carries_both_pictures_and_the_unrevealed_one_has_no_next_iterate():
    run = quadratic_run()
    payload = with_picture(IterationPayload(**descent_facts(x**2 - 3 * x, ("x",), run, 1)), Sampler())
    assert payload.picture is not None and payload.picture_unrevealed is not None
    assert payload.picture.next == (2.4,) and payload.picture_unrevealed.next is None
    assert [it.k for it in payload.picture_unrevealed.iterates] == [0, 1]


def test_a_run_that_runs_away_keeps_the_view_near_the_start():
    # 5x² with η = 1/4: x_{k+1} = x_k − (1/4)(10x_k) = −1.5 x_k, so |x_k| = 1.5^k
    run = descent.run(5 * x**2, ["x"], [1], 0.25, steps=30)
    pic = descent_picture(5 * x**2, ["x"], run, Sampler())
    assert isinstance(pic.view, CurveView)
    lo, hi = pic.view.xlim
    assert lo < -1 < 1 < hi and hi - lo < 100
    assert pic.view.shown < len(pic.iterates)  # the far iterates are left off
    assert pic.growing


def test_two_variables_sample_f_on_a_grid_around_the_path_and_the_minimum():
    # f = x² + 10y² from (−3, 1), η = 9/100: x_{k+1} = 0.82 x_k, y_{k+1} = −0.8 y_k
    f = x**2 + 10 * y**2
    run = descent.run(f, ["x", "y"], [-3, 1], R(9, 100), steps=5, exact=True)
    pic = descent_picture(f, ["x", "y"], run, Sampler(), minima_found=[StationaryPoint({"x": 0, "y": 0}, "minimum")])
    view = pic.view
    assert isinstance(view, ContourView)
    (x0, x1), (y0, y1) = view.xlim, view.ylim
    for k in range(6):
        px, py = -3 * 0.82**k, (-0.8) ** k
        assert x0 <= px <= x1 and y0 <= py <= y1
    assert x0 < 0 < x1 and y0 < 0 < y1
    if view.equal:
        assert (x1 - x0) / (y1 - y0) == pytest.approx(1.5)
    gx, gy, zs = view.grid.xs, view.grid.ys, view.grid.zs
    assert gx[0] < x0 and gx[-1] > x1  # the grid reaches beyond the frame
    i, j = 17, 101
    assert zs[i, j] == pytest.approx(gx[j] ** 2 + 10 * gy[i] ** 2)


def test_where_f_has_no_real_value_the_samples_are_nan():
    run = descent.run(x - sp.log(x), ["x"], [3], R(1, 2), steps=3, exact=False)
    pic = descent_picture(x - sp.log(x), ["x"], run, Sampler())
    assert isinstance(pic.view, CurveView)
    xs, ys = pic.view.curve.xs, pic.view.curve.ys
    for v, fv in zip(xs.tolist(), ys.tolist()):
        if v <= 0:
            assert math.isnan(fv)
        else:
            assert fv == pytest.approx(v - math.log(v))


def test_a_training_picture_samples_the_model_before_and_after_the_update():
    # y = 2x + 1 on x = 1, 2, 3 from w = b = 0 with η = 1/10: w = 34/15, b = 1 after one update (worked by hand)
    data = TrainingPayload(
        model=w * x + b,
        parameters=("w", "b"),
        input="x",
        xs=(1, 2, 3),
        ys=(3, 5, 7),
        params={"w": 0, "b": 0},
        predictions=(0, 0, 0),
        loss=R(83, 3),
        gradient=(R(-68, 3), -10),
        next_params={"w": R(34, 15), "b": 1},
        samples=(0, 2),
        learning_rate=R(1, 10),
    )
    pic = training_picture(data, Sampler())
    assert pic.before == (0.0, 0.0) and pic.after == (pytest.approx(34 / 15), 1.0)
    assert pic.used == (0, 2)
    lo, hi = pic.xlim
    assert lo < 1 and hi > 3
    assert pic.before_curve.ys == pytest.approx([0.0] * len(pic.before_curve.xs))
    assert pic.after_curve is not None
    assert pic.after_curve.ys == pytest.approx([34 / 15 * v + 1 for v in pic.after_curve.xs.tolist()])
    assert pic.losses == ()
