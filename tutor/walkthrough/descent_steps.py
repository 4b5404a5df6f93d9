"""A descent section: iterations worked by hand, then the whole run.

Each iteration asks the slope at x_k, the direction to move, x_{k+1} and
whether the slope changed sign, carrying the learner's own earlier answers
forward; the run step says why the run stopped, the stable learning rates and
where the minima are.  :mod:`tutor.walkthrough.predict` reuses the run's
description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from tutor import calculus, descent
from tutor.calculus import MathError
from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.lesson.model import ITERATION_QUESTIONS, Descent, Function, Help, Lesson
from tutor.mathinput import symbol
from tutor.notation import DIRECTIONS, YES_NO_WORDS
from tutor.optimisers import Optimiser
from tutor.schedules import Scheduled
from tutor.text import Text
from tutor.walkthrough.authored import fill_help
from tutor.walkthrough.contract import (
    BracketContext,
    DirectionContext,
    IterationPayload,
    RunPayload,
    SignChangeContext,
    SlopeContext,
    UpdateContext,
)
from tutor.walkthrough.latex import (
    _derivative_tex,
    _function_tex,
    _iterate_label,
    _iterate_tex,
    _partial_tex,
    _point_tex,
    _slope_at_tex,
    _slope_label,
    tex,
    tex_decimals,
    tex_factor,
    tex_in,
    tex_short,
)
from tutor.walkthrough.optimiser_words import optimiser_words
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
from tutor.walkthrough.steps import Choice, Question, Step, _sign, _sympy, direction_of, placeholder, placeholders
from tutor.walkthrough.updates import update_latex, update_mathtext

#: A float run's numbers, computed by hand, are right within this (relative) distance.
HAND_TOLERANCE = 1e-3
#: The completed run's table shows at most this many rows (first ones, then the last).
TABLE_ROWS = 30


DIRECTION_CHOICES = tuple(Choice(key, label) for key, label in DIRECTIONS.items())
YES_NO = tuple(Choice(key, label) for key, label in YES_NO_WORDS.items())
_DIRECTION_WORDS = {"increase": N_("${v}$ increases"), "decrease": N_("${v}$ decreases"), "stay": N_("${v}$ stays")}


@dataclass(frozen=True)
class _Landscape:
    """What is known about f beyond the run: the stable learning rates and the minima."""

    bound: calculus.LearningRateBound | None
    minima: list[calculus.StationaryPoint]


#: Stationary points are solved for only on polynomials up to this degree (solve is then quick).
LANDSCAPE_DEGREE = 6


#: The lesson (by order) whose sections introduce curvature and the bound 2/L.
CURVATURE_LESSON = 5


def curvature_known(lesson: Lesson, i: int) -> bool:
    """May section i say "curvature" and "2/L"?  After lesson 5, or once an earlier section of this lesson says "curvature".

    Earlier lessons (and their plots) say it in a beginner's words instead.
    """
    if lesson.order > CURVATURE_LESSON:
        return True
    for section in lesson.sections[:i]:
        for text in (getattr(section, "text", None), getattr(section, "title", None)):
            said = text if isinstance(text, str) else (text or {}).get("en", "")
            if "curvature" in said.lower():
                return True
    return False


def _landscape(f: sp.Expr, names: Sequence[str], start: Mapping[str, Any], curvature: bool = True) -> _Landscape:
    """The learning-rate bound and the minima, where they can be found quickly.

    ``solve`` can run for ever on other functions, and a walkthrough is built
    in the tutor's own process, so those get no bound and no minima.  Before
    the lessons have introduced curvature (``curvature`` False) there is no
    bound either: its words, and the 2/L in the plots, would be unknown words.
    """
    syms = calculus.symbols_of(names)
    if not (f.is_polynomial(*syms) and sp.Poly(f, *syms).total_degree() <= LANDSCAPE_DEGREE):
        return _Landscape(None, [])
    try:
        bound = calculus.safe_learning_rate(f, names, start) if curvature else None
    except (TutorError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        bound = None
    try:
        minima = [p for p in calculus.stationary_points(f, names) if p.kind == "minimum"]
    except (TutorError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        minima = []
    return _Landscape(bound, minima)


def _run_data(section_fn: Function, run: descent.Run, land: _Landscape, k: int) -> dict[str, Any]:
    """The fields of a descent payload for iteration k of a section's run."""
    return descent_facts(section_fn.expr, section_fn.variables, run, k, land.bound, land.minima)


