"""Section readers: each section kind's keys (from :mod:`tutor.lesson.keys`) -> a model section.

Each reader takes the section's fields (already checked against the key
table) and a :class:`~tutor.lesson.nodes.Reader`; a section is built only
when reading it added no error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import sympy as sp
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.lesson.keys import (
    BATCH_QUESTIONS,
    COMPARISONS,
    DATA_KEYS,
    DIRECTIONS,
    DISPLAY_KEYS,
    EPOCH_KINDS,
    EVALUATE_WHAT,
    EXPECTATIONS,
    GENERATE_KEYS,
    LOSSES,
    MAX_BY_HAND,
    MAX_COMBINATIONS,
    MAX_EPOCHS,
    MAX_OPTIONS,
    MAX_PARAMETERS,
    MAX_PARTS,
    MAX_REQUIREMENTS,
    MAX_SAMPLES,
    MAX_SECTIONS,
    MAX_STEPS,
    MAX_VALUES,
    OPTIMIZERS,
    OPTION_KEYS,
    PART_KEYS,
    PLOT_KEYS,
    RANGE_KEYS,
    SCHEDULE_KEYS,
    SECTION_KEYS,
    SECTION_REQUIRED,
    TOP_KEYS,
    TOP_REQUIRED,
    VARIANTS_KEYS,
)
from tutor.lesson.model import (
    ITERATION_QUESTIONS,
    OUTCOMES,
    QUESTION_ASKS,
    TRAINING_QUESTIONS,
    Ask,
    BatchCompare,
    DataSet,
    Derive,
    Descent,
    Display,
    Evaluate,
    Explain,
    Function,
    Help,
    Lesson,
    Optimizer,
    Option,
    Part,
    PlotRange,
    Predict,
    RegressionModel,
    Requirement,
    TrainingStep,
    Variants,
    Where,
)
from tutor.lesson.nodes import ID, Reader, short, suggest
from tutor.lesson.variants import admissible, product_size
from tutor.mathinput import parse_expression, symbol
from tutor.optimisers import OPTIMISERS as _REGISTRY
from tutor.schedules import Schedule

_COMPARISON = re.compile("|".join(re.escape(op) for op in COMPARISONS))


def _places(r: Reader, fields: dict[str, Node]) -> dict[str, Where]:
    return {name: r.where(node) for name, node in fields.items()}


def _display(r: Reader, f: dict[str, Node]) -> Display | None:
    """``display: {decimals: 4, rows: 10}``: how this section's run tables are shown."""
    if "display" not in f:
        return None
    d = r.fields(f["display"], "display", DISPLAY_KEYS, (), f["display"])
    if d is None:
        return None
    decimals = r.integer(d["decimals"], "decimals", 0, 15) if "decimals" in d else None
    rows = r.integer(d["rows"], "rows", 2, MAX_STEPS) if "rows" in d else None
    return Display(decimals, rows)


def _schedule(r: Reader, node: Node) -> Schedule | None:
    """``{step_decay: {every: 10, factor: 1/2}}``, ``{inverse_time: {decay: 1/10}}``, ``{exponential: {rate: 9/10}}``."""
    kinds = tuple(SCHEDULE_KEYS)
    items = r.mapping(node, _("a schedule, e.g. {exponential: {rate: 9/10}}"))
    if items is None:
        return None
    if len(items) != 1:
        r.error(
            node,
            _("a schedule is a one-key mapping: one of {join}, e.g. {{exponential: {{rate: 9/10}}}}").format(
                join=", ".join(kinds)
            ),
        )
        return None
    ((kind, (key, settings)),) = items.items()
    if kind not in SCHEDULE_KEYS:
        r.error(key, _("unknown schedule '{short}'{suggest}").format(short=short(kind), suggest=suggest(kind, kinds)))
        return None
    s = r.fields(settings, f"the {kind} settings", SCHEDULE_KEYS[kind], SCHEDULE_KEYS[kind], key)
    if s is None or not all(k in s for k in SCHEDULE_KEYS[kind]):
        return None
    if kind == "step_decay":
        every = r.integer(s["every"], "every", 1, MAX_STEPS)
        factor = r.positive(s["factor"], _("the factor"))
        if factor is not None and factor > 1:
            r.error(s["factor"], _("a decay factor is at most 1, got {sstr}").format(sstr=sp.sstr(factor)))
            return None
        return None if every is None or factor is None else Schedule(kind, every=every, factor=factor)
    if kind == "inverse_time":
        decay = r.positive(s["decay"], _("the decay"))
        return None if decay is None else Schedule(kind, decay=decay)
    rate = r.positive(s["rate"], _("the rate"))
    if rate is not None and rate > 1:
        r.error(s["rate"], _("an exponential decay rate is at most 1, got {sstr}").format(sstr=sp.sstr(rate)))
        return None
    return None if rate is None else Schedule(kind, rate=rate)


