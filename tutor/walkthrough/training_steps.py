"""Training sections: one weight update of a model by hand, and batch vs stochastic vs mini-batch.

The numbers come from :mod:`tutor.training` (imported when a training
section is built); here they become the article's four steps (predict,
loss, gradient, update) as questions and worked solutions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import sympy as sp

from tutor.i18n import _
from tutor.lesson.model import TRAINING_QUESTIONS, BatchCompare, Lesson, RegressionModel, TrainingStep
from tutor.mathinput import symbol
from tutor.text import Text
from tutor.walkthrough.contract import BatchPayload, DataUse, TrainingContext, TrainingPayload
from tutor.walkthrough.latex import tex, tex_factor, tex_in
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
from tutor.walkthrough.steps import Question, Step, _sympy, placeholders


class _Carried(TypedDict):
    """A question's error-carried-forward fields (see :class:`~tutor.walkthrough.steps.Question`)."""

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


def _start(section: TrainingStep | BatchCompare, lesson: Lesson) -> dict[str, Any]:
    """The section's starting parameters, in the model's order; an error naming any the start leaves out."""
    names = section.model.parameters
    missing = [p for p in names if p not in section.start]
    if missing:
        raise _fail(
            lesson, section, _("the start needs a value for {missing}").format(missing=", ".join(missing)), "start"
        )
    return {p: section.start[p] for p in names}


