"""Markdown export: a worked solution with exact numbers, images beside it, the same bytes every time."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sympy as sp
from conftest import speaking

os.environ.setdefault("MPLBACKEND", "Agg")

from PIL import Image

from tutor import descent, export
from tutor.lesson.model import Derive, Descent, Explain, Function, Help, Lesson, PlotRange
from tutor.mathinput import symbol
from tutor.progress import Attempt
from tutor.walkthrough import Step, Walkthrough, build_walkthrough
from tutor.walkthrough.contract import IterationPayload, RunPayload
from tutor.walkthrough.descent_steps import descent_facts

GOLDEN = Path(__file__).parent / "golden"
x = symbol("x")
R = sp.Rational


def five_x_squared() -> Lesson:
    """The article's example: f = 5x^2 from x0 = 1 with lr 1/20, two iterations by hand, four in all."""
    f = Function(5 * x**2, ("x",), "5x^2")
    return Lesson(
        id="five-x-squared",
        title={"en": "Descending 5x^2", "zh": "在 5x^2 上下降"},
        summary={
            "en": "Two iterations by hand from $x_0 = 1$ with $\\eta = \\tfrac{1}{20}$.",
            "zh": "从 $x_0 = 1$ 出发，学习率 $\\eta = \\tfrac{1}{20}$，手算两次迭代。",
        },
        sections=(
            Explain(
                text={
                    "en": "The bowl $f(x) = 5x^2$ has its minimum at $x = 0$.",
                    "zh": "碗形函数 $f(x) = 5x^2$ 的最小值在 $x = 0$。",
                },
                title={"en": "The function", "zh": "函数"},
                plot=PlotRange(f, (-1.5, 1.5)),
            ),
            Derive(
                function=f,
                of="x",
                help=Help(solution={"en": "Power rule: $5 \\cdot 2x = 10x$.", "zh": "幂法则：$5 \\cdot 2x = 10x$。"}),
            ),
            Descent(function=f, start={"x": sp.Integer(1)}, learning_rate=R(1, 20), max_steps=4, by_hand=2),
        ),
    )


@pytest.fixture(scope="module")
def walkthrough() -> Walkthrough:
    return build_walkthrough(five_x_squared())


@pytest.fixture(scope="module")
def exported(walkthrough, tmp_path_factory) -> Path:
    """The English export, written once for the tests that only read it."""
    return export.export_markdown(walkthrough, tmp_path_factory.mktemp("en"))


@pytest.fixture(scope="module")
def exported_zh(tmp_path_factory) -> Path:
    """The Chinese export of the walkthrough built in Chinese (its words are said in the language it is built in)."""
    walkthrough_zh = speaking("zh", build_walkthrough, five_x_squared())
    return speaking("zh", export.export_markdown, walkthrough_zh, tmp_path_factory.mktemp("zh"))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def links(markdown: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)


# --- the worked solution ------------------------------------------------------------------------


def test_markdown_matches_the_hand_checked_golden_file(exported):
    path = exported
    assert path.name == "five-x-squared.md"
    expected = (GOLDEN / "five-x-squared.en.md").read_text(encoding="utf-8")
    # On a deliberate change of wording, rewrite the golden file and check every number in it by hand again.
    assert path.read_text(encoding="utf-8") == expected


def test_every_hand_iteration_is_written_out_with_exact_numbers(exported):
    text = exported.read_text(encoding="utf-8")
    # f'(x) = 10x; x1 = 1 - (1/20)*10 = 1/2; f'(1/2) = 5; x2 = 1/2 - (1/20)*5 = 1/4
    assert r"$x_{1} = x_{0} - \eta\, f'(x_{0}) = 1 - \tfrac{1}{20}\cdot 10 = \tfrac{1}{2}$" in text
    assert r"$x_{2} = x_{1} - \eta\, f'(x_{1}) = \tfrac{1}{2} - \tfrac{1}{20}\cdot 5 = \tfrac{1}{4}$" in text
    assert r"f'(x_{0}) = f'(1) = 10" in text and r"f'(x_{1}) = f'(\tfrac{1}{2}) = 5" in text
    assert "**Answer:** $10 x$" in text


