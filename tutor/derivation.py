"""Derivatives explained rule by rule, as data.

:func:`derive_steps` turns ``d/dx f`` into a tree of small rule records, in
the shape of sympy's ``integrals/manualintegrate.py``: each rule is a frozen
dataclass whose docstring is the mathematics it applies, holding the
expression it differentiates, the variable, and its sub-derivations.
``rule.compute()`` gives the derivative; for every node of the tree,
``rule.compute() == diff(rule.expr, rule.variable)``.

A chain rule differentiates the outer function with respect to a fresh
symbol ``u`` (its own small derivation, d/du), then puts ``u = g(x)`` back
and multiplies by ``g'(x)``.  For a partial derivative, a term without the
variable is a :class:`ConstantRule` that names the variables held constant.

Computing stops at the rules; the renderers below the line (plain text for
``tutor derive --steps``, JSON, Markdown with LaTeX for the export, and one
hint per step for the tutor) only read the tree.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from tutor.errors import TutorError
from tutor.mathinput import symbol
from tutor.text import Text, both, tr


class DerivationError(TutorError):
    """An expression this module has no differentiation rule for."""


# --- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule(ABC):
    """One step of a derivation: d/d(variable) of expr."""

    expr: sp.Expr
    variable: sp.Symbol

    #: A short machine name, used in JSON ("power", "chain", ...).
    key: ClassVar[str] = ""

    @abstractmethod
    def combine(self, *parts: sp.Expr) -> sp.Expr:
        """This rule's derivative, given the derivatives of its substeps (in order)."""

    def compute(self) -> sp.Expr:
        """The derivative of ``expr`` with respect to ``variable``."""
        return self.combine(*(sub.result for sub in self.substeps))

    @property
    def substeps(self) -> tuple[Rule, ...]:
        """The sub-derivations this rule needs, in reading order."""
        return ()

    @cached_property
    def result(self) -> sp.Expr:
        """The exact derivative (``compute()``, computed once per node)."""
        return self.compute()

    def walk(self, depth: int = 0) -> Iterator[tuple[Rule, int]]:
        """Every rule of the tree in reading order, with its depth."""
        yield self, depth
        for sub in self.substeps:
            yield from sub.walk(depth + 1)


@dataclass(frozen=True)
class ConstantRule(Rule):
    """d/dx c = 0, where c does not depend on x (other variables are held constant)."""

    key: ClassVar[str] = "constant"

    def combine(self) -> sp.Expr:
        return sp.S.Zero

    @property
    def held(self) -> tuple[str, ...]:
        """The other variables in c: constant while we differentiate with respect to x."""
        return tuple(sorted(s.name for s in self.expr.free_symbols if s != self.variable))


@dataclass(frozen=True)
class VariableRule(Rule):
    """d/dx x = 1."""

    key: ClassVar[str] = "variable"

    def combine(self) -> sp.Expr:
        return sp.S.One


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx (f + g + ...) = f' + g' + ...: differentiate term by term."""

    terms: tuple[Rule, ...] = ()
    key: ClassVar[str] = "sum"

    def combine(self, *parts: sp.Expr) -> sp.Expr:
        return sp.Add(*parts)

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return self.terms


def _built(*steps: Rule | None) -> tuple[Rule, ...]:
    """A rule's substeps (the builder fills every one in; a field defaults to None only for the dataclass)."""
    return tuple(step for step in steps if step is not None)


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """d/dx (c·f) = c·f', where c does not depend on x."""

    constant: sp.Expr = sp.S.One
    other: sp.Expr = sp.S.One
    substep: Rule | None = None
    key: ClassVar[str] = "constant_multiple"

    def combine(self, other_d: sp.Expr) -> sp.Expr:
        return self.constant * other_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return _built(self.substep)


@dataclass(frozen=True)
class PowerRule(Rule):
    """d/dx xⁿ = n·xⁿ⁻¹, where n does not depend on x: bring the exponent down, lower it by one."""

    exponent: sp.Expr = sp.S.One
    key: ClassVar[str] = "power"

    def combine(self) -> sp.Expr:
        return self.exponent * self.variable ** (self.exponent - 1)


