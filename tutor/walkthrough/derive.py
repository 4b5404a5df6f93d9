"""Derive and evaluate sections: one question each, a derivative, a partial, a gradient or a value."""

from __future__ import annotations

from typing import Any

from tutor import calculus
from tutor.calculus import MathError
from tutor.i18n import _
from tutor.lesson.model import Derive, Evaluate, Lesson
from tutor.text import Text
from tutor.walkthrough.contract import DeriveContext, DerivePayload, EvaluateContext, EvaluatePayload
from tutor.walkthrough.explained import derivation, derivation_hints
from tutor.walkthrough.latex import _derivative_tex, _function_tex, _partial_tex, _point_tex, tex, tex_in
from tutor.walkthrough.shared import _fail, _lines, _partials, _with_solution
from tutor.walkthrough.steps import Question, Step


def _derive(i: int, section: Derive, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    of = section.of or ("gradient" if len(names) > 1 else names[0])
    given = f"${_function_tex(f, names)}$"
    if of == "gradient":
        expected: Any = calculus.gradient(f, names)
        kind, skill, parts = "vector", "gradient", _partials(names)
        shape = ", ".join(rf"\partial f/\partial {v}" for v in names)
        prompt = _(
            "For {given}, what is the gradient $\\nabla f$? Write it as a vector $\\left({shape}\\right)$."
        ).format(given=given, shape=shape)
        lines = [rf"$\nabla f = {tex_in(expected, names)}$"]
        lines += [f"${_partial_tex(v)} = {tex_in(g, names)}$" for v, g in zip(names, expected)]
    else:
        if of not in names:
            raise _fail(
                lesson,
                section,
                _("'{of}' is not a variable of f ({names})").format(of=of, names=", ".join(names)),
                "of",
            )
        expected = calculus.derivative(f, of)
        kind, parts = "expression", ()
        skill = "derivative" if len(names) == 1 else "partial"
        d = _derivative_tex(names, of)
        if skill == "derivative":
            prompt = _("For {given}, what is ${d}$?").format(given=given, d=d)
        else:
            prompt = _("For {given}, what is the partial derivative ${d}$?").format(given=given, d=d)
        lines = [f"${d} = {tex_in(expected, names)}$"]
    solution = _lines(lines)
    targets = names if of == "gradient" else (of,)
    question = Question(
        id=f"s{i}.{skill}",
        kind=kind,
        prompt=section.prompt or prompt,
        expected=expected,
        skill=skill,
        variables=names,
        help=_with_solution(section.help, solution),
        context=DeriveContext(f, names, of, skill, hints=tuple(derivation_hints(f, v) for v in targets)),
        parts=parts,
    )
    titles = {
        "derivative": _("The derivative"),
        "partial": _("A partial derivative"),
        "gradient": _("The gradient"),
    }
    payload = DerivePayload(f, names, of, derivation(f, targets))
    title = section.title or titles[skill]
    return [Step(f"s{i}", i, title, section.text or "", payload, (question,), solution)]


def _evaluate(i: int, section: Evaluate, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.at]
    if missing:
        raise _fail(lesson, section, _("'at' needs a value for {missing}").format(missing=", ".join(missing)), "at")
    point = {v: section.at[v] for v in names}
    values = tuple(point.values())
    at = tex(values[0]) if len(names) == 1 else ", ".join(tex(v) for v in values)
    where_words = _point_tex(names, values)
    what, of = section.what, section.of
    try:
        if what != "value":
            kink = calculus.nondifferentiable_at(f, point)
            if kink:
                raise _fail(lesson, section, kink, "at")
        parts: tuple[Text, ...]
        if what == "value":
            expected: Any = calculus.evaluate(f, point, what="f")
            kind, parts, of = "number", (), None
            name = f"f({at})"
            lines = [f"${name} = {tex(expected)}$"]
        elif what == "derivative":
            of = of or (names[0] if len(names) == 1 else None)
            if of not in names:
                raise _fail(
                    lesson,
                    section,
                    _("say which partial derivative to evaluate: of: one of {names}").format(names=", ".join(names)),
                    "of",
                    "what",
                )
            d_expr = calculus.derivative(f, of)
            expected = calculus.evaluate(d_expr, point, what=f"∂f/∂{of}")
            kind, parts = "number", ()
            d = _derivative_tex(names, of)
            name = f"f'({at})" if len(names) == 1 else rf"{d}\big|_{{({at})}}"
            lines = [
                _("${d} = {d_expr}$, so ${name} = {expected}$").format(
                    d=d, d_expr=tex_in(d_expr, names), name=name, expected=tex(expected)
                )
            ]
        elif what == "gradient":
            grad = calculus.gradient(f, names)
            expected = calculus.evaluate_vector(grad, point)
            kind, parts, of = "vector", _partials(names), None
            name = rf"\nabla f({at})"
            lines = [
                _("$\\nabla f = {grad}$, so ${name} = {expected}$").format(
                    grad=tex_in(grad, names), name=name, expected=tex(expected)
                )
            ]
        else:
            raise _fail(
                lesson, section, _("unknown 'what': {what} (value, derivative or gradient)").format(what=what), "what"
            )
    except MathError as err:
        raise _fail(lesson, section, err.message, "at") from None
    if kind == "vector" and len(names) == 1:
        kind, expected, parts = "number", expected[0], ()
    prompt = _("For ${f}$, what is ${name}$ (at ${where_words}$)?").format(
        f=_function_tex(f, names), name=name, where_words=where_words
    )
    solution = _lines(lines)
    question = Question(
        id=f"s{i}.{what}",
        kind=kind,
        prompt=section.prompt or prompt,
        expected=expected,
        skill="evaluate",
        tolerance=section.tolerance,
        help=_with_solution(section.help, solution),
        context=EvaluateContext(f, names, of, what, point),
        parts=parts,
    )
    payload = EvaluatePayload(f, names, what, of, point)
    title = section.title or _("A value")
    return [Step(f"s{i}", i, title, section.text or "", payload, (question,), solution)]
