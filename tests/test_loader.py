"""The lesson loader: every error at its line and column, every YAML hazard refused.

Positions are counted by hand from the fixture files (1-based, as an editor
shows them); a test that says 7:22 means line 7, column 22 of that file.
"""

from __future__ import annotations

from pathlib import Path

import hostile_inputs as hostile
import pytest
import sympy as sp

from tutor.lesson import loader, sections
from tutor.lesson.loader import MAX_BYTES, load_lesson, load_lesson_text, parse_lesson, read_lesson_file
from tutor.lesson.model import BatchCompare, Derive, Descent, Evaluate, Explain, LessonError, Predict, TrainingStep
from tutor.mathinput import symbol

LESSONS = Path(__file__).parent / "lessons"
GOOD, BAD = LESSONS / "good", LESSONS / "bad"
x, z, m = symbol("x"), symbol("z"), symbol("m")
R = sp.Rational


def found(path: Path) -> list[tuple[int, int, str, str]]:
    _, diagnostics = read_lesson_file(path)
    return [(d.where.line, d.where.column, d.severity, d.message) for d in diagnostics]


def positions(path: Path) -> list[tuple[int, int, str]]:
    return [(line, col, sev) for line, col, sev, _ in found(path)]


def problems(text: str) -> list[tuple[int, int, str, str]]:
    _, diagnostics = parse_lesson(text, "t.yaml")
    return [(d.where.line, d.where.column, d.severity, d.message) for d in diagnostics]


HEAD = "id: t\ntitle: T\nsections:\n  - descent:\n"  # lines 1-4; a descent's keys start on line 5, column 7


def descent(*lines: str) -> str:
    return HEAD + "".join(f"      {line}\n" for line in lines)


# --- the good fixtures ---------------------------------------------------------------------


def test_five_x_squared_lesson_loads_exactly():
    lesson = load_lesson(GOOD / "five-x-squared.yaml")
    assert lesson.id == "test-five-x-squared" and lesson.order == 1
    assert lesson.title["zh"] == "用导数的符号找 5x² 的最小值"
    kinds = [type(s) for s in lesson.sections]
    assert kinds == [Explain, Derive, Evaluate, Descent, Descent]
    explain, derive, evaluate, first, second = lesson.sections
    assert explain.plot.function.expr == 5 * x**2 and explain.plot.x_range == (-1.5, 1.5)
    assert derive.function.expr == 5 * x**2 and derive.of == "x"
    assert derive.help.feedback[0].answer == 5 * x
    assert evaluate.what == "derivative" and evaluate.of == "x" and evaluate.at == {"x": 1}
    assert first.learning_rate == R(3, 20) and first.stop == ("sign-change",) and first.expect == "sign_change"
    assert first.by_hand == 1 and first.exact is True
    assert first.help["direction"].feedback[0].answer == "increase"
    assert first.help["next"].feedback[0].answer == R(1, 2)  # "-1/2 + 1", parsed exactly
    assert second.learning_rate == R(1, 20)  # 0.05 is exact
    assert second.where.line == 46 and second.places["learning_rate"].line == 50


def test_gradient_lesson_keeps_the_variables_order():
    lesson = load_lesson(GOOD / "gradient-three-variables.yaml")
    partial, grad, evaluate, run = lesson.sections
    assert partial.of == "z" and partial.function.variables == ("x", "z", "m")
    assert grad.of == "gradient"
    assert grad.help.feedback[0].answer == (4 * x, 12 * z, 7 * m**2)  # a YAML list
    assert grad.help.feedback[1].answer == (4, 12, 21)  # a string "{4, 12, 21}"
    assert evaluate.what == "gradient" and evaluate.at == {"x": 1, "z": 1, "m": 1}
    assert run.function.expr == 2 * x**2 + 6 * z**2 + 7 * m**3 and run.expect == "unbounded"


def test_variables_default_to_order_of_appearance():
    lesson = load_lesson_text(descent('function: "7m^3 + 2x^2"', "start: {m: 1, x: 2}", "learning_rate: 0.01"))
    assert lesson.sections[0].function.variables == ("m", "x")
    assert lesson.sections[0].start == {"m": 1, "x": 2}


# --- YAML 1.1 surprises: numbers come from the source text --------------------------------


