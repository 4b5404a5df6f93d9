"""Command-line views of the engine: ``tutor derive`` and ``tutor descend``.

Each command first computes a plain report (exact sympy values in
dataclasses), then one of the renderers turns it into text for people or JSON
for programs.  The renderers do no mathematics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from tutor import calculus
from tutor.mathtext import infer_variables, parse_assignments, parse_expression, parse_number
from tutor.text import tr

if TYPE_CHECKING:  # descent is imported by the descend command only: derive starts faster without it
    from tutor import descent


def resolve_variables(text: str, declared: str | None) -> tuple[str, ...]:
    if declared:
        names = tuple(v.strip() for v in declared.split(",") if v.strip())
        from tutor.mathtext import check_variable_name

        for name in names:
            check_variable_name(name)
        twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
        if twice:  # f(x, x) would have two partial derivatives in the same variable
            raise calculus.MathError(f"--vars names {', '.join(twice)} twice")
        return names
    return infer_variables(text)


def point_in_order(assigned: dict[str, sp.Expr], variables: Sequence[str], option: str) -> dict[str, sp.Expr]:
    missing = [v for v in variables if v not in assigned]
    extra = [v for v in assigned if v not in variables]
    if extra:
        raise calculus.MathError(
            f"{option} names {', '.join(extra)}, which is not a variable of f ({', '.join(variables)})"
        )
    if missing:
        raise calculus.MathError(f"{option} needs a value for {', '.join(missing)}")
    return {v: assigned[v] for v in variables}


# --- derive -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeriveReport:
    f: sp.Expr
    variables: tuple[str, ...]
    gradient: tuple[sp.Expr, ...]
    at: dict[str, sp.Expr] | None
    f_value: sp.Expr | None
    value: tuple[sp.Expr, ...] | None


def derive(text: str, variables: str | None = None, at: str | None = None) -> DeriveReport:
    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    grad = calculus.gradient(f, names)
    point = f_value = value = None
    if at:
        point = point_in_order(parse_assignments(at, names), names, "--at")
        f_value = calculus.evaluate(f, point, what="f")
        value = calculus.evaluate_vector(grad, point)
    return DeriveReport(f, names, grad, point, f_value, value)


# --- how maths is shown ----------------------------------------------------------------
#
# sympy.pretty draws 2-D maths (raised exponents, stacked fractions, roots with
# bars).  For the polynomials most lessons use, the same picture fits on one
# line with Unicode superscripts, and the one-line printer below draws it
# without sympy's pretty printer, whose first product loads sympy.physics.units
# (a fifth of `tutor derive`'s whole run).  Anything with a fraction, a root,
# a symbolic exponent or exp still gets sympy.pretty.

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Functions sympy.pretty writes on one line as name(argument).
_ONE_LINE_FUNCTIONS = (sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.asin, sp.acos, sp.atan, sp.log, sp.sign)


def _fits_one_line(expr: Any) -> bool:
    """True when sympy.pretty would draw expr on one line but for its integer exponents."""
    for node in sp.preorder_traversal(expr):
        if node.is_Symbol or node.is_Integer or node is sp.pi or node is sp.E:
            continue
        if node.is_Add or node.is_Mul or isinstance(node, (sp.Tuple, sp.Abs, *_ONE_LINE_FUNCTIONS)):
            continue
        if node.is_Pow and node.exp.is_Integer and node.exp > 1:
            continue
        return False
    return True


class _OneLinePrinter(StrPrinter):
    """sympy.pretty's notation on one line: 7⋅m³ + 2⋅x², (4⋅x, 12⋅z), │x│, π, θ, x₁.

    Only for trees :func:`_fits_one_line` accepts (no negative or fractional
    powers, so every ``*`` StrPrinter writes is a product).
    """

    def _print_Symbol(self, expr):
        return pretty_symbol(expr.name)

    def _print_Pow(self, expr, rational=False):
        return self.parenthesize(expr.base, precedence(expr), strict=False) + str(expr.exp).translate(_SUPERSCRIPT)

    def _print_Mul(self, expr):
        return super()._print_Mul(expr).replace("*", "⋅")

    def _print_Abs(self, expr):
        return f"│{self._print(expr.args[0])}│"

    def _print_Pi(self, expr):
        return "π"

    def _print_Exp1(self, expr):
        return "ℯ"


def _pretty(expr: Any) -> str:
    return sp.pretty(expr, use_unicode=True)


def _one_line(expr: Any) -> str:
    return _OneLinePrinter().doprint(expr)


def _renderer(*exprs: Any) -> Callable[[Any], str]:
    """One way of drawing for a whole report, so its lines look alike."""
    return _one_line if all(_fits_one_line(e) for e in exprs) else _pretty


def _eq(lhs: str, rhs: Any, show: Callable[[Any], str] = _pretty) -> str:
    if show is _pretty:
        return _pretty(sp.Eq(sp.Symbol(lhs), rhs, evaluate=False))
    return f"{lhs} = {show(rhs)}"


def _fname(variables: Sequence[str]) -> str:
    return f"f({', '.join(variables)})"


def derive_text(report: DeriveReport) -> str:
    v = report.variables
    shown = [report.f, *report.gradient]
    if report.at is not None:
        shown += [report.f_value, *report.value]
    show = _renderer(*shown)
    lines = [_eq(_fname(v), report.f, show), ""]
    if len(v) == 1:
        lines.append(_eq(f"f'({v[0]})", report.gradient[0], show))
    else:
        for name, g in zip(v, report.gradient):
            lines.append(_eq(f"∂f/∂{name}", g, show))
        lines += ["", _eq("∇f", sp.Tuple(*report.gradient), show)]
    if report.at is not None:
        where = ", ".join(f"{k} = {sp.sstr(val)}" for k, val in report.at.items())
        lines += ["", f"at {where}:", "  " + _eq("f", report.f_value, show)]
        if len(v) == 1:
            lines.append("  " + _eq(f"f'({sp.sstr(report.at[v[0]])})", report.value[0], show))
        else:
            lines.append("  " + _eq("∇f", sp.Tuple(*report.value), show))
    return "\n".join(lines)


def derive_json(report: DeriveReport) -> str:
    import json

    return json.dumps(
        {
            "variables": list(report.variables),
            "function": sp.sstr(report.f),
            "gradient": [sp.sstr(g) for g in report.gradient],
            "at": None if report.at is None else {k: sp.sstr(val) for k, val in report.at.items()},
            "f_value": None if report.f_value is None else sp.sstr(report.f_value),
            "value": None if report.value is None else [sp.sstr(x) for x in report.value],
        },
        ensure_ascii=False,
        indent=2,
    )


# --- descend ----------------------------------------------------------------------------


def descend(
    text: str,
    variables: str | None,
    start: str,
    lr: str,
    *,
    steps: int | None = None,
    until: Sequence[str] = (),
    exact: bool = False,
    optimizer: str = "gd",
    beta: str | None = None,
    settings: Mapping[str, str | None] | None = None,
) -> tuple[sp.Expr, descent.Descent]:
    """The parsed f and its descent, not yet run (the renderers below take its steps as they come)."""
    from tutor import descent

    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    point = point_in_order(parse_assignments(start, names), names, "--from")
    rate = parse_number(lr)
    if not rate.is_positive:
        raise calculus.MathError(f"the learning rate must be a positive number, not {sp.sstr(rate)}")
    if not exact and not math.isfinite(float(rate)):
        raise calculus.MathError(
            f"the learning rate {lr} is too large for floating point; use --exact or a smaller rate"
        )
    if steps is None:
        # a stop rule that waits for something (a sign change, a tolerance) gets room to happen
        steps = 10_000 if any(w.strip() and w.strip() != "zero" for item in until for w in item.split(",")) else 20
    given = dict(settings or {})
    if beta is not None:
        given["beta"] = beta
    opt = _optimizer(optimizer, given)
    words = [w for item in until for w in item.split(",")]
    walk = descent.descend(f, names, list(point.values()), rate, steps=steps, until=words, exact=exact, optimizer=opt)
    return f, walk


def _optimizer(key: str, given: Mapping[str, str | None]):
    """The optimiser with the settings given on the command line (--beta, --eps, ...), each parsed exactly."""
    from tutor.optimisers import get, settings_by_key

    kind = get(key)
    takes = {s.key for s in kind.settings}
    for name, value in given.items():
        if value is not None and name not in takes:
            uses = settings_by_key().get(name, [])
            keys = [c.key for c, _ in uses]
            users = " or ".join([", ".join(keys[:-1]), keys[-1]] if len(keys) > 1 else keys)
            symbol = uses[0][1].symbol if uses else name
            raise calculus.MathError(f"--{name} is for --optimizer {users}; {tr(kind.noun)} has no {symbol}")
    return kind.build(**{name: parse_number(value) for name, value in given.items() if value is not None})


def descend_notes(f: sp.Expr, run: descent.Run) -> tuple[str, ...]:
    """What the table alone does not say (f has no minimum, η at or above its bound), decided by
    :mod:`tutor.analysis`."""
    from tutor import analysis

    try:
        return analysis.notes(f, run)
    except (calculus.MathError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return ()


#: The notes judge the whole course of a run; a streamed run keeps at most this many steps for them.
NOTES_KEEP = 10_000


class NotesRecord:
    """The steps of a streamed run kept for its notes: all of them up to ``NOTES_KEEP``, then the first only.

    A run longer than that gets the notes decided from f and its start
    (no minimum; for a quadratic, the exact verdict on η), so its memory
    stays bounded.
    """

    def __init__(self, walk: descent.Descent | descent.Run, f: sp.Expr) -> None:
        # the notes read the course of a run only for a polynomial (see tutor.analysis.notes)
        self.walk, self.steps, self.whole = walk, [], f.is_polynomial(*calculus.symbols_of(walk.variables))

    def tee(self, steps: Iterable[descent.Step]) -> Iterator[descent.Step]:
        """The steps (of a Descent or a Run), passed on as they come, the first ``NOTES_KEEP`` kept."""
        for step in getattr(steps, "steps", steps):
            if self.whole or not self.steps:
                self.steps.append(step)
                if len(self.steps) > NOTES_KEEP:
                    self.steps, self.whole = self.steps[:1], False
            yield step

    def notes(self, f: sp.Expr) -> tuple[str, ...]:
        from tutor import descent

        if isinstance(self.walk, descent.Run):
            return descend_notes(f, self.walk)
        return descend_notes(f, descent.Run(steps=tuple(self.steps), stop=self.walk.stop, **self.walk.record))


def descend_summary_and_notes(
    f: sp.Expr, walk: descent.Descent | descent.Run
) -> tuple[descent.Run | descent.Summary, tuple[str, ...]]:
    """The run for a one-line summary, and its notes, in bounded memory.

    A run asked for at most ``NOTES_KEEP`` steps keeps them for its notes; a
    longer one takes the fast loop (first and last steps only) and gets the
    notes decided from f and its start.
    """
    from tutor import descent

    if isinstance(walk, descent.Run):
        return walk, descend_notes(f, walk)
    if walk.steps_asked > NOTES_KEEP:
        summary = walk.summary()
        first = (summary.first,) if summary.first is not None else ()
        return summary, descend_notes(f, descent.Run(steps=first, stop=summary.stop, **walk.record))
    run = descent.Run(steps=tuple(walk), stop=walk.stop, **walk.record)
    return run, descend_notes(f, run)


def _number(value: Any, exact: bool) -> Any:
    if exact:
        return sp.sstr(value)
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def _step_json(s: descent.Step, exact: bool) -> dict:
    return {
        "k": s.k,
        "point": [_number(x, exact) for x in s.point],
        "value": _number(s.value, exact),
        "gradient": [_number(g, exact) for g in s.gradient],
        "sign_change": list(s.sign_change),
    }


def descend_json(
    run: descent.Run | descent.Descent,
    notes: Sequence[str] | Callable[[], Sequence[str]] = (),
    steps: Iterable[descent.Step] | None = None,
) -> Iterator[str]:
    """The run as one JSON document, in pieces: each step is written as it comes (a stream keeps none).

    ``notes`` may be a function, called once the steps are out (a stream's notes need its first step).
    """
    import json

    exact = run.exact

    def dumps(data) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2)

    head = {
        "variables": list(run.variables),
        "learning_rate": _number(run.learning_rate, exact),
        "exact": exact,
        "optimizer": run.optimizer,
        "steps": [],
    }
    text = dumps(head)
    yield text[: text.rindex("[]")] + "["  # '{ ... "steps": ['
    first = True
    for s in steps if steps is not None else getattr(run, "steps", run):
        item = "\n".join("    " + line for line in dumps(_step_json(s, exact)).splitlines())
        yield ("\n" if first else ",\n") + item
        first = False
    stop = {"reason": run.stop.reason, "k": run.stop.k, "message": run.stop.message}
    notes = notes() if callable(notes) else notes
    text = dumps({"steps": [], "stop": stop, "notes": list(notes)})
    yield ("" if first else "\n  ") + "]" + text[text.index("[]") + 2 : -1] + "}"


def _cell(value: Any, exact: bool) -> str:
    if exact:
        return sp.sstr(value)
    return f"{float(value):.6g}"


def _sign(value: Any) -> str:
    return {1: "+", -1: "-", 0: "0"}[calculus._sign_any(value)]


#: A float table is laid out from its first rows; the rest stream in columns at least this wide.
TABLE_LAYOUT_ROWS = 1000
_WIDEST_FLOAT = len(f"{-1.234567e-300:.6g}")


def descend_table(
    f: sp.Expr,
    run: descent.Run | descent.Descent,
    notes: Sequence[str] | Callable[[], Sequence[str]] = (),
    steps: Iterable[descent.Step] | None = None,
) -> Iterator[str]:
    """The run as a table, line by line.

    Columns fit their widest cell when the run has at most
    ``TABLE_LAYOUT_ROWS`` steps (and always in exact mode); a longer float
    run is laid out from its first rows, with columns wide enough for any
    float, and streamed.
    """
    v = run.variables
    one = len(v) == 1
    header = ["k", *v, _fname(v)]
    header += [f"f'({v[0]})"] if one else [f"∂f/∂{name}" for name in v]
    header += ["sign", "sign change"]
    lr = sp.sstr(run.learning_rate) if run.exact else f"{run.learning_rate:g}"
    mode = "exact" if run.exact else "float"
    yield _eq(_fname(v), f, _renderer(f))
    yield f"learning rate η = {lr}, optimizer {run.optimizer}, {mode} mode"
    yield ""

    def cells(s: descent.Step) -> list[str]:
        row = [str(s.k), *(_cell(x, run.exact) for x in s.point), _cell(s.value, run.exact)]
        row += [_cell(g, run.exact) for g in s.gradient]
        return row + [" ".join(_sign(g) for g in s.gradient), ", ".join(s.sign_change) or ""]

    steps = iter(steps if steps is not None else getattr(run, "steps", run))
    rows = []
    for s in steps:
        rows.append(cells(s))
        if not run.exact and len(rows) >= TABLE_LAYOUT_ROWS:
            break
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    if len(rows) >= TABLE_LAYOUT_ROWS:  # more may come: room for any float, and for k up to 7 digits
        numeric = range(1, 2 * len(v) + 2)
        widths = [max(w, 7) if i == 0 else max(w, _WIDEST_FLOAT) if i in numeric else w for i, w in enumerate(widths)]
        widths[-1] = max(widths[-1], len(", ".join(v)))
    fmt = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    yield fmt(header)
    yield fmt(["-" * w for w in widths])
    yield from map(fmt, rows)
    del rows
    for s in steps:
        yield fmt(cells(s))
    yield ""
    yield f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}"
    yield from (f"note: {note}" for note in (notes() if callable(notes) else notes))


def descend_summary(run: descent.Run | descent.Summary) -> str:
    final = run.final
    if final is None:
        return f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}"
    where = ", ".join(f"{name} = {_cell(x, run.exact)}" for name, x in zip(run.variables, final.point))
    return f"{where}; f = {_cell(final.value, run.exact)}; stop: {run.stop.reason} at k = {run.stop.k}"