def test_the_iteration_table_has_signs_and_sign_changes(exported):
    text = exported.read_text(encoding="utf-8")
    # x_k = 1/2^k, f = 5/4^k, f' = 10/2^k for k = 0..4
    rows = [
        r"| $0$ | $1$ | $5$ | $10$ | $+$ | — |",
        r"| $1$ | $\tfrac{1}{2}$ | $\tfrac{5}{4}$ | $5$ | $+$ | — |",
        r"| $2$ | $\tfrac{1}{4}$ | $\tfrac{5}{16}$ | $\tfrac{5}{2}$ | $+$ | — |",
        r"| $3$ | $\tfrac{1}{8}$ | $\tfrac{5}{64}$ | $\tfrac{5}{4}$ | $+$ | — |",
        r"| $4$ | $\tfrac{1}{16}$ | $\tfrac{5}{256}$ | $\tfrac{5}{8}$ | $+$ | — |",
    ]
    for row in rows:
        assert row in text
    assert "sign change |" in text


def test_sign_change_reasoning_and_table_mark(tmp_path):
    # lr 3/20: x1 = 1 - (3/20)*10 = -1/2, f'(-1/2) = -5: the sign changed, the minimum lies in (-1/2, 1)
    f = Function(5 * x**2, ("x",), "5x^2")
    lesson = Lesson(
        "overshoot",
        "Overshoot",
        "",
        (Descent(function=f, start={"x": 1}, learning_rate=R(3, 20), stop=("sign-change",), max_steps=5, by_hand=2),),
    )
    text = export.export_markdown(build_walkthrough(lesson), tmp_path).read_text(encoding="utf-8")
    assert r"$x_{1} = x_{0} - \eta\, f'(x_{0}) = 1 - \tfrac{3}{20}\cdot 10 = - \tfrac{1}{2}$" in text
    assert (
        r"| $1$ | $- \tfrac{1}{2}$ | $\tfrac{5}{4}$ | $-5$ | $-$ | yes: the minimum lies between $x_{0}$ and $x_{1}$ |"
        in text
    )
    assert "the minimum lies between $x_{0} = 1$ and $x_{1} = - \\tfrac{1}{2}$" in text


def test_images_sit_beside_the_markdown_as_800_by_500_pngs(exported):
    found = links(exported.read_text(encoding="utf-8"))
    # the explain plot, both iterations and the whole run
    assert found == [
        "five-x-squared/s0.png",
        "five-x-squared/s2.k0.png",
        "five-x-squared/s2.k1.png",
        "five-x-squared/s2.run.png",
    ]
    for link in found:
        with Image.open(exported.parent / link) as image:
            assert image.format == "PNG"
            assert image.size == (800, 500)


def test_exporting_twice_gives_identical_bytes(tmp_path, exported_zh):
    walkthrough_zh = speaking("zh", build_walkthrough, five_x_squared())
    speaking("zh", export.export_markdown, walkthrough_zh, tmp_path)
    a, b = files(exported_zh.parent), files(tmp_path)
    assert len(a) == 5 and a == b


def test_chinese_export_uses_the_chinese_text(exported_zh):
    text = exported_zh.read_text(encoding="utf-8")
    assert text.startswith("# 在 5x^2 上下降\n")
    assert "**答案：** $10 x$" in text
    assert "全部迭代" in text and "变号" in text
    assert "Answer" not in text