def test_one_e_minus_three_is_exactly_a_thousandth():
    lesson = load_lesson_text(descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 1e-3"))
    assert lesson.sections[0].learning_rate == R(1, 1000)


def test_leading_zeros_are_decimal_with_a_warning():
    lesson, diagnostics = parse_lesson(descent('function: "5x^2"', "start: {x: 010}", "learning_rate: 0.05"), "t.yaml")
    assert lesson.sections[0].start == {"x": 10}  # not 8 (YAML 1.1 octal)
    assert [(d.where.line, d.where.column, d.severity) for d in diagnostics] == [(6, 18, "warning")]
    assert "010 is 10" in diagnostics[0].message


@pytest.mark.parametrize(
    "value, column, says",
    [
        ("no", 22, "'no', which YAML reads as false"),
        ("yes", 22, "'yes', which YAML reads as true"),
        ("off", 22, "'off', which YAML reads as false"),
        (".nan", 22, ".nan, which is not a finite number"),
        ("-.inf", 22, "-.inf, which is not a finite number"),
        (".INF", 22, ".INF, which is not a finite number"),
        ("~", 22, "got nothing"),
        ("null", 22, "got nothing"),
        ("", 21, "got nothing"),
        ("[1, 2]", 22, "got a list"),
    ],
)
def test_a_number_field_refuses_what_yaml_would_make_of_it(value, column, says):
    text = descent('function: "5x^2"', "start: {x: 1}", f"learning_rate: {value}".rstrip())
    ((line, col, severity, message),) = problems(text)
    assert (line, col, severity) == (7, column, "error")
    assert message.startswith("expected a number for the learning rate") and says in message


def test_a_learning_rate_must_be_positive():
    ((line, col, severity, message),) = problems(descent('function: "5x^2"', "start: {x: 1}", 'learning_rate: "-1/20"'))
    assert (line, col, severity) == (7, 22, "error") and "must be positive, got -1/20" in message


# --- the fixtures of broken lessons, one per kind of error ---------------------------------


def test_tab():
    ((line, col, severity, message),) = found(BAD / "syntax-tab.yaml")
    assert (line, col, severity) == (5, 1, "error") and "tab" in message


def test_unclosed_quote_points_at_the_quote_to_close():
    # issue 18: the fix is at the opening quote (line 2), not at the end of the file where PyYAML gave up
    ((line, col, severity, message),) = found(BAD / "syntax-unclosed-quote.yaml")
    assert (line, col, severity) == (2, 8, "error")
    assert "never closed" in message and "line 5" in message


def test_top_level_list():
    ((line, col, severity, message),) = found(BAD / "top-level-list.yaml")
    assert (line, col, severity) == (1, 1, "error") and "got a list" in message


def test_billion_laughs_is_refused_at_the_first_anchor():
    ((line, col, severity, message),) = found(BAD / "anchors.yaml")
    assert (line, col, severity) == (3, 4, "error")
    assert message == "anchors and aliases are not allowed in lessons"


def test_duplicate_key_at_the_duplicate():
    ((line, col, severity, message),) = found(BAD / "duplicate-key.yaml")
    assert (line, col, severity) == (8, 7, "error")
    assert message == "duplicate key 'learning_rate' (first given on line 7)"


def test_python_tag_is_one_line_at_its_position(tmp_path):
    ((line, col, severity, message),) = found(BAD / "python-tag.yaml")
    assert (line, col, severity) == (2, 8, "error")
    assert "unknown tag '!!python/object/apply:os.system'" in message
    assert not Path("/tmp/pwned-by-a-lesson").exists()


def test_unknown_keys_with_did_you_mean():
    assert found(BAD / "unknown-keys.yaml") == [
        (2, 1, "error", "unknown key 'titel' in the lesson; did you mean 'title'?"),
        (4, 5, "error", "unknown section kind 'explian'; did you mean 'explain'?"),
        (8, 7, "error", "unknown key 'lr' in descent; did you mean 'learning_rate'?"),
    ]


def test_wrong_types_name_the_expected_type():
    (a, b, c) = found(BAD / "wrong-types.yaml")
    assert a[:3] == (2, 8, "error") and a[3].startswith("expected text") and a[3].endswith("got a list")
    assert b == (8, 16, "error", "expected a whole number, got 'three'")
    assert c == (9, 14, "error", "exact must be true or false, got 'maybe'")


def test_yaml_one_one_numbers_and_null_and_lists():
    assert positions(BAD / "yaml11-numbers.yaml") == [
        (7, 22, "error"),  # learning_rate: no
        (10, 18, "error"),  # start: {x: .nan}
        (11, 22, "error"),  # learning_rate: -.inf
        (13, 17, "error"),  # function: ~
        (17, 17, "error"),  # function: [4, 12, 21]
    ]
    assert found(BAD / "yaml11-numbers.yaml")[-1][3] == "expected one expression, got a list"


def test_expression_errors_point_inside_the_expression():
    # plain, double-quoted and single-quoted: the column is of the offending character
    assert positions(BAD / "bad-expression.yaml") == [(5, 20, "error"), (7, 23, "error"), (9, 22, "error")]
    messages = [m for *_, m in found(BAD / "bad-expression.yaml")]
    assert "foo" in messages[2]


def test_variable_names_are_refused_at_their_position():
    result = found(BAD / "bad-variables.yaml")
    assert [r[:3] for r in result] == [(6, 19, "error"), (9, 22, "error"), (12, 11, "error"), (12, 12, "error")]
    assert "not a valid variable name" in result[0][3]
    assert "'sin' is a function" in result[1][3]
    assert result[2][3] == "at needs a value for x"
    assert result[3][3].startswith("'y' is not a variable here")


def test_many_errors_are_collected_in_one_run():
    assert len(found(BAD / "yaml11-numbers.yaml")) == 5


def test_load_lesson_raises_with_every_error():
    with pytest.raises(LessonError) as caught:
        load_lesson(BAD / "unknown-keys.yaml")
    assert len(caught.value.diagnostics) == 3
    assert (
        str(caught.value)
        == f"{BAD / 'unknown-keys.yaml'}:2:1: error: unknown key 'titel' in the lesson; did you mean 'title'?"
    )


# --- every YAML hazard of the hostile-inputs list ----------------------------------------


@pytest.mark.parametrize("text", hostile.YAML)
def test_every_hostile_yaml_document_gives_diagnostics_not_exceptions(text):
    lesson, diagnostics = parse_lesson(text, "h.yaml")
    assert lesson is None and any(d.severity == "error" for d in diagnostics)


def test_hostile_billion_laughs_refused_at_line_one():
    ((line, col, _severity, message),) = problems(hostile.YAML[1])
    assert (line, col, message) == (1, 4, "anchors and aliases are not allowed in lessons")


def test_hostile_python_tag_does_not_run(tmp_path):
    target = tmp_path / "pwned"
    text = f'id: t\ntitle: T\nsections:\n  - explain: {{text: !!python/object/apply:os.system ["touch {target}"]}}\n'
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (4, 21) and "unknown tag" in message
    assert not target.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!set", "!custom", "!!binary"])
def test_other_tags_are_refused(tag):
    ((line, col, severity, message),) = problems(f"id: t\ntitle: {tag} x\nsections: [{{explain: {{text: hi}}}}]\n")
    assert (line, col, severity) == (2, 8, "error") and "unknown tag" in message


def test_merge_keys_are_refused():
    text = "id: t\ntitle: T\nsections:\n  - descent:\n      <<: {function: x^2}\n      start: {x: 1}\n      learning_rate: 0.1\n"
    assert problems(text) == [
        (4, 5, "error", "descent needs 'function:'"),
        (5, 7, "error", "merge keys (<<) are not allowed in lessons: write the keys out"),
    ]


def test_explicit_str_tag_is_plain_yaml():
    lesson = load_lesson_text("id: t\ntitle: !!str 12\nsections: [{explain: {text: hi}}]\n")
    assert lesson.title == "12"


def test_fifty_megabytes_refused_by_size_without_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.yaml"
    with open(big, "wb") as handle:  # sparse: seek and write one byte
        handle.seek(hostile.YAML_HUGE_BYTES - 1)
        handle.write(b"\n")

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(loader, "open", no_reading, raising=False)
    ((line, col, severity, message),) = found(big)
    assert (line, col, severity) == (1, 1, "error")
    assert "50.0 MB" in message and "at most 1 MB" in message


def test_just_under_the_size_limit_is_read(tmp_path):
    path = tmp_path / "padded.yaml"
    body = "id: t\ntitle: T\nsections: [{explain: {text: hi}}]\n"
    path.write_text(body + "#" * (MAX_BYTES - len(body) - 1) + "\n")
    assert load_lesson(path).id == "t"


def test_deep_nesting_is_refused_without_recursion_error():
    for depth in (300, 5000):
        text = "id: t\ntitle: T\nsections: " + "[" * depth + "]" * depth + "\n"
        lesson, diagnostics = parse_lesson(text, "deep.yaml")
        assert lesson is None and diagnostics[0].severity == "error"
        assert "nested" in diagnostics[0].message


def test_not_utf8_points_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: t\ntitle: caf\xe9\n".encode("latin-1"))
    ((line, col, severity, message),) = found(path)
    assert (line, col, severity) == (2, 11, "error") and "UTF-8" in message


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the lesson is empty"),
        ("# only a comment\n", "the lesson is empty"),
        ("id: a\n---\nid: b\n", "expected a single document"),
        ("id: t\x00\n", "special characters"),
    ],
)
def test_odd_documents(text, message):
    lesson, diagnostics = parse_lesson(text, "odd.yaml")
    assert lesson is None and message in diagnostics[0].message


