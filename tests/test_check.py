"""``tutor check``: the mathematics of each section, and the command's output.

Expected bounds are worked out by hand: for 5x^2, f'' = 10, so L = 10 and
the stability bound is 2/L = 1/5; for x^2, L = 2 and 2/L = 1.  With
x_{k+1} = x_k - η·2x_k = (1 - 2η) x_k, η = 1 flips the sign at the same size
(oscillates), η = 11/10 multiplies by -6/5 (diverges), η = 9/10 by -4/5
(converges while alternating).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor import walkthrough
from tutor.cli import main
from tutor.errors import TutorError
from tutor.lesson import check
from tutor.lesson.check import check_command, check_file, check_paths, classify, validate_math
from tutor.lesson.loader import load_lesson_text
from tutor.lesson.model import Descent, Diagnostic, LessonError, Where

LESSONS = Path(__file__).parent / "lessons"
GOOD, BAD = LESSONS / "good", LESSONS / "bad"


def lesson_of(*sections: str) -> str:
    return "id: t\ntitle: T\nsections:\n" + "".join(sections)


def descent(function: str, start: str, lr: str, *more: str) -> str:
    """A descent section whose keys sit on lines 5.. in the order given (function 5, start 6, learning_rate 7, ...)."""
    lines = [f'function: "{function}"', f"start: {start}", f'learning_rate: "{lr}"', *more]
    return "  - descent:\n" + "".join(f"      {line}\n" for line in lines)


def math(text: str) -> list[tuple[int, int, str, str]]:
    lesson = load_lesson_text(text, "t.yaml")
    return [(d.where.line, d.where.column, d.severity, d.message) for d in validate_math(lesson)]


# --- the good fixtures pass ------------------------------------------------------------------


def test_good_lessons_pass_with_nothing_to_say(capsys):
    assert check_command([GOOD]) == 0
    assert capsys.readouterr().out == "2 lessons checked: 0 errors, 0 warnings\n"


# --- descent: the start ------------------------------------------------------------------------


def test_start_where_f_is_undefined_is_an_error_at_start():
    ((line, col, severity, message),) = math(lesson_of(descent("1/x", "{x: 0}", "1/10")))
    assert (line, col, severity) == (6, 14, "error")
    assert message.startswith("the descent cannot start at x = 0:") and "1/x" in message


@pytest.mark.parametrize(
    "function, start, says",
    [
        ("log(x)", "{x: -1}", "log needs a positive argument"),
        ("sqrt(x)", "{x: 0}", "the derivative is undefined"),
        ("abs(x)", "{x: 0}", "subgradient"),
        ("x^2 + 1/y", "{x: 1, y: 0}", "division by zero"),
    ],
)
def test_no_happy_path_starts(function, start, says):
    ((line, col, severity, message),) = math(lesson_of(descent(function, start, "1/10")))
    assert (line, col, severity) == (6, 14, "error") and says in message


def test_undefined_start_fixture_through_the_file():
    _, diagnostics = check_file(BAD / "start-undefined.yaml")
    assert [(d.where.line, d.where.column, d.severity) for d in diagnostics] == [(6, 14, "error")]


# --- descent: the two warnings --------------------------------------------------------------


def test_learning_rate_above_the_bound_names_it_exactly():
    ((line, col, severity, message),) = math(lesson_of(descent("5x^2", "{x: 1}", "1/4", "max_steps: 5", "by_hand: 2")))
    assert (line, col, severity) == (7, 22, "warning")
    assert message.startswith(
        "learning rate 1/4 is above the stability bound 2/L = 1/5 (L = 10): the descent will diverge"
    )


def test_learning_rate_at_the_bound():
    ((_, _, severity, message),) = math(lesson_of(descent("x^2", "{x: 1}", "1", "max_steps: 5")))
    assert severity == "warning"
    assert message.startswith("learning rate 1 is at the stability bound 2/L = 1 (L = 2)")


def test_learning_rate_below_the_bound_is_quiet():
    assert math(lesson_of(descent("5x^2", "{x: 1}", "19/100"))) == []


def test_momentum_bound_is_two_times_one_plus_beta_over_L():
    # heavy ball: stable while η L < 2(1 + β); β = 1/2, L = 10 -> bound 3/10
    text = lesson_of(descent("5x^2", "{x: 1}", "1/2", "optimizer: {momentum: {beta: 0.5}}", "max_steps: 5"))
    ((line, col, severity, message),) = math(text)
    assert (line, col, severity) == (7, 22, "warning")
    assert "2(1+β)/L = 3/10" in message and "β = 1/2, L = 10" in message


@pytest.mark.parametrize("function", ["x^3", "-x^2"])
def test_unbounded_below_warns_at_the_function(function):
    ((line, col, severity, message),) = math(
        lesson_of(descent(function, "{x: 1}", "1/100", "max_steps: 3", "by_hand: 1"))
    )
    assert (line, col, severity) == (5, 17, "warning") and "unbounded below along x" in message


def test_warnings_fixture():
    _, diagnostics = check_file(BAD / "warnings.yaml")
    assert [(d.where.line, d.where.column, d.severity) for d in diagnostics] == [
        (7, 22, "warning"),
        (11, 17, "warning"),
    ]


# --- descent: expectations ------------------------------------------------------------------


def test_expect_that_is_false_is_an_error_at_expect():
    _, diagnostics = check_file(BAD / "expect-false.yaml")
    errors = [d for d in diagnostics if d.severity == "error"]
    assert [(d.where.line, d.where.column) for d in errors] == [(8, 15)]
    # x^2 at η = 11/10: f is quadratic, so the verdict is exact (each step multiplies f' by 1 - 11/10·2 = -6/5)
    assert errors[0].message == (
        "expect: converge, but it does not: f is quadratic, so exactly: "
        "each step multiplies f' by 1 - ηL = -6/5 (L = 2): it diverges"
    )


def test_expect_silences_the_warning_it_explains():
    assert math(lesson_of(descent("x^2", "{x: 1}", "1", "expect: oscillate"))) == []
    assert math(lesson_of(descent("x^2", "{x: 1}", "11/10", "max_steps: 5", "expect: diverge"))) == []
    assert math(lesson_of(descent("x^3", "{x: 1}", "1/100", "max_steps: 3", "by_hand: 1", "expect: unbounded"))) == []


def test_oscillate_that_converges_is_an_error():
    ((line, col, severity, message),) = math(lesson_of(descent("x^2", "{x: 1}", "9/10", "expect: oscillate")))
    assert (line, col, severity) == (8, 15, "error") and message.startswith("expect: oscillate, but it does not")


def test_diverge_that_converges_is_an_error():
    ((line, col, severity, message),) = math(lesson_of(descent("x^2", "{x: 1}", "1/10", "expect: diverge")))
    # exact for a quadratic: each step multiplies f' by 1 - (1/10)·2 = 4/5
    assert (line, col, severity) == (8, 15, "error") and "multiplies f' by 1 - ηL = 4/5" in message


def test_sign_change_expectation():
    # η = 1/20: x halves, never changes sign; η = 3/20: x_1 = 1 - 3/2 = -1/2, a sign change at step 1
    ((line, col, severity, message),) = math(lesson_of(descent("5x^2", "{x: 1}", "1/20", "expect: sign_change")))
    assert (line, col, severity) == (8, 15, "error") and "never changes sign" in message
    assert math(lesson_of(descent("5x^2", "{x: 1}", "3/20", "by_hand: 1", "expect: sign_change"))) == []


def test_unbounded_expectation_on_a_bounded_function_is_an_error():
    ((line, col, severity, message),) = math(lesson_of(descent("x^2", "{x: 1}", "1/10", "expect: unbounded")))
    assert (line, col, severity, message) == (
        8,
        15,
        "error",
        "expect: unbounded, but f is bounded below along every variable",
    )


def test_a_run_that_stops_before_the_hand_iterations_warns():
    # η = 1/10 = 1/L lands on the minimum of 5x^2 in one step: iterations 0 and 1 only (1 asks f'(x_1) = 0)
    ((line, col, severity, message),) = math(lesson_of(descent("5x^2", "{x: 1}", "1/10", "by_hand: 3")))
    assert (line, col, severity) == (8, 16, "warning") and message.startswith(
        "the run stops at step 1 (the gradient is exactly zero"
    )
    assert message.endswith("so it has 2 iterations, fewer than by_hand: 3")
    assert math(lesson_of(descent("5x^2", "{x: 1}", "1/10", "by_hand: 2"))) == []


def test_a_run_that_becomes_undefined_after_the_hand_iterations_only_warns():
    # η = 6 from x = 3 on x - log(x): x_1 = 3 - 6·(2/3) = -1, where log is undefined; by hand only iteration 0
    text = lesson_of(descent("x - log(x)", "{x: 3}", "6", "exact: false", "by_hand: 1"))
    undefined = [r for r in math(text) if "stops at step 1" in r[3]]
    assert [r[:3] for r in undefined] == [(7, 22, "warning")]


def test_a_run_that_leaves_the_domain_during_the_hand_iterations_is_an_error():
    # f = x - log(x) in float mode from x = 3 with η = 4: f'(3) = 2/3, x_1 = 3 - 8/3 = 1/3, f'(1/3) = -2, x_2 = 1/3 + 8 = 25/3 ...
    # η = 6: x_1 = 3 - 4 = -1, where log is undefined
    text = lesson_of(descent("x - log(x)", "{x: 3}", "6", "exact: false", "expect: converge"))
    result = math(text)
    errors = [r for r in result if r[2] == "error"]
    assert errors and errors[0][:2] == (7, 22) and "step 1" in errors[0][3]


# --- the classification of a run ---------------------------------------------------------------


def summary(sizes, signs, reason="max_steps"):
    return {"reason": reason, "k": len(sizes) - 1, "message": "", "sizes": sizes, "signs": signs, "changes": []}


def test_classify():
    assert classify(summary([2.0] * 20, [((-1) ** k,) for k in range(20)]))[0] == "oscillate"
    assert classify(summary([2.0 * 0.5**k for k in range(20)], [(1,)] * 20))[0] == "converge"
    assert classify(summary([2.0 * 1.5**k for k in range(20)], [((-1) ** k,) for k in range(20)]))[0] == "diverge"
    assert classify(summary([2.0] * 20, [(1,)] * 20))[0] == "undecided"
    assert classify(summary([2.0], [(1,)], reason="zero_gradient"))[0] == "converge"
    assert classify(summary([2.0], [(1,)], reason="diverged"))[0] == "diverge"


# --- the other sections ------------------------------------------------------------------------


def test_evaluate_at_a_point_where_there_is_no_answer():
    text = lesson_of("  - evaluate: {function: 1/x, what: derivative, at: {x: 0}}\n")
    ((line, col, severity, message),) = math(text)
    assert (line, col, severity) == (4, 53, "error") and "no answer at x = 0" in message


def test_predict_start_is_checked():
    ((line, col, severity, _),) = math(
        lesson_of('  - predict: {function: "log(x)", start: {x: 0}, learning_rate: 1}\n')
    )
    assert (line, col, severity) == (4, 42, "error")


def test_training_step_where_the_model_is_undefined():
    text = lesson_of(
        "  - training_step:\n"
        '      model: "w/x + b"\n      parameters: [w, b]\n'
        "      data: {x: [0, 1], y: [1, 2]}\n      start: {w: 1, b: 0}\n      learning_rate: 0.1\n"
    )
    ((line, col, severity, message),) = math(text)
    assert (line, col, severity) == (7, 13, "error") and message.startswith("one update cannot be computed")


# --- the walkthrough hook: "a question the engine cannot answer" ---------------------------------


@pytest.fixture
def inline(monkeypatch):
    """Run the checks in-process so a monkeypatched engine is the one called."""
    monkeypatch.setenv("TUTOR_SANDBOX", "inline")


def two_sections() -> str:
    return lesson_of("  - explain: {text: hi}\n", descent("5x^2", "{x: 1}", "1/20"))


def test_an_engine_error_is_located_at_its_section(inline, monkeypatch):
    def build(lesson):
        if any(isinstance(s, Descent) for s in lesson.sections):
            raise TutorError("no expected answer for the sign change")
        return None

    monkeypatch.setattr(walkthrough, "build_walkthrough", build, raising=False)
    ((line, col, severity, message),) = math(two_sections())
    assert (line, col, severity) == (5, 5, "error")
    assert message == "a question the engine cannot answer: no expected answer for the sign change"


def test_an_engine_lesson_error_keeps_its_positions(inline, monkeypatch):
    def build(lesson):
        raise LessonError([Diagnostic(Where(lesson.path, 7, 22), "error", "cannot grade this")])

    monkeypatch.setattr(walkthrough, "build_walkthrough", build, raising=False)
    assert math(two_sections()) == [(7, 22, "error", "a question the engine cannot answer: cannot grade this")]


def test_an_engine_crash_is_a_diagnostic(inline, monkeypatch):
    def build(lesson):
        raise KeyError("oops")

    monkeypatch.setattr(walkthrough, "build_walkthrough", build, raising=False)
    result = math(two_sections())
    assert result and all(r[2] == "error" and "KeyError" in r[3] for r in result)


def test_no_engine_yet_means_no_diagnostic(inline, monkeypatch):
    monkeypatch.delattr(walkthrough, "build_walkthrough", raising=False)
    assert math(two_sections()) == []


def test_a_working_engine_sees_the_whole_lesson(inline, monkeypatch):
    seen = []
    monkeypatch.setattr(walkthrough, "build_walkthrough", lambda lesson: seen.append(lesson.id), raising=False)
    assert math(two_sections()) == [] and seen == ["t"]


# --- never a traceback ------------------------------------------------------------------------------


def test_a_check_that_runs_out_of_time_is_an_error_not_a_hang(monkeypatch):
    def too_slow(fn, *args, timeout):
        raise check._Unchecked("this took too long to check (over 2 s)")

    monkeypatch.setattr(check, "_bounded", too_slow)
    result = math(lesson_of(descent("5x^2", "{x: 1}", "1/20")))
    assert result == [
        (6, 14, "error", "the engine could not evaluate f at the start: this took too long to check (over 2 s)")
    ]


def test_a_crashing_check_becomes_a_diagnostic(monkeypatch):
    def broken(report, section):
        raise ValueError("bug")

    monkeypatch.setitem(check.CHECKS, Descent, broken)
    ((line, col, severity, message),) = math(lesson_of(descent("5x^2", "{x: 1}", "1/20")))
    assert (line, col, severity) == (4, 5, "error") and "ValueError" in message


# --- the command --------------------------------------------------------------------------------


def test_output_is_sorted_with_a_summary(capsys):
    paths = [BAD / "warnings.yaml", GOOD / "five-x-squared.yaml", BAD / "start-undefined.yaml"]
    assert check_command(paths) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{BAD / 'start-undefined.yaml'}:6:14: error: " + lines[0].split(": error: ", 1)[1],
        f"{BAD / 'warnings.yaml'}:7:22: warning: " + lines[1].split(": warning: ", 1)[1],
        f"{BAD / 'warnings.yaml'}:11:17: warning: " + lines[2].split(": warning: ", 1)[1],
        "3 lessons checked: 1 error, 2 warnings",
    ]


def test_warnings_alone_exit_zero(capsys):
    assert check_command([BAD / "warnings.yaml"]) == 0
    assert capsys.readouterr().out.endswith("1 lesson checked: 0 errors, 2 warnings\n")


def test_a_missing_path_is_an_error_line(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    assert check_command([missing, GOOD / "five-x-squared.yaml"]) == 1
    assert (
        capsys.readouterr().out
        == f"{missing}:1:1: error: no such file or folder\n1 lesson checked: 1 error, 0 warnings\n"
    )


def test_folders_are_searched_recursively(tmp_path, capsys):
    (tmp_path / "deeper" / "still").mkdir(parents=True)
    body = "id: {}\ntitle: T\nsections: [{{explain: {{text: hi}}}}]\n"
    (tmp_path / "a.yaml").write_text(body.format("a"))
    (tmp_path / "deeper" / "b.yml").write_text(body.format("b"))
    (tmp_path / "deeper" / "still" / "c.YAML").write_text("id: c\ntitle: [x]\n")
    (tmp_path / "notes.txt").write_text("not a lesson")
    assert check_command([tmp_path]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "3 lessons checked: 2 errors, 0 warnings"
    assert out[0].startswith(f"{tmp_path / 'deeper' / 'still' / 'c.YAML'}:1:1: error: the lesson needs 'sections:'")


def test_an_empty_folder_is_a_warning(tmp_path, capsys):
    assert check_command([tmp_path]) == 0
    assert (
        capsys.readouterr().out
        == f"{tmp_path}:1:1: warning: no lesson files (*.yaml, *.yml) in this folder\n0 lessons checked: 0 errors, 1 warning\n"
    )


def test_the_same_id_twice_is_an_error(tmp_path):
    body = "id: same\ntitle: T\nsections: [{explain: {text: hi}}]\n"
    (tmp_path / "one.yaml").write_text(body)
    (tmp_path / "two.yaml").write_text(body)
    checked, diagnostics = check_paths([tmp_path])
    assert checked == 2
    assert [str(d) for d in diagnostics] == [
        f"{tmp_path / 'two.yaml'}:1:5: error: the id 'same' is already used by {tmp_path / 'one.yaml'}"
    ]


def test_the_cli_command(tmp_path):
    runner = CliRunner()
    good = runner.invoke(main, ["check", str(GOOD)])
    assert good.exit_code == 0 and good.output.endswith("2 lessons checked: 0 errors, 0 warnings\n")
    bad = runner.invoke(main, ["check", str(BAD / "duplicate-key.yaml")])
    assert bad.exit_code == 1
    assert (
        bad.output.splitlines()[0]
        == f"{BAD / 'duplicate-key.yaml'}:8:7: error: duplicate key 'learning_rate' (first given on line 7)"
    )


def test_every_broken_fixture_fails_and_none_crashes(capsys):
    broken = sorted(p for p in BAD.glob("*.yaml") if p.name != "warnings.yaml")
    for path in broken:
        assert check_command([path]) == 1, path
    out = capsys.readouterr().out
    assert "Traceback" not in out


BROKEN = """id: broken
title: {en: Broken, zh: 坏了}
sections:
  - descent:
      function: x^2 +
      start: {x: 1}
      learning_rate: -1
      colour: red
  - explain:
      text: hi
      plot: {function: x^2, range: [3, 1]}
