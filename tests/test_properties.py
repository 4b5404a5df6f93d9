"""Properties that must hold for every input, checked with hypothesis.

- the parser answers any text with a value or a MathTextError, nothing else;
- an accepted expression printed (sympy's ``sstr``, the tutor's own ``show``)
  and read again is the same expression;
- the engine's gradient agrees with central finite differences, on random
  expressions built from the allow-listed functions;
- the descent runner never raises for a finite start and learning rate, even
  on functions with poles and kinks, and says "diverged" when |x| explodes.
"""

from __future__ import annotations

import math

import hostile_inputs as H
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tutor import calculus, descent
from tutor.derivation import show
from tutor.mathinput import (
    CONSTANTS,
    FUNCTIONS,
    MathTextError,
    infer_variables,
    parse_assignments,
    parse_expression,
    parse_number,
    parse_vector,
    symbol,
)

x, y = symbol("x"), symbol("y")
NAMES = ["x", "y"]

# Derandomised: the same examples on every run, so a shared suite never fails by luck (vary
# --hypothesis-seed by hand to explore further).
_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]
MANY = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=_QUIET)
SOME = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=_QUIET)


# --- the parser raises only its own error ------------------------------------------------------

PARSERS = [
    lambda t: parse_expression(t, NAMES),
    lambda t: parse_expression(t, None),
    lambda t: parse_expression(t, ["x", "xy", "y"]),
    lambda t: parse_vector(t, NAMES),
    lambda t: parse_vector(t, None),
    parse_number,
    lambda t: parse_assignments(t, NAMES),
    infer_variables,
]


def total(text: str) -> None:
    """Every parser either returns or raises MathTextError with a one-line message and a sane column."""
    for parse in PARSERS:
        try:
            parse(text)
        except MathTextError as err:
            assert isinstance(err.message, str) and err.message and "\n" not in err.message
            assert err.column is None or 0 <= err.column <= len(text)
            err.caret()  # drawing the caret never fails either


@MANY
@given(st.text(max_size=200))
def test_any_text_gives_a_value_or_a_math_text_error(text):
    total(text)


# Pieces of maths and of attacks, so most examples get past the first character.
ALPHABET = (
    list("xyzm0123456789.+-*/^()[]{},= _eE'\"!%@$`|&~<>;:#\\\t\n")
    + sorted(FUNCTIONS)
    + sorted(CONSTANTS)
    + [
        "**",
        "x²",
        "⁻¹",
        "−",
        "×",
        "÷",
        "·",
        "ｘ",
        "х",
        "ο",
        "π",
        "√(",
        "½",
        "∇f =",
        "y =",
        "f(x) =",
        "\u200b",
        "\u202e",
        "\x00",
        "__",
        "lambda",
        "import",
        "0x",
        "1e",
        "9**9**9",
        "10**",
        "(((",
        ")))",
        "exp(exp(",
        "sqrt(sqrt(",
        "1_0",
        "10!",
        "inf",
        "nan",
        "oo",
        "I",
    ]
)


@MANY
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_math_like_text_gives_a_value_or_a_math_text_error(text):
    total(text)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(H.REFUSED), st.sampled_from(H.REFUSED))
def test_hostile_inputs_glued_together_are_still_refused(a, b):
    for text in (a + b, a + " + " + b, f"({a})*({b})", f"sin({a})"):
        total(text)


# --- printing and reading again gives the same expression ----------------------------------------

ONE_ARGUMENT = sorted({fn for name, fn in FUNCTIONS.items()}, key=lambda fn: fn.__name__)
LEAVES = st.one_of(
    st.sampled_from([x, y]),
    st.integers(-9, 9).map(sp.Integer),
    st.builds(sp.Rational, st.integers(-9, 9), st.integers(1, 9)),
    st.sampled_from([sp.pi, sp.E]),
)


def _tree(children):
    return st.one_of(
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a, b: a - b, children, children),
        st.builds(lambda a, b: a / b, children, children.filter(lambda e: e != 0)),
        st.builds(lambda a, n: a**n, children, st.sampled_from([2, 3, -1, -2, sp.Rational(1, 2), sp.Rational(1, 3)])),
        st.builds(lambda fn, a: fn(a), st.sampled_from(ONE_ARGUMENT), children),
        st.builds(lambda a: sp.exp(a), children),
    )


def _real_parts(e: sp.Expr) -> bool:
    """No constant part without a real value (the parser refuses log(-2), acos(2), (-1)^(1/3))."""
    return all(
        part.is_real is not False for part in sp.preorder_traversal(e) if isinstance(part, sp.Expr) and part.is_number
    )


UNDEFINED = (sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I, sp.AccumBounds)  # atan(zoo) is an AccumBounds
EXPRESSIONS = st.recursive(LEAVES, _tree, max_leaves=8).filter(
    lambda e: isinstance(e, sp.Expr) and not e.has(*UNDEFINED) and _real_parts(e)
)