def descent_facts(
    f: Any, variables: Sequence[str], run: descent.Run, k: int, bound: Any = None, minima: Sequence[Any] = ()
) -> dict[str, Any]:
    """The fields of a descent payload (:class:`~tutor.walkthrough.contract.DescentFacts`) at index k of the run."""
    steps = run.steps
    cur = steps[k]
    nxt = steps[k + 1] if k + 1 < len(steps) else None
    prev = steps[k - 1] if k >= 1 else None
    return {
        "function": f,
        "variables": tuple(variables),
        "learning_rate": run.learning_rate,
        "optimizer": run.optimizer,
        "run": run,
        "k": cur.k,
        "point": cur.point,
        "value": cur.value,
        "gradient": cur.gradient,
        "next": nxt.point if nxt is not None else None,
        "sign_change": cur.sign_change,
        "bracket": (prev.point, cur.point) if cur.sign_change and prev is not None else None,
        "bound": bound,
        "minima": tuple(minima),
        "signs": run_signs(run),
        "update_latex": update_latex(variables, run, k),
        "update_mathtext": update_mathtext(variables, run, k),
        "optimisers": optimiser_words(run.optimizer),
    }


def run_signs(run: descent.Run) -> tuple[tuple[int | None, ...], ...]:
    """The sign of each gradient component at each step (exact for an exact run; None for NaN)."""
    return tuple(tuple(_sign_or_none(g) for g in s.gradient) for s in run.steps)


def _sign_or_none(value: Any) -> int | None:
    try:
        if isinstance(value, sp.Basic):
            if value.has(sp.nan) or not value.is_number:
                return None
            return _sign(value)
        number = float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if number != number:
        return None
    return (number > 0) - (number < 0)


def _optimizer_states(opt: Optimiser | Scheduled, run: descent.Run) -> list[Any]:
    """The optimiser's state before each update (momentum's velocity, Adam's moments)."""
    states = [opt.start(len(run.variables))]
    for step in run.steps[:-1]:
        _point, state = opt.update(step.point, step.gradient, states[-1], run.learning_rate)
        states.append(state)
    return states


def _as_tuple(value: Any) -> tuple[Any, ...]:
    """A point or gradient as a tuple (one variable's is its one number)."""
    return value if isinstance(value, tuple) else (value,)


def _symbolic_update(
    opt: Optimiser | Scheduled, point: Sequence[Any], grad: Sequence[Any], state: Any, lr: Any
) -> tuple[Any, ...]:
    """The optimiser's next point with placeholders allowed in ``point`` and ``grad`` (its rule takes sympy too)."""
    nxt, _state = opt.update(tuple(point), tuple(grad), state, lr)
    return tuple(nxt)


