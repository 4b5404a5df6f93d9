"""The iterations so far as rows of text: k, x_k, f(x_k), f'(x_k), the sign, the sign change; a step's data.

Rows come from the engine's run in the step's payload, up to the step's k; the
current row keeps what the learner is being asked (the slope, its sign, the
sign change) hidden until the step is settled.  A training step's data table
marks the samples its update uses (the walkthrough says which).  Shared by the
app's table and the plain mode; formatting only, no mathematics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, assert_never

from tutor.i18n import N_, _
from tutor.notation import show, show_decimals, sign_mark
from tutor.text import columns

if TYPE_CHECKING:  # the walkthrough brings sympy: the app's first frame must not wait for it
    from tutor.walkthrough.steps import Step

HIDDEN = "?"
#: An exact value written with more characters than this is shown as ≈ a short decimal (the exact one on demand).
SHORT_CELL = 10


def cell(value: Any, exact: bool = False, decimals: int | None = None) -> str:
    """A value as written: exact as a fraction (1/2), a float of a float run to six significant figures.

    A long exact fraction (late in a run) reads as ≈ a short decimal unless
    ``exact``; ``decimals`` (a lesson's display option) writes every value that
    is not whole with that many places.
    """
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(cell(v, exact, decimals) for v in value) + ")"
    text = show(value)
    if exact:
        return text
    number = _float(value)
    if number is None:
        return text
    if decimals is not None:
        return show_decimals(value, decimals)
    if long_exact(value):
        return f"≈{approx(value)}"
    return text


def long_exact(value: Any) -> bool:
    """An exact fraction written with more than :data:`SHORT_CELL` characters: a table shows it ≈ a short decimal.

    The one rule for every view (the tutor's table, plain mode, the export), so
    they round the same values.
    """
    if isinstance(value, (tuple, list)):
        return any(long_exact(v) for v in value)
    text = show(value)
    return "/" in text and len(text) > SHORT_CELL and _float(value) is not None


def approx(value: Any) -> str:
    """The short decimal a long exact value is shown as (four significant figures): 0.6079."""
    number = _float(value)
    return f"{number:.4g}" if number is not None else show(value)


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def shortened(body: list[list[str]]) -> bool:
    """Whether some cell shows ≈ a decimal in place of its exact value (the tutor then offers the exact ones)."""
    return any(c.startswith("≈") for row in body for c in row)


def display_options(step: Step) -> tuple[int | None, int | None]:
    """The section's ``display: {decimals, rows}`` (when the lesson sets it), as (decimals, rows)."""
    display = getattr(step.payload, "display", None)  # descent payloads carry it
    return getattr(display, "decimals", None), getattr(display, "rows", None)


def changed(names: tuple[str, ...], count: int) -> str:
    """'yes' when the slope changed sign (naming the partials with several variables), else '—'."""
    if not names:
        return "—"
    if count == 1:
        return _("yes")
    return _("yes: {partials}").format(partials=", ".join(f"∂f/∂{v}" for v in names))


def header(variables: tuple[str, ...]) -> list[str]:
    """k, xₖ, f(xₖ), f′(xₖ) for one variable; k, x, y, f, ∂f/∂x, ∂f/∂y for several."""
    if len(variables) == 1:
        v = variables[0]
        return ["k", f"{v}ₖ", f"f({v}ₖ)", f"f′({v}ₖ)", _("sign"), _("sign change")]
    return ["k", *variables, "f", *(f"∂f/∂{v}" for v in variables), _("sign"), _("sign change")]


def rows(
    step: Step, reveal: bool, *, exact: bool = False, limit: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """The table's header and rows for an iteration step (empty when it has no run), or a training step's data.

    ``limit``: at most about this many rows (the first ones, "… n more", the last
    ones, where the current iterate is); the lesson's ``display: rows`` wins.
    """
    from tutor.walkthrough.contract import DescentFacts, IterationPayload

    payload = step.payload
    if getattr(payload, "data_use", None) is not None:
        return data_rows(step, exact=exact)
    if not isinstance(payload, DescentFacts) or not payload.run.steps:
        return [], []
    run = payload.run
    k = payload.k if isinstance(payload, IterationPayload) else None
    decimals, rows_shown = display_options(step)
    limit = rows_shown or limit
    shown: list[tuple[Any, tuple[int | None, ...]] | None] = [
        (s, signs) for s, signs in zip(run.steps, payload.signs) if k is None or s.k <= k
    ]
    if limit and len(shown) > limit:  # format only the rows that will show: a run may have 10,000
        # ``limit`` rows of the run and a line "… n more": the author's rows end with the last one alone
        tail = 1 if rows_shown else (limit + 1) // 2
        head = max(1, limit - tail)
        hidden = len(shown) - head - tail
        shown = [*shown[:head], None, *shown[-tail:]]
    out = []
    for item in shown:
        if item is None:
            gap = ["…", _("{hidden} more").format(hidden=hidden)]
            out.append(gap + [""] * (len(header(tuple(run.variables))) - 2))
            continue
        s, signs = item
        current = k is not None and s.k == k and not reveal
        row = [str(s.k), *(cell(x, exact, decimals) for x in s.point), cell(s.value, exact, decimals)]
        if current:
            row += [HIDDEN] * len(s.gradient) + [HIDDEN, HIDDEN]
        else:
            row += [cell(g, exact, decimals) for g in s.gradient]
            row += [" ".join(sign_mark(g) for g in signs), changed(s.sign_change, len(run.variables))]
        out.append(row)
    return header(tuple(run.variables)), out


# --- a training step's data: the samples it uses marked ---------------------------------------------

#: The mark of a sample a step uses, in its column of the data table.
USED = "●"
#: The heading of each mark column (a use of :class:`~tutor.walkthrough.contract.DataUse`).
USE_HEADINGS = {
    "used": N_("used"),
    "batch": N_("batch"),
    "stochastic": N_("stochastic"),
    "minibatch": N_("mini-batch"),
}


def use_heading(use: str) -> str:
    """A mark column's heading: 'used', or the kind of descent whose first update it marks."""
    return _(USE_HEADINGS[use]) if use in USE_HEADINGS else use


def data_rows(step: Step, *, exact: bool = False) -> tuple[list[str], list[list[str]]]:
    """A training step's data table: #, x, y and a column marking (●) the samples each update uses.

    The rows are the walkthrough's choice (``data_use.shown``); a long data set
    ends with a line "… n more".  Empty when the step has no data table.
    """
    from tutor.walkthrough.contract import BatchPayload, TrainingPayload

    payload = step.payload
    if not isinstance(payload, (TrainingPayload, BatchPayload)) or payload.data_use is None:
        return [], []
    use, xs, ys = payload.data_use, payload.xs, payload.ys
    cols = ["#", payload.input or "x", "y", *(use_heading(name) for name, _samples in use.uses)]
    marked = [frozenset(samples) for _name, samples in use.uses]
    body = [
        [str(i), cell(xs[i], exact), cell(ys[i], exact), *(USED if i in m else "" for m in marked)]
        for i in use.shown
        if 0 <= i < len(xs)
    ]
    hidden = use.total - len(body)
    if hidden > 0:
        body.append(["…", _("{hidden} more").format(hidden=hidden)] + [""] * (len(cols) - 2))
    return cols, body


#: Rows of a run's table in plain mode and the tutor (a lesson's ``display: rows`` may say otherwise).
TABLE_LIMIT = 11


def plain_table(step: Step, reveal: bool) -> str:
    """The same rows as aligned plain text (for the line-by-line mode), a long run's middle left out.

    Plain mode has no key for the exact values, so when the last row shows some
    ≈ rounded, its exact values follow the table.
    """
    cols, body = rows(step, reveal, limit=TABLE_LIMIT)
    if not cols:
        return ""
    widths = [max(columns(r[i]) for r in [cols, *body]) for i in range(len(cols))]
    line = lambda r: "  ".join(" " * (w - columns(c)) + c for c, w in zip(r, widths)).rstrip()  # noqa: E731
    lines = [line(cols), *map(line, body)]
    if body and any(c.startswith("≈") for c in body[-1]):
        exact = rows(step, reveal, exact=True, limit=TABLE_LIMIT)[1][-1]
        values = ", ".join(f"{name} = {e}" for name, c, e in zip(cols, body[-1], exact) if c.startswith("≈"))
        lines.append(_("≈: rounded; exactly, at k = {k}: {values}").format(k=body[-1][0], values=values))
    return "\n".join(lines)


def formula(expr: Any) -> str:
    """An expression as a reader writes it: 5x², x/2, ∂ and √ in Unicode (via its LaTeX form)."""
    import sympy as sp

    from tutor.latex_unicode import latex_to_unicode

    if not isinstance(expr, sp.Basic):
        return str(expr)
    text = latex_to_unicode(sp.latex(expr)).replace("\\", "")
    text = re.sub(r"\( +| +\)", lambda m: m.group(0).strip(), text)
    text = re.sub(r"(^|[(,] ?)− ", r"\1−", text)  # a leading minus sign binds to what follows
    return re.sub(
        r"(?<=[0-9]) (?=[A-Za-z(√|])", "", text
    )  # 5 x² -> 5x²  # a command the converter does not know keeps its name only


def function_line(step: Step) -> str:
    """'f(x) = 5*x**2    learning rate η = 1/20' for a step of a descent; '' otherwise."""
    from tutor.walkthrough.contract import (
        BatchPayload,
        DerivePayload,
        DescentFacts,
        EvaluatePayload,
        ExplainPayload,
        PredictPayload,
        QuestionPayload,
        TrainingPayload,
    )

    match step.payload:
        case DescentFacts() | PredictPayload() as p:
            f, variables, lr = p.function, p.variables, p.learning_rate
        case ExplainPayload() | DerivePayload() | EvaluatePayload() | TrainingPayload() | BatchPayload():
            return ""
        case QuestionPayload():
            return ""
        case _:
            assert_never(step.payload)
    import sympy as sp

    head = f"f({', '.join(variables)})" if variables else "f"
    line = f"{head} = {formula(f)}"
    if lr is not None:
        text = sp.sstr(lr) if isinstance(lr, sp.Basic) else f"{lr:g}"
        line += _("    learning rate η = {text}").format(text=text)
    return line
