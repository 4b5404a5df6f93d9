"""``tutor check`` teaches the author: each mistake a teacher made gets one line, at the line to change.

Positions are counted by hand in the lesson texts below (1-based, as an
editor shows them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lesson.check import check_command
from tutor.lesson.loader import parse_lesson


def check_output(tmp_path: Path, text: str, capsys) -> list[str]:
    path = tmp_path / "lesson.yaml"
    path.write_text(text, encoding="utf-8")
    check_command([path])
    lines = capsys.readouterr().out.splitlines()
    prefix = f"{path}:"
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


HEAD = "id: t\ntitle: T\nsections:\n"


# --- 1. an indentation slip is reported at the slipped line, with the fix ----------------------------


def test_a_line_pulled_left_is_reported_at_itself_not_at_the_next_line(tmp_path, capsys):
    text = HEAD + "  - descent:\n      function: x^2\n    start: {x: 1}\n      learning_rate: 0.1\n"
    # line 6 ("    start") is 4 spaces in where its neighbours have 6; PyYAML gives up on line 7
    (only,) = check_output(tmp_path, text, capsys)
    assert only.startswith("6:5: error: YAML syntax:")
    assert "indent it by 6 spaces" in only and "block end" not in only


def test_a_line_pushed_right_inside_a_list_says_how_far_to_indent(tmp_path, capsys):
    text = HEAD + "  - derive:\n      function: x^2\n      hints:\n        - first\n       - second\n"
    (only,) = check_output(tmp_path, text, capsys)
    assert only.startswith("8:8: error: YAML syntax:") and "indent it by 8 spaces" in only


# --- 2. other syntax errors in plain words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("id: t\ntitle T\nsections: []\n", "2:1", "write 'title: T'"),
        (HEAD + "  - explain:\n      text: Note: this matters\n", "5:13", "put the whole text in quotes"),
        (
            HEAD + "  - descent: {function: x^2, start: {x: 1}, learning_rate: 0.1\n  - explain: {text: hi}\n",
            "4:14",
            "'{' is not closed before line 5",
        ),
        ('id: t\ntitle: "T\nsections: []\n', "2:8", 'this quote (") is never closed'),
        (HEAD + "  - explain: {text: @home}\n", "4:21", "'@' cannot start a value"),
    ],
)
def test_syntax_errors_say_what_to_do_where(tmp_path, capsys, text, position, words):
    (only,) = check_output(tmp_path, text, capsys)
    assert only.startswith(f"{position}: error: YAML syntax:") and words in only


# --- 3. feedback on the right answer can never be shown ----------------------------------------------


def test_feedback_attached_to_the_right_answer_is_a_warning_at_the_feedback(tmp_path, capsys):
    text = HEAD + (
        "  - derive:\n"
        "      function: x^3\n"
        "      feedback:\n"
        "        - answer: x^2\n"  # line 7: wrong (the power not lowered): reachable
        "          says: Lower the power by one.\n"
        "        - answer: 3*x*x\n"  # line 9: (x^3)' = 3x^2, written differently: unreachable
        "          says: Well done.\n"
    )
    (only,) = check_output(tmp_path, text, capsys)
    assert only.startswith("9:11: warning: this feedback is for the right answer")


def test_descent_feedback_right_at_one_iteration_only_is_reachable(tmp_path, capsys):
    # x^2 from 1 with η = 1/4: x1 = 1/2, x2 = 1/4: "1/2" is right at iteration 0 but wrong at 1, so it can show;
    # "decrease" is right at every iteration (x stays positive), so it never shows.
    text = HEAD + (
        "  - descent:\n"
        "      function: x^2\n"
        "      start: {x: 1}\n"
        "      learning_rate: 1/4\n"
        "      help:\n"
        "        next:\n"
        "          feedback:\n"
        "            - answer: 1/2\n"
        "              says: That was the first step.\n"
        "        direction:\n"
        "          feedback:\n"
        "            - answer: decrease\n"
        "              says: Always.\n"
    )
    (only,) = check_output(tmp_path, text, capsys)
    assert only.startswith("15:15: warning: this feedback is for the right answer")


# --- 4. a missing translation --------------------------------------------------------------------------


def test_a_text_without_a_language_the_lesson_uses_is_a_warning(tmp_path, capsys):
    text = (
        "id: t\ntitle: {en: T, zh: 题}\nsections:\n"
        "  - explain:\n"
        "      title: {en: Only English}\n"  # line 5: no zh
        "      text:\n"
        "        en: Hello\n"
        "        zh: 你好\n"
    )
    (only,) = check_output(tmp_path, text, capsys)
    assert only == "5:14: warning: no zh text here, though the lesson has zh elsewhere: zh readers will see the en text"


def test_one_language_throughout_needs_no_translation(tmp_path, capsys):
    text = "id: t\ntitle: T\nsections:\n  - explain: {title: {en: A}, text: {en: B}}\n"
    assert check_output(tmp_path, text, capsys) == []


# --- 5. every maths error has a position, even in a folded block ------------------------------------------


@pytest.mark.parametrize(
    ("function", "position"),
    [
        ('"x^2 + 1/0"', "5:25"),  # quoted on one line: the '/' at column 25
        (">\n        x^2 +\n        1/0", "7:10"),  # folded: the '/' on line 7
        ("|\n        x^2\n          + 1/0", "7:14"),  # literal block
        ("x^2 +\n        1/0 + x", "6:10"),  # a plain scalar over two lines
    ],
)
def test_division_by_zero_points_at_the_division(function, position):
    text = HEAD + f"  - descent:\n      function: {function}\n      start: {{x: 1}}\n      learning_rate: 0.1\n"
    _, diagnostics = parse_lesson(text, "l.yaml")
    (only,) = [str(d) for d in diagnostics]
    assert only == f"l.yaml:{position}: error: division by zero"
