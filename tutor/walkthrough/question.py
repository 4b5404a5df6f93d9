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
from tutor.analysis import POINT_KINDS
from tutor.calculus import MathError
from tutor.i18n import _
from tutor.lesson.model import Ask, Feedback, Help, Lesson, Part
from tutor.mathinput import symbol
from tutor.text import Text
from tutor.walkthrough.contract import QuestionPayload
from tutor.walkthrough.latex import _function_tex, _point_tex, tex
from tutor.walkthrough.shared import _fail, _one, _with_solution
from tutor.walkthrough.steps import Choice, Question, Step, placeholder
from tutor.walkthrough.training_steps import _data_table, _model_tex, _params_tex

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


def _epoch_words(part: Part) -> str:
    if part.descent == "batch":
        return _("one epoch of batch gradient descent (one update with every sample)")
    if part.descent == "stochastic":
        return _("one epoch of stochastic gradient descent (one sample per update, shuffled with seed {seed})").format(
            seed=part.seed
        )
    return _("one epoch of mini-batch gradient descent (batches of {batch_size}, shuffled with seed {seed})").format(
        batch_size=part.batch_size, seed=part.seed
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
            raise _fail(
                lesson, section, _("the epoch cannot run: {message}").format(message=err.message), "data"
            ) from None
        if run.stop is not None:
            raise _fail(lesson, section, _("the epoch does not finish: {why}").format(why=run.stop), "learning_rate")
        after, loss = run.params[-1], sp.Float(run.losses[-1])
    n = len(data.x)
    table = _data_table(model.input, data.x, data.y) if n <= TABLE_ROWS else None
    words = _epoch_words(part)
    values = dict(model=_model_tex(model), start=_params_tex(start), epoch=words, lr=tex(lr), n=n)
    ask = _("What is the loss (the mean squared error over all the samples) after the epoch?")
    if table:
        prompt = _(
            "The model $y_1 = {model}$ starts at ${start}$ and is trained with {epoch}, $\\eta = {lr}$, "
            "on the {n} samples:\n\n{table}\n\n{ask}"
        ).format(**values, table=table, ask=ask)
    else:
        prompt = _(
            "The model $y_1 = {model}$ starts at ${start}$ and is trained with {epoch}, $\\eta = {lr}$, "
            "on the {n} samples of the section. {ask}"
        ).format(**values, ask=ask)
    solution = _(
        "After the epoch ${params}$, so the loss is $\\frac{{1}}{{{n}}}\\sum_i (y_{{1,i}} - y_i)^2 = {loss}$."
    ).format(params=_params_tex(after), n=n, loss=tex(loss))
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
                _("For {f}, what is f at {where}?").format(f=f_tex, where=where),
                _("$f = {value}$ at {where}.").format(value=tex(value), where=where),
            )
        grad = calculus.evaluate_vector(calculus.gradient(f, names), point)
        value = _one(grad)
        name = "f'" if len(names) == 1 else r"\nabla f"
        return (
            value,
            _("For {f}, what is ${name}$ at {where}?").format(f=f_tex, name=name, where=where),
            _("${name} = {value}$ at {where}.").format(name=name, value=tex(value), where=where),
        )
    if ask in ("curvature", "stability_bound"):
        bound = calculus.safe_learning_rate(f, names, part.near)
        if bound is None:
            raise _fail(
                lesson, section, _("f has no stability bound here (no minimum with positive curvature)"), "function"
            )
        where = (
            ""
            if bound.scope == "quadratic" or bound.at is None
            else _(" near the minimum at ${point}$").format(point=_point_tex(names, tuple(bound.at.values())))
        )
        solution = _("The largest curvature is $L = {L}${where}, so $2/L = {bound}$.").format(
            L=tex(bound.curvature), where=where, bound=tex(bound.bound)
        )
        if ask == "curvature":
            return (
                bound.curvature,
                _("For {f}, what is the largest curvature $L$?").format(f=f_tex),
                solution,
            )
        return (
            bound.bound,
            _("For {f}, what is the stability bound $2/L$ on the learning rate?").format(f=f_tex),
            solution,
        )
    if ask == "stationary_points":
        found = calculus.stationary_points(f, names)
        if not found:
            raise _fail(lesson, section, _("f has no stationary points the engine can find"), "function")
        xs = tuple(p.point[names[0]] for p in found)
        kinds = ", ".join(f"${tex(x)}$ ({_(POINT_KINDS[p.kind])})" for x, p in zip(xs, found))
        return (
            _one(xs),
            _("For {f}, where is $f'(x) = 0$? Give every stationary point, smallest first.").format(f=f_tex),
            _("$f'(x) = 0$ at {points}.").format(points=kinds),
        )
    start = tuple(_needed(section.start, lesson, section, "start")[v] for v in names)
    lr = _needed(section.learning_rate, lesson, section, "learning_rate")
    if ask == "minimum_reached":
        run = descent.run(f, names, start, lr, steps=section.max_steps, until=(f"tol:{SETTLED}",), exact=False)
        if run.stop.reason not in ("zero_gradient", "tolerance") or run.final is None:
            raise _fail(
                lesson,
                section,
                _("the run does not settle in {steps} steps: {message}").format(
                    steps=section.max_steps, message=run.stop.message
                ),
                "start",
            )
        end = [float(v) for v in run.final.point]
        minima = [p for p in calculus.stationary_points(f, names) if p.kind == "minimum"]
        if not minima:
            raise _fail(lesson, section, _("the engine cannot find the minimum this run reaches"), "function")
        best = min(minima, key=lambda p: sum((float(p.point[v]) - e) ** 2 for v, e in zip(names, end)))
        value = _one(tuple(best.point.values()))
        return (
            value,
            _("Gradient descent on {f} starts at ${start}$ with $\\eta = {lr}$. Which minimum does it reach?").format(
                f=f_tex, start=_point_tex(names, start), lr=tex(lr)
            ),
            _("The run settles at step {k} near the minimum at ${point}$.").format(
                k=run.stop.k, point=_point_tex(names, tuple(best.point.values()))
            ),
        )
    if ask == "steps_to_tolerance":
        below = _needed(part.below, lesson, section, "below")
        run = descent.run(f, names, start, lr, steps=section.max_steps, until=(f"tol:{float(below)!r}",), exact=False)
        if run.stop.reason not in ("tolerance", "zero_gradient"):
            raise _fail(
                lesson,
                section,
                _("|f'| does not fall to {below} within {steps} steps: {message}").format(
                    below=sp.sstr(below), steps=section.max_steps, message=run.stop.message
                ),
                "max_steps",
            )
        k = sp.Integer(run.stop.k)
        size = "|f'(x)|" if len(names) == 1 else "|\\partial f/\\partial v|"
        return (
            k,
            _(
                "Gradient descent on {f} starts at ${start}$ with $\\eta = {lr}$. "
                "After how many steps is ${size} \\le {below}$ for the first time?"
            ).format(f=f_tex, start=_point_tex(names, start), lr=tex(lr), size=size, below=tex(below)),
            _("At step {k}: {message}.").format(k=k, message=run.stop.message),
        )
    raise _fail(lesson, section, _("unknown quantity to ask: {ask}").format(ask=ask))


