"""The iterations so far as rows of text: k, x_k, f(x_k), f'(x_k), the sign, the sign change.

Rows come from the engine's run (``step.data["run"]``) up to the step's k; the
current row keeps what the learner is being asked (the slope, its sign, the
sign change) hidden until the step is settled.  Shared by the app's table and
the plain mode; formatting only, no mathematics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tutor.text import both, tr

if TYPE_CHECKING:  # the walkthrough brings sympy: the app's first frame must not wait for it
    from tutor.walkthrough import Step

HIDDEN = "?"


def cell(value: Any, exact: bool) -> str:
    """An exact value as written (1/2), a float to six significant figures."""
    if exact:
        import sympy as sp

        return sp.sstr(value) if isinstance(value, sp.Basic) else str(value)
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)


def sign_mark(value: Any) -> str:
    from tutor.calculus import sign

    try:
        return {1: "+", -1: "−", 0: "0"}.get(sign(value), "?")
    except Exception:  # a value the engine cannot sign (nan): show it unsigned
        return "?"


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
    data = step.data or {}
    run = data.get("run")
    if run is None or not getattr(run, "steps", None):
        return [], []
    k = data.get("k")
    display = data.get("display")  # the section's display: {decimals, rows}
    decimals, limit = getattr(display, "decimals", None), getattr(display, "rows", None)

    def show(value: Any) -> str:
        if decimals is None or (float(value).is_integer() if _real(value) else True):
            return cell(value, run.exact)
        return f"{float(value):.{decimals}f}"

    shown = [s for s in run.steps if k is None or s.k <= k]
    skipped = len(shown) - limit if limit is not None and len(shown) > limit else 0
    if skipped:
        shown = shown[: limit - 1] + shown[-1:]
    out = []
    for s in shown:
        if skipped and s is shown[-1]:
            out.append(["…"] * (3 + 2 * len(s.point) + 1))
        current = k is not None and s.k == k and not reveal
        row = [str(s.k), *(show(x) for x in s.point), show(s.value)]
        if current:
            row += [HIDDEN] * len(s.gradient) + [HIDDEN, HIDDEN]
        else:
            row += [show(g) for g in s.gradient]
            row += [" ".join(sign_mark(g) for g in s.gradient), changed(s.sign_change, len(run.variables))]
        out.append(row)
    return header(tuple(run.variables)), out


def _real(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


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

    from tutor.app.maths import latex_to_unicode

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
    data = step.data or {}
    f = data.get("function")
    if f is None or step.kind not in ("iteration", "run", "outcome", "predict"):
        return ""
    import sympy as sp

    variables = data.get("variables") or getattr(f, "variables", ()) or getattr(data.get("run"), "variables", ()) or ()
    f = getattr(f, "expr", f)
    head = f"f({', '.join(variables)})" if variables else "f"
    line = f"{head} = {formula(f)}"
    run = data.get("run")
    lr = getattr(run, "learning_rate", None) if run is not None else data.get("learning_rate")
    if lr is not None:
        text = sp.sstr(lr) if isinstance(lr, sp.Basic) else f"{lr:g}"
        line += tr(both(f"    learning rate η = {text}", f"    学习率 η = {text}"), lang)
    return line
