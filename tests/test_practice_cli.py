"""``tutor practice``: a generated set, walked in plain mode and in the app, recorded, and repeatable by its seed.

Expected answers are worked out here by the power rule on the generated
polynomial's coefficients (d/dx c·xⁿ = c·n·xⁿ⁻¹, other variables held
constant), with exact fractions, never taken from the engine.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
from click.testing import CliRunner
from conftest import settle

from tutor.cli import main
from tutor.progress import ProgressStore

# textual-image 0.12 calls a Pillow method that Pillow 13 deprecates; harmless until Pillow 14
pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")


def practice(*args: str, lines: list[str] = ()) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["practice", *args], input="".join(line + "\n" for line in lines))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# --- the power rule by hand, on the generated polynomial ---------------------------------


def monomials(template: str, seed: int) -> tuple[tuple[str, ...], list[tuple[int, tuple[int, ...]]]]:
    """The generated function as (coefficient, exponents) terms: read off, not differentiated."""
    import sympy as sp

    from tutor.practice import practice_lesson

    function = practice_lesson(template, seed).sections[1].function
    names = function.variables
    poly = sp.Poly(function.expr, *[sp.Symbol(n, real=True) for n in names])
    return names, [(int(c), tuple(e)) for e, c in poly.terms()]


def partial(terms, i: int):
    """∂/∂(variable i): c·xᵢⁿ·(rest) → c·n·xᵢⁿ⁻¹·(rest), and terms without xᵢ vanish."""
    out = []
    for c, e in terms:
        if e[i]:
            out.append((c * e[i], tuple(k - 1 if j == i else k for j, k in enumerate(e))))
    return out


def typed(names, terms) -> str:
    """Terms as a learner types them: (c)*x^n*z^m + ..."""
    if not terms:
        return "0"
    parts = []
    for c, e in terms:
        factors = [f"({c})"] + [f"{n}^{k}" for n, k in zip(names, e) if k]
        parts.append("*".join(factors))
    return " + ".join(parts)


def value(terms, point) -> Fraction:
    total = Fraction(0)
    for c, e in terms:
        term = Fraction(c)
        for x, k in zip(point, e):
            term *= Fraction(x) ** k
        total += term
    return total


def at_point(template: str, seed: int) -> tuple:
    from tutor.practice import practice_lesson

    section = practice_lesson(template, seed).sections[-1]
    return tuple(int(section.at[n]) for n in section.function.variables)


# --- walking a set in plain mode --------------------------------------------------------------


def test_a_derivative_set_walked_in_plain_mode_is_graded_and_recorded():
    names, f = monomials("derivative", 7)
    df = partial(f, 0)
    (x0,) = at_point("derivative", 7)
    forgot_the_exponent = typed(names, [(c, (n - 1,)) for c, (n,) in f if n])  # 5x for the derivative of 5x^2
    answers = ["", forgot_the_exponent, typed(names, df), str(value(df, (x0,)))]

    code, out = practice("derivative", "--seed", "7", "--plain", lines=answers)

    assert code == 0
    assert "practice set" not in out  # a seed given: nothing to repeat back
    assert "# Practice: the power rule" in out
    assert "Step 3 of 3" in out
    assert out.count("Right.") == 2
    # one wrong try first: "2 of 2 right" would hide it (issue 15)
    assert "Lesson finished: 1 of 2 questions right at the first try, 1 right after more tries" in out
    rows = ProgressStore().attempts("practice-derivative-7")
    assert [(r.answer, r.verdict, r.skill) for r in rows if r.kind == "answer"] == [
        (forgot_the_exponent, "wrong", "derivative"),
        (typed(names, df), "right", "derivative"),
        (str(value(df, (x0,))), "right", "evaluate"),
    ]
    store = ProgressStore()
    assert store.is_finished("practice-derivative-7")
    assert ("evaluate", True) in store.mastery_attempts()  # mastery learns from practice


@pytest.mark.parametrize("seed", [7, 8])
def test_a_gradient_set_for_partial_derivatives(seed):
    names, f = monomials("gradient", seed)
    from tutor.practice import practice_lesson

    of = practice_lesson("gradient", seed).sections[1].of
    gradient = [partial(f, i) for i in range(len(names))]
    point = at_point("gradient", seed)
    answers = [
        "",
        typed(names, gradient[names.index(of)]),
        "(" + ", ".join(typed(names, g) for g in gradient) + ")",
        "(" + ", ".join(str(value(g, point)) for g in gradient) + ")",
    ]
    code, out = practice("partial", "--seed", str(seed), "--plain", lines=answers)
    assert code == 0
    assert out.count("Right.") == 3
    assert "Lesson finished: 3 of 3 questions right at the first try" in out
    skills = [r.skill for r in ProgressStore().attempts(f"practice-gradient-{seed}") if r.verdict == "right"]
    assert skills == ["partial", "gradient", "evaluate"]


# --- the same seed, the same questions -----------------------------------------------------


def questions_asked(out: str) -> list[str]:
    """The prompts and the maths shown, without the run's own chatter."""
    return [line for line in out.splitlines() if line.startswith(("For ", "Practice:", "## "))]


