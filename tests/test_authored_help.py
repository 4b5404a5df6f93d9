"""Help at the right level: per-iteration solutions, feedback on answer patterns, answer tests.

By hand: x^2 from x0 = 1 with eta = 1/4 gives x_{k+1} = x_k - (1/4)(2 x_k) = x_k / 2,
so x1 = 1/2, x2 = 1/4, x3 = 1/8, and f'(x_k) = 2 x_k = 2, 1, 1/2.  (x^3)' = 3x^2.
"""

from __future__ import annotations

from tutor.grading import grade
from tutor.lesson.check import check_paths
from tutor.lesson.loader import load_lesson_text, parse_lesson
from tutor.walkthrough import build_walkthrough

DESCENT = """\
id: t
title: T
sections:
  - descent:
      function: x^2
      start: {x: 1}
      learning_rate: 1/4
      by_hand: 3
      help:
        next:
          solution: "$x_{{{k_next}}} = {{x_k}} - {{eta}} \\\\cdot {{grad_k}} = {{x_next}}$"
          hints: ["Start from ${{x_k}}$."]
"""


def test_the_solution_of_each_iteration_speaks_of_that_iteration():
    walk = build_walkthrough(load_lesson_text(DESCENT))
    solutions = [walk.question(f"s0.k{k}.next").help.solution for k in range(3)]
    assert solutions == [
        r"$x_{1} = 1 - \tfrac{1}{4} \cdot 2 = \tfrac{1}{2}$",
        r"$x_{2} = \tfrac{1}{2} - \tfrac{1}{4} \cdot 1 = \tfrac{1}{4}$",
        r"$x_{3} = \tfrac{1}{4} - \tfrac{1}{4} \cdot \tfrac{1}{2} = \tfrac{1}{8}$",
    ]
    assert walk.question("s0.k1.next").help.hints == (r"Start from $\tfrac{1}{2}$.",)


PATTERNS = """\
id: t
title: T
sections:
  - derive:
      function: x^3
      feedback:
        - pattern: wrong_sign
          says: Check the sign.
        - pattern: factor
          factor: 1/3
          says: The factor 3 is missing.
        - pattern: up_to_constant
          answer: x^4/4
          says: That is an antiderivative.
"""


def test_feedback_on_a_pattern_matches_every_answer_of_that_shape():
    question = build_walkthrough(load_lesson_text(PATTERNS)).question("s0.derivative")
    assert grade(question, "-3x^2").feedback == "Check the sign."
    assert grade(question, "-(3*x*x)").feedback == "Check the sign."  # equivalence, not spelling
    assert grade(question, "x^2").feedback == "The factor 3 is missing."
    assert grade(question, "x^4/4 + 7").feedback == "That is an antiderivative."
    assert grade(question, "x^4/4").feedback == "That is an antiderivative."
    assert grade(question, "3x^2").verdict == "right"


def test_patterns_follow_each_iteration_of_a_descent():
    text = DESCENT.replace(
        "        next:\n", "        next:\n          feedback: [{pattern: wrong_sign, says: The sign flipped.}]\n"
    )
    walk = build_walkthrough(load_lesson_text(text))
    assert grade(walk.question("s0.k0.next"), "-1/2").feedback == "The sign flipped."
    assert grade(walk.question("s0.k1.next"), "-1/4").feedback == "The sign flipped."


def test_a_pattern_with_the_wrong_keys_is_an_error_at_its_line():
    bad = PATTERNS.replace("          factor: 1/3\n", "")
    _, diagnostics = parse_lesson(bad, "t.yaml")
    (error,) = [d for d in diagnostics if d.severity == "error"]
    assert (error.where.line, error.message) == (9, "pattern: factor needs 'factor:', e.g. factor: 1/2 for a missing 2")


def test_answer_tests_pass_and_a_failing_one_is_an_error_at_its_line(tmp_path):
    text = PATTERNS + (
        "      tests:\n"
        "        - {answer: 3x^2, verdict: right}\n"  # line 16
        "        - {answer: x^2, verdict: wrong, says: factor 3}\n"
        "        - {answer: 3x^^2, verdict: invalid}\n"
        "        - {answer: 3x, verdict: right}\n"  # line 19: wrong, and the test says right
        "        - {answer: -3x^2, verdict: wrong, says: antiderivative}\n"  # line 20: the feedback says sign
    )
    path = tmp_path / "t.yaml"
    path.write_text(text)
    _, diagnostics = check_paths([path])
    assert [(d.where.line, d.severity) for d in diagnostics] == [(19, "error"), (20, "error")]
    assert diagnostics[0].message.startswith("answer test: '3x' should be right, but the grader says wrong")
    assert diagnostics[1].message == "answer test: '-3x^2' is wrong, but its feedback does not say 'antiderivative'"


def test_answer_tests_run_in_every_checked_variant(tmp_path):
    text = """\
id: v
title: V
variants:
  values:
    a: [2, 3]
sections:
  - evaluate:
      function: a*x^2
      at: {x: 1}
      tests:
        - {answer: "2", verdict: right}
"""
    path = tmp_path / "v.yaml"
    path.write_text(text)
    _, diagnostics = check_paths([path])
    errors = [d for d in diagnostics if d.severity == "error"]
    # f(1) = a: right in variant 1 (a = 2), wrong in variant 2 (a = 3)
    assert [(e.where.line, e.message.split(": answer test")[0]) for e in errors] == [(11, "variant 2 (a = 3)")]