def _stop_words(run: descent.Run, names: Sequence[str]) -> str:
    """Why the run stopped, in words a learner reads."""
    stop, steps = run.stop, run.steps
    k = stop.k
    one = len(names) == 1
    slope = _("the derivative") if one else _("the gradient")
    last = steps[-1] if steps else None
    at = f"${_iterate_tex(names, last.k)} = {tex_short(_one(last.point))}$" if last else ""
    if stop.reason == "max_steps":
        assert last is not None, "a run stops at max_steps only after its steps"
        return _("The engine ran the {k} steps asked for and stopped at {at}, where ${slope} = {value}$.").format(
            k=k, at=at, slope=_slope_at_tex(names, k), value=tex_short(_one(last.gradient))
        )
    if stop.reason == "zero_gradient":
        return _("At iteration {k}, {at}, {slope} is exactly 0: a stationary point, so no step moves any more.").format(
            k=k, at=at, slope=slope
        )
    if stop.reason == "sign_change" and last is not None and len(steps) >= 2:
        before, after = steps[-2], steps[-1]
        a = f"${_iterate_tex(names, k - 1)} = {tex_short(_one(before.point))}$"
        b = f"${_iterate_tex(names, k)} = {tex_short(_one(after.point))}$"
        if one:
            if not descent.brackets_minimum(before, after):
                return _(
                    "Between iteration {previous} and iteration {k} {slope} changed sign, but f rises at the left end "
                    "and falls at the right: a maximum lies between {a} and {b}, not a minimum."
                ).format(previous=k - 1, k=k, slope=slope, a=a, b=b)
            return _(
                "Between iteration {previous} and iteration {k} {slope} changed sign: a minimum lies between {a} and {b}."
            ).format(previous=k - 1, k=k, slope=slope, a=a, b=b)
        which = ", ".join(f"∂f/∂{v}" for v in last.sign_change)
        coords = ", ".join(last.sign_change)
        segment = ""
        if descent.brackets_minimum(before, after):
            segment = " " + _(
                "Along the straight segment from {a} to {b}, f is lowest strictly between the two points."
            ).format(a=a, b=b)
        return (
            _(
                "Between iteration {previous} and iteration {k} {which} changed sign: the step overshot the lowest "
                "point along {coords}. In several variables this does not say where the minimum of f is."
            ).format(previous=k - 1, k=k, which=which, coords=coords)
            + segment
        )
    if stop.reason == "tolerance":
        return _(
            "At iteration {k}, {at}, every partial derivative is within the tolerance of 0: "
            "close enough to a stationary point."
        ).format(k=k, at=at)
    if stop.reason == "diverged":
        return _("The run diverged at iteration {k}: {message}.").format(k=k, message=stop.message)
    if stop.reason == "undefined":
        return _("The run stopped at iteration {k} where f or its derivative has no real value: {message}.").format(
            k=k, message=stop.message
        )
    if stop.reason == "not_differentiable":
        return _("The run stopped at iteration {k} where f is not differentiable: {message}").format(
            k=k, message=stop.message
        )
    return _("The run stopped at iteration {k}: exact arithmetic cannot go on ({message}).").format(
        k=k, message=stop.message
    )


def _bound_words(land: _Landscape, lr: Any, optimizer: str) -> Text | None:
    """The stability bound in words: everywhere for a quadratic, only near one minimum otherwise."""
    bound = land.bound
    if bound is None:
        return None
    L, limit = bound.curvature, bound.bound
    s = _sign(_sympy(lr) - limit)
    relation = _("below") if s < 0 else _("exactly at") if s == 0 else _("above")
    plain = "" if optimizer == "gd" else _(" (for plain gradient descent)")
    if bound.scope == "quadratic":
        return _(
            "Gradient descent is stable for a learning rate below $2/L = {limit}$, where $L = {L}$ is the largest "
            "curvature of f (f is quadratic, so its curvature is the same everywhere){plain}; here $\\eta = {lr}$, "
            "{relation} the bound."
        ).format(limit=tex(limit), L=tex(L), plain=plain, lr=tex(lr), relation=relation)
    assert bound.at is not None, "a local bound is taken at a minimum"
    at = _point_tex(list(bound.at), list(bound.at.values()))
    return _(
        "Near the minimum at ${at}$ the curvature of f is $L = {L}$ (a local value: f is not quadratic, so its "
        "curvature changes from point to point), so close to that minimum gradient descent is stable for a learning "
        "rate below $2/L = {limit}${plain}; here $\\eta = {lr}$, {relation} that local bound. "
        "Far from the minimum this bound says nothing."
    ).format(at=at, L=tex(L), limit=tex(limit), plain=plain, lr=tex(lr), relation=relation)


def _minima_words(land: _Landscape, names: Sequence[str]) -> Text | None:
    if not land.minima:
        return None
    spots = " ; ".join(f"${_point_tex(names, [p.point[v] for v in names])}$" for p in land.minima)
    if len(land.minima) == 1:
        return _("The minimum of f is at {spots}.").format(spots=spots)
    return _("The minima of f are at {spots}.").format(spots=spots)


