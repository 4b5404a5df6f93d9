"""Derivations rule by rule: the tree, its agreement with sympy.diff, and its renderings."""

from __future__ import annotations

import json
import random

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import speaking

from tutor.derivation import (
    FUNCTION_RULES,
    AbsRule,
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    GeneralPowerRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    SqrtRule,
    SumRule,
    VariableRule,
    derive_steps,
    hint_steps,
    show,
    steps_json,
    steps_markdown,
    steps_text,
)
from tutor.mathinput import FUNCTIONS, parse_expression, symbol

x, y, z, m = (symbol(n) for n in ("x", "y", "z", "m"))


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Equal as functions: cheap exact forms first, then simplify.

    ``force`` treats the base of a symbolic power as positive, which is where
    b**y is real; that is the only licence taken.
    """
    d = a - b
    if d == 0 or sp.expand(d) == 0:
        return True

    def forced(e):
        return sp.powsimp(sp.expand_power_base(e, force=True), force=True)

    if sp.expand(forced(d)) == 0 or sp.simplify(d) == 0 or sp.simplify(forced(d)) == 0:
        return True
    return b != 0 and sp.simplify(forced(a / b)) == 1


def diff(f: sp.Expr, v: sp.Symbol) -> sp.Expr:
    """sympy's derivative away from the jumps of sign() (where sympy writes a DiracDelta)."""
    return sp.diff(f, v).replace(sp.DiracDelta, lambda *args: sp.S.Zero)


# --- the article's examples, worked by hand ---------------------------------------------------


def test_five_x_squared():
    rule = derive_steps(5 * x**2, "x")
    assert isinstance(rule, ConstantMultipleRule)
    assert rule.constant == 5
    assert isinstance(rule.substep, PowerRule) and rule.substep.exponent == 2
    assert rule.substep.compute() == 2 * x
    assert rule.compute() == 10 * x
    assert rule.compute().subs(x, 1) == 10


def test_three_variables_one_partial_each_others_held_constant():
    f = 2 * x**2 + 6 * z**2 + 7 * m**3
    expected = {"x": 4 * x, "z": 12 * z, "m": 21 * m**2}
    for v, d in expected.items():
        rule = derive_steps(f, v)
        assert isinstance(rule, SumRule)
        assert rule.compute() == d
        constants = [t for t in rule.terms if isinstance(t, ConstantRule)]
        assert len(constants) == 2
        for c in constants:
            assert c.compute() == 0
            assert v not in c.held and len(c.held) == 1


def test_constant_rule_names_the_held_variable():
    rule = derive_steps(6 * z**2, "x")
    assert isinstance(rule, ConstantRule)
    assert rule.held == ("z",)
    text = steps_text(2 * x**2 + 6 * z**2 + 7 * m**3, ["x", "z", "m"])
    assert "constant rule: ∂/∂x (6z²) = 0 (z is held constant)" in text
    assert "power rule: ∂/∂x x² = 2·x^(2 − 1) = 2x" in text


def test_variable_rule_and_sum():
    rule = derive_steps(x + 3, "x")
    assert isinstance(rule, SumRule)
    kinds = {type(t) for t in rule.terms}
    assert kinds == {VariableRule, ConstantRule}
    assert rule.compute() == 1


def test_product_quotient_chain_by_hand():
    product = derive_steps(x * sp.sin(x), "x")
    assert isinstance(product, ProductRule)
    assert same(product.compute(), sp.sin(x) + x * sp.cos(x))

    quotient = derive_steps(x / (x + 1), "x")
    assert isinstance(quotient, QuotientRule)
    assert same(quotient.compute(), 1 / (x + 1) ** 2)  # ((x+1) - x)/(x+1)^2

    chain = derive_steps(sp.sin(x**2 + 1), "x")
    assert isinstance(chain, ChainRule)
    assert chain.inner == x**2 + 1
    assert chain.outer_step.expr == sp.sin(chain.u)  # d/du sin(u), u a fresh name
    assert chain.u not in (x,)
    assert same(chain.compute(), 2 * x * sp.cos(x**2 + 1))


