"""A lesson turned into plain data: the steps a learner goes through.

Each :class:`Step` holds the exact values the engine computed and the
:class:`Question` objects asked there, each with its exact expected answer.
The tutor, the plain mode, the plots and the Markdown export all render a
:class:`Walkthrough`; none of them computes mathematics of its own.
:func:`build_walkthrough` is the only place that asks the engine
(:mod:`tutor.calculus`, :mod:`tutor.descent`, :mod:`tutor.training`); it is
pure (no I/O) and raises :class:`~tutor.lesson.model.LessonError` when the
engine cannot answer a question the lesson asks.

Error carried forward: a question whose answer depends on an earlier answer
(x₂ depends on the learner's x₁) carries a ``formula`` in placeholder symbols
named by ``depends``; the grader substitutes the learner's own earlier
answers, so one slip does not fail every later step.  The conventions:

- ``depends`` maps a placeholder name to the id of the question whose answer
  it stands for; ``given`` holds the true value of each (what is used when
  the learner has not answered it); ``labels`` says how to name it to a
  learner ("x₁").
- A placeholder is the plain symbol :func:`placeholder` ``(name)`` for a
  number, and ``placeholder(name, i)`` (printed ``name[i]``) for component i
  of a vector answer.  Plain symbols never clash with the lesson's variables,
  which are real symbols made by :func:`tutor.mathtext.symbol`.
- A choice question carries forward through ``rule``: the formula is a
  number (or a tuple of numbers) and the rule turns it into the choice key.
  ``"direction"``: the formula is the learner's derivative (or gradient); its
  sign decides (positive → decrease, negative → increase, zero → stay).
  ``"sign_change"``: the formula is the product f'(x_{k-1})·f'(x_k) (one per
  variable); any negative product means "yes".

Question and step ids are stable: ``s{section}`` for a one-step section,
``s{section}.k{k}`` for descent iteration k, ``s{section}.run`` for a
completed run; a question adds its name: ``s2.k1.next``, ``s0.gradient``.

Step data of "iteration" and "run" steps keeps the run's own shapes: ``point``,
``gradient`` and ``next`` are tuples in the variables' order.  A question's
``context`` (for :mod:`tutor.misconceptions`) gives ``point`` and
``previous_point`` as mappings name → value instead, and ``gradient`` as a
number for one variable, a tuple for several.

Several variables: the direction question is ONE choice question whose
expected answer is a tuple of keys in the variables' order (answered
``decrease, decrease, increase``), as author feedback for it is written.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import sympy as sp

from tutor import calculus, descent
from tutor.calculus import MathError
from tutor.errors import TutorError
from tutor.lesson.model import (
    ITERATION_QUESTIONS,
    TRAINING_QUESTIONS,
    BatchCompare,
    Derive,
    Descent,
    Diagnostic,
    Evaluate,
    Explain,
    Help,
    Lesson,
    LessonError,
    Predict,
    TrainingStep,
    Where,
)
from tutor.mathtext import symbol
from tutor.text import Text, both

#: Answer kinds and how each is graded.
#:  expression: equivalence of expressions (random points, then exact simplification)
#:  vector:     element-wise equivalence, in the variables' order
#:  number:     exact equality, or within ``tolerance``
#:  choice:     one of ``choices`` (by key, or by its label in any language)
ANSWER_KINDS = ("expression", "vector", "number", "choice")

#: A float run's numbers, computed by hand, are right within this (relative) distance.
HAND_TOLERANCE = 1e-3
#: The completed run's table shows at most this many rows (first ones, then the last).
TABLE_ROWS = 30


@dataclass(frozen=True)
class Choice:
    key: str  # e.g. "increase", "decrease", "stay", "yes", "no", "converge"
    label: Text


@dataclass(frozen=True)
class Question:
    id: str  # unique in the walkthrough, e.g. "s3.k1.next"
    kind: str  # one of ANSWER_KINDS
    prompt: Text
    expected: Any  # exact: sympy expression, tuple of them, or a choice key (tuple of keys for several variables)
    skill: str  # e.g. "derivative", "partial", "evaluate", "direction", "update", "sign_change", ...
    variables: tuple[str, ...] = ()  # names an answer may use
    choices: tuple[Choice, ...] = ()
    tolerance: float | None = None
    help: Help = field(default_factory=Help)
    # error carried forward: expected == formula with each symbol replaced by
    # the learner's answer to the question it names (or the true value).
    formula: Any = None
    depends: Mapping[str, str] = field(default_factory=dict)  # symbol name -> question id
    context: Mapping[str, Any] = field(default_factory=dict)  # what the engine knows, for misconceptions
    parts: tuple[Text, ...] = ()  # what each component of a vector answer is, e.g. "the ∂f/∂z component"
    given: Mapping[str, Any] = field(default_factory=dict)  # symbol name -> its true value
    labels: Mapping[str, Text] = field(default_factory=dict)  # symbol name -> how to name it ("x₁")
    rule: str | None = None  # choice questions: how the formula's value becomes a key (see RULES)


@dataclass(frozen=True)
class Step:
    """One screen of the lesson: text, data to show, questions to ask."""

    id: str  # e.g. "s3.k1"
    section: int  # index of the lesson section it came from
    kind: str  # "explain" | "derive" | "evaluate" | "iteration" | "run" | "predict" | "outcome" | "training" | "batch"
    title: Text
    text: Text  # Markdown with $maths$
    questions: tuple[Question, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)  # exact values for views and plots
    solution: Text | None = None  # the step's worked solution (Markdown), for the export


@dataclass(frozen=True)
class Walkthrough:
    lesson_id: str
    title: Text
    summary: Text
    steps: tuple[Step, ...]
    path: str = ""

    def questions(self) -> list[Question]:
        return [q for step in self.steps for q in step.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)


# --- error carried forward ------------------------------------------------------------------


def placeholder(name: str, index: int | None = None) -> sp.Symbol:
    """The symbol standing for a learner's earlier answer (component ``index`` of a vector)."""
    return sp.Symbol(name if index is None else f"{name}[{index}]")


def placeholders(name: str, n: int) -> Any:
    """One placeholder for a number, a tuple of them for an n-vector."""
    return placeholder(name) if n == 1 else tuple(placeholder(name, i) for i in range(n))


def direction_of(slope: Any) -> str:
    """The article's rule: f' > 0 means decrease x, f' < 0 means increase x, f' = 0 means stay."""
    s = _sign(slope)
    return "decrease" if s > 0 else "increase" if s < 0 else "stay"