def _run_table(run: descent.Run, names: Sequence[str], display: Any = None) -> Text:
    """Every iterate as a Markdown table (the first rows and the last, for a long run).

    ``display`` (the section's): ``rows`` shown at most, ``decimals`` for every value that is not whole.
    """
    decimals = getattr(display, "decimals", None)
    limit = getattr(display, "rows", None) or TABLE_ROWS
    short = tex_short if decimals is None else (lambda v: tex_decimals(v, decimals))
    one = len(names) == 1
    x = names[0] if one else r"\mathbf{x}"
    slope = "f'" if one else r"\nabla f"
    head = f"| $k$ | ${x}_k$ | $f({x}_k)$ | ${slope}({x}_k)$ |"
    rule = "|---|---|---|---|"
    steps: list[descent.Step | None] = list(run.steps)
    shown = steps if len(steps) <= limit else steps[: limit - 1] + [None] + steps[-1:]
    rows = []
    for s in shown:
        if s is None:
            rows.append("| … | … | … | … |")
        else:
            rows.append(
                f"| {s.k} | ${short(_one(s.point))}$ | ${short(_sympy(s.value))}$ | ${short(_one(s.gradient))}$ |"
            )
    return "\n".join([head, rule, *rows])


def _descent(i: int, section: Descent, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.start]
    if missing:
        raise _fail(
            lesson, section, _("the start needs a value for {missing}").format(missing=", ".join(missing)), "start"
        )
    opt: Optimiser | Scheduled
    try:
        opt = descent.make_optimizer(section.optimizer.name, **section.optimizer.settings)
        if section.schedule is not None:
            opt = Scheduled(opt, section.schedule)
    except MathError as err:
        raise _fail(lesson, section, err.message, "optimizer") from None
    exact = section.exact and getattr(opt, "exact_capable", True)
    start = tuple(section.start[v] for v in names)
    try:
        run = descent.run(
            f,
            names,
            start,
            section.learning_rate,
            steps=section.max_steps,
            until=section.stop,
            exact=exact,
            optimizer=opt,
        )
    except MathError as err:
        raise _fail(lesson, section, err.message, "stop", "optimizer") from None
    if not run.steps:
        raise _fail(lesson, section, _("the descent cannot start: {message}").format(message=run.stop.message), "start")
    hand = min(section.by_hand, len(run.steps))
    if exact and run.stop.reason == "exact_limit" and run.stop.k < section.by_hand:
        raise _fail(
            lesson, section, _("{message} (write exact: false)").format(message=run.stop.message), "exact", "function"
        )
    land = _landscape(f, names, section.start, curvature_known(lesson, i))
    states = _optimizer_states(opt, run)
    steps = [_iteration(i, section, run, land, opt, states, k, exact) for k in range(hand)]
    compare = None
    if opt.name != "gd":
        # the same start, rate and number of steps without the optimiser's memory: the picture to compare
        plain = descent.run(
            f, names, start, section.learning_rate, steps=max(len(run.steps) - 1, 0), until=section.stop
        )
        compare = {"gd": plain, opt.name: run}
    steps.append(_run_step(i, section, run, land, compare))
    return steps


