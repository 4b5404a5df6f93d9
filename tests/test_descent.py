"""The descent runner, against iterates worked out by hand."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor import descent
from tutor.calculus import MathError
from tutor.mathinput import symbol

x, y = symbol("x"), symbol("y")
R = sp.Rational


def points(run):
    return [s.point[0] for s in run.steps]


def test_article_example_halves_each_step():
    # x_{k+1} = x_k - (1/20)(10 x_k) = x_k / 2
    run = descent.run(5 * x**2, ["x"], [1], R(1, 20), steps=3, exact=True)
    assert points(run) == [1, R(1, 2), R(1, 4), R(1, 8)]
    assert [s.value for s in run.steps] == [5, R(5, 4), R(5, 16), R(5, 64)]
    assert [s.gradient[0] for s in run.steps] == [10, 5, R(5, 2), R(5, 4)]
    assert (run.stop.reason, run.stop.k) == ("max_steps", 3)


def test_decimal_learning_rate_is_exact():
    run = descent.run(5 * x**2, ["x"], [1], sp.Rational(5, 100), steps=1, exact=True)
    assert points(run) == [1, R(1, 2)]


def test_one_over_L_hits_the_minimum_in_one_step():
    run = descent.run(5 * x**2, ["x"], [1], R(1, 10), steps=10, exact=True)
    assert points(run) == [1, 0]
    assert (run.stop.reason, run.stop.k) == ("zero_gradient", 1)


def test_two_over_L_oscillates_and_the_sign_change_is_recorded():
    run = descent.run(5 * x**2, ["x"], [1], R(1, 5), steps=4, exact=True)
    assert points(run) == [1, -1, 1, -1, 1]
    assert [s.sign_change for s in run.steps] == [(), ("x",), ("x",), ("x",), ("x",)]
    stopped = descent.run(5 * x**2, ["x"], [1], R(1, 5), steps=4, exact=True, until=["sign-change"])
    assert (stopped.stop.reason, stopped.stop.k) == ("sign_change", 1)
    assert "between" in stopped.stop.message


def test_above_the_bound_diverges():
    # x_{k+1} = x_k - (1/4)(10 x_k) = -1.5 x_k: grows without bound
    run = descent.run(5 * x**2, ["x"], [1], R(1, 4), steps=3, exact=True)
    assert points(run) == [1, R(-3, 2), R(9, 4), R(-27, 8)]
    far = descent.run(5 * x**2, ["x"], [1], 0.25, steps=500)
    assert far.stop.reason == "diverged"


def test_float_mode_matches_exact_mode():
    exact = descent.run(x**2 + 3 * y**2, ["x", "y"], [2, 1], R(1, 10), steps=5, exact=True)
    fast = descent.run(x**2 + 3 * y**2, ["x", "y"], [2, 1], 0.1, steps=5)
    for a, b in zip(exact.steps, fast.steps):
        assert all(math.isclose(float(p), q, abs_tol=1e-12) for p, q in zip(a.point, b.point))


def test_tolerance_stop():
    run = descent.run(5 * x**2, ["x"], [1], 0.05, steps=1000, until=["tol:1e-6"])
    assert run.stop.reason == "tolerance"
    assert abs(run.final.gradient[0]) <= 1e-6
    # |f'(x_k)| = 10 / 2^k: first at most 1e-6 when 2^k >= 1e7, k = 24
    assert run.stop.k == 24


def test_momentum_by_hand():
    # v1 = 10, x1 = 1 - 10/20 = 1/2; g1 = 5, v2 = 9/10*10 + 5 = 14, x2 = 1/2 - 14/20 = -1/5
    run = descent.run(5 * x**2, ["x"], [1], R(1, 20), steps=2, exact=True, optimizer=descent.Momentum(R(9, 10)))
    assert points(run) == [1, R(1, 2), R(-1, 5)]


def test_adam_first_step_moves_by_the_learning_rate():
    # Adam's first bias-corrected step is lr * g/|g| (up to eps)
    run = descent.run(5 * x**2, ["x"], [1], 0.1, steps=1, optimizer=descent.Adam())
    assert math.isclose(run.steps[1].point[0], 0.9, rel_tol=1e-6)


def test_adam_refuses_exact_mode():
    with pytest.raises(MathError, match="float mode"):
        descent.run(5 * x**2, ["x"], [1], R(1, 10), exact=True, optimizer=descent.Adam())


@pytest.mark.parametrize(
    "f, start, reason, words",
    [
        (1 / x, 0, "undefined", "division by zero"),
        (sp.log(x), -1, "undefined", "log"),
        (sp.sqrt(x), 0, "undefined", "derivative"),
        (sp.Abs(x), 0, "not_differentiable", "subgradient"),
    ],
)
def test_bad_starts_are_explained_not_raised(f, start, reason, words):
    run = descent.run(f, ["x"], [start], 0.1, steps=5)
    assert run.stop.reason == reason and words in run.stop.message and len(run.steps) == 0


def test_float_overflow_is_reported():
    run = descent.run(sp.exp(x**2), ["x"], [30], 0.1, steps=5)
    assert run.stop.reason == "diverged" and "overflow" in run.stop.message


def test_unbounded_function_diverges():
    run = descent.run(x**3, ["x"], [-1], 0.1, steps=10_000)
    assert run.stop.reason == "diverged"


def test_exact_numbers_are_bounded():
    # x^4 from 1 with lr 1/3: x_{k+1} = x_k - (4/3)x_k^3; digits triple each step
    run = descent.run(x**4, ["x"], [R(1, 2)], R(1, 3), steps=200, exact=True)
    assert run.stop.reason in ("exact_limit", "diverged")
    assert len(run.steps) < 200


def test_two_hundred_exact_steps_of_a_quadratic():
    run = descent.run(5 * x**2, ["x"], [1], R(1, 20), steps=200, exact=True)
    assert run.final.point[0] == R(1, 2**200)


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-1e6, 1e6, allow_nan=False),
    lr=st.floats(1e-6, 10, allow_nan=False),
    which=st.sampled_from(["quad", "cubic", "basins", "exp"]),
)
def test_runner_never_raises_for_finite_inputs(start, lr, which):
    f = {"quad": 5 * x**2, "cubic": x**3, "basins": x**4 - 3 * x**2 + x, "exp": sp.exp(x**2)}[which]
    run = descent.run(f, ["x"], [start], lr, steps=200)
    assert run.stop.reason in descent.STOP_REASONS
    if run.stop.reason == "diverged":
        assert run.stop.message


def test_unknown_stop_rule_is_an_error():
    with pytest.raises(MathError, match="unknown stop rule"):
        descent.Until.parse(["sometimes"])


def test_exact_mode_keeps_rational_coefficients():
    # f = x^4/4 - x/3: f(1) = -1/12, f'(1) = 2/3, x1 = 1 - (1/2)(2/3) = 2/3
    run = descent.run(x**4 / 4 - x / 3, ["x"], [1], R(1, 2), steps=1, exact=True)
    assert run.steps[0].value == R(-1, 12) and run.steps[0].gradient == (R(2, 3),)
    assert run.steps[1].point == (R(2, 3),)


def test_exact_mode_handles_functions():
    # |x - 1| from 3 with lr 1/2: slope 1 until the kink, x = 3, 5/2, 2, 3/2
    run = descent.run(sp.Abs(x - 1), ["x"], [3], R(1, 2), steps=3, exact=True)
    assert points(run) == [3, R(5, 2), 2, R(3, 2)]


def test_momentum_does_not_stop_where_only_the_gradient_is_zero():
    # v1 = 10, x1 = 1 - (1/10)(10) = 0 where f' = 0; but v2 = (9/10)(10) + 0 = 9 moves on: x2 = -9/10
    run = descent.run(5 * x**2, ["x"], [1], R(1, 10), steps=2, exact=True, optimizer=descent.Momentum(R(9, 10)))
    assert points(run) == [1, 0, R(-9, 10)]
    assert run.stop.reason == "max_steps"
    # plain descent does stop there
    assert descent.run(5 * x**2, ["x"], [1], R(1, 10), steps=2, exact=True).stop.reason == "zero_gradient"


def test_the_generated_loop_takes_only_parsed_expressions():
    from tutor.codegen import descent_loop

    with pytest.raises(TypeError):
        descent_loop("__import__('os')", ("x",))
    with pytest.raises(TypeError):
        descent_loop(x + y, ("x",))  # y is not a declared variable