def test_missing_file_is_a_diagnostic(tmp_path):
    assert found(tmp_path / "nope.yaml") == [(1, 1, "error", "no such file")]


# --- expressions: hostile text never reaches eval -----------------------------------------


@pytest.mark.parametrize("expression", hostile.CODE_EXECUTION + hostile.RESOURCE_EXHAUSTION + hostile.LOOKALIKES)
def test_hostile_expressions_are_errors_at_the_function(expression, tmp_path):
    text = 'id: t\ntitle: T\nsections:\n  - derive:\n      function: "placeholder"\n'
    quoted = expression.replace("\\", "\\\\").replace('"', '\\"').replace("/tmp/pwned", str(tmp_path / "pwned"))
    text = text.replace("placeholder", quoted)
    lesson, diagnostics = parse_lesson(text, "h.yaml")
    assert lesson is None
    (d,) = [d for d in diagnostics if d.severity == "error"]
    assert d.where.line == 5 and d.where.column >= 17
    assert not (tmp_path / "pwned").exists()


def test_a_lookalike_letter_is_refused_at_its_column():
    ((line, col, severity, _message),) = problems('id: t\ntitle: T\nsections:\n  - derive: {function: "2х + 1"}\n')
    assert (line, col, severity) == (4, 26, "error")  # the Cyrillic х, after the quote and the 2