def _rule_direction(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(direction_of(v) for v in value)
    return direction_of(value)


def _rule_sign_change(value: Any) -> str:
    products = value if isinstance(value, tuple) else (value,)
    return "yes" if any(_sign(p) < 0 for p in products) else "no"


#: How a choice question's formula value becomes its key.
RULES: dict[str, Callable[[Any], Any]] = {"direction": _rule_direction, "sign_change": _rule_sign_change}


def _sympy(value: Any) -> Any:
    """An engine value as sympy (floats of a float run become Floats); tuples stay tuples."""
    if isinstance(value, (tuple, list)):
        return tuple(_sympy(v) for v in value)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError(f"not a number: {value!r}")


def _sign(value: Any) -> int:
    if isinstance(value, sp.Basic):
        return calculus.sign(value)
    return (value > 0) - (value < 0)


def _bindings(name: str, value: Any) -> dict[sp.Symbol, Any]:
    if isinstance(value, (tuple, list)):
        return {placeholder(name, i): _sympy(v) for i, v in enumerate(value)}
    return {placeholder(name): _sympy(value)}


def _apply(formula: Any, subs: dict) -> Any:
    if isinstance(formula, tuple):
        return tuple(_apply(f, subs) for f in formula)
    return formula.xreplace(subs) if isinstance(formula, sp.Basic) else formula


def _is_value(value: Any) -> bool:
    """A finite real number (or tuple of them) with no placeholder left in it."""
    if isinstance(value, tuple):
        return all(_is_value(v) for v in value)
    if isinstance(value, str):
        return True
    if not isinstance(value, sp.Expr) or not value.is_number:
        return False
    return not value.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I)


def same_value(a: Any, b: Any) -> bool:
    """Exactly the same number, key or tuple (a cheap test; the grader decides equivalence)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(same_value, a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        a, b = _sympy(a), _sympy(b)
    except TypeError:
        return False
    if a == b:
        return True
    if a.is_number and b.is_number:
        if a.has(sp.Float) or b.has(sp.Float):  # a float run's value against a learner's exact 3/5: equal to rounding
            fa, fb = float(a), float(b)
            return abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb))
        return (a - b).is_zero is True
    return False


def expected_given(question: Question, earlier: Mapping[str, Any]) -> tuple[Any, bool]:
    """The expected answer given the learner's earlier answers.

    Returns (expected, carried): ``carried`` is True when a learner's earlier
    answer differed from the truth and so changed what is expected here.
    Symbols the learner has not answered take their true value (``given``);
    an earlier answer that cannot be used (wrong shape, not a number, or one
    that leaves the formula undefined) is ignored and the truth is expected.
    """
    if question.formula is None or not question.depends:
        return question.expected, False
    subs: dict[sp.Symbol, Any] = {}
    used = False
    for name, qid in question.depends.items():
        value = _earlier(earlier, qid)
        truth = question.given.get(name)
        if value is not None and _is_value(value) and _shape(value) == _shape(truth):
            used = True
        else:
            value = truth
        if value is None:
            return question.expected, False
        try:
            subs.update(_bindings(name, value))
        except TypeError:
            return question.expected, False
    if not used:
        return question.expected, False
    try:
        value = _apply(question.formula, subs)
        if not _is_value(value):
            return question.expected, False
        if question.rule is not None:
            value = RULES[question.rule](value)
    except (TypeError, ValueError, ArithmeticError, KeyError):
        return question.expected, False
    return value, not same_value(value, question.expected)


def _earlier(earlier: Mapping[str, Any], qid: str) -> Any:
    """A learner's earlier answer as sympy (None when missing or not a number)."""
    value = earlier.get(qid)
    if value is None or isinstance(value, str):
        return value
    try:
        return _sympy(value)
    except TypeError:
        return None


def _shape(value: Any) -> int | None:
    return len(value) if isinstance(value, (tuple, list)) else None


def carried_inputs(question: Question, earlier: Mapping[str, Any]) -> list[tuple[Text, Any, Any]]:
    """(label, learner's value, true value) for each earlier answer that differs from the truth."""
    out = []
    for name, qid in question.depends.items():
        value, truth = _earlier(earlier, qid), question.given.get(name)
        if value is None or truth is None or not _is_value(value) or same_value(value, truth):
            continue
        out.append((question.labels.get(name, name), value, truth))
    return out


# --- showing values: plain text and LaTeX ----------------------------------------------------

_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def sub(k: int) -> str:
    """k as Unicode subscript digits: x₁."""
    return str(k).translate(_SUBSCRIPT)


def show(value: Any) -> str:
    """A value as plain text: 1/2, (4, 12, 21), 0.333333."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, str):
        return value
    if isinstance(value, float) or isinstance(value, sp.Float):
        return f"{float(value):.6g}"
    if isinstance(value, sp.Expr) and value.is_number and value.has(sp.CRootOf):
        return f"≈{float(sp.N(value)):.6g}"
    if isinstance(value, sp.Basic):
        return sp.sstr(value)
    return str(value)


def tex(value: Any) -> str:
    """A value as LaTeX: rationals as \\tfrac, floats to 6 significant digits, vectors in parentheses."""
    if isinstance(value, (tuple, list)):
        return r"\left(" + ", ".join(tex(v) for v in value) + r"\right)"
    if isinstance(value, float) or isinstance(value, sp.Float):
        text = f"{float(value):.6g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
        return text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, sp.Expr) and value.is_number and value.has(sp.CRootOf):
        return rf"\approx {float(sp.N(value)):.6g}"  # a root with no closed form: its value says more
    latex = sp.latex(value)
    return latex.replace(r"\frac{", r"\tfrac{") if isinstance(value, sp.Rational) else latex


#: A rational with more digits than this is shown as a decimal in summaries of a whole run.
SHORT_DIGITS = 12


def tex_short(value: Any) -> str:
    """Like :func:`tex`, but a long exact fraction (late in a run) is shown ≈ as a decimal."""
    if isinstance(value, (tuple, list)):
        return r"\left(" + ", ".join(tex_short(v) for v in value) + r"\right)"
    if isinstance(value, sp.Rational) and len(str(abs(value.p))) + len(str(value.q)) > SHORT_DIGITS:
        return rf"\approx {float(value):.6g}"
    return tex(value)


def tex_factor(value: Any) -> str:
    """A value ready to be multiplied: negative numbers and sums in parentheses."""
    text = tex(value)
    if isinstance(value, (tuple, list)):
        return text
    negative = isinstance(value, (int, float)) and value < 0
    if isinstance(value, sp.Basic):
        negative = value.is_number and value.is_negative is True or value.could_extract_minus_sign()
        negative = negative or isinstance(value, sp.Add)
    return rf"\left({text}\right)" if negative else text


def tex_in(expr: Any, variables: Sequence[str]) -> str:
    """LaTeX of an expression with its terms in the variables' order, as people write it.

    sympy sorts ``2x^2 + 6z^2 + 7m^3`` as ``7m^3 + 2x^2 + 6z^2``; here the terms
    of a sum go by their first variable (in the given order), then by degree.
    """
    if isinstance(expr, (tuple, list)):
        return r"\left(" + ", ".join(tex_in(e, variables) for e in expr) + r"\right)"
    if not isinstance(expr, sp.Add):
        return tex(expr)
    syms = [symbol(v) for v in variables]

    def key(term: sp.Expr) -> tuple[int, int]:
        first = [i for i, s in enumerate(syms) if term.has(s)]
        degree = sp.Poly(term, *syms).total_degree() if syms and term.is_polynomial(*syms) else 0
        return (min(first) if first else len(syms), -degree)

    return sp.latex(sp.Add(*sorted(expr.args, key=key), evaluate=False), order="none")


def _head(variables: Sequence[str]) -> str:
    return f"f({', '.join(variables)})"


def _function_tex(f: sp.Expr, variables: Sequence[str]) -> str:
    return f"{_head(variables)} = {tex_in(f, variables)}"


def _partial_tex(name: str, of: str = "f") -> str:
    return rf"\frac{{\partial {of}}}{{\partial {name}}}"


def _derivative_tex(variables: Sequence[str], of: str | None = None) -> str:
    """f'(x) for one variable, ∂f/∂z for one of several, ∇f for the gradient (of None)."""
    if len(variables) == 1 and of in (None, variables[0]):
        return f"f'({variables[0]})"
    if of is None:
        return r"\nabla f"
    return _partial_tex(of)


