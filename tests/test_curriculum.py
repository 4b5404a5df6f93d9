"""The bundled curriculum: eight lessons that check clean, speak both languages and can be walked to the end.

The walk goes through the code the tutor itself uses (build_walkthrough,
then grade with the learner's earlier answers), so a lesson that passes here
is one a learner can finish.  The spot checks compare the engine's expected
answers with values worked out by hand in the comments beside them.
"""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cache
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import speaking

from tutor.cli import main
from tutor.grading import grade
from tutor.lesson.check import check_paths
from tutor.lesson.loader import load_lesson
from tutor.lesson.model import BatchCompare, Derive, Descent, Evaluate, Lesson, Predict, TrainingStep
from tutor.text import tr
from tutor.walkthrough import Walkthrough, build_walkthrough

LESSONS = Path(__file__).resolve().parent.parent / "lessons"

CURRICULUM = [
    ("01-training-is-minimisation", "training-is-minimisation"),
    ("02-sign-of-the-derivative", "sign-of-the-derivative"),
    ("03-sign-change-brackets", "sign-change-brackets"),
    ("04-gradients", "gradients"),
    ("05-learning-rate", "learning-rate"),
    ("06-training-loop", "training-loop"),
    ("07-batch-stochastic-minibatch", "batch-stochastic-minibatch"),
    ("08-optimisers", "optimisers"),
]
STEMS = [stem for stem, _ in CURRICULUM]

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")
MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.DOTALL)
TEXT_FIELDS = ("title", "summary", "text", "prompt", "solution", "says")


@cache
def lesson(stem: str) -> Lesson:
    return load_lesson(LESSONS / f"{stem}.yaml")


@cache
def walkthrough(stem: str) -> Walkthrough:
    return build_walkthrough(lesson(stem))


def section_index(stem: str, kind: type, nth: int = 0) -> int:
    """The index of the nth section of a kind, so the spot checks survive new explain sections."""
    found = [i for i, s in enumerate(lesson(stem).sections) if isinstance(s, kind)]
    return found[nth]


def expected(stem: str, question_id: str):
    return walkthrough(stem).question(question_id).expected


def answer_of(stem: str, kind: type, nth: int = 0):
    """The expected answer of the one question a derive, evaluate or predict section asks."""
    i = section_index(stem, kind, nth)
    (q,) = [q for q in walkthrough(stem).questions() if q.id.startswith(f"s{i}.")]
    return q.expected


# --- answers as a learner types them ---------------------------------------------------------


def typed(value) -> str:
    """An expected value written as a learner would type it: 10*x, 1/4, (4, 12, 21), decrease, increase."""
    if isinstance(value, tuple):
        if all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return "(" + ", ".join(typed(v) for v in value) + ")"
    if isinstance(value, str):
        return value
    return sp.sstr(value)


def wrong_for(question) -> str:
    """A wrong answer of the right shape: another choice, or the expected value plus one."""
    value = question.expected
    if question.kind == "choice":
        keys = [c.key for c in question.choices]
        if isinstance(value, tuple):
            other = next(k for k in keys if k != value[0])
            return typed((other, *value[1:]))
        return next(k for k in keys if k != value)
    if isinstance(value, tuple):
        return typed((value[0] + 1, *value[1:]))
    return typed(value + 1)


# --- the files --------------------------------------------------------------------------------------


