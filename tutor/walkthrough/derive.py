"""Derive and evaluate sections: one question each, a derivative, a partial, a gradient or a value."""

from __future__ import annotations

from typing import Any

from tutor import calculus
from tutor.calculus import MathError
from tutor.lesson.model import Derive, Evaluate, Lesson
from tutor.text import Text, both
from tutor.walkthrough.contract import DeriveContext, DerivePayload, EvaluateContext, EvaluatePayload
from tutor.walkthrough.explained import derivation, derivation_hints
from tutor.walkthrough.latex import _derivative_tex, _function_tex, _partial_tex, _point_tex, tex, tex_in
from tutor.walkthrough.model import Question, Step
from tutor.walkthrough.shared import _fail, _lines, _partials, _with_solution


def _derive(i: int, section: Derive, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    of = section.of or ("gradient" if len(names) > 1 else names[0])
    given = f"${_function_tex(f, names)}$"
    if of == "gradient":
        expected: Any = calculus.gradient(f, names)
        kind, skill, parts = "vector", "gradient", _partials(names)
        shape = ", ".join(rf"\partial f/\partial {v}" for v in names)
        prompt = both(
            rf"For {given}, what is the gradient $\nabla f$? Write it as a vector $\left({shape}\right)$.",
            rf"对于 {given}，梯度 $\nabla f$ 是什么？请写成向量 $\left({shape}\right)$。",
        )
        lines = [(rf"$\nabla f = {tex_in(expected, names)}$",) * 2]
        lines += [(f"${_partial_tex(v)} = {tex_in(g, names)}$",) * 2 for v, g in zip(names, expected)]
    else:
        if of not in names:
            raise _fail(lesson, section, f"'{of}' is not a variable of f ({', '.join(names)})", "of")
        expected = calculus.derivative(f, of)
        kind, parts = "expression", ()
        skill = "derivative" if len(names) == 1 else "partial"
        d = _derivative_tex(names, of)
        if skill == "derivative":
            prompt = both(f"For {given}, what is ${d}$?", f"对于 {given}，导数 ${d}$ 是什么？")
        else:
            prompt = both(f"For {given}, what is ${d}$?", f"对于 {given}，偏导数 ${d}$ 是什么？")
        lines = [(f"${d} = {tex_in(expected, names)}$",) * 2]
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
        "derivative": both("The derivative", "导数"),
        "partial": both("A partial derivative", "偏导数"),
        "gradient": both("The gradient", "梯度"),
    }
    payload = DerivePayload(f, names, of, derivation(f, targets))
    title = section.title or titles[skill]
    return [Step(f"s{i}", i, title, section.text or "", payload, (question,), solution)]


def _evaluate(i: int, section: Evaluate, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.at]
    if missing:
        raise _fail(lesson, section, f"'at' needs a value for {', '.join(missing)}", "at")
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
            lines = [(f"${name} = {tex(expected)}$",) * 2]
        elif what == "derivative":
            of = of or (names[0] if len(names) == 1 else None)
            if of not in names:
                raise _fail(
                    lesson,
                    section,
                    f"say which partial derivative to evaluate: of: one of {', '.join(names)}",
                    "of",
                    "what",
                )
            d_expr = calculus.derivative(f, of)
            expected = calculus.evaluate(d_expr, point, what=f"∂f/∂{of}")
            kind, parts = "number", ()
            d = _derivative_tex(names, of)
            name = f"f'({at})" if len(names) == 1 else rf"{d}\big|_{{({at})}}"
            lines = [
                (
                    f"${d} = {tex_in(d_expr, names)}$, so ${name} = {tex(expected)}$",
                    f"${d} = {tex_in(d_expr, names)}$，所以 ${name} = {tex(expected)}$",
                )
            ]
        elif what == "gradient":
            grad = calculus.gradient(f, names)
            expected = calculus.evaluate_vector(grad, point)
            kind, parts, of = "vector", _partials(names), None
            name = rf"\nabla f({at})"
            lines = [
                (
                    rf"$\nabla f = {tex_in(grad, names)}$, so ${name} = {tex(expected)}$",
                    rf"$\nabla f = {tex_in(grad, names)}$，所以 ${name} = {tex(expected)}$",
                )
            ]
        else:
            raise _fail(lesson, section, f"unknown 'what': {what} (value, derivative or gradient)", "what")
    except MathError as err:
        raise _fail(lesson, section, err.message, "at") from None
    if kind == "vector" and len(names) == 1:
        kind, expected, parts = "number", expected[0], ()
    prompt = both(
        f"For ${_function_tex(f, names)}$, what is ${name}$ (at ${where_words}$)?",
        f"对于 ${_function_tex(f, names)}$，${name}$ 是多少（在 ${where_words}$ 处）？",
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
    title = section.title or both("A value", "求值")
    return [Step(f"s{i}", i, title, section.text or "", payload, (question,), solution)]
