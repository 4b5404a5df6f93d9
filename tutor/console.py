"""Command-line views of the engine: ``tutor derive`` and ``tutor descend``.

Each command first computes a plain report (exact sympy values in
dataclasses), then one of the renderers turns it into text for people or JSON
for programs.  The renderers do no mathematics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from tutor import calculus, descent
from tutor.mathtext import infer_variables, parse_assignments, parse_expression, parse_number, symbol


def resolve_variables(text: str, declared: str | None) -> tuple[str, ...]:
    if declared:
        names = tuple(v.strip() for v in declared.split(",") if v.strip())
        from tutor.mathtext import check_variable_name

        for name in names:
            check_variable_name(name)
        return names
    return infer_variables(text)


def point_in_order(assigned: dict[str, sp.Expr], variables: Sequence[str], option: str) -> dict[str, sp.Expr]:
    missing = [v for v in variables if v not in assigned]
    extra = [v for v in assigned if v not in variables]
    if extra:
        raise calculus.MathError(f"{option} names {', '.join(extra)}, which is not a variable of f ({', '.join(variables)})")
    if missing:
        raise calculus.MathError(f"{option} needs a value for {', '.join(missing)}")
    return {v: assigned[v] for v in variables}


# --- derive -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeriveReport:
    f: sp.Expr
    variables: tuple[str, ...]
    gradient: tuple[sp.Expr, ...]
    at: dict[str, sp.Expr] | None
    f_value: sp.Expr | None
    value: tuple[sp.Expr, ...] | None


def derive(text: str, variables: str | None = None, at: str | None = None) -> DeriveReport:
    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    grad = calculus.gradient(f, names)
    point = f_value = value = None
    if at:
        point = point_in_order(parse_assignments(at, names), names, "--at")
        f_value = calculus.evaluate(f, point, what="f")
        value = calculus.evaluate_vector(grad, point)
    return DeriveReport(f, names, grad, point, f_value, value)


def _pretty(expr: Any) -> str:
    return sp.pretty(expr, use_unicode=True)


def _eq(lhs: str, rhs: Any) -> str:
    return _pretty(sp.Eq(sp.Symbol(lhs), rhs, evaluate=False))


def _fname(variables: Sequence[str]) -> str:
    return f"f({', '.join(variables)})"


def derive_text(report: DeriveReport) -> str:
    v = report.variables
    lines = [_eq(_fname(v), report.f), ""]
    if len(v) == 1:
        lines.append(_eq(f"f'({v[0]})", report.gradient[0]))
    else:
        for name, g in zip(v, report.gradient):
            lines.append(_eq(f"∂f/∂{name}", g))
        lines += ["", _eq("∇f", sp.Tuple(*report.gradient))]
    if report.at is not None:
        where = ", ".join(f"{k} = {sp.sstr(val)}" for k, val in report.at.items())
        lines += ["", f"at {where}:", "  " + _eq("f", report.f_value)]
        if len(v) == 1:
            lines.append("  " + _eq(f"f'({sp.sstr(report.at[v[0]])})", report.value[0]))
        else:
            lines.append("  " + _eq("∇f", sp.Tuple(*report.value)))
    return "\n".join(lines)


def derive_json(report: DeriveReport) -> str:
    return json.dumps(
        {
            "variables": list(report.variables),
            "function": sp.sstr(report.f),
            "gradient": [sp.sstr(g) for g in report.gradient],
            "at": None if report.at is None else {k: sp.sstr(val) for k, val in report.at.items()},
            "f_value": None if report.f_value is None else sp.sstr(report.f_value),
            "value": None if report.value is None else [sp.sstr(x) for x in report.value],
        },
        ensure_ascii=False,
        indent=2,
    )


# --- descend ----------------------------------------------------------------------------


def descend(
    text: str,
    variables: str | None,
    start: str,
    lr: str,
    *,
    steps: int = 20,
    until: Sequence[str] = (),
    exact: bool = False,
    optimizer: str = "gd",
    beta: str | None = None,
) -> tuple[sp.Expr, descent.Run]:
    names = resolve_variables(text, variables)
    f = parse_expression(text, names)
    point = point_in_order(parse_assignments(start, names), names, "--from")
    rate = parse_number(lr)
    if not rate.is_positive:
        raise calculus.MathError(f"the learning rate must be a positive number, not {sp.sstr(rate)}")
    opt = descent.make_optimizer(optimizer, parse_number(beta) if beta is not None else None)
    words = [w for item in until for w in item.split(",")]
    run = descent.run(f, names, list(point.values()), rate, steps=steps, until=words, exact=exact, optimizer=opt)
    return f, run


def _number(value: Any, exact: bool) -> Any:
    if exact:
        return sp.sstr(value)
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def descend_json(run: descent.Run) -> str:
    exact = run.exact
    return json.dumps(
        {
            "variables": list(run.variables),
            "learning_rate": _number(run.learning_rate, exact),
            "exact": exact,
            "optimizer": run.optimizer,
            "steps": [
                {
                    "k": s.k,
                    "point": [_number(x, exact) for x in s.point],
                    "value": _number(s.value, exact),
                    "gradient": [_number(g, exact) for g in s.gradient],
                    "sign_change": list(s.sign_change),
                }
                for s in run.steps
            ],
            "stop": {"reason": run.stop.reason, "k": run.stop.k, "message": run.stop.message},
        },
        ensure_ascii=False,
        indent=2,
    )


def _cell(value: Any, exact: bool) -> str:
    if exact:
        return sp.sstr(value)
    return f"{float(value):.6g}"


def _sign(value: Any) -> str:
    return {1: "+", -1: "-", 0: "0"}[calculus._sign_any(value)]


def descend_table(f: sp.Expr, run: descent.Run) -> str:
    v = run.variables
    one = len(v) == 1
    header = ["k", *v, _fname(v)]
    header += [f"f'({v[0]})"] if one else [f"∂f/∂{name}" for name in v]
    header += ["sign", "sign change"]
    rows = []
    for s in run.steps:
        row = [str(s.k), *(_cell(x, run.exact) for x in s.point), _cell(s.value, run.exact)]
        row += [_cell(g, run.exact) for g in s.gradient]
        row += [" ".join(_sign(g) for g in s.gradient), ", ".join(s.sign_change) or ""]
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    lr = sp.sstr(run.learning_rate) if run.exact else f"{run.learning_rate:g}"
    mode = "exact" if run.exact else "float"
    lines = [_eq(_fname(v), f), f"learning rate η = {lr}, optimizer {run.optimizer}, {mode} mode", ""]
    lines += [fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows), ""]
    lines.append(f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}")
    return "\n".join(lines)


def descend_summary(run: descent.Run) -> str:
    final = run.final
    if final is None:
        return f"stopped at k = {run.stop.k} ({run.stop.reason}): {run.stop.message}"
    where = ", ".join(f"{name} = {_cell(x, run.exact)}" for name, x in zip(run.variables, final.point))
    return f"{where}; f = {_cell(final.value, run.exact)}; stop: {run.stop.reason} at k = {run.stop.k}"
