"""What a run of gradient descent does, decided soundly, and how sure the tutor is.

Every sentence the tutor says about a run (converges, bounces for ever,
diverges, f has no minimum, the safe learning rate) comes from here, with one
of two kinds of certainty:

- **exact**: f is a quadratic, so its Hessian H is constant and the gradient
  obeys g_{k+1} = (I - ηH) g_k for plain descent (a two-term recurrence for
  momentum and Nesterov).  Along each eigen-direction of H the iteration
  multiplies by a fixed factor, so the fate along it is a theorem, but only
  for directions the start actually excites: a start whose gradient has no
  component along a direction never moves along it.  Which eigenvalues are
  excited is found exactly, from the smallest polynomial p with p(H) g_0 = 0.
- **observed**: anything else (other functions, Adam, RMSProp).  The verdict
  is read off the run with a stated criterion ("within 1e-06 of zero by step
  12", "after 30 steps the iterates have not settled") and is said as such,
  never as a theorem; the stability bound 2/L is then local, at a minimum.

"f is unbounded below" is said only with a witness direction d for which
f(t·d) → -∞ is checked exactly (the polynomial t ↦ f(t·d) has a negative
leading coefficient), never from the axes alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from tutor import calculus
from tutor.i18n import N_, _, ngettext

#: What a run can do in the long run (or over the steps shown).
OUTCOMES = ("converge", "oscillate", "diverge")
#: Every fate of a direction and outcome of a run, marked so that their words are said in the learner's language.
FATE_WORDS = (
    N_("converge"),
    N_("oscillate"),
    N_("diverge"),
    N_("fall"),
    N_("drift"),
    N_("stationary"),
    N_("undecided"),
    N_("undefined"),
)
#: A stationary point's kind (calculus.StationaryPoint.kind, QuadraticVerdict.limit_kind), in words.
POINT_KINDS = {
    "minimum": N_("minimum"),
    "maximum": N_("maximum"),
    "saddle": N_("saddle"),
    "inconclusive": N_("inconclusive"),
}

#: Observed convergence: every |∂f/∂v| within this times max(1, |∇f(x₀)|) of zero.
CONVERGED = 1e-6
#: Observed trend: |∇f| falling (or growing) at least this many times over the run.
TREND = 100.0
#: A run of N steps shows a quadratic's verdict when |∇f| has at least halved (converge) or doubled (diverge).
VISIBLE = 2.0

_T = sp.Symbol("t", real=True)


# --- directions and names ------------------------------------------------------------------


def direction_words(direction: Sequence[Any], variables: Sequence[str]) -> str:
    """An axis by its variable's name ("y"), any other direction as a vector "(1, 1)"."""
    nonzero = [i for i, d in enumerate(direction) if d != 0]
    if len(nonzero) == 1:
        return ("" if direction[nonzero[0]] > 0 else "-") + variables[nonzero[0]]
    return "(" + ", ".join(_num(d) for d in direction) + ")"


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value + 0.0:.3g}"  # + 0.0: no "-0"
    value = sp.nsimplify(value) if isinstance(value, sp.Basic) and not value.is_Rational else value
    if isinstance(value, sp.Basic) and not value.is_Rational:
        return f"{float(value):.4g}"
    return sp.sstr(value)


def _written(expr: sp.Expr) -> str:
    """A polynomial as a learner writes it (−2t², not -2*t**2)."""
    from tutor.derivation import show

    return show(expr)


