"""Command-line views of the engine: ``tutor derive`` and ``tutor descend``.

The CLI computes a plain report (:mod:`tutor.reports`: exact sympy values in
dataclasses, the run and its signs), then one of these renderers turns it into
text for people or JSON for programs.  The renderers do no mathematics and
import no engine module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from tutor.notation import sign_mark

if TYPE_CHECKING:
    from tutor.reports import DeriveReport


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


def _number(value: Any, exact: bool) -> Any:
    if exact:
        return sp.sstr(value)
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def descend_json(run: Any, notes: Sequence[str] = ()) -> str:
    import json

    exact = run.exact
    return json.dumps(
        {
            "variables": list(run.variables),
            "learning_rate": _number(run.learning_rate, exact),
            "exact": exact,
            "optimizer": run.optimizer,
            "steps": [
                {
                    "k": s.k,
                    "point": [_number(x, exact) for x in s.point],
                    "value": _number(s.value, exact),
                    "gradient": [_number(g, exact) for g in s.gradient],
                    "sign_change": list(s.sign_change),
                }
                for s in run.steps
            ],
            "stop": {"reason": run.stop.reason, "k": run.stop.k, "message": run.stop.message},
            "notes": list(notes),
        },
        ensure_ascii=False,
        indent=2,
    )


def _cell(value: Any, exact: bool) -> str:
    if exact:
        return sp.sstr(value)
    return f"{float(value):.6g}"


def descend_table(f: sp.Expr, run: Any, notes: Sequence[str] = (), signs: Sequence[Sequence[int]] = ()) -> str:
    """The run as an aligned table; ``signs`` are the engine's signs of each gradient component, per step."""
    v = run.variables
    one = len(v) == 1
    header = ["k", *v, _fname(v)]
    header += [f"f'({v[0]})"] if one else [f"∂f/∂{name}" for name in v]
    header += ["sign", "sign change"]
    rows = []
    for s, sign in zip(run.steps, signs):
        row = [str(s.k), *(_cell(x, run.exact) for x in s.point), _cell(s.value, run.exact)]
        row += [_cell(g, run.exact) for g in s.gradient]
        row += [" ".join(sign_mark(g, "ascii") for g in sign), ", ".join(s.sign_change) or ""]
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    lr = sp.sstr(run.learning_rate) if run.exact else f"{run.learning_rate:g}"
    mode = "exact" if run.exact else "float"
    lines = [_eq(_fname(v), f, _renderer(f)), f"learning rate η = {lr}, optimizer {run.optimizer}, {mode} mode", ""]
    lines += [fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows), ""]
    lines.append(f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}")
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def descend_summary(run: Any) -> str:
    final = run.final
    if final is None:
        return f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}"
    where = ", ".join(f"{name} = {_cell(x, run.exact)}" for name, x in zip(run.variables, final.point))
    return f"{where}; f = {_cell(final.value, run.exact)}; stop: {run.stop.reason} at k = {run.stop.k}"
