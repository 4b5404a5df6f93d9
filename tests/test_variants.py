"""Variants: different numbers for each learner, reproducible by number, every one of them checked.

Counts and values are worked out by hand: a in 1..4, eta in 1/20..1/4 by 1/20
(5 values), x0 in 4 values make 80 combinations; "a*eta < 1" rules out only
a = 4 with eta = 1/4 (4/4 = 1), so 76 variants.  For f = a x^2, L = 2a and
the stability bound is 2/L = 1/a: at a*eta = 1 the run oscillates.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from tutor.cli import main
from tutor.lesson.check import check_paths
from tutor.lesson.loader import load_lesson, load_lesson_text, load_variant, parse_lesson
from tutor.lesson.model import LessonError
from tutor.lesson.scaffold import new_lesson
from tutor.lesson.variants import admissible, for_learner, sample, variant_of_seed
from tutor.mathinput import symbol
from tutor.progress import ProgressStore

R = sp.Rational
x = symbol("x")

BOWL = """\
id: bowl
title: A bowl
variants:
  values:
    a: {from: 1, to: 4}
    eta: {from: 1/20, to: 1/4, step: 1/20}
    x0: [-3, -2, 2, 3]
  require: ["a*eta < 1"]
sections:
  - explain:
      text: "$f(x) = {{a}} x^2$, $\\\\eta = {{eta}}$"
  - descent:
      function: a*x^2
      start: {x: x0}
      learning_rate: eta
      by_hand: 2
      expect: converge
"""


def all_combinations_by_hand(require) -> list[dict]:
    out = []
    for a in range(1, 5):
        for k in range(1, 6):
            for x0 in (-3, -2, 2, 3):
                if require(a, R(k, 20)):
                    out.append({"a": a, "eta": R(k, 20), "x0": x0})
    return out


def test_variant_n_is_the_nth_admissible_combination_in_order():
    lesson = load_lesson_text(BOWL)
    expected = all_combinations_by_hand(lambda a, eta: a * eta < 1)
    assert len(expected) == 76
    assert [dict(v) for v in admissible(lesson.variants)] == expected


def test_a_variant_puts_its_numbers_everywhere():
    lesson = load_lesson_text(BOWL, variant=42)
    values = all_combinations_by_hand(lambda a, eta: a * eta < 1)[41]
    descent = lesson.sections[1]
    assert lesson.variant == 42 and lesson.values == values
    assert descent.function.expr == values["a"] * x**2 and descent.function.variables == ("x",)
    assert descent.start == {"x": values["x0"]} and descent.learning_rate == values["eta"]
    assert lesson.sections[0].text == f"$f(x) = {values['a']} x^2$, $\\eta = {sp.latex(values['eta'])}$"


def test_variants_differ_and_the_same_variant_is_the_same():
    one, two = load_lesson_text(BOWL, variant=1), load_lesson_text(BOWL, variant=2)
    assert one.sections[1].start != two.sections[1].start
    assert load_lesson_text(BOWL, variant=2) == two


def test_a_variant_that_does_not_exist_is_one_error_at_variants():
    _, diagnostics = parse_lesson(BOWL, "b.yaml", variant=77)
    assert [str(d) for d in diagnostics] == [
        "b.yaml:4:3: error: there is no variant 77: this lesson has variants 1 to 76"
    ]
    _, diagnostics = parse_lesson("id: t\ntitle: T\nsections: [{explain: {text: hi}}]\n", "t.yaml", variant=2)
    assert [d.message for d in diagnostics] == [
        "there is no variant 2: this lesson has no variants (no 'variants:' block)"
    ]


@pytest.mark.parametrize(
    ("variants", "position", "words"),
    [
        ("  values: {a: [1, 2, 1]}\n", (4, 22), "1 is listed twice for a"),
        ("  values: {a: {from: 3, to: 1}}\n", (4, 29), "'to' must not be less"),
        ('  values: {a: [1, 2]}\n  require: ["a < 1 < 2"]\n', (5, 13), "got 2 in"),
        ('  values: {a: [1, 2]}\n  require: ["a > 5"]\n', (4, 3), "no combination of these values"),
        ("  values: {x: [1, 2]}\n", (7, 17), "x is a parameter of the variants"),
    ],
)
def test_mistakes_in_variants_are_errors_at_their_place(variants, position, words):
    text = f"id: t\ntitle: T\nvariants:\n{variants}sections:\n  - derive:\n      function: x^2\n"
    _, diagnostics = parse_lesson(text, "t.yaml")
    errors = [d for d in diagnostics if d.severity == "error"]
    assert errors and (errors[0].where.line, errors[0].where.column) == position and words in errors[0].message


def test_requirements_are_exact_at_the_boundary():
    strict = load_lesson_text(BOWL)
    loose = load_lesson_text(BOWL.replace('"a*eta < 1"', '"a*eta <= 1"'))
    assert len(admissible(strict.variants)) == 76 and len(admissible(loose.variants)) == 80


def test_the_sample_is_deterministic_and_spans_the_variants():
    assert sample(10, None) == list(range(1, 11)) and sample(10, 12) == list(range(1, 11))
    picked = sample(76, 12)
    assert picked == sample(76, 12) and len(picked) == 12 and picked[0] == 1 and picked[-1] == 76


# --- tutor check: every variant, a broken one named -------------------------------------------------


def test_a_variant_that_breaks_the_lesson_is_an_error_naming_it(tmp_path):
    path = tmp_path / "bowl.yaml"
    path.write_text(BOWL.replace('"a*eta < 1"', '"a*eta <= 1"').replace("require:", "check: all\n  require:"))
    _, diagnostics = check_paths([path])
    errors = [d for d in diagnostics if d.severity == "error"]
    # a = 4, eta = 1/4 sits at the bound 2/L = 1/4: it oscillates; they are variants 77..80 (the last four)
    assert [e.message.split(":")[0] for e in errors] == [
        f"variant {n} (a = 4, eta = 1/4, x0 = {x0})" for n, x0 in zip(range(77, 81), (-3, -2, 2, 3))
    ]
    assert all("expect: converge, but it does not" in e.message for e in errors)
    assert {(e.where.line, e.where.column) for e in errors} == {(18, 15)}
    (note,) = [d for d in diagnostics if d.severity == "note"]
    assert note.message == "80 variants checked (all 80)"


def test_a_predict_verdict_that_changes_between_variants_is_an_error(tmp_path):
    text = """\
