"""How the walkthrough's own sentences write expressions and labels (f(x, z) = ..., x₁, ∇f at step 2).

Numbers, vectors and signs are written by :mod:`tutor.notation`, the one
formatting module every view shares; this module adds what only lesson text
needs: an expression's terms in the variables' order, and the names of
iterates and slopes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from tutor.i18n import _
from tutor.mathinput import symbol
from tutor.notation import SHORT_DIGITS, show, sub, tex, tex_decimals, tex_factor, tex_short
from tutor.text import Text

__all__ = ["SHORT_DIGITS", "show", "sub", "tex", "tex_decimals", "tex_factor", "tex_in", "tex_short"]


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
    return _("{point} at step {k}").format(point=point, k=k)


def _slope_label(variables: Sequence[str], k: int) -> Text:
    if len(variables) == 1:
        return f"f'({variables[0]}{sub(k)})"
    return _("∇f at step {k}").format(k=k)


def _point_tex(variables: Sequence[str], point: Sequence[Any]) -> str:
    return ", ".join(f"{v} = {tex(value)}" for v, value in zip(variables, point))