#: The parser may refuse a generated tree only for its size bounds (a number or a tree too large).
BOUNDS = ("too large", "too deeply", "too long", "exponent too large", "too small")


def reparse(text: str) -> sp.Expr:
    try:
        return parse_expression(text, NAMES)
    except MathTextError as err:
        assume(not any(word in err.message for word in BOUNDS))
        raise


def same(a: sp.Expr, b: sp.Expr) -> bool:
    if a == b:
        return True
    from tutor.sandbox import run_bounded

    try:
        return run_bounded(_zero_difference, a, b, timeout=5.0)
    except Exception:
        return True


def _zero_difference(a, b) -> bool:
    return sp.simplify(a - b) == 0


@SOME
@given(EXPRESSIONS)
def test_sstr_then_parse_gives_the_same_expression(e):
    text = sp.sstr(e)
    assert same(reparse(text), e), text


@SOME
@given(EXPRESSIONS)
def test_the_tutors_own_display_form_reads_back(e):
    text = show(e)
    assert same(reparse(text), e), text


# Text people type, for the other direction: parse, print, parse again.
TYPED = st.lists(
    st.sampled_from(
        [
            "x",
            "y",
            "2",
            "3",
            "1/2",
            "0.5",
            "pi",
            "e",
            "+",
            "-",
            "*",
            "/",
            "^2",
            "^3",
            "(",
            ")",
            "sin(",
            "cos(",
            "exp(",
            "log(",
            "sqrt(",
            "abs(",
            "tanh(",
            "atan(",
            "x²",
            "−",
            "2x",
            "3y",
        ]
    ),
    min_size=1,
    max_size=14,
).map("".join)


@MANY
@given(TYPED)
def test_typed_text_that_is_accepted_survives_printing(text):
    try:
        e = parse_expression(text, NAMES)
    except MathTextError:
        assume(False)
    assert reparse(sp.sstr(e)) == e
    assert same(reparse(show(e)), e)


@pytest.mark.parametrize("text", ["abs(x)^3", "abs(x - 1) + x", "sign(x)*abs(x)"])
def test_abs_as_sympy_prints_it_reads_back(text):
    # sympy prints abs(x)^3 as x**2*Abs(x): the parser must read its own printer's name
    e = parse_expression(text, NAMES)
    assert "Abs" in sp.sstr(e) and parse_expression(sp.sstr(e), NAMES) == e


# --- gradients agree with finite differences -------------------------------------------------------

SMOOTH_LEAVES = st.one_of(
    st.sampled_from([x, y]),
    st.integers(-3, 3).map(sp.Integer),
    st.builds(sp.Rational, st.integers(-5, 5), st.integers(1, 4)),
)


def _positive(e):
    """An argument that is positive everywhere, for log and sqrt: 1 + e², or exp(e)."""
    return st.sampled_from([1 + e**2, sp.exp(e), 2 + sp.sin(e)])


def _smooth(children):
    return st.one_of(
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a, n: a**n, children, st.integers(2, 3)),
        st.builds(lambda a: sp.sin(a), children),
        st.builds(lambda a: sp.cos(a), children),
        st.builds(lambda a: sp.atan(a), children),
        st.builds(lambda a: sp.tanh(a), children),
        st.builds(lambda a: sp.exp(a / 3), children),
        children.flatmap(_positive).map(sp.log),
        children.flatmap(_positive).map(sp.sqrt),
        children.flatmap(_positive).map(lambda p: 1 / p),
    )


SMOOTH = st.recursive(SMOOTH_LEAVES, _smooth, max_leaves=6).filter(lambda e: bool(e.free_symbols))
POINTS = st.tuples(*[st.floats(-1.5, 1.5, allow_nan=False) for _ in NAMES])


@SOME
@given(SMOOTH, POINTS)
def test_gradient_agrees_with_central_differences(f, point):
    grad = calculus.gradient(f, NAMES)
    syms = calculus.symbols_of(NAMES)
    fn = sp.lambdify(syms, f, modules="math")
    dfs = [sp.lambdify(syms, g, modules="math") for g in grad]
    h = 1e-4
    for i, df in enumerate(dfs):

        def at(t, i=i):
            p = list(point)
            p[i] += t
            return fn(*p)

        try:
            exact = float(df(*point))
            # the five-point stencil: error O(h⁴ f⁽⁵⁾)
            estimate = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
        except (OverflowError, ValueError, ZeroDivisionError):
            assume(False)
        assume(math.isfinite(exact) and math.isfinite(estimate) and abs(exact) < 1e6)
        scale = 1 + abs(exact) + abs(fn(*point))
        assert abs(exact - estimate) <= 1e-5 * scale, (f, NAMES[i], point, exact, estimate)