def _iterate_tex(variables: Sequence[str], k: int | str) -> str:
    return f"{variables[0]}_{{{k}}}" if len(variables) == 1 else rf"\mathbf{{x}}_{{{k}}}"


def _slope_at_tex(variables: Sequence[str], k: int | str) -> str:
    """f'(x_k) or ∇f(x_k)."""
    if len(variables) == 1:
        return f"f'({_iterate_tex(variables, k)})"
    return rf"\nabla f({_iterate_tex(variables, k)})"


def _iterate_label(variables: Sequence[str], k: int) -> Text:
    if len(variables) == 1:
        return f"{variables[0]}{sub(k)}"
    point = f"({', '.join(variables)})"
    return both(f"{point} at step {k}", f"第 {k} 步的 {point}")


def _slope_label(variables: Sequence[str], k: int) -> Text:
    if len(variables) == 1:
        return f"f'({variables[0]}{sub(k)})"
    return both(f"∇f at step {k}", f"第 {k} 步的 ∇f")


def _point_tex(variables: Sequence[str], point: Sequence[Any]) -> str:
    return ", ".join(f"{v} = {tex(value)}" for v, value in zip(variables, point))


def _one(values: Sequence[Any]) -> Any:
    """A number for one component, a tuple for several (how answers are written)."""
    values = _sympy(tuple(values))
    return values[0] if len(values) == 1 else values


def _kind(n: int) -> str:
    return "number" if n == 1 else "vector"


def _component(name: str) -> Text:
    return both(f"the {name} component", f"{name} 分量")


def _partials(variables: Sequence[str], of: str = "f") -> tuple[Text, ...]:
    return tuple(_component(f"∂{of}/∂{v}") for v in variables)


def _with_solution(help: Help | None, solution: Text) -> Help:
    """The author's help, with the engine's worked solution when the author wrote none."""
    help = help or Help()
    return help if help.solution is not None else dataclasses.replace(help, solution=solution)


def _join(*texts: Text | None) -> Text:
    """Paragraphs in both languages, skipping empty ones."""
    parts = [t for t in texts if t]
    out = {}
    for lang in ("en", "zh"):
        out[lang] = "\n\n".join(t if isinstance(t, str) else t.get(lang) or t.get("en") or next(iter(t.values()), "") for t in parts)
    return out


def _lines(pairs: Sequence[tuple[str, str]]) -> Text:
    """A worked solution from (en, zh) lines."""
    return both("\n\n".join(en for en, _ in pairs), "\n\n".join(zh for _, zh in pairs))


DIRECTION_CHOICES = (
    Choice("increase", both("increase", "增大")),
    Choice("decrease", both("decrease", "减小")),
    Choice("stay", both("stay", "不动")),
)
YES_NO = (Choice("yes", both("yes", "是")), Choice("no", both("no", "否")))
OUTCOME_CHOICES = (
    Choice("converge", both("converge", "收敛")),
    Choice("oscillate", both("oscillate", "振荡")),
    Choice("diverge", both("diverge", "发散")),
)
_DIRECTION_WORDS = {"increase": ("increases", "增大"), "decrease": ("decreases", "减小"), "stay": ("stays", "不动")}


# --- building -----------------------------------------------------------------------------------


def build_walkthrough(lesson: Lesson) -> Walkthrough:
    """Every section of the lesson as steps with exact expected answers (pure: no I/O)."""
    steps: list[Step] = []
    for i, section in enumerate(lesson.sections):
        builder = _BUILDERS.get(type(section))
        if builder is None:
            raise LessonError([Diagnostic(_where(lesson, section), "error", f"unknown kind of section: {type(section).__name__}")])
        try:
            steps.extend(builder(i, section, lesson))
        except LessonError:
            raise
        except TutorError as err:  # the engine has no answer: say where, in one line
            raise LessonError([Diagnostic(_where(lesson, section), "error", err.message)]) from None
    return Walkthrough(lesson.id, lesson.title, lesson.summary, tuple(_tidy(step) for step in steps), lesson.path)


_EQUALS_APPROX = re.compile(r"=\s*\\approx")


def _tidy_text(text):
    """'x = \\approx 0.35' (an exact value shown as a decimal) reads 'x \\approx 0.35'."""
    if isinstance(text, str):
        return _EQUALS_APPROX.sub(r"\\approx", text)
    if isinstance(text, Mapping):
        return {lang: _tidy_text(t) for lang, t in text.items()}
    return text


def _tidy(step: Step) -> Step:
    return replace(step, text=_tidy_text(step.text), solution=_tidy_text(step.solution))


def _where(lesson: Lesson, section: Any, *keys: str) -> Where:
    places = getattr(section, "places", None) or {}
    for key in keys:
        if key in places:
            return places[key]
    return getattr(section, "where", None) or lesson.where or Where(lesson.path or lesson.id, 1, 1)


def _fail(lesson: Lesson, section: Any, message: str, *keys: str) -> LessonError:
    return LessonError([Diagnostic(_where(lesson, section, *keys), "error", message)])


# --- explain --------------------------------------------------------------------------------------


def _explain(i: int, section: Explain, lesson: Lesson) -> list[Step]:
    data: dict[str, Any] = {}
    if section.plot is not None:
        fn = section.plot.function
        data = {"function": fn.expr, "variables": fn.variables, "x_range": section.plot.x_range}
    title = section.title or both("Explanation", "讲解")
    return [Step(f"s{i}", i, "explain", title, section.text, data=data)]


# --- derive ---------------------------------------------------------------------------------------


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
    question = Question(
        id=f"s{i}.{skill}",
        kind=kind,
        prompt=section.prompt or prompt,
        expected=expected,
        skill=skill,
        variables=names,
        help=_with_solution(section.help, solution),
        context={"function": f, "variables": names, "of": of, "what": skill, "at": None},
        parts=parts,
    )
    titles = {"derivative": both("The derivative", "导数"), "partial": both("A partial derivative", "偏导数"), "gradient": both("The gradient", "梯度")}
    data = {"function": f, "variables": names, "of": of}
    return [Step(f"s{i}", i, "derive", section.title or titles[skill], section.text or "", (question,), data, solution)]