def _primitive(vector: Sequence[sp.Expr]) -> tuple[sp.Expr, ...]:
    """A rational vector scaled to coprime integers with its first non-zero entry positive."""
    values = [sp.Rational(v) for v in vector]
    den = math.lcm(*[int(v.q) for v in values]) if values else 1
    ints = [int(v * den) for v in values]
    g = math.gcd(*ints) or 1
    ints = [i // g for i in ints]
    first = next((i for i in ints if i), 1)
    return tuple(sp.Integer(i if first > 0 else -i) for i in ints)


# --- unbounded below ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    """f(t·d) → -∞ as t → ∞: a proof that f has no minimum, with the direction d."""

    direction: tuple[sp.Expr, ...]
    along: sp.Expr  # the polynomial f(t·d), whose leading coefficient is negative

    def words(self, variables: Sequence[str]) -> str:
        d = direction_words(self.direction, variables)
        if len(variables) == 1:
            sign = "+" if self.direction[0] > 0 else "-"
            return _("f({x}) → -∞ as {x} → {sign}∞").format(x=variables[0], sign=sign)
        return _("f falls without limit along the direction {d}: f(t·d) = {along} → −∞ as t → ∞").format(
            d=d, along=_written(self.along)
        )


def _polynomial(f: sp.Expr, variables: Sequence[str]) -> sp.Poly | None:
    syms = calculus.symbols_of(variables)
    if not f.is_polynomial(*syms):
        return None
    try:
        poly = sp.Poly(f, *syms)
    except (sp.PolynomialError, ValueError, TypeError):
        return None
    if not all(c.is_Rational for c in poly.coeffs()):
        return None
    return poly


def _along(poly: sp.Poly, direction: Sequence[sp.Expr]) -> dict[int, sp.Expr]:
    """The coefficients of t ↦ f(t·d), by degree (exact)."""
    coeffs: dict[int, sp.Expr] = {}
    for exps, c in poly.terms():
        term = c
        for d, e in zip(direction, exps):
            term *= d**e
        if term != 0:
            n = sum(exps)
            coeffs[n] = coeffs.get(n, 0) + term
    return {n: c for n, c in coeffs.items() if c != 0}


def _falls_along(poly: sp.Poly, direction: Sequence[sp.Expr]) -> Witness | None:
    coeffs = _along(poly, direction)
    top = max((n for n in coeffs if n > 0), default=0)
    if top == 0 or not coeffs[top] < 0:
        return None
    return Witness(tuple(direction), sp.expand(sum(c * _T**n for n, c in coeffs.items())))


def _candidates(n: int, poly: sp.Poly) -> list[tuple[sp.Expr, ...]]:
    """Small integer directions, then numerical minimisers of the leading form, rounded to rationals."""
    import itertools

    out: list[tuple[sp.Expr, ...]] = []
    if poly.total_degree() == 2:
        # A quadratic falls along an eigenvector of eigenvalue ≤ 0, if anywhere: those directions are
        # complete, so no search is needed (and a search over 3ⁿ directions does not scale with n).
        H = sp.hessian(poly.as_expr(), poly.gens)
        for value in _eigenvalues(H):
            if value.is_Rational and value <= 0:
                for v in (H - value * sp.eye(n)).nullspace():
                    d = _primitive(list(v))
                    out += [d, tuple(-x for x in d)]
        if all(value.is_Rational for value in _eigenvalues(H)):
            return out
    span = range(-2, 3) if n <= 3 else range(-1, 2)
    # every small direction in up to 4 variables; beyond that, those with at most two non-zero entries
    # (3ⁿ directions would take minutes at n = 10)
    for d in itertools.product(span, repeat=n) if n <= 4 else _sparse_directions(n):
        if any(d) and math.gcd(*d) == 1:
            out.append(tuple(sp.Integer(v) for v in d))
    out.sort(key=lambda d: (sum(1 for v in d if v != 0), max(abs(v) for v in d), sum(1 for v in d if v < 0)))
    if n >= 2:
        import numpy as np

        degree = poly.total_degree()
        lead = [(exps, float(c)) for exps, c in poly.terms() if sum(exps) == degree]
        rng = np.random.default_rng(13)
        dirs = rng.normal(size=(4000, n))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        values = sum(c * np.prod(dirs ** np.array(exps), axis=1) for exps, c in lead)
        for i in np.argsort(values)[:8]:
            out.append(tuple(sp.Rational(Fraction(float(v)).limit_denominator(64)) for v in dirs[i]))
    return out


def _sparse_directions(n: int) -> list[tuple[int, ...]]:
    """Directions with entries in {-1, 0, 1} and at most two non-zero entries."""
    out = []
    for i in range(n):
        for a in (1, -1):
            d = [0] * n
            d[i] = a
            out.append(tuple(d))
            for j in range(i + 1, n):
                for b in (1, -1):
                    e = list(d)
                    e[j] = b
                    out.append(tuple(e))
    return out


def unbounded_witness(f: sp.Expr, variables: Sequence[str]) -> Witness | None:
    """A direction along which f falls without limit, checked exactly; None when none is found.

    Polynomials only (rational coefficients): the leading homogeneous form
    negative somewhere, or zero along a direction where the lower terms fall,
    shows up as a direction d whose polynomial t ↦ f(t·d) has a negative
    leading coefficient.  None is not a proof that f is bounded below.
    """
    poly = _polynomial(f, variables)
    if poly is None or poly.total_degree() < 1:
        return None
    for d in _candidates(len(variables), poly):
        found = _falls_along(poly, d)
        if found is not None:
            return found
    return None


def bounded_below(f: sp.Expr, variables: Sequence[str]) -> bool | None:
    """True when f is proved bounded below; False with a witness; None when undecided.

    Proved only for polynomials in one variable (even degree, positive leading
    coefficient) and quadratics (H positive semi-definite and the linear part
    in its range).
    """
    if unbounded_witness(f, variables) is not None:
        return False
    poly = _polynomial(f, variables)
    if poly is None:
        return None
    if poly.total_degree() == 0:
        return True
    if len(variables) == 1:
        return poly.degree() % 2 == 0 and poly.LC() > 0
    q = quadratic_parts(f, variables)
    if q is not None:
        H, b = q
        if all(v >= 0 for v in _eigenvalues(H)):
            try:
                H.gauss_jordan_solve(b)
            except ValueError:
                return False
            return True
    return None


# --- quadratics ------------------------------------------------------------------------------


def quadratic_parts(f: sp.Expr, variables: Sequence[str]) -> tuple[sp.Matrix, sp.Matrix] | None:
    """(H, b) with ∇f(x) = Hx + b when f is a quadratic with rational coefficients, else None."""
    poly = _polynomial(f, variables)
    if poly is None or poly.total_degree() > 2:
        return None
    H = calculus.hessian(f, variables)
    b = sp.Matrix(calculus.evaluate_vector(calculus.gradient(f, variables), {v: 0 for v in variables}))
    return H, b


def _eigenvalues(H: sp.Matrix) -> list[sp.Expr]:
    """The distinct eigenvalues of a symmetric rational matrix, exact and in increasing order."""
    return list(dict.fromkeys(H.charpoly().real_roots()))


def _excited(H: sp.Matrix, g0: sp.Matrix) -> list[sp.Expr]:
    """The eigenvalues of H whose eigen-directions the vector g0 has a component along.

    They are the roots of the smallest monic p with p(H) g0 = 0, found from the
    first linear dependence among g0, H g0, H² g0, ... (exact arithmetic).
    """
    if all(v == 0 for v in g0):
        return []
    basis = [g0]
    while True:
        nxt = H * basis[-1]
        try:
            solution, params = sp.Matrix.hstack(*basis).gauss_jordan_solve(nxt)
        except ValueError:
            basis.append(nxt)
            continue
        solution = solution.xreplace({p: 0 for p in params})
        z = sp.Dummy("z")
        p = z ** len(basis) - sum(solution[j] * z**j for j in range(len(basis)))
        return list(dict.fromkeys(sp.Poly(p, z).real_roots()))


def _eigenvector(H: sp.Matrix, value: sp.Expr) -> tuple[Any, ...] | None:
    """One eigenvector for a rational eigenvalue (exact, integers); floats for an irrational one."""
    if value.is_Rational:
        space = (H - value * sp.eye(H.rows)).nullspace()
        if len(space) == 1:
            return _primitive(list(space[0]))
        return None  # a repeated eigenvalue has a whole plane of directions
    import numpy as np

    w, v = np.linalg.eigh(np.array(H.tolist(), dtype=float))
    i = int(np.argmin(abs(w - float(value))))
    vec = v[:, i]
    vec = vec if vec[np.argmax(abs(vec))] > 0 else -vec
    return tuple(float(x) for x in vec)


@dataclass(frozen=True)
class Method:
    """A fixed-step optimiser as the quadratic analysis needs it: its stability bound, from the registry.

    Plain descent, heavy-ball momentum and Nesterov are linear on a quadratic:
    along an eigen-direction of curvature λ each is a one- or two-term
    recurrence, stable exactly when η is below the optimiser's own
    ``stability(λ)``; at the bound a root -1 makes a 2-cycle that a start with a
    component along that direction always excites (for β > 0 as for β = 0).
    Adam and RMSProp have no such bound (they rescale each step) and no Method.
    """

    name: str  # a key of tutor.optimisers.OPTIMISERS with a stability bound
    beta: sp.Expr = sp.S.Zero

    def _optimiser(self) -> Any:
        from tutor.optimisers import get

        kind = get(self.name)
        return kind.build(beta=self.beta) if any(s.key == "beta" for s in kind.settings) else kind.build()

    def limit(self, eigenvalue: sp.Expr) -> sp.Expr:
        """The largest stable η along a direction of curvature λ > 0 (stable strictly below it)."""
        return sp.nsimplify(self._optimiser().stability(eigenvalue)[0])

    @property
    def bound_name(self) -> str:
        from tutor.optimisers import get

        return get(self.name).stability_formula or "2/L"


def method_of(optimizer: Any) -> Method | None:
    """The quadratic analysis' view of an optimiser (None for Adam, RMSProp: they adapt η per step)."""
    if isinstance(optimizer, Method):
        return optimizer
    from tutor.optimisers import OPTIMISERS

    name = getattr(optimizer, "key", None) or getattr(optimizer, "name", optimizer)
    kind = OPTIMISERS.get(name)
    if kind is None or kind.stability_formula is None:
        return None
    if not any(s.key == "beta" for s in kind.settings):
        return Method(name)
    beta = getattr(optimizer, "beta", None)
    if beta is None:
        beta = kind.build().beta  # type: ignore[attr-defined]  # a kind with a beta setting has the field
    return Method(name, calculus.exact_number(beta))


@dataclass(frozen=True)
class Mode:
    """One eigen-direction of H: its eigenvalue, whether the start moves along it, and the fate there."""

    eigenvalue: sp.Expr
    direction: tuple[Any, ...] | None  # None: a plane of directions (a repeated eigenvalue)
    excited: bool  # the start's gradient has a component along it
    fate: str  # converge | oscillate | diverge | fall (λ < 0) | drift (λ = 0: f falls linearly)


@dataclass(frozen=True)
class QuadraticVerdict:
    """The exact long-run verdict for a quadratic, direction by direction."""

    outcome: str  # converge | oscillate | diverge | stationary (the start's gradient is zero)
    modes: tuple[Mode, ...]
    kind: str  # what f has: "minimum" (H positive definite) | "valley" (semi-definite, bounded) | "none"
    curvature: sp.Expr | None  # L, the largest eigenvalue (only when f has a minimum)
    bound: sp.Expr | None  # the stable limit for L (2/L for plain descent)
    limit_point: tuple[sp.Expr, ...] | None  # where the iterates converge to, when they do
    limit_kind: str | None  # "minimum" | "saddle" | "maximum" for the point converged to
    method: Method
    witness: Witness | None


def _fate(method: Method, value: sp.Expr, lr: sp.Expr) -> str:
    if value < 0:
        return "fall"
    if value == 0:
        return "drift"
    limit = method.limit(value)
    return "converge" if lr < limit else "oscillate" if lr == limit else "diverge"


def quadratic_verdict(
    f: sp.Expr, variables: Sequence[str], start: Sequence[Any], lr: Any, optimizer: Any = "gd"
) -> QuadraticVerdict | None:
    """The exact verdict for a quadratic f with rational coefficients, start and η > 0; else None."""
    method = method_of(optimizer)
    parts = quadratic_parts(f, variables)
    if method is None or parts is None:
        return None
    lr = calculus.exact_number(lr)
    x0 = sp.Matrix([calculus.exact_number(v) for v in start])
    if not (lr.is_Rational and lr > 0 and all(v.is_Rational for v in x0)):
        return None
    H, b = parts
    g0 = H * x0 + b
    values = _eigenvalues(H)
    excited = set(_excited(H, g0))
    modes = tuple(
        Mode(v, _eigenvector(H, v), v in excited, _fate(method, v, lr)) for v in sorted(values, key=float, reverse=True)
    )
    fates = [m.fate for m in modes if m.excited]
    if not fates:
        outcome = "stationary"
    elif any(fate in ("diverge", "fall", "drift") for fate in fates):
        outcome = "diverge"
    elif "oscillate" in fates:
        outcome = "oscillate"
    else:
        outcome = "converge"
    bounded = bounded_below(f, variables)
    witness = unbounded_witness(f, variables) if bounded is False else None
    L = max(values, key=float) if values else None
    if bounded and all(v > 0 for v in values):
        kind = "minimum"
    elif bounded:
        kind = "valley"
    else:
        kind = "none"
    curvature = L if kind != "none" and L is not None and L > 0 else None
    bound = method.limit(curvature) if curvature is not None else None
    limit_point = limit_kind = None
    if outcome in ("converge", "stationary"):
        limit_point = tuple(x0 - H.pinv() * g0)
        limit_kind = (
            "minimum" if all(v >= 0 for v in values) else "maximum" if all(v <= 0 for v in values) else "saddle"
        )
    return QuadraticVerdict(outcome, modes, kind, curvature, bound, limit_point, limit_kind, method, witness)


# --- what a run shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """A verdict read off a run, with the criterion it meets, said as an observation."""

    outcome: str  # converge | oscillate | diverge | undecided | undefined
    sentence: str
    steps: int  # how many steps the run has (its horizon)
    closer_every_step: bool = False  # the distance to a known minimum fell at every step


def _size(gradient: Sequence[Any]) -> float:
    try:
        return max((abs(float(g)) for g in gradient), default=0.0)
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _floats(point: Sequence[Any]) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in point)
    except (TypeError, ValueError, OverflowError):
        return tuple(math.inf for _ in point)


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def _span(points: Sequence[tuple[float, ...]], variables: Sequence[str]) -> str:
    parts = []
    for i, v in enumerate(variables):
        lo, hi = min(p[i] for p in points), max(p[i] for p in points)
        parts.append(_("{v} stays between {lo} and {hi}").format(v=v, lo=f"{lo:.3g}", hi=f"{hi:.3g}"))
    return _("; ").join(parts)