def test_the_curriculum_is_eight_lessons_in_order():
    assert sorted(p.stem for p in LESSONS.glob("*.yaml")) == STEMS
    for order, (stem, lesson_id) in enumerate(CURRICULUM, start=1):
        first = (LESSONS / f"{stem}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../assets/lesson.schema.json"
        assert lesson(stem).id == lesson_id
        assert lesson(stem).order == order


def test_check_passes_with_no_warnings():
    """Every warning a lesson could earn (unbounded f, lr above 2/L) is declared by its expect:."""
    checked, diagnostics = check_paths([LESSONS])
    assert checked == 8
    assert [str(d) for d in diagnostics] == []


def test_every_lesson_validates_against_the_schema_it_names():
    import json

    import jsonschema
    import yaml

    schema = json.loads((LESSONS.parent / "assets" / "lesson.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for stem in STEMS:
        document = yaml.safe_load((LESSONS / f"{stem}.yaml").read_text(encoding="utf-8"))  # our own files
        assert [e.message for e in validator.iter_errors(document)] == [], stem


def test_the_lessons_are_listed_in_order():
    import json

    result = CliRunner().invoke(main, ["lessons", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = [entry["id"] for entry in json.loads(result.output)]
    assert listed[:8] == [lesson_id for _, lesson_id in CURRICULUM]


def test_tutor_check_command_exits_zero():
    result = CliRunner().invoke(main, ["check", str(LESSONS)])
    assert result.exit_code == 0, result.output
    assert "8 lessons checked: 0 errors, 0 warnings" in result.output


# --- both languages ---------------------------------------------------------------------------------


def _texts(node, where: str):
    """Every piece of lesson text, with where it is, found by walking the lesson's dataclasses."""
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in TEXT_FIELDS and value is not None and value != "":
                yield f"{where}.{f.name}", value
            elif f.name == "hints":
                for i, hint in enumerate(value):
                    yield f"{where}.hints[{i}]", hint
            else:
                yield from _texts(value, f"{where}.{f.name}")
    elif isinstance(node, (tuple, list)):
        for i, item in enumerate(node):
            yield from _texts(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _texts(item, f"{where}[{key}]")


@pytest.mark.parametrize("stem", STEMS)
def test_every_text_is_in_english_and_chinese(stem):
    texts = list(_texts(lesson(stem), stem))
    assert len(texts) > 10
    for where, text in texts:
        assert isinstance(text, dict), f"{where} is not given per language"
        en, zh = text.get("en", ""), text.get("zh", "")
        assert en.strip() and zh.strip(), f"{where} lacks en or zh"
        if len(WORD.findall(MATH_OR_CODE.sub("", en))) >= 2:  # prose, not a formula joined by "and"
            assert CJK.search(zh), f"{where}: the zh text is not Chinese: {zh!r}"


@pytest.mark.parametrize("stem", STEMS)
def test_every_question_has_hints(stem):
    for section in lesson(stem).sections:
        if isinstance(section, (Derive, Evaluate, Predict)):
            assert len(section.help.hints) >= 2, section.where
        elif isinstance(section, Descent):
            for kind in section.ask if section.by_hand else ():
                assert len(section.help[kind].hints) >= 2, (section.where, kind)
        elif isinstance(section, TrainingStep):
            for kind in section.ask:
                assert len(section.help[kind].hints) >= 2, (section.where, kind)
        elif isinstance(section, BatchCompare):
            assert len(section.help["update"].hints) >= 2, section.where


def test_the_article_terms_are_used():
    zh = "".join(tr(text, "zh") for stem in STEMS for _, text in _texts(lesson(stem), stem))
    for term in (
        "梯度",
        "导数",
        "偏导数",
        "学习率",
        "损失函数",
        "优化器",
        "模型",
        "权重",
        "批量梯度下降",
        "随机梯度下降",
        "小批量梯度下降",
    ):
        assert term in zh, term


# --- walking each lesson -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_walk_to_the_end_with_right_answers(stem):
    questions = walkthrough(stem).questions()
    earlier = {}
    for q in questions:
        g = grade(q, typed(q.expected), earlier)
        assert g.verdict == "right", (q.id, typed(q.expected), tr(g.message, "en"))
        assert not g.carried_forward, (q.id, tr(g.message, "en"))  # the true values are never "your own" slip
        earlier[q.id] = g.value
    assert len(earlier) == len(questions)


@pytest.mark.parametrize("stem", STEMS)
def test_each_question_says_why_a_wrong_answer_is_wrong(stem):
    for q in walkthrough(stem).questions():
        for lang in ("en", "zh"):
            g = speaking(lang, grade, q, wrong_for(q), {})
            assert g.verdict == "wrong", (q.id, wrong_for(q))
            assert tr(g.message, lang).strip(), q.id


@pytest.mark.parametrize("stem", STEMS)
def test_author_feedback_is_reachable(stem):
    """Each author-listed wrong answer is read, judged wrong, and answered with the author's words."""
    seen = 0
    for q in walkthrough(stem).questions():
        for fb in q.help.feedback:
            answer = typed(fb.answer)
            if grade(q, answer, {}).verdict == "right":
                continue  # e.g. "increase" is right at another iteration of the same descent
            g = grade(q, answer, {})
            assert g.verdict == "wrong", (q.id, answer)
            assert g.feedback == fb.says, (q.id, answer, g.feedback)
            seen += 1
    listed = sum(len(h.feedback) for s in lesson(stem).sections for h in _helps(s))
    assert listed == 0 or seen > 0


def _helps(section):
    if isinstance(section, (Derive, Evaluate, Predict)):
        return [section.help]
    if isinstance(section, (Descent, TrainingStep, BatchCompare)):
        return list(section.help.values())
    return []


@pytest.mark.parametrize("stem", ["02-sign-of-the-derivative", "06-training-loop"])
def test_plain_mode_walks_to_the_end(stem):
    """The plain view, fed the right answers line by line, finishes the lesson with every answer right."""
    from tutor.plain import run_plain

    lines = []
    for step in walkthrough(stem).steps:
        lines.extend(typed(q.expected) for q in step.questions)
        if not step.questions:
            lines.append("")
    out = io.StringIO()
    assert speaking("zh", run_plain, str(LESSONS / f"{stem}.yaml"), [], io.StringIO("\n".join(lines) + "\n"), out) == 0
    n = len(walkthrough(stem).questions())
    assert f"课程完成：{n} 题中 {n} 题一次答对" in out.getvalue()  # every one right at the first try


# --- spot checks against values worked out by hand -------------------------------------------------


def near(value, hand) -> bool:
    """A float run's value (or tuple) equals the hand-worked exact one to 1e-9."""
    if isinstance(hand, tuple):
        return isinstance(value, tuple) and len(value) == len(hand) and all(map(near, value, hand))
    return abs(float(value) - float(hand)) <= 1e-9 * max(1.0, abs(float(hand)))


def test_lesson_1_loss_values():
    # L(w) = ((w - 2)^2 + (3w - 6)^2)/2: L(1) = (1 + 9)/2 = 5, L(3) = (1 + 9)/2 = 5,
    # L(3/2) = (1/4 + 9/4)/2 = 5/4, L(2) = 0.
    stem = "01-training-is-minimisation"
    values = [answer_of(stem, Evaluate, n) for n in range(4)]
    assert values == [5, 5, sp.Rational(5, 4), 0]


def test_lesson_2_the_article_numbers_and_the_sign_change():
    stem = "02-sign-of-the-derivative"
    x = sp.Symbol("x", real=True)
    assert sp.simplify(answer_of(stem, Derive) - 10 * x) == 0  # y' = 10x
    assert answer_of(stem, Evaluate) == 10  # y'(1) = 10
    d = section_index(stem, Descent, 0)
    # lr 0.15: x1 = 1 - 0.15 * 10 = -1/2, f'(-1/2) = -5: the sign changed, the minimum is in (-1/2, 1).
    assert expected(stem, f"s{d}.k0.direction") == "decrease"
    assert expected(stem, f"s{d}.k0.next") == sp.Rational(-1, 2)
    assert expected(stem, f"s{d}.k1.derivative") == -5
    assert expected(stem, f"s{d}.k1.sign_change") == "yes"
    d = section_index(stem, Descent, 1)
    # lr 1/20: every step halves x, 1 -> 1/2 -> 1/4 -> 1/8; |f'| = 10/2^k first reaches 0.01 at k = 10.
    assert [expected(stem, f"s{d}.k{k}.next") for k in range(3)] == [
        sp.Rational(1, 2),
        sp.Rational(1, 4),
        sp.Rational(1, 8),
    ]
    run = walkthrough(stem).steps[[s.id for s in walkthrough(stem).steps].index(f"s{d}.run")]
    assert run.payload.run.stop.reason == "tolerance" and run.payload.run.stop.k == 10


def test_lesson_3_brackets_and_basins():
    stem = "03-sign-change-brackets"
    d = section_index(stem, Descent, 0)
    # x^4 - 4x from 2, lr 1/16: f'(2) = 28, x1 = 2 - 28/16 = 1/4, f'(1/4) = 1/16 - 4 = -63/16.
    assert expected(stem, f"s{d}.k0.derivative") == 28
    assert expected(stem, f"s{d}.k0.next") == sp.Rational(1, 4)
    assert expected(stem, f"s{d}.k1.derivative") == sp.Rational(-63, 16)
    assert expected(stem, f"s{d}.k1.sign_change") == "yes"
    assert answer_of(stem, Evaluate) == 0  # f'(1) = 0
    # x^4 - 3x^2 + x, lr 1/8: from -1, g' = 3, go left to -11/8; from 1, g' = -1, go right to 9/8.
    left, right = section_index(stem, Descent, 1), section_index(stem, Descent, 2)
    assert near(expected(stem, f"s{left}.k0.derivative"), 3) and expected(stem, f"s{left}.k0.direction") == "decrease"
    assert near(expected(stem, f"s{left}.k0.next"), sp.Rational(-11, 8))
    assert (
        near(expected(stem, f"s{right}.k0.derivative"), -1) and expected(stem, f"s{right}.k0.direction") == "increase"
    )
    assert near(expected(stem, f"s{right}.k0.next"), sp.Rational(9, 8))


def test_lesson_4_the_article_gradient():
    stem = "04-gradients"
    x, z, m = (sp.Symbol(n, real=True) for n in "xzm")
    grad = answer_of(stem, Derive, 2)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(grad, (4 * x, 12 * z, 21 * m**2)))
    assert answer_of(stem, Evaluate) == (4, 12, 21)
    d = section_index(stem, Descent)
    # from (1, 1, 1), lr 1/10: (1, 1, 1) - (0.4, 1.2, 2.1) = (3/5, -1/5, -11/10);
    # then the gradient (12/5, -12/5, 21 * 121/100) and m keeps falling: -11/10 - 2541/1000 = -3641/1000.
    assert near(expected(stem, f"s{d}.k0.next"), (sp.Rational(3, 5), sp.Rational(-1, 5), sp.Rational(-11, 10)))
    assert near(
        expected(stem, f"s{d}.k1.derivative"), (sp.Rational(12, 5), sp.Rational(-12, 5), sp.Rational(2541, 100))
    )
    assert expected(stem, f"s{d}.k1.direction") == ("decrease", "increase", "decrease")
    assert near(expected(stem, f"s{d}.k1.next")[2], sp.Rational(-3641, 1000))


def test_lesson_5_outcomes_follow_the_factor_1_minus_10_lr():
    # 0.01 -> 0.9, 0.05 -> 1/2, 0.1 -> 0, 0.2 -> -1, 0.25 -> -3/2, 0.19 -> -0.9
    stem = "05-learning-rate"
    outcomes = [answer_of(stem, Predict, n) for n in range(6)]
    assert outcomes == ["converge", "converge", "converge", "oscillate", "diverge", "converge"]
    d = section_index(stem, Descent)
    assert expected(stem, f"s{d}.k0.next") == 0  # 1 - 0.1 * 10: one step to the minimum
    assert expected(stem, f"s{d}.k1.direction") == "stay"  # f'(0) = 0
    assert answer_of(stem, Derive) == 10  # L = (10x)' = 10


def test_lesson_6_one_update_by_hand():
    # x = 0..3, y = 1, 3, 5, 7, w = 1, b = 0: y1 = 0, 1, 2, 3; errors -1, -2, -3, -4;
    # L = 30/4 = 15/2; dL/dw = (2/4)(0 - 2 - 6 - 12) = -10, dL/db = (2/4)(-10) = -5;
    # w = 1 + 1 = 2, b = 0 + 1/2.
    stem = "06-training-loop"
    s = f"s{section_index(stem, TrainingStep)}"
    assert expected(stem, f"{s}.predict") == (0, 1, 2, 3)
    assert expected(stem, f"{s}.loss") == sp.Rational(15, 2)
    assert expected(stem, f"{s}.gradient") == (-10, -5)
    assert expected(stem, f"{s}.update") == (2, sp.Rational(1, 2))


def test_lesson_7_first_update_of_each_kind():
    # errors at w = 1, b = 0 on y = 1, 4, 4, 7: -1, -3, -2, -4.
    # batch: grad ((2/4)(-3 - 4 - 12), (2/4)(-10)) = (-19/2, -5) -> (39/20, 1/2);
    # seed 0 shuffles to (2, 0, 1, 3): stochastic on sample 2: (2*(-2)*2, 2*(-2)) = (-8, -4) -> (9/5, 2/5);
    # mini-batch on samples 0, 2: ((-1*0 - 2*2), (-1 - 2)) = (-4, -3) -> (7/5, 3/10).
    stem = "07-batch-stochastic-minibatch"
    t = f"s{section_index(stem, TrainingStep)}"  # the mini-batch update, in four steps
    assert expected(stem, f"{t}.predict") == (0, 2)
    assert expected(stem, f"{t}.loss") == sp.Rational(5, 2)  # ((-1)^2 + (-2)^2)/2
    assert expected(stem, f"{t}.gradient") == (-4, -3)
    assert expected(stem, f"{t}.update") == (sp.Rational(7, 5), sp.Rational(3, 10))
    s = f"s{section_index(stem, BatchCompare)}"
    assert expected(stem, f"{s}.batch") == (sp.Rational(39, 20), sp.Rational(1, 2))
    assert expected(stem, f"{s}.stochastic") == (sp.Rational(9, 5), sp.Rational(2, 5))
    assert expected(stem, f"{s}.minibatch") == (sp.Rational(7, 5), sp.Rational(3, 10))


def test_lesson_8_momentum_cancels_the_zig_zag():
    # x^2 + 25y^2 from (5, 1), lr 3/100. Plain: (4.7, -0.5), then (4.7 - 0.282, -0.5 + 0.75) = (4.418, 1/4).
    # Momentum beta 1/2: v2 = (5 + 9.4, 25 - 25) = (14.4, 0), so (4.7 - 0.432, -1/2) = (4.268, -1/2).
    stem = "08-optimisers"
    gd, momentum = section_index(stem, Descent, 0), section_index(stem, Descent, 1)
    assert near(expected(stem, f"s{gd}.k1.next"), (sp.Rational(4418, 1000), sp.Rational(1, 4)))
    assert near(expected(stem, f"s{momentum}.k0.next"), (sp.Rational(47, 10), sp.Rational(-1, 2)))
    assert near(expected(stem, f"s{momentum}.k1.next"), (sp.Rational(4268, 1000), sp.Rational(-1, 2)))