def _iteration(
    i: int,
    section: Descent,
    run: descent.Run,
    land: _Landscape,
    opt: Optimiser | Scheduled,
    states: list[Any],
    k: int,
    exact: bool,
) -> Step:
    """Iteration k by hand: the derivative at x_k, the direction, x_{k+1}, and whether the sign changed."""
    fn = section.function
    f, names = fn.expr, fn.variables
    n = len(names)
    base_lr = run.learning_rate  # what the optimiser is given; a schedule scales it at each step
    lr = section.schedule.rate_at(k, base_lr) if section.schedule is not None else base_lr  # η_k, as shown
    sid = f"s{i}.k{k}"
    asked = [q for q in ITERATION_QUESTIONS if q in section.ask]
    cur = run.steps[k]
    nxt = run.steps[k + 1] if k + 1 < len(run.steps) else None
    prev = run.steps[k - 1] if k >= 1 else None
    point, grad = _sympy(cur.point), _sympy(cur.gradient)
    point_named = dict(zip(names, point))
    x_k, x_next = _iterate_tex(names, k), _iterate_tex(names, k + 1)
    slope_k = _slope_at_tex(names, k)
    grad_exprs = calculus.gradient(f, names)

    def tolerance(value: Any) -> float | None:
        if exact:
            return None
        values = value if isinstance(value, tuple) else (value,)
        return HAND_TOLERANCE * max([1.0, *(abs(float(v)) for v in values)])

    # the iteration's own values, for {{...}} in the author's help (tutor.walkthrough.authored)
    values = {"k": k, "k_next": k + 1, "x_k": _one(point), "grad_k": _one(grad), "eta": lr}
    if nxt is not None:
        values["x_next"] = _one(_sympy(nxt.point))

    def ask_help(name: str, solution: Text) -> Help:
        return _with_solution(fill_help(section.help.get(name), values), solution)

    # Where the learner's own earlier answers come in.
    x_name, g_name, h_name = f"x_{k}", f"g_{k}", f"g_{k - 1}"
    x_from = f"s{i}.k{k - 1}.next" if k >= 1 and "next" in asked else None
    g_from = f"{sid}.derivative" if "derivative" in asked else None
    h_from = f"s{i}.k{k - 1}.derivative" if k >= 1 and "derivative" in asked else None
    labels = {x_name: _iterate_label(names, k), g_name: _slope_label(names, k), h_name: _slope_label(names, k - 1)}

    questions: list[Question] = []
    solution_lines: list[str] = []
    previous_point = dict(zip(names, _sympy(prev.point))) if prev is not None else None

    # 1. the derivative (gradient) at x_k
    at_value = f"f'({tex(point[0])})" if n == 1 else rf"\nabla f{tex(point)}"
    d_line = _("${names} = {tex_in}$, so ${slope_k} = {at_value} = {tex}$.").format(
        names=_derivative_tex(names),
        tex_in=tex_in(grad_exprs[0] if n == 1 else grad_exprs, names),
        slope_k=slope_k,
        at_value=at_value,
        tex=tex(_one(grad)),
    )
    solution_lines.append(d_line)
    if "derivative" in asked:
        formula = depends = given = None
        if x_from:
            xs = placeholders(x_name, n)
            subs = dict(zip((symbol(v) for v in names), xs if n > 1 else (xs,)))
            formula = _one_formula(tuple(g.xreplace(subs) for g in grad_exprs))
            depends, given = {x_name: x_from}, {x_name: _one(point)}
        if k == 0:
            prompt = _("Start at ${x_k} = {tex}$. What is ${slope_k}$?").format(
                x_k=x_k, tex=tex(_one(point)), slope_k=slope_k
            )
        else:
            prompt = _("What is ${slope_k}$, at ${x_k}$ (in the table)?").format(slope_k=slope_k, x_k=x_k)
        questions.append(
            Question(
                id=f"{sid}.derivative",
                kind=_kind(n),
                prompt=prompt,
                expected=_one(grad),
                skill="evaluate",
                tolerance=tolerance(_one(grad)),
                help=ask_help("derivative", _lines([d_line])),
                formula=formula,
                depends=depends or {},
                given=given or {},
                labels={x_name: labels[x_name]} if depends else {},
                context=SlopeContext(f, names, point_named, k, previous_point),
                parts=_partials(names) if n > 1 else (),
            )
        )

    # 2. the direction to move
    directions = tuple(direction_of(g) for g in grad)
    if n == 1:
        g, word = grad[0], directions[0]
        rel = ">" if word == "decrease" else "<" if word == "increase" else "="
        why = {
            "decrease": _("f increases to the right, so going downhill means moving left"),
            "increase": _("f decreases to the right, so going downhill means moving right"),
            "stay": _("a stationary point: there is no downhill direction to move in"),
        }[word]
        sign = f"{slope_k} = 0" if word == "stay" else f"{slope_k} = {tex(g)} {rel} 0"
        dir_line = _("${sign}$: {why}; {moves}.").format(
            sign=sign, why=why, moves=_(_DIRECTION_WORDS[word]).format(v=names[0])
        )
    else:
        parts = []
        for v, g, word in zip(names, grad, directions):
            rel = ">" if word == "decrease" else "<" if word == "increase" else "="
            sign = f"{_partial_tex(v)} = 0" if word == "stay" else f"{_partial_tex(v)} = {tex(g)} {rel} 0"
            parts.append(_("${sign}$, so {moves}").format(sign=sign, moves=_(_DIRECTION_WORDS[word]).format(v=v)))
        dir_line = _("Each variable moves against its own partial derivative: {parts}.").format(
            parts=_("; ").join(parts)
        )
    solution_lines.append(dir_line)
    if "direction" in asked:
        formula = depends = given = None
        if g_from:
            formula = placeholders(g_name, n)
            depends, given = {g_name: g_from}, {g_name: _one(grad)}
        if n == 1:
            prompt = _("To make f smaller, should ${names}$ increase, decrease or stay?").format(names=names[0])
        else:
            order = ", ".join(names)
            prompt = _(
                "To make f smaller, should each of ${order}$ increase, decrease or stay? Answer in order, e.g. `decrease, increase, stay`."
            ).format(order=order)
        questions.append(
            Question(
                id=f"{sid}.direction",
                kind="choice",
                prompt=prompt,
                expected=directions[0] if n == 1 else directions,
                skill="direction",
                choices=DIRECTION_CHOICES,
                help=ask_help("direction", _lines([dir_line])),
                formula=formula,
                depends=depends or {},
                given=given or {},
                labels={g_name: labels[g_name]} if depends else {},
                rule="direction",
                context=DirectionContext(_one(grad), names, point_named, k),
                parts=tuple(_("the direction of {v}").format(v=v) for v in names) if n > 1 else (),
            )
        )

    # 3. the next iterate
    if nxt is not None:
        new = _sympy(nxt.point)
        next_line = _update_line(opt, names, k, point, grad, states[k], lr, new)
        solution_lines.append(next_line)
        if "next" in asked:
            xs = placeholders(x_name, n) if x_from else _one(point)
            gs = placeholders(g_name, n) if g_from else _one(grad)
            depends = {}
            given = {}
            if x_from:
                depends[x_name], given[x_name] = x_from, _one(point)
            if g_from:
                depends[g_name], given[g_name] = g_from, _one(grad)
            formula = None
            if depends:
                formula = _one_formula(_symbolic_update(opt, _as_tuple(xs), _as_tuple(gs), states[k], base_lr))
            if opt.name == "gd":
                rule = rf"{x_next} = {x_k} - \eta\, {slope_k}"
                how = _(" (${rule}$, $\\eta = {lr}$)").format(rule=rule, lr=tex(lr))
            else:  # the optimiser's own rule, at this k, and its name (not its key)
                rule = _rule_at(opt, names, k)
                how = _(" ({optimiser}: ${rule}$, $\\eta = {lr}$)").format(optimiser=_(opt.noun), rule=rule, lr=tex(lr))
            questions.append(
                Question(
                    id=f"{sid}.next",
                    kind=_kind(n),
                    prompt=_("What is the next iterate ${x_next}${how}?").format(x_next=x_next, how=how),
                    expected=_one(new),
                    skill="update",
                    tolerance=tolerance(_one(new)),
                    help=ask_help("next", _lines([next_line])),
                    formula=formula,
                    depends=depends,
                    given=given,
                    labels={name: labels[name] for name in depends},
                    context=UpdateContext(f, names, point_named, _one(grad), lr, k, opt.name, previous_point),
                    parts=tuple(_component(v) for v in names) if n > 1 else (),
                )
            )
    else:
        solution_lines.append(_("The run stops here: {why}").format(why=_first_lower(_stop_words(run, names))))

    # 4. did the derivative change sign?
    if prev is not None:
        before = _sympy(prev.gradient)
        changed = bool(cur.sign_change)
        sc_line = _sign_change_line(names, k, _sympy(prev.point), point, before, grad, cur.sign_change)
        solution_lines.append(sc_line)
        if "sign_change" in asked:
            depends, given = {}, {}
            hs = placeholders(h_name, n) if h_from else _one(before)
            gs = placeholders(g_name, n) if g_from else _one(grad)
            if h_from:
                depends[h_name], given[h_name] = h_from, _one(before)
            if g_from:
                depends[g_name], given[g_name] = g_from, _one(grad)
            formula = None
            if depends:
                pairs = zip(hs if isinstance(hs, tuple) else (hs,), gs if isinstance(gs, tuple) else (gs,))
                formula = _one_formula(tuple(a * b for a, b in pairs))
            what = _("the derivative") if n == 1 else _("any partial derivative")
            questions.append(
                Question(
                    id=f"{sid}.sign_change",
                    kind="choice",
                    prompt=_("Did {what} change sign between ${previous}$ and ${x_k}$? (yes / no)").format(
                        what=what, previous=_iterate_tex(names, k - 1), x_k=x_k
                    ),
                    expected="yes" if changed else "no",
                    skill="sign_change",
                    choices=YES_NO,
                    help=ask_help("sign_change", _lines([sc_line])),
                    formula=formula,
                    depends=depends,
                    given=given,
                    labels={name: labels[name] for name in depends},
                    rule="sign_change",
                    context=SignChangeContext(_one(before), _one(grad), names, k),
                )
            )
        if "sign_change" in asked and changed and n == 1:
            questions.append(
                _bracket_question(i, sid, k, names, _sympy(prev.point)[0], point[0], x_from, labels, ask_help, sc_line)
            )

    if k == 0:
        intro: Text = _("Gradient descent on ${f}$ from ${x_k} = {tex}$ with learning rate $\\eta = {lr}$.").format(
            f=_function_tex(f, names), x_k=x_k, tex=tex(_one(point)), lr=tex(lr)
        )
        if section.schedule is not None:
            rule = section.schedule.words()
            intro = _join(intro, _("The learning rate follows a schedule: ${rule}$.").format(rule=rule))
        text = _join(section.text, intro)
    else:
        text = _(
            "Iteration {k}: carry on from ${x_k}$, where the last iteration ended (the table shows its value)."
        ).format(k=k, x_k=x_k)
    title: Text = _("Iteration {k}").format(k=k)
    if k == 0 and section.title:
        title = section.title
    payload = IterationPayload(**_run_data(fn, run, land, k))
    return Step(sid, i, title, text, payload, tuple(questions), _lines(solution_lines))


