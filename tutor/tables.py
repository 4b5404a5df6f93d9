"""The iterations so far as rows of text: k, x_k, f(x_k), f'(x_k), the sign, the sign change.

Rows come from the engine's run in the step's payload, up to the step's k; the
current row keeps what the learner is being asked (the slope, its sign, the
sign change) hidden until the step is settled.  Shared by the app's table and
the plain mode; formatting only, no mathematics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tutor.notation import show_decimals, sign_mark
from tutor.text import both, tr

if TYPE_CHECKING:  # the walkthrough brings sympy: the app's first frame must not wait for it
    from tutor.walkthrough import Step

HIDDEN = "?"


def cell(value: Any, decimals: int | None = None) -> str:
    """A value as written: exact as a fraction (1/2), a float to six significant figures, or ``decimals`` places."""
    return show_decimals(value, decimals)


def changed(names: tuple[str, ...], count: int) -> str:
    """'yes' when the slope changed sign (naming the partials with several variables), else '—'."""
    if not names:
        return "—"
    return "yes" if count == 1 else "yes: " + ", ".join(f"∂f/∂{v}" for v in names)


def header(variables: tuple[str, ...]) -> list[str]:
    """k, xₖ, f(xₖ), f′(xₖ) for one variable; k, x, y, f, ∂f/∂x, ∂f/∂y for several."""
    if len(variables) == 1:
        v = variables[0]
        return ["k", f"{v}ₖ", f"f({v}ₖ)", f"f′({v}ₖ)", "sign", "sign change"]
    return ["k", *variables, "f", *(f"∂f/∂{v}" for v in variables), "sign", "sign change"]


def rows(step: Step, reveal: bool) -> tuple[list[str], list[list[str]]]:
    """The table's header and rows for an iteration step (empty when it has no run)."""
    from tutor.walkthrough.contract import DescentFacts, IterationPayload

    payload = step.payload
    if not isinstance(payload, DescentFacts) or not payload.run.steps:
        return [], []
    run = payload.run
    k = payload.k if isinstance(payload, IterationPayload) else None
    display = payload.display  # the section's display: {decimals, rows}
    decimals, limit = getattr(display, "decimals", None), getattr(display, "rows", None)
    shown = [(s, signs) for s, signs in zip(run.steps, payload.signs) if k is None or s.k <= k]
    skipped = len(shown) - limit if limit is not None and len(shown) > limit else 0
    if skipped:
        shown = shown[: limit - 1] + shown[-1:]
    out = []
    for s, signs in shown:
        if skipped and s is shown[-1][0]:
            out.append(["…"] * (3 + 2 * len(s.point) + 1))
        current = k is not None and s.k == k and not reveal
        row = [str(s.k), *(cell(x, decimals) for x in s.point), cell(s.value, decimals)]
        if current:
            row += [HIDDEN] * len(s.gradient) + [HIDDEN, HIDDEN]
        else:
            row += [cell(g, decimals) for g in s.gradient]
            row += [" ".join(sign_mark(g) for g in signs), changed(s.sign_change, len(run.variables))]
        out.append(row)
    return header(tuple(run.variables)), out


def plain_table(step: Step, reveal: bool) -> str:
    """The same rows as aligned plain text (for the line-by-line mode)."""
    cols, body = rows(step, reveal)
    if not cols:
        return ""
    widths = [max(len(r[i]) for r in [cols, *body]) for i in range(len(cols))]
    line = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(cols), *map(line, body)])


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


def function_line(step: Step, lang: str = "en") -> str:
    """'f(x) = 5*x**2    learning rate η = 1/20' for a step of a descent; '' otherwise."""
    from tutor.walkthrough.contract import DescentFacts, PredictPayload

    match step.payload:
        case DescentFacts() | PredictPayload() as p:
            f, variables, lr = p.function, p.variables, p.learning_rate
        case _:
            return ""
    import sympy as sp

    head = f"f({', '.join(variables)})" if variables else "f"
    line = f"{head} = {formula(f)}"
    if lr is not None:
        text = sp.sstr(lr) if isinstance(lr, sp.Basic) else f"{lr:g}"
        line += tr(both(f"    learning rate η = {text}", f"    学习率 η = {text}"), lang)
    return line