def observe(run: Any, target: Sequence[Any] | None = None) -> Observation:
    """converge / oscillate / diverge / undecided, as the run shows it, with the criterion met.

    converge: the gradient is exactly zero, or every |∂f/∂v| is within
    CONVERGED·max(1, |∇f(x₀)|) of zero by some step, or |∇f| fell TREND-fold and
    kept falling.  diverge: |x| passed the divergence limit or overflowed, or
    |∇f| grew TREND-fold.  oscillate: a bounded 2-cycle (x_N = x_{N-2} ≠ x_{N-1}),
    or the largest partial derivative keeps changing sign while |∇f| neither
    shrinks steadily nor settles.  Anything else is undecided, said as "after N
    steps the iterates have not settled".
    """
    from tutor.descent import DIVERGENCE_LIMIT, escaped

    reason, steps = run.stop.reason, list(run.steps)
    n = len(steps) - 1
    if reason in ("undefined", "not_differentiable", "exact_limit") or not steps:
        said = _("the run stops at step {k}: {why}").format(k=run.stop.k, why=run.stop.message)
        return Observation("undefined", said, max(n, 0))
    points = [_floats(s.point) for s in steps]
    closer = False
    if target is not None and len(points) >= 2:
        goal = _floats(target)
        dist = [_distance(p, goal) for p in points]
        closer = all(b < a for a, b in zip(dist, dist[1:]))
    if reason == "diverged":
        if run.stop.message == escaped():
            what = _("|x| passed {limit} at step {k}").format(limit=f"{DIVERGENCE_LIMIT:.0e}", k=run.stop.k)
        else:
            what = _("the numbers overflowed at step {k}").format(k=run.stop.k)
        return Observation("diverge", _("the run diverged: {what}").format(what=what), n, closer)
    if reason == "zero_gradient":
        said = _("the gradient is exactly zero at step {k}").format(k=run.stop.k)
        return Observation("converge", said, n, closer)
    sizes = [_size(s.gradient) for s in steps]
    tol = CONVERGED * max(1.0, sizes[0])
    first = next((i for i, s in enumerate(sizes) if s <= tol), None)
    if reason == "tolerance" or first is not None:
        k = run.stop.k if first is None else first
        said = _("every partial derivative is within {tol} of zero by step {k} (of {n})").format(
            tol=f"{tol:.0e}", k=k, n=n
        )
        return Observation("converge", said, n, closer)
    if n < 2:
        said = ngettext(
            "after {n} step the run is too short to tell", "after {n} steps the run is too short to tell", n
        ).format(n=n)
        return Observation("undecided", said, n, closer)
    start, end = sizes[0], sizes[-1]
    tail = sizes[n // 2 :]
    shrinking = all(b < a for a, b in zip(tail, tail[2:]))
    if end * TREND <= start and shrinking:
        return Observation(
            "converge",
            _("over {n} steps |∇f| fell from {start} to {end} (more than {trend}-fold) and kept falling").format(
                n=n, start=f"{start:.3g}", end=f"{end:.3g}", trend=f"{TREND:.0f}"
            ),
            n,
            closer,
        )
    if end >= TREND * start:
        said = _("over {n} steps |∇f| grew from {start} to {end}").format(n=n, start=f"{start:.3g}", end=f"{end:.3g}")
        return Observation("diverge", said, n, closer)
    last = points[-3:]
    scale = max(1.0, *(abs(x) for x in last[-1]))
    if _distance(last[2], last[0]) <= 1e-9 * scale and _distance(last[2], last[1]) > 1e-6 * scale:
        a, b = last[1], last[2]
        return Observation(
            "oscillate",
            _(
                "after {n} steps the iterates bounce for ever between ({a}) and ({b}): a 2-cycle that does not shrink"
            ).format(n=n, a=", ".join(f"{v:.6g}" for v in a), b=", ".join(f"{v:.6g}" for v in b)),
            n,
            closer,
        )
    grads = [[float(g) for g in s.gradient] for s in steps[n // 2 :]]
    main = max(range(len(grads[-1])), key=lambda i: abs(grads[-1][i]))
    flips = sum(a[main] * b[main] < 0 for a, b in zip(grads, grads[1:]))
    settled = _("after {n} steps the iterates have not settled (|∇f| went from {start} to {end})").format(
        n=n, start=f"{start:.3g}", end=f"{end:.3g}"
    )
    if shrinking:
        return Observation("undecided", _("{settled} and it is still shrinking").format(settled=settled), n, closer)
    if all(b > a for a, b in zip(tail, tail[2:])):
        return Observation("undecided", _("{settled} and it is still growing").format(settled=settled), n, closer)
    if flips * 2 >= len(grads) - 1:
        said = _("{settled}: they keep jumping back and forth ({span})").format(
            settled=settled, span=_span(points[n // 2 :], run.variables)
        )
        return Observation("oscillate", said, n)
    return Observation("undecided", settled, n, closer)


def visible(verdict: str, run: Any) -> str | None:
    """None when the run's steps show the long-run verdict; otherwise why they do not.

    converge must have at least halved |∇f| (or reached zero), diverge at
    least doubled it (or passed the divergence limit); a bounce for ever must
    be larger than the drift at the end.
    """
    steps = list(run.steps)
    if len(steps) < 2:
        return _("the run has no steps to show it")
    n = len(steps) - 1
    start, end = _size(steps[0].gradient), _size(steps[-1].gradient)
    if verdict in ("converge", "stationary"):
        if run.stop.reason == "zero_gradient" or end * VISIBLE <= start:
            return None
        return _("over {n} steps |∇f| only goes from {start} to {end}: it converges, but too slowly to see").format(
            n=n, start=f"{start:.3g}", end=f"{end:.3g}"
        )
    if verdict == "diverge":
        if run.stop.reason == "diverged" or end >= VISIBLE * start:
            return None
        return _("over {n} steps |∇f| only goes from {start} to {end}: it diverges, but too slowly to see").format(
            n=n, start=f"{start:.3g}", end=f"{end:.3g}"
        )
    if verdict == "oscillate":
        if len(steps) < 3:
            return _("two steps cannot show a bounce")
        a, b, c = (_floats(s.point) for s in steps[-3:])
        if _distance(c, a) * VISIBLE <= _distance(c, b):
            return None
        return _("after {n} steps the iterates still drift more than they bounce: show more steps").format(n=n)
    return None


# --- one verdict for a run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The verdict on a run and how it was decided: exactly (a quadratic) or observed in the run."""

    outcome: str  # converge | oscillate | diverge | stationary | undecided | undefined
    exact: bool
    quadratic: QuadraticVerdict | None
    observation: Observation
    hidden: str | None = None  # why the run's steps do not show the exact verdict (None: they do)


def assess(f: sp.Expr, run: Any, optimizer: Any = None) -> Assessment:
    """The exact verdict when f is a quadratic and the optimiser a fixed-step one; else what the run shows."""
    seen = observe(run)
    if run.steps:
        opt = optimizer if optimizer is not None else _optimizer_of(run)
        try:
            q = quadratic_verdict(f, run.variables, run.steps[0].point, run.learning_rate, opt)
        except (ValueError, TypeError, ArithmeticError, NotImplementedError):
            q = None
        if q is not None:
            return Assessment(q.outcome, True, q, seen, visible(q.outcome, run))
    return Assessment(seen.outcome, False, None, seen)


def _optimizer_of(run: Any) -> Any:
    """What the run records of its optimiser (its key, and β if it has one), for :func:`method_of`."""
    from types import SimpleNamespace

    return SimpleNamespace(key=run.optimizer, beta=getattr(run, "beta", None))


# --- the notes under a run ------------------------------------------------------------------------


def _show_lr(run: Any) -> str:
    return sp.sstr(run.learning_rate) if run.exact else f"{float(run.learning_rate):g}"


def _point_words(variables: Sequence[str], point: Sequence[Any]) -> str:
    return ", ".join(f"{v} = {_num(x)}" for v, x in zip(variables, point))


def unbounded_note(witness: Witness, variables: Sequence[str]) -> str:
    if len(variables) == 1:
        where = _("along {x}: {words}").format(x=variables[0], words=witness.words(variables))
    else:
        d = "(" + ", ".join(sp.sstr(v) for v in witness.direction) + ")"
        where = _("along the direction d = {d}: f(t·d) = {along} → −∞ as t → ∞").format(
            d=d, along=_written(witness.along)
        )
    return _("f is unbounded below {where}; it has no minimum, so a descent can run away for ever").format(where=where)


def _mode_words(mode: Mode, variables: Sequence[str]) -> str:
    if len(variables) == 1:
        return ""
    if mode.direction is None:
        return _(" along the directions of eigenvalue {value}").format(value=_num(mode.eigenvalue))
    return _(" along {direction}").format(direction=direction_words(mode.direction, variables))


def quadratic_notes(q: QuadraticVerdict, run: Any) -> list[str]:
    """What the exact analysis of a quadratic adds to the table (nothing when η is safely below the bound)."""
    names = run.variables
    lr = calculus.exact_number(run.learning_rate)
    notes = []
    if q.kind == "none":
        falling = [m for m in q.modes if m.fate in ("fall", "drift")]
        moving = [m for m in falling if m.excited]
        if moving:
            notes.append(
                _(
                    "from this start the descent runs away downhill{along}, where f keeps falling "
                    "(no learning rate can stop that)"
                ).format(along="".join(_mode_words(m, names) for m in moving[:1]))
            )
        elif q.outcome in ("oscillate", "diverge"):  # a positive direction at or above its own limit
            bad = [m for m in q.modes if m.excited and m.fate == q.outcome]
            fate = _("diverges") if q.outcome == "diverge" else _("oscillates for ever without settling")
            limits = ", ".join(
                _("{bound} = {limit} for λ = {value}").format(
                    bound=q.method.bound_name.replace("L", "λ"),
                    limit=sp.sstr(q.method.limit(m.eigenvalue)),
                    value=_num(m.eigenvalue),
                )
                for m in bad
            )
            notes.append(
                _(
                    "from this start the descent {fate}{along}: learning rate {lr} is not below the limit there "
                    "({limits}, the curvature along it)"
                ).format(fate=fate, along=_modes_words(bad, names), lr=_show_lr(run), limits=limits)
            )
        elif q.outcome in ("converge", "stationary") and q.limit_kind != "minimum":
            where = _point_words(names, q.limit_point)  # type: ignore[arg-type]  # it converges: there is one
            what = _("no step moves") if q.outcome == "stationary" else _("the descent converges")
            notes.append(
                _(
                    "the start's gradient has no component{along}, where f falls, so {what} to the {kind} point "
                    "{where}, not a minimum; any nudge off it would run away"
                ).format(
                    along=_mode_words(falling[0], names), what=what, kind=_(POINT_KINDS[str(q.limit_kind)]), where=where
                )
            )
        return notes
    if q.bound is None or lr < q.bound:
        return notes
    relation = _("above") if lr > q.bound else _("exactly at")
    head = _(
        "learning rate {lr} is {relation} the stability bound {bound_name} = {bound} "
        "(L = {L}, the largest eigenvalue of the Hessian: the steepest curvature of f, "
        "the same everywhere because f is quadratic)"
    ).format(
        lr=_show_lr(run), relation=relation, bound_name=q.method.bound_name, bound=sp.sstr(q.bound), L=_num(q.curvature)
    )
    bad = [m for m in q.modes if m.fate in ("oscillate", "diverge")]
    moving = [m for m in bad if m.excited]
    if moving:
        if any(m.fate == "diverge" for m in moving):
            fate = _("the descent diverges{along}").format(
                along=_modes_words([m for m in moving if m.fate == "diverge"], names)
            )
        else:
            fate = _("the descent oscillates for ever without settling{along}").format(
                along=_modes_words(moving, names)
            )
        return notes + [
            _("{head}: {fate}; take a learning rate below {bound}").format(head=head, fate=fate, bound=sp.sstr(q.bound))
        ]
    still = _modes_words(bad, names) or _(" along that direction")
    after = _("nothing moves at all") if q.outcome == "stationary" else _("the descent converges")
    return notes + [
        _(
            "{head}, but the start's gradient has no component{still}, so nothing ever moves{still} "
            "and {after} (a start with a component{still} would not)"
        ).format(head=head, still=still, after=after)
    ]


def _modes_words(modes: Sequence[Mode], variables: Sequence[str]) -> str:
    """ " along y", " along x and (1, 1)": the eigen-directions named (empty in one variable)."""
    words = [_mode_words(m, variables).removeprefix(" along ") for m in modes]
    words = [w for w in words if w]
    if not words:
        return ""
    return _(" along {directions}").format(directions=_(" and ").join(words))


def local_note(f: sp.Expr, run: Any, seen: Observation) -> str | None:
    """At or above the local bound 2/L at the minimum the run approaches: the bound, and what the run shows."""
    names = run.variables
    near = run.steps[-1].point if seen.outcome == "converge" else run.steps[0].point
    try:
        bound = calculus.safe_learning_rate(f, names, dict(zip(names, near)))
    except (calculus.MathError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return None
    if bound is None or bound.at is None:
        return None
    lr = calculus.exact_number(run.learning_rate)
    if lr < bound.bound:
        return None
    where = calculus.describe_point(bound.at)
    which = _("the minimum the run approaches") if seen.outcome == "converge" else _("the minimum nearest the start")
    curv = "f''" if len(names) == 1 else _("the largest eigenvalue of the Hessian")
    above = lr > bound.bound
    values = dict(
        lr=_show_lr(run),
        bound=sp.sstr(bound.bound),
        which=which,
        where=where,
        L=_num(bound.curvature),
        curvature=curv,
    )
    if above:
        sentence = _(
            "learning rate {lr} is above the local bound 2/L = {bound} at {which}, {where} "
            "(L = {L} is {curvature} there: a local curvature, f is not quadratic), "
            "so near that minimum the steps do not shrink"
        ).format(**values)
    else:
        sentence = _(
            "learning rate {lr} is exactly at the local bound 2/L = {bound} at {which}, {where} "
            "(L = {L} is {curvature} there: a local curvature, f is not quadratic), "
            "where the linear picture does not decide"
        ).format(**values)
    shown = seen.sentence
    if seen.closer_every_step:
        shown = _("{shown}; the distance to {where} shrank at every step").format(shown=shown, where=where)
    return _("{sentence}; in this run: {shown}").format(sentence=sentence, shown=shown)


def notes(f: sp.Expr, run: Any, *, degree_limit: int = 6) -> tuple[str, ...]:
    """What the table alone does not say, each sentence decided here: no minimum, η at or above its bound.

    Worked out only where it is quick and exact: polynomials of low degree.
    """
    names = run.variables
    syms = calculus.symbols_of(names)
    if not f.is_polynomial(*syms) or _degree(f) > degree_limit:
        return ()
    out: list[str] = []
    try:
        witness = unbounded_witness(f, names)
    except (ValueError, TypeError, ArithmeticError, NotImplementedError):
        witness = None
    if witness is not None:
        out.append(unbounded_note(witness, names))
    if not run.steps:
        return tuple(out)
    judged = assess(f, run)
    if judged.quadratic is not None:
        return tuple(out + quadratic_notes(judged.quadratic, run))
    if witness is None and run.optimizer == "gd" and len(names) == 1:  # solving stays quick in one variable
        note = local_note(f, run, judged.observation)
        if note:
            out.append(note)
    return tuple(out)


def _degree(e: sp.Expr) -> float:
    """An upper bound of a polynomial's total degree, read off the tree (never expanded)."""
    if not e.free_symbols:
        return 0
    if e.is_Symbol:
        return 1
    if e.is_Add:
        return max(_degree(a) for a in e.args)
    if e.is_Mul:
        return sum(_degree(a) for a in e.args)
    if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
        return _degree(e.base) * int(e.exp)
    return math.inf


# --- predict questions ------------------------------------------------------------------------------


def predict_outcome(judged: Assessment, run: Any) -> tuple[str, str | None]:
    """The converge / oscillate / diverge a predict question grades, over exactly the run's steps.

    The second value says why that verdict is ambiguous at this horizon (None
    when it is not): an exact verdict the steps do not show yet, or a run
    that has not settled one way or the other.  ``tutor check`` refuses such a
    question; the walkthrough still grades the best reading of the run.
    """
    if judged.exact:
        return ("converge" if judged.outcome == "stationary" else judged.outcome), judged.hidden
    seen = judged.observation
    if seen.outcome in OUTCOMES:
        return seen.outcome, None
    steps = list(run.steps)
    if not steps:
        return "diverge", seen.sentence
    start, end = _size(steps[0].gradient), _size(steps[-1].gradient)
    guess = "converge" if end * VISIBLE <= start else "diverge" if end >= VISIBLE * start else "oscillate"
    return guess, seen.sentence