"""


def test_check_speaks_the_teachers_language(tmp_path):
    # a Chinese-speaking teacher's broken lesson: every diagnostic in Chinese, at its file:line:col
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    outputs = {lang: CliRunner().invoke(main, ["check", str(path), "--lang", lang]) for lang in ("en", "zh")}
    for result in outputs.values():
        assert result.exit_code == 1 and "Traceback" not in result.output
    en, zh = (outputs[lang].output.splitlines() for lang in ("en", "zh"))
    where = [line.split(": ", 1)[0] for line in en[:-1]]
    assert where == [line.split(": ", 1)[0] for line in zh[:-1]]  # the same places in both languages
    assert where == [f"{path}:5:22", f"{path}:7:22", f"{path}:8:7", f"{path}:11:36"]  # read off BROKEN by hand
    assert "the expression ends too early" in en[0] and "表达式过早结束" in zh[0]
    assert "must be positive" in en[1] and "必须是正数" in zh[1]
    assert "unknown key 'colour' in descent" in en[2] and "未知的键 'colour'" in zh[2]
    assert "a range runs from a smaller to a larger number" in en[3] and "范围要从较小的数到较大的数" in zh[3]
    assert all(": 错误: " in line for line in zh[:-1])
    assert en[-1] == "1 lesson checked: 4 errors, 0 warnings" and zh[-1] == "检查了 1 课：4 个错误，0 个警告"