def _bracket_question(
    i: int,
    sid: str,
    k: int,
    names: tuple[str, ...],
    before: Any,
    here: Any,
    x_from: str | None,
    labels: Mapping[str, Text],
    ask_help: Callable[[str, Text], Help],
    sc_line: str,
) -> Question:
    """The article's stop rule made a question: the sign changed, so where does the minimum lie?

    Expected: the interval [x_{k-1}, x_k] written low end first.  Error carried
    forward: the ends are the learner's own iterates where they gave them.
    """
    a_name, b_name = f"x_{k - 1}", f"x_{k}"
    a_from = f"s{i}.k{k - 2}.next" if k >= 2 and x_from else None
    depends, given = {}, {}
    a, b = before, here
    if a_from:
        a, depends[a_name], given[a_name] = placeholder(a_name), a_from, before
    if x_from:
        b, depends[b_name], given[b_name] = placeholder(b_name), x_from, here
    formula = (sp.Min(a, b), sp.Max(a, b)) if depends else None
    xa, xb = _iterate_tex(names, k - 1), _iterate_tex(names, k)
    return Question(
        id=f"{sid}.bracket",
        kind="vector",
        prompt=_("So the minimum lies between ${xa}$ and ${xb}$. Write that interval as $[a, b]$ with $a < b$.").format(
            xa=xa, xb=xb
        ),
        expected=(min(before, here), max(before, here)),
        skill="sign_change",
        help=ask_help("sign_change", _lines([sc_line])),
        formula=formula,
        depends=depends,
        given=given,
        labels={name: labels.get(name, _iterate_label(names, int(name.split("_")[1]))) for name in depends},
        context=BracketContext(names, k, (before, here)),
        parts=(_("the low end a"), _("the high end b")),
    )


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _rule_at(opt: Optimiser | Scheduled, names: Sequence[str], k: int) -> str:
    """The optimiser's update rule (LaTeX) written for step k: x_{k+1}, x_k and their companions numbered."""
    rule = opt.update_latex.replace("x_{k+1}", _iterate_tex(names, k + 1)).replace("x_k", _iterate_tex(names, k))
    return rule.replace("_{k+1}", f"_{{{k + 1}}}").replace("_k", f"_{{{k}}}")


