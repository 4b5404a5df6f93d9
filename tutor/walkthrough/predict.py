"""A predict section: will the run converge, oscillate or diverge? Asked first, then shown.

The outcome is read off what the run did (:func:`outcome_of`); the reason
given is the 2/L bound on the learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor import descent
from tutor.lesson.model import Lesson, Predict
from tutor.text import Text, both
from tutor.walkthrough.descent import _bound_words, _Landscape, _landscape, _run_data, _run_table, _stop_words
from tutor.walkthrough.latex import _function_tex, _iterate_tex, tex, tex_factor
from tutor.walkthrough.model import Choice, Question, Step, _sympy
from tutor.walkthrough.shared import _fail, _join, _one, _with_solution

OUTCOME_CHOICES = (
    Choice("converge", both("converge", "收敛")),
    Choice("oscillate", both("oscillate", "振荡")),
    Choice("diverge", both("diverge", "发散")),
)


def outcome_of(run: descent.Run) -> str:
    """converge / oscillate / diverge, from what the run did.

    A zero gradient (or the tolerance) is convergence and a run that blew up
    diverged.  Otherwise compare the last step with the first: f lower and
    the gradient smaller is converging; the gradient as large as it was
    while f did not rise is oscillating (x = 1, -1, 1, ... on 5x² with
    η = 2/L); anything else is running away.
    """
    reason = run.stop.reason
    if reason == "diverged":
        return "diverge"
    if reason in ("zero_gradient", "tolerance"):
        return "converge"
    if len(run.steps) < 2:
        return "converge"
    first, last = run.steps[0], run.steps[-1]
    df = _compare(last.value, first.value)
    dg = _compare(max(abs(_sympy(g)) for g in last.gradient), max(abs(_sympy(g)) for g in first.gradient))
    if dg < 0 and df <= 0:
        return "converge"
    if dg == 0 and df <= 0:
        return "oscillate"
    return "diverge"


def _compare(a: Any, b: Any) -> int:
    """-1, 0, 1: exactly for exact numbers, within a relative 1e-9 for floats."""
    a, b = _sympy(a), _sympy(b)
    if a.is_Rational and b.is_Rational:
        return int(bool(a > b)) - int(bool(a < b))
    fa, fb = float(a), float(b)
    if abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb)):
        return 0
    return 1 if fa > fb else -1


def _predict(i: int, section: Predict, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.start]
    if missing:
        raise _fail(lesson, section, f"the start needs a value for {', '.join(missing)}", "start")
    start = tuple(section.start[v] for v in names)
    lr = section.learning_rate
    run = descent.run(f, names, start, lr, steps=section.steps, exact=True)
    if run.stop.reason == "exact_limit":
        run = descent.run(f, names, start, lr, steps=section.steps, exact=False)
    if not run.steps:
        raise _fail(lesson, section, f"the descent cannot start: {run.stop.message}", "start")
    outcome = outcome_of(run)
    land = _landscape(f, names, section.start)
    x0 = f"${_iterate_tex(names, 0)} = {tex(_one(_sympy(start)))}$"
    prompt = both(
        f"Gradient descent on ${_function_tex(f, names)}$ starts at {x0} with learning rate $\\eta = {tex(lr)}$. "
        f"Over {section.steps} steps, will it converge, oscillate or diverge?",
        f"对 ${_function_tex(f, names)}$ 做梯度下降，从 {x0} 出发，学习率 $\\eta = {tex(lr)}$。"
        f"在 {section.steps} 步内，它会收敛、振荡还是发散？",
    )
    reason = _outcome_reason(land, lr, names, outcome)
    words = {
        "converge": ("It converges", "它收敛"),
        "oscillate": ("It oscillates", "它振荡"),
        "diverge": ("It diverges", "它发散"),
    }[outcome]
    solution = _join(both(f"{words[0]}.", f"{words[1]}。"), reason)
    question = Question(
        id=f"s{i}.predict",
        kind="choice",
        prompt=section.prompt or prompt,
        expected=outcome,
        skill="learning_rate",
        choices=OUTCOME_CHOICES,
        help=_with_solution(section.help, solution),
        context={
            "function": f,
            "variables": names,
            "start": dict(section.start),
            "learning_rate": lr,
            "bound": land.bound,
        },
    )
    title = section.title or both("Predict", "预测")
    ask = Step(
        f"s{i}",
        i,
        "predict",
        title,
        section.text or "",
        (question,),
        {"function": f, "variables": names, "learning_rate": lr, "start": start},
        solution,
    )
    data = dict(_run_data(fn, run, land, len(run.steps) - 1), outcome=outcome)
    text = _join(both(f"{words[0]}.", f"{words[1]}。"), _stop_words(run, names), reason)
    shown = Step(f"s{i}.run", i, "outcome", both("What happens", "结果"), text, (), data, _run_table(run, names))
    return [ask, shown]


def _outcome_reason(land: _Landscape, lr: Any, names: Sequence[str], outcome: str) -> Text | None:
    """The 2/L reasoning; for a one-variable quadratic, the factor each step multiplies the distance by."""
    bound = _bound_words(land, lr, "gd")
    if land.bound is None or land.bound.scope != "quadratic" or len(names) != 1:
        return bound
    L = land.bound.curvature
    factor = 1 - _sympy(lr) * L
    size = abs(factor)
    s = _compare(size, 1)
    fate_en = "shrinks" if s < 0 else "keeps its size, flipping side each step" if s == 0 else "grows"
    fate_zh = "越来越小" if s < 0 else "大小不变，每一步换到另一侧" if s == 0 else "越来越大"
    return _join(
        bound,
        both(
            f"Each step multiplies the distance to the minimum by $1 - \\eta L = 1 - {tex(lr)}\\cdot {tex_factor(L)} = {tex(factor)}$, "
            f"so the distance {fate_en}.",
            f"每一步都把到最小值的距离乘以 $1 - \\eta L = 1 - {tex(lr)}\\cdot {tex_factor(L)} = {tex(factor)}$，所以距离{fate_zh}。",
        ),
    )