@pytest.mark.parametrize("name", [n for n in hostile.BAD_VARIABLE_NAMES if n])
def test_bad_variable_names_are_refused(name):
    shown = '"' + name.replace('"', '\\"') + '"'
    text = f"id: t\ntitle: T\nsections:\n  - derive:\n      function: 5x^2\n      variables: [{shown}]\n"
    lesson, diagnostics = parse_lesson(text, "v.yaml")
    assert lesson is None
    assert (diagnostics[0].where.line, diagnostics[0].where.column) == (6, 19)


def test_an_expression_error_inside_a_multiline_scalar_points_inside_the_block():
    # issue 18: every maths error has a position; the folded value's characters are found in the source
    text = "id: t\ntitle: T\nsections:\n  - derive:\n      function: >\n        5x^^2\n"
    ((line, col, _severity, _message),) = problems(text)
    assert (line, col) == (6, 12)  # the second '^'


def test_escaped_double_quotes_fall_back_to_the_scalar():
    ((line, col, _severity, _message),) = problems(
        'id: t\ntitle: T\nsections:\n  - derive: {function: "x\\u00b2 + * 1"}\n'
    )
    assert (line, col) == (4, 24)


# --- other structure -----------------------------------------------------------------------


def test_a_section_must_be_a_one_key_mapping():
    text = "id: t\ntitle: T\nsections:\n  - explain: {text: hi}\n    derive: {function: x}\n"
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (4, 5) and "one-key mapping" in message and "explain, derive" in message


def test_required_keys_are_named_at_the_section():
    ((line, col, _severity, message),) = problems(HEAD + '      function: "5x^2"\n      start: {x: 1}\n')
    assert (line, col, message) == (4, 5, "descent needs 'learning_rate:'")


def test_limits():
    many = "id: t\ntitle: T\nsections:\n" + "  - explain: {text: hi}\n" * 201
    ((line, col, _severity, message),) = problems(many)
    assert (line, col) == (204, 5) and "at most 200" in message
    text = descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "max_steps: 10001", "by_hand: 51")
    assert [(p[0], p[1]) for p in problems(text)] == [(8, 18), (9, 16)]


