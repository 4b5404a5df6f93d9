"""Command-line views of the engine: ``tutor derive`` and ``tutor descend``.

The CLI computes a plain report (:mod:`tutor.reports`: exact sympy values in
dataclasses, the run and its signs), then one of these renderers turns it into
text for people or JSON for programs.  The renderers do no mathematics and
import no engine module.  A descent's steps come as an iterator and are
written as they come, so a million steps take as much memory as ten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from tutor.i18n import _, current_language
from tutor.notation import STOP_WORDS, sign_mark
from tutor.text import columns

if TYPE_CHECKING:  # annotations only: a view imports no engine module
    from tutor.descent import Descent, Run, Step, Summary
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
    if report.at is not None and report.value is not None:
        shown += [report.f_value, *report.value]
    show = _renderer(*shown)
    lines = [_eq(_fname(v), report.f, show), ""]
    if len(v) == 1:
        lines.append(_eq(f"f'({v[0]})", report.gradient[0], show))
    else:
        for name, g in zip(v, report.gradient):
            lines.append(_eq(f"∂f/∂{name}", g, show))
        lines += ["", _eq("∇f", sp.Tuple(*report.gradient), show)]
    if report.at is not None and report.value is not None:
        where = ", ".join(f"{k} = {sp.sstr(val)}" for k, val in report.at.items())
        lines += ["", _("at {point}:").format(point=where), "  " + _eq("f", report.f_value, show)]
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


def _json_scalar(value: Any, quote: Callable[[str], str]) -> str:
    """One number, string or null as ``json.dumps`` writes it (its C string quoting, ``float.__repr__``)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return quote(value)
    return float.__repr__(value) if isinstance(value, float) else int.__repr__(value)


def _json_list(values: Sequence[Any], pad: str, quote: Callable[[str], str]) -> str:
    if not values:
        return "[]"
    inner = pad + "  "
    return "[\n" + ",\n".join(inner + _json_scalar(v, quote) for v in values) + "\n" + pad + "]"


def _step_json(s: Step, exact: bool, quote: Callable[[str], str]) -> str:
    """One step as an item of the document's ``steps`` list: the bytes ``json.dumps(..., indent=2)`` gives.

    Written directly: with an indent, the json module encodes in pure Python,
    which took most of a long run's time.
    """
    pad = "      "
    return (
        "    {\n"
        f'{pad}"k": {int.__repr__(s.k)},\n'
        f'{pad}"point": {_json_list([_number(x, exact) for x in s.point], pad, quote)},\n'
        f'{pad}"value": {_json_scalar(_number(s.value, exact), quote)},\n'
        f'{pad}"gradient": {_json_list([_number(g, exact) for g in s.gradient], pad, quote)},\n'
        f'{pad}"sign_change": {_json_list(s.sign_change, pad, quote)}\n'
        "    }"
    )


def _steps_of(run: Run | Descent) -> Iterable[Step]:
    """A Run's recorded steps, or a Descent's as they come (it is the one of the two that iterates)."""
    return run if isinstance(run, Iterable) else run.steps


def descend_json(
    run: Run | Descent,
    notes: Sequence[str] | Callable[[], Sequence[str]] = (),
    steps: Iterable[Step] | None = None,
) -> Iterator[str]:
    """The run as one JSON document, in pieces: each step is written as it comes (a stream keeps none).

    ``steps`` default to the run's own; ``notes`` may be a function, called
    once the steps are out (a stream's notes need its steps).
    """
    import json
    from json.encoder import encode_basestring as quote  # json.dumps's own quoting with ensure_ascii=False

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
    for s in steps if steps is not None else _steps_of(run):
        yield ("\n" if first else ",\n") + _step_json(s, exact, quote)
        first = False
    assert run.stop is not None, "a run read to its end knows why it stopped"
    stop = {"reason": run.stop.reason, "k": run.stop.k, "message": run.stop.message}
    notes = notes() if callable(notes) else notes
    text = dumps({"steps": [], "stop": stop, "notes": list(notes)})
    yield ("" if first else "\n  ") + "]" + text[text.index("[]") + 2 : -1] + "}"


