"""Derivations in words, in the learner's language: plain text, JSON, Markdown with LaTeX, and hints.

The renderers only read the rule tree of :mod:`tutor.derivation.rules`:
``tutor derive --steps`` (text and JSON), the export (Markdown), and one
hint per step for the tutor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from tutor.derivation.rules import (
    AbsRule,
    AcoshRule,
    AcosRule,
    AcotRule,
    AsinhRule,
    AsinRule,
    AtanhRule,
    AtanRule,
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    CoshRule,
    CosRule,
    CothRule,
    CotRule,
    CscRule,
    ExponentialRule,
    ExpRule,
    GeneralPowerRule,
    LogRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    Rule,
    SecRule,
    SignRule,
    SinhRule,
    SinRule,
    SqrtRule,
    SumRule,
    TanhRule,
    TanRule,
    VariableRule,
    derive_steps,
)
from tutor.i18n import N_, _, ngettext
from tutor.mathinput import symbol

# --- how maths reads in one line ---------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


#: The one-line text of the sums, products, powers and functions already printed (all _LinePrinters print alike).
_PRINTED: dict[sp.Basic, str] = {}
_PRINTED_LIMIT = 20_000


class _LinePrinter(StrPrinter):
    """sympy's str printer with the notation people type: x², 5x, ln(x), e^x, π.

    Everything it writes is accepted back by :mod:`tutor.mathinput`, so a
    learner can copy any line into an answer.
    """

    def _print(self, expr: Any, **kwargs: Any) -> str:
        """Sums, products, powers and functions printed once: a derivation shows the same parts in every step.

        sympy's printer sorts the terms of every sum it meets, which made the
        steps of a product of 40 factors cost 70 times its derivative.  The
        text of such a node does not depend on where it stands (the caller
        adds any parentheses), so it is remembered, per expression.
        """
        if (
            kwargs
            or not isinstance(expr, sp.Basic)
            or not (expr.is_Add or expr.is_Mul or expr.is_Pow or expr.is_Function)
        ):
            return super()._print(expr, **kwargs)
        text = _PRINTED.get(expr)
        if text is None:
            if len(_PRINTED) > _PRINTED_LIMIT:
                _PRINTED.clear()
            text = _PRINTED[expr] = super()._print(expr)
        return text

    def _print_Float(self, expr: sp.Float) -> str:
        """A float as a person writes it: 4 and 0.6, not 4.00000000000000."""
        value = float(expr)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent.is_Integer and exponent != -1 and not (exponent < 0 and rational):
            return self.parenthesize(base, precedence(expr), strict=False) + str(exponent).translate(_SUPERSCRIPT)
        return super()._print_Pow(expr, rational)

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_exp(self, expr: sp.exp) -> str:
        arg = expr.args[0]
        inner = self._print(arg)
        return f"e^{inner}" if (arg.is_Symbol or (arg.is_Integer and arg >= 0)) else f"e^({inner})"

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "π"


_JOIN = re.compile(r"(?<![A-Za-z0-9_.⁰¹²³⁴⁵⁶⁷⁸⁹])(\d+)\*(?=(?:[A-Za-z](?![A-Za-z0-9_(])|\())")


def show(expr: sp.Basic) -> str:
    """An expression on one line as a learner writes it: 5x², 2x + 1, 2x·cos(x² + 1), 1/(2·sqrt(x))."""
    text = _LinePrinter().doprint(expr)
    text = _JOIN.sub(r"\1", text)
    return text.replace("**", "^").replace("*", "·").replace("-", "−")


# --- rendering --------------------------------------------------------------------------------

#: Each rule's name (translated where it is said).
RULE_NAMES: dict[type[Rule], str] = {
    ConstantRule: N_("constant rule"),
    VariableRule: N_("variable rule"),
    SumRule: N_("sum rule"),
    ConstantMultipleRule: N_("constant multiple rule"),
    PowerRule: N_("power rule"),
    SqrtRule: N_("square root rule"),
    ProductRule: N_("product rule"),
    QuotientRule: N_("quotient rule"),
    ChainRule: N_("chain rule"),
    ExponentialRule: N_("exponential rule"),
    GeneralPowerRule: N_("logarithmic differentiation"),
    ExpRule: N_("exponential rule"),
    LogRule: N_("logarithm rule"),
    SinRule: N_("sine rule"),
    CosRule: N_("cosine rule"),
    TanRule: N_("tangent rule"),
    CotRule: N_("cotangent rule"),
    SecRule: N_("secant rule"),
    CscRule: N_("cosecant rule"),
    AsinRule: N_("arcsine rule"),
    AcosRule: N_("arccosine rule"),
    AtanRule: N_("arctangent rule"),
    AcotRule: N_("arccotangent rule"),
    SinhRule: N_("hyperbolic sine rule"),
    CoshRule: N_("hyperbolic cosine rule"),
    TanhRule: N_("hyperbolic tangent rule"),
    CothRule: N_("hyperbolic cotangent rule"),
    AsinhRule: N_("inverse hyperbolic sine rule"),
    AcoshRule: N_("inverse hyperbolic cosine rule"),
    AtanhRule: N_("inverse hyperbolic tangent rule"),
    AbsRule: N_("absolute value rule"),
    SignRule: N_("sign rule"),
}


@dataclass(frozen=True)
class _Notation:
    """How a renderer writes maths: plain Unicode text, or LaTeX for Markdown."""

    partial: bool  # ∂/∂x (several variables) or d/dx (one)
    latex: bool = False

    def expr(self, e: sp.Basic) -> str:
        return sp.latex(e, ln_notation=True) if self.latex else show(e)

    @property
    def times(self) -> str:
        return r" \cdot " if self.latex else "·"

    @property
    def spaced_times(self) -> str:
        """Between an operator and what follows, where a tight · would blur the two."""
        return r" \cdot " if self.latex else " · "

    def d(self, x: sp.Symbol) -> str:
        """The operator d/dx or ∂/∂x."""
        name = self.expr(x)
        if self.latex:
            return rf"\frac{{\partial}}{{\partial {name}}}" if self.partial else rf"\frac{{d}}{{d{name}}}"
        return f"∂/∂{name}" if self.partial else f"d/d{name}"

    def wrap(self, e: sp.Basic, products: bool = False) -> str:
        """e, in parentheses where a product or operator would otherwise read it wrongly."""
        inner = self.expr(e)
        needs = e.is_Add or (isinstance(e, sp.Expr) and e.could_extract_minus_sign()) or (products and e.is_Mul)
        if not needs:
            return inner
        return rf"\left({inner}\right)" if self.latex else f"({inner})"

    def of(self, x: sp.Symbol, e: sp.Basic) -> str:
        """The operator applied to e."""
        return f"{self.d(x)} {self.wrap(e, products=True)}"

    def maths(self, text: str) -> str:
        """Maths inside words: $...$ in Markdown."""
        return f"${text}$" if self.latex else text

    def ordinary(self) -> _Notation:
        """d/du, for the outer function of a chain."""
        return _Notation(False, self.latex)


@dataclass(frozen=True)
class _Said:
    """One step in words: the rule's name, an optional set-up, the equations, an optional note."""

    name: str
    maths: str
    setup: str = ""  # e.g. "u = x² + 1" for the chain rule
    note: str = ""  # e.g. "z is held constant"

    def text(self) -> str:
        return self._line(self.name, self.setup, self.maths)

    def markdown(self) -> str:
        return self._line(f"**{self.name}**", f"${self.setup}$" if self.setup else "", f"${self.maths}$")

    def _line(self, name: str, setup: str, maths: str) -> str:
        head = _("{rule} (put {setup})").format(rule=name, setup=setup) if setup else name
        line = _("{rule}: {maths}").format(rule=head, maths=maths)
        if self.note:
            line += _(" ({note})").format(note=self.note)
        return line