def test_gradient_of_the_article_function_by_hand():
    m, z = symbol("m"), symbol("z")
    f = parse_expression("2x^2 + 6z^2 + 7m^3", ["x", "z", "m"])
    assert calculus.gradient(f, ["x", "z", "m"]) == (4 * x, 12 * z, 21 * m**2)


# --- the descent runner never raises, and reports divergence -------------------------------------

HARD_FUNCTIONS = [
    "x^2",
    "x^4 - 3x^2",
    "x^3",
    "-x^2",
    "1/x",
    "1/(x - 1)^2",
    "log(x)",
    "sqrt(x)",
    "abs(x)",
    "abs(x - 1) + x^2",
    "exp(x)",
    "exp(x^2)",
    "exp(-x)",
    "tan(x)",
    "sign(x)*x^2",
    "atan(x)",
    "x*log(x)",
    "asin(x)",
    "sqrt(1 - x^2)",
    "log(abs(x))",
    "x^(1/3)",
    "1/sin(x)",
]
PARSED = {text: parse_expression(text, ["x"]) for text in HARD_FUNCTIONS}
FINITE = st.floats(allow_nan=False, allow_infinity=False)
STARTS = st.one_of(FINITE, st.floats(-10, 10), st.sampled_from([0.0, 1.0, -1.0, 1e-300, 1e300, -1e300]))
RATES = st.one_of(st.floats(min_value=1e-300, max_value=1e300), st.floats(0.001, 3), st.sampled_from([5e-324, 1.7e308]))


def check_run(run: descent.Run) -> None:
    assert run.stop.reason in descent.STOP_REASONS
    assert isinstance(run.stop.message, str) and run.stop.message
    for step in list(run.steps)[:-1]:  # every step before the last was a fine place to go on from
        assert all(math.isfinite(float(v)) for v in step.point)
    final = run.final
    if final is not None:
        exploded = any(not math.isfinite(float(v)) or abs(float(v)) > descent.DIVERGENCE_LIMIT for v in final.point)
        if exploded:
            assert run.stop.reason == "diverged", run.stop


@MANY
@given(st.sampled_from(HARD_FUNCTIONS), STARTS, RATES, st.sampled_from(["gd", "momentum", "adam"]), st.integers(0, 60))
def test_float_descent_never_raises(function, start, lr, optimizer, steps):
    run = descent.run(PARSED[function], ["x"], [start], lr, steps=steps, optimizer=descent.make_optimizer(optimizer))
    check_run(run)


EXACT_STARTS = st.builds(sp.Rational, st.integers(-(10**6), 10**6), st.integers(1, 1000))
EXACT_RATES = st.builds(sp.Rational, st.integers(1, 10**4), st.integers(1, 1000))


@SOME
@given(st.sampled_from(HARD_FUNCTIONS), EXACT_STARTS, EXACT_RATES, st.sampled_from(["gd", "momentum"]))
def test_exact_descent_never_raises(function, start, lr, optimizer):
    run = descent.run(
        PARSED[function], ["x"], [start], lr, steps=12, exact=True, optimizer=descent.make_optimizer(optimizer)
    )
    check_run(run)


@SOME
@given(st.floats(1e-3, 1e3), st.floats(0.01, 100), st.floats(1.5, 10), st.sampled_from([True, False]))
def test_above_the_stability_bound_the_run_diverges(c, x0, factor, exact):
    """f = c·x², so L = 2c and x_{k+1} = (1 - 2c·η) x_k: with |1 - 2c·η| = factor >= 1.5, |x_k| explodes."""
    lr = (1 + factor) / (2 * c)
    f = sp.Rational(c) * x**2 if exact else c * x**2
    start = sp.Rational(x0) if exact else x0
    steps = 400 if not exact else 120
    run = descent.run(f, ["x"], [start], sp.Rational(lr) if exact else lr, steps=steps, exact=exact)
    if exact and run.stop.reason == "exact_limit":
        return  # exact numbers outgrew their digit limit first: also a stop, with its own message
    assert run.stop.reason == "diverged", run.stop
    # the stop message is read in lessons before 2/L is taught (issue 13): it names the cause in plain words
    assert (
        "learning rate too large" in run.stop.message or "finite" in run.stop.message or "overflow" in run.stop.message
    )


@SOME
@given(
    st.sampled_from(["x^2 + y^2", "x^2 + 1/y", "abs(x) + y^2", "log(x) + y^2", "x*y", "exp(x*y)"]),
    STARTS,
    STARTS,
    RATES,
)
def test_two_variable_descent_never_raises(function, a, b, lr):
    f = parse_expression(function, NAMES)
    check_run(descent.run(f, NAMES, [a, b], lr, steps=30))