@dataclass(frozen=True)
class SqrtRule(Rule):
    """d/dx √x = 1/(2√x), the power rule with n = 1/2; no derivative at x = 0."""

    key: ClassVar[str] = "sqrt"

    def combine(self) -> sp.Expr:
        return 1 / (2 * sp.sqrt(self.variable))


@dataclass(frozen=True)
class ProductRule(Rule):
    """d/dx (f·g) = f'·g + f·g'."""

    left: sp.Expr = sp.S.One
    right: sp.Expr = sp.S.One
    left_step: Rule | None = None
    right_step: Rule | None = None
    key: ClassVar[str] = "product"

    def combine(self, left_d: sp.Expr, right_d: sp.Expr) -> sp.Expr:
        return left_d * self.right + self.left * right_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return _built(self.left_step, self.right_step)


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx (f/g) = (f'·g − f·g')/g²; undefined where g = 0."""

    numerator: sp.Expr = sp.S.One
    denominator: sp.Expr = sp.S.One
    numerator_step: Rule | None = None
    denominator_step: Rule | None = None
    key: ClassVar[str] = "quotient"

    def combine(self, numerator_d: sp.Expr, denominator_d: sp.Expr) -> sp.Expr:
        f, g = self.numerator, self.denominator
        return (numerator_d * g - f * denominator_d) / g**2

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return _built(self.numerator_step, self.denominator_step)


@dataclass(frozen=True)
class ChainRule(Rule):
    """d/dx f(g(x)) = f'(u)·g'(x) with u = g(x): the outer derivative at the inside, times the inside's derivative."""

    u: sp.Symbol = sp.Symbol("u")
    inner: sp.Expr = sp.S.Zero
    outer_step: Rule | None = None  # d/du f(u)
    inner_step: Rule | None = None  # d/dx g(x)
    key: ClassVar[str] = "chain"

    def combine(self, outer_d: sp.Expr, inner_d: sp.Expr) -> sp.Expr:
        return outer_d.xreplace({self.u: self.inner}) * inner_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return _built(self.outer_step, self.inner_step)


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """d/dx aˣ = aˣ·ln a, where the base a does not depend on x."""

    base: sp.Expr = sp.E
    key: ClassVar[str] = "exponential"

    def combine(self) -> sp.Expr:
        return self.base**self.variable * sp.log(self.base)


@dataclass(frozen=True)
class GeneralPowerRule(Rule):
    """d/dx f^g = f^g·(g'·ln f + g·f'/f), by logarithmic differentiation (both parts depend on x)."""

    base: sp.Expr = sp.S.One
    exponent: sp.Expr = sp.S.One
    base_step: Rule | None = None
    exponent_step: Rule | None = None
    key: ClassVar[str] = "general_power"

    def combine(self, base_d: sp.Expr, exponent_d: sp.Expr) -> sp.Expr:
        f, g = self.base, self.exponent
        return f**g * (exponent_d * sp.log(f) + g * base_d / f)

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return _built(self.base_step, self.exponent_step)


# The elementary functions.  Each is applied to the variable itself; a
# function of anything else goes through ChainRule with u = the argument.


@dataclass(frozen=True)
class ExpRule(Rule):
    """d/dx eˣ = eˣ."""

    key: ClassVar[str] = "exp"

    def combine(self) -> sp.Expr:
        return sp.exp(self.variable)


@dataclass(frozen=True)
class LogRule(Rule):
    """d/dx ln x = 1/x, for x > 0."""

    key: ClassVar[str] = "log"

    def combine(self) -> sp.Expr:
        return 1 / self.variable


@dataclass(frozen=True)
class SinRule(Rule):
    """d/dx sin x = cos x."""

    key: ClassVar[str] = "sin"

    def combine(self) -> sp.Expr:
        return sp.cos(self.variable)


@dataclass(frozen=True)
class CosRule(Rule):
    """d/dx cos x = −sin x."""

    key: ClassVar[str] = "cos"

    def combine(self) -> sp.Expr:
        return -sp.sin(self.variable)


@dataclass(frozen=True)
class TanRule(Rule):
    """d/dx tan x = sec² x = 1 + tan² x."""

    key: ClassVar[str] = "tan"

    def combine(self) -> sp.Expr:
        return 1 + sp.tan(self.variable) ** 2