def test_sqrt_abs_and_general_power():
    assert isinstance(derive_steps(sp.sqrt(x), "x"), SqrtRule)
    assert same(derive_steps(sp.sqrt(x), "x").compute(), 1 / (2 * sp.sqrt(x)))
    a = derive_steps(sp.Abs(x), "x")
    assert isinstance(a, AbsRule) and a.compute() == sp.sign(x)
    assert "not differentiable at x = 0" in steps_text(sp.Abs(x), ["x"])
    g = derive_steps(x**x, "x")
    assert isinstance(g, GeneralPowerRule)
    assert same(g.compute(), x**x * (sp.log(x) + 1))


def test_chain_names_do_not_clash_with_the_variables():
    f = sp.sin(sp.exp(u_ := symbol("u")) + x)  # a variable called u already
    rule = derive_steps(f, "x")
    assert isinstance(rule, ChainRule) and rule.u != u_
    assert same(rule.compute(), diff(f, x))


# --- every allowed function, and a few hundred random expressions --------------------------------


def test_every_allowed_function_has_a_rule():
    for name, fn in FUNCTIONS.items():
        plain = fn(x)
        rule = derive_steps(plain, "x")
        assert same(rule.compute(), diff(plain, x)), name
        inner = fn(3 * x**2 + 1)
        assert same(derive_steps(inner, "x").compute(), diff(inner, x)), name
    assert all(fn in FUNCTION_RULES or fn is sp.sqrt for fn in FUNCTIONS.values())


def _leaf(rng: random.Random) -> sp.Expr:
    roll = rng.random()
    if roll < 0.5:
        return x
    if roll < 0.7:
        return y
    if roll < 0.85:
        return sp.Integer(rng.randint(-5, 5))
    return sp.Rational(rng.randint(1, 5), rng.randint(2, 6))


def _random_expression(rng: random.Random, depth: int, functions: list) -> sp.Expr:
    if depth == 0:
        return _leaf(rng)
    a = _random_expression(rng, depth - 1, functions)
    op = rng.choice(["add", "mul", "div", "pow", "fn", "fn", "scale"])
    if op == "add":
        return a + _random_expression(rng, depth - 1, functions)
    if op == "mul":
        return a * _random_expression(rng, depth - 1, functions)
    if op == "div":
        b = _random_expression(rng, depth - 1, functions)
        return a / b if b != 0 else a
    if op == "pow":
        e = rng.choice([2, 3, -1, -2, sp.Rational(1, 2), sp.Rational(-1, 2), sp.Rational(3, 2), x, y])
        return a**e if a != 0 else a
    if op == "fn":
        fn = rng.choice(functions)
        if fn in (sp.Abs, sp.sign) and not a.is_extended_real:
            fn = sp.sin  # sympy differentiates |g| of a possibly complex g in re/im parts
        return fn(a)
    return rng.randint(2, 9) * a


def _generated(count: int, seed: int) -> list[sp.Expr]:
    rng = random.Random(seed)
    functions = sorted(set(FUNCTIONS.values()), key=str)
    out = []
    while len(out) < count:
        f = _random_expression(rng, rng.randint(1, 4), functions)
        if f.has(x) and not f.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):  # log(-2) is complex: not ours
            out.append(f)
    return out


def test_steps_agree_with_sympy_on_generated_expressions():
    for f in _generated(300, seed=20240607):
        rule = derive_steps(f, "x")
        assert same(rule.compute(), diff(f, x)), f


def test_every_node_of_the_tree_is_its_own_derivative():
    """Not just the root: each rule's result is d/d(variable) of its own expression."""
    for f in _generated(40, seed=7):
        for node, _ in derive_steps(f, "x").walk():
            assert same(node.compute(), diff(node.expr, node.variable)), (f, node)


def test_partial_derivatives_of_generated_expressions():
    for f in _generated(40, seed=11):
        assert same(derive_steps(f, "y").compute(), diff(f, y)), f


# --- rendering ---------------------------------------------------------------------------------


def test_steps_text_one_variable():
    text = steps_text(5 * x**2, ["x"])
    lines = text.splitlines()
    assert "constant multiple rule: d/dx (5x²) = 5 · d/dx x² = 10x" in lines[3]
    assert lines[4].startswith("    power rule: d/dx x² = ")  # indented under its parent
    assert lines[-1].strip() == "f'(x) = 10x"


