"""The optimiser registry, and Nesterov momentum and RMSProp against PyTorch's documented algorithms.

The references below are written in this file from the algorithm boxes of
``torch.optim.SGD`` and ``torch.optim.RMSprop`` (weight decay 0, dampening 0,
not maximising, not centered, RMSProp without momentum), with gradients worked
out by hand, so they share no code with the engine:

SGD, μ ≠ 0, nesterov:  b_t = μ b_{t-1} + g_t (b_1 = g_1);  g_t ← g_t + μ b_t;  θ_t = θ_{t-1} − γ g_t
RMSprop:               v_t = α v_{t-1} + (1 − α) g_t² (v_0 = 0);  θ_t = θ_{t-1} − γ g_t / (√v_t + ε)
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import yaml
from click.testing import CliRunner
from conftest import speaking
from jsonschema import Draft7Validator

from tutor import descent, export
from tutor.cli import main
from tutor.i18n import LANGUAGES
from tutor.lesson import keys
from tutor.lesson.check import check_file
from tutor.lesson.schema import lesson_schema
from tutor.mathinput import parse_expression
from tutor.optimisers import OPTIMISERS, Nesterov, RMSProp, get, make_optimizer
from tutor.text import tr
from tutor.walkthrough import build_walkthrough

TOLERANCE = 1e-12
STEPS = 200

# --- functions of 1, 2 and 3 variables with their gradients written by hand --------------------------

FUNCTIONS = {
    "3x^2 - 2x": (("x",), lambda x: (6 * x - 2,), (1.5,)),
    "x^4/4 - x": (("x",), lambda x: (x**3 - 1,), (2.0,)),
    "x^2 + 25y^2": (("x", "y"), lambda x, y: (2 * x, 50 * y), (5.0, 1.0)),
    "cos(x) + y^2/2": (("x", "y"), lambda x, y: (-math.sin(x), y), (1.0, -2.0)),
    "(x - 1)^2 + 2(y + 2)^2 + x z + z^2": (
        ("x", "y", "z"),
        lambda x, y, z: (2 * (x - 1) + z, 4 * (y + 2), x + 2 * z),
        (0.0, 0.0, 1.0),
    ),
}


def nesterov_reference(grad, theta, lr, mu, steps):
    """torch.optim.SGD(momentum=mu, dampening=0, nesterov=True), written from its algorithm box."""
    points, b = [tuple(theta)], None
    for t in range(1, steps + 1):
        g = grad(*theta)
        b = list(g) if t == 1 else [mu * bi + gi for bi, gi in zip(b, g)]
        g = [gi + mu * bi for gi, bi in zip(g, b)]
        theta = [p - lr * gi for p, gi in zip(theta, g)]
        points.append(tuple(theta))
    return points


def rmsprop_reference(grad, theta, lr, alpha, eps, steps):
    """torch.optim.RMSprop(alpha, eps), not centered, no momentum, written from its algorithm box."""
    points, v = [tuple(theta)], [0.0] * len(theta)
    for _ in range(steps):
        g = grad(*theta)
        v = [alpha * vi + (1 - alpha) * gi**2 for vi, gi in zip(v, g)]
        theta = [p - lr * gi / (math.sqrt(vi) + eps) for p, gi, vi in zip(theta, g, v)]
        points.append(tuple(theta))
    return points


def engine_points(text, names, start, lr, optimizer, steps=STEPS, exact=False):
    f = parse_expression(text, list(names))
    run = descent.run(f, names, start, lr, steps=steps, optimizer=optimizer, exact=exact)
    assert run.stop.reason == "max_steps", run.stop.message
    return [s.point for s in run.steps]


def assert_close(ours, reference):
    assert len(ours) == len(reference)
    for k, (a, b) in enumerate(zip(ours, reference)):
        for u, v in zip(a, b):
            assert abs(u - v) <= TOLERANCE * max(1.0, abs(v)), (k, a, b)


# --- Nesterov ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FUNCTIONS)
@pytest.mark.parametrize("mu", [0.9, 0.5, 0.0])
def test_nesterov_matches_pytorch_sgd_with_nesterov_in_floats(text, mu):
    names, grad, start = FUNCTIONS[text]
    lr = 0.01
    ours = engine_points(text, names, start, lr, make_optimizer("nesterov", beta=mu))
    assert_close(ours, nesterov_reference(grad, start, lr, mu, STEPS))


def test_nesterov_differs_from_heavy_ball_from_the_first_step():
    # x² from 1, η = 1/10, β = 1/2: heavy ball 1 - (1/10)(2) = 4/5; Nesterov 1 - (1/10)(2 + 1) = 7/10
    f = parse_expression("x^2", ["x"])
    heavy = descent.run(
        f,
        ["x"],
        [1],
        sp.Rational(1, 10),
        steps=1,
        exact=True,
        optimizer=make_optimizer("momentum", beta=sp.Rational(1, 2)),
    )
    ahead = descent.run(
        f,
        ["x"],
        [1],
        sp.Rational(1, 10),
        steps=1,
        exact=True,
        optimizer=make_optimizer("nesterov", beta=sp.Rational(1, 2)),
    )
    assert heavy.steps[1].point == (sp.Rational(4, 5),)
    assert ahead.steps[1].point == (sp.Rational(7, 10),)


EXACT = {
    "5x^2": (("x",), lambda x: (10 * x,), (Fraction(1),)),
    "x^2 + 3y^2 - x y": (("x", "y"), lambda x, y: (2 * x - y, 6 * y - x), (Fraction(3), Fraction(-1))),
    "x^2 + y^2 + z^2 + x z - 2y": (
        ("x", "y", "z"),
        lambda x, y, z: (2 * x + z, 2 * y - 2, 2 * z + x),
        (Fraction(1), Fraction(0), Fraction(-1, 2)),
    ),
}


@pytest.mark.parametrize("text", EXACT)
def test_nesterov_runs_exactly_and_matches_a_fraction_implementation(text):
    names, grad, start = EXACT[text]
    lr, mu, steps = Fraction(1, 20), Fraction(1, 2), 12
    reference = nesterov_reference(grad, list(start), lr, mu, steps)
    opt = make_optimizer("nesterov", beta=sp.Rational(1, 2))
    ours = engine_points(
        text,
        names,
        [sp.Rational(s.numerator, s.denominator) for s in start],
        sp.Rational(1, 20),
        opt,
        steps,
        exact=True,
    )
    assert len(ours) == len(reference)
    for a, b in zip(ours, reference):
        assert all(isinstance(u, sp.Rational) for u in a)
        assert tuple(Fraction(int(u.p), int(u.q)) for u in a) == b


def test_nesterov_default_beta_is_nine_tenths_exactly():
    assert make_optimizer("nesterov").beta == sp.Rational(9, 10)


@pytest.mark.parametrize("beta", [Fraction(0), Fraction(1, 2), Fraction(9, 10)])
def test_nesterov_stability_bound_separates_settling_from_diverging(beta):
    # f = (L/2) x²: the bound 2(1+β)/((1+2β)L) is derived in Nesterov.stability; check it by running either side
    L = 4
    bound = get("nesterov")(beta).stability(L)[0]
    assert bound == Fraction(2) * (1 + beta) / ((1 + 2 * beta) * L)
    f = parse_expression("2x^2", ["x"])
    for factor, settles in ((Fraction(99, 100), True), (Fraction(101, 100), False)):
        lr = float(bound * factor)
        run = descent.run(f, ["x"], [1.0], lr, steps=20_000, optimizer=Nesterov(float(beta)))
        last = abs(run.steps[-1].point[0])
        assert (last < 1e-6) is settles, (factor, run.stop.reason, last)


# --- RMSProp -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FUNCTIONS)
@pytest.mark.parametrize(("alpha", "eps"), [(0.99, 1e-8), (0.9, 1e-6), (0.5, 0.1)])
def test_rmsprop_matches_pytorch_rmsprop_in_floats(text, alpha, eps):
    names, grad, start = FUNCTIONS[text]
    lr = 0.001
    ours = engine_points(text, names, start, lr, make_optimizer("rmsprop", alpha=alpha, eps=eps))
    assert_close(ours, rmsprop_reference(grad, start, lr, alpha, eps, STEPS))


def test_rmsprop_defaults_are_pytorch_s():
    opt = make_optimizer("rmsprop")
    assert (opt.alpha, opt.eps) == (0.99, 1e-8)


def test_rmsprop_first_step_is_lr_over_root_of_one_minus_alpha():
    # v_1 = (1-α) g², so the step is η g / (√(1-α) |g| + ε) ≈ η / √(1-α) = 0.01 / 0.1 = 0.1 whatever g is
    for text in ("x^2", "100x^2"):
        ((x0,), (x1,)) = engine_points(text, ("x",), [1.0], 0.01, RMSProp(), steps=1)
        assert x0 - x1 == pytest.approx(0.1, rel=1e-6)


def test_rmsprop_is_float_only():
    f = parse_expression("x^2", ["x"])
    with pytest.raises(descent.MathError, match="rmsprop optimizer takes square roots"):
        descent.run(f, ["x"], [1], sp.Rational(1, 10), exact=True, optimizer=RMSProp())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alpha": 1}, "α must be at least 0 and less than 1, got 1"),
        ({"alpha": -0.5}, "α must be at least 0 and less than 1"),
        ({"eps": 0}, "ε must be greater than 0, got 0"),
        ({"alpha": sp.Rational(10**30 - 1, 10**30)}, "α must be less than 1 by more than rounding"),
        ({"beta": 0.5}, "the rmsprop optimizer has no setting 'beta'"),
    ],
)
def test_rmsprop_settings_out_of_range_are_refused_in_words(settings, message):
    with pytest.raises(descent.MathError, match=message.replace("(", r"\(")):
        make_optimizer("rmsprop", **settings)


def test_torch_itself_agrees_when_it_is_installed():
    torch = pytest.importorskip("torch")  # an optional cross-check: torch is not a dependency
    names, _, start = FUNCTIONS["x^2 + 25y^2"]
    for optimiser, build in (
        (make_optimizer("nesterov", beta=0.9), lambda p: torch.optim.SGD([p], lr=0.01, momentum=0.9, nesterov=True)),
        (
            make_optimizer("rmsprop", alpha=0.9, eps=1e-6),
            lambda p: torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-6),
        ),
    ):
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = build(p)
        theirs = [tuple(start)]
        for _ in range(50):
            opt.zero_grad()
            (p[0] ** 2 + 25 * p[1] ** 2).backward()
            opt.step()
            theirs.append(tuple(p.detach().tolist()))
        assert_close(engine_points("x^2 + 25y^2", names, start, 0.01, optimiser, steps=50), theirs)


# --- the registry --------------------------------------------------------------------------------------


def test_every_optimiser_carries_what_the_views_read():
    colours = set()
    for key, cls in OPTIMISERS.items():
        assert cls.key == key and get(key) is cls
        for words in (cls.label, cls.noun):  # marked for the catalogue, said in every language
            assert words and all(speaking(lang, tr, words) for lang in LANGUAGES)
        assert cls.update_unicode and cls.update_latex and cls.convention.startswith("PyTorch")
        colours.add(cls.colour)
        made = make_optimizer(key)
        assert made.name == key and set(made.values()) == {s.key for s in cls.settings}
    assert len(colours) == len(OPTIMISERS)
    assert {"gd", "momentum", "nesterov", "adam", "rmsprop"} <= set(OPTIMISERS)


def test_an_unknown_optimiser_names_the_choices():
    with pytest.raises(descent.MathError, match="unknown optimizer 'sgd'; choose one of gd, momentum"):
        make_optimizer("sgd")


def test_the_cli_the_loader_and_the_schema_offer_the_registry():
    option = next(p for p in main.commands["descend"].params if p.name == "optimizer")
    assert list(option.type.choices) == list(OPTIMISERS)
    assert tuple(OPTIMISERS) == keys.OPTIMIZERS  # the loader reads its key tables from tutor.lesson.keys
    schema = lesson_schema()["definitions"]["optimizer"]["anyOf"]
    assert schema[0]["enum"] == list(OPTIMISERS)
    for key, cls in OPTIMISERS.items():
        assert set(schema[1]["properties"][key]["properties"]) == {s.key for s in cls.settings}


# --- the command line ----------------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_descend_with_nesterov_text_and_json():
    # 5x² from 1, η = 1/20, β = 1/2: b₁ = 10, x₁ = 1 - (10 + 5)/20 = 1/4; b₂ = 5 + 5/2 = 15/2, x₂ = 1/4 - (5/2 + 15/4)/20 = -1/16
    args = [
        "descend",
        "5x^2",
        "--from",
        "x=1",
        "--lr",
        "1/20",
        "--optimizer",
        "nesterov",
        "--beta",
        "1/2",
        "--steps",
        "2",
        "--exact",
    ]
    text = invoke(*args)
    assert text.exit_code == 0, text.output
    assert "optimizer nesterov" in text.output and "-1/16" in text.output
    data = json.loads(invoke(*args, "--format", "json").output)
    assert data["optimizer"] == "nesterov"
    assert [s["point"] for s in data["steps"]] == [["1"], ["1/4"], ["-1/16"]]


def test_descend_with_rmsprop_text_and_json():
    args = [
        "descend",
        "x^2",
        "--from",
        "x=1",
        "--lr",
        "0.01",
        "--optimizer",
        "rmsprop",
        "--alpha",
        "0.9",
        "--eps",
        "1e-6",
        "--steps",
        "3",
    ]
    text = invoke(*args)
    assert text.exit_code == 0, text.output
    assert "optimizer rmsprop" in text.output
    data = json.loads(invoke(*args, "--format", "json").output)
    reference = rmsprop_reference(lambda x: (2 * x,), [1.0], 0.01, 0.9, 1e-6, 3)
    assert_close([tuple(s["point"]) for s in data["steps"]], reference)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizer", "rmsprop", "--exact"], "rmsprop optimizer takes square roots, so it runs in float mode only"),
        (["--optimizer", "rmsprop", "--alpha", "1"], "α must be at least 0 and less than 1, got 1"),
        (["--optimizer", "nesterov", "--eps", "1e-6"], "--eps is for --optimizer adam or rmsprop"),
        (["--optimizer", "gd", "--alpha", "0.9"], "--alpha is for --optimizer rmsprop"),
        (["--optimizer", "nesterov", "--beta", "1"], "β must be at least 0 and less than 1"),
    ],
)
def test_descend_refuses_a_wrong_setting_in_one_line(args, message):
    result = invoke("descend", "x^2", "--from", "x=1", "--lr", "0.1", *args)
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_descend_help_states_the_pytorch_conventions():
    out = invoke("descend", "--help").output
    assert "SGD(lr=η, momentum=β, dampening=0, nesterov=True)" in out
    assert "RMSprop(lr=η, alpha=α, eps=ε), no centering, no momentum" in out
    assert "--alpha" in out and "--eps" in out


# --- lessons -------------------------------------------------------------------------------------------

LESSON = """\
id: new-optimisers
title: {en: Nesterov and RMSProp, zh: Nesterov 与 RMSProp}
sections:
  - descent:
      function: "x^2 + 3y^2"
      variables: [x, y]
      start: {x: 2, y: 1}
      learning_rate: "1/20"
      optimizer: nesterov
      max_steps: 30
      by_hand: 2
      ask: [derivative, next]
      expect: converge
  - descent:
      function: "x^2 + 3y^2"
      variables: [x, y]
      start: {x: 2, y: 1}
      learning_rate: 0.05
      optimizer: {rmsprop: {alpha: 0.9, eps: 1e-6}}
      max_steps: 30
      by_hand: 1
      ask: [next]
      exact: false
  - descent:
      function: "5x^2"
      start: {x: 1}
      learning_rate: "1/20"
      optimizer: {nesterov: {beta: "1/2"}}
      max_steps: 10
      by_hand: 1
