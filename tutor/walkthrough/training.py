"""Training sections: one weight update of a model by hand, and batch vs stochastic vs mini-batch.

The numbers come from :mod:`tutor.training` (imported when a training
section is built); here they become the article's four steps (predict,
loss, gradient, update) as questions and worked solutions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import sympy as sp

from tutor.lesson.model import TRAINING_QUESTIONS, BatchCompare, Lesson, RegressionModel, TrainingStep
from tutor.mathinput import symbol
from tutor.text import Text, both
from tutor.walkthrough.contract import BatchPayload, DataUse, TrainingContext, TrainingPayload
from tutor.walkthrough.latex import tex, tex_factor, tex_in
from tutor.walkthrough.model import Question, Step, _sympy, placeholders
from tutor.walkthrough.shared import (
    _component,
    _fail,
    _join,
    _kind,
    _lines,
    _one,
    _one_formula,
    _partials,
    _with_solution,
)


class _Carried(TypedDict):
    """A question's error-carried-forward fields (see :class:`~tutor.walkthrough.model.Question`)."""

    depends: dict[str, str]
    given: dict[str, Any]
    labels: dict[str, Text]


def _carried(name: str, source: str | None, value: Any, label: Text) -> _Carried:
    """The error-carried-forward fields of a question whose formula symbol ``name`` is an earlier answer.

    ``source`` is the question that answer comes from (None: the learner was not asked it,
    so the true ``value`` is expected and nothing is carried).
    """
    if not source:
        return {"depends": {}, "given": {}, "labels": {}}
    return {"depends": {name: source}, "given": {name: value}, "labels": {name: label}}


def _training_context(
    model: RegressionModel,
    xs: Sequence[Any],
    ys: Sequence[Any],
    params: Mapping[str, Any],
    lr: Any,
    samples: Sequence[int],
    kind: str | None = None,
) -> TrainingContext:
    return TrainingContext(
        model.expr, tuple(model.parameters), model.input, tuple(xs), tuple(ys), dict(params), lr, tuple(samples), kind
    )


