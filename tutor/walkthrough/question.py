"""A question section: the author's own parts, each graded by the usual rules.

A part asks for a quantity the engine computes (a value, a derivative, the
curvature L and the stability bound 2/L, the stationary points, which
minimum a run reaches, the steps until |f'| is small, the loss after one
epoch of training a model on the section's data), a formula of earlier
parts (error carried forward: the learner's own earlier answers are put in),
or one of the author's choices, with an explanation for each.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sympy as sp

from tutor import calculus, descent, training
from tutor.calculus import MathError
from tutor.lesson.model import Ask, Feedback, Help, Lesson, Part
from tutor.mathinput import symbol
from tutor.text import Text, both, tr
from tutor.walkthrough.contract import QuestionPayload
from tutor.walkthrough.latex import _function_tex, _point_tex, tex
from tutor.walkthrough.model import Choice, Question, Step, placeholder
from tutor.walkthrough.shared import _fail, _one, _with_solution
from tutor.walkthrough.training import _data_table, _model_tex, _params_tex

#: The run a minimum_reached part watches stops once the gradient is this small (float mode).
SETTLED = 1e-9
#: A loss_after_epoch prompt shows the data as a table up to this many samples.
TABLE_ROWS = 20


def _letters(n: int) -> tuple[str, ...]:
    return tuple(chr(ord("a") + i) for i in range(n))


T = TypeVar("T")


def _needed(value: T | None, lesson: Lesson, section: Ask, key: str) -> T:
    """What a part needs from its section (the loader refuses a section without it, so this only guards)."""
    if value is None:
        raise _fail(lesson, section, f"this question needs '{key}:'", key)
    return value


def _epoch_words(part: Part) -> dict[str, str]:
    if part.descent == "batch":
        return both(
            "one epoch of batch gradient descent (one update with every sample)",
            "一轮批量梯度下降（用全部样本更新一次）",
        )
    if part.descent == "stochastic":
        return both(
            f"one epoch of stochastic gradient descent (one sample per update, shuffled with seed {part.seed})",
            f"一轮随机梯度下降（每次更新用一个样本，以种子 {part.seed} 打乱顺序）",
        )
    return both(
        f"one epoch of mini-batch gradient descent (batches of {part.batch_size}, shuffled with seed {part.seed})",
        f"一轮小批量梯度下降（每批 {part.batch_size} 个样本，以种子 {part.seed} 打乱顺序）",
    )


def _loss_after_epoch(section: Ask, part: Part, lesson: Lesson) -> tuple[Any, Text, Text]:
    """The MSE on every sample after one epoch: exact when the run stays rational, else float."""
    model, data = _needed(section.model, lesson, section, "model"), _needed(section.data, lesson, section, "data")
    lr, start = (
        _needed(section.learning_rate, lesson, section, "learning_rate"),
        _needed(part.start, lesson, section, "start"),
    )
    common: dict[str, Any] = dict(kind=part.descent, batch_size=part.batch_size, epochs=1, seed=part.seed)
    args = (model.expr, model.parameters, model.input, data.x, data.y, start, lr)
    try:
        run = training.train(*args, exact=True, **common)
    except training.TrainingError:  # irrational, or too long to follow exactly: the float run
        run = None
    if run is not None:
        after = run.params[-1]
        mse = training.mse_loss(model.expr, model.parameters, model.input, data.x, data.y)
        loss = mse.xreplace({symbol(p): after[p] for p in model.parameters})
    else:
        try:
            run = training.train(*args, exact=False, **common)
        except training.TrainingError as err:
            raise _fail(lesson, section, f"the epoch cannot run: {err.message}", "data") from None
        if run.stop is not None:
            raise _fail(lesson, section, f"the epoch does not finish: {tr(run.stop, 'en')}", "learning_rate")
        after, loss = run.params[-1], sp.Float(run.losses[-1])
    n = len(data.x)
    table = _data_table(model.input, data.x, data.y) if n <= TABLE_ROWS else None
    words = _epoch_words(part)
    en = (
        f"The model $y_1 = {_model_tex(model)}$ starts at ${_params_tex(start)}$ and is trained with "
        f"{words['en']}, $\\eta = {tex(lr)}$, on the {n} samples"
    )
    zh = f"模型 $y_1 = {_model_tex(model)}$ 从 ${_params_tex(start)}$ 出发，在这 {n} 个样本上以 $\\eta = {tex(lr)}$ 做{words['zh']}"
    ask_en = "What is the loss (the mean squared error over all the samples) after the epoch?"
    ask_zh = "这一轮之后的损失（全部样本上的均方误差）是多少？"
    prompt = (
        both(f"{en}:\n\n{table['en']}\n\n{ask_en}", f"{zh}：\n\n{table['zh']}\n\n{ask_zh}")
        if table
        else both(f"{en} of the section. {ask_en}", f"{zh}。{ask_zh}")
    )
    solution = both(
        f"After the epoch ${_params_tex(after)}$, so the loss is "
        f"$\\frac{{1}}{{{n}}}\\sum_i (y_{{1,i}} - y_i)^2 = {tex(loss)}$.",
        f"这一轮之后 ${_params_tex(after)}$，所以损失为 $\\frac{{1}}{{{n}}}\\sum_i (y_{{1,i}} - y_i)^2 = {tex(loss)}$。",
    )
    return loss, prompt, solution


def _quantity(section: Ask, part: Part, lesson: Lesson) -> tuple[Any, Text, Text]:
    """(the exact answer, the default prompt, the worked solution) of an ``ask:`` part."""
    if part.ask == "loss_after_epoch":
        return _loss_after_epoch(section, part, lesson)
    fn = _needed(section.function, lesson, section, "function")
    f, names = fn.expr, fn.variables
    f_tex = f"${_function_tex(f, names)}$"
    ask = part.ask
    if ask in ("value", "derivative"):
        point = part.at or {}
        values = tuple(point[v] for v in names)
        where = f"${_point_tex(names, values)}$"
        if ask == "value":
            value = calculus.evaluate(f, point, what="f")
            return (
                value,
                both(f"For {f_tex}, what is f at {where}?", f"对于 {f_tex}，f 在 {where} 处的值是多少？"),
                both(f"$f = {tex(value)}$ at {where}.", f"在 {where} 处 $f = {tex(value)}$。"),
            )
        grad = calculus.evaluate_vector(calculus.gradient(f, names), point)
        value = _one(grad)
        name = "f'" if len(names) == 1 else r"\nabla f"
        return (
            value,
            both(f"For {f_tex}, what is ${name}$ at {where}?", f"对于 {f_tex}，${name}$ 在 {where} 处是多少？"),
            both(f"${name} = {tex(value)}$ at {where}.", f"在 {where} 处 ${name} = {tex(value)}$。"),
        )
    if ask in ("curvature", "stability_bound"):
        bound = calculus.safe_learning_rate(f, names, part.near)
        if bound is None:
            raise _fail(
                lesson, section, "f has no stability bound here (no minimum with positive curvature)", "function"
            )
        where = (
            ""
            if bound.scope == "quadratic" or bound.at is None
            else f" near the minimum at ${_point_tex(names, tuple(bound.at.values()))}$"
        )
        zh_where = (
            ""
            if bound.scope == "quadratic" or bound.at is None
            else f"（在极小值点 ${_point_tex(names, tuple(bound.at.values()))}$ 附近）"
        )
        solution = both(
            f"The largest curvature is $L = {tex(bound.curvature)}${where}, so $2/L = {tex(bound.bound)}$.",
            f"最大曲率 $L = {tex(bound.curvature)}${zh_where}，所以 $2/L = {tex(bound.bound)}$。",
        )
        if ask == "curvature":
            return (
                bound.curvature,
                both(f"For {f_tex}, what is the largest curvature $L$?", f"对于 {f_tex}，最大曲率 $L$ 是多少？"),
                solution,
            )
        return (
            bound.bound,
            both(
                f"For {f_tex}, what is the stability bound $2/L$ on the learning rate?",
                f"对于 {f_tex}，学习率的稳定上界 $2/L$ 是多少？",
            ),
            solution,
        )
    if ask == "stationary_points":
        found = calculus.stationary_points(f, names)
        if not found:
            raise _fail(lesson, section, "f has no stationary points the engine can find", "function")
        xs = tuple(p.point[names[0]] for p in found)
        kinds = ", ".join(f"${tex(x)}$ ({p.kind})" for x, p in zip(xs, found))
        return (
            _one(xs),
            both(
                f"For {f_tex}, where is $f'(x) = 0$? Give every stationary point, smallest first.",
                f"对于 {f_tex}，$f'(x) = 0$ 在哪里？请从小到大给出所有驻点。",
            ),
            both(f"$f'(x) = 0$ at {kinds}.", f"$f'(x) = 0$ 的点：{kinds}。"),
        )
    start = tuple(_needed(section.start, lesson, section, "start")[v] for v in names)
    lr = _needed(section.learning_rate, lesson, section, "learning_rate")
    if ask == "minimum_reached":
        run = descent.run(f, names, start, lr, steps=section.max_steps, until=(f"tol:{SETTLED}",), exact=False)
        if run.stop.reason not in ("zero_gradient", "tolerance") or run.final is None:
            raise _fail(
                lesson, section, f"the run does not settle in {section.max_steps} steps: {run.stop.message}", "start"
            )
        end = [float(v) for v in run.final.point]
        minima = [p for p in calculus.stationary_points(f, names) if p.kind == "minimum"]
        if not minima:
            raise _fail(lesson, section, "the engine cannot find the minimum this run reaches", "function")
        best = min(minima, key=lambda p: sum((float(p.point[v]) - e) ** 2 for v, e in zip(names, end)))
        value = _one(tuple(best.point.values()))
        return (
            value,
            both(
                f"Gradient descent on {f_tex} starts at ${_point_tex(names, start)}$ with $\\eta = {tex(lr)}$. "
                "Which minimum does it reach?",
                f"在 {f_tex} 上从 ${_point_tex(names, start)}$ 出发、$\\eta = {tex(lr)}$ 做梯度下降，会到达哪个极小值点？",
            ),
            both(
                f"The run settles at step {run.stop.k} near the minimum at ${_point_tex(names, tuple(best.point.values()))}$.",
                f"迭代在第 {run.stop.k} 步稳定在极小值点 ${_point_tex(names, tuple(best.point.values()))}$ 附近。",
            ),
        )
    if ask == "steps_to_tolerance":
        below = _needed(part.below, lesson, section, "below")
        run = descent.run(f, names, start, lr, steps=section.max_steps, until=(f"tol:{float(below)!r}",), exact=False)
        if run.stop.reason not in ("tolerance", "zero_gradient"):
            raise _fail(
                lesson,
                section,
                f"|f'| does not fall to {sp.sstr(below)} within {section.max_steps} steps: {run.stop.message}",
                "max_steps",
            )
        k = sp.Integer(run.stop.k)
        size = "|f'(x)|" if len(names) == 1 else "|\\partial f/\\partial v|"
        return (
            k,
            both(
                f"Gradient descent on {f_tex} starts at ${_point_tex(names, start)}$ with $\\eta = {tex(lr)}$. "
                f"After how many steps is ${size} \\le {tex(below)}$ for the first time?",
                f"在 {f_tex} 上从 ${_point_tex(names, start)}$ 出发、$\\eta = {tex(lr)}$ 做梯度下降，"
                f"第几步时 ${size} \\le {tex(below)}$ 首次成立？",
            ),
            both(f"At step {k}: {run.stop.message}.", f"第 {k} 步：{run.stop.message}。"),
        )
    raise _fail(lesson, section, f"unknown quantity to ask: {ask}")


def _choice_part(i: int, j: int, part: Part) -> Question:
    keys = _letters(len(part.options))
    right = next(k for k, o in zip(keys, part.options) if o.correct)
    explained = tuple(
        Feedback(key, option.explain, option.where)
        for key, option in zip(keys, part.options)
        if option.explain is not None and not option.correct
    )
    chosen = next(o for o in part.options if o.correct)
    solution = chosen.explain or both(f"The answer is ({right}).", f"答案是 ({right})。")
    help_ = Help(part.help.hints, part.help.solution or solution, part.help.feedback + explained)
    return Question(
        id=f"s{i}.p{j + 1}",
        kind="choice",
        prompt=part.prompt or both("Which is it?", "是哪一个？"),
        expected=right,
        skill="question",
        choices=tuple(Choice(k, o.text) for k, o in zip(keys, part.options)),
        help=help_,
    )


def _question(i: int, section: Ask, lesson: Lesson) -> list[Step]:
    questions: list[Question] = []
    truth: dict[str, Any] = {}  # part name -> its exact answer
    ids: dict[str, str] = {}
    for j, part in enumerate(section.parts):
        qid = f"s{i}.p{j + 1}"
        if part.options:
            question = _choice_part(i, j, part)
        else:
            formula, depends, given, labels = None, {}, {}, {}
            if part.ask is not None:
                try:
                    expected, prompt, solution = _quantity(section, part, lesson)
                except MathError as err:
                    raise _fail(lesson, section, f"part {j + 1}: {err.message}", "parts") from None
            else:
                if any(isinstance(truth[n], tuple) for n in part.uses):
                    raise _fail(lesson, section, f"part {j + 1}: a formula can only use parts that are one number")
                answer = _needed(part.answer, lesson, section, "parts")
                bindings = {symbol(n): truth[n] for n in part.uses}
                expected = sp.nsimplify(answer.xreplace(bindings)) if bindings else answer
                if part.uses:
                    formula = answer.xreplace({symbol(n): placeholder(n) for n in part.uses})
                    depends = {n: ids[n] for n in part.uses}
                    given = {n: truth[n] for n in part.uses}
                    labels = {
                        n: both(
                            f"your answer to part {list(ids).index(n) + 1}", f"你第 {list(ids).index(n) + 1} 部分的答案"
                        )
                        for n in part.uses
                    }
                prompt = both("What is it?", "它是多少？")
                values = ", ".join(f"${n} = {tex(truth[n])}$" for n in part.uses)
                solution = both(
                    f"${sp.latex(part.answer)} = {tex(expected)}$" + (f" with {values}." if values else "."),
                    f"${sp.latex(part.answer)} = {tex(expected)}$" + (f"，其中 {values}。" if values else "。"),
                )
            kind = "vector" if isinstance(expected, tuple) else "number"
            question = Question(
                id=qid,
                kind=kind,
                prompt=part.prompt or prompt,
                expected=expected,
                skill="question",
                tolerance=part.tolerance,
                help=_with_solution(part.help, solution),
                formula=formula,
                depends=depends,
                given=given,
                labels=labels,
            )
        if part.name:
            truth[part.name] = question.expected
            ids[part.name] = qid
        questions.append(question)
    title = section.title or both("A question", "问题")
    fn = section.function
    payload = QuestionPayload(fn.expr, tuple(fn.variables)) if fn else QuestionPayload()
    return [Step(f"s{i}", i, title, section.text or "", payload, tuple(questions), None)]