"""


@pytest.fixture
def lesson_file(tmp_path) -> Path:
    path = tmp_path / "new-optimisers.yaml"
    path.write_text(LESSON, encoding="utf-8")
    return path


def test_a_lesson_with_nesterov_and_rmsprop_validates_against_the_schema():
    errors = list(Draft7Validator(lesson_schema()).iter_errors(yaml.safe_load(LESSON)))
    assert errors == []


def test_a_lesson_with_nesterov_and_rmsprop_passes_check_and_builds(lesson_file, tmp_path):
    lesson, diagnostics = check_file(lesson_file)
    assert diagnostics == []
    first, second, third = lesson.sections
    assert (first.optimizer.name, first.exact) == ("nesterov", True)
    assert second.optimizer.name == "rmsprop" and not second.exact
    assert second.optimizer.settings == {"alpha": sp.Rational(9, 10), "eps": sp.Rational(1, 10**6)}
    assert third.optimizer.settings == {"beta": sp.Rational(1, 2)}

    walk = build_walkthrough(lesson)
    nexts = {q.id: q for step in walk.steps for q in step.questions if q.id.endswith(".next")}
    # Nesterov on x² + 3y², β = 9/10, η = 1/20 from (2, 1): g₀ = (4, 6), b₁ = g₀, x₁ = (2, 1) - (1/20)·(1.9·4, 1.9·6)
    assert nexts["s0.k0.next"].expected == (sp.Rational(81, 50), sp.Rational(43, 100))
    # RMSProp, α = 9/10: the first step is η g / (√(0.1 g²) + ε) ≈ η/√0.1 in each coordinate
    x1, y1 = nexts["s1.k0.next"].expected
    assert float(x1) == pytest.approx(2 - 0.05 / math.sqrt(0.1), rel=1e-6)
    assert float(y1) == pytest.approx(1 - 0.05 / math.sqrt(0.1), rel=1e-6)
    # 5x², β = 1/2: x₁ = 1 - (10 + 5)/20 = 1/4
    assert nexts["s2.k0.next"].expected == sp.Rational(1, 4)

    out = tmp_path / "out"
    md = export.export_markdown(walk, out).read_text(encoding="utf-8")
    # each optimiser's own rule, in its own words, beside the engine's next iterate
    assert r"(Nesterov momentum: $b_{k+1} = \beta\, b_k + \nabla f(\mathbf{x}_{0})" in md
    assert r"(RMSProp: $v_{k+1} = \alpha\, v_k + (1-\alpha)\, \nabla f(\mathbf{x}_{0})^2" in md
    assert (out / "new-optimisers" / "s1.run.png").is_file()
    walk_zh = speaking("zh", build_walkthrough, lesson)  # a walkthrough speaks the language it was built in
    zh = speaking("zh", export.export_markdown, walk_zh, tmp_path / "zh").read_text(encoding="utf-8")
    assert "（Nesterov 动量法：$b_{k+1}" in zh


def test_check_warns_when_nesterov_s_learning_rate_passes_its_own_bound(tmp_path):
    # 5x²: L = 10, β = 1/2: the bound is 2(3/2)/(2·10) = 3/20; plain descent's 2/L = 1/5 would let 4/25 through
    path = tmp_path / "fast.yaml"
    path.write_text(
        'id: fast\ntitle: F\nsections:\n  - descent:\n      function: "5x^2"\n      start: {x: 1}\n'
        '      learning_rate: "4/25"\n      optimizer: {nesterov: {beta: "1/2"}}\n      max_steps: 5\n      by_hand: 0\n',
        encoding="utf-8",
    )
    _, diagnostics = check_file(path)
    (warning,) = [d for d in diagnostics if "stability bound" in d.message]
    assert "2(1+β)/((1+2β)L) = 3/20" in warning.message and "β = 1/2, L = 10" in warning.message


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        ("{rmsprop: {alpha: 1}}", "α must be at least 0 and less than 1, got 1"),
        ("{rmsprop: {beta: 0.5}}", "unknown key 'beta' in the rmsprop settings"),
        ("{nesterov: {beta: 2}}", "β must be at least 0 and less than 1, got 2"),
        ("nesterof", "did you mean 'nesterov'"),
    ],
)
def test_the_loader_refuses_wrong_settings_where_they_are(optimizer, message, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f'id: bad\ntitle: B\nsections:\n  - descent:\n      function: "x^2"\n      start: {{x: 1}}\n'
        f"      learning_rate: 0.1\n      optimizer: {optimizer}\n      exact: false\n",
        encoding="utf-8",
    )
    _, diagnostics = check_file(path)
    assert any(message in d.message and d.severity == "error" and d.where.line == 8 for d in diagnostics), diagnostics


def test_rmsprop_in_a_lesson_must_not_ask_for_exact_mode(tmp_path):
    path = tmp_path / "exact.yaml"
    path.write_text(
        'id: e\ntitle: E\nsections:\n  - descent:\n      function: "x^2"\n      start: {x: 1}\n'
        "      learning_rate: 0.1\n      optimizer: rmsprop\n      exact: true\n",
        encoding="utf-8",
    )
    _, diagnostics = check_file(path)
    assert any("runs in float mode only: write exact: false" in d.message for d in diagnostics)


def _carried_lesson(tmp_path, optimizer: str, exact: str) -> Path:
    path = tmp_path / "carried.yaml"
    path.write_text(
        'id: carried\ntitle: C\nsections:\n  - descent:\n      function: "5x^2"\n      start: {x: 1}\n'
        f'      learning_rate: "1/20"\n      optimizer: {optimizer}\n      max_steps: 5\n      by_hand: 2\n'
        f"      ask: [derivative, next]\n      exact: {exact}\n",
        encoding="utf-8",
    )
    return path


def test_nesterov_carries_the_learner_s_own_answers_forward(tmp_path):
    from tutor.walkthrough import expected_given

    lesson, diagnostics = check_file(_carried_lesson(tmp_path, '{nesterov: {beta: "1/2"}}', "true"))
    assert diagnostics == []
    q = build_walkthrough(lesson).question("s0.k1.next")
    # truth: x₁ = 1/4, g₁ = 5/2, b₂ = 5 + 5/2 = 15/2, x₂ = 1/4 - (5/2 + 15/4)/20 = -1/16
    assert q.expected == sp.Rational(-1, 16)
    # the learner's x₁ = 3/5 and g₁ = 6: b₂ = 5 + 6 = 11, x₂ = 3/5 - (6 + 11/2)/20 = 1/40
    assert expected_given(q, {"s0.k0.next": sp.Rational(3, 5), "s0.k1.derivative": 6}) == (sp.Rational(1, 40), True)


def test_rmsprop_carries_the_learner_s_own_answers_forward(tmp_path):
    from tutor.walkthrough import expected_given

    lesson, diagnostics = check_file(_carried_lesson(tmp_path, "{rmsprop: {alpha: 0.9, eps: 1e-6}}", "false"))
    assert diagnostics == []
    q = build_walkthrough(lesson).question("s0.k1.next")
    # v₁ = 0.1·10² = 10; the learner's x₁ = 0.9 and g₁ = 9: v₂ = 0.9·10 + 0.1·81 = 17.1, x₂ = 0.9 - 0.05·9/(√17.1 + ε)
    value, carried = expected_given(q, {"s0.k0.next": 0.9, "s0.k1.derivative": 9})
    assert carried and float(value) == pytest.approx(0.9 - 0.05 * 9 / (math.sqrt(17.1) + 1e-6), rel=1e-12)