# --- evaluate -------------------------------------------------------------------------------------


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
        if what == "value":
            expected: Any = calculus.evaluate(f, point, what="f")
            kind, parts, of = "number", (), None
            name = f"f({at})"
            lines = [(f"${name} = {tex(expected)}$",) * 2]
        elif what == "derivative":
            of = of or (names[0] if len(names) == 1 else None)
            if of not in names:
                raise _fail(lesson, section, f"say which partial derivative to evaluate: of: one of {', '.join(names)}", "of", "what")
            d_expr = calculus.derivative(f, of)
            expected = calculus.evaluate(d_expr, point, what=f"∂f/∂{of}")
            kind, parts = "number", ()
            d = _derivative_tex(names, of)
            name = f"f'({at})" if len(names) == 1 else rf"{d}\big|_{{({at})}}"
            lines = [(f"${d} = {tex_in(d_expr, names)}$, so ${name} = {tex(expected)}$", f"${d} = {tex_in(d_expr, names)}$，所以 ${name} = {tex(expected)}$")]
        elif what == "gradient":
            grad = calculus.gradient(f, names)
            expected = calculus.evaluate_vector(grad, point)
            kind, parts, of = "vector", _partials(names), None
            name = rf"\nabla f({at})"
            lines = [(rf"$\nabla f = {tex_in(grad, names)}$, so ${name} = {tex(expected)}$", rf"$\nabla f = {tex_in(grad, names)}$，所以 ${name} = {tex(expected)}$")]
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
        context={"function": f, "variables": names, "of": of, "what": what, "at": point},
        parts=parts,
    )
    data = {"function": f, "variables": names, "what": what, "of": of, "at": point}
    title = section.title or both("A value", "求值")
    return [Step(f"s{i}", i, "evaluate", title, section.text or "", (question,), data, solution)]


# --- descent --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Landscape:
    """What is known about f beyond the run: the stable learning rates and the minima."""

    bound: calculus.LearningRateBound | None
    minima: list


#: Stationary points are solved for only on polynomials up to this degree (solve is then quick).
LANDSCAPE_DEGREE = 6