def _names(names: Sequence[str]) -> str:
    """x, y and z (in the current language)."""
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=_(", ").join(names[:-1]), last=names[-1])


def _say(rule: Rule, n: _Notation) -> _Said:
    """Which rule applies, and what it gives, for one node of the tree."""
    name = _(RULE_NAMES[type(rule)])
    x, show_, r = rule.variable, n.expr, rule.result
    lhs = n.of(x, rule.expr)
    done = f"{lhs} = {show_(r)}"
    if isinstance(rule, ConstantRule):
        held = rule.held
        if held:
            who = _names([n.maths(show_(symbol(v))) for v in held])
            # TRANSLATORS: {x} is the variable of the partial derivative; English leaves it implicit.
            note = ngettext("{names} is held constant", "{names} are held constant", len(held)).format(
                names=who, x=n.maths(show_(x))
            )
        else:
            note = _("a constant does not change with {x}").format(x=n.maths(show_(x)))
        return _Said(name, done, note=note)
    if isinstance(rule, SumRule):
        middle = " + ".join(n.of(x, t.expr) for t in rule.terms)
        return _Said(name, f"{lhs} = {middle} = {show_(r)}")
    if isinstance(rule, ConstantMultipleRule):
        c = n.wrap(rule.constant, products=True)
        return _Said(name, f"{lhs} = {c}{n.spaced_times}{n.of(x, rule.other)} = {show_(r)}")
    if isinstance(rule, PowerRule):
        k = n.wrap(rule.exponent, products=True)
        if n.latex:
            step = rf"{k} {show_(x)}^{{{show_(rule.exponent)} - 1}}"
        else:
            step = f"{k}·{show_(x)}^({show_(rule.exponent)} − 1)"
        return _Said(name, f"{lhs} = {step} = {show_(r)}")
    if isinstance(rule, ProductRule):
        f, g = n.wrap(rule.left), n.wrap(rule.right)
        df, dg = n.wrap(rule.left_step.result), n.wrap(rule.right_step.result)
        return _Said(name, f"{lhs} = {df}{n.times}{g} + {f}{n.times}{dg} = {show_(r)}")
    if isinstance(rule, QuotientRule):
        f, g = n.wrap(rule.numerator), n.wrap(rule.denominator)
        df, dg = n.wrap(rule.numerator_step.result), n.wrap(rule.denominator_step.result)
        square = show_(sp.Pow(rule.denominator, 2))
        if n.latex:
            step = rf"\frac{{{df} {g} - {f} {dg}}}{{{square}}}"
        else:
            step = f"({df}·{g} − {f}·{dg})/{square}"
        return _Said(name, f"{lhs} = {step} = {show_(r)}")
    if isinstance(rule, ChainRule):
        outer_at_inner = n.wrap(rule.outer_step.result.xreplace({rule.u: rule.inner}))
        inner = n.wrap(rule.inner_step.result)
        d_outer = n.ordinary().of(rule.u, rule.outer_step.expr)
        d_inner = n.of(x, rule.inner)
        setup = f"{show_(rule.u)} = {show_(rule.inner)}"
        maths = f"{lhs} = {d_outer}{n.spaced_times}{d_inner} = {outer_at_inner}{n.times}{inner} = {show_(r)}"
        return _Said(name, maths, setup=setup)
    if isinstance(rule, GeneralPowerRule):
        f, g = n.wrap(rule.base), n.wrap(rule.exponent)
        df, dg = n.wrap(rule.base_step.result), n.wrap(rule.exponent_step.result)
        ln = rf"\ln {f}" if n.latex else (f"ln{f}" if f.startswith("(") else f"ln({f})")
        fraction = rf"\frac{{{df}}}{{{f}}}" if n.latex else f"{df}/{f}"
        maths = (
            f"{lhs} = {show_(rule.expr)}{n.times}\\left({dg}{n.times}{ln} + {g}{n.times}{fraction}\\right)"
            if n.latex
            else (f"{lhs} = {show_(rule.expr)}·({dg}·{ln} + {g}·{fraction})")
        )
        return _Said(name, f"{maths} = {show_(r)}")
    note = ""
    if isinstance(rule, (AbsRule, SignRule)):
        where = n.maths(f"{show_(x)} = 0")
        note = (
            _("not differentiable at {where}: a kink").format(where=where)
            if isinstance(rule, AbsRule)
            else _("not differentiable at {where}").format(where=where)
        )
    return _Said(name, done, note=note)