def _explain(r: Reader, f: dict[str, Node], where: Where) -> Explain | None:
    plot = None
    if "plot" in f:
        p = r.fields(f["plot"], "plot", PLOT_KEYS, ("function",), f["plot"])
        if p is not None and "function" in p:
            function = r.function(p)
            x_range = (-2.0, 2.0)
            if "range" in p:
                ends = r.sequence(p["range"], _("a range [from, to], e.g. [-2, 2]"), 2)
                if ends is not None and len(ends) != 2:
                    r.error(p["range"], _("a range has two ends [from, to], got {len}").format(len=len(ends)))
                elif ends is not None:
                    lo, hi = (r.number(e, _("a number")) for e in ends)
                    if lo is not None and hi is not None:
                        if not lo < hi:
                            r.error(
                                p["range"],
                                _("a range runs from a smaller to a larger number, got [{sstr}, {sstr2}]").format(
                                    sstr=sp.sstr(lo), sstr2=sp.sstr(hi)
                                ),
                            )
                        x_range = (float(lo), float(hi))
            if function is not None:
                if len(function.variables) != 1:
                    r.error(
                        p["function"],
                        _("a plot draws a function of one variable; this one has {len} ({join})").format(
                            len=len(function.variables), join=", ".join(function.variables)
                        ),
                    )
                plot = PlotRange(function, x_range)
    text = r.text_value(f["text"]) if "text" in f else ""
    if text is None:  # reported where it is written
        return None
    return Explain(
        text=text,
        title=r.text_value(f["title"]) if "title" in f else None,
        plot=plot,
        where=where,
        places=_places(r, f),
    )