def _training(i: int, section: TrainingStep, lesson: Lesson) -> list[Step]:
    from tutor import training

    model, data = section.model, section.data
    xs, ys = tuple(data.x), tuple(data.y)
    names = model.parameters
    k = len(names)
    lr = section.learning_rate
    missing = [p for p in names if p not in section.start]
    if missing:
        raise _fail(lesson, section, f"the start needs a value for {', '.join(missing)}", "start")
    params = {p: section.start[p] for p in names}
    update = training.one_update(model.expr, names, model.input, xs, ys, params, lr, samples=section.samples)
    used = update.samples
    m = len(used)
    sid = f"s{i}"
    preds = _sympy(update.predictions)
    grad = _sympy(update.gradient)
    new = _sympy(tuple(update.next_params[p] for p in names))
    x = symbol(model.input)
    context = _training_context(model, xs, ys, params, lr, used)
    asked = [q for q in TRAINING_QUESTIONS if q in section.ask]

    p_from = f"{sid}.predict" if "predict" in asked else None
    g_from = f"{sid}.gradient" if "gradient" in asked else None
    label_p = both("your predictions y1", "你算出的预测值 y1")
    label_g = both("your gradient", "你算出的梯度")

    # symbols for the learner's predictions and gradient
    p_syms = placeholders("y1", m) if p_from else _one(preds)
    p_list = p_syms if isinstance(p_syms, tuple) else (p_syms,)
    g_syms = placeholders("grad", k) if g_from else _one(grad)
    g_list = g_syms if isinstance(g_syms, tuple) else (g_syms,)
    targets = [ys[j] for j in used]
    inputs = [xs[j] for j in used]
    point_subs = {symbol(p): params[p] for p in names}
    slopes = [[sp.diff(model.expr, symbol(p)).xreplace({**point_subs, x: xs[j]}) for p in names] for j in used]

    lines_predict = _predict_lines(model, params, inputs, preds)
    lines_loss = _loss_lines(preds, targets, update.loss)
    lines_grad = _gradient_lines(names, preds, targets, slopes, grad)
    lines_update = _update_lines(names, params, lr, grad, new)

    questions: list[Question] = []
    if "predict" in asked:
        questions.append(
            Question(
                id=f"{sid}.predict",
                kind=_kind(m),
                prompt=both(
                    f"Step 1, predict: with ${_params_tex(params)}$, what does the model ${_model_tex(model)}$ predict (y1) for "
                    + ("the sample" if m == 1 else "each sample")
                    + f" ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$?",
                    f"第 1 步，预测：在 ${_params_tex(params)}$ 时，模型 ${_model_tex(model)}$ 对"
                    + ("这个样本" if m == 1 else "每个样本")
                    + f" ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$ 的预测值 y1 是多少？",
                ),
                expected=_one(preds),
                skill="training",
                help=_with_solution(section.help.get("predict"), _lines(lines_predict)),
                context=context,
                parts=tuple(both(f"the prediction for sample {j}", f"样本 {j} 的预测值") for j in used)
                if m > 1
                else (),
            )
        )
    if "loss" in asked:
        formula = None
        if p_from:
            formula = sp.Add(*[(a - b) ** 2 for a, b in zip(p_list, targets)]) / m
        questions.append(
            Question(
                id=f"{sid}.loss",
                kind="number",
                prompt=both(
                    f"Step 2, the loss: what is the mean squared error $L = \\frac{{1}}{{n}}\\sum (y_1 - y)^2$ of the predictions against $y = {tex(_one(_sympy(tuple(targets))))}$?",
                    f"第 2 步，损失函数：预测值与 $y = {tex(_one(_sympy(tuple(targets))))}$ 的均方误差 $L = \\frac{{1}}{{n}}\\sum (y_1 - y)^2$ 是多少？",
                ),
                expected=_sympy(update.loss),
                skill="training",
                help=_with_solution(section.help.get("loss"), _lines(lines_loss)),
                formula=formula,
                **_carried("y1", p_from, _one(preds), label_p),
                context=context,
            )
        )
    if "gradient" in asked:
        formula = None
        if p_from:
            formula = _one_formula(
                tuple(sp.Add(*[2 * (a - b) * s[c] for a, b, s in zip(p_list, targets, slopes)]) / m for c in range(k))
            )
        partials = ", ".join(rf"\partial L/\partial {p}" for p in names)
        questions.append(
            Question(
                id=f"{sid}.gradient",
                kind=_kind(k),
                prompt=both(
                    f"Step 3, the gradient: what is $\\left({partials}\\right)$ at ${_params_tex(params)}$?",
                    f"第 3 步，梯度：在 ${_params_tex(params)}$ 处，损失函数的梯度 $\\left({partials}\\right)$ 是多少？",
                ),
                expected=_one(grad),
                skill="training",
                help=_with_solution(section.help.get("gradient"), _lines(lines_grad)),
                formula=formula,
                **_carried("y1", p_from, _one(preds), label_p),
                context=context,
                parts=_partials(names, "L") if k > 1 else (),
            )
        )
    if "update" in asked:
        formula = None
        if g_from:
            formula = _one_formula(tuple(params[p] - lr * g for p, g in zip(names, g_list)))
        questions.append(
            Question(
                id=f"{sid}.update",
                kind=_kind(k),
                prompt=both(
                    f"Step 4, the update: with learning rate $\\eta = {tex(lr)}$, what are the new $\\left({', '.join(names)}\\right)$?",
                    f"第 4 步，更新：学习率 $\\eta = {tex(lr)}$，新的 $\\left({', '.join(names)}\\right)$ 是多少？",
                ),
                expected=_one(new),
                skill="training",
                help=_with_solution(section.help.get("update"), _lines(lines_update)),
                formula=formula,
                **_carried("grad", g_from, _one(grad), label_g),
                context=context,
                parts=tuple(_component(p) for p in names) if k > 1 else (),
            )
        )

    history = None
    if section.then_steps > 0:
        if section.samples is None or len(used) == len(xs):
            history = training.train(
                model.expr, names, model.input, xs, ys, params, lr, kind="batch", epochs=section.then_steps + 1
            )
        else:
            history = training.train(
                model.expr,
                names,
                model.input,
                xs,
                ys,
                dict(update.next_params),
                lr,
                kind="batch",
                epochs=section.then_steps,
            )
    payload = TrainingPayload(
        model=model.expr,
        parameters=tuple(names),
        input=model.input,
        xs=xs,
        ys=ys,
        params=params,
        predictions=tuple(update.predictions),
        loss=update.loss,
        gradient=tuple(update.gradient),
        next_params=update.next_params,
        samples=tuple(used),
        learning_rate=lr,
        history=history,
        data_use=data_use(len(xs), (("used", tuple(used)),)),
    )
    intro = both(
        f"One weight update of the model $y_1 = {_model_tex(model)}$ on "
        + (f"sample {used[0]}" if m == 1 else f"{m} samples")
        + ", in the article's four steps: predict, loss, gradient, update.",
        f"对模型 $y_1 = {_model_tex(model)}$ 在"
        + (f"样本 {used[0]}" if m == 1 else f" {m} 个样本")
        + " 上做一次权重更新，按文章的四步：预测、损失函数、梯度、更新。",
    )
    text = _join(section.text, intro)  # the data table is the views' (from data_use), its samples marked
    solution = _lines([*lines_predict, *lines_loss, *lines_grad, *lines_update])
    title = section.title or both("One weight update", "一次权重更新")
    return [Step(sid, i, title, text, payload, tuple(questions), solution)]