def _landscape(f: sp.Expr, names: Sequence[str], start: Mapping[str, Any]) -> _Landscape:
    """The learning-rate bound and the minima, where they can be found quickly.

    ``solve`` can run for ever on other functions, and a walkthrough is built
    in the tutor's own process, so those get no bound and no minima.
    """
    syms = calculus.symbols_of(names)
    if not (f.is_polynomial(*syms) and sp.Poly(f, *syms).total_degree() <= LANDSCAPE_DEGREE):
        return _Landscape(None, [])
    try:
        bound = calculus.safe_learning_rate(f, names, start)
    except (TutorError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        bound = None
    try:
        minima = [p for p in calculus.stationary_points(f, names) if p.kind == "minimum"]
    except (TutorError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        minima = []
    return _Landscape(bound, minima)


def _run_data(section_fn, run: descent.Run, land: _Landscape, k: int) -> dict[str, Any]:
    """The data views and plots read for iteration k of a run (the key names are a contract)."""
    steps = run.steps
    cur = steps[k]
    nxt = steps[k + 1] if k + 1 < len(steps) else None
    prev = steps[k - 1] if k >= 1 else None
    return {
        "function": section_fn.expr,
        "variables": section_fn.variables,
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
        "bound": land.bound,
        "minima": land.minima,
    }


def _optimizer_states(opt, run: descent.Run) -> list[Any]:
    """The optimiser's state before each update (momentum's velocity, Adam's moments)."""
    states = [opt.start(len(run.variables))]
    for step in run.steps[:-1]:
        _, state = opt.update(step.point, step.gradient, states[-1], run.learning_rate)
        states.append(state)
    return states


def _symbolic_update(opt, point: Sequence[Any], grad: Sequence[Any], state: Any, lr: Any) -> tuple:
    """The optimiser's next point with placeholders allowed in ``point`` and ``grad``."""
    if opt.name == "adam":
        t, m, s = state
        t += 1
        m = [opt.beta1 * a + (1 - opt.beta1) * g for a, g in zip(m, grad)]
        s = [opt.beta2 * a + (1 - opt.beta2) * g**2 for a, g in zip(s, grad)]
        c1, c2 = 1 - opt.beta1**t, 1 - opt.beta2**t
        return tuple(x - lr * (a / c1) / (sp.sqrt(b / c2) + opt.eps) for x, a, b in zip(point, m, s))
    nxt, _ = opt.update(tuple(point), tuple(grad), state, lr)
    return tuple(nxt)


def _stop_words(run: descent.Run, names: Sequence[str]) -> Text:
    """Why the run stopped, in words a learner reads (en and zh)."""
    stop, steps = run.stop, run.steps
    k = stop.k
    one = len(names) == 1
    slope_en, slope_zh = ("the derivative", "导数") if one else ("the gradient", "梯度")
    last = steps[-1] if steps else None
    at = f"${_iterate_tex(names, last.k)} = {tex_short(_one(last.point))}$" if last else ""
    if stop.reason == "max_steps":
        return both(
            f"The engine ran the {k} steps asked for (max_steps) and stopped at {at}, where ${_slope_at_tex(names, k)} = {tex_short(_one(last.gradient))}$.",
            f"引擎按要求运行了 {k} 步（max_steps）后停在 {at}，此处 ${_slope_at_tex(names, k)} = {tex_short(_one(last.gradient))}$。",
        )
    if stop.reason == "zero_gradient":
        return both(
            f"At iteration {k}, {at}, {slope_en} is exactly 0: a stationary point, so no step moves any more.",
            f"第 {k} 次迭代时（{at}）{slope_zh}恰好为 0：这是驻点，之后的每一步都不再移动。",
        )
    if stop.reason == "sign_change" and last is not None and len(steps) >= 2:
        before, after = steps[-2], steps[-1]
        a = f"${_iterate_tex(names, k - 1)} = {tex_short(_one(before.point))}$"
        b = f"${_iterate_tex(names, k)} = {tex_short(_one(after.point))}$"
        which = "" if one else f" (∂f/∂{', ∂f/∂'.join(last.sign_change)})"
        return both(
            f"Between iteration {k - 1} and iteration {k} {slope_en} changed sign{which}: the minimum lies between {a} and {b}.",
            f"在第 {k - 1} 次和第 {k} 次迭代之间{slope_zh}变号{which}：最小值位于 {a} 和 {b} 之间。",
        )
    if stop.reason == "tolerance":
        return both(
            f"At iteration {k}, {at}, every partial derivative is within the tolerance of 0: close enough to a stationary point.",
            f"第 {k} 次迭代时（{at}），每个偏导数与 0 的差都在容差以内：已经足够接近驻点。",
        )
    if stop.reason == "diverged":
        return both(
            f"The run diverged at iteration {k}: {stop.message}.",
            f"运行在第 {k} 次迭代时发散：步长越走越大（学习率是否超过 2/L，或者函数没有下界？）。",
        )
    if stop.reason == "undefined":
        return both(
            f"The run stopped at iteration {k}: {stop.message}.",
            f"运行在第 {k} 次迭代时停止：f 或其导数在这一点没有实数值（{stop.message}）。",
        )
    if stop.reason == "not_differentiable":
        return both(
            f"The run stopped at iteration {k}: {stop.message}",
            f"运行在第 {k} 次迭代时停止：f 在这一点不可导（绝对值的尖角），这里只有次梯度（{stop.message}）。",
        )
    return both(
        f"The run stopped at iteration {k}: {stop.message}.",
        f"运行在第 {k} 次迭代时停止：精确的分数变得太大或不再是有理数，请改用浮点模式（{stop.message}）。",
    )


def _bound_words(land: _Landscape, lr: Any, optimizer: str) -> Text | None:
    bound = land.bound
    if bound is None:
        return None
    L, limit = bound.curvature, bound.bound
    s = _sign(_sympy(lr) - limit)
    rel_en = "below" if s < 0 else "exactly at" if s == 0 else "above"
    rel_zh = "低于" if s < 0 else "正好等于" if s == 0 else "高于"
    near_en = "" if bound.scope == "quadratic" else f" near the minimum at ${_point_tex(list(bound.at), list(bound.at.values()))}$"
    near_zh = "" if bound.scope == "quadratic" else f"（在最小值 ${_point_tex(list(bound.at), list(bound.at.values()))}$ 附近）"
    plain_en = "" if optimizer == "gd" else " (for plain gradient descent)"
    plain_zh = "" if optimizer == "gd" else "（对普通梯度下降而言）"
    return both(
        f"Gradient descent is stable{near_en} for a learning rate below $2/L = {tex(limit)}$, where $L = {tex(L)}$ is the steepest curvature of f{plain_en}; "
        f"here $\\eta = {tex(lr)}$, {rel_en} the bound.",
        f"梯度下降{near_zh}要稳定，学习率必须小于 $2/L = {tex(limit)}$，其中 $L = {tex(L)}$ 是 f 最陡的曲率{plain_zh}；"
        f"这里 $\\eta = {tex(lr)}$，{rel_zh}这个界限。",
    )


def _minima_words(land: _Landscape, names: Sequence[str]) -> Text | None:
    if not land.minima:
        return None
    spots = " ; ".join(f"${_point_tex(names, [p.point[v] for v in names])}$" for p in land.minima)
    if len(land.minima) == 1:
        return both(f"The minimum of f is at {spots}.", f"f 的最小值在 {spots}。")
    return both(f"The minima of f are at {spots}.", f"f 的最小值点在 {spots}。")


def _run_table(run: descent.Run, names: Sequence[str]) -> Text:
    """Every iterate as a Markdown table (the first rows and the last, for a long run)."""
    one = len(names) == 1
    x = names[0] if one else r"\mathbf{x}"
    slope = "f'" if one else r"\nabla f"
    head_en = f"| $k$ | ${x}_k$ | $f({x}_k)$ | ${slope}({x}_k)$ |"
    head_zh = head_en
    rule = "|---|---|---|---|"
    steps = list(run.steps)
    shown = steps if len(steps) <= TABLE_ROWS else steps[: TABLE_ROWS - 1] + [None] + steps[-1:]
    rows = []
    for s in shown:
        if s is None:
            rows.append("| … | … | … | … |")
        else:
            rows.append(f"| {s.k} | ${tex_short(_one(s.point))}$ | ${tex_short(_sympy(s.value))}$ | ${tex_short(_one(s.gradient))}$ |")
    return both("\n".join([head_en, rule, *rows]), "\n".join([head_zh, rule, *rows]))


def _descent(i: int, section: Descent, lesson: Lesson) -> list[Step]:
    fn = section.function
    f, names = fn.expr, fn.variables
    missing = [v for v in names if v not in section.start]
    if missing:
        raise _fail(lesson, section, f"the start needs a value for {', '.join(missing)}", "start")
    try:
        opt = descent.make_optimizer(section.optimizer.name, section.optimizer.beta)
    except MathError as err:
        raise _fail(lesson, section, err.message, "optimizer") from None
    exact = section.exact and getattr(opt, "exact_capable", True)
    start = tuple(section.start[v] for v in names)
    try:
        run = descent.run(
            f, names, start, section.learning_rate,
            steps=section.max_steps, until=section.stop, exact=exact, optimizer=opt,
        )
    except MathError as err:
        raise _fail(lesson, section, err.message, "stop", "optimizer") from None
    if not run.steps:
        raise _fail(lesson, section, f"the descent cannot start: {run.stop.message}", "start")
    hand = min(section.by_hand, len(run.steps))
    if exact and run.stop.reason == "exact_limit" and run.stop.k < section.by_hand:
        raise _fail(lesson, section, f"{run.stop.message} (write exact: false)", "exact", "function")
    land = _landscape(f, names, section.start)
    states = _optimizer_states(opt, run)
    steps = [_iteration(i, section, run, land, opt, states, k, exact) for k in range(hand)]
    run_step = _run_step(i, section, run, land)
    if opt.name != "gd":
        # the same start, rate and number of steps without the optimiser's memory: the picture to compare
        plain = descent.run(f, names, start, section.learning_rate, steps=max(len(run.steps) - 1, 0), until=section.stop)
        run_step = replace(run_step, data={**run_step.data, "compare": {"gd": plain, opt.name: run}})
    steps.append(run_step)
    return steps


def _iteration(i: int, section: Descent, run: descent.Run, land: _Landscape, opt, states: list, k: int, exact: bool) -> Step:
    """Iteration k by hand: the derivative at x_k, the direction, x_{k+1}, and whether the sign changed."""
    fn = section.function
    f, names = fn.expr, fn.variables
    n = len(names)
    lr = run.learning_rate
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

    def ask_help(name: str, solution: Text) -> Help:
        return _with_solution(section.help.get(name), solution)

    # Where the learner's own earlier answers come in.
    x_name, g_name, h_name = f"x_{k}", f"g_{k}", f"g_{k - 1}"
    x_from = f"s{i}.k{k - 1}.next" if k >= 1 and "next" in asked else None
    g_from = f"{sid}.derivative" if "derivative" in asked else None
    h_from = f"s{i}.k{k - 1}.derivative" if k >= 1 and "derivative" in asked else None
    labels = {x_name: _iterate_label(names, k), g_name: _slope_label(names, k), h_name: _slope_label(names, k - 1)}

    questions: list[Question] = []
    solution_lines: list[tuple[str, str]] = []
    previous = {"previous_point": dict(zip(names, _sympy(prev.point)))} if prev is not None else {}

    # 1. the derivative (gradient) at x_k
    at_value = f"f'({tex(point[0])})" if n == 1 else rf"\nabla f{tex(point)}"
    d_line = (
        f"${_derivative_tex(names)} = {tex_in(grad_exprs[0] if n == 1 else grad_exprs, names)}$, so ${slope_k} = {at_value} = {tex(_one(grad))}$.",
        f"${_derivative_tex(names)} = {tex_in(grad_exprs[0] if n == 1 else grad_exprs, names)}$，所以 ${slope_k} = {at_value} = {tex(_one(grad))}$。",
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
            prompt = both(
                f"Start at ${x_k} = {tex(_one(point))}$. What is ${slope_k}$?",
                f"从 ${x_k} = {tex(_one(point))}$ 出发。${slope_k}$ 是多少？",
            )
        else:
            prompt = both(
                f"What is ${slope_k}$, at your ${x_k}$?",
                f"在你算出的 ${x_k}$ 处，${slope_k}$ 是多少？",
            )
        questions.append(Question(
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
            context={"function": f, "variables": names, "point": point_named, "k": k, **previous},
            parts=_partials(names) if n > 1 else (),
        ))

    # 2. the direction to move
    directions = tuple(direction_of(g) for g in grad)
    if n == 1:
        g, word = grad[0], directions[0]
        rel = ">" if word == "decrease" else "<" if word == "increase" else "="
        why_en = {
            "decrease": "f increases to the right, so going downhill means moving left",
            "increase": "f decreases to the right, so going downhill means moving right",
            "stay": "a stationary point: there is no downhill direction to move in",
        }[word]
        why_zh = {
            "decrease": "f 向右增大，所以下坡要向左走",
            "increase": "f 向右减小，所以下坡要向右走",
            "stay": "这是驻点：没有下坡的方向可走",
        }[word]
        sign = f"{slope_k} = 0" if word == "stay" else f"{slope_k} = {tex(g)} {rel} 0"
        dir_line = (
            f"${sign}$: {why_en}; ${names[0]}$ {_DIRECTION_WORDS[word][0]}.",
            f"${sign}$：{why_zh}；${names[0]}$ 应该{_DIRECTION_WORDS[word][1]}。",
        )
    else:
        parts_en, parts_zh = [], []
        for v, g, word in zip(names, grad, directions):
            rel = ">" if word == "decrease" else "<" if word == "increase" else "="
            sign = f"{_partial_tex(v)} = 0" if word == "stay" else f"{_partial_tex(v)} = {tex(g)} {rel} 0"
            parts_en.append(f"${sign}$, so ${v}$ {_DIRECTION_WORDS[word][0]}")
            parts_zh.append(f"${sign}$，所以 ${v}$ 应该{_DIRECTION_WORDS[word][1]}")
        dir_line = (
            "Each variable moves against its own partial derivative: " + "; ".join(parts_en) + ".",
            "每个变量都朝它自己偏导数的反方向移动：" + "；".join(parts_zh) + "。",
        )
    solution_lines.append(dir_line)
    if "direction" in asked:
        formula = depends = given = None
        if g_from:
            formula = placeholders(g_name, n)
            depends, given = {g_name: g_from}, {g_name: _one(grad)}
        if n == 1:
            prompt = both(
                f"To make f smaller, should ${names[0]}$ increase, decrease or stay?",
                f"为了让 f 变小，${names[0]}$ 应该增大、减小还是不动？",
            )
        else:
            order = ", ".join(names)
            prompt = both(
                f"To make f smaller, should each of ${order}$ increase, decrease or stay? Answer in order, e.g. `decrease, increase, stay`.",
                f"为了让 f 变小，${order}$ 各自应该增大、减小还是不动？按顺序回答，例如 `减小, 增大, 不动`。",
            )
        questions.append(Question(
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
            context={"gradient": _one(grad), "variables": names, "point": point_named, "k": k},
            parts=tuple(both(f"the direction of {v}", f"{v} 的方向") for v in names) if n > 1 else (),
        ))

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
                as_tuple = lambda v: v if isinstance(v, tuple) else (v,)  # noqa: E731
                formula = _one_formula(_symbolic_update(opt, as_tuple(xs), as_tuple(gs), states[k], lr))
            rule = {
                "gd": (rf"{x_next} = {x_k} - \eta\, {slope_k}", rf"{x_next} = {x_k} - \eta\, {slope_k}"),
            }.get(opt.name)
            how = f" (${rule[0]}$, $\\eta = {tex(lr)}$)" if rule else f" ($\\eta = {tex(lr)}$, optimizer {opt.name})"
            how_zh = f"（${rule[1]}$，$\\eta = {tex(lr)}$）" if rule else f"（$\\eta = {tex(lr)}$，优化器 {opt.name}）"
            questions.append(Question(
                id=f"{sid}.next",
                kind=_kind(n),
                prompt=both(f"What is the next iterate ${x_next}${how}?", f"下一个迭代点 ${x_next}$ 是多少{how_zh}？"),
                expected=_one(new),
                skill="update",
                tolerance=tolerance(_one(new)),
                help=ask_help("next", _lines([next_line])),
                formula=formula,
                depends=depends,
                given=given,
                labels={name: labels[name] for name in depends},
                context={
                    "function": f, "variables": names, "point": point_named, "gradient": _one(grad),
                    "learning_rate": lr, "k": k, "optimizer": opt.name, **previous,
                },
                parts=tuple(_component(v) for v in names) if n > 1 else (),
            ))
    else:
        solution_lines.append((
            "The run stops here: " + _first_lower(_stop_words(run, names)["en"]),
            "运行到这里停止：" + _stop_words(run, names)["zh"],
        ))

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
            what_en, what_zh = ("the derivative", "导数") if n == 1 else ("any partial derivative", "某个偏导数")
            questions.append(Question(
                id=f"{sid}.sign_change",
                kind="choice",
                prompt=both(
                    f"Did {what_en} change sign between ${_iterate_tex(names, k - 1)}$ and ${x_k}$? (yes / no)",
                    f"从 ${_iterate_tex(names, k - 1)}$ 到 ${x_k}$，{what_zh}变号了吗？（是 / 否）",
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
                context={"previous_gradient": _one(before), "gradient": _one(grad), "variables": names, "k": k},
            ))

    if k == 0:
        intro = both(
            f"Gradient descent on ${_function_tex(f, names)}$ from ${x_k} = {tex(_one(point))}$ with learning rate $\\eta = {tex(lr)}$.",
            f"对 ${_function_tex(f, names)}$ 做梯度下降，从 ${x_k} = {tex(_one(point))}$ 出发，学习率 $\\eta = {tex(lr)}$。",
        )
        text = _join(section.text, intro)
    else:
        text = both(
            f"Iteration {k}: carry on from ${x_k}$, the point you computed in the last iteration.",
            f"第 {k} 次迭代：从你在上一次迭代算出的 ${x_k}$ 继续。",
        )
    title = both(f"Iteration {k}", f"第 {k} 次迭代")
    if k == 0 and section.title:
        title = section.title
    return Step(sid, i, "iteration", title, text, tuple(questions), _run_data(fn, run, land, k), _lines(solution_lines))


def _one_formula(values: tuple) -> Any:
    return values[0] if len(values) == 1 else tuple(values)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _update_line(opt, names, k, point, grad, state, lr, new) -> tuple[str, str]:
    """x_{k+1} written out with every number, for the optimiser in use."""
    x_k, x_next, slope_k = _iterate_tex(names, k), _iterate_tex(names, k + 1), _slope_at_tex(names, k)
    p, g, nx = _one(point), _one(grad), _one(new)
    if opt.name == "gd":
        line = rf"${x_next} = {x_k} - \eta\, {slope_k} = {tex(p)} - {tex(lr)}\cdot {tex_factor(g)} = {tex(nx)}$"
        return line, line
    if opt.name == "momentum":
        v_before = _one(_sympy(state))
        v_after = _one(tuple(opt.beta * a + b for a, b in zip(_sympy(state), grad)))
        beta = _sympy(opt.beta)
        line = (
            rf"$v_{{{k + 1}}} = \beta v_{{{k}}} + {slope_k} = {tex(beta)}\cdot {tex_factor(v_before)} + {tex_factor(g)} = {tex(v_after)}$",
            rf"${x_next} = {x_k} - \eta\, v_{{{k + 1}}} = {tex(p)} - {tex(lr)}\cdot {tex_factor(v_after)} = {tex(nx)}$",
        )
        return f"{line[0]}, so {line[1]}", f"{line[0]}，所以 {line[1]}"
    line = (
        rf"${x_next} = {x_k} - \eta\, \hat m_{{{k + 1}}} / (\sqrt{{\hat s_{{{k + 1}}}}} + \epsilon) = {tex(nx)}$ "
        rf"(Adam, $\eta = {tex(lr)}$)"
    )
    return line, line.replace("(Adam", "（Adam").replace("$)", "$）")


def _sign_change_line(names, k, before_point, point, before, grad, changed: tuple[str, ...]) -> tuple[str, str]:
    a_tex, b_tex = _slope_at_tex(names, k - 1), _slope_at_tex(names, k)
    values = f"${a_tex} = {tex(_one(before))}$, ${b_tex} = {tex(_one(grad))}$"
    xa, xb = _iterate_tex(names, k - 1), _iterate_tex(names, k)
    between = f"${xa} = {tex(_one(before_point))}$", f"${xb} = {tex(_one(point))}$"
    if not changed:
        return (
            f"{values}: no sign change, so the minimum is not bracketed yet.",
            f"{values}：没有变号，所以还不能确定最小值在哪两个点之间。",
        )
    if len(names) == 1:
        return (
            f"{values}: opposite signs, so the derivative changed sign and the minimum lies between {between[0]} and {between[1]}.",
            f"{values}：符号相反，导数变号了，所以最小值位于 {between[0]} 和 {between[1]} 之间。",
        )
    which = ", ".join(f"∂f/∂{v}" for v in changed)
    along = ", ".join(changed)
    return (
        f"{values}: {which} changed sign, so along {along} the minimum lies between {between[0]} and {between[1]}.",
        f"{values}：{which} 变号了，所以沿着 {along} 方向，最小值位于 {between[0]} 和 {between[1]} 之间。",
    )


def _run_step(i: int, section: Descent, run: descent.Run, land: _Landscape) -> Step:
    fn = section.function
    names = fn.variables
    text = _join(_stop_words(run, names), _bound_words(land, run.learning_rate, run.optimizer), _minima_words(land, names))
    data = _run_data(fn, run, land, len(run.steps) - 1)
    title = both("The whole run", "完整的运行")
    return Step(f"s{i}.run", i, "run", title, text, (), data, _run_table(run, names))


# --- predict --------------------------------------------------------------------------------------


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
    words = {"converge": ("It converges", "它收敛"), "oscillate": ("It oscillates", "它振荡"), "diverge": ("It diverges", "它发散")}[outcome]
    solution = _join(both(f"{words[0]}.", f"{words[1]}。"), reason)
    question = Question(
        id=f"s{i}.predict",
        kind="choice",
        prompt=section.prompt or prompt,
        expected=outcome,
        skill="learning_rate",
        choices=OUTCOME_CHOICES,
        help=_with_solution(section.help, solution),
        context={"function": f, "variables": names, "start": dict(section.start), "learning_rate": lr, "bound": land.bound},
    )
    title = section.title or both("Predict", "预测")
    ask = Step(f"s{i}", i, "predict", title, section.text or "", (question,), {"function": f, "variables": names, "learning_rate": lr, "start": start}, solution)
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


# --- training: one update by hand ------------------------------------------------------------


def _training_context(model, xs, ys, params, lr, samples) -> dict[str, Any]:
    return {
        "model": model.expr, "parameters": model.parameters, "input": model.input, "xs": tuple(xs), "ys": tuple(ys),
        "params": dict(params), "learning_rate": lr, "samples": tuple(samples),
    }


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
        questions.append(Question(
            id=f"{sid}.predict",
            kind=_kind(m),
            prompt=both(
                f"Step 1, predict: with ${_params_tex(params)}$, what does the model ${_model_tex(model)}$ predict (y1) for "
                + ("the sample" if m == 1 else "each sample") + f" ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$?",
                f"第 1 步，预测：在 ${_params_tex(params)}$ 时，模型 ${_model_tex(model)}$ 对"
                + ("这个样本" if m == 1 else "每个样本") + f" ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$ 的预测值 y1 是多少？",
            ),
            expected=_one(preds),
            skill="training",
            help=_with_solution(section.help.get("predict"), _lines(lines_predict)),
            context=context,
            parts=tuple(both(f"the prediction for sample {j}", f"样本 {j} 的预测值") for j in used) if m > 1 else (),
        ))
    if "loss" in asked:
        formula = None
        if p_from:
            formula = sp.Add(*[(a - b) ** 2 for a, b in zip(p_list, targets)]) / m
        questions.append(Question(
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
            depends={"y1": p_from} if p_from else {},
            given={"y1": _one(preds)} if p_from else {},
            labels={"y1": label_p} if p_from else {},
            context=context,
        ))
    if "gradient" in asked:
        formula = None
        if p_from:
            formula = _one_formula(tuple(
                sp.Add(*[2 * (a - b) * s[c] for a, b, s in zip(p_list, targets, slopes)]) / m for c in range(k)
            ))
        partials = ", ".join(rf"\partial L/\partial {p}" for p in names)
        questions.append(Question(
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
            depends={"y1": p_from} if p_from else {},
            given={"y1": _one(preds)} if p_from else {},
            labels={"y1": label_p} if p_from else {},
            context=context,
            parts=_partials(names, "L") if k > 1 else (),
        ))
    if "update" in asked:
        formula = None
        if g_from:
            formula = _one_formula(tuple(params[p] - lr * g for p, g in zip(names, g_list)))
        questions.append(Question(
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
            depends={"grad": g_from} if g_from else {},
            given={"grad": _one(grad)} if g_from else {},
            labels={"grad": label_g} if g_from else {},
            context=context,
            parts=tuple(_component(p) for p in names) if k > 1 else (),
        ))

    history = None
    if section.then_steps > 0:
        if section.samples is None or len(used) == len(xs):
            history = training.train(model.expr, names, model.input, xs, ys, params, lr, kind="batch", epochs=section.then_steps + 1)
        else:
            history = training.train(model.expr, names, model.input, xs, ys, dict(update.next_params), lr, kind="batch", epochs=section.then_steps)
    step_data = {
        "model": model.expr, "parameters": names, "input": model.input, "xs": xs, "ys": ys, "params": params,
        "predictions": update.predictions, "loss": update.loss, "gradient": update.gradient,
        "next_params": update.next_params, "samples": used, "learning_rate": lr, "history": history,
    }
    intro = both(
        f"One weight update of the model $y_1 = {_model_tex(model)}$ on "
        + (f"sample {used[0]}" if m == 1 else f"{m} samples") + ", in the article's four steps: predict, loss, gradient, update.",
        f"对模型 $y_1 = {_model_tex(model)}$ 在"
        + (f"样本 {used[0]}" if m == 1 else f" {m} 个样本") + " 上做一次权重更新，按文章的四步：预测、损失函数、梯度、更新。",
    )
    text = _join(section.text, intro, _data_table(model.input, xs, ys))
    solution = _lines([*lines_predict, *lines_loss, *lines_grad, *lines_update])
    title = section.title or both("One weight update", "一次权重更新")
    return [Step(sid, i, "training", title, text, tuple(questions), step_data, solution)]


def _model_tex(model) -> str:
    return tex_in(model.expr, (*model.parameters, model.input))


def _params_tex(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{p} = {tex(_sympy(v))}" for p, v in params.items())


def _data_table(input: str, xs: Sequence[Any], ys: Sequence[Any]) -> Text:
    rows = [f"| {j} | ${tex(_sympy(a))}$ | ${tex(_sympy(b))}$ |" for j, (a, b) in enumerate(zip(xs, ys))]
    head = f"| # | ${input}$ | $y$ |\n|---|---|---|"
    return both("\n".join([head, *rows]), "\n".join([head.replace("#", "序号"), *rows]))


def _predict_lines(model, params, inputs, preds) -> list[tuple[str, str]]:
    values = ", ".join(f"{tex(p)}" for p in preds)
    line = f"$y_1 = {_model_tex(model)}$ at ${_params_tex(params)}$, ${model.input} = {tex(_one(_sympy(tuple(inputs))))}$: $y_1 = {values}$."
    line_zh = f"$y_1 = {_model_tex(model)}$，代入 ${_params_tex(params)}$、${model.input} = {tex(_one(_sympy(tuple(inputs))))}$：$y_1 = {values}$。"
    return [(line, line_zh)]


def _loss_lines(preds, targets, loss) -> list[tuple[str, str]]:
    m = len(preds)
    terms = " + ".join(f"({tex(p)} - {tex_factor(_sympy(t))})^2" for p, t in zip(preds, targets))
    line = f"$L = \\tfrac{{1}}{{{m}}}\\left({terms}\\right) = {tex(_sympy(loss))}$"
    return [(line, line)]


def _gradient_lines(names, preds, targets, slopes, grad) -> list[tuple[str, str]]:
    m = len(preds)
    out = []
    for c, p in enumerate(names):
        terms = " + ".join(
            f"({tex(a)} - {tex_factor(_sympy(b))})\\cdot {tex_factor(_sympy(s[c]))}" for a, b, s in zip(preds, targets, slopes)
        )
        line = f"$\\frac{{\\partial L}}{{\\partial {p}}} = \\tfrac{{2}}{{{m}}}\\left({terms}\\right) = {tex(grad[c])}$"
        out.append((line, line))
    return out


def _update_lines(names, params, lr, grad, new) -> list[tuple[str, str]]:
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
        model.expr, names, model.input, xs, ys, start, lr,
        batch_size=section.batch_size, epochs=section.epochs, seed=section.seed,
    )
    order = runs["stochastic"].order
    sid = f"s{i}"
    questions: list[Question] = []
    lines: list[tuple[str, str]] = []
    n = len(xs)
    kind_words = {
        "batch": ("Batch gradient descent", "批量梯度下降"),
        "stochastic": ("Stochastic gradient descent", "随机梯度下降"),
        "minibatch": (f"Mini-batch gradient descent (batch size {section.batch_size})", f"小批量梯度下降（批量大小 {section.batch_size}）"),
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
        which_en = "all samples" if len(used) == n else (f"sample {used[0]}" if len(used) == 1 else f"samples {', '.join(map(str, used))}")
        which_zh = "全部样本" if len(used) == n else (f"样本 {used[0]}" if len(used) == 1 else f"样本 {', '.join(map(str, used))}")
        update_lines = _update_lines(names, start, lr, grad, new)
        lines.append((f"**{en}**, first update on {which_en}: the gradient is ${tex(_one(grad))}$.", f"**{zh}**，第一次更新用{which_zh}：梯度是 ${tex(_one(grad))}$。"))
        lines.extend(update_lines)
        if section.by_hand:
            first_en = " (the first in the shuffled order)" if kind != "batch" else ""
            first_zh = "（打乱后的顺序中的第一批）" if kind != "batch" else ""
            questions.append(Question(
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
                context=dict(_training_context(model, xs, ys, start, lr, used), kind=kind),
                parts=tuple(_component(p) for p in names) if k > 1 else (),
            ))
    finals = []
    for kind in BATCH_KINDS:
        run = runs[kind]
        finals.append((kind_words[kind], len(run.updates), run.losses[-1] if run.losses else None))
    lines.append((
        f"After {section.epochs} epochs: " + "; ".join(f"{w[0]}: {u} updates, loss {loss:.6g}" for w, u, loss in finals if loss is not None) + ".",
        f"{section.epochs} 轮之后：" + "；".join(f"{w[1]}：{u} 次更新，损失 {loss:.6g}" for w, u, loss in finals if loss is not None) + "。",
    ))
    step_data = {
        "model": model.expr, "parameters": names, "input": model.input, "xs": xs, "ys": ys, "start": start,
        "learning_rate": lr, "batch_size": section.batch_size, "epochs": section.epochs, "seed": section.seed,
        "runs": runs, "order": order,
    }
    intro = both(
        f"Three ways to update on the same {n} samples, from the same start and with the same shuffle (seed {section.seed}): "
        f"batch gradient descent uses all samples in each update; stochastic gradient descent one sample at a time; "
        f"mini-batch gradient descent {section.batch_size} samples at a time. The shuffled order is {', '.join(map(str, order))}.",
        f"在同样的 {n} 个样本上、从同一个起点、用同样的打乱顺序（种子 {section.seed}）比较三种更新方式："
        f"批量梯度下降每次更新用全部样本；随机梯度下降每次用一个样本；小批量梯度下降每次用 {section.batch_size} 个样本。"
        f"打乱后的顺序是 {', '.join(map(str, order))}。",
    )
    text = _join(section.text, intro, _data_table(model.input, xs, ys))
    title = section.title or both("Batch, stochastic and mini-batch", "批量、随机与小批量梯度下降")
    return [Step(sid, i, "batch", title, text, tuple(questions), step_data, _lines(lines))]


_BUILDERS: dict[type, Callable[[int, Any, Lesson], list[Step]]] = {
    Explain: _explain,
    Derive: _derive,
    Evaluate: _evaluate,
    Descent: _descent,
    Predict: _predict,
    TrainingStep: _training,
    BatchCompare: _batch,
}