def _training(i: int, section: TrainingStep, lesson: Lesson) -> list[Step]:
    from tutor import training

    model, data = section.model, section.data
    xs, ys = tuple(data.x), tuple(data.y)
    names = model.parameters
    k = len(names)
    lr = section.learning_rate
    params = _start(section, lesson)
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
    label_p = _("your predictions y1")
    label_g = _("your gradient")

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
                prompt=(
                    _(
                        "Step 1, predict: with ${params}$, what does the model ${model}$ predict (y1) for the sample "
                        "${input} = {inputs}$?"
                    )
                    if m == 1
                    else _(
                        "Step 1, predict: with ${params}$, what does the model ${model}$ predict (y1) for each sample "
                        "${input} = {inputs}$?"
                    )
                ).format(
                    params=_params_tex(params),
                    model=_model_tex(model),
                    input=model.input,
                    inputs=tex(_one(_sympy(tuple(inputs)))),
                ),
                expected=_one(preds),
                skill="training",
                help=_with_solution(section.help.get("predict"), _lines(lines_predict)),
                context=context,
                parts=tuple(_("the prediction for sample {j}").format(j=j) for j in used) if m > 1 else (),
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
                prompt=_(
                    "Step 2, the loss: what is the mean squared error $L = \\frac{{1}}{{n}}\\sum (y_1 - y)^2$ of the predictions against $y = {tex}$?"
                ).format(tex=tex(_one(_sympy(tuple(targets))))),
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
                prompt=_("Step 3, the gradient: what is $\\left({partials}\\right)$ at ${params}$?").format(
                    partials=partials, params=_params_tex(params)
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
                prompt=_(
                    "Step 4, the update: with learning rate $\\eta = {lr}$, what are the new $\\left({names}\\right)$?"
                ).format(lr=tex(lr), names=", ".join(names)),
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
    intro = (
        _(
            "One weight update of the model $y_1 = {model}$ on sample {sample}, in the article's four steps: predict, loss, gradient, update."
        )
        if m == 1
        else _(
            "One weight update of the model $y_1 = {model}$ on {m} samples, in the article's four steps: predict, loss, gradient, update."
        )
    ).format(model=_model_tex(model), sample=used[0], m=m)
    text = _join(section.text, intro)  # the data table is the views' (from data_use), its samples marked
    solution = _lines([*lines_predict, *lines_loss, *lines_grad, *lines_update])
    title = section.title or _("One weight update")
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


def _data_table(input: str, xs: Sequence[Any], ys: Sequence[Any]) -> str:
    rows = [f"| {j} | ${tex(_sympy(a))}$ | ${tex(_sympy(b))}$ |" for j, (a, b) in enumerate(zip(xs, ys))]
    head = f"| # | ${input}$ | $y$ |\n|---|---|---|"
    return "\n".join([head.replace("#", _("#")), *rows])


def _predict_lines(
    model: RegressionModel, params: Mapping[str, Any], inputs: Sequence[Any], preds: Sequence[Any]
) -> list[str]:
    values = ", ".join(f"{tex(p)}" for p in preds)
    line = _("$y_1 = {model}$ at ${params}$, ${input} = {inputs}$: $y_1 = {values}$.").format(
        model=_model_tex(model),
        params=_params_tex(params),
        input=model.input,
        inputs=tex(_one(_sympy(tuple(inputs)))),
        values=values,
    )
    return [line]


def _loss_lines(preds: Sequence[Any], targets: Sequence[Any], loss: Any) -> list[str]:
    m = len(preds)
    terms = " + ".join(f"({tex(p)} - {tex_factor(_sympy(t))})^2" for p, t in zip(preds, targets))
    line = f"$L = \\tfrac{{1}}{{{m}}}\\left({terms}\\right) = {tex(_sympy(loss))}$"
    return [line]


def _gradient_lines(
    names: Sequence[str], preds: Sequence[Any], targets: Sequence[Any], slopes: Sequence[Any], grad: Sequence[Any]
) -> list[str]:
    m = len(preds)
    out = []
    for c, p in enumerate(names):
        terms = " + ".join(
            f"({tex(a)} - {tex_factor(_sympy(b))})\\cdot {tex_factor(_sympy(s[c]))}"
            for a, b, s in zip(preds, targets, slopes)
        )
        line = f"$\\frac{{\\partial L}}{{\\partial {p}}} = \\tfrac{{2}}{{{m}}}\\left({terms}\\right) = {tex(grad[c])}$"
        out.append(line)
    return out


def _update_lines(
    names: Sequence[str], params: Mapping[str, Any], lr: Any, grad: Sequence[Any], new: Sequence[Any]
) -> list[str]:
    out = []
    for p, g, v in zip(names, grad, new):
        line = f"${p} \\leftarrow {p} - \\eta\\,\\frac{{\\partial L}}{{\\partial {p}}} = {tex(_sympy(params[p]))} - {tex(lr)}\\cdot {tex_factor(g)} = {tex(v)}$"
        out.append(line)
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
    start = _start(section, lesson)
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
    lines: list[str] = []
    n = len(xs)
    kind_words = {
        "batch": _("Batch gradient descent"),
        "stochastic": _("Stochastic gradient descent"),
        "minibatch": _("Mini-batch gradient descent (batch size {batch_size})").format(batch_size=section.batch_size),
    }
    for kind in BATCH_KINDS:
        first_updates = runs[kind].updates
        if not first_updates:
            continue
        used = first_updates[0].samples
        update = training.one_update(model.expr, names, model.input, xs, ys, start, lr, samples=used)
        new = _sympy(tuple(update.next_params[p] for p in names))
        grad = _sympy(update.gradient)
        name = kind_words[kind]
        which = (
            _("all samples")
            if len(used) == n
            else _("sample {j}").format(j=used[0])
            if len(used) == 1
            else _("samples {js}").format(js=", ".join(map(str, used)))
        )
        update_lines = _update_lines(names, start, lr, grad, new)
        lines.append(
            _("**{name}**, first update on {which}: the gradient is ${gradient}$.").format(
                name=name, which=which, gradient=tex(_one(grad))
            )
        )
        lines.extend(update_lines)
        if section.by_hand:
            first = _(" (the first in the shuffled order)") if kind != "batch" else ""
            questions.append(
                Question(
                    id=f"{sid}.{kind}",
                    kind=_kind(k),
                    prompt=_(
                        "{name}: the first update uses {which}{first}. Starting from ${start}$ with $\\eta = {lr}$, "
                        "what are $\\left({names}\\right)$ after it?"
                    ).format(
                        name=name,
                        which=which,
                        first=first,
                        start=_params_tex(start),
                        lr=tex(lr),
                        names=", ".join(names),
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
        _("After {epochs} epochs: {results}.").format(
            epochs=section.epochs,
            results=_("; ").join(
                _("{name}: {updates} updates, loss {loss}").format(name=w, updates=u, loss=f"{loss:.6g}")
                for w, u, loss in finals
                if loss is not None
            ),
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
    intro = _(
        "Three ways to update on the same {n} samples, from the same start and with the same shuffle (seed {seed}): batch gradient descent uses all samples in each update; stochastic gradient descent one sample at a time; mini-batch gradient descent {batch_size} samples at a time. The shuffled order is {join}."
    ).format(n=n, seed=section.seed, batch_size=section.batch_size, join=", ".join(map(str, order)))
    text = _join(section.text, intro)  # the data table is the views' (from data_use), its samples marked
    title = section.title or _("Batch, stochastic and mini-batch")
    return [Step(sid, i, title, text, payload, tuple(questions), _lines(lines))]