def test_the_same_seed_gives_the_same_questions(tmp_path, monkeypatch):
    sets = {}
    for home, seed in (("a", 7), ("b", 7), ("c", 8)):
        monkeypatch.setenv("TUTOR_HOME", str(tmp_path / home))  # a fresh learner each time: nothing resumed
        code, out = practice("derivative", "--seed", str(seed), "--plain", lines=["", "skip", "skip"])
        assert code == 0
        sets[home] = questions_asked(out)
    assert sets["a"] == sets["b"]
    assert len(sets["a"]) >= 3
    assert sets["a"] != sets["c"]


def test_without_a_seed_one_is_chosen_printed_and_reproduces_the_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "first"))
    code, out = practice("gradient", "--plain", lines=["", "skip", "skip", "skip"])
    assert code == 0
    said = re.search(
        r"practice set gradient #(\d+) — run `tutor practice gradient --seed (\d+)` to get the same questions", out
    )
    assert said and said.group(1) == said.group(2)
    seed = said.group(1)
    assert ProgressStore().known_lessons() == [f"practice-gradient-{seed}"]

    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "again"))
    code, again = practice("gradient", "--seed", seed, "--plain", lines=["", "skip", "skip", "skip"])
    assert code == 0
    assert questions_asked(again) == questions_asked(out)


def test_a_fresh_seed_avoids_sets_already_met():
    import random

    from tutor.practice import fresh_seed

    first = fresh_seed("descent", (), random.Random(1))
    assert 1000 <= first <= 9999
    assert fresh_seed("descent", {f"practice-descent-{first}"}, random.Random(1)) != first
    assert fresh_seed("derivative", {f"practice-descent-{first}"}, random.Random(1)) == first


def test_a_finished_set_says_so_when_repeated():
    names, f = monomials("derivative", 9)
    df = partial(f, 0)
    answers = ["", typed(names, df), str(value(df, at_point("derivative", 9)))]
    assert practice("derivative", "--seed", "9", "--plain", lines=answers)[0] == 0
    code, out = practice("derivative", "--seed", "9", "--plain", lines=["", "", ""])
    assert code == 0
    assert "You finished this set before" in out and "tutor practice derivative" in out


# --- which skill, with none named --------------------------------------------------------------


def record(lesson_id: str, answers: list[tuple[str, bool]]) -> None:
    store = ProgressStore()
    for n, (skill, right) in enumerate(answers):
        store.record(lesson_id, f"q{n}", "x", "right" if right else "wrong", skill=skill)
    store.close()


def chosen_set(out: str) -> tuple[str, str]:
    said = re.search(r"practice set (\w+) #(\d+)", out)
    assert said, out
    return said.group(1), said.group(2)


def test_with_no_skill_the_weakest_one_is_practised():
    # derivative right three times, partial wrong twice: partial is the weakest
    record("some-lesson", [("derivative", True)] * 3 + [("partial", False)] * 2)
    code, out = practice("--plain", lines=["quit"])
    assert code == 0
    assert "Practising partial derivatives: your weakest skill" in out
    skill, seed = chosen_set(out)
    assert skill == "partial"
    assert "# Practice: partial derivatives and the gradient" in out
    assert f"practice-gradient-{seed}" in ProgressStore().known_lessons()


