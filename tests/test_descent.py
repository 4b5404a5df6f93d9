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


# --- exact mode against an independent Fraction loop -------------------------------------


def fraction_descent(f, grad, start, lr, steps, beta=None):
    """Plain (or momentum) descent over Fractions, written here from the update rule alone."""
    from fractions import Fraction

    point, velocity, out = [Fraction(v) for v in start], [Fraction(0)] * len(start), []
    for k in range(steps + 1):
        value, g = f(*point), [d(*point) for d in grad]
        if any(max(abs(v.numerator), v.denominator) >= 10**2000 for v in (*point, value, *g)):
            return out, "exact_limit"  # more than 2000 digits
        out.append((k, tuple(point), value, tuple(g)))
        if all(v == 0 for v in g) and all(v == 0 for v in velocity):
            return out, "zero_gradient"
        if k == steps:
            return out, "max_steps"
        if beta is None:
            point = [p - lr * d for p, d in zip(point, g)]
        else:
            velocity = [beta * v + d for v, d in zip(velocity, g)]
            point = [p - lr * v for p, v in zip(point, velocity)]


@pytest.mark.parametrize(
    "expr, f, grad, start, lr, beta",
    [
        (5 * x**2 + 3 * x + 1, lambda a: 5 * a * a + 3 * a + 1, [lambda a: 10 * a + 3], [1], R(1, 20), None),
        (x**4 / 4 - x / 3, lambda a: a**4 / 4 - a / 3, [lambda a: a**3 - R(1, 3)], [1], R(1, 2), None),
        (
            x**2 * y - y**3 / 3 + 2 * x,
            lambda a, b: a * a * b - b**3 / 3 + 2 * a,
            [lambda a, b: 2 * a * b + 2, lambda a, b: a * a - b * b],
            [R(1, 2), R(-1, 3)],
            R(1, 10),
            None,
        ),
        (1 / (1 + x**2), lambda a: 1 / (1 + a * a), [lambda a: -2 * a / (1 + a * a) ** 2], [R(3, 2)], R(1, 2), None),
        (5 * x**2, lambda a: 5 * a * a, [lambda a: 10 * a], [1], R(1, 20), R(9, 10)),
    ],
)
def test_exact_mode_is_the_fraction_loop(expr, f, grad, start, lr, beta):
    from fractions import Fraction

    as_fraction = lambda v: Fraction(int(v.p), int(v.q))  # noqa: E731
    lr_f = as_fraction(lr)
    expected, reason = fraction_descent(
        f, grad, [as_fraction(R(s)) for s in start], lr_f, 12, None if beta is None else as_fraction(beta)
    )
    names = [str(s) for s in sorted(expr.free_symbols, key=str)]
    names = ["x", "y"][: len(names)]
    opt = descent.Momentum(beta) if beta is not None else None
    run = descent.run(expr, names, start, lr, steps=12, exact=True, optimizer=opt)
    got = [(s.k, s.point, s.value, s.gradient) for s in run.steps]
    assert got == expected
    assert all(isinstance(v, sp.Rational) for s in run.steps for v in (*s.point, s.value, *s.gradient))
    assert run.stop.reason == reason


def test_exact_division_by_zero_mid_run_is_undefined_with_the_point():
    # f = 1/x from 1 with lr 1/2... f'(x) = -1/x^2, x1 = 1 + 1/2 = 3/2: never zero; use f = 1/(x - 2) + x
    # x0 = 1: f' = -1/(x-2)^2 + 1 = 0 at 1 → zero gradient; start at 3: f' = 0 too; start at 5/2:
    # f'(5/2) = -4 + 1 = -3, x1 = 5/2 + 3/6 = 3 ... choose lr so x1 = 2: 5/2 - lr*(-3) = 2 → lr = -1/6 (no);
    # take f = 1/x - x: f' = -1/x^2 - 1, from x = -1: f' = -2, x1 = -1 + 2*(1/2) = 0: undefined at 0
    run = descent.run(1 / x - x, ["x"], [-1], R(1, 2), steps=5, exact=True)
    assert [s.point for s in run.steps] == [(-1,)]
    assert run.stop.reason == "undefined" and run.stop.message == "f or its derivative is undefined at (0)"


# --- streaming and summaries ---------------------------------------------------------------


def hand_descent(lr, start, steps):
    """2x^2 + 6z^2 + 7m^3 by hand: the gradient (4x, 12z, 21m^2) written out, no history."""
    a, b, c = start
    for _ in range(steps):
        a, b, c = a - lr * (4 * a), b - lr * (12 * b), c - lr * (21 * (c * c))
    return a, b, c