def _choice_part(i: int, j: int, part: Part) -> Question:
    keys = _letters(len(part.options))
    right = next(k for k, o in zip(keys, part.options) if o.correct)
    explained = tuple(
        Feedback(key, option.explain, option.where)
        for key, option in zip(keys, part.options)
        if option.explain is not None and not option.correct
    )
    chosen = next(o for o in part.options if o.correct)
    solution = chosen.explain or _("The answer is ({right}).").format(right=right)
    help_ = Help(part.help.hints, part.help.solution or solution, part.help.feedback + explained)
    return Question(
        id=f"s{i}.p{j + 1}",
        kind="choice",
        prompt=part.prompt or _("Which is it?"),
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
                    raise _fail(
                        lesson, section, _("part {j}: {message}").format(j=j + 1, message=err.message), "parts"
                    ) from None
            else:
                if any(isinstance(truth[n], tuple) for n in part.uses):
                    raise _fail(
                        lesson, section, _("part {j}: a formula can only use parts that are one number").format(j=j + 1)
                    )
                answer = _needed(part.answer, lesson, section, "parts")
                bindings = {symbol(n): truth[n] for n in part.uses}
                expected = sp.nsimplify(answer.xreplace(bindings)) if bindings else answer
                if part.uses:
                    formula = answer.xreplace({symbol(n): placeholder(n) for n in part.uses})
                    depends = {n: ids[n] for n in part.uses}
                    given = {n: truth[n] for n in part.uses}
                    labels = {n: _("your answer to part {j}").format(j=list(ids).index(n) + 1) for n in part.uses}
                prompt = _("What is it?")
                values = ", ".join(f"${n} = {tex(truth[n])}$" for n in part.uses)
                formula_tex = f"${sp.latex(part.answer)} = {tex(expected)}$"
                solution = (
                    _("{formula} with {values}.").format(formula=formula_tex, values=values)
                    if values
                    else _("{formula}.").format(formula=formula_tex)
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
    title = section.title or _("A question")
    fn = section.function
    payload = QuestionPayload(fn.expr, tuple(fn.variables)) if fn else QuestionPayload()
    return [Step(f"s{i}", i, title, section.text or "", payload, tuple(questions), None)]