def test_with_no_skill_and_no_answers_it_starts_with_derivatives():
    code, out = practice("--plain", lines=["quit"])
    assert code == 0
    assert chosen_set(out)[0] == "derivative"
    assert "# Practice: the power rule" in out


def test_a_weak_skill_without_practice_questions_is_passed_over():
    # batch is weakest of all, but no template practises it: the weakest one that has one is taken
    record("training-lesson", [("batch", False)] * 3 + [("direction", False), ("derivative", True)])
    code, out = practice("--plain", lines=["quit"])
    assert code == 0
    assert chosen_set(out)[0] == "direction"
    assert "# Practice: gradient descent by hand" in out


def test_next_skill_follows_the_mastery_model():
    from tutor.mastery import MASTERY_THRESHOLD
    from tutor.practice import next_skill

    assert next_skill({}) == "derivative"
    assert next_skill({"derivative": 0.5, "update": 0.2}) == "update"
    assert next_skill({"derivative": 0.99}) == "partial"  # mastered: on to the next not practised
    everything = {
        s: 0.99
        for s in (
            "derivative",
            "partial",
            "gradient",
            "evaluate",
            "direction",
            "update",
            "sign_change",
            "learning_rate",
        )
    }
    everything["gradient"] = MASTERY_THRESHOLD
    assert next_skill(everything) == "gradient"  # all mastered: the least mastered


def test_an_unknown_skill_is_one_error_line():
    result = CliRunner().invoke(main, ["practice", "integrals"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no practice for 'integrals'; choose one of derivative, partial, gradient, evaluate, direction, "
        "update, sign_change, learning_rate, descent"
    ]


def test_skills_may_be_written_with_a_hyphen():
    code, out = practice("sign-change", "--seed", "3", "--plain", lines=["quit"])
    assert code == 0
    assert "# Practice: gradient descent by hand" in out


# --- tutor progress names the command ----------------------------------------------------------


def test_progress_names_the_command_to_run():
    # by hand: one right answer takes derivative from 0.3 to 0.76, two wrong take partial to 0.17
    record("some-lesson", [("derivative", True)] + [("partial", False)] * 2)
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0
    assert "Practise next: partial derivatives, derivative rules — run `tutor practice partial`" in result.output
    data = json.loads(CliRunner().invoke(main, ["progress", "--format", "json"]).output)
    assert data["practise_command"] == "tutor practice partial"


def test_progress_names_no_command_when_nothing_weak_can_be_practised():
    record("training-lesson", [("batch", False)] * 2)
    result = CliRunner().invoke(main, ["progress"])
    assert "Practise next: batch, stochastic and mini-batch" in result.output
    assert "tutor practice" not in result.output


# --- the app --------------------------------------------------------------------------------


@pytest.fixture
def no_plots(monkeypatch):
    import tutor.plots

    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)


async def test_the_practice_set_opens_in_the_app(no_plots):
    from tutor.app.app import TutorApp
    from tutor.app.screens.lesson import LessonScreen
    from tutor.practice import practice_lesson

    names, f = monomials("derivative", 7)
    app = TutorApp(practice_lesson("derivative", 7), [], images=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.session.lesson_id == "practice-derivative-7"
        await pilot.press("enter")  # past the explanation
        await settle(pilot)
        box = screen.query_one("#answer")
        box.value = typed(names, partial(f, 0))
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "✓" in str(screen.query_one("#feedback").render())
    rows = ProgressStore().attempts("practice-derivative-7")
    assert [(r.verdict, r.skill) for r in rows] == [("right", "derivative")]


def test_the_command_hands_the_built_set_to_the_app(monkeypatch):
    import tutor.app
    from tutor.app.app import TutorApp

    opened = []
    monkeypatch.setattr(tutor.app, "_prepare_images", lambda: False)
    monkeypatch.setattr(TutorApp, "run", lambda self, *a, **k: opened.append(self.start_lesson))
    code, _out = practice("descent", "--seed", "5")
    assert code == 0
    assert [lesson.id for lesson in opened] == ["practice-descent-5"]