def test_a_long_summary_ends_where_the_hand_written_loop_does():
    f = 2 * x**2 + 6 * y**2 + 7 * symbol("m") ** 3
    summary = descent.descend(f, ["x", "y", "m"], [1.0, 1.0, 1.0], 0.001, steps=30_000).summary()
    assert summary.stop.reason == "max_steps" and summary.final.k == 30_000
    assert summary.final.point == hand_descent(0.001, (1.0, 1.0, 1.0), 30_000)
    assert summary.first.point == (1.0, 1.0, 1.0) and summary.first.value == 15.0


@pytest.mark.parametrize(
    "f, start, lr, steps, until",
    [
        (5 * x**2, [1.0], 0.21, 50_000, ["sign-change"]),  # oscillates: stops at the first sign change
        (x**4 - 3 * x**2 + x, [2.0], 0.001, 20_000, ["sign-change"]),
        (x**2 + 3 * y**2, [1.0, -2.0], 0.01, 20_000, ["tol:1e-9"]),
        (x**2, [1.0], 1.0001, 1_000_000, []),  # grows slowly until |x| passes the limit
        (x**3, [-1.0], 0.0001, 1_000_000, []),
        (x**30, [1.01], 0.0001, 9_000, []),  # f is evaluated each step (it could overflow)
        (sp.log(x) + x**2, [1.0], 0.001, 9_000, ["sign-change"]),
        (x**2 + y**2, [0.0, 1.0], 0.25, 10_000, []),  # one partial is zero throughout
        (x**2 + y**2, [1e-160, 1.0], 0.5, 10_000, []),
    ],
)
def test_the_summary_is_the_first_and_last_step_of_the_whole_run(f, start, lr, steps, until):
    names = ["x", "y"][: len(start)]
    run = descent.run(f, names, start, lr, steps=steps, until=until)
    summary = descent.descend(f, names, start, lr, steps=steps, until=until).summary()
    assert (summary.first, summary.final, summary.stop) == (run.steps[0], run.steps[-1], run.stop)


def test_a_descent_streams_its_steps_and_then_says_why_it_stopped():
    walk = descent.descend(5 * x**2, ["x"], [1.0], 0.01, steps=1_000_000)
    assert walk.stop is None
    taken = []
    for step in walk:
        taken.append(step.k)
        if step.k == 3:
            break
    assert taken == [0, 1, 2, 3]  # nothing ran ahead of what was read
    full = descent.descend(5 * x**2, ["x"], [1.0], 0.01, steps=2500, until=["tol:1e-3"])
    steps = list(full)
    assert full.stop == descent.run(5 * x**2, ["x"], [1.0], 0.01, steps=2500, until=["tol:1e-3"]).stop
    assert full.first == steps[0] and [s.k for s in steps] == list(range(len(steps)))


def test_a_summary_of_many_steps_keeps_no_more_than_one_of_few():
    import tracemalloc

    f = sum(symbol(f"x{i}") ** 2 for i in range(10))
    names = [f"x{i}" for i in range(10)]

    def peak(steps: int, exact: bool = False) -> int:
        tracemalloc.start()
        descent.descend(f, names, [1] * 10, 1e-7 if not exact else R(1, 10**7), steps=steps, exact=exact).summary()
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    peak(10)  # the generated loops are cached after the first run
    few, many = peak(10), peak(200_000)
    assert many < few + 256 * 1024
    assert peak(2000, exact=True) < few + 1024 * 1024  # exact numbers grow, but no history is kept


def test_exact_momentum_under_a_schedule_runs_in_rationals():
    """The Fraction loop takes a scheduled optimiser's settings too (it once rebuilt the wrapper and failed)."""
    from fractions import Fraction

    from tutor.schedules import Schedule, Scheduled

    opt = Scheduled(descent.make_optimizer("momentum", beta=R(1, 2)), Schedule("step_decay", every=2, factor=R(1, 2)))
    run = descent.run(x**2, ["x"], [1], R(1, 4), steps=4, exact=True, optimizer=opt)
    # by hand: v ← β v + 2x, x ← x − η_k v, with η_k = (1/4)(1/2)^⌊k/2⌋
    xs, point, v = [Fraction(1)], Fraction(1), Fraction(0)
    for k in range(4):
        v = Fraction(1, 2) * v + 2 * point
        point -= Fraction(1, 4) * Fraction(1, 2) ** (k // 2) * v
        xs.append(point)
    assert points(run) == [R(p.numerator, p.denominator) for p in xs]
    assert all(isinstance(p, sp.Rational) for p in points(run))
    assert (run.stop.reason, run.stop.k) == ("max_steps", 4)