@dataclass(frozen=True)
class CotRule(Rule):
    """d/dx cot x = −csc² x = −1 − cot² x."""

    key: ClassVar[str] = "cot"

    def combine(self) -> sp.Expr:
        return -1 - sp.cot(self.variable) ** 2


@dataclass(frozen=True)
class SecRule(Rule):
    """d/dx sec x = sec x·tan x."""

    key: ClassVar[str] = "sec"

    def combine(self) -> sp.Expr:
        return sp.sec(self.variable) * sp.tan(self.variable)


@dataclass(frozen=True)
class CscRule(Rule):
    """d/dx csc x = −csc x·cot x."""

    key: ClassVar[str] = "csc"

    def combine(self) -> sp.Expr:
        return -sp.csc(self.variable) * sp.cot(self.variable)


@dataclass(frozen=True)
class AsinRule(Rule):
    """d/dx arcsin x = 1/√(1 − x²), for −1 < x < 1."""

    key: ClassVar[str] = "asin"

    def combine(self) -> sp.Expr:
        return 1 / sp.sqrt(1 - self.variable**2)


@dataclass(frozen=True)
class AcosRule(Rule):
    """d/dx arccos x = −1/√(1 − x²), for −1 < x < 1."""

    key: ClassVar[str] = "acos"

    def combine(self) -> sp.Expr:
        return -1 / sp.sqrt(1 - self.variable**2)


@dataclass(frozen=True)
class AtanRule(Rule):
    """d/dx arctan x = 1/(1 + x²)."""

    key: ClassVar[str] = "atan"

    def combine(self) -> sp.Expr:
        return 1 / (1 + self.variable**2)


@dataclass(frozen=True)
class AcotRule(Rule):
    """d/dx arccot x = −1/(1 + x²)."""

    key: ClassVar[str] = "acot"

    def combine(self) -> sp.Expr:
        return -1 / (1 + self.variable**2)


@dataclass(frozen=True)
class SinhRule(Rule):
    """d/dx sinh x = cosh x."""

    key: ClassVar[str] = "sinh"

    def combine(self) -> sp.Expr:
        return sp.cosh(self.variable)


@dataclass(frozen=True)
class CoshRule(Rule):
    """d/dx cosh x = sinh x."""

    key: ClassVar[str] = "cosh"

    def combine(self) -> sp.Expr:
        return sp.sinh(self.variable)


@dataclass(frozen=True)
class TanhRule(Rule):
    """d/dx tanh x = 1 − tanh² x."""

    key: ClassVar[str] = "tanh"

    def combine(self) -> sp.Expr:
        return 1 - sp.tanh(self.variable) ** 2


@dataclass(frozen=True)
class CothRule(Rule):
    """d/dx coth x = 1 − coth² x, for x ≠ 0."""

    key: ClassVar[str] = "coth"

    def combine(self) -> sp.Expr:
        return 1 - sp.coth(self.variable) ** 2


@dataclass(frozen=True)
class AsinhRule(Rule):
    """d/dx arsinh x = 1/√(x² + 1)."""

    key: ClassVar[str] = "asinh"

    def combine(self) -> sp.Expr:
        return 1 / sp.sqrt(self.variable**2 + 1)


@dataclass(frozen=True)
class AcoshRule(Rule):
    """d/dx arcosh x = 1/(√(x − 1)·√(x + 1)), for x > 1."""

    key: ClassVar[str] = "acosh"

    def combine(self) -> sp.Expr:
        return 1 / (sp.sqrt(self.variable - 1) * sp.sqrt(self.variable + 1))


@dataclass(frozen=True)
class AtanhRule(Rule):
    """d/dx artanh x = 1/(1 − x²), for −1 < x < 1."""

    key: ClassVar[str] = "atanh"

    def combine(self) -> sp.Expr:
        return 1 / (1 - self.variable**2)


@dataclass(frozen=True)
class AbsRule(Rule):
    """d/dx |x| = sign(x) for x ≠ 0; at x = 0 there is a kink and no derivative (0 is a subgradient)."""

    key: ClassVar[str] = "abs"

    def combine(self) -> sp.Expr:
        return sp.sign(self.variable)