def test_by_hand_cannot_exceed_max_steps():
    text = descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "max_steps: 2", "by_hand: 3")
    ((line, col, _severity, message),) = problems(text)
    assert (line, col, message) == (9, 16, "by_hand (3) is more than max_steps (2)")


def test_text_language_codes():
    ((line, col, _severity, message),) = problems("id: t\ntitle: {EN: Hello}\nsections: [{explain: {text: hi}}]\n")
    assert (line, col) == (2, 9) and "not a language code" in message
    ((line, col, _severity, message),) = problems(
        "id: t\ntitle: {en: Hello, world, zh: 你好}\nsections: [{explain: {text: hi}}]\n"
    )
    assert (line, col) == (2, 20) and "'world' has no text" in message and "quote text that has commas" in message


def test_stop_rules_are_checked_one_by_one():
    text = descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "stop: [sign-change, tol:abc]")
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (8, 27) and "tol:abc" in message


def test_adam_is_float_only():
    text = descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "optimizer: adam", "exact: true")
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (9, 14) and "float mode only" in message
    lesson = load_lesson_text(descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "optimizer: adam"))
    assert lesson.sections[0].exact is False


def test_momentum_with_beta():
    lesson = load_lesson_text(
        descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "optimizer: {momentum: {beta: 0.5}}")
    )
    assert lesson.sections[0].optimizer.name == "momentum" and lesson.sections[0].optimizer.beta == R(1, 2)
    ((line, col, _severity, message),) = problems(
        descent('function: "5x^2"', "start: {x: 1}", "learning_rate: 0.05", "optimizer: {momentun: {beta: 0.5}}")
    )
    assert (line, col) == (8, 19) and "did you mean 'momentum'" in message


def test_help_keys_are_question_kinds():
    text = descent(
        'function: "5x^2"',
        "start: {x: 1}",
        "learning_rate: 0.05",
        "ask: [derivative]",
        "help: {nxt: {hints: [a]}, next: {hints: [b]}}",
    )
    result = problems(text)
    assert [(r[0], r[1], r[2]) for r in result] == [(9, 14, "error"), (9, 33, "warning")]
    assert "did you mean 'next'" in result[0][3] and "does not ask" in result[1][3]


def test_direction_and_sign_change_feedback_are_choices():
    text = descent(
        'function: "5x^2"',
        "start: {x: 1}",
        "learning_rate: 0.05",
        "help:",
        "  direction: {feedback: [{answer: up, says: no}]}",
        "  sign_change: {feedback: [{answer: yes, says: Look again.}]}",
    )
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (9, 41) and "unknown direction 'up'" in message
    fixed = text.replace("answer: up", "answer: increase")
    section = load_lesson_text(fixed).sections[0]
    assert section.help["direction"].feedback[0].answer == "increase"
    assert section.help["sign_change"].feedback[0].answer == "yes"  # the boolean word, as a choice


def test_vector_feedback_needs_the_right_length():
    text = 'id: t\ntitle: T\nsections:\n  - derive:\n      function: "x^2 + y^2"\n      feedback: [{answer: "(2x, 2y, 0)", says: no}]\n'
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (6, 27) and "has 2 entries, but this answer has 3" in message


def test_evaluate_needs_of_for_a_partial_derivative():
    text = 'id: t\ntitle: T\nsections:\n  - evaluate: {function: "x^2 + y^2", what: derivative, at: {x: 1, y: 2}}\n'
    ((line, col, _severity, message),) = problems(text)
    assert (line, col) == (4, 45) and "of:" in message
    lesson = load_lesson_text(text.replace("what: derivative", "what: derivative, of: y"))
    assert lesson.sections[0].of == "y" and lesson.sections[0].at == {"x": 1, "y": 2}


def test_predict_section():
    text = 'id: t\ntitle: T\nsections:\n  - predict: {function: "x^2", start: {x: 1}, learning_rate: 1.1, steps: 8, feedback: [{answer: converge, says: Look at 2/L.}]}\n'
    section = load_lesson_text(text).sections[0]
    assert isinstance(section, Predict) and section.learning_rate == R(11, 10) and section.steps == 8
    assert section.help.feedback[0].answer == "converge"