def _derive(r: Reader, f: dict[str, Node], where: Where) -> Derive | None:
    function = r.function(f)
    if function is None:
        return None
    names = function.variables
    of = "gradient" if len(names) > 1 else names[0]
    if "of" in f:
        of = r.choice(f["of"], ("gradient", *names), _("'of' (a variable or gradient)")) or of
    if of == "gradient":
        reader = lambda node: r.vector(node, names, len(names), _("the gradient"))  # noqa: E731
    else:
        reader = lambda node: r.expression(node, names)  # noqa: E731
    return Derive(
        function=function,
        of=of,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=r.help(f, reader),
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _evaluate(r: Reader, f: dict[str, Node], where: Where) -> Evaluate | None:
    function = r.function(f)
    if function is None:
        return None
    names = function.variables
    what = r.choice(f["what"], EVALUATE_WHAT, "'what'") if "what" in f else "value"
    of = None
    if what == "derivative":
        if "of" in f:
            of = r.choice(f["of"], names, "variable")
        elif len(names) == 1:
            of = names[0]
        else:
            r.error(
                f["what"], _("say which partial derivative with 'of:' (one of {join})").format(join=", ".join(names))
            )
    elif "of" in f:
        r.error(
            f["of"], _("'of' names the variable of a derivative; this section asks for the {what}").format(what=what)
        )
    at = r.point(f["at"], names, "at")
    tolerance = None
    if "tolerance" in f:
        value = r.number(f["tolerance"], _("a tolerance"))
        if value is not None and value.is_negative:
            r.error(f["tolerance"], _("a tolerance must not be negative, got {sstr}").format(sstr=sp.sstr(value)))
        elif value is not None:
            tolerance = float(value)
    if what == "gradient":
        read = lambda node: r.vector(node, names, len(names), _("the gradient"))  # noqa: E731
    else:
        read = lambda node: r.expression(node, names)  # noqa: E731
    if what is None or at is None:
        r.help(f, read)
        return None
    return Evaluate(
        function=function,
        what=what,
        at=at,
        of=of,
        tolerance=tolerance,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=r.help(f, read),
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


def _optimizer(r: Reader, node: Node) -> Optimizer | None:
    """A key of the optimiser registry (``gd``, ``momentum``, ...), or ``{momentum: {beta: 0.9}}``."""
    if isinstance(node, MappingNode):
        items = r.mapping(node, _("an optimizer"))
        if items is None:
            return None
        if len(items) != 1:
            r.error(node, _("an optimizer with settings is a one-key mapping, e.g. {momentum: {beta: 0.9}}"))
            return None
        ((name, (key, settings)),) = items.items()
        if name not in OPTIMIZERS:
            r.error(
                key,
                _("unknown optimizer '{short}'{suggest}").format(short=short(name), suggest=suggest(name, OPTIMIZERS)),
            )
            return None
        kind = _REGISTRY[name]
        s = r.fields(settings, f"the {name} settings", tuple(t.key for t in kind.settings), (), key)
        values = {}
        for setting in kind.settings:
            if not s or setting.key not in s:
                continue
            value = r.number(
                s[setting.key],
                _("{symbol} (a number {range_words})").format(symbol=setting.symbol, range_words=setting.range_words()),
            )
            problem = None if value is None else setting.problem(value, float_only=not kind.exact_capable)
            if problem:
                r.error(s[setting.key], problem)
            elif value is not None:
                values[setting.key] = value
        return Optimizer(name, values.pop("beta", None), values)
    chosen = r.choice(node, OPTIMIZERS, "optimizer")
    return Optimizer(chosen) if chosen else None


def _stop_rules(r: Reader, node: Node) -> tuple[str, ...] | None:
    from tutor.descent import Until

    items = r.sequence(node, _("a list of stop rules, e.g. [sign-change]"), 10, allow_scalar=True)
    if items is None:
        return None
    words: list[str] = []
    for item in items:
        word = r.scalar(item, _("a stop rule: zero, sign-change or tol:1e-6"))
        if word is None:
            continue
        word = word.strip()
        try:
            Until.parse([word])
        except TutorError as err:
            r.error(item, err.message)
            continue
        words.append(word)
    return tuple(words) if words else ("zero",)


def _descent(r: Reader, f: dict[str, Node], where: Where) -> Descent | None:
    function = r.function(f)
    names = function.variables if function else ()
    start = r.point(f["start"], names, "start") if function else None
    lr = r.positive(f["learning_rate"], _("the learning rate"))
    optimizer = _optimizer(r, f["optimizer"]) if "optimizer" in f else Optimizer()
    stop = _stop_rules(r, f["stop"]) if "stop" in f else ("zero",)
    max_steps = r.integer(f["max_steps"], "max_steps", 1, MAX_STEPS) if "max_steps" in f else 20
    by_hand = r.integer(f["by_hand"], "by_hand", 0, MAX_BY_HAND) if "by_hand" in f else 3
    if by_hand is not None and max_steps is not None and by_hand > max_steps:
        r.error(
            f.get("by_hand") or f.get("max_steps"),
            _("by_hand ({by_hand}) is more than max_steps ({max_steps})").format(by_hand=by_hand, max_steps=max_steps),
        )
    ask: tuple[str, ...] = ITERATION_QUESTIONS
    if "ask" in f:
        asked = r.choices(f["ask"], ITERATION_QUESTIONS, "question")
        if asked is not None and not asked:
            r.error(f["ask"], _("ask needs at least one of: {join}").format(join=", ".join(ITERATION_QUESTIONS)))
        ask = tuple(q for q in ITERATION_QUESTIONS if q in (asked or ()))
    expect = r.choice(f["expect"], EXPECTATIONS, "expectation") if "expect" in f else None
    kind = _REGISTRY[optimizer.name] if optimizer is not None else None
    float_only = kind is not None and not kind.exact_capable
    exact: bool | None = not float_only
    if "exact" in f:
        exact = r.boolean(f["exact"], "exact")
        if exact and kind is not None and float_only:
            r.error(
                f["exact"],
                _("the {key} optimizer {float_only_because}, so it runs in float mode only: write exact: false").format(
                    key=kind.key, float_only_because=kind.float_only_because
                ),
            )
    help_by_kind: dict[str, Help] = {}
    if function is not None and "help" in f:
        n = len(names)
        readers = {
            "derivative": r.value_answer(names, n, _("the gradient")),
            "direction": r.choice_answer(DIRECTIONS, "direction", n),
            "next": r.value_answer(names, n, _("the next point")),
            "sign_change": r.yes_no,
        }
        help_by_kind = r.help_by_kind(f["help"], ITERATION_QUESTIONS, ask, readers)
    schedule = _schedule(r, f["schedule"]) if "schedule" in f else None
    if schedule is not None and optimizer is not None and optimizer.name != "gd":
        r.error(
            f["schedule"], _("a schedule is for plain gradient descent (gd), not {name}").format(name=optimizer.name)
        )
        schedule = None
    if (
        function is None
        or start is None
        or lr is None
        or optimizer is None
        or stop is None
        or max_steps is None
        or by_hand is None
        or exact is None
    ):
        return None
    return Descent(
        schedule=schedule,
        function=function,
        start=start,
        learning_rate=lr,
        optimizer=optimizer,
        stop=stop,
        max_steps=max_steps,
        by_hand=by_hand,
        ask=ask,
        expect=expect,
        exact=exact,
        help=help_by_kind,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
        display=_display(r, f),
    )


def _predict(r: Reader, f: dict[str, Node], where: Where) -> Predict | None:
    function = r.function(f)
    start = r.point(f["start"], function.variables, "start") if function else None
    lr = r.positive(f["learning_rate"], _("the learning rate"))
    steps = r.integer(f["steps"], "steps", 1, MAX_STEPS) if "steps" in f else 10
    help_ = r.help(f, r.choice_answer(OUTCOMES, "outcome"))
    if function is None or start is None or lr is None or steps is None:
        return None
    return Predict(
        function=function,
        start=start,
        learning_rate=lr,
        steps=steps,
        prompt=r.text_value(f["prompt"]) if "prompt" in f else None,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
        display=_display(r, f),
    )


def _model(r: Reader, f: dict[str, Node]) -> RegressionModel | None:
    parameters = r.names(f["parameters"], "parameters")
    input_name = r.variable_name(f["input"], _("the input's name")) if "input" in f else "x"
    if parameters is None or input_name is None:
        return None
    if input_name in parameters:
        r.error(
            f.get("input") or f["parameters"],
            _("'{input_name}' cannot be both the input and a parameter").format(input_name=input_name),
        )
        return None
    text = r.expression_source(f["model"])
    if text is None:
        return None
    clash = [name for name in (*parameters, input_name) if name in r.values]
    if clash:
        r.error(
            f["model"],
            _("{join} is a parameter of the variants, so it cannot be in the model too").format(join=", ".join(clash)),
        )
        return None
    expr = r.instantiate(r.guarded(f["model"], parse_expression, text, (*parameters, input_name, *r.parameters)))
    if expr is None:
        return None
    used = {s.name for s in expr.free_symbols}
    for name in parameters:
        if name not in used:
            r.warning(
                f["model"],
                _("the parameter {name} does not appear in the model, so its gradient is always 0").format(name=name),
            )
    if input_name not in used:
        r.warning(
            f["model"],
            _("the input {input_name} does not appear in the model, so the data cannot change its predictions").format(
                input_name=input_name
            ),
        )
    return RegressionModel(expr, parameters, input_name, text, r.where(f["model"]))


def _data_file(r: Reader, node: Node, input_name: str) -> DataSet | None:
    """``data: samples.csv``: relative to the lesson's folder, with columns named input and y."""
    from pathlib import Path

    from tutor.lesson.datafile import SUFFIXES, inside, read_samples

    name = r.scalar(node, _("a data file name, e.g. samples.csv"))
    if name is None:
        return None
    name = name.strip()
    if not name.lower().endswith(SUFFIXES):
        r.error(node, _("a data file is a .csv file, got '{short}'").format(short=short(name)))
        return None
    folder = Path(r.path).parent if r.path and not r.path.startswith("<") else Path.cwd()
    target = inside(folder, name)
    if target is None:
        r.error(
            node,
            _("the data file must be in the lesson's folder (or below it); '{short}' is not").format(short=short(name)),
        )
        return None
    shown = str(Path(r.path).parent / name) if r.path and not r.path.startswith("<") else name
    read, problems = read_samples(target, shown, (input_name, "y"))
    if read is None:  # at the data file's own line, naming the lesson line that reads it
        line = r.where(node).line
        r.diagnostics.extend(replace(d, message=f"{d.message} (the data of line {line})") for d in problems)
        return None
    xs, ys = read
    return DataSet(xs, ys, None, r.where(node))


def _data(r: Reader, node: Node, input_name: str = "x") -> DataSet | None:
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return _data_file(r, node, input_name)
    d = r.fields(node, "data", DATA_KEYS, (), node)
    if d is None:
        return None
    if "generate" in d:
        if "x" in d or "y" in d:
            r.error(node, _("give either x and y, or generate, not both"))
            return None
        g = r.fields(d["generate"], "generate", GENERATE_KEYS, ("seed", "n", "w"), d["generate"])
        if g is None or not all(k in g for k in ("seed", "n", "w")):
            return None
        seed = r.integer(g["seed"], "seed", 0, 2**32 - 1)
        n = r.integer(g["n"], "n", 1, MAX_SAMPLES)
        w = r.number(g["w"])
        b = r.number(g["b"]) if "b" in g else sp.Integer(0)
        noise = r.number(g["noise"], _("the noise (a standard deviation)")) if "noise" in g else sp.Integer(0)
        x_range: tuple = (-2, 2)
        if "x_range" in g:
            ends = r.sequence(g["x_range"], _("a range [from, to], e.g. [-2, 2]"), 2)
            if ends is None or len(ends) != 2:
                if ends is not None:
                    r.error(g["x_range"], _("a range has two ends [from, to], got {len}").format(len=len(ends)))
                return None
            x_range = tuple(r.number(e) for e in ends)
        if seed is None or n is None or w is None or b is None or noise is None or None in x_range:
            return None
        from tutor.training import generated_data

        try:
            xs, ys = generated_data(seed, n, w, b, noise, x_range)
        except TutorError as err:
            r.error(d["generate"], err.message)
            return None
        return DataSet(tuple(xs), tuple(ys), seed, r.where(node))
    if "x" not in d or "y" not in d:
        r.error(
            node,
            _(
                "data needs x and y (two lists of numbers of the same length), or generate: {{seed: ..., n: ..., w: ...}}"
            ),
        )
        return None
    columns = []
    for key in ("x", "y"):
        items = r.sequence(d[key], _("a list of numbers for {key}").format(key=key), MAX_SAMPLES)
        if items is None:
            return None
        values = [r.number(item) for item in items]
        if any(v is None for v in values):
            return None
        if not values:
            r.error(d[key], _("{key} needs at least one sample").format(key=key))
            return None
        columns.append(tuple(values))
    xs, ys = columns
    if len(xs) != len(ys):
        r.error(
            d["y"], _("y has {len} values but x has {len2}: each sample needs both").format(len=len(ys), len2=len(xs))
        )
        return None
    return DataSet(xs, ys, None, r.where(node))


def _training_help(
    r: Reader, f: dict[str, Node], model: RegressionModel | None, data: DataSet | None, asked: Sequence[str]
) -> dict[str, Help]:
    if "help" not in f or model is None:
        return {}
    k = len(model.parameters)
    readers = {
        "predict": lambda node: (
            r.vector(node, (), None, _("the predictions")) if isinstance(node, SequenceNode) else r.expression(node, ())
        ),
        "loss": lambda node: r.expression(node, model.parameters),
        "gradient": r.value_answer(model.parameters, k, _("the gradient")),
        "update": r.value_answer(model.parameters, k, _("the new parameters")),
    }
    return r.help_by_kind(f["help"], TRAINING_QUESTIONS, asked, readers)


def _training_step(r: Reader, f: dict[str, Node], where: Where) -> TrainingStep | None:
    model = _model(r, f)
    data = _data(r, f["data"], model.input if model else "x")
    start = r.point(f["start"], model.parameters, "start") if model else None
    lr = r.positive(f["learning_rate"], _("the learning rate"))
    loss = r.choice(f["loss"], LOSSES, "loss") if "loss" in f else "mse"
    samples = None
    if "samples" in f:
        items = r.sequence(f["samples"], _("a list of sample numbers, counting from 0"), MAX_SAMPLES)
        if items is not None:
            picked: list[int] = []
            high = len(data.x) - 1 if data else MAX_SAMPLES - 1
            for item in items:
                i = r.integer(item, "a sample number (counting from 0)", 0, high)
                if i is not None and i in picked:
                    r.error(item, _("sample {i} is listed twice").format(i=i))
                elif i is not None:
                    picked.append(i)
            if not items:
                r.error(f["samples"], _("samples needs at least one sample number"))
            samples = tuple(picked)
    ask: tuple[str, ...] = TRAINING_QUESTIONS
    if "ask" in f:
        asked = r.choices(f["ask"], TRAINING_QUESTIONS, "question")
        if asked is not None and not asked:
            r.error(f["ask"], _("ask needs at least one of: {join}").format(join=", ".join(TRAINING_QUESTIONS)))
        ask = tuple(q for q in TRAINING_QUESTIONS if q in (asked or ()))
    then_steps = r.integer(f["then_steps"], "then_steps", 0, MAX_STEPS) if "then_steps" in f else 0
    help_ = _training_help(r, f, model, data, ask)
    if model is None or data is None or start is None or lr is None or loss is None or then_steps is None:
        return None
    return TrainingStep(
        data=data,
        model=model,
        start=start,
        learning_rate=lr,
        loss=loss,
        samples=samples,
        ask=ask,
        then_steps=then_steps,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
        display=_display(r, f),
    )


def _batch_compare(r: Reader, f: dict[str, Node], where: Where) -> BatchCompare | None:
    model = _model(r, f)
    data = _data(r, f["data"], model.input if model else "x")
    start = r.point(f["start"], model.parameters, "start") if model else None
    lr = r.positive(f["learning_rate"], _("the learning rate"))
    n = len(data.x) if data else MAX_SAMPLES
    batch_size = r.integer(f["batch_size"], "batch_size", 1, n) if "batch_size" in f else min(2, n)
    epochs = r.integer(f["epochs"], "epochs", 1, MAX_EPOCHS) if "epochs" in f else 5
    seed = r.integer(f["seed"], "seed", 0, 2**32 - 1) if "seed" in f else 0
    loss = r.choice(f["loss"], LOSSES, "loss") if "loss" in f else "mse"
    by_hand = r.boolean(f["by_hand"], "by_hand") if "by_hand" in f else True
    help_ = _training_help(r, f, model, data, BATCH_QUESTIONS)
    if (
        model is None
        or data is None
        or start is None
        or lr is None
        or batch_size is None
        or epochs is None
        or seed is None
        or loss is None
        or by_hand is None
    ):
        return None
    return BatchCompare(
        data=data,
        model=model,
        start=start,
        learning_rate=lr,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        loss=loss,
        by_hand=by_hand,
        help=help_,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
        display=_display(r, f),
    )


#: What each kind of part needs from its section, and from itself.
_ASK_NEEDS = {
    "value": ("function", "at"),
    "derivative": ("function", "at"),
    "curvature": ("function",),
    "stability_bound": ("function",),
    "stationary_points": ("function",),
    "minimum_reached": ("function", "start", "learning_rate"),
    "steps_to_tolerance": ("function", "start", "learning_rate", "below"),
    "loss_after_epoch": ("model", "parameters", "data", "learning_rate", "start"),
}


def _option(r: Reader, node: Node) -> Option | None:
    o = r.fields(node, "a choice", OPTION_KEYS, ("text",), node)
    if o is None or "text" not in o:
        return None
    text = r.text_value(o["text"])
    correct = r.boolean(o["correct"], "correct") if "correct" in o else False
    explain = r.text_value(o["explain"]) if "explain" in o else None
    if text is None or correct is None:
        return None
    return Option(text, correct, explain, r.where(node))


def _part(
    r: Reader,
    node: Node,
    f: dict[str, Node],
    function: Function | None,
    model: RegressionModel | None,
    earlier: list[str],
) -> Part | None:
    p = r.fields(node, "a part", PART_KEYS, (), node)
    if p is None:
        return None
    given = [k for k in ("ask", "answer", "choices") if k in p]
    if len(given) != 1:
        r.error(
            node,
            _(
                "a part asks one thing: ask: (what the engine computes), answer: (a formula of earlier parts) or choices: (multiple choice); this one has {given}"
            ).format(given=", ".join(given) or _("none of them")),
        )
        return None
    names = function.variables if function else ()
    ask = answer = None
    uses: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    if "ask" in p:
        ask = r.choice(p["ask"], QUESTION_ASKS, _("quantity to ask"))
        for need in _ASK_NEEDS.get(ask or "", ()):
            in_part = need in ("at", "below") or (need == "start" and ask == "loss_after_epoch")
            if not in_part and need not in f:
                r.error(p["ask"], _("ask: {ask} needs '{need}:' in the question section").format(ask=ask, need=need))
            elif in_part and need not in p:
                r.error(p["ask"], _("ask: {ask} needs '{need}:' in this part").format(ask=ask, need=need))
        if ask == "stationary_points" and len(names) > 1:
            r.error(p["ask"], _("ask: stationary_points is for a function of one variable"))
    elif "answer" in p:
        text = r.expression_source(p["answer"])
        if text is not None:
            answer = r.guarded(p["answer"], parse_expression, text, (*earlier, *r.parameters))
            answer = r.instantiate(answer)
            if answer is not None:
                uses = tuple(n for n in earlier if symbol(n) in answer.free_symbols)
    else:
        items = r.sequence(
            p["choices"], _("a list of choices, e.g. [{text: ..., correct: true}, {text: ...}]"), MAX_OPTIONS
        )
        read = [_option(r, item) for item in items or ()]
        if items is not None and None not in read:
            options = tuple(o for o in read if o is not None)
            right = sum(o.correct for o in options)
            if len(options) < 2:
                r.error(p["choices"], _("a multiple choice needs at least two choices"))
            elif right != 1:
                r.error(p["choices"], _("exactly one choice is correct: true; here {right} are").format(right=right))
    name = None
    if "name" in p:
        name = r.variable_name(p["name"], _("a name for this part's answer"))
        if name is not None and (name in earlier or name in names):
            r.error(p["name"], _("'{name}' is already the name of an earlier part or a variable").format(name=name))
            name = None
    at = r.point(p["at"], names, "at") if "at" in p and function else None
    start = descent = batch_size = seed = None
    if ask == "loss_after_epoch" and model is not None:
        start = r.point(p["start"], model.parameters, "start") if "start" in p else None
        descent = r.choice(p["descent"], EPOCH_KINDS, _("kind of descent")) if "descent" in p else "batch"
        batch_size = r.integer(p["batch_size"], "batch_size", 1, MAX_SAMPLES) if "batch_size" in p else 2
        seed = r.integer(p["seed"], "seed", 0, 2**32 - 1) if "seed" in p else 0
    else:
        for key in ("start", "descent", "batch_size", "seed"):
            if key in p and ask != "loss_after_epoch":
                r.error(p[key], _("'{key}:' belongs to a part with ask: loss_after_epoch").format(key=key))
    near = r.point(p["near"], names, "near") if "near" in p and function else None
    below = r.positive(p["below"], _("below (the size of |f'| to reach)")) if "below" in p else None
    tolerance = None
    if "tolerance" in p:
        value = r.number(p["tolerance"], _("a tolerance"))
        if value is not None and value.is_negative:
            r.error(p["tolerance"], _("a tolerance must not be negative, got {sstr}").format(sstr=sp.sstr(value)))
        elif value is not None:
            tolerance = float(value)
    if options:
        keys = tuple(chr(ord("a") + i) for i in range(len(options)))
        read_answer = r.choice_answer(keys, _("choice ({join})").format(join=", ".join(keys)))
    else:
        read_answer = lambda n: (  # noqa: E731
            r.vector(n, (), None, _("the answer")) if isinstance(n, SequenceNode) else r.expression(n, ())
        )
    help_ = r.help(p, read_answer)
    return Part(
        ask=ask,
        answer=answer,
        uses=uses,
        options=options,
        name=name,
        at=at,
        near=near,
        below=below,
        start=start,
        descent=descent or "batch",
        batch_size=batch_size or 2,
        seed=seed or 0,
        prompt=r.text_value(p["prompt"]) if "prompt" in p else None,
        tolerance=tolerance,
        help=help_,
        where=r.where(node),
    )


def _question(r: Reader, f: dict[str, Node], where: Where) -> Ask | None:
    function = r.function(f) if "function" in f else None
    names = function.variables if function else ()
    start = r.point(f["start"], names, "start") if "start" in f and function else None
    lr = r.positive(f["learning_rate"], _("the learning rate")) if "learning_rate" in f else None
    max_steps = r.integer(f["max_steps"], "max_steps", 1, MAX_STEPS) if "max_steps" in f else 1000
    model = data = None
    trains = [k for k in ("model", "parameters", "data") if k in f]
    if trains and len(trains) < 3:
        missing = ", ".join(k for k in ("model", "parameters", "data") if k not in f)
        r.error(
            f[trains[0]],
            _("a model to train needs model:, parameters: and data: together; missing {missing}").format(
                missing=missing
            ),
        )
    elif trains:
        model = _model(r, f)
        data = _data(r, f["data"], model.input if model else "x")
    items = r.sequence(f["parts"], _("a list of parts, e.g. [{ask: stability_bound}]"), MAX_PARTS)
    if items is not None and not items:
        r.error(f["parts"], _("a question needs at least one part"))
    parts: list[Part | None] = []
    earlier: list[str] = []
    for item in items or ():
        part = _part(r, item, f, function, model, earlier)
        parts.append(part)
        if part is not None and part.name:
            earlier.append(part.name)
    if None in parts or items is None or max_steps is None or (trains and None in (model, data)):
        return None
    return Ask(
        parts=tuple(p for p in parts if p is not None),
        function=function,
        start=start,
        learning_rate=lr,
        max_steps=max_steps,
        model=model,
        data=data,
        title=r.text_value(f["title"]) if "title" in f else None,
        text=r.text_value(f["text"]) if "text" in f else None,
        where=where,
        places=_places(r, f),
    )


SECTION_READERS = {
    "explain": _explain,
    "derive": _derive,
    "evaluate": _evaluate,
    "descent": _descent,
    "predict": _predict,
    "training_step": _training_step,
    "batch_compare": _batch_compare,
    "question": _question,
}


def _section(r: Reader, node: Node, index: int):
    kinds = tuple(SECTION_KEYS)
    if not isinstance(node, MappingNode):
        r.expected(node, _("a section, a one-key mapping such as '- explain: {text: ...}'"))
        return None
    items = r.mapping(node, _("a section"))
    if items is None:
        return None
    if len(items) != 1:
        names = ", ".join(items) or "none"
        r.error(
            node,
            _(
                "a section is a one-key mapping such as '- descent: {{...}}', but this one has keys: {names} (is the indentation right?)"
            ).format(names=names),
        )
        return None
    ((kind, (key, body)),) = items.items()
    if kind not in SECTION_READERS:
        r.error(
            key, _("unknown section kind '{short}'{suggest}").format(short=short(kind), suggest=suggest(kind, kinds))
        )
        return None
    before = r.errors()
    fields = r.fields(body, kind, SECTION_KEYS[kind], SECTION_REQUIRED[kind], key)
    if fields is None or r.errors() > before:
        # still read what is there, for more diagnostics, but build nothing
        if fields is not None and all(k in fields for k in SECTION_REQUIRED[kind]):
            _guarded_section(r, kind, fields, key)
        return None
    section = _guarded_section(r, kind, fields, key)
    if r.errors() > before:
        return None
    return section


def _guarded_section(r: Reader, kind: str, fields: dict[str, Node], key: Node):
    try:
        return SECTION_READERS[kind](r, fields, r.where(key))
    except RecursionError:
        r.error(key, _("this {kind} section is nested too deeply to read").format(kind=kind))
    except Exception as err:
        r.error(
            key,
            _("the loader failed on this {kind} section ({name}: {short}); please report this").format(
                kind=kind, name=type(err).__name__, short=short(str(err), 80)
            ),
        )
    return None


def _parameter_values(r: Reader, name: str, node: Node) -> tuple[sp.Expr, ...] | None:
    """``[1, 2, 5]`` (exact numbers), or ``{from: 1/10, to: 1/2, step: 1/10}`` (step 1 by default)."""
    if isinstance(node, MappingNode):
        g = r.fields(node, f"the values of {name}", RANGE_KEYS, ("from", "to"), node)
        if g is None or "from" not in g or "to" not in g:
            return None
        low, high = r.number(g["from"]), r.number(g["to"])
        step = r.positive(g["step"], _("the step")) if "step" in g else sp.Integer(1)
        if low is None or high is None or step is None:
            return None
        if high < low:
            r.error(
                g["to"],
                _("the range of {name} runs from {sstr} up to {sstr2}: 'to' must not be less").format(
                    name=name, sstr=sp.sstr(low), sstr2=sp.sstr(high)
                ),
            )
            return None
        count = int(sp.floor((high - low) / step)) + 1
        if count > MAX_VALUES:
            r.error(
                node,
                _("{name} would take {count} values; at most {MAX_VALUES} are allowed (a larger step?)").format(
                    name=name, count=count, MAX_VALUES=MAX_VALUES
                ),
            )
            return None
        return tuple(low + i * step for i in range(count))
    items = r.sequence(
        node, _("the values of {name}: a list [1, 2, 3] or a range {{from: 1, to: 5}}").format(name=name), MAX_VALUES
    )
    if items is None:
        return None
    values = [r.number(item, _("a number for {name}").format(name=name)) for item in items]
    if any(v is None for v in values):
        return None
    if not values:
        r.error(node, _("{name} needs at least one value").format(name=name))
        return None
    for index, (item, value) in enumerate(zip(items, values)):
        if value in values[:index]:
            r.error(item, _("{sstr} is listed twice for {name}").format(sstr=sp.sstr(value), name=name))
            return None
    return tuple(values)


def _requirement(r: Reader, node: Node, names: tuple[str, ...]) -> Requirement | None:
    """``"a*eta < 1"``: one comparison between two expressions of the parameters."""
    text = r.expression_source(node)
    if text is None:
        return None
    normal = text.replace("≤", "<=").replace("≥", ">=").replace("≠", "!=")
    found = [(m.start(), m.group()) for m in _COMPARISON.finditer(normal)]
    if len(found) != 1:
        r.error(
            node,
            _(
                "a requirement is one comparison (<, <=, >, >=, ==, !=), e.g. \"a*eta < 1\"; got {count} in '{short}'"
            ).format(count=len(found) or _("none"), short=short(text)),
        )
        return None
    ((at, op),) = found
    lhs = r.guarded(node, parse_expression, normal[:at], names)
    rhs = r.guarded(node, parse_expression, normal[at + len(op) :], names)
    if lhs is None or rhs is None:
        return None
    return Requirement(lhs, op, rhs, text, r.where(node))


def _variants(r: Reader, node: Node) -> Variants | None:
    v = r.fields(node, "variants", VARIANTS_KEYS, ("values",), node)
    if v is None or "values" not in v:
        return None
    items = r.mapping(
        v["values"],
        _("the parameters and their values, e.g. {a: [1, 2, 3], eta: {from: 1/10, to: 1/2, step: 1/10}}"),
    )
    if items is None:
        return None
    if not items:
        r.error(v["values"], _("variants need at least one parameter"))
        return None
    if len(items) > MAX_PARAMETERS:
        r.error(
            v["values"],
            _("at most {MAX_PARAMETERS} parameters are allowed, got {len}").format(
                MAX_PARAMETERS=MAX_PARAMETERS, len=len(items)
            ),
        )
        return None
    before = r.errors()
    names: list[str] = []
    values: dict[str, tuple] = {}
    for name, (key, value) in items.items():
        if r.variable_name(key, _("a parameter name")) is None:
            continue
        pool = _parameter_values(r, name, value)
        if pool is not None:
            names.append(name)
            values[name] = pool
    require: list[Requirement] = []
    if "require" in v:
        for item in (
            r.sequence(
                v["require"], _('a list of requirements, e.g. ["a*eta < 1"]'), MAX_REQUIREMENTS, allow_scalar=True
            )
            or ()
        ):
            requirement = _requirement(r, item, tuple(items))
            if requirement is not None:
                require.append(requirement)
    check = None
    if "check" in v:
        word = v["check"].value.strip() if isinstance(v["check"], ScalarNode) else ""
        check = (
            MAX_COMBINATIONS
            if word == "all"
            else r.integer(v["check"], "check (a number of variants, or all)", 1, 10_000)
        )
    if r.errors() > before:
        return None
    spec = Variants(tuple(names), values, tuple(require), check, r.where(node))
    size = product_size(spec)
    if size > MAX_COMBINATIONS:
        r.error(
            v["values"],
            _("these values make {size} combinations; at most {MAX_COMBINATIONS} are allowed").format(
                size=size, MAX_COMBINATIONS=MAX_COMBINATIONS
            ),
        )
        return None
    return spec


def read_lesson(r: Reader, root: Node, variant: int | None = None) -> Lesson | None:
    if not isinstance(root, MappingNode):
        r.expected(root, _("a lesson: a mapping with id, title and sections at the top level"))
        return None
    f = r.fields(root, "the lesson", TOP_KEYS, TOP_REQUIRED, root)
    if f is None:
        return None
    spec = None
    number = 0
    if "variants" in f:
        spec = _variants(r, f["variants"])
        if spec is None:
            return None
        everyone = admissible(spec)
        if not everyone:
            r.error(f["variants"], _("no combination of these values meets every requirement, so there is no variant"))
            return None
        number = 1 if variant is None else variant
        if not 1 <= number <= len(everyone):
            r.error(
                f["variants"],
                _("there is no variant {number}: this lesson has variants 1 to {len}").format(
                    number=number, len=len(everyone)
                ),
            )
            return None
        r.values = everyone[number - 1]
    elif variant not in (None, 1):
        r.error(
            root,
            _("there is no variant {variant}: this lesson has no variants (no 'variants:' block)").format(
                variant=variant
            ),
        )
        return None
    lesson_id = None
    if "id" in f:
        lesson_id = r.scalar(f["id"], _("an id (letters, digits and dashes)"))
        if lesson_id is not None and not ID.fullmatch(lesson_id):
            r.error(
                f["id"],
                _(
                    "an id is letters, digits and dashes (at most 64), e.g. sign-of-the-derivative; got '{short}'"
                ).format(short=short(lesson_id)),
            )
    order = r.integer(f["order"], "order", -1_000_000, 1_000_000) if "order" in f else 100
    figures = r.integer(f["figures"], "figures", 1, 15) if "figures" in f else None
    title = r.text_value(f["title"]) if "title" in f else None
    summary = r.text_value(f["summary"]) if "summary" in f else ""
    sections = []
    if "sections" in f:
        items = r.sequence(f["sections"], _("a list of sections"), MAX_SECTIONS)
        if items is not None and not items:
            r.error(f["sections"], _("a lesson needs at least one section"))
        for index, item in enumerate(items or ()):
            sections.append(_section(r, item, index))
    r.translation_warnings()
    if r.errors() or lesson_id is None or title is None or summary is None or order is None:
        return None  # (a key that did not read is one of the errors)
    return Lesson(
        id=lesson_id,
        title=title,
        summary=summary,
        sections=tuple(sections),
        order=order,
        figures=figures,
        path=r.path,
        where=r.where(root),
        places=_places(r, f),
        variants=spec,
        variant=number,
        values=dict(r.values),
    )
