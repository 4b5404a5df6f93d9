"""The update from iterate k to k+1 written out with the run's numbers, once, for every view.

The export shows it as display maths (one line per variable for plain
gradient descent); a plot shows it under the figure's formula (matplotlib's
mathtext, which has no ``\\tfrac``).  An optimiser with memory is written as
its result here: its rule with every number is in the step's worked solution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.notation import name_tex, sub_tex, tex, tex_factor


def _slope(name: str, k: int, one: bool) -> str:
    if one:
        return f"f'({sub_tex(name, k)})"
    return f"\\frac{{\\partial f}}{{\\partial {name_tex(name)}}}(\\mathbf{{x}}_{{{k}}})"


def update_latex(variables: Sequence[str], run: Any, index: int) -> tuple[str, ...]:
    """x_{k+1} = x_k - η f'(x_k) = ... = x_{k+1}'s value, per variable (LaTeX); () at the run's last step."""
    if index + 1 >= len(run.steps) or run.learning_rate is None:
        return ()
    cur, nxt = run.steps[index], run.steps[index + 1]
    k, lr, one = cur.k, run.learning_rate, len(variables) == 1
    if run.optimizer == "gd":
        return tuple(
            f"{sub_tex(name, k + 1)} = {sub_tex(name, k)} - \\eta {_slope(name, k, one)} = "
            f"{tex(cur.point[i])} - {tex(lr)}\\cdot {tex_factor(cur.gradient[i])} = {tex(nxt.point[i])}"
            for i, name in enumerate(variables)
        )
    lhs = sub_tex(variables[0], k + 1) if one else f"\\mathbf{{x}}_{{{k + 1}}}"
    return (f"{lhs} = {tex(nxt.point[0]) if one else tex(tuple(nxt.point))}",)


def update_mathtext(variables: Sequence[str], run: Any, index: int) -> str:
    """The same update on one line for a plot's title (plain gradient descent only; '' otherwise)."""
    if index + 1 >= len(run.steps) or run.optimizer != "gd":
        return ""
    cur, nxt = run.steps[index], run.steps[index + 1]
    k = cur.k
    if len(variables) == 1:
        v = name_tex(variables[0])
        lhs = f"{v}_{{{k + 1}}} = {v}_{{{k}}} - \\eta f'({v}_{{{k}}})"
        point, slope, new = cur.point[0], cur.gradient[0], nxt.point[0]
    else:
        lhs = f"\\mathbf{{x}}_{{{k + 1}}} = \\mathbf{{x}}_{{{k}}} - \\eta \\nabla f(\\mathbf{{x}}_{{{k}}})"
        point, slope, new = tuple(cur.point), tuple(cur.gradient), tuple(nxt.point)
    try:
        shown = (
            f"{tex(point, mathtext=True)} - {tex_factor(run.learning_rate, mathtext=True)} \\cdot "
            f"{tex_factor(slope, mathtext=True)} = {tex(new, mathtext=True)}"
        )
    except Exception:  # a value the printer cannot write: leave the line out, not the picture
        return ""
    return f"${lhs} = {shown}$"