@dataclass(frozen=True)
class SignRule(Rule):
    """d/dx sign(x) = 0 for x ≠ 0; at x = 0 sign jumps and has no derivative."""

    key: ClassVar[str] = "sign"

    def combine(self) -> sp.Expr:
        return sp.S.Zero


#: The rule for each elementary function of one argument.
FUNCTION_RULES: dict[type, type[Rule]] = {
    sp.exp: ExpRule,
    sp.log: LogRule,
    sp.sin: SinRule,
    sp.cos: CosRule,
    sp.tan: TanRule,
    sp.cot: CotRule,
    sp.sec: SecRule,
    sp.csc: CscRule,
    sp.asin: AsinRule,
    sp.acos: AcosRule,
    sp.atan: AtanRule,
    sp.acot: AcotRule,
    sp.sinh: SinhRule,
    sp.cosh: CoshRule,
    sp.tanh: TanhRule,
    sp.coth: CothRule,
    sp.asinh: AsinhRule,
    sp.acosh: AcoshRule,
    sp.atanh: AtanhRule,
    sp.Abs: AbsRule,
    sp.sign: SignRule,
}


# --- building the tree ------------------------------------------------------------------------

_U_NAMES = ("u", "v", "w", "s", "t", "p", "q")


def _fresh_u(taken: set[str]) -> sp.Symbol:
    """A name for the chain rule's inside, not already used in f or an enclosing chain."""
    for name in _U_NAMES:
        if name not in taken:
            return symbol(name)
    n = 1
    while f"u{n}" in taken:
        n += 1
    return symbol(f"u{n}")


def derive_steps(f: sp.Expr, variable: str | sp.Symbol) -> Rule:
    """The derivation of ∂f/∂variable as a tree of rules (other variables held constant)."""
    x = symbol(variable) if isinstance(variable, str) else variable
    if isinstance(f, int) and not isinstance(f, bool):
        f = sp.Integer(f)
    if not isinstance(f, sp.Basic):
        raise TypeError("derive_steps takes a sympy expression (parse text with tutor.mathinput first)")
    taken = {s.name for s in f.free_symbols} | {x.name}
    return _derive(f, x, taken)


def _derive(f: sp.Expr, x: sp.Symbol, taken: set[str]) -> Rule:
    if not f.has(x):
        return ConstantRule(f, x)
    if f == x:
        return VariableRule(f, x)
    if f.is_Add:
        return SumRule(f, x, tuple(_derive(term, x, taken) for term in f.as_ordered_terms()))
    if f.is_Mul:
        return _derive_product(f, x, taken)
    if f.is_Pow:
        return _derive_power(f, x, taken)
    rule = FUNCTION_RULES.get(f.func)
    if rule is not None and len(f.args) == 1:
        return _apply(f, x, taken, lambda u: rule(f.func(u), u), f.args[0])
    raise DerivationError(f"there is no differentiation rule here for {sp.sstr(f)}")


def _apply(f: sp.Expr, x: sp.Symbol, taken: set[str], outer: Callable[[sp.Symbol], Rule], inner: sp.Expr) -> Rule:
    """The rule itself when the inside is x, else the chain rule with u = inside."""
    if inner == x:
        return outer(x)
    u = _fresh_u(taken)
    taken = taken | {u.name}
    return ChainRule(f, x, u=u, inner=inner, outer_step=outer(u), inner_step=_derive(inner, x, taken))


def _derive_product(f: sp.Expr, x: sp.Symbol, taken: set[str]) -> Rule:
    constant, rest = f.as_independent(x, as_Add=False)
    if constant != 1:
        return ConstantMultipleRule(f, x, constant=constant, other=rest, substep=_derive(rest, x, taken))
    factors = sp.Mul.make_args(rest)
    over = [b for b in factors if b.is_Pow and b.exp.is_number and b.exp.is_negative]
    top = [b for b in factors if b not in over]
    if over and top:
        numerator = sp.Mul(*top)
        denominator = sp.Mul(*(b.base ** (-b.exp) for b in over))
        return QuotientRule(
            f,
            x,
            numerator=numerator,
            denominator=denominator,
            numerator_step=_derive(numerator, x, taken),
            denominator_step=_derive(denominator, x, taken),
        )
    left, right = factors[0], sp.Mul(*factors[1:])
    return ProductRule(
        f, x, left=left, right=right, left_step=_derive(left, x, taken), right_step=_derive(right, x, taken)
    )