id: p
title: P
variants:
  values:
    eta: [1/10, 3/2]
sections:
  - predict:
      function: x^2
      start: {x: 1}
      learning_rate: eta
"""
    path = tmp_path / "p.yaml"
    path.write_text(text)
    _, diagnostics = check_paths([path])
    # x^2: L = 2, 2/L = 1: eta = 1/10 converges, eta = 3/2 diverges (x_{k+1} = -2 x_k)
    (error,) = [d for d in diagnostics if d.severity == "error"]
    assert (error.where.line, error.where.column) == (7, 5)
    assert error.message.startswith(
        "variant 2 (eta = 3/2): the run's outcome is diverge, but in variant 1 it is converge"
    )


def test_the_variants_template_passes_check(tmp_path):
    path = new_lesson(tmp_path / "mine.yaml", "variants")
    count, diagnostics = check_paths([path])
    assert count == 1 and [(d.severity, d.message) for d in diagnostics] == [("note", "76 variants checked (all 76)")]


# --- one learner, one variant: the seed is kept with their progress ------------------------------------


def test_a_learner_keeps_their_variant_and_the_seed_is_stored(tmp_path):
    path = tmp_path / "bowl.yaml"
    path.write_text(BOWL)
    lesson = load_lesson(path)
    store = ProgressStore(tmp_path / "progress.sqlite3")
    first = for_learner(lesson, store)
    seed = store.variant_seed("bowl")
    assert seed is not None and first.variant == variant_of_seed(seed, 76)
    assert for_learner(lesson, store).values == first.values
    store.close()
    again = ProgressStore(tmp_path / "progress.sqlite3")
    assert again.variant_seed("bowl") == seed and for_learner(lesson, again).variant == first.variant
    assert for_learner(load_variant(lesson, 5), again).variant == 5  # --variant wins over the seed
    again.close()


def test_seeds_spread_learners_over_the_variants():
    assert {variant_of_seed(seed, 76) for seed in range(76)} == set(range(1, 77))


def test_a_progress_file_from_before_variants_gains_the_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, lesson_id TEXT NOT NULL, question_id TEXT NOT"
        " NULL, answer TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL DEFAULT '', feedback TEXT NOT NULL DEFAULT '',"
        " kind TEXT NOT NULL DEFAULT 'answer', skill TEXT NOT NULL DEFAULT '', at TEXT NOT NULL);"
        "CREATE TABLE lessons (lesson_id TEXT PRIMARY KEY, step INTEGER NOT NULL DEFAULT 0, total_steps INTEGER,"
        " total_questions INTEGER, finished INTEGER NOT NULL DEFAULT 0, touched REAL NOT NULL);"
        "INSERT INTO lessons (lesson_id, step, touched) VALUES ('bowl', 3, 1.0);"
    )
    db.commit()
    db.close()
    store = ProgressStore(path)
    assert store.position("bowl") == 3 and store.variant_seed("bowl") is None and not store.messages
    store.set_variant_seed("bowl", 1234)
    assert store.variant_seed("bowl") == 1234 and store.position("bowl") == 3
    store.close()


# --- the commands ---------------------------------------------------------------------------------------


def export(tmp_path: Path, lesson: Path, variant: int, name: str) -> dict[str, bytes]:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["export", str(lesson), "--variant", str(variant), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_export_reproduces_a_variant_byte_for_byte_and_variants_differ(tmp_path):
    lesson = new_lesson(tmp_path / "mine.yaml", "variants")
    one, two, two_again = (export(tmp_path, lesson, n, f"out{i}") for i, n in enumerate((1, 2, 2)))
    assert two == two_again
    assert one["mine.md"] != two["mine.md"]
    # variant 1: a = 1, eta = 1/20, x0 = -3; variant 2: x0 = -2 (f' = 2x: -6 and -4)
    assert "$x_{0} = -3$" in one["mine.md"].decode() and "$x_{0} = -2$" in two["mine.md"].decode()


def test_run_plain_with_a_variant_shows_its_numbers(tmp_path):
    lesson = new_lesson(tmp_path / "mine.yaml", "variants")
    result = CliRunner().invoke(main, ["run", str(lesson), "--plain", "--variant", "76"], input="\n")
    # variant 76 is the last: a = 4, eta = 1/5, x0 = 3
    assert result.exit_code == 0 and "f(x) = 4x² and your learning rate is η = 1/5" in result.output


def test_a_variant_of_a_lesson_without_variants_is_one_error_line(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text("id: t\ntitle: T\nsections: [{explain: {text: hi}}]\n")
    result = CliRunner().invoke(main, ["export", str(path), "--variant", "2", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "there is no variant 2: this lesson has no variants" in result.output
    assert not (tmp_path / "o").exists()


def test_variants_of_a_stored_file_are_read_again(tmp_path):
    path = tmp_path / "bowl.yaml"
    path.write_text(BOWL)
    assert load_variant(load_lesson(path), 3).values == all_combinations_by_hand(lambda a, eta: a * eta < 1)[2]
    with pytest.raises(LessonError):
        load_variant(load_lesson(path), 100)


def test_plain_run_stores_the_seed_in_tutor_home(tmp_path, monkeypatch):
    from tutor.plain import run_plain

    lesson = new_lesson(tmp_path / "mine.yaml", "variants")
    out = io.StringIO()
    assert run_plain(str(lesson), [], stdin=io.StringIO("\n"), stdout=out) == 0
    store = ProgressStore()
    assert store.variant_seed("mine") is not None
    store.close()