def _flatten(rule: Rule, partial: bool, latex: bool = False) -> list[tuple[Rule, int, _Said]]:
    """(rule, depth, what it says) in reading order; a chain's outer step reads d/du."""
    out: list[tuple[Rule, int, _Said]] = []

    def visit(node: Rule, depth: int, notation: _Notation) -> None:
        out.append((node, depth, _say(node, notation)))
        if isinstance(node, ChainRule):
            visit(node.outer_step, depth + 1, notation.ordinary())
            visit(node.inner_step, depth + 1, notation)
        else:
            for sub in node.substeps:
                visit(sub, depth + 1, notation)

    visit(rule, 0, _Notation(partial, latex))
    return out


def _title(variable: str, variables: Sequence[str], latex: bool = False) -> str:
    several = len(variables) > 1
    name = sp.latex(symbol(variable)) if latex else variable
    if latex:
        what = rf"$\frac{{\partial f}}{{\partial {name}}}$" if several else f"$f'({name})$"
    else:
        what = f"∂f/∂{name}" if several else f"f'({name})"
    if not several:
        return what
    others = [sp.latex(symbol(w)) if latex else w for w in variables if w != variable]
    held = _names([f"${w}$" if latex else w for w in others])
    return _("{derivative} ({names} held constant)").format(derivative=what, names=held)


