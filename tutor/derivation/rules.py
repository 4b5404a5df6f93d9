"""Derivatives as data: each differentiation rule is a small record, and :func:`derive_steps` builds the tree.

In the shape of sympy's ``integrals/manualintegrate.py``: each rule is a
frozen dataclass whose docstring is the mathematics it applies, holding the
expression it differentiates, the variable, and its sub-derivations.
``rule.compute()`` gives the derivative; for every node of the tree,
``rule.compute() == diff(rule.expr, rule.variable)``.

A chain rule differentiates the outer function with respect to a fresh
symbol ``u`` (its own small derivation, d/du), then puts ``u = g(x)`` back
and multiplies by ``g'(x)``.  For a partial derivative, a term without the
variable is a :class:`ConstantRule` that names the variables held constant.
Nothing here writes text: :mod:`tutor.derivation.render` does, in both languages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.mathinput import symbol


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


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """d/dx (c·f) = c·f', where c does not depend on x."""

    constant: sp.Expr = sp.S.One
    other: sp.Expr = sp.S.One
    substep: Rule = field(kw_only=True)
    key: ClassVar[str] = "constant_multiple"

    def combine(self, other_d: sp.Expr) -> sp.Expr:
        return self.constant * other_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.substep,)


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
    left_step: Rule = field(kw_only=True)
    right_step: Rule = field(kw_only=True)
    key: ClassVar[str] = "product"

    def combine(self, left_d: sp.Expr, right_d: sp.Expr) -> sp.Expr:
        return left_d * self.right + self.left * right_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.left_step, self.right_step)


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx (f/g) = (f'·g − f·g')/g²; undefined where g = 0."""

    numerator: sp.Expr = sp.S.One
    denominator: sp.Expr = sp.S.One
    numerator_step: Rule = field(kw_only=True)
    denominator_step: Rule = field(kw_only=True)
    key: ClassVar[str] = "quotient"

    def combine(self, numerator_d: sp.Expr, denominator_d: sp.Expr) -> sp.Expr:
        f, g = self.numerator, self.denominator
        return (numerator_d * g - f * denominator_d) / g**2

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.numerator_step, self.denominator_step)


@dataclass(frozen=True)
class ChainRule(Rule):
    """d/dx f(g(x)) = f'(u)·g'(x) with u = g(x): the outer derivative at the inside, times the inside's derivative."""

    u: sp.Symbol = sp.Symbol("u")
    inner: sp.Expr = sp.S.Zero
    outer_step: Rule = field(kw_only=True)  # d/du f(u)
    inner_step: Rule = field(kw_only=True)  # d/dx g(x)
    key: ClassVar[str] = "chain"

    def combine(self, outer_d: sp.Expr, inner_d: sp.Expr) -> sp.Expr:
        return outer_d.xreplace({self.u: self.inner}) * inner_d

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.outer_step, self.inner_step)


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
    base_step: Rule = field(kw_only=True)
    exponent_step: Rule = field(kw_only=True)
    key: ClassVar[str] = "general_power"

    def combine(self, base_d: sp.Expr, exponent_d: sp.Expr) -> sp.Expr:
        f, g = self.base, self.exponent
        return f**g * (exponent_d * sp.log(f) + g * base_d / f)

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.base_step, self.exponent_step)


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
    raise DerivationError(_("there is no differentiation rule here for {f}").format(f=sp.sstr(f)))


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