def _update_line(
    opt: Optimiser | Scheduled,
    names: Sequence[str],
    k: int,
    point: tuple[Any, ...],
    grad: tuple[Any, ...],
    state: Any,
    lr: Any,
    new: tuple[Any, ...],
) -> str:
    """x_{k+1} written out with every number, for the optimiser in use."""
    x_k, x_next, slope_k = _iterate_tex(names, k), _iterate_tex(names, k + 1), _slope_at_tex(names, k)
    p, g, nx = _one(point), _one(grad), _one(new)
    if opt.name == "gd":
        line = rf"${x_next} = {x_k} - \eta\, {slope_k} = {tex(p)} - {tex(lr)}\cdot {tex_factor(g)} = {tex(nx)}$"
        return line
    if opt.name == "momentum":
        v_before = _one(_sympy(state))
        momentum_beta = opt.values()["beta"]
        v_after = _one(tuple(momentum_beta * a + b for a, b in zip(_sympy(state), grad)))
        beta = _sympy(momentum_beta)
        v_line, x_line = (
            rf"$v_{{{k + 1}}} = \beta v_{{{k}}} + {slope_k} = {tex(beta)}\cdot {tex_factor(v_before)} + {tex_factor(g)} = {tex(v_after)}$",
            rf"${x_next} = {x_k} - \eta\, v_{{{k + 1}}} = {tex(p)} - {tex(lr)}\cdot {tex_factor(v_after)} = {tex(nx)}$",
        )
        return _("{line}, so {line2}").format(line=v_line, line2=x_line)
    # any other optimiser: its rule as it writes it, and the engine's result
    rule = opt.update_latex.replace("x_{k+1}", x_next).replace("x_k", x_k)
    return _("${x_next} = {value}$ ({optimiser}: ${rule}$, $\\eta = {lr}$)").format(
        x_next=x_next, value=tex(nx), optimiser=_(opt.label), rule=rule, lr=tex(lr)
    )


