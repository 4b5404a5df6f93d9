"""The exact calculus engine, against values worked out by hand or by finite differences."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor import calculus
from tutor.calculus import MathError
from tutor.mathinput import symbol

x, y, z, m = (symbol(n) for n in "xyzm")


def test_article_one_variable_example():
    f = 5 * x**2
    assert calculus.derivative(f, "x") == 10 * x
    assert calculus.evaluate(calculus.derivative(f, "x"), {"x": 1}) == 10


def test_article_three_variable_example_is_exact():
    f = 2 * x**2 + 6 * z**2 + 7 * m**3
    grad = calculus.gradient(f, ["x", "z", "m"])
    assert grad == (4 * x, 12 * z, 21 * m**2)
    value = calculus.evaluate_vector(grad, {"x": 1, "z": 1, "m": 1})
    assert value == (4, 12, 21)
    assert all(isinstance(v, sp.Integer) for v in value)


def test_gradient_follows_the_variables_order():
    f = 2 * x**2 + 6 * z**2 + 7 * m**3
    assert calculus.gradient(f, ["m", "x", "z"]) == (21 * m**2, 4 * x, 12 * z)


def test_hessian_by_hand():
    f = 2 * x**2 + 6 * z**2 + 7 * m**3
    assert calculus.hessian(f, ["x", "z", "m"]) == sp.diag(4, 12, 42 * m)


def test_abs_differentiates_to_sign_because_variables_are_real():
    assert calculus.derivative(sp.Abs(x), "x") == sp.sign(x)


@pytest.mark.parametrize(
    "value, expected",
    [(sp.Rational(-1, 2), -1), (sp.Integer(0), 0), (sp.sqrt(2) - 1, 1), (sp.pi - sp.Rational(22, 7), -1)],
)
def test_exact_sign(value, expected):
    assert calculus.sign(value) == expected


def test_sign_changes_name_the_variables():
    assert calculus.sign_changes((sp.Integer(10),), (sp.Integer(-5),), ["x"]) == ("x",)
    assert calculus.sign_changes((1, 2), (-1, 2), ["x", "y"]) == ("x",)
    assert calculus.sign_changes((1, -2), (3, -1), ["x", "y"]) == ()
    # reaching zero is not a change of sign
    assert calculus.sign_changes((1,), (0,), ["x"]) == ()


@pytest.mark.parametrize(
    "f, variables, point, kind",
    [
        (x**2 - 2 * x, ["x"], {"x": 1}, "minimum"),
        (-(x**2), ["x"], {"x": 0}, "maximum"),
        (x**3, ["x"], {"x": 0}, "saddle"),
        (x**4, ["x"], {"x": 0}, "minimum"),  # the second-derivative test alone cannot tell
        (x**2 - y**2, ["x", "y"], {"x": 0, "y": 0}, "saddle"),
        (x**2 + 3 * y**2, ["x", "y"], {"x": 0, "y": 0}, "minimum"),
    ],
)
def test_stationary_points_classified(f, variables, point, kind):
    points = calculus.stationary_points(f, variables)
    assert [(p.point, p.kind) for p in points] == [(point, kind)]


def test_two_basins():
    f = x**4 - 3 * x**2 + x
    kinds = [p.kind for p in calculus.stationary_points(f, ["x"])]
    assert kinds.count("minimum") == 2 and kinds.count("maximum") == 1


@pytest.mark.parametrize(
    "f, variables, expected",
    [
        (x**3, ["x"], {"x": False}),
        (-(x**2), ["x"], {"x": False}),
        (5 * x**2, ["x"], {"x": True}),
        (2 * x**2 + 6 * z**2 + 7 * m**3, ["x", "z", "m"], {"x": True, "z": True, "m": False}),
        (sp.exp(x), ["x"], {"x": True}),
        (-sp.exp(x), ["x"], {"x": False}),
    ],
)
def test_bounded_below(f, variables, expected):
    assert calculus.bounded_below(f, variables) == expected


def test_safe_learning_rate_of_the_article_quadratic():
    bound = calculus.safe_learning_rate(5 * x**2, ["x"])
    # f'' = 10, so L = 10, the bound is 2/10 and lr = 1/10 reaches the minimum in one step
    assert (bound.curvature, bound.bound, bound.one_step, bound.scope) == (
        10,
        sp.Rational(1, 5),
        sp.Rational(1, 10),
        "quadratic",
    )


def test_safe_learning_rate_uses_the_steepest_direction():
    bound = calculus.safe_learning_rate(x**2 + 25 * y**2, ["x", "y"])
    assert bound.curvature == 50 and bound.bound == sp.Rational(1, 25)


def test_local_learning_rate_bound_at_the_nearest_minimum():
    # x^4 - 2x^2 has minima at ±1 where f'' = 12x^2 - 4 = 8, so the local bound is 2/8
    bound = calculus.safe_learning_rate(x**4 - 2 * x**2, ["x"], near={"x": 2})
    assert bound.scope == "local" and bound.at == {"x": 1} and bound.bound == sp.Rational(1, 4)


def test_no_bound_without_a_minimum():
    assert calculus.safe_learning_rate(-(x**2), ["x"]) is None
    assert calculus.safe_learning_rate(x**3, ["x"]) is None


@pytest.mark.parametrize(
    "f, point, words",
    [
        (1 / x, {"x": 0}, "division by zero"),
        (sp.log(x), {"x": -1}, "log needs a positive argument"),
        (sp.sqrt(x), {"x": -1}, "sqrt needs a non-negative argument"),
    ],
)
def test_undefined_points_are_explained(f, point, words):
    with pytest.raises(MathError, match=words):
        calculus.evaluate(f, point)


def test_kink_of_abs_is_explained_with_the_subgradient():
    message = calculus.nondifferentiable_at(sp.Abs(x), {"x": 0})
    assert "subgradient" in message
    assert calculus.nondifferentiable_at(sp.Abs(x), {"x": 1}) is None


def _random_polynomial(rng: random.Random, syms):
    terms = []
    for _ in range(rng.randint(1, 5)):
        coefficient = sp.Rational(rng.randint(-9, 9), rng.randint(1, 4))
        term = coefficient
        for s in syms:
            term *= s ** rng.randint(0, 3)
        terms.append(term)
    return sp.Add(*terms)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_gradient_agrees_with_finite_differences(seed):
    rng = random.Random(seed)
    names = ["x", "y", "z"][: rng.randint(1, 3)]
    syms = [symbol(n) for n in names]
    f = _random_polynomial(rng, syms)
    point = {n: sp.Rational(rng.randint(-20, 20), 10) for n in names}
    grad = calculus.evaluate_vector(calculus.gradient(f, names), point)
    fn = sp.lambdify(syms, f, "math")
    h = 1e-5
    for i, name in enumerate(names):
        plus = [float(point[n]) + (h if n == name else 0) for n in names]
        minus = [float(point[n]) - (h if n == name else 0) for n in names]
        estimate = (fn(*plus) - fn(*minus)) / (2 * h)
        assert abs(float(grad[i]) - estimate) <= 1e-4 * (1 + abs(estimate))


def test_bounded_below_looks_only_where_f_is_real():
    # x - log(x) lives on x > 0; it tends to +oo at both ends of that domain
    assert calculus.bounded_below(x - sp.log(x), ["x"]) == {"x": True}
    assert calculus.bounded_below(-(x**2), ["x"])["x"] is False


def test_why_a_value_is_missing_is_said_in_the_learners_language():
    from conftest import speaking

    from tutor.calculus import MathError, evaluate, nondifferentiable_at

    x = sp.Symbol("x", real=True)

    def message(f, at):
        try:
            evaluate(f, {"x": at})
        except MathError as err:
            return err.message
        raise AssertionError("no error")

    assert message(sp.log(x), -1) == "f is not a real number at x = -1: log needs a positive argument, but x = -1"
    assert speaking("zh", message, sp.log(x), -1) == "f 在 x = -1 处不是实数：log 的自变量必须为正，但 x = -1"
    assert speaking("zh", message, 1 / x, 0).startswith("f 在 x = 0 处没有定义")
    kink = speaking("zh", nondifferentiable_at, sp.Abs(x), {"x": 0})
    assert kink.startswith("Abs(x) 在 x = 0 处不可导") and "次梯度" in kink


# --- differs_somewhere: a certain "not equal" before any simplifying ----------------------------------


def test_a_difference_too_large_for_a_float_still_differs():
    """(1 + √2)¹⁰⁰⁰ is about 6·10³⁸²: a float overflows, sympy's 30 digits do not (it once fell through to expanding)."""
    x = sp.Symbol("x")
    assert calculus.differs_somewhere((1 + sp.sqrt(2)) ** 1000 - 10 * x)
    assert calculus.differs_somewhere((x + 1) ** 1000 - (x + 2) ** 1000)
    assert calculus.differs_somewhere(sp.exp(1000) * (1 + sp.Rational(1, 10**400)) - sp.exp(1000))  # cancels 400 digits


def test_equal_forms_never_differ_even_when_their_terms_cancel():
    x = sp.Symbol("x")
    power = (1 + sp.sqrt(2)) ** 200
    assert not calculus.differs_somewhere(power - sp.expand(power))  # 200 digits cancel
    assert not calculus.differs_somewhere((x + 1) ** 30 - sp.expand((x + 1) ** 30))
    assert not calculus.differs_somewhere(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1)


def test_points_where_nothing_is_learnt_are_skipped():
    """nan or an infinity at every probe says nothing; a complex value is still a value."""
    x = sp.Symbol("x")
    assert not calculus.differs_somewhere(sp.zoo * x)
    assert not calculus.differs_somewhere(sp.nan + x)
    assert calculus.differs_somewhere(sp.log(x) - sp.log(-x))  # complex values differ too (iπ)