def test_two_variable_table_shows_the_point_signs_and_which_partial_changed_sign():
    # f = x^2 + 10y^2 from (1, 1), lr 1/10: grad (2x, 20y) = (2, 20), so x1 = 1 - 1/5 = 4/5, y1 = 1 - 2 = -1;
    # there f = 16/25 + 10 = 266/25 and grad = (8/5, -20): dy changed sign
    y = symbol("y")
    f = x**2 + 10 * y**2
    run = descent.run(f, ["x", "y"], [1, 1], R(1, 10), steps=1, exact=True)
    step = Step("s0.run", 0, "Run", "", RunPayload(**descent_facts(f, ("x", "y"), run, len(run.steps) - 1)))
    text, images = export.render_markdown(Walkthrough("two", "Two", "", (step,)))
    assert images == []
    row = r"| $1$ | $\left(\tfrac{4}{5}, -1\right)$ | $\tfrac{266}{25}$ | $\left(\tfrac{8}{5}, -20\right)$ | ($+$, $-$) | yes, in $y$ |"
    assert row in text
    assert r"| $0$ | $\left(1, 1\right)$ | $11$ | $\left(2, 20\right)$ | ($+$, $+$) | — |" in text
    assert "**Why it stopped:** ran the 1" in text  # the engine's own words for max_steps


