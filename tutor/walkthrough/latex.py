"""How values and maths are written: LaTeX for the Markdown views, Unicode for plain text.

Computing is apart from printing: the section builders work out exact values,
and these functions only say how a number, a vector, an expression or a
label (x₁, ∇f at step 2) reads on screen and in the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from tutor.mathinput import symbol
from tutor.text import Text, both

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
    if isinstance(value, (float, sp.Float)):
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
    if isinstance(value, (float, sp.Float)):
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


def tex_decimals(value: Any, decimals: int) -> str:
    """A value for a table shown with ``decimals`` places (whole numbers stay whole), as a lesson's display asks."""
    if isinstance(value, (tuple, list)):
        return r"\left(" + ", ".join(tex_decimals(v, decimals) for v in value) + r"\right)"
    if isinstance(value, (int, sp.Integer)) and not isinstance(value, bool):
        return tex(value)
    try:
        return f"{float(value):.{decimals}f}"
    except (TypeError, ValueError):
        return tex(value)


def tex_factor(value: Any) -> str:
    """A value ready to be multiplied: negative numbers and sums in parentheses."""
    text = tex(value)
    if isinstance(value, (tuple, list)):
        return text
    negative = isinstance(value, (int, float)) and value < 0
    if isinstance(value, sp.Basic):
        negative = (value.is_number and value.is_negative is True) or value.could_extract_minus_sign()
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
