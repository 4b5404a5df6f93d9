"""How numbers and maths are written, in one place: LaTeX, matplotlib's mathtext, Unicode and plain text.

Computing is apart from writing: the engine and the walkthrough work out the
values (exact fractions, floats of a float run, vectors, signs); this module
only says how each reads.  Every view (the tutor, plain mode, plots, the
export, the console) and the walkthrough's own sentences write numbers with
these functions, so ``1/20`` reads the same everywhere.

sympy is imported inside the functions: a view can import this module before
the engine has been loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.i18n import N_
from tutor.text import Text, tr

#: Exact numbers longer than this (in digits) are written as decimals (≈).
MAX_EXACT_DIGITS = 40
#: In summaries of a whole run, a fraction with more digits than this is written as a decimal.
SHORT_DIGITS = 12

_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def sub(k: int | str) -> str:
    """k as Unicode subscript digits: x₁."""
    return str(k).translate(_SUBSCRIPT)


def _long(value: Any, digits: float) -> bool:
    """A rational whose numerator or denominator has more than ``digits`` digits."""
    return max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) * 0.30103 > digits


# --- LaTeX ----------------------------------------------------------------------------------------


def _float_tex(value: float) -> str:
    if value != value:
        return r"\text{NaN}"
    if value in (float("inf"), float("-inf")):
        return r"\infty" if value > 0 else r"-\infty"
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def tex(value: Any, *, mathtext: bool = False) -> str:
    """A value as LaTeX: 1/20 as ``\\tfrac{1}{20}``, floats to 6 digits, vectors in parentheses.

    ``mathtext``: for matplotlib, which has no ``\\tfrac`` (fractions are ``\\frac``).
    A rational too long to read is written ≈ as a decimal; a root with no closed form by its value.
    """
    import sympy as sp

    if value is None:
        return r"\text{—}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):
        return ",\\ ".join(f"{name_tex(k)} = {tex(v, mathtext=mathtext)}" for k, v in value.items())
    if isinstance(value, (tuple, list, sp.Tuple)):
        return r"\left(" + ", ".join(tex(v, mathtext=mathtext) for v in value) + r"\right)"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, sp.Float)):
        return _float_tex(float(value))
    if isinstance(value, sp.Rational) and _long(value, MAX_EXACT_DIGITS):
        return r"\approx " + _float_tex(float(value))
    if isinstance(value, sp.Expr) and value.is_number and value.has(sp.CRootOf):
        return rf"\approx {float(sp.N(value)):.6g}"  # a root with no closed form: its value says more
    if not isinstance(value, sp.Basic):
        return sp.latex(value)
    text = sp.latex(value)
    if value.is_number and not mathtext:
        text = text.replace(r"\frac", r"\tfrac")
    return text


def tex_short(value: Any) -> str:
    """Like :func:`tex`, but a long exact fraction (late in a run) is written ≈ as a decimal."""
    import sympy as sp

    if isinstance(value, (tuple, list)):
        return r"\left(" + ", ".join(tex_short(v) for v in value) + r"\right)"
    if isinstance(value, sp.Rational) and len(str(abs(value.p))) + len(str(value.q)) > SHORT_DIGITS:
        return rf"\approx {float(value):.6g}"
    return tex(value)


def tex_decimals(value: Any, decimals: int) -> str:
    """A value for a table shown with ``decimals`` places (whole numbers stay whole), as a lesson's display asks."""
    import sympy as sp

    if isinstance(value, (tuple, list, sp.Tuple)):
        return r"\left(" + ", ".join(tex_decimals(v, decimals) for v in value) + r"\right)"
    if isinstance(value, (int, sp.Integer)) and not isinstance(value, bool):
        return str(value)
    try:
        return f"{float(value):.{decimals}f}"
    except (TypeError, ValueError):
        return tex(value)