def _left_slope_rises(before_point: Any, point: Any, before: Any, grad: Any) -> bool:
    """In one variable: is f' positive at the left end of the interval (a maximum is bracketed, not a minimum)?"""
    try:
        a, b = float(_one(before_point)), float(_one(point))
        ga, gb = float(_one(before)), float(_one(grad))
    except (TypeError, ValueError):
        return False
    return (ga if a < b else gb) > 0


def _sign_change_line(
    names: Sequence[str], k: int, before_point: Any, point: Any, before: Any, grad: Any, changed: tuple[str, ...]
) -> str:
    a_tex, b_tex = _slope_at_tex(names, k - 1), _slope_at_tex(names, k)
    values = f"${a_tex} = {tex(_one(before))}$, ${b_tex} = {tex(_one(grad))}$"
    xa, xb = _iterate_tex(names, k - 1), _iterate_tex(names, k)
    between = f"${xa} = {tex(_one(before_point))}$", f"${xb} = {tex(_one(point))}$"
    if not changed and all(g == 0 for g in (grad if isinstance(grad, (tuple, list)) else (grad,))):
        return _(
            "{values}: the derivative is exactly 0, so there is nothing to bracket: this point is a stationary point."
        ).format(values=values)
    if not changed and len(names) > 1:
        return _(
            "{values}: no partial derivative changed sign, so no step has gone past the lowest point along any coordinate yet."
        ).format(values=values)
    if not changed:
        return _("{values}: no sign change, so the minimum is not bracketed yet.").format(values=values)
    if len(names) == 1 and _left_slope_rises(before_point, point, before, grad):
        return _(
            "{values}: opposite signs, but f rises at the left end and falls at the right, so a maximum (not a minimum) lies between {between} and {between2}."
        ).format(values=values, between=between[0], between2=between[1])
    if len(names) == 1:
        return _(
            "{values}: opposite signs, so the derivative changed sign and the minimum lies between {between} and {between2}."
        ).format(values=values, between=between[0], between2=between[1])
    which = ", ".join(f"∂f/∂{v}" for v in changed)
    along = ", ".join(changed)
    return _(
        "{values}: {which} changed sign, so the step overshot the lowest point along {along} (in several variables that does not say where the minimum of f is)."
    ).format(values=values, which=which, along=along)


def _run_step(
    i: int, section: Descent, run: descent.Run, land: _Landscape, compare: dict[str, descent.Run] | None = None
) -> Step:
    """The whole run; ``compare``: the runs to draw together (plain descent and the optimiser), by optimiser."""
    fn = section.function
    names = fn.variables
    text = _join(
        _stop_words(run, names), _bound_words(land, run.learning_rate, run.optimizer), _minima_words(land, names)
    )
    facts = _run_data(fn, run, land, len(run.steps) - 1)
    if compare is not None:
        facts["optimisers"] = optimiser_words(*compare)
    payload = RunPayload(**facts, display=section.display, compare=compare)
    title = _("The whole run")
    return Step(f"s{i}.run", i, title, text, payload, (), _run_table(run, names, section.display))
