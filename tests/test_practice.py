"""Practice lessons from templates: seeded, valid, and walkable."""

from __future__ import annotations

import pytest
import sympy as sp

from tutor import calculus, descent
from tutor.lesson.model import Derive, Descent, Evaluate, Explain, Lesson
from tutor.mathinput import symbol
from tutor.practice import TEMPLATE_FOR_SKILL, TEMPLATES, PracticeError, practice_lesson
from tutor.walkthrough import build_walkthrough

SEEDS = range(25)


@pytest.mark.parametrize("template", TEMPLATES)
def test_same_seed_same_lesson(template):
    for seed in (0, 1, 42):
        first, again = practice_lesson(template, seed), practice_lesson(template, seed)
        assert isinstance(first, Lesson)
        assert first == again
        assert first.id == f"practice-{template}-{seed}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_seeds_give_different_lessons(template):
    functions = {practice_lesson(template, seed).sections[1].function.expr for seed in SEEDS}
    assert len(functions) > len(SEEDS) // 2


def test_derivative_template_two_power_terms():
    x = symbol("x")
    for seed in SEEDS:
        lesson = practice_lesson("derivative", seed)
        kinds = [type(s) for s in lesson.sections]
        assert kinds == [Explain, Derive, Evaluate]
        f = lesson.sections[1].function.expr
        assert f.free_symbols == {x}
        poly = sp.Poly(f, x)
        assert len(poly.terms()) == 2 and 2 <= poly.degree() <= 5
        assert lesson.sections[2].at["x"] != 0 and lesson.sections[2].what == "derivative"


def test_gradient_template_several_variables():
    for seed in SEEDS:
        lesson = practice_lesson("gradient", seed)
        derive_one, derive_all, at = lesson.sections[1], lesson.sections[2], lesson.sections[3]
        names = derive_one.function.variables
        assert len(names) in (2, 3)
        assert {s.name for s in derive_one.function.expr.free_symbols} == set(names)
        assert derive_one.of in names and derive_all.of == "gradient"
        assert at.what == "gradient" and set(at.at) == set(names)


def test_descent_template_learning_rate_is_safe_and_the_run_converges():
    x = symbol("x")
    for seed in SEEDS:
        lesson = practice_lesson("descent", seed)
        section = lesson.sections[1]
        assert isinstance(section, Descent)
        f = section.function.expr
        a = sp.Poly(f, x).LC()  # f = a(x − c)²: L = f'' = 2a, the bound is 2/L = 1/a
        assert 0 < section.learning_rate < 1 / a
        assert section.learning_rate.is_Rational
        bound = calculus.safe_learning_rate(f, ["x"])
        assert bound is not None and section.learning_rate < bound.bound
        assert section.start["x"] != calculus.stationary_points(f, ["x"])[0].point["x"]
        run = descent.run(f, ["x"], [section.start["x"]], section.learning_rate, steps=30, exact=True)
        first, last = run.steps[0], run.steps[-1]
        assert abs(last.gradient[0]) < abs(first.gradient[0])


def test_unknown_template_is_one_clear_error():
    with pytest.raises(PracticeError, match="unknown practice template 'integrals'"):
        practice_lesson("integrals", 1)


def test_every_skill_has_a_practice_template():
    assert set(TEMPLATE_FOR_SKILL.values()) <= set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_walkthrough_builds_practice_lessons(template):
    for seed in range(5):
        built = build_walkthrough(practice_lesson(template, seed))
        questions = built.questions()
        assert questions, template
        assert built.lesson_id == f"practice-{template}-{seed}"
        for q in questions:
            assert q.skill


def test_descent_practice_sometimes_overshoots_so_the_sign_change_question_has_both_answers():
    from tutor.walkthrough import build_walkthrough

    answers = set()
    for seed in range(30):
        walk = build_walkthrough(practice_lesson("descent", seed))
        answers |= {q.expected for q in walk.questions() if q.id.endswith(".sign_change")}
    assert answers == {"yes", "no"}