def tex_factor(value: Any, *, mathtext: bool = False) -> str:
    """A value ready to be multiplied: negative numbers and sums in parentheses (so ``- η·(-10)`` reads right)."""
    import sympy as sp

    text = tex(value, mathtext=mathtext)
    if isinstance(value, (tuple, list)):
        return text
    negative = text.startswith("-")
    if isinstance(value, sp.Basic):
        negative = negative or (value.is_number and value.is_negative is True) or value.could_extract_minus_sign()
        negative = negative or isinstance(value, sp.Add)
    return rf"\left({text}\right)" if negative else text


def name_tex(name: str) -> str:
    """A variable's name as LaTeX (x1 -> x_{1}, eta -> \\eta)."""
    import sympy as sp

    return sp.latex(sp.Symbol(name))


def sub_tex(name: str, k: Any) -> str:
    """v_k, keeping a name that already has a subscript (x1 -> x_{1}) grouped."""
    base = name_tex(name)
    return f"{{{base}}}_{{{k}}}" if "_" in base else f"{base}_{{{k}}}"


# --- plain text and Unicode -----------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as plain text, as a learner types it: 1/2, (4, 12, 21), 0.333333."""
    import sympy as sp

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


def show_decimals(value: Any, decimals: int | None) -> str:
    """:func:`show`, or with ``decimals`` places when a lesson's display asks (whole numbers stay whole)."""
    if decimals is None:
        return show(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return show(value)
    return show(value) if number.is_integer() else f"{number:.{decimals}f}"


# --- signs ----------------------------------------------------------------------------------------

#: How a sign (1, -1, 0; None when there is none, as for NaN) is written in each style.
SIGN_MARKS = {
    "unicode": {1: "+", -1: "−", 0: "0", None: "?"},
    "ascii": {1: "+", -1: "-", 0: "0", None: "?"},
    "latex": {1: "$+$", -1: "$-$", 0: "$0$", None: "$?$"},
}


def sign_mark(sign: int | None, style: str = "unicode") -> str:
    """A sign the walkthrough or the engine computed, written in ``style`` (unicode, ascii or latex)."""
    marks = SIGN_MARKS[style]
    return marks.get(sign, marks[None])


# --- words ----------------------------------------------------------------------------------------

#: Which way a variable moves, as a choice label.
DIRECTIONS: dict[str, str] = {
    "increase": N_("increase"),
    "decrease": N_("decrease"),
    "stay": N_("stay"),
}
#: Yes and no.
YES_NO_WORDS: dict[str, str] = {"yes": N_("yes"), "no": N_("no")}
#: What a run does, as a choice label and as a sentence.
OUTCOMES: dict[str, str] = {
    "converge": N_("converge"),
    "oscillate": N_("oscillate"),
    "diverge": N_("diverge"),
}
OUTCOME_SENTENCES: dict[str, str] = {
    "converge": N_("It converges"),
    "oscillate": N_("It oscillates"),
    "diverge": N_("It diverges"),
}
#: A graded answer.
VERDICTS: dict[str, Text] = {
    "right": N_("right"),
    "wrong": N_("wrong"),
    "close": N_("close"),
    "invalid": N_("invalid"),
}


def word(table: Mapping[str, Text], key: str, **values: Any) -> str:
    """``table[key]`` in the learner's language, with ``{placeholders}`` filled in (the views' word tables use this)."""
    text = tr(table[key])
    return text.format(**values) if values else text


#: Why a run stopped, in the learner's words (by the runner's stop reason), for the views' tables and notes.
STOP_WORDS = {
    "max_steps": N_("it ran the number of steps asked for"),
    "zero_gradient": N_("the gradient is exactly zero: a stationary point, so no step moves"),
    "sign_change": N_("the derivative changed sign: the minimum is bracketed"),
    "tolerance": N_("every partial derivative is within the tolerance of zero"),
    "diverged": N_("it diverged: the steps grow without bound"),
    "undefined": N_("f or its derivative has no real value at the point"),
    "not_differentiable": N_("f is not differentiable at the point"),
    "exact_limit": N_("the exact numbers grew too large"),
}
