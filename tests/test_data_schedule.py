"""A data file beside the lesson, display options, learning-rate schedules, and a whole course using them.

Expected values by hand: for y = w x + b at w = b = 0 on (0, 1), (1, 3), (2, 5)
the MSE is (1 + 9 + 25)/3 = 35/3.  Schedules are applied by a loop written
here with Python's Fraction.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import yaml
from click.testing import CliRunner
from jsonschema import Draft7Validator

from tutor.cli import main
from tutor.export import _export
from tutor.lesson.check import check_paths
from tutor.lesson.loader import load_lesson, load_lesson_text, parse_lesson
from tutor.lesson.schema import lesson_schema
from tutor.schedules import Schedule
from tutor.walkthrough import build_walkthrough

R = sp.Rational

TRAINING = """\
id: t
title: T
sections:
  - training_step:
      model: "w*x + b"
      parameters: [w, b]
      data: {data}
      start: {{w: 0, b: 0}}
      learning_rate: 1/10
"""


def write(tmp_path, csv: str, name: str = "samples.csv") -> str:
    (tmp_path / name).write_text(csv, encoding="utf-8")
    lesson = tmp_path / "lesson.yaml"
    lesson.write_text(TRAINING.format(data=name), encoding="utf-8")
    return str(lesson)


# --- data files -------------------------------------------------------------------------------------


def test_a_csv_file_gives_the_same_lesson_as_inline_data(tmp_path):
    path = write(tmp_path, "x,y\n0,1\n0.5,2.25\n2,5\n")
    from_file = load_lesson(path).sections[0].data
    inline = load_lesson_text(TRAINING.format(data="{x: [0, 0.5, 2], y: [1, 2.25, 5]}")).sections[0].data
    assert from_file.x == inline.x == (0, R(1, 2), 2) and from_file.y == inline.y == (1, R(9, 4), 5)


def test_columns_are_found_by_their_header_names(tmp_path):
    path = write(tmp_path, "note,y,x\na,1,0\nb,3,1\n")
    data = load_lesson(path).sections[0].data
    assert data.x == (0, 1) and data.y == (1, 3)


@pytest.mark.parametrize(
    ("csv", "position", "words"),
    [
        ("x,y\n0,1\n1,abc\n", (3, 3), "y: unknown name 'abc'"),
        ("x,z\n0,1\n", (1, 1), "it needs 'y'"),
        ("x,y\n0,1\n1\n", (3, 1), "this line has 1 values, but the header names 2 columns"),
        ("x,y\n", (1, 1), "a header but no samples"),
        ("x,y\n" + "1,2\n" * 1001, (1002, 1), "at most 1000 samples"),
        ("x,y\n0,.nan\n", (2, 3), "y:"),
    ],
)
def test_a_bad_data_file_is_one_error_at_its_own_line(tmp_path, csv, position, words):
    path = write(tmp_path, csv)
    _, diagnostics = parse_lesson(Path(path).read_text(), path)
    (error,) = diagnostics
    assert error.where.path == str(tmp_path / "samples.csv")
    assert (error.where.line, error.where.column) == position and words in error.message
    assert error.message.endswith("(the data of line 7)")


def test_a_data_file_outside_the_lesson_folder_is_refused_unread(tmp_path):
    inner = tmp_path / "lesson"
    inner.mkdir()
    (tmp_path / "secret.csv").write_text("x,y\n1,2\n")
    lesson = inner / "lesson.yaml"
    for name in ("../secret.csv", str(tmp_path / "secret.csv")):
        lesson.write_text(TRAINING.format(data=name))
        _, diagnostics = parse_lesson(lesson.read_text(), str(lesson))
        (error,) = diagnostics
        assert (error.where.line, error.where.column) == (7, 13) and "must be in the lesson's folder" in error.message


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    inner = tmp_path / "lesson"
    inner.mkdir()
    (tmp_path / "secret.csv").write_text("x,y\n1,2\n")
    (inner / "samples.csv").symlink_to(tmp_path / "secret.csv")
    lesson = inner / "lesson.yaml"
    lesson.write_text(TRAINING.format(data="samples.csv"))
    _, diagnostics = parse_lesson(lesson.read_text(), str(lesson))
    assert [d.message for d in diagnostics] == [
        "the data file must be in the lesson's folder (or below it); 'samples.csv' is not"
    ]


def test_a_large_or_binary_data_file_is_refused(tmp_path):
    path = write(tmp_path, "x,y\n" + "0," * 200_000)
    _, diagnostics = parse_lesson(Path(path).read_text(), path)
    assert "data files are at most 256 KB" in diagnostics[0].message
    (tmp_path / "samples.csv").write_bytes(b"x,y\n\xff\xfe,1\n")
    _, diagnostics = parse_lesson(Path(path).read_text(), path)
    assert (diagnostics[0].where.line, diagnostics[0].message.split(";")[0]) == (2, "this data file is not UTF-8 text")


# --- schedules ------------------------------------------------------------------------------------------


def by_hand(multiplier, steps: int) -> list[Fraction]:
    """x^2 from 1 with η = 1/4: x_{k+1} = x_k - η_k · 2 x_k."""
    xs, x = [Fraction(1)], Fraction(1)
    for k in range(steps):
        x = x - Fraction(1, 4) * multiplier(k) * 2 * x
        xs.append(x)
    return xs


@pytest.mark.parametrize(
    ("schedule", "multiplier"),
    [
        ("{exponential: {rate: 1/2}}", lambda k: Fraction(1, 2) ** k),
        ("{step_decay: {every: 2, factor: 1/2}}", lambda k: Fraction(1, 2) ** (k // 2)),
        ("{inverse_time: {decay: 1}}", lambda k: Fraction(1, 1 + k)),
    ],
)
def test_each_schedule_sets_each_iterations_learning_rate(schedule, multiplier):
    text = (
        "id: t\ntitle: T\nsections:\n  - descent:\n      function: x^2\n      start: {x: 1}\n"
        f"      learning_rate: 1/4\n      schedule: {schedule}\n      by_hand: 4\n"
    )
    walk = build_walkthrough(load_lesson_text(text))
    expected = by_hand(multiplier, 4)
    got = [walk.question(f"s0.k{k}.next").expected for k in range(4)]
    assert got == [R(x.numerator, x.denominator) for x in expected[1:]]
    assert "follows a schedule" in walk.steps[0].text


def test_a_schedule_carries_the_learners_own_iterate_forward():
    text = (
        "id: t\ntitle: T\nsections:\n  - descent:\n      function: x^2\n      start: {x: 1}\n"
        "      learning_rate: 1/4\n      schedule: {exponential: {rate: 1/2}}\n      by_hand: 2\n"
    )
    from tutor.grading import grade

    walk = build_walkthrough(load_lesson_text(text))
    # their x1 = 2/3 (wrong), so f'(x1) = 4/3; η_1 = 1/8: x2 = 2/3 - (1/8)(4/3) = 1/2
    earlier = {"s0.k0.next": R(2, 3), "s0.k1.derivative": R(4, 3)}
    assert grade(walk.question("s0.k1.next"), "1/2", earlier).verdict == "right"
    assert grade(walk.question("s0.k1.next"), "1/2").verdict == "wrong"  # the true x2 is 3/8


def test_schedule_multipliers_by_hand():
    assert [Schedule("step_decay", every=3, factor=R(1, 2)).multiplier(k) for k in (0, 2, 3, 6)] == [
        1,
        1,
        R(1, 2),
        R(1, 4),
    ]
    assert Schedule("inverse_time", decay=R(1, 10)).multiplier(10) == R(1, 2)
    assert Schedule("exponential", rate=R(9, 10)).rate_at(2, 0.5) == pytest.approx(0.405)


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("{exponential: {rate: 2}}", "at most 1"),
        ("{exponentail: {rate: 1/2}}", "did you mean 'exponential'"),
        ("{step_decay: {every: 2}}", "needs 'factor:'"),
    ],
)
def test_schedule_mistakes_are_errors(schedule, words):
    text = (
        "id: t\ntitle: T\nsections:\n  - descent:\n      function: x^2\n      start: {x: 1}\n"
        f"      learning_rate: 1/4\n      schedule: {schedule}\n"
    )
    _, diagnostics = parse_lesson(text)
    assert any(d.severity == "error" and d.where.line == 8 and words in d.message for d in diagnostics)


def test_a_schedule_with_momentum_is_refused():
    text = (
        "id: t\ntitle: T\nsections:\n  - descent:\n      function: x^2\n      start: {x: 1}\n"
        "      learning_rate: 1/4\n      optimizer: momentum\n      schedule: {exponential: {rate: 1/2}}\n"
    )
    _, diagnostics = parse_lesson(text)
    assert [d.message for d in diagnostics] == ["a schedule is for plain gradient descent (gd), not momentum"]


# --- display --------------------------------------------------------------------------------------------


DISPLAY = (
    "id: t\ntitle: T\nsections:\n  - descent:\n      function: x^2\n      start: {x: 1}\n"
    "      learning_rate: 1/3\n      max_steps: 30\n      display: {decimals: 3, rows: 6}\n"
)


def test_display_sets_decimals_and_rows_of_the_run_table(tmp_path):
    walk = build_walkthrough(load_lesson_text(DISPLAY))
    run = next(s for s in walk.steps if s.kind == "run")
    table = run.solution.splitlines()
    # header, rule, 5 first rows, an ellipsis row, the last row; x_k = (1/3)^k: x_1 = 0.333, x_2 = 0.111
    assert len(table) == 2 + 6 + 1 and table[-2] == "| … | … | … | … |"
    assert "| 1 | $0.333$ | $0.111$ | $0.667$ |" in table
    path, _ = _export(walk, tmp_path)
    text = path.read_text()
    assert "$0.333$" in text and "more rows" in text


def test_display_in_plain_mode(tmp_path):
    from tutor.tables import plain_table

    walk = build_walkthrough(load_lesson_text(DISPLAY))
    run = next(s for s in walk.steps if s.kind == "run")
    lines = plain_table(run, reveal=True).splitlines()
    assert len(lines) == 1 + 6 + 1 and lines[-2].split()[0] == "…" and "0.333" in lines[2]


# --- the course of the issue: a question, a multiple choice, a CSV file and a schedule --------------------

COURSE = """\
id: course
title: {en: A course of my own, zh: 我的课程}
sections:
  - training_step:
      model: "w*x + b"
      parameters: [w, b]
      data: samples.csv
      start: {w: 0, b: 0}
      learning_rate: 1/10
      ask: [loss]
  - descent:
      function: x^2
      start: {x: 1}
      learning_rate: 1/4
      schedule: {exponential: {rate: 1/2}}
      by_hand: 2
      ask: [next]
      display: {decimals: 3, rows: 8}
  - question:
      function: "x^4 - 2x^2"
      parts:
        - ask: stability_bound
          near: {x: 1}
        - prompt: Which minimum does descent from x = -2 reach?
          choices:
            - text: x = -1
              correct: true
              explain: The run stays on its own side of the maximum at 0.
            - text: x = 1
              explain: It cannot cross the maximum at x = 0.
"""


@pytest.fixture
def course(tmp_path):
    (tmp_path / "samples.csv").write_text("x,y\n0,1\n1,3\n2,5\n")
    path = tmp_path / "course.yaml"
    path.write_text(COURSE, encoding="utf-8")
    return path


def test_the_course_validates_against_the_schema_and_passes_check(course):
    assert list(Draft7Validator(lesson_schema()).iter_errors(yaml.safe_load(COURSE))) == []
    assert check_paths([course]) == (1, [])


def test_the_course_runs_in_plain_mode(course):
    # loss 35/3 (by hand); x1 = 1 - (1/4)(2) = 1/2, x2 = 1/2 - (1/8)(1) = 3/8; 2/L = 2/8; b then a
    answers = "35/3\n\n1/2\n\n3/8\n\n\n1/4\n\nb\na\n\n\n"
    result = CliRunner().invoke(main, ["run", str(course), "--plain"], input=answers)
    assert result.exit_code == 0, result.output
    assert "It cannot cross the maximum at x = 0." in result.output
    # one wrong try on the way: the summary says so (issue 15), every question is right in the end
    assert "Lesson finished: 4 of 5 questions right at the first try, 1 right after more tries" in result.output