def _run_table(f, variables, start, lr, steps):
    run = descent.run(f, list(variables), start, lr, steps=steps, exact=True)
    step = Step("s0.run", 0, "Run", "", RunPayload(**descent_facts(f, tuple(variables), run, len(run.steps) - 1)))
    text, _images = export.render_markdown(Walkthrough("long", "Long", "", (step,)))
    return {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| $")}


def _maths_is_balanced(line: str) -> None:
    for cell in line.strip("|").split(" | "):
        assert cell.count("$") % 2 == 0, cell  # every $ closed inside its cell
        for maths in re.findall(r"\$([^$]*)\$", cell):
            depth = 0
            for c in maths:
                depth += {"{": 1, "}": -1}.get(c, 0)
                assert depth >= 0, maths
            assert depth == 0 and maths.count(r"\left(") == maths.count(r"\right)"), maths


def test_a_long_exact_value_reads_as_a_short_decimal_with_the_exact_value_beside_it():
    """5x² from 1 with η = 1/100: x_k = (9/10)^k, so f(x₁₀) = 5·(9/10)²⁰, an exact fraction of 41 characters."""
    from fractions import Fraction

    rows = _run_table(5 * x**2, ["x"], [1], R(1, 100), 10)
    f10 = 5 * Fraction(9, 10) ** 20
    assert f10 == Fraction(12157665459056928801, 20000000000000000000)
    row = rows["| $10$"]
    assert rf"$\approx 0.6079$ (exact: $\tfrac{{{f10.numerator}}}{{{f10.denominator}}}$)" in row
    x10 = Fraction(9, 10) ** 10  # 3486784401/10000000000 ≈ 0.3487, its slope 10·x₁₀ ≈ 3.487
    assert rf"| $\approx {float(x10):.4g}$ (exact: $\tfrac{{{x10.numerator}}}{{{x10.denominator}}}$) |" in row
    assert (
        rf"| $\approx {float(10 * x10):.4g}$ (exact: $\tfrac{{{(10 * x10).numerator}}}{{{(10 * x10).denominator}}}$) |"
        in row
    )
    # short exact values stay as they are (the tutor's rule: up to 10 characters): x₂ = 81/100, f(x₂) = 6561/2000
    assert rows["| $2$"].startswith(r"| $2$ | $\tfrac{81}{100}$ | $\tfrac{6561}{2000}$ | $\tfrac{81}{10}$ |")
    for line in rows.values():
        _maths_is_balanced(line)


def test_a_long_exact_vector_rounds_only_its_long_components():
    """x² + y² from (1, 2) with η = 1/100: each step multiplies the point by 49/50, so x₆ = (49/50)⁶ is long."""
    from fractions import Fraction

    y = symbol("y")
    rows = _run_table(x**2 + y**2, ["x", "y"], [1, 2], R(1, 100), 6)
    x6, y6 = Fraction(49, 50) ** 6, 2 * Fraction(49, 50) ** 6
    row = rows["| $6$"]
    exact = rf"\left(\tfrac{{{x6.numerator}}}{{{x6.denominator}}}, \tfrac{{{y6.numerator}}}{{{y6.denominator}}}\right)"
    assert rf"$\left(\approx {float(x6):.4g}, \approx {float(y6):.4g}\right)$ (exact: ${exact}$)" in row
    assert r"| $\left(\tfrac{49}{50}, \tfrac{49}{25}\right)$ |" in rows["| $1$"]
    for line in rows.values():
        _maths_is_balanced(line)


def test_the_exact_value_beside_the_decimal_is_said_in_chinese(zh):
    rows = _run_table(5 * x**2, ["x"], [1], R(1, 100), 10)
    assert r"$\approx 0.6079$（精确值：$\tfrac{12157665459056928801}{20000000000000000000}$）" in rows["| $10$"]


def test_a_walkthrough_without_solutions_still_gets_its_worked_update(tmp_path):
    # a hand-made step (no solution text): the export writes the update itself; its picture is the walkthrough's
    from tutor.walkthrough.geometry import Sampler, with_picture

    run = descent.run(5 * x**2, ["x"], [1], R(1, 20), steps=2, exact=True)
    payload = with_picture(IterationPayload(**descent_facts(5 * x**2, ("x",), run, 0)), Sampler())
    step = Step("s0.k0", 0, "Iteration 0", "", payload)
    text, images = export.render_markdown(Walkthrough("hand", "Hand", "", (step,)), tmp_path, "hand")
    assert r"$$x_{1} = x_{0} - \eta f'(x_{0}) = 1 - \tfrac{1}{20}\cdot 10 = \tfrac{1}{2}$$" in text
    assert "**decrease**" in text
    assert images == [tmp_path / "s0.k0.png"]


def test_a_training_step_without_a_solution_gets_its_update_and_the_engines_run(tmp_path):
    # a training step with no solution text: the export writes the four steps itself, then the engine's updates
    import dataclasses

    from tutor.lesson.loader import load_lesson_text

    text = (
        "id: t\ntitle: T\nsections:\n  - training_step:\n      model: w*x + b\n      parameters: [w, b]\n"
        "      data: {x: [0, 1, 2, 3], y: [1, 3, 5, 7]}\n      start: {w: 1, b: 0}\n      learning_rate: 1/10\n"
        "      then_steps: 3\n"
    )
    built = build_walkthrough(load_lesson_text(text))
    steps = tuple(dataclasses.replace(s, solution=None, questions=()) for s in built.steps)
    markdown, _ = export.render_markdown(Walkthrough("t", "T", "", steps), None, "t")
    # by hand: y1 = (0, 1, 2, 3), ∂L/∂w = (2/4)·Σ(y1 − y)·x = −10, ∂L/∂b = (2/4)·Σ(y1 − y) = −5
    assert (
        r"w \leftarrow w - \eta \frac{\partial L}{\partial w} = 1 - \tfrac{1}{10}\cdot \left(-10\right) = 2" in markdown
    )
    assert (
        r"b \leftarrow b - \eta \frac{\partial L}{\partial b} = 0 - \tfrac{1}{10}\cdot \left(-5\right) = \tfrac{1}{2}"
        in markdown
    )
    assert "The engine then ran 3 more updates" in markdown


# --- the learner's transcript ---------------------------------------------------------------------


def attempt(question_id, answer, verdict, feedback="", kind="answer", at="2025-01-01T10:00:00.000Z"):
    return Attempt("five-x-squared", question_id, answer, verdict, feedback, kind, "", at)


def test_transcript_shows_each_answer_beside_the_right_one(tmp_path, walkthrough):
    attempts = [
        attempt("s1.derivative", "5x", "wrong", "You lowered the power but lost the factor 2."),
        attempt("s1.derivative", "", "", kind="hint"),
        attempt("s1.derivative", "10x", "right", "Right."),
        attempt("s2.k0.next", "1/2", "right"),
        attempt("s2.k1.next", "`rm -rf`", "invalid", "That is not a number.", kind="invalid"),
        attempt("gone.question", "3", "wrong"),
    ]
    path = export.export_transcript("five-x-squared", attempts, walkthrough, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.name == "five-x-squared-progress.md"
    assert "- You answered `5x`: ❌ wrong" in text
    assert "> Feedback: You lowered the power but lost the factor 2." in text
    assert "- asked for a hint" in text
    assert "- You answered `10x`: ✅ right" in text
    assert "**Correct answer:** $10 x$" in text
    assert "`` `rm -rf` ``" in text and "not understood" in text  # backticks in an answer stay code
    assert "Not attempted." in text  # the direction questions
    assert "questions no longer in this lesson" in text and "`gone.question`" in text
    # first tries right: s2.k0.next only (s1.derivative was wrong first) of 8 questions
    assert "Score: 1 of 8 questions right at the first try." in text


# --- the command -----------------------------------------------------------------------------------


TINY = """\
id: tiny-descent
title: {en: Tiny, zh: 小例子}
summary: {en: One step on x^2., zh: 在 x^2 上走一步。}
sections:
  - descent:
      function: "x^2"
      start: {x: 2}
      learning_rate: "1/4"
      max_steps: 2
      by_hand: 1
"""


def test_export_command_writes_each_lesson_and_says_so(tmp_path, monkeypatch):
    lesson = tmp_path / "tiny.yaml"
    lesson.write_text(TINY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    lines = list(export.export_command([str(lesson)], Path("out"), False, []))
    assert lines == ["wrote out/tiny-descent.md (2 images)"]
    text = (tmp_path / "out" / "tiny-descent.md").read_text(encoding="utf-8")
    # x1 = 2 - (1/4)*4 = 1
    assert r"x_{1} = x_{0} - \eta\, f'(x_{0}) = 2 - \tfrac{1}{4}\cdot 4 = 1" in text


def test_export_command_reports_a_missing_lesson_and_fails(tmp_path):
    out = export.export_command(["no-such-lesson-here"], tmp_path, False, [])
    first = next(out)
    assert first.startswith("skipped no-such-lesson-here:")
    with pytest.raises(export.ExportError, match="1 lesson could not be exported"):
        next(out)


def test_export_command_transcript_uses_the_progress_store(tmp_path, monkeypatch):
    from tutor.progress import ProgressStore

    lesson = tmp_path / "tiny.yaml"
    lesson.write_text(TINY, encoding="utf-8")
    store = ProgressStore()
    store.record("tiny-descent", "s0.k0.derivative", "4", "right", "Right: 2x at 2 is 4.")
    store.close()
    lines = list(export.export_command([str(lesson)], tmp_path / "out", True, []))
    assert lines == [f"wrote {tmp_path / 'out' / 'tiny-descent-progress.md'}"]
    text = (tmp_path / "out" / "tiny-descent-progress.md").read_text(encoding="utf-8")
    assert "- You answered `4`: ✅ right" in text and "> Feedback: Right: 2x at 2 is 4." in text


def test_export_command_with_no_names_exports_every_lesson_found_and_reports_broken_ones(tmp_path, monkeypatch):
    from tutor import paths

    bundled, extra = tmp_path / "bundled", tmp_path / "extra"
    bundled.mkdir()
    extra.mkdir()
    (bundled / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (extra / "broken.yaml").write_text("id: broken\ntitle: [not, text\n", encoding="utf-8")
    monkeypatch.setattr(paths, "bundled_lessons_dir", lambda: bundled)
    lines = export.export_command([], tmp_path / "out", False, [extra])
    first, second = next(lines), next(lines)
    assert {first.split()[0], second.split()[0]} == {"wrote", "skipped"}
    assert any(line.endswith("tiny-descent.md (2 images)") for line in (first, second))
    with pytest.raises(export.ExportError, match="could not be exported: broken"):
        next(lines)


def test_directions_of_several_variables_name_each_variable(tmp_path, bundled_walkthrough):
    """The gradient lesson asks one direction per variable: the answer names x, z, m, not 0, 1, 2."""
    from tutor.export import export_markdown

    text = export_markdown(bundled_walkthrough("gradients"), tmp_path).read_text()
    # at (1, 1, 1) the gradient (4, 12, 21) is positive in every component: decrease all three
    assert "$x$: decrease; $z$: decrease; $m$: decrease" in text
    assert "$0$: decrease" not in text