def _answer(variable: str, several: bool, result: sp.Expr, latex: bool = False) -> str:
    if latex:
        name = sp.latex(symbol(variable))
        lhs = rf"\frac{{\partial f}}{{\partial {name}}}" if several else rf"f'({name})"
        return f"{lhs} = {sp.latex(result, ln_notation=True)}"
    lhs = f"∂f/∂{variable}" if several else f"f'({variable})"
    return f"{lhs} = {show(result)}"


def steps_text(f: sp.Expr, variables: Sequence[str]) -> str:
    """Every partial derivative explained rule by rule, as an indented list (``tutor derive --steps``)."""
    several = len(variables) > 1
    blocks = []
    for v in variables:
        rule = derive_steps(f, v)
        lines = [_("{title}:").format(title=_title(v, variables))]
        lines += ["  " * (depth + 1) + said.text() for _node, depth, said in _flatten(rule, several)]
        lines.append("  " + _answer(v, several, rule.result))
        blocks.append("\n".join(lines))
    heading = _("Step by step")
    return heading + "\n\n" + "\n\n".join(blocks)


def steps_json(f: sp.Expr, variables: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per variable, the derivation flattened in reading order: rule, expression, result, text, depth."""
    several = len(variables) > 1
    out: dict[str, list[dict[str, Any]]] = {}
    for v in variables:
        out[v] = [
            {
                "rule": node.key,
                "variable": node.variable.name,
                "expression": sp.sstr(node.expr),
                "result": sp.sstr(node.result),
                "text": said.text(),
                "depth": depth,
            }
            for node, depth, said in _flatten(derive_steps(f, v), several)
        ]
    return out


def steps_markdown(f: sp.Expr, variables: Sequence[str]) -> str:
    """The derivations as nested Markdown lists with LaTeX maths, for the export."""
    several = len(variables) > 1
    blocks = []
    for v in variables:
        rule = derive_steps(f, v)
        items = ["  " * depth + "- " + said.markdown() for _node, depth, said in _flatten(rule, several, latex=True)]
        title = _title(v, variables, latex=True)
        blocks.append("\n".join([title, "", *items, "", f"$$ {_answer(v, several, rule.result, latex=True)} $$"]))
    return "\n\n".join(blocks)


def hint_steps(f: sp.Expr, variable: str) -> list[str]:
    """One short step per hint, outermost rule first; the last hint is the derivative itself."""
    x = symbol(variable)
    partial = bool(f.free_symbols - {x})
    rule = derive_steps(f, x)
    return [said.text() for _node, _depth, said in _flatten(rule, partial)]