#: A data set longer than this lists only the samples a step uses in its table (and how many more there are).
DATA_ROWS = 12


def data_use(n: int, uses: tuple[tuple[str, tuple[int, ...]], ...]) -> DataUse:
    """The rows of a step's data table: every sample of a short data set, else the ones some update uses.

    A use of every sample (batch descent) does not pick rows; when no use picks
    any, the table starts at sample 0.  At most :data:`DATA_ROWS` rows are listed.
    """
    if n <= DATA_ROWS:
        return DataUse(tuple(range(n)), uses, n)
    picked = sorted({i for _, samples in uses if len(samples) < n for i in samples})
    return DataUse(tuple(picked[:DATA_ROWS] or range(DATA_ROWS)), uses, n)


def _model_tex(model: RegressionModel) -> str:
    return tex_in(model.expr, (*model.parameters, model.input))


def _params_tex(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{p} = {tex(_sympy(v))}" for p, v in params.items())


def _data_table(input: str, xs: Sequence[Any], ys: Sequence[Any]) -> dict[str, str]:
    rows = [f"| {j} | ${tex(_sympy(a))}$ | ${tex(_sympy(b))}$ |" for j, (a, b) in enumerate(zip(xs, ys))]
    head = f"| # | ${input}$ | $y$ |\n|---|---|---|"
    return both("\n".join([head, *rows]), "\n".join([head.replace("#", "序号"), *rows]))


def _predict_lines(
    model: RegressionModel, params: Mapping[str, Any], inputs: Sequence[Any], preds: Sequence[Any]
) -> list[tuple[str, str]]:
    values = ", ".join(f"{tex(p)}" for p in preds)
    line = f"$y_1 = {_model_tex(model)}$ at ${_params_tex(params)}$, ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$: $y_1 = {values}$."
    line_zh = f"$y_1 = {_model_tex(model)}$，代入 ${_params_tex(params)}$、${model.input} = {tex(_one(_sympy(tuple(inputs))))}$：$y_1 = {values}$。"
    return [(line, line_zh)]


def _loss_lines(preds: Sequence[Any], targets: Sequence[Any], loss: Any) -> list[tuple[str, str]]:
    m = len(preds)
    terms = " + ".join(f"({tex(p)} - {tex_factor(_sympy(t))})^2" for p, t in zip(preds, targets))
    line = f"$L = \\tfrac{{1}}{{{m}}}\\left({terms}\\right) = {tex(_sympy(loss))}$"
    return [(line, line)]


def _gradient_lines(
    names: Sequence[str], preds: Sequence[Any], targets: Sequence[Any], slopes: Sequence[Any], grad: Sequence[Any]
) -> list[tuple[str, str]]:
    m = len(preds)
    out = []
    for c, p in enumerate(names):
        terms = " + ".join(
            f"({tex(a)} - {tex_factor(_sympy(b))})\\cdot {tex_factor(_sympy(s[c]))}"
            for a, b, s in zip(preds, targets, slopes)
        )
        line = f"$\\frac{{\\partial L}}{{\\partial {p}}} = \\tfrac{{2}}{{{m}}}\\left({terms}\\right) = {tex(grad[c])}$"
        out.append((line, line))
    return out


def _update_lines(
    names: Sequence[str], params: Mapping[str, Any], lr: Any, grad: Sequence[Any], new: Sequence[Any]
) -> list[tuple[str, str]]:
    out = []
    for p, g, v in zip(names, grad, new):
        line = f"${p} \\leftarrow {p} - \\eta\\,\\frac{{\\partial L}}{{\\partial {p}}} = {tex(_sympy(params[p]))} - {tex(lr)}\\cdot {tex_factor(g)} = {tex(v)}$"
        out.append((line, line))
    return out


# --- batch vs stochastic vs mini-batch -------------------------------------------------------


BATCH_KINDS = ("batch", "stochastic", "minibatch")


def _batch(i: int, section: BatchCompare, lesson: Lesson) -> list[Step]:
    from tutor import training

    model, data = section.model, section.data
    xs, ys = tuple(data.x), tuple(data.y)
    names = model.parameters
    k = len(names)
    lr = section.learning_rate
    missing = [p for p in names if p not in section.start]
    if missing:
        raise _fail(lesson, section, f"the start needs a value for {', '.join(missing)}", "start")
    start = {p: section.start[p] for p in names}
    runs = training.compare_batches(
        model.expr,
        names,
        model.input,
        xs,
        ys,
        start,
        lr,
        batch_size=section.batch_size,
        epochs=section.epochs,
        seed=section.seed,
    )
    order = runs["stochastic"].order
    sid = f"s{i}"
    questions: list[Question] = []
    lines: list[tuple[str, str]] = []
    n = len(xs)
    kind_words = {
        "batch": ("Batch gradient descent", "批量梯度下降"),
        "stochastic": ("Stochastic gradient descent", "随机梯度下降"),
        "minibatch": (
            f"Mini-batch gradient descent (batch size {section.batch_size})",
            f"小批量梯度下降（批量大小 {section.batch_size}）",
        ),
    }
    for kind in BATCH_KINDS:
        first_updates = runs[kind].updates
        if not first_updates:
            continue
        used = first_updates[0].samples
        update = training.one_update(model.expr, names, model.input, xs, ys, start, lr, samples=used)
        new = _sympy(tuple(update.next_params[p] for p in names))
        grad = _sympy(update.gradient)
        en, zh = kind_words[kind]
        which_en = (
            "all samples"
            if len(used) == n
            else (f"sample {used[0]}" if len(used) == 1 else f"samples {', '.join(map(str, used))}")
        )
        which_zh = (
            "全部样本"
            if len(used) == n
            else (f"样本 {used[0]}" if len(used) == 1 else f"样本 {', '.join(map(str, used))}")
        )
        update_lines = _update_lines(names, start, lr, grad, new)
        lines.append(
            (
                f"**{en}**, first update on {which_en}: the gradient is ${tex(_one(grad))}$.",
                f"**{zh}**，第一次更新用{which_zh}：梯度是 ${tex(_one(grad))}$。",
            )
        )
        lines.extend(update_lines)
        if section.by_hand:
            first_en = " (the first in the shuffled order)" if kind != "batch" else ""
            first_zh = "（打乱后的顺序中的第一批）" if kind != "batch" else ""
            questions.append(
                Question(
                    id=f"{sid}.{kind}",
                    kind=_kind(k),
                    prompt=both(
                        f"{en}: the first update uses {which_en}{first_en}. Starting from ${_params_tex(start)}$ with $\\eta = {tex(lr)}$, "
                        f"what are $\\left({', '.join(names)}\\right)$ after it?",
                        f"{zh}：第一次更新用{which_zh}{first_zh}。从 ${_params_tex(start)}$ 出发，$\\eta = {tex(lr)}$，"
                        f"更新后的 $\\left({', '.join(names)}\\right)$ 是多少？",
                    ),
                    expected=_one(new),
                    skill="batch",
                    help=_with_solution(section.help.get("update"), _lines(update_lines)),
                    context=_training_context(model, xs, ys, start, lr, used, kind),
                    parts=tuple(_component(p) for p in names) if k > 1 else (),
                )
            )
    finals = []
    for kind in BATCH_KINDS:
        run = runs[kind]
        finals.append((kind_words[kind], len(run.updates), run.losses[-1] if run.losses else None))
    lines.append(
        (
            f"After {section.epochs} epochs: "
            + "; ".join(f"{w[0]}: {u} updates, loss {loss:.6g}" for w, u, loss in finals if loss is not None)
            + ".",
            f"{section.epochs} 轮之后："
            + "；".join(f"{w[1]}：{u} 次更新，损失 {loss:.6g}" for w, u, loss in finals if loss is not None)
            + "。",
        )
    )
    payload = BatchPayload(
        model=model.expr,
        parameters=tuple(names),
        input=model.input,
        xs=xs,
        ys=ys,
        start=start,
        learning_rate=lr,
        batch_size=section.batch_size,
        epochs=section.epochs,
        seed=section.seed,
        runs=runs,
        order=order,
        data_use=data_use(
            n, tuple((kind, tuple(runs[kind].updates[0].samples)) for kind in BATCH_KINDS if runs[kind].updates)
        ),
    )
    intro = both(
        f"Three ways to update on the same {n} samples, from the same start and with the same shuffle (seed {section.seed}): "
        f"batch gradient descent uses all samples in each update; stochastic gradient descent one sample at a time; "
        f"mini-batch gradient descent {section.batch_size} samples at a time. The shuffled order is {', '.join(map(str, order))}.",
        f"在同样的 {n} 个样本上、从同一个起点、用同样的打乱顺序（种子 {section.seed}）比较三种更新方式："
        f"批量梯度下降每次更新用全部样本；随机梯度下降每次用一个样本；小批量梯度下降每次用 {section.batch_size} 个样本。"
        f"打乱后的顺序是 {', '.join(map(str, order))}。",
    )
    text = _join(section.text, intro)  # the data table is the views' (from data_use), its samples marked
    title = section.title or both("Batch, stochastic and mini-batch", "批量、随机与小批量梯度下降")
    return [Step(sid, i, title, text, payload, tuple(questions), _lines(lines))]