def _cell(value: Any, exact: bool) -> str:
    if exact:
        return sp.sstr(value)
    return f"{float(value):.6g}"


#: A float table is laid out from its first rows; the rest stream in columns at least this wide.
TABLE_LAYOUT_ROWS = 1000
_WIDEST_FLOAT = len(f"{-1.234567e-300:.6g}")


def descend_table(
    f: sp.Expr,
    run: Run | Descent,
    notes: Sequence[str] | Callable[[], Sequence[str]] = (),
    signed_steps: Iterable[tuple[Step, Sequence[int]]] = (),
) -> Iterator[str]:
    """The run as a table, line by line: ``signed_steps`` are its steps as they come, each with the engine's
    signs of its gradient components.

    Columns fit their widest cell when the run has at most
    ``TABLE_LAYOUT_ROWS`` steps (and always in exact mode); a longer float
    run is laid out from its first rows, with columns wide enough for any
    float, and streamed.  ``notes`` may be a function, called after the steps.
    """
    v = run.variables
    one = len(v) == 1
    header = ["k", *v, _fname(v)]
    header += [f"f'({v[0]})"] if one else [f"∂f/∂{name}" for name in v]
    header += [_("sign"), _("sign change")]
    lr = sp.sstr(run.learning_rate) if run.exact else f"{run.learning_rate:g}"
    mode = _("exact mode") if run.exact else _("float mode")
    yield _eq(_fname(v), f, _renderer(f))
    yield _("learning rate η = {lr}, optimizer {optimizer}, {mode}").format(lr=lr, optimizer=run.optimizer, mode=mode)
    yield ""

    def cells(s: Step, sign: Sequence[int]) -> list[str]:
        row = [str(s.k), *(_cell(x, run.exact) for x in s.point), _cell(s.value, run.exact)]
        row += [_cell(g, run.exact) for g in s.gradient]
        return row + [" ".join(sign_mark(g, "ascii") for g in sign), ", ".join(s.sign_change) or ""]

    signed_steps = iter(signed_steps)
    rows = []
    for s, sign in signed_steps:
        rows.append(cells(s, sign))
        if not run.exact and len(rows) >= TABLE_LAYOUT_ROWS:
            break
    widths = [max(columns(r[i]) for r in [header, *rows]) for i in range(len(header))]
    if len(rows) >= TABLE_LAYOUT_ROWS:  # more may come: room for any float, and for k up to 7 digits
        numeric = range(1, 2 * len(v) + 2)
        widths = [max(w, 7) if i == 0 else max(w, _WIDEST_FLOAT) if i in numeric else w for i, w in enumerate(widths)]
        widths[-1] = max(widths[-1], len(", ".join(v)))
    fmt = lambda r: "  ".join(" " * (w - columns(c)) + c for c, w in zip(r, widths)).rstrip()  # noqa: E731
    yield fmt(header)
    yield fmt(["-" * w for w in widths])
    yield from map(fmt, rows)
    del rows
    for s, sign in signed_steps:
        yield fmt(cells(s, sign))
    yield ""
    yield stop_line(run)
    yield from (_("note: {note}").format(note=note) for note in (notes() if callable(notes) else notes))


def stop_line(run: Run | Descent | Summary) -> str:
    """``stopped at k = 3 (sign_change): why``: the engine's own words in English, the reason's in another language."""
    assert run.stop is not None, "a run read to its end knows why it stopped"
    reason = run.stop.reason
    message = run.stop.message
    why = message if current_language() == "en" or reason not in STOP_WORDS else _(STOP_WORDS[reason])
    return _("stopped at k = {k} ({reason}): {why}").format(k=run.stop.k, reason=reason, why=why)


def descend_summary(run: Run | Summary) -> str:
    final = run.final
    if final is None:
        return stop_line(run)
    where = ", ".join(f"{name} = {_cell(x, run.exact)}" for name, x in zip(run.variables, final.point))
    return _("{point}; f = {value}; stop: {reason} at k = {k}").format(
        point=where, value=_cell(final.value, run.exact), reason=run.stop.reason, k=run.stop.k
    )