def test_training_step_inline_data():
    text = (
        "id: t\ntitle: T\nsections:\n  - training_step:\n"
        '      model: "w*x + b"\n      parameters: [w, b]\n'
        "      data: {x: [1, 2, 3], y: [3, 5, 7.5]}\n"
        "      start: {w: 0, b: 0}\n      learning_rate: 0.1\n      samples: [0, 2]\n      then_steps: 5\n"
    )
    section = load_lesson_text(text).sections[0]
    assert isinstance(section, TrainingStep)
    assert section.data.x == (1, 2, 3) and section.data.y == (3, 5, R(15, 2))
    assert section.model.parameters == ("w", "b") and section.model.input == "x"
    assert section.samples == (0, 2) and section.learning_rate == R(1, 10)


def test_training_step_problems():
    text = (
        "id: t\ntitle: T\nsections:\n  - training_step:\n"
        '      model: "w*x + b"\n      parameters: [w, b]\n'
        "      data: {x: [1, 2, 3], y: [3, 5]}\n"
        "      start: {w: 0}\n      learning_rate: 0.1\n      samples: [0, 3]\n"
    )
    assert [(p[0], p[1], p[2]) for p in problems(text)] == [(7, 31, "error"), (8, 14, "error")]
    text = text.replace("y: [3, 5]", "y: [3, 5, 7]")
    assert [(p[0], p[1]) for p in problems(text)] == [(8, 14), (10, 20)]


def test_batch_compare_generated_data_is_reproducible():
    text = (
        "id: t\ntitle: T\nsections:\n  - batch_compare:\n"
        '      model: "w*x + b"\n      parameters: [w, b]\n'
        "      data: {generate: {seed: 7, n: 12, w: 2, b: 1, noise: 0.5}}\n"
        "      start: {w: 0, b: 0}\n      learning_rate: 1/20\n      batch_size: 4\n"
    )
    one, two = load_lesson_text(text).sections[0], load_lesson_text(text).sections[0]
    assert isinstance(one, BatchCompare) and one.data == two.data and len(one.data.x) == 12
    assert one.data.seed == 7 and one.batch_size == 4 and one.learning_rate == R(1, 20)
    assert all(isinstance(v, sp.Rational) and -2 <= v <= 2 for v in one.data.x)
    ((line, col, _severity, message),) = problems(text.replace("batch_size: 4", "batch_size: 13"))
    assert (line, col) == (10, 19) and "between 1 and 12" in message


def test_an_unexpected_exception_becomes_a_diagnostic(monkeypatch):
    def broken(*args):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(sections.SECTION_READERS, "derive", broken)
    text = "id: t\ntitle: T\nsections:\n  - derive: {function: x}\n  - explain: {text: still read}\n  - explain: {txt: still checked}\n"
    result = problems(text)
    assert [(r[0], r[1]) for r in result] == [(4, 5), (6, 15)]
    assert "ZeroDivisionError" in result[0][3] and "please report this" in result[0][3]


# --- never a traceback, whatever the text ----------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

YAML_PIECES = st.sampled_from(
    [
        "id:",
        " t",
        "\n",
        "  ",
        "- ",
        "sections:",
        "descent:",
        "explain:",
        "text:",
        "function:",
        "start:",
        "{x: 1}",
        "learning_rate:",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "&a",
        "*a",
        "!!python/name:os.system",
        "!x",
        "~",
        "no",
        ".nan",
        "010",
        "1e-3",
        '"',
        "'",
        "#",
        "\t",
        "|",
        ">",
        "5x^2",
        "?",
        "%YAML 1.1",
        "---",
        "...",
        "<<:",
        "\x00",
        "é",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_any_text_gives_a_lesson_or_diagnostics(text):
    lesson, diagnostics = parse_lesson(text, "fuzz.yaml")
    assert (lesson is None) == any(d.severity == "error" for d in diagnostics)
    assert all(d.where.line >= 1 and d.where.column >= 1 for d in diagnostics)


GOOD_TEXT = (GOOD / "five-x-squared.yaml").read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(GOOD_TEXT) - 1),
    st.integers(0, 12),
    st.sampled_from(["", " ", "\n", ":", "-", "[", "~", "x", "0", "'"]),
)
def test_any_damage_to_a_good_lesson_gives_diagnostics_not_exceptions(at, cut, insert):
    text = GOOD_TEXT[:at] + insert + GOOD_TEXT[at + cut :]
    lesson, diagnostics = parse_lesson(text, "damaged.yaml")
    assert lesson is not None or diagnostics
