"""Plain mode: the same walkthrough over stdin/stdout, recorded like the app, ending cleanly on EOF.

The lesson is f(x) = 5x^2 from x0 = 1 with learning rate 1/20 (hand-worked:
f'(x) = 10x; f'(1) = 10, decrease, x1 = 1/2; f'(1/2) = 5, decrease, x2 = 1/4).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import speaking

from tutor.plain import run_plain
from tutor.progress import ProgressStore

LESSON = textwrap.dedent(
    """\
    id: five-x-squared
    order: 1
    title: {en: "Five x squared", zh: "五倍 x 平方"}
    summary: {en: "The derivative's sign on 5x^2", zh: "5x^2 上导数的符号"}
    sections:
      - explain:
          text: {en: "We minimise $y = 5x^2$.", zh: "最小化 $y = 5x^2$。"}
      - derive:
          function: "5x^2"
          hints:
            - {en: "Power rule: bring the 2 down.", zh: "幂函数法则。"}
      - descent:
          function: "5x^2"
          start: {x: 1}
          learning_rate: "1/20"
          by_hand: 2
          max_steps: 4
          ask: [derivative, direction, next]
    """
)


@pytest.fixture
def lesson_path(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    path = folder / "five-x-squared.yaml"
    path.write_text(LESSON, encoding="utf-8")
    return path


class Tty(io.StringIO):
    def isatty(self) -> bool:  # a learner at a terminal: input is not echoed back
        return True


def drive(lines: list[str], lesson: str | None, dirs, lang: str = "en") -> tuple[int, str]:
    out = io.StringIO()
    stdin = io.StringIO("".join(line + "\n" for line in lines))
    code = speaking(lang, run_plain, lesson, list(dirs), stdin=stdin, stdout=out)
    return code, out.getvalue()


def test_a_whole_lesson_line_by_line(lesson_path):
    answers = [
        "",  # the explanation: Enter goes on
        "5x",  # wrong
        "hint",
        "10x",  # right
        "10",
        "decrease",
        "1/3",  # wrong x1
        "solution",
        "5",
        "decrease",
        "1/4",
    ]
    code, out = drive(answers + [""] * 5 + ["skip"] * 20, str(lesson_path), [])
    assert code == 0
    assert "Step 1 of" in out and "5x²" in out  # maths shown as Unicode
    assert "Hint: Power rule" in out
    assert "1/2" in out  # the solution names x1
    assert "Lesson finished" in out
    rows = ProgressStore().attempts("five-x-squared")
    assert ("answer", "wrong", "5x") in [(r.kind, r.verdict, r.answer) for r in rows]
    assert ("answer", "right", "1/4") in [(r.kind, r.verdict, r.answer) for r in rows]
    assert [r.kind for r in rows].count("hint") == 1 and [r.kind for r in rows].count("solution") == 1
    assert ProgressStore().is_finished("five-x-squared")


def test_eof_at_any_prompt_exits_zero_with_progress_saved(lesson_path):
    code, out = drive(["", "10x", "10"], str(lesson_path), [])
    assert code == 0 and "Progress saved" in out
    store = ProgressStore()
    assert [(r.answer, r.verdict) for r in store.attempts("five-x-squared")] == [("10x", "right"), ("10", "right")]
    step = store.position("five-x-squared")
    assert step >= 2

    # a second sitting resumes at the same step
    code, out = drive([], str(lesson_path), [])
    assert code == 0 and f"resuming at step {step + 1}" in out


def test_no_lesson_lists_them_and_asks_for_a_number(lesson_path):
    code, out = drive(["999", "1", ""], None, [lesson_path.parent])
    assert code == 0
    assert "Five x squared" in out and "not started" in out
    assert "Type a number from 1 to" in out
    assert "Step 1 of" in out


def test_invalid_input_is_told_where_and_not_counted(lesson_path):
    code, out = drive(["", "x^^2"], str(lesson_path), [])
    assert code == 0 and "^" in out
    rows = ProgressStore().attempts("five-x-squared")
    assert [(r.kind, r.verdict) for r in rows] == [("invalid", "invalid")]


def test_hostile_answers_get_a_message_and_the_lesson_goes_on(lesson_path, tmp_path):
    pwned = tmp_path / "pwned"
    hostile = [f"__import__('os').system('touch {pwned}')", "9**9**9**9", "x" * 100_000, "sin(sin(3+exp(exp(exp(3)))))"]
    code, out = drive(["", *hostile, "10x"], str(lesson_path), [])
    assert code == 0
    assert out.count("does not count") == 4
    assert "(100000 characters)" in out and len(out) < 20_000  # the paste is echoed shortened
    assert "Right." in out
    assert not pwned.exists()
    rows = ProgressStore().attempts("five-x-squared")
    assert [r.kind for r in rows] == ["invalid"] * 4 + ["answer"]


def test_a_derive_step_shows_the_derivation_once_answered(lesson_path):
    _code, out = drive(["", "10x"], str(lesson_path), [])
    after = out.split("Right.", 1)[1]
    assert "Worked solution:" in after
    assert "power rule" in after and "10x" in after  # d/dx 5x^2 = 5 * 2x = 10x, rule by rule


def test_quit_and_typed_input_at_a_terminal(lesson_path):
    out = io.StringIO()
    code = run_plain(str(lesson_path), [], stdin=Tty("\nquit\n"), stdout=out)
    assert code == 0 and "Progress saved" in out.getvalue()
    assert "\nquit\n" not in out.getvalue()  # a terminal echoes by itself


def test_subprocess_over_a_pipe_ends_cleanly(lesson_path, tmp_path):
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "run", str(lesson_path), "--plain"],
        input="\n10x\n10\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Right" in done.stdout or "right" in done.stdout.lower()


def test_unknown_lesson_is_one_error_line(tmp_path):
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "run", "no-such-lesson", "--plain"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
