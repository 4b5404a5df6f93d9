"""The walkthrough: lessons built from the model dataclasses, expected answers worked out by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
from conftest import speaking

from tutor.lesson.model import (
    BatchCompare,
    DataSet,
    Derive,
    Descent,
    Evaluate,
    Explain,
    Feedback,
    Function,
    Help,
    Lesson,
    LessonError,
    Optimizer,
    PlotRange,
    Predict,
    RegressionModel,
    TrainingStep,
    Where,
)
from tutor.mathinput import symbol
from tutor.walkthrough import build_walkthrough, expected_given, outcome_of
from tutor.walkthrough.contract import (
    BatchPayload,
    DeriveContext,
    DescentFacts,
    DirectionContext,
    EvaluateContext,
    ExplainPayload,
    FunctionPlot,
    IterationPayload,
    OutcomePayload,
    RunPayload,
    SignChangeContext,
    SlopeContext,
    TrainingContext,
    TrainingPayload,
    UpdateContext,
)

R = sp.Rational
x, z, m, w, b = (symbol(n) for n in ("x", "z", "m", "w", "b"))


def fields_of(payload) -> set[str]:
    return {f.name for f in dataclasses.fields(payload)}


RUN_KEYS = fields_of(DescentFacts)  # the fields every descent payload (iteration, run, outcome) has


@pytest.fixture(autouse=True)
def _inline_sandbox(monkeypatch):
    monkeypatch.setenv("TUTOR_SANDBOX", "inline")


def five_x_squared() -> Function:
    return Function(5 * x**2, ("x",), "5x^2")


def lesson(*sections) -> Lesson:
    return Lesson("test", "Test", "A test lesson", tuple(sections), path="test.yaml")


def walk(*sections):
    """The walkthrough built in English and in Chinese, its words side by side as {"en", "zh"}.

    The engine's words are said in the process's language; building twice checks both (the
    maths, ids and expected answers must not depend on the language).
    """
    en = build_walkthrough(lesson(*sections))
    zh = speaking("zh", build_walkthrough, lesson(*sections))
    return bilingual_walkthrough(en, zh)


def _words(en, zh):
    if isinstance(en, str) and isinstance(zh, str):
        return {"en": en, "zh": zh}
    if isinstance(en, dict) and isinstance(zh, dict):  # lesson Text joined with the engine's words
        return {**en, "zh": zh.get("zh", zh.get("en"))}
    return en  # None


def _help(en, zh):
    if en is None:
        return en
    hints = tuple(a if a == b else _words(a, b) for a, b in zip(en.hints, zh.hints))
    return dataclasses.replace(en, hints=hints, solution=_words(en.solution, zh.solution))


def bilingual_walkthrough(en, zh):
    steps = []
    for s_en, s_zh in zip(en.steps, zh.steps, strict=True):
        questions = []
        for q_en, q_zh in zip(s_en.questions, s_zh.questions, strict=True):
            assert (q_en.id, q_en.expected, q_en.kind) == (q_zh.id, q_zh.expected, q_zh.kind)
            questions.append(
                dataclasses.replace(
                    q_en,
                    prompt=_words(q_en.prompt, q_zh.prompt),
                    parts=tuple(_words(a, b) for a, b in zip(q_en.parts, q_zh.parts)),
                    help=_help(q_en.help, q_zh.help),
                )
            )
        steps.append(
            dataclasses.replace(
                s_en,
                title=_words(s_en.title, s_zh.title),
                text=_words(s_en.text, s_zh.text),
                solution=_words(s_en.solution, s_zh.solution),
                questions=tuple(questions),
            )
        )
    return dataclasses.replace(en, steps=tuple(steps))


def descent_of(lr, *, by_hand=3, stop=("zero",), **kw) -> Descent:
    return Descent(five_x_squared(), {"x": sp.Integer(1)}, lr, by_hand=by_hand, stop=stop, **kw)


# --- the article's first example ---------------------------------------------------------


def test_article_first_example_by_hand():
    # f'(x) = 10x; x_{k+1} = x_k - (1/20)(10 x_k) = x_k / 2
    wt = walk(descent_of(R(1, 20), stop=("sign-change",)))
    assert [s.id for s in wt.steps] == ["s0.k0", "s0.k1", "s0.k2", "s0.run"]
    assert [s.kind for s in wt.steps] == ["iteration", "iteration", "iteration", "run"]
    q = wt.question
    assert q("s0.k0.derivative").expected == 10
    assert q("s0.k0.direction").expected == "decrease"
    assert q("s0.k0.next").expected == R(1, 2)
    assert q("s0.k1.derivative").expected == 5
    assert q("s0.k1.next").expected == R(1, 4)
    assert q("s0.k2.next").expected == R(1, 8)
    assert q("s0.k1.sign_change").expected == "no"
    # no sign-change question at k = 0: there is no earlier point
    assert [x.id for x in wt.steps[0].questions] == ["s0.k0.derivative", "s0.k0.direction", "s0.k0.next"]
    assert [x.id for x in wt.steps[1].questions] == [
        "s0.k1.derivative",
        "s0.k1.direction",
        "s0.k1.next",
        "s0.k1.sign_change",
    ]


def test_iteration_kinds_skills_and_contexts():
    wt = walk(descent_of(R(1, 20)))
    d, direction, nxt = wt.steps[0].questions
    assert (d.kind, d.skill) == ("number", "evaluate")
    assert (direction.kind, direction.skill) == ("choice", "direction")
    assert {c.key for c in direction.choices} == {"increase", "decrease", "stay"}
    assert (nxt.kind, nxt.skill) == ("number", "update")
    sc = wt.question("s0.k1.sign_change")
    assert (sc.kind, sc.skill) == ("choice", "sign_change")
    assert isinstance(d.context, SlopeContext) and d.context.function == 5 * x**2 and d.context.variables == ("x",)
    assert d.context.point == {"x": 1} and d.context.k == 0
    assert isinstance(direction.context, DirectionContext) and direction.context.gradient == 10
    assert isinstance(nxt.context, UpdateContext) and nxt.context.point == {"x": 1} and nxt.context.k == 0
    assert nxt.context.gradient == 10 and nxt.context.learning_rate == R(1, 20)
    assert isinstance(sc.context, SignChangeContext)
    assert sc.context.previous_gradient == 10 and sc.context.gradient == 5


def test_iteration_solution_writes_the_exact_update():
    wt = walk(descent_of(R(1, 20)))
    solution = wt.steps[0].solution
    assert r"x_{1} = x_{0} - \eta\, f'(x_{0}) = 1 - \tfrac{1}{20}\cdot 10 = \tfrac{1}{2}" in solution["en"]
    assert r"\tfrac{1}{2}" in solution["zh"] and "所以" in solution["zh"]
    # each question also carries its own worked solution when the author wrote none
    assert r"\tfrac{1}{2}" in wt.question("s0.k0.next").help.solution["en"]


def test_step_data_has_the_agreed_keys():
    wt = walk(descent_of(R(1, 20)))
    assert [type(step.payload) for step in wt.steps] == [IterationPayload] * 3 + [RunPayload]
    k1 = wt.steps[1].payload
    assert k1.k == 1 and k1.point == (R(1, 2),) and k1.gradient == (5,) and k1.next == (R(1, 4),)
    assert k1.value == R(5, 4)
    assert k1.bound.bound == R(1, 5)  # L = 10, 2/L = 1/5
    assert [p.point for p in k1.minima] == [{"x": 0}]
    # x_k = 1/2^k > 0, so f'(x_k) = 10 x_k > 0 at every step of the run
    assert k1.signs == ((1,),) * 21
    # x2 = 1/2 - (1/20)(5) = 1/4, written out once for every view: LaTeX for the export, mathtext for a plot
    assert k1.update_latex == (r"x_{2} = x_{1} - \eta f'(x_{1}) = \tfrac{1}{2} - \tfrac{1}{20}\cdot 5 = \tfrac{1}{4}",)
    assert k1.update_mathtext == r"$x_{2} = x_{1} - \eta f'(x_{1}) = \frac{1}{2} - \frac{1}{20} \cdot 5 = \frac{1}{4}$"
    run = wt.steps[-1].payload
    assert run.run.stop.reason == "max_steps" and run.k == 20 and run.next is None
    assert run.update_latex == () and run.update_mathtext == ""  # nothing after the last step


def test_lr_one_tenth_lands_on_the_minimum_and_stops():
    # x1 = 1 - (1/10)(10) = 0, where f'(0) = 0: a zero gradient stops the run
    wt = walk(descent_of(R(1, 10)))
    assert [s.id for s in wt.steps] == ["s0.k0", "s0.k1", "s0.run"]  # fewer than by_hand = 3
    assert wt.question("s0.k0.next").expected == 0
    assert wt.question("s0.k1.derivative").expected == 0
    assert wt.question("s0.k1.direction").expected == "stay"
    assert "s0.k1.next" not in [q.id for q in wt.questions()]  # the run stopped: no next iterate
    run = wt.steps[-1]
    assert run.payload.run.stop.reason == "zero_gradient"
    assert run.payload.k == 1 and run.payload.point == (0,)
    assert run.payload.signs == ((1,), (0,))  # f'(1) = 10, f'(0) = 0
    assert "exactly 0" in run.text["en"] and "恰好为 0" in run.text["zh"]


def test_sign_change_brackets_the_minimum():
    # lr 3/20: x1 = 1 - (3/20)(10) = -1/2, f'(-1/2) = -5 < 0 < 10 = f'(1)
    wt = walk(descent_of(R(3, 20), stop=("sign-change",)))
    assert wt.question("s0.k0.next").expected == R(-1, 2)
    assert wt.question("s0.k1.derivative").expected == -5
    assert wt.question("s0.k1.direction").expected == "increase"
    assert wt.question("s0.k1.sign_change").expected == "yes"
    k1 = wt.steps[1]
    assert k1.payload.bracket == ((1,), (R(-1, 2),))
    assert k1.payload.signs[:2] == ((1,), (-1,))  # f'(1) = 10, f'(-1/2) = -5
    assert "minimum lies between $x_{0} = 1$ and $x_{1} = - \\tfrac{1}{2}$" in k1.solution["en"]
    assert "之间" in k1.solution["zh"]
    assert wt.steps[-1].payload.run.stop.reason == "sign_change"


def test_ask_subset_keeps_the_canonical_order():
    wt = walk(descent_of(R(1, 20), ask=("next", "derivative")))
    assert [q.id for q in wt.steps[0].questions] == ["s0.k0.derivative", "s0.k0.next"]


def test_momentum_iterates():
    # v1 = 0.9*0 + 10 = 10, x1 = 1 - 10/20 = 1/2; v2 = 0.9*10 + 5 = 14, x2 = 1/2 - 14/20 = -1/5
    wt = walk(descent_of(R(1, 20), by_hand=2, optimizer=Optimizer("momentum", R(9, 10))))
    assert wt.question("s0.k0.next").expected == R(1, 2)
    assert wt.question("s0.k1.next").expected == R(-1, 5)
    assert "v_{2}" in wt.steps[1].solution["en"]
    # carried forward: the learner's x1 = 3/5 and f'(x1) = 6 -> v2 = 9 + 6 = 15, x2 = 3/5 - 15/20 = -3/20
    value, carried = expected_given(wt.question("s0.k1.next"), {"s0.k0.next": R(3, 5), "s0.k1.derivative": 6})
    assert (value, carried) == (R(-3, 20), True)


def test_float_descent_has_tolerances():
    wt = walk(descent_of(R(1, 20), exact=False))
    q = wt.question("s0.k0.next")
    assert isinstance(q.expected, sp.Float) and abs(float(q.expected) - 0.5) < 1e-12
    assert q.tolerance is not None and 0 < q.tolerance < 0.01


# --- several variables ------------------------------------------------------------------------


def article_gradient_function() -> Function:
    return Function(2 * x**2 + 6 * z**2 + 7 * m**3, ("x", "z", "m"), "2x^2 + 6z^2 + 7m^3")


def test_gradient_example_derive_and_evaluate():
    f = article_gradient_function()
    one = {"x": sp.Integer(1), "z": sp.Integer(1), "m": sp.Integer(1)}
    wt = walk(
        Derive(f, "gradient"),
        Derive(f, "z"),
        Evaluate(f, "gradient", one),
        Evaluate(f, "derivative", one, of="m"),
        Evaluate(f, "value", one),
    )
    grad = wt.question("s0.gradient")
    assert (grad.kind, grad.skill, grad.variables) == ("vector", "gradient", ("x", "z", "m"))
    assert grad.expected == (4 * x, 12 * z, 21 * m**2)
    assert "∂f/∂z" in grad.parts[1]["en"]
    partial = wt.question("s1.partial")
    assert (partial.kind, partial.expected) == ("expression", 12 * z)
    assert r"\frac{\partial f}{\partial z}" in partial.prompt["en"] and "偏导数" in partial.prompt["zh"]
    at_one = wt.question("s2.gradient")
    assert (at_one.kind, at_one.skill, at_one.expected) == ("vector", "evaluate", (4, 12, 21))
    assert isinstance(at_one.context, EvaluateContext)
    assert at_one.context.at == one and at_one.context.what == "gradient"
    assert wt.question("s3.derivative").expected == 21  # 21 m^2 at m = 1
    assert wt.question("s4.value").expected == 15  # 2 + 6 + 7
    # terms shown in the order the article writes them
    assert "2 x^{2} + 6 z^{2} + 7 m^{3}" in grad.prompt["en"]


def test_derive_one_variable_defaults():
    wt = walk(Derive(five_x_squared(), "x"))
    q = wt.question("s0.derivative")
    assert (q.kind, q.skill, q.expected, q.variables) == ("expression", "derivative", 10 * x, ("x",))
    assert "f'(x)" in q.prompt["en"] and "导数" in q.prompt["zh"]
    assert isinstance(q.context, DeriveContext)
    assert (q.context.function, q.context.variables, q.context.of, q.context.what) == (
        5 * x**2,
        ("x",),
        "x",
        "derivative",
    )
    # the hints: the constant multiple rule, then the power rule inside it, ending at 10x
    hints = q.context.hints
    assert len(hints) == 1 and len(hints[0]) >= 2 and "10" in hints[0][0]
    lines = wt.steps[0].payload.derivation.lines
    assert list(lines) == list(hints[0])
    assert "10 x" in wt.steps[0].payload.derivation.markdown
    zh = speaking("zh", build_walkthrough, lesson(Derive(five_x_squared(), "x")))  # the rules said in Chinese
    assert "常数倍法则" in zh.question("s0.derivative").context.hints[0][0]
    assert wt.steps[0].solution["en"] == "$f'(x) = 10 x$"


def test_author_prompt_and_help_are_kept():
    prompt = {"en": "What is y'?", "zh": "y' 是什么？"}
    fb = Feedback(5 * x, {"en": "You lost the 2.", "zh": "丢了 2。"})
    wt = walk(Derive(five_x_squared(), "x", prompt=prompt, help=Help(hints=("power rule",), feedback=(fb,))))
    q = wt.question("s0.derivative")
    assert q.prompt == prompt
    assert q.help.hints == ("power rule",) and q.help.feedback == (fb,)
    assert q.help.solution is not None  # the engine's, as the author wrote none


def test_two_variable_descent():
    # f = x^2 + 3z^2, ∇f = (2x, 6z), from (1, 1) with lr 1/5:
    # ∇f(1,1) = (2, 6), x1 = (1 - 2/5, 1 - 6/5) = (3/5, -1/5)
    # ∇f(x1) = (6/5, -6/5): ∂f/∂z changed sign
    f = Function(x**2 + 3 * z**2, ("x", "z"), "x^2 + 3z^2")
    wt = walk(Descent(f, {"x": sp.Integer(1), "z": sp.Integer(1)}, R(1, 5), by_hand=2))
    q = wt.question
    assert (q("s0.k0.derivative").kind, q("s0.k0.derivative").expected) == ("vector", (2, 6))
    assert q("s0.k0.direction").expected == ("decrease", "decrease")
    assert (q("s0.k0.next").kind, q("s0.k0.next").expected) == ("vector", (R(3, 5), R(-1, 5)))
    assert q("s0.k1.derivative").expected == (R(6, 5), R(-6, 5))
    assert q("s0.k1.direction").expected == ("decrease", "increase")
    assert q("s0.k1.sign_change").expected == "yes"
    assert wt.steps[1].payload.sign_change == ("z",)
    assert wt.steps[1].payload.bracket == ((1, 1), (R(3, 5), R(-1, 5)))
    # ∇f(1, 1) = (2, 6); ∇f(3/5, -1/5) = (6/5, -6/5)
    assert wt.steps[1].payload.signs[:2] == ((1, 1), (1, -1))
    assert wt.steps[-1].payload.bound.bound == R(1, 3)  # L = 6
    # carried forward, component by component: the learner's x1 = (1/2, 0) -> ∇f = (1, 0)
    assert expected_given(q("s0.k1.derivative"), {"s0.k0.next": (R(1, 2), 0)}) == ((1, 0), True)


# --- predict -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lr", "outcome"),
    [
        # 5x^2: L = 10, 2/L = 1/5; each step multiplies x by 1 - 10 lr
        (R(1, 20), "converge"),  # factor 1/2
        (R(1, 10), "converge"),  # factor 0: lands on the minimum
        (R(1, 5), "oscillate"),  # factor -1: 1, -1, 1, ...
        (R(1, 4), "diverge"),  # factor -3/2
    ],
)
def test_predict_outcomes_match_two_over_L(lr, outcome):
    wt = walk(Predict(five_x_squared(), {"x": sp.Integer(1)}, lr, steps=8))
    assert [s.kind for s in wt.steps] == ["predict", "outcome"]
    q = wt.question("s0.predict")
    assert (q.kind, q.skill, q.expected) == ("choice", "learning_rate", outcome)
    assert {c.key for c in q.choices} == {"converge", "oscillate", "diverge"}
    shown = wt.steps[1]
    assert isinstance(shown.payload, OutcomePayload) and shown.payload.outcome == outcome
    assert outcome_of(shown.payload.run) == outcome


def test_predict_explains_the_factor():
    wt = walk(Predict(five_x_squared(), {"x": sp.Integer(1)}, R(1, 4), steps=8))
    # 1 - (1/4)(10) = -3/2
    assert r"- \tfrac{3}{2}" in wt.question("s0.predict").help.solution["en"]
    assert "发散" in wt.steps[1].text["zh"]


# --- training -----------------------------------------------------------------------------------


def linear_model() -> RegressionModel:
    return RegressionModel(w * x + b, ("w", "b"), "x", "w*x + b")


def training_section(**kw) -> TrainingStep:
    data = DataSet((sp.Integer(1), sp.Integer(2), sp.Integer(3)), (sp.Integer(3), sp.Integer(5), sp.Integer(7)))
    return TrainingStep(data, linear_model(), {"w": sp.Integer(0), "b": sp.Integer(0)}, R(1, 10), **kw)


def test_training_step_four_questions():
    # y1 = 0 for every sample; L = (9 + 25 + 49)/3 = 83/3
    # ∂L/∂w = (2/3)((0-3)1 + (0-5)2 + (0-7)3) = -68/3;  ∂L/∂b = (2/3)(-3 - 5 - 7) = -10
    # w = 0 - (1/10)(-68/3) = 34/15;  b = 0 - (1/10)(-10) = 1
    wt = walk(training_section())
    step = wt.steps[0]
    assert (step.id, step.kind) == ("s0", "training")
    assert [q.id for q in step.questions] == ["s0.predict", "s0.loss", "s0.gradient", "s0.update"]
    q = wt.question
    assert (q("s0.predict").kind, q("s0.predict").expected) == ("vector", (0, 0, 0))
    assert (q("s0.loss").kind, q("s0.loss").expected) == ("number", R(83, 3))
    assert q("s0.gradient").expected == (R(-68, 3), -10)
    assert q("s0.update").expected == (R(34, 15), 1)
    assert all(x.skill == "training" for x in step.questions)
    assert isinstance(step.payload, TrainingPayload) and step.payload.history is None
    assert step.payload.loss == R(83, 3) and step.payload.next_params == {"w": R(34, 15), "b": 1}
    context = q("s0.loss").context
    assert isinstance(context, TrainingContext) and context.parameters == ("w", "b") and context.input == "x"
    assert context.params == {"w": 0, "b": 0} and context.learning_rate == R(1, 10) and context.samples == (0, 1, 2)


def test_training_carries_forward():
    wt = walk(training_section())
    q = wt.question
    # the learner predicted (1, 1, 1): L = ((1-3)^2 + (1-5)^2 + (1-7)^2)/3 = 56/3
    assert expected_given(q("s0.loss"), {"s0.predict": (1, 1, 1)}) == (R(56, 3), True)
    # and from those: ∂L/∂w = (2/3)(-2 - 8 - 18) = -56/3, ∂L/∂b = (2/3)(-2 - 4 - 6) = -8
    assert expected_given(q("s0.gradient"), {"s0.predict": (1, 1, 1)}) == ((R(-56, 3), -8), True)
    # the learner's gradient (-20, -10): w = 2, b = 1
    assert expected_given(q("s0.update"), {"s0.gradient": (-20, -10)}) == ((2, 1), True)


def test_training_on_some_samples_with_history():
    # sample 1 only: y1 = 0, L = 25, ∂L/∂w = 2(0-5)(2) = -20, ∂L/∂b = -10
    wt = walk(training_section(samples=(1,), then_steps=3))
    q = wt.question
    assert (q("s0.predict").kind, q("s0.predict").expected) == ("number", 0)
    assert q("s0.loss").expected == 25
    assert q("s0.gradient").expected == (-20, -10)
    assert q("s0.update").expected == (2, 1)
    history = wt.steps[0].payload.history
    assert history is not None and len(history.updates) == 3


def test_batch_compare_first_updates():
    xs = tuple(sp.Integer(v) for v in (1, 2, 3, 4))
    ys = tuple(sp.Integer(v) for v in (3, 5, 7, 9))
    section = BatchCompare(DataSet(xs, ys), linear_model(), {"w": 0, "b": 0}, R(1, 20), batch_size=2, epochs=2, seed=0)
    wt = walk(section)
    step = wt.steps[0]
    assert (step.kind, type(step.payload)) == ("batch", BatchPayload)
    order = tuple(int(i) for i in np.random.default_rng(0).permutation(4))  # the documented shuffle
    assert tuple(step.payload.order) == order

    def first_update(samples):
        # from w = b = 0 every prediction is 0: ∂L/∂w = (2/n) Σ -y x, ∂L/∂b = (2/n) Σ -y
        n = len(samples)
        gw = R(2, n) * sum(-ys[i] * xs[i] for i in samples)
        gb = R(2, n) * sum(-ys[i] for i in samples)
        return (-R(1, 20) * gw, -R(1, 20) * gb)

    assert wt.question("s0.batch").expected == (R(7, 4), R(3, 5))  # ∇L = (-35, -12)
    assert wt.question("s0.batch").expected == first_update(range(4))
    assert wt.question("s0.stochastic").expected == first_update([order[0]])
    assert wt.question("s0.minibatch").expected == first_update(order[:2])
    assert all(q.skill == "batch" for q in step.questions)
    assert set(step.payload.runs) == {"batch", "stochastic", "minibatch"}


def test_batch_compare_not_by_hand_has_no_questions():
    xs, ys = (sp.Integer(1), sp.Integer(2)), (sp.Integer(3), sp.Integer(5))
    wt = walk(BatchCompare(DataSet(xs, ys), linear_model(), {"w": 0, "b": 0}, R(1, 20), batch_size=1, by_hand=False))
    assert wt.steps[0].questions == ()


# --- the whole contract ---------------------------------------------------------------------------


def test_explain_with_plot():
    wt = walk(Explain({"en": "Hello", "zh": "你好"}, plot=PlotRange(five_x_squared(), (-1.5, 1.5))))
    step = wt.steps[0]
    assert (step.id, step.kind, step.text) == ("s0", "explain", {"en": "Hello", "zh": "你好"})
    assert step.payload == ExplainPayload(FunctionPlot(5 * x**2, ("x",), (-1.5, 1.5)))


def test_ids_are_unique_and_text_is_bilingual():
    wt = walk(
        Explain("intro"),
        Derive(five_x_squared(), "x"),
        descent_of(R(1, 20)),
        Predict(five_x_squared(), {"x": sp.Integer(1)}, R(1, 5)),
        training_section(),
    )
    ids = [s.id for s in wt.steps] + [q.id for q in wt.questions()]
    assert len(ids) == len(set(ids))
    for q in wt.questions():
        assert set(q.prompt) >= {"en", "zh"} and q.prompt["en"] and q.prompt["zh"]
        assert q.help.solution is not None
        assert q.context
    assert wt.lesson_id == "test" and wt.path == "test.yaml"
    # the same lesson gives the same walkthrough
    again = walk(
        Explain("intro"),
        Derive(five_x_squared(), "x"),
        descent_of(R(1, 20)),
        Predict(five_x_squared(), {"x": sp.Integer(1)}, R(1, 5)),
        training_section(),
    )
    assert [q.id for q in again.questions()] == [q.id for q in wt.questions()]


def test_direction_and_sign_change_carry_forward_through_rules():
    wt = walk(descent_of(R(1, 20)))
    # the learner says f'(x0) = -3: then the downhill direction is to increase x
    assert expected_given(wt.question("s0.k0.direction"), {"s0.k0.derivative": -3}) == ("increase", True)
    # a wrong but same-signed derivative changes nothing
    assert expected_given(wt.question("s0.k0.direction"), {"s0.k0.derivative": 7}) == ("decrease", False)
    # the learner's f'(x1) = -1 against f'(x0) = 10: a sign change
    assert expected_given(wt.question("s0.k1.sign_change"), {"s0.k1.derivative": -1}) == ("yes", True)
    # unusable earlier answers are ignored
    assert expected_given(wt.question("s0.k1.derivative"), {"s0.k0.next": (1, 2)}) == (5, False)
    assert expected_given(wt.question("s0.k1.derivative"), {"s0.k0.next": x}) == (5, False)


# --- what the engine cannot answer --------------------------------------------------------------


HERE = Where("bad.yaml", 7, 5)


def test_undefined_start_is_a_lesson_error():
    f = Function(1 / x, ("x",), "1/x")
    with pytest.raises(LessonError) as err:
        walk(Descent(f, {"x": sp.Integer(0)}, R(1, 10), where=HERE))
    diag = err.value.diagnostics[0]
    assert (diag.where, diag.severity) == (HERE, "error")
    assert "bad.yaml:7:5: error:" in str(err.value)


def test_evaluate_where_undefined_is_a_lesson_error():
    f = Function(sp.log(x), ("x",), "log(x)")
    with pytest.raises(LessonError, match="log"):
        walk(Evaluate(f, "value", {"x": sp.Integer(-1)}, where=HERE))


def test_derivative_at_a_kink_is_a_lesson_error():
    f = Function(sp.Abs(x), ("x",), "abs(x)")
    with pytest.raises(LessonError, match="subgradient"):
        walk(Evaluate(f, "derivative", {"x": sp.Integer(0)}, where=HERE))


def test_derive_of_an_unknown_variable_is_a_lesson_error():
    with pytest.raises(LessonError, match="not a variable"):
        walk(Derive(five_x_squared(), "y", where=HERE))


# --- from YAML --------------------------------------------------------------------------------


YAML = """
id: yaml-test
title: {en: Five x squared, zh: 五倍 x 平方}
summary: {en: The article's example, zh: 文章的例子}
sections:
  - derive:
      function: "5x^2"
      feedback:
        - answer: "5x"
          says: {en: You lost the 2., zh: 丢了 2。}
  - descent:
      function: "5x^2"
      start: {x: 1}
      learning_rate: 0.05
      by_hand: 2
      stop: [sign-change]
"""


def test_a_lesson_from_yaml():
    from tutor.lesson.loader import load_lesson_text

    wt = build_walkthrough(load_lesson_text(YAML, "five.yaml"))
    assert wt.question("s0.derivative").expected == 10 * x
    assert wt.question("s0.derivative").help.feedback[0].answer == 5 * x
    assert wt.question("s1.k0.next").expected == R(1, 2)  # 0.05 is exactly 1/20
    assert wt.question("s1.k1.next").expected == R(1, 4)


def test_a_sign_change_asks_where_the_minimum_is_bracketed(bundled_walkthrough):
    """Issue 3: 5x² from x₀ = 1 with η = 3/20: x₁ = 1 - (3/20)·10 = -1/2 and f' went from 10 to -5."""
    from tutor.grading import grade

    walk = bundled_walkthrough("sign-of-the-derivative")
    bracket = next(q for q in walk.questions() if q.id.endswith(".bracket"))
    assert bracket.expected == (sp.Rational(-1, 2), 1)
    assert grade(bracket, "[-1/2, 1]").verdict == "right"
    reversed_ends = grade(bracket, "[1, -1/2]")
    assert reversed_ends.verdict == "wrong" and "wrong way round" in reversed_ends.feedback
    # error carried forward: a learner whose x₁ was -2/5 is judged on [-2/5, 1]
    own = grade(bracket, "[-0.4, 1]", {bracket.depends["x_1"]: sp.Rational(-2, 5)})
    assert own.verdict == "right" and own.carried_forward


def test_the_contract_and_the_notation_load_no_engine():
    """Views import the payload types and the formatting module up front: neither may bring sympy with it."""
    import subprocess
    import sys

    code = (
        "import sys, tutor.walkthrough.contract, tutor.notation, tutor.walkthrough as w; "
        "w.IterationPayload; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'numpy', 'matplotlib') "
        "or m in ('tutor.calculus', 'tutor.descent', 'tutor.derivation', 'tutor.walkthrough.build')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
