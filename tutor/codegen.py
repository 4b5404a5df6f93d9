"""Generate the whole float-mode descent loop as Python source, from the expression tree.

Why: calling a lambdified gradient once per step and wrapping every step in
objects costs several times the loop a person would write by hand.  So, like
``sympy.lambdify`` itself, we print the (already parsed, allow-listed) tree
with sympy's Python code printer and compile one function whose body is the
update with the gradient written out, the checks inlined, and each step
appended to a list as a bare tuple.

Safety: the source is produced by sympy's printer from a sympy expression that
came through :mod:`tutor.mathinput` (names are only declared variables and
allow-listed functions); no text a person typed is ever part of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from tutor.calculus import gradient as engine_gradient
from tutor.mathinput import symbol


class _LoopPrinter(PythonCodePrinter):
    """Python source for float arithmetic: a square or cube of a name is written as products.

    ``p*p`` is a single multiplication where ``p**2`` is a call to C's pow();
    in the loop that is a sixth of a step.  Both are correctly rounded for a
    square; past the largest float a product gives inf (the loop's finiteness
    check stops the run as diverged) where pow raises OverflowError (the
    caller stops it as diverged too).
    """

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if base.is_Symbol and exponent in (2, 3):
            name = self._print(base)
            return "(" + "*".join([name] * int(exponent)) + ")"
        return super()._print_Pow(expr, rational=rational)


def _source(f: sp.Expr, variables: Sequence[str]) -> str:
    n = len(variables)
    syms = [symbol(v) for v in variables]
    grad = list(engine_gradient(f, variables))  # the engine's gradient (sign' is 0, not sympy's DiracDelta)
    temps = sp.numbered_symbols("t")
    replacements, (value, *gradient) = sp.cse([f, *grad], symbols=temps)
    printer = _LoopPrinter({"standard": "python3", "fully_qualified_modules": True})
    rename = {s: sp.Symbol(f"p{i}") for i, s in enumerate(syms)}

    def code(expr: sp.Expr) -> str:
        return printer.doprint(expr.xreplace(rename))

    p = [f"p{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    sg = [f"n{i}" for i in range(n)]
    prev = [f"s{i}" for i in range(n)]
    lines = [
        f"def loop({', '.join(p)}, lr, steps, tol, sign_stop, limit, out):",
        "    isfinite = math.isfinite",
        "    append = out.append",
        f"    {' = '.join(prev)} = 0",
        "    k = 0",
        "    while True:",
    ]
    body = [f"{t} = {code(e)}" for t, e in replacements]
    body.append(f"f = {code(value)}")
    body += [f"{gi} = {code(e)}" for gi, e in zip(g, gradient)]
    body += [f"{si} = ({gi} > 0) - ({gi} < 0)" for si, gi in zip(sg, g)]
    changed = " or ".join(f"{a} * {b} < 0" for a, b in zip(prev, sg))
    body += [
        f"changed = {changed}",
        f"append(({', '.join(p)}, f, {', '.join(g)}, changed))",
        f"if not (isfinite(f) and {' and '.join(f'isfinite({v})' for v in p + g)}):",
        "    return 'diverged', k",
        f"if {' or '.join(f'abs({v}) > limit' for v in p)}:",
        "    return 'escaped', k",
        f"if {' and '.join(f'{v} == 0' for v in g)}:",
        "    return 'zero_gradient', k",
        "if sign_stop and changed:",
        "    return 'sign_change', k",
        f"if tol is not None and {' and '.join(f'abs({v}) <= tol' for v in g)}:",
        "    return 'tolerance', k",
        "if k >= steps:",
        "    return 'max_steps', k",
    ]
    body += [f"{pi} = {pi} - lr * {gi}" for pi, gi in zip(p, g)]
    body += [f"{', '.join(prev)} = {', '.join(sg)}" if n > 1 else f"{prev[0]} = {sg[0]}", "k += 1"]
    lines += ["        " + line for line in body]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=64)
def descent_loop(f: sp.Expr, variables: tuple[str, ...]) -> Callable[..., tuple[str, int]]:
    """A compiled plain-gradient-descent loop for f (cached per expression).

    ``loop(*start, lr, steps, tol, sign_stop, limit, out)`` appends
    ``(*point, f, *gradient, sign_changed)`` per step to ``out`` and returns
    ``(reason, k)``.  Errors (overflow, a zero division, a complex power)
    propagate for the caller to explain.
    """
    if not isinstance(f, sp.Expr) or not {s.name for s in f.free_symbols} <= set(variables):
        raise TypeError("descent_loop takes a parsed sympy expression in its declared variables, never text")
    namespace: dict[str, Any] = {"math": math}
    exec(compile(_source(f, variables), "<descent loop>", "exec"), namespace)
    return namespace["loop"]