def test_steps_text_one_block_per_partial():
    text = steps_text(2 * x**2 + 6 * z**2 + 7 * m**3, ["x", "z", "m"])
    assert "∂f/∂x (z and m held constant):" in text
    assert "∂f/∂z (x and m held constant):" in text
    assert "∂f/∂m (x and z held constant):" in text
    assert "∂f/∂m = 21m²" in text


def test_steps_text_in_chinese():
    text = speaking("zh", steps_text, 2 * x**2 + 6 * z**2, ["x", "z"])
    assert "幂法则" in text and "常数法则" in text and "视为常数" in text


def test_steps_json_is_flat_reading_order():
    data = steps_json(2 * x**2 + 6 * z**2 + 7 * m**3, ["x", "z", "m"])
    assert list(data) == ["x", "z", "m"]
    x_steps = data["x"]
    assert x_steps[0]["rule"] == "sum" and x_steps[0]["depth"] == 0 and x_steps[0]["result"] == "4*x"
    assert {"rule", "expression", "result", "text", "depth"} <= set(x_steps[0])
    rules = [s["rule"] for s in x_steps]
    assert rules.count("constant") == 2 and "power" in rules
    power = next(s for s in x_steps if s["rule"] == "power")
    assert power["expression"] == "x**2" and power["result"] == "2*x" and power["depth"] == 2
    json.dumps(data)  # plain data


def test_steps_markdown_has_latex():
    md = steps_markdown(sp.sin(x**2), ["x"])
    assert "**chain rule**" in md and r"\frac{d}{dx}" in md and r"\cos{\left(x^{2} \right)}" in md
    assert md.count("$") % 2 == 0
    md_zh = speaking("zh", steps_markdown, 2 * x**2 + 6 * z**2, ["x", "z"])
    assert "常数法则" in md_zh and r"\frac{\partial}{\partial x}" in md_zh


def test_hint_steps_one_per_rule():
    f = 2 * x**2 + 6 * z**2
    rule = derive_steps(f, "x")
    hints = hint_steps(f, "x")
    assert len(hints) == len(list(rule.walk()))
    assert hints[0].startswith("sum rule")
    zh = speaking("zh", hint_steps, f, "x")
    assert len(zh) == len(hints) and zh[0].startswith("加法法则")


def test_show_is_typeable_back():
    for f in [
        5 * x**2,
        2 * x**2 + 6 * z**2 + 7 * m**3,
        x / 2,
        1 / (2 * x**2),
        sp.sqrt(x**2 + 1),
        sp.Abs(x - 1),
        sp.log(x) * sp.exp(x),
        3 * x * z,
        -x + sp.pi,
        sp.sin(x) ** 2,
    ]:
        assert parse_expression(show(f), ["x", "z", "m"]) == f, show(f)
    assert show(5 * x**2) == "5x²"
    assert show(2 * x * sp.cos(x**2)) == "2x·cos(x²)"


# --- the command line --------------------------------------------------------------------------


def test_cli_derive_steps_text():
    from tutor.cli import main

    result = CliRunner().invoke(main, ["derive", "5x^2", "--steps"])
    assert result.exit_code == 0, result.output
    assert "power rule: d/dx x² = 2·x^(2 − 1) = 2x" in result.output
    assert "constant multiple rule" in result.output


def test_cli_derive_steps_json():
    from tutor.cli import main

    result = CliRunner().invoke(main, ["derive", "2x^2 + 6z^2 + 7m^3", "--steps", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["steps"]) == {"x", "z", "m"}
    assert data["steps"]["m"][0]["result"] == "21*m**2"
    assert data["gradient"] == ["4*x", "12*z", "21*m**2"]


@pytest.mark.parametrize("expr", ["sin(x^2) * e^x", "x/(x+1)", "abs(x) + sqrt(x)"])
def test_cli_derive_steps_more(expr):
    from tutor.cli import main

    result = CliRunner().invoke(main, ["derive", expr, "--steps"])
    assert result.exit_code == 0, result.output
    assert "Step by step" in result.output
