"""Grading: notation, equivalence, vectors, choices, invalid input, feedback and error carried forward."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from tutor import grading
from tutor.grading import Grade
from tutor.grading import grade as grade_in_one_language
from tutor.lesson.model import Derive, Descent, Feedback, Function, Help, Lesson
from tutor.mathinput import symbol
from tutor.sandbox import BoundExceeded
from tutor.walkthrough import OUTCOME_CHOICES, Question, build_walkthrough

R = sp.Rational
x, z, m = symbol("x"), symbol("z"), symbol("m")


@pytest.fixture(autouse=True)
def _inline_sandbox(monkeypatch):
    monkeypatch.setenv("TUTOR_SANDBOX", "inline")


FEEDBACK_5X = Feedback(5 * x, {"en": "You lost the factor 2 the power brings down.", "zh": "丢掉了因子 2。"})


@pytest.fixture(scope="module")
def wt():
    five = Function(5 * x**2, ("x",), "5x^2")
    article = Function(2 * x**2 + 6 * z**2 + 7 * m**3, ("x", "z", "m"), "2x^2 + 6z^2 + 7m^3")
    two = Function(x**2 + 3 * z**2, ("x", "z"), "x^2 + 3z^2")
    sections = (
        Derive(five, "x", help=Help(feedback=(FEEDBACK_5X,))),  # s0.derivative
        Derive(article, "gradient"),  # s1.gradient
        Descent(five, {"x": sp.Integer(1)}, R(1, 20), by_hand=3),  # s2.k*.*
        Descent(two, {"x": sp.Integer(1), "z": sp.Integer(1)}, R(1, 5), by_hand=2),  # s3.k*.*
    )
    return build_walkthrough(Lesson("g", "G", "S", sections))


def grade(question, answer, earlier=None) -> Grade:
    """Grade in English and in Chinese: one Grade whose code messages are {"en", "zh"} (lesson Text as it is)."""
    from conftest import speaking

    en = grade_in_one_language(question, answer, earlier)
    zh = speaking("zh", grade_in_one_language, question, answer, earlier)
    assert (en.verdict, en.value, en.part, en.column) == (zh.verdict, zh.value, zh.part, zh.column)

    def both(a, b):
        return a if a is None or not isinstance(a, str) else {"en": a, "zh": b}

    return dataclasses.replace(en, message=both(en.message, zh.message), feedback=both(en.feedback, zh.feedback))


def right(g: Grade) -> bool:
    return g.verdict == "right" and g.counted


# --- equivalence across notations ----------------------------------------------------------------


@pytest.mark.parametrize("answer", ["10x", "10*x", "x*10", "y = 10x", "f'(x) = 10x", "5x+5x", "2(5x)", "20x/2"])
def test_derivative_in_any_notation(wt, answer):
    g = grade(wt.question("s0.derivative"), answer)
    assert right(g), g.message
    assert g.value == 10 * x and g.message == {"en": "Right.", "zh": "正确。"}


@pytest.mark.parametrize(
    "answer", ["{4x,12z,21m^2}", "[4x, 12 z, 21 m^2]", "(4x, 12z, 21m^2)", "4x, 12z, 21m²", "{2*2x, 6z+6z, 21mm}"]
)
def test_gradient_in_any_notation(wt, answer):
    g = grade(wt.question("s1.gradient"), answer)
    assert right(g), g.message


def test_wrong_gradient_component_is_named(wt):
    g = grade(wt.question("s1.gradient"), "{4x, 12, 21m^2}")
    assert (g.verdict, g.part, g.counted) == ("wrong", 1, True)
    assert "∂f/∂z" in g.message["en"] and "∂f/∂z" in g.message["zh"]


def test_wrong_vector_length_is_said(wt):
    g = grade(wt.question("s1.gradient"), "{4x, 12z}")
    assert g.verdict == "wrong" and g.counted
    assert "expected 3 components, you gave 2" in g.message["en"]
    assert "3 个分量" in g.message["zh"]


def test_a_wrong_expression_without_any_feedback(wt):
    g = grade(wt.question("s0.derivative"), "7x^2")  # no author feedback and no known slip says anything about 7x²
    assert (g.verdict, g.part, g.feedback) == ("wrong", None, None)
    # never a bare "Not right." (issue 15): the generic comparison still says what differs
    assert g.message["en"].startswith("Not right.") and g.message["en"] != "Not right."
    assert "degree 1" in g.message["en"] and "degree 2" in g.message["en"]
    assert "1 次" in g.message["zh"] and "2 次" in g.message["zh"]


# --- author feedback ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["5x", "x*5", "y = 5x", "10x/2"])
def test_author_feedback_matches_by_equivalence(wt, answer):
    g = grade(wt.question("s0.derivative"), answer)
    assert g.verdict == "wrong"
    assert g.feedback == FEEDBACK_5X.says


def test_misconception_engine_is_consulted_when_no_author_feedback(wt, monkeypatch):
    import sys
    import types

    fake = types.ModuleType("tutor.misconceptions")
    fake.explain = lambda question, value: {"en": f"misread {value}", "zh": "误解"}
    monkeypatch.setitem(sys.modules, "tutor.misconceptions", fake)
    g = grade(wt.question("s0.derivative"), "2x")
    assert g.feedback == {"en": "misread 2*x", "zh": "误解"}
    # author feedback still wins
    assert grade(wt.question("s0.derivative"), "5x").feedback == FEEDBACK_5X.says


# --- invalid input is not an attempt ----------------------------------------------------------


def test_incomplete_input_is_invalid_with_a_column(wt):
    g = grade(wt.question("s0.derivative"), "10x +")
    assert (g.verdict, g.counted, g.value) == ("invalid", False, None)
    assert g.column == 5
    assert "not count" in g.message["en"] and "不计" in g.message["zh"]


HOSTILE = [
    "__import__('os').system('touch {p}')",
    "open('{p}','w').write('x')",
    'exec("import os")',
    "(lambda: 1)()",
    "().__class__.__base__.__subclasses__()",
    "x.args",
    'sympify("x")',
    "[i for i in range(10)]",
    "x if x else 1",
    "(y := 3)",
    "9**9**9**9",
    "factorial(10**9)",
    "(" * 300 + "x" + ")" * 300,
    "x+" * 20000 + "x",
    "",
    "   ",
    "10 х",  # a Cyrillic х
]


@pytest.mark.parametrize("answer", HOSTILE)
def test_hostile_input_is_invalid_and_harmless(wt, answer, tmp_path):
    target = tmp_path / "pwned"
    text = answer.replace("{p}", str(target))
    for qid in ("s0.derivative", "s1.gradient", "s2.k0.next", "s2.k0.direction"):
        g = grade(wt.question(qid), text)
        assert g.verdict == "invalid" and not g.counted, (qid, g)
        assert g.value is None and g.message["en"] and g.message["zh"]
    assert not target.exists()


def test_non_text_answer_is_invalid(wt):
    assert grade(wt.question("s0.derivative"), None).verdict == "invalid"  # type: ignore[arg-type]


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["1/2", "0.5", ".5", "x_1 = 1/2", "1 - 1/20*10", "2/4"])
def test_exact_number_in_any_notation(wt, answer):
    g = grade(wt.question("s2.k0.next"), answer)
    assert right(g), g.message
    assert g.value == R(1, 2)


def test_exact_numbers_are_exact(wt):
    assert grade(wt.question("s2.k0.next"), "0.5000001").verdict == "wrong"
    assert grade(wt.question("s2.k0.derivative"), "10").verdict == "right"
    assert grade(wt.question("s2.k0.derivative"), "10.0").verdict == "right"


def test_a_function_where_a_number_is_asked(wt):
    g = grade(wt.question("s2.k0.derivative"), "10x")
    assert g.verdict == "wrong" and g.counted
    assert "still contains x" in g.message["en"]


def test_tolerance():
    q = Question("t", "number", "one third?", R(1, 3), "evaluate", tolerance=0.01)
    assert grade(q, "0.33").verdict == "right"
    assert grade(q, "0.34").verdict == "right"
    assert grade(q, "0.3").verdict == "wrong"


# --- choices --------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["decrease", "Decrease", "d", "D.", "减小", " decrease "])
def test_direction_choice_forms(wt, answer):
    g = grade(wt.question("s2.k0.direction"), answer)
    assert right(g), g.message
    assert g.value == "decrease"


def test_wrong_and_unknown_choices(wt):
    assert grade(wt.question("s2.k0.direction"), "i").verdict == "wrong"
    assert grade(wt.question("s2.k0.direction"), "增大").verdict == "wrong"
    g = grade(wt.question("s2.k0.direction"), "sideways")  # ("left" now means decrease: issue 15)
    assert g.verdict == "invalid" and not g.counted
    assert "increase, decrease, stay" in g.message["en"]


def test_yes_no_choices(wt):
    q = wt.question("s2.k1.sign_change")  # f'(x0) = 10, f'(x1) = 5: no
    for answer in ("no", "n", "No", "否"):
        assert grade(q, answer).verdict == "right"
    assert grade(q, "yes").verdict == "wrong"
    assert grade(q, "是").verdict == "wrong"


def test_several_directions(wt):
    q = wt.question("s3.k1.direction")  # ∇f(x1) = (6/5, -6/5)
    for answer in ("decrease, increase", "d, i", "(decrease, increase)", "减小，增大", "d i"):
        assert grade(q, answer).verdict == "right", answer
    g = grade(q, "decrease, decrease")
    assert (g.verdict, g.part) == ("wrong", 1)
    assert "z" in g.message["en"]
    assert grade(q, "decrease").verdict == "wrong"


def test_predict_choice_letters():
    q = Question("p", "choice", "?", "oscillate", "learning_rate", choices=OUTCOME_CHOICES)
    assert grade(q, "o").verdict == "right"
    assert grade(q, "振荡").verdict == "right"
    assert grade(q, "d").verdict == "wrong"


# --- error carried forward ----------------------------------------------------------------------


def test_error_carried_forward(wt):
    # The learner's x1 = 0.6 (truth 1/2) and f'(x1) = 10 * 0.6 = 6 at their x1:
    # x2 = 0.6 - (1/20)*6 = 0.3
    earlier = {"s2.k0.next": R(3, 5)}
    d = grade(wt.question("s2.k1.derivative"), "6", earlier)
    assert (d.verdict, d.carried_forward) == ("right", True)
    earlier["s2.k1.derivative"] = d.value
    g = grade(wt.question("s2.k1.next"), "0.3", earlier)
    assert (g.verdict, g.carried_forward, g.counted) == ("right", True, True)
    assert "carried forward" in g.message["en"]
    assert "x₁ = 3/5" in g.message["en"] and "the correct x₁ was 1/2" in g.message["en"]
    assert "x₁" in g.message["zh"] and "正确" in g.message["zh"]


def test_error_carried_forward_still_accepts_the_true_answer(wt):
    g = grade(wt.question("s2.k1.next"), "1/4", {"s2.k0.next": R(3, 5), "s2.k1.derivative": 6})
    assert (g.verdict, g.carried_forward) == ("right", False)


def test_error_carried_forward_when_still_wrong(wt):
    g = grade(wt.question("s2.k1.next"), "0.5", {"s2.k0.next": R(3, 5), "s2.k1.derivative": 6})
    assert (g.verdict, g.carried_forward) == ("wrong", True)
    assert "Judged from your x₁ = 3/5" in g.message["en"]


def test_direction_follows_the_learners_derivative(wt):
    # a learner who said f'(x0) = -10 should then increase x
    g = grade(wt.question("s2.k0.direction"), "increase", {"s2.k0.derivative": -10})
    assert (g.verdict, g.carried_forward) == ("right", True)


def test_vector_error_carried_forward(wt):
    # learner's x1 = (1/2, 0) instead of (3/5, -1/5): ∇f = (2*1/2, 6*0) = (1, 0)
    g = grade(wt.question("s3.k1.derivative"), "(1, 0)", {"s3.k0.next": (R(1, 2), 0)})
    assert (g.verdict, g.carried_forward) == ("right", True)


# --- the equivalence engine ----------------------------------------------------------------------


def test_exact_confirmation_catches_a_tiny_difference():
    q = Question("e", "expression", "?", x, "derivative", variables=("x",))
    # numerically within 1e-9 everywhere, but not the same expression
    assert grade(q, "x + 10^-12").verdict == "wrong"
    assert grade(q, "sin(x)^2 + cos(x)^2 + x - 1").verdict == "right"


def test_timeout_falls_back_to_agreeing_points(monkeypatch):
    def too_slow(*args, **kwargs):
        raise BoundExceeded("too long")

    monkeypatch.setattr(grading, "run_bounded", too_slow)
    q = Question("e", "expression", "?", x**2 + 2 * x + 1, "derivative", variables=("x",))
    assert grade(q, "(x+1)^2").verdict == "right"  # agrees at every sample point
    assert grade(q, "(x+1)^2 + 1").verdict == "wrong"  # clearly differs: no sandbox needed


def test_undecidable_answer_is_not_counted(monkeypatch):
    def too_slow(*args, **kwargs):
        raise BoundExceeded("too long")

    monkeypatch.setattr(grading, "run_bounded", too_slow)
    q = Question("e", "expression", "?", 2 * sp.sqrt(-1 - x**2), "derivative", variables=("x",))
    # undefined at every real point and the exact check runs out of time
    g = grade(q, "sqrt(-4 - 4x^2)")
    assert g.verdict == "invalid" and not g.counted
    assert "too complicated" in g.message["en"]


def test_through_the_real_sandbox(monkeypatch):
    monkeypatch.delenv("TUTOR_SANDBOX", raising=False)
    q = Question("e", "expression", "?", 2 * x, "derivative", variables=("x",))
    assert grade(q, "2x(sin(x)^2 + cos(x)^2)").verdict == "right"
    assert grade(q, "2x(sin(x)^2 + cos(x)^2) + 10^-12").verdict == "wrong"