def _derive_power(f: sp.Expr, x: sp.Symbol, taken: set[str]) -> Rule:
    base, exponent = f.args
    if not exponent.has(x):
        if exponent == sp.S.Half:
            return _apply(f, x, taken, lambda u: SqrtRule(sp.sqrt(u), u), base)
        return _apply(f, x, taken, lambda u: PowerRule(u**exponent, u, exponent=exponent), base)
    if not base.has(x):
        if base == sp.E:
            return _apply(f, x, taken, lambda u: ExpRule(sp.exp(u), u), exponent)
        return _apply(f, x, taken, lambda u: ExponentialRule(base**u, u, base=base), exponent)
    return GeneralPowerRule(
        f, x, base=base, exponent=exponent, base_step=_derive(base, x, taken), exponent_step=_derive(exponent, x, taken)
    )


# --- how maths reads in one line ---------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class _LinePrinter(StrPrinter):
    """sympy's str printer with the notation people type: x², 5x, ln(x), e^x, π.

    Everything it writes is accepted back by :mod:`tutor.mathinput`, so a
    learner can copy any line into an answer.
    """

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

#: Each rule's name in both languages.
RULE_NAMES: dict[type[Rule], Text] = {
    ConstantRule: both("constant rule", "常数法则"),
    VariableRule: both("variable rule", "自变量法则"),
    SumRule: both("sum rule", "加法法则"),
    ConstantMultipleRule: both("constant multiple rule", "常数倍法则"),
    PowerRule: both("power rule", "幂法则"),
    SqrtRule: both("square root rule", "平方根法则"),
    ProductRule: both("product rule", "乘积法则"),
    QuotientRule: both("quotient rule", "商法则"),
    ChainRule: both("chain rule", "链式法则"),
    ExponentialRule: both("exponential rule", "指数函数法则"),
    GeneralPowerRule: both("logarithmic differentiation", "对数求导法"),
    ExpRule: both("exponential rule", "指数函数法则"),
    LogRule: both("logarithm rule", "对数法则"),
    SinRule: both("sine rule", "正弦法则"),
    CosRule: both("cosine rule", "余弦法则"),
    TanRule: both("tangent rule", "正切法则"),
    CotRule: both("cotangent rule", "余切法则"),
    SecRule: both("secant rule", "正割法则"),
    CscRule: both("cosecant rule", "余割法则"),
    AsinRule: both("arcsine rule", "反正弦法则"),
    AcosRule: both("arccosine rule", "反余弦法则"),
    AtanRule: both("arctangent rule", "反正切法则"),
    AcotRule: both("arccotangent rule", "反余切法则"),
    SinhRule: both("hyperbolic sine rule", "双曲正弦法则"),
    CoshRule: both("hyperbolic cosine rule", "双曲余弦法则"),
    TanhRule: both("hyperbolic tangent rule", "双曲正切法则"),
    CothRule: both("hyperbolic cotangent rule", "双曲余切法则"),
    AsinhRule: both("inverse hyperbolic sine rule", "反双曲正弦法则"),
    AcoshRule: both("inverse hyperbolic cosine rule", "反双曲余弦法则"),
    AtanhRule: both("inverse hyperbolic tangent rule", "反双曲正切法则"),
    AbsRule: both("absolute value rule", "绝对值法则"),
    SignRule: both("sign rule", "符号函数法则"),
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

    def text(self, lang: str) -> str:
        head = self.name
        if self.setup:
            head += f"（令 {self.setup}）" if lang == "zh" else f" (put {self.setup})"
        line = f"{head}：{self.maths}" if lang == "zh" else f"{head}: {self.maths}"
        if self.note:
            line += f"（{self.note}）" if lang == "zh" else f" ({self.note})"
        return line

    def markdown(self, lang: str) -> str:
        head = f"**{self.name}**"
        if self.setup:
            head += f"（令 ${self.setup}$）" if lang == "zh" else f" (put ${self.setup}$)"
        line = f"{head}：${self.maths}$" if lang == "zh" else f"{head}: ${self.maths}$"
        if self.note:
            line += f"（{self.note}）" if lang == "zh" else f" ({self.note})"
        return line


def _names(names: Sequence[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(names)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _say(rule: Rule, n: _Notation, lang: str) -> _Said:
    """Which rule applies, and what it gives, for one node of the tree."""
    name = tr(RULE_NAMES[type(rule)], lang)
    x, show_, r = rule.variable, n.expr, rule.result
    lhs = n.of(x, rule.expr)
    done = f"{lhs} = {show_(r)}"
    if isinstance(rule, ConstantRule):
        held = rule.held
        if held:
            who = _names([n.maths(show_(symbol(v))) for v in held], lang)
            if lang == "zh":
                note = f"对 {n.maths(show_(x))} 求偏导时，{who} 视为常数"
            else:
                note = f"{who} {'is' if len(held) == 1 else 'are'} held constant"
        else:
            note = (
                f"常数不随 {n.maths(show_(x))} 变化"
                if lang == "zh"
                else f"a constant does not change with {n.maths(show_(x))}"
            )
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
        assert rule.left_step is not None and rule.right_step is not None  # built with the rule
        f, g = n.wrap(rule.left), n.wrap(rule.right)
        df, dg = n.wrap(rule.left_step.result), n.wrap(rule.right_step.result)
        return _Said(name, f"{lhs} = {df}{n.times}{g} + {f}{n.times}{dg} = {show_(r)}")
    if isinstance(rule, QuotientRule):
        assert rule.numerator_step is not None and rule.denominator_step is not None  # built with the rule
        f, g = n.wrap(rule.numerator), n.wrap(rule.denominator)
        df, dg = n.wrap(rule.numerator_step.result), n.wrap(rule.denominator_step.result)
        square = show_(sp.Pow(rule.denominator, 2))
        if n.latex:
            step = rf"\frac{{{df} {g} - {f} {dg}}}{{{square}}}"
        else:
            step = f"({df}·{g} − {f}·{dg})/{square}"
        return _Said(name, f"{lhs} = {step} = {show_(r)}")
    if isinstance(rule, ChainRule):
        assert rule.outer_step is not None and rule.inner_step is not None  # built with the rule
        outer_at_inner = n.wrap(rule.outer_step.result.xreplace({rule.u: rule.inner}))
        inner = n.wrap(rule.inner_step.result)
        d_outer = n.ordinary().of(rule.u, rule.outer_step.expr)
        d_inner = n.of(x, rule.inner)
        setup = f"{show_(rule.u)} = {show_(rule.inner)}"
        maths = f"{lhs} = {d_outer}{n.spaced_times}{d_inner} = {outer_at_inner}{n.times}{inner} = {show_(r)}"
        return _Said(name, maths, setup=setup)
    if isinstance(rule, GeneralPowerRule):
        assert rule.base_step is not None and rule.exponent_step is not None  # built with the rule
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
        note = f"在 {where} 处不可导" if lang == "zh" else f"not differentiable at {where}"
        if isinstance(rule, AbsRule):
            note += "：那里是尖点" if lang == "zh" else ": a kink"
    return _Said(name, done, note=note)


def _flatten(rule: Rule, partial: bool, lang: str, latex: bool = False) -> list[tuple[Rule, int, _Said]]:
    """(rule, depth, what it says) in reading order; a chain's outer step reads d/du."""
    out: list[tuple[Rule, int, _Said]] = []

    def visit(node: Rule, depth: int, notation: _Notation) -> None:
        out.append((node, depth, _say(node, notation, lang)))
        if isinstance(node, ChainRule):
            assert node.outer_step is not None and node.inner_step is not None  # built with the rule
            visit(node.outer_step, depth + 1, notation.ordinary())
            visit(node.inner_step, depth + 1, notation)
        else:
            for sub in node.substeps:
                visit(sub, depth + 1, notation)

    visit(rule, 0, _Notation(partial, latex))
    return out


def _title(variable: str, variables: Sequence[str], lang: str, latex: bool = False) -> str:
    several = len(variables) > 1
    name = sp.latex(symbol(variable)) if latex else variable
    if latex:
        what = rf"$\frac{{\partial f}}{{\partial {name}}}$" if several else f"$f'({name})$"
    else:
        what = f"∂f/∂{name}" if several else f"f'({name})"
    if not several:
        return what
    others = [sp.latex(symbol(w)) if latex else w for w in variables if w != variable]
    held = _names([f"${w}$" if latex else w for w in others], lang)
    return f"{what}（{held} 视为常数）" if lang == "zh" else f"{what} ({held} held constant)"


def _answer(variable: str, several: bool, result: sp.Expr, latex: bool = False) -> str:
    if latex:
        name = sp.latex(symbol(variable))
        lhs = rf"\frac{{\partial f}}{{\partial {name}}}" if several else rf"f'({name})"
        return f"{lhs} = {sp.latex(result, ln_notation=True)}"
    lhs = f"∂f/∂{variable}" if several else f"f'({variable})"
    return f"{lhs} = {show(result)}"


def steps_text(f: sp.Expr, variables: Sequence[str], lang: str = "en") -> str:
    """Every partial derivative explained rule by rule, as an indented list (``tutor derive --steps``)."""
    several = len(variables) > 1
    blocks = []
    for v in variables:
        rule = derive_steps(f, v)
        lines = [_title(v, variables, lang) + ("：" if lang == "zh" else ":")]
        lines += ["  " * (depth + 1) + said.text(lang) for _, depth, said in _flatten(rule, several, lang)]
        lines.append("  " + _answer(v, several, rule.result))
        blocks.append("\n".join(lines))
    heading = "逐步求导" if lang == "zh" else "Step by step"
    return heading + "\n\n" + "\n\n".join(blocks)


def steps_json(f: sp.Expr, variables: Sequence[str], lang: str = "en") -> dict[str, list[dict[str, Any]]]:
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
                "text": said.text(lang),
                "depth": depth,
            }
            for node, depth, said in _flatten(derive_steps(f, v), several, lang)
        ]
    return out


def steps_markdown(f: sp.Expr, variables: Sequence[str], lang: str = "en") -> str:
    """The derivations as nested Markdown lists with LaTeX maths, for the export."""
    several = len(variables) > 1
    blocks = []
    for v in variables:
        rule = derive_steps(f, v)
        items = [
            "  " * depth + "- " + said.markdown(lang) for _, depth, said in _flatten(rule, several, lang, latex=True)
        ]
        title = _title(v, variables, lang, latex=True)
        blocks.append("\n".join([title, "", *items, "", f"$$ {_answer(v, several, rule.result, latex=True)} $$"]))
    return "\n\n".join(blocks)


def hint_steps(f: sp.Expr, variable: str, lang: str | None = "en") -> list[Text]:
    """One short step per hint, outermost rule first; the last hint is the derivative itself.

    With ``lang=None`` each hint is a ``{"en", "zh"}`` mapping, so the tutor can switch language later.
    """
    x = symbol(variable)
    partial = bool(f.free_symbols - {x})
    rule = derive_steps(f, x)

    def hints_in(code: str) -> list[str]:
        return [said.text(code) for _, _, said in _flatten(rule, partial, code)]

    if lang is not None:
        return list(hints_in(lang))
    return [both(en, zh) for en, zh in zip(hints_in("en"), hints_in("zh"))]


__all__ = [
    "FUNCTION_RULES",
    "RULE_NAMES",
    "AbsRule",
    "AcosRule",
    "AcoshRule",
    "AcotRule",
    "AsinRule",
    "AsinhRule",
    "AtanRule",
    "AtanhRule",
    "ChainRule",
    "ConstantMultipleRule",
    "ConstantRule",
    "CosRule",
    "CoshRule",
    "CotRule",
    "CothRule",
    "CscRule",
    "DerivationError",
    "ExpRule",
    "ExponentialRule",
    "GeneralPowerRule",
    "LogRule",
    "PowerRule",
    "ProductRule",
    "QuotientRule",
    "Rule",
    "SecRule",
    "SignRule",
    "SinRule",
    "SinhRule",
    "SqrtRule",
    "SumRule",
    "TanRule",
    "TanhRule",
    "VariableRule",
    "derive_steps",
    "hint_steps",
    "show",
    "steps_json",
    "steps_markdown",
    "steps_text",
]
