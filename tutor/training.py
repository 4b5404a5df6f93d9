"""Training a model on data: the article's "one weight update", and three ways to repeat it.

One update (the source article's four steps)::

    y1_i = model(x_i; p)                          1. predict
    L    = (1/n) Σ_i (y1_i - y_i)²                2. the loss (mean squared error)
    ∂L/∂p = (1/n) Σ_i ∂(y1_i - y_i)²/∂p           3. the gradient of the loss
    p'   = p - lr · ∂L/∂p                         4. the optimiser step

Which samples an update uses is the only difference between the three kinds
of descent: all of them (batch), one at a time in shuffled order
(stochastic), or consecutive chunks of ``batch_size`` in shuffled order
(mini-batch).

Exact mode keeps sympy Rationals, for the update a learner does by hand.
Float mode compiles the prediction and the gradient of the squared error once
(``lambdify``) and evaluates them over numpy arrays of samples; nothing calls
``subs`` in a loop.  :func:`linear_regression_epoch` is the data-at-scale path
for y = w x + b over a hundred thousand samples.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from tutor.calculus import MathError, gradient
from tutor.descent import DIVERGENCE_LIMIT, EXACT_DIGIT_LIMIT
from tutor.errors import TutorError
from tutor.i18n import _
from tutor.mathinput import symbol
from tutor.text import Text

KINDS = ("batch", "stochastic", "minibatch")

#: Exact mode evaluates at most this many (update, sample) pairs: each update
#: also computes the loss on the whole data set, so a run costs updates × samples.
EXACT_WORK_LIMIT = 2000
#: Float mode evaluates at most this many (update, sample) pairs.
FLOAT_WORK_LIMIT = 50_000_000
#: generated_data makes at most this many samples (a lesson is read by a person).
MAX_GENERATED = 10_000


class TrainingError(TutorError):
    """The training set-up cannot run as given (bad data, names, sizes or limits)."""


# --- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingUpdate:
    """One update, exact (sympy Rationals) when the data and parameters are exact."""

    params: dict[str, sp.Expr]  # before
    predictions: tuple[Any, ...]  # y1 for each sample used, in the order of ``samples``
    loss: sp.Expr  # MSE over the samples used: (1/n) Σ (y1_i - y_i)^2
    gradient: tuple[Any, ...]  # ∂L/∂p for p in parameters order
    next_params: dict[str, sp.Expr]  # after: p - lr * ∂L/∂p
    samples: tuple[int, ...]  # indices used, ascending within the update


@dataclass(frozen=True)
class FloatUpdate:
    """One update in float mode: the same fields as :class:`TrainingUpdate`, as floats."""

    params: dict[str, float]
    predictions: tuple[float, ...]
    loss: float
    gradient: tuple[float, ...]
    next_params: dict[str, float]
    samples: tuple[int, ...]


@dataclass(frozen=True)
class TrainingRun:
    """Many updates of one kind, with the loss on the whole data set after each."""

    kind: str  # "batch" | "stochastic" | "minibatch"
    updates: list[Any]  # TrainingUpdate (exact) or FloatUpdate (float), one per update
    losses: list[float]  # full-data loss: losses[0] before any update, losses[k] after update k
    params: list[dict[str, Any]]  # parameters before/after each update (len = updates + 1)
    order: tuple[int, ...]  # the shuffled sample order of the first epoch (batch: 0..n-1, unshuffled)
    stop: Text | None = None  # why the run ended early (diverged / undefined), or None


# --- the shuffle and the data ----------------------------------------------------------


def shuffled_order(n: int, seed: int, epoch: int = 0) -> tuple[int, ...]:
    """The sample order of one epoch: ``numpy.random.default_rng(seed + epoch).permutation(n)``.

    This is the only definition of the shuffle.  Stochastic and mini-batch
    descent with the same seed visit the samples in the same order, and each
    epoch has its own order, reproducible from (seed, epoch) alone.
    """
    n, seed, epoch = _count(n, "the number of samples", 0), _integer(seed, "the seed"), _integer(epoch, "the epoch")
    if seed + epoch < 0:
        raise TrainingError(
            _("the seed plus the epoch must not be negative (got {seed_epoch})").format(seed_epoch=seed + epoch)
        )
    return tuple(int(i) for i in np.random.default_rng(seed + epoch).permutation(n))


def epoch_batches(n: int, kind: str, *, batch_size: int = 1, seed: int = 0, epoch: int = 0) -> list[tuple[int, ...]]:
    """The samples of each update in one epoch, in update order.

    Batch: one update with every sample.  Stochastic: one sample per update,
    in shuffled order.  Mini-batch: consecutive chunks of ``batch_size`` of
    the shuffled order (the last may be smaller).  Indices are sorted within
    an update, so its predictions follow the rows of the data table.
    """
    _check_kind(kind)
    n = _count(n, "the number of samples", 1)
    if kind == "batch":
        return [tuple(range(n))]
    size = 1 if kind == "stochastic" else _count(batch_size, "the batch size", 1)
    order = shuffled_order(n, seed, epoch)
    return [tuple(sorted(order[i : i + size])) for i in range(0, n, size)]


def generated_data(
    seed: int, n: int, w: Any, b: Any, noise: Any, x_range: tuple[Any, Any] = (-2, 2)
) -> tuple[tuple[sp.Rational, ...], tuple[sp.Rational, ...]]:
    """Samples y = w x + b + noise, each x and y an exact Rational with two decimals.

    x is uniform on ``x_range`` and the noise is normal with standard
    deviation ``noise``, both drawn from ``numpy.random.default_rng(seed)``;
    x and the noise are rounded to two decimals, then y is computed exactly
    and rounded to two decimals (half up).  The same seed gives the same data.
    """
    seed = _integer(seed, "the seed")
    if seed < 0:
        raise TrainingError(_("the seed must not be negative (got {seed})").format(seed=seed))
    n = _count(n, "the number of samples", 1)
    if n > MAX_GENERATED:
        raise TrainingError(
            _("generated data has at most {MAX_GENERATED} samples (asked for {n})").format(
                MAX_GENERATED=MAX_GENERATED, n=n
            )
        )
    w, b, sigma = _exact(w, "w"), _exact(b, "b"), _exact(noise, "the noise")
    lo, hi = (_exact(v, "the x range") for v in x_range)
    if sigma < 0:
        raise TrainingError(
            _("the noise is a standard deviation, so it must not be negative (got {sstr})").format(sstr=sp.sstr(sigma))
        )
    if not lo < hi:
        raise TrainingError(
            _("the x range must run from a smaller to a larger number (got {sstr} to {sstr2})").format(
                sstr=sp.sstr(lo), sstr2=sp.sstr(hi)
            )
        )
    rng = np.random.default_rng(seed)
    x_draws = rng.uniform(float(lo), float(hi), n)
    e_draws = rng.normal(0.0, float(sigma), n)
    xs = tuple(sp.Rational(int(np.rint(v * 100)), 100) for v in x_draws)
    es = tuple(sp.Rational(int(np.rint(v * 100)), 100) for v in e_draws)
    ys = tuple(_two_decimals(w * x + b + e) for x, e in zip(xs, es))
    return xs, ys


def _two_decimals(value: sp.Expr) -> sp.Rational:
    return sp.Rational(int(sp.floor(value * 100 + sp.Rational(1, 2))), 100)


# --- the loss and one exact update -------------------------------------------------------


def mse_loss(
    model: sp.Expr, parameters: Sequence[str], input: str, xs: Sequence[Any], ys: Sequence[Any], samples: Any = None
) -> sp.Expr:
    """L(p) = (1/n) Σ (model(x_i; p) - y_i)², a symbolic expression in the parameters."""
    problem = _Problem.of(model, parameters, input)
    xs, ys = _exact_data(xs, ys)
    used = _samples(samples, len(xs))
    x = problem.input_symbol
    terms = [(model.xreplace({x: xs[i]}) - ys[i]) ** 2 for i in used]
    return sp.Add(*terms) * sp.Rational(1, len(used))


def one_update(
    model: sp.Expr, parameters: Sequence[str], input: str, xs: Any, ys: Any, params: Any, lr: Any, samples: Any = None
) -> TrainingUpdate:
    """The article's one weight update, exactly: predict, loss, gradient, step.

    ``samples`` are the indices the update uses (default: all of them).
    """
    problem = _Problem.of(model, parameters, input)
    xs, ys = _exact_data(xs, ys)
    point = problem.point(params, exact=True)
    lr = _learning_rate(lr, exact=True)
    used = _samples(samples, len(xs))
    return _exact_update(problem, xs, ys, point, lr, used)


def _exact_update(
    problem: _Problem, xs: Any, ys: Any, point: tuple[Any, ...], lr: Any, used: tuple[int, ...]
) -> TrainingUpdate:
    compiled = problem.compiled("sympy")
    predictions, sums = [], [sp.Integer(0)] * len(problem.parameters)
    loss = sp.Integer(0)
    for i in used:
        y1, *grad = compiled.sample(*point, xs[i], ys[i])
        y1 = _real(y1, problem, point, i, xs[i], "the prediction")
        grad = [_real(g, problem, point, i, xs[i], "the gradient") for g in grad]
        predictions.append(y1)
        loss += (y1 - ys[i]) ** 2
        sums = [s + g for s, g in zip(sums, grad)]
    n = len(used)
    grad = tuple(s / n for s in sums)
    after = tuple(p - lr * g for p, g in zip(point, grad))
    return TrainingUpdate(
        params=problem.named(point),
        predictions=tuple(predictions),
        loss=loss / n,
        gradient=grad,
        next_params=problem.named(after),
        samples=used,
    )


def _exact_loss(problem: _Problem, xs: Any, ys: Any, point: tuple[Any, ...]) -> sp.Expr:
    """The MSE over every sample at the point, exactly (predictions only, no gradient)."""
    predict = problem.compiled("sympy").predict
    total = sp.Integer(0)
    for i, (x, y) in enumerate(zip(xs, ys)):
        total += (_real(predict(*point, x), problem, point, i, x, "the prediction") - y) ** 2
    return total / len(xs)


def _real(value: Any, problem: _Problem, point: Any, i: int, x: Any, what: str) -> sp.Expr:
    """An exact real number, or a MathError naming the sample and the parameters."""
    if isinstance(value, int):  # a constant part of the generated code, e.g. a zero derivative
        value = sp.Integer(value)
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or value.is_real is False or value.has(sp.I):
        where = ", ".join(f"{p} = {sp.sstr(v)}" for p, v in zip(problem.parameters, point))
        raise MathError(
            _("{what} is undefined at sample {i} ({input} = {sstr}) with {where}").format(
                what=what, i=i, input=problem.input, sstr=sp.sstr(x), where=where
            )
        )
    return value


# --- many updates --------------------------------------------------------------------------


def train(
    model: sp.Expr,
    parameters: Sequence[str],
    input: str,
    xs: Any,
    ys: Any,
    start: Any,
    lr: Any,
    *,
    kind: str,
    batch_size: int = 1,
    epochs: int = 1,
    seed: int = 0,
    exact: bool = False,
) -> TrainingRun:
    """Run ``epochs`` epochs of batch, stochastic or mini-batch descent from ``start``.

    ``batch_size`` is used by mini-batch only.  Exact mode returns
    :class:`TrainingUpdate` records in Rationals and is bounded by
    :data:`EXACT_WORK_LIMIT`; float mode returns :class:`FloatUpdate` records
    and stops early (``run.stop``) if the parameters stop being finite or
    pass :data:`~tutor.descent.DIVERGENCE_LIMIT`.
    """
    _check_kind(kind)
    problem = _Problem.of(model, parameters, input)
    epochs = _count(epochs, "the number of epochs", 0)
    seed = _integer(seed, "the seed")
    if seed < 0:
        raise TrainingError(_("the seed must not be negative (got {seed})").format(seed=seed))
    xs, ys = _exact_data(xs, ys) if exact else _float_data(xs, ys)
    n = len(xs)
    plan = [epoch_batches(n, kind, batch_size=batch_size, seed=seed, epoch=e) for e in range(epochs)]
    order = tuple(range(n)) if kind == "batch" else shuffled_order(n, seed, 0)
    updates = sum(len(batches) for batches in plan)
    work = updates * n
    if exact and work > EXACT_WORK_LIMIT:
        raise TrainingError(
            _(
                "exact mode is for runs a learner can follow: {updates} updates × {n} samples = {work} evaluations is over the limit of {EXACT_WORK_LIMIT}; use float mode (exact: false) for this run"
            ).format(updates=updates, n=n, work=work, EXACT_WORK_LIMIT=EXACT_WORK_LIMIT)
        )
    if not exact and work > FLOAT_WORK_LIMIT:
        raise TrainingError(
            _(
                "{updates} updates × {n} samples = {work} evaluations is over the limit of {FLOAT_WORK_LIMIT}; use fewer samples or epochs, or linear_regression_epoch for a linear model at scale"
            ).format(updates=updates, n=n, work=work, FLOAT_WORK_LIMIT=FLOAT_WORK_LIMIT)
        )
    batches = [b for epoch in plan for b in epoch]
    point = problem.point(start, exact=exact)
    rate = _learning_rate(lr, exact=exact)
    if exact:
        return _train_exact(problem, kind, xs, ys, point, rate, batches, order)
    return _train_float(problem, kind, xs, ys, point, rate, batches, order)


def _train_exact(
    problem: Any, kind: Any, xs: Any, ys: Any, point: Any, lr: Any, batches: Any, order: Any
) -> TrainingRun:
    records: list[TrainingUpdate] = []
    params = [problem.named(point)]
    losses = [float(_exact_loss(problem, xs, ys, point))]
    for used in batches:
        update = _exact_update(problem, xs, ys, point, lr, used)
        point = tuple(update.next_params[p] for p in problem.parameters)
        for name, value in update.next_params.items():
            if not value.is_Rational:
                raise TrainingError(
                    _("exact mode keeps rational numbers, but {name} = {sstr} is not rational; use float mode").format(
                        name=name, sstr=sp.sstr(value)
                    )
                )
            if (
                max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) * 0.30103 > EXACT_DIGIT_LIMIT
            ):  # digits, without str() (refused past 4300 digits)
                raise TrainingError(
                    _("the exact value of {name} passed {EXACT_DIGIT_LIMIT} digits; use float mode").format(
                        name=name, EXACT_DIGIT_LIMIT=EXACT_DIGIT_LIMIT
                    )
                )
        records.append(update)
        params.append(update.next_params)
        losses.append(float(_exact_loss(problem, xs, ys, point)))
    return TrainingRun(kind, records, losses, params, order)


def _train_float(
    problem: Any, kind: Any, xs: np.ndarray, ys: np.ndarray, point: Any, lr: float, batches: Any, order: Any
) -> TrainingRun:
    compiled = problem.compiled("numpy")
    p = np.array(point, dtype=float)
    records: list[FloatUpdate] = []
    params = [problem.named(tuple(float(v) for v in p))]
    stop = None
    with np.errstate(all="ignore"):
        losses = [compiled.full_loss(p, xs, ys)]
        for k, used in enumerate(batches, start=1):
            idx = np.fromiter(used, dtype=np.intp, count=len(used))
            xb, yb = xs[idx], ys[idx]
            y1, grads = compiled.batch(p, xb, yb)
            g = grads.mean(axis=1)
            after = p - lr * g
            record = FloatUpdate(
                params=params[-1],
                predictions=tuple(y1.tolist()),
                loss=float(np.mean((y1 - yb) ** 2)),
                gradient=tuple(g.tolist()),
                next_params=problem.named(tuple(after.tolist())),
                samples=used,
            )
            records.append(record)
            params.append(record.next_params)
            losses.append(compiled.full_loss(after, xs, ys))
            p = after
            stop = _float_trouble(k, p, losses[-1])
            if stop is not None:
                break
    return TrainingRun(kind, records, losses, params, order, stop)


def _float_trouble(k: int, p: np.ndarray, loss: float) -> Text | None:
    """Why a float run must stop after update k, or None."""
    if np.isnan(p).any() or math.isnan(loss):
        return _("after update {k} the model has no real value on the data (not a number): training stopped").format(
            k=k
        )
    if not np.isfinite(p).all() or math.isinf(loss) or (np.abs(p) > DIVERGENCE_LIMIT).any():
        return _(
            "after update {k} the parameters passed {DIVERGENCE_LIMIT:.0e}: the steps grow without bound, so the learning rate is too large for this data"
        ).format(k=k, DIVERGENCE_LIMIT=DIVERGENCE_LIMIT)
    return None


def compare_batches(
    model: sp.Expr,
    parameters: Sequence[str],
    input: str,
    xs: Any,
    ys: Any,
    start: Any,
    lr: Any,
    *,
    batch_size: int,
    epochs: int,
    seed: int,
    exact: bool = False,
) -> dict[str, TrainingRun]:
    """Batch, stochastic and mini-batch descent on the same data, start, learning rate and seed."""
    common: dict[str, Any] = dict(epochs=epochs, seed=seed, exact=exact)
    return {
        "batch": train(model, parameters, input, xs, ys, start, lr, kind="batch", **common),
        "stochastic": train(model, parameters, input, xs, ys, start, lr, kind="stochastic", **common),
        "minibatch": train(
            model, parameters, input, xs, ys, start, lr, kind="minibatch", batch_size=batch_size, **common
        ),
    }


# --- data at scale: linear regression ------------------------------------------------------


def linear_regression_epoch(
    X: np.ndarray,
    y: np.ndarray,
    w: float,
    b: float,
    lr: float,
    *,
    kind: str,
    batch_size: int = 32,
    rng: np.random.Generator | int | None = None,
) -> tuple[float, float, np.ndarray]:
    """One epoch of descent on the MSE of y ≈ w x + b; returns (w, b, losses).

    ``losses[k]`` is the MSE of the samples update k uses, at the parameters
    before the update (the loss whose gradient that update follows).  ``rng``
    (a numpy Generator or a seed) shuffles the samples for stochastic and
    mini-batch; None keeps the given order.  Batch never shuffles.

    Batch is one update, computed from the residuals r = w x + b - y;
    stochastic is a tight loop of scalar updates over the shuffled samples.
    For mini-batch, the gradient over a batch of m samples depends on
    the data only through five sums::

        ∂L/∂w = (2/m) (w Σx² + b Σx - Σxy)
        ∂L/∂b = (2/m) (w Σx  + b m  - Σy)

    so every batch's sums are computed at once with numpy, the updates run
    as a scalar recurrence over them (the only loop, which has to be
    sequential), and the losses are computed at once afterwards from the
    parameters each update started from.
    """
    _check_kind(kind)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 1 or y.ndim != 1 or len(X) != len(y):
        raise TrainingError(
            _("X and y must be two 1-D arrays of the same length (got shapes {shape} and {shape2})").format(
                shape=X.shape, shape2=y.shape
            )
        )
    n = len(X)
    if n == 0:
        raise TrainingError(_("training needs at least one sample"))
    w, b, lr = float(w), float(b), float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise TrainingError(_("the learning rate must be a positive number (got {lr})").format(lr=lr))
    if kind == "batch":
        return _batch(X, y, w, b, lr)
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(_count(rng, "the seed", 0))
        order = rng.permutation(n)
        X, y = X[order], y[order]
    size = 1 if kind == "stochastic" else _count(batch_size, "the batch size", 1)
    if size == 1:
        return _stochastic(X.tolist(), y.tolist(), w, b, lr)
    return _minibatch(X, y, w, b, lr, size)


def _batch(X: np.ndarray, y: np.ndarray, w: float, b: float, lr: float) -> tuple[float, float, np.ndarray]:
    """One update with every sample: the residuals r = w x + b - y give the loss and the gradient.

    The sums Σr², Σrx are einsum's single-threaded loop, not BLAS's dot:
    OpenBLAS splits a long dot over threads, and when the cores are busy
    one call can wait a whole scheduler slice (milliseconds, not microseconds).
    """
    n = len(X)
    with np.errstate(all="ignore"):
        r = w * X + b - y
        rr, rx = np.einsum("i,i->", r, r), np.einsum("i,i->", r, X)
        loss, grad_w, grad_b = float(rr) / n, 2.0 * float(rx) / n, 2.0 * float(r.sum()) / n
    return w - lr * grad_w, b - lr * grad_b, np.array([loss])


def _stochastic(xs: list[float], ys: list[float], w: float, b: float, lr: float) -> tuple[float, float, np.ndarray]:
    """One sample per update: r = w x + b - y, loss r², w -= 2 lr r x, b -= 2 lr r (plain floats, no numpy)."""
    losses: list[float] = []
    keep = losses.append  # looked up once, not per sample
    step = 2.0 * lr
    for x, target in zip(xs, ys):
        r = w * x + b - target
        keep(r * r)
        move = step * r
        w -= move * x
        b -= move
    return w, b, np.fromiter(losses, dtype=float, count=len(losses))


def _minibatch(
    X: np.ndarray, y: np.ndarray, w: float, b: float, lr: float, size: int
) -> tuple[float, float, np.ndarray]:
    """Consecutive chunks of ``size``: batch sums at once, a scalar recurrence, losses at once."""
    n = len(X)
    starts = np.arange(0, n, size)
    counts = np.diff(np.append(starts, n))
    m = counts.astype(float)
    with np.errstate(all="ignore"):
        sx, sy = np.add.reduceat(X, starts), np.add.reduceat(y, starts)
        sxx, sxy = np.add.reduceat(X * X, starts), np.add.reduceat(X * y, starts)
        # update k: w' = w - c (w Σx² + b Σx - Σxy),  b' = b - c (w Σx + b m - Σy),  c = 2 lr / m
        c = 2.0 * lr / m
        scaled = (c * sxx, c * sx, c * sxy, c * m, c * sy)
        ws, bs = _recurrence(w, b, *(a.tolist() for a in scaled))
        r = np.repeat(ws[:-1], counts) * X + np.repeat(bs[:-1], counts) - y
        losses = np.add.reduceat(r * r, starts) / m
    return float(ws[-1]), float(bs[-1]), losses


def _recurrence(w: float, b: float, axx: Any, ax: Any, axy: Any, am: Any, ay: Any) -> tuple[np.ndarray, np.ndarray]:
    """The sequential part: w, b after each update, from the scaled batch sums (plain floats, no numpy)."""
    ws, bs = [w], [b]
    for a_xx, a_x, a_xy, a_m, a_y in zip(axx, ax, axy, am, ay):
        w, b = w - (w * a_xx + b * a_x - a_xy), b - (w * a_x + b * a_m - a_y)
        ws.append(w)
        bs.append(b)
    return np.array(ws), np.array(bs)


# --- the problem: names, symbols, compiled code ---------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """The per-sample prediction and the gradient of the squared error, as generated code."""

    predict: Any  # (*params, x) -> y1
    sample: Any  # (*params, x, y) -> (y1, ∂(y1 - y)²/∂p1, ...)

    def batch(self, p: np.ndarray, xb: np.ndarray, yb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictions and per-sample gradients (parameters × samples) over a batch, vectorised."""
        y1, *grads = self.sample(*p, xb, yb)
        shape = xb.shape
        return np.broadcast_to(np.asarray(y1, dtype=float), shape), np.array(
            [np.broadcast_to(np.asarray(g, dtype=float), shape) for g in grads]
        )

    def full_loss(self, p: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> float:
        y1 = np.broadcast_to(np.asarray(self.predict(*p, xs), dtype=float), xs.shape)
        return float(np.mean((y1 - ys) ** 2))


@dataclass(frozen=True)
class _Problem:
    """A model, its parameters and its input, checked once."""

    model: sp.Expr
    parameters: tuple[str, ...]
    input: str

    @classmethod
    def of(cls, model: Any, parameters: Any, input: Any) -> _Problem:
        if not isinstance(model, sp.Expr):
            raise TrainingError(_("the model must be a sympy expression (made through tutor.mathinput)"))
        if isinstance(parameters, str):
            parameters = (parameters,)
        parameters = tuple(parameters)
        if not parameters:
            raise TrainingError(_("training needs at least one parameter to change"))
        if len(set(parameters)) != len(parameters):
            raise TrainingError(
                _("the parameters {join} name the same parameter twice").format(join=", ".join(parameters))
            )
        if input in parameters:
            raise TrainingError(_("{input} cannot be both the input and a parameter").format(input=input))
        known = {symbol(name) for name in (*parameters, input)}
        for s in sorted(model.free_symbols - known, key=str):
            if str(s) in (*parameters, input):
                raise TrainingError(_("the symbol {s} in the model was not made by tutor.mathinput.symbol").format(s=s))
            raise TrainingError(
                _("the model uses {s}, which is neither a parameter ({join}) nor the input ({input})").format(
                    s=s, join=", ".join(parameters), input=input
                )
            )
        return cls(model, parameters, input)

    @property
    def input_symbol(self) -> sp.Symbol:
        return symbol(self.input)

    def compiled(self, modules: str) -> _Compiled:
        return _compile(self.model, self.parameters, self.input, modules)

    def named(self, point: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self.parameters, point))

    def point(self, values: Any, *, exact: bool) -> tuple[Any, ...]:
        """Parameter values in parameters order, from a mapping or a sequence."""
        if isinstance(values, Mapping):
            missing = [p for p in self.parameters if p not in values]
            extra = [str(k) for k in values if k not in self.parameters]
            if missing or extra:
                what = (
                    _("no value for {names}").format(names=", ".join(missing))
                    if missing
                    else _("{names} is not a parameter").format(names=", ".join(extra))
                )
                raise TrainingError(
                    _("the parameters are {join}: {what}").format(join=", ".join(self.parameters), what=what)
                )
            values = [values[p] for p in self.parameters]
        else:
            values = list(values)
            if len(values) != len(self.parameters):
                raise TrainingError(
                    _("expected {len} values for {join}, got {len2}").format(
                        len=len(self.parameters), join=", ".join(self.parameters), len2=len(values)
                    )
                )
        convert = _exact if exact else _float
        return tuple(convert(v, p) for v, p in zip(values, self.parameters))


@functools.lru_cache(maxsize=64)
def _compile(model: sp.Expr, parameters: tuple[str, ...], input: str, modules: str) -> _Compiled:
    """Derive the gradient of the squared error once and generate code for it (no subs)."""
    target = sp.Dummy("y", real=True)
    squared_error = (model - target) ** 2
    syms = [symbol(p) for p in parameters]
    x = symbol(input)
    predict = sp.lambdify([*syms, x], model, modules=modules)
    sample = sp.lambdify([*syms, x, target], [model, *gradient(squared_error, parameters)], modules=modules, cse=True)
    return _Compiled(predict, sample)


# --- numbers ---------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise TrainingError(
            _("unknown kind of descent '{kind}'; choose one of {join}").format(kind=kind, join=", ".join(KINDS))
        )


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, sp.Integer):
            return int(value)
        raise TrainingError(_("{what} must be a whole number (got {value!r})").format(what=what, value=value))
    return int(value)


def _count(value: Any, what: str, least: int) -> int:
    value = _integer(value, what)
    if value < least:
        raise TrainingError(
            _("{what} must be at least {least} (got {value})").format(what=what, least=least, value=value)
        )
    return value


def _exact(value: Any, what: str) -> sp.Expr:
    """An exact sympy number from a number (never from text): 0.1 becomes 1/10."""
    if isinstance(value, sp.Basic):
        if not (isinstance(value, sp.Expr) and value.is_number) or value.is_real is False:
            raise TrainingError(_("{what} must be a real number (got {sstr})").format(what=what, sstr=sp.sstr(value)))
        if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise TrainingError(_("{what} must be a finite number (got {sstr})").format(what=what, sstr=sp.sstr(value)))
        return sp.nsimplify(value, rational=True) if value.has(sp.Float) else value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TrainingError(_("{what} must be a number (got {value!r})").format(what=what, value=value))
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    value = float(value)
    if not math.isfinite(value):
        raise TrainingError(_("{what} must be a finite number (got {value})").format(what=what, value=value))
    return sp.nsimplify(value, rational=True)


def _float(value: Any, what: str) -> float:
    if isinstance(value, sp.Basic):
        value = _exact(value, what)
        try:
            result = float(value)
        except TypeError:
            raise TrainingError(
                _("{what} must be a real number (got {sstr})").format(what=what, sstr=sp.sstr(value))
            ) from None
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TrainingError(_("{what} must be a number (got {value!r})").format(what=what, value=value))
    else:
        result = float(value)
    if not math.isfinite(result):
        raise TrainingError(_("{what} must be a finite number (got {result})").format(what=what, result=result))
    return result


def _learning_rate(lr: Any, *, exact: bool) -> Any:  # exact: sp.Expr, else float
    value = _exact(lr, "the learning rate") if exact else _float(lr, "the learning rate")
    if not value > 0:
        raise TrainingError(_("the learning rate must be positive (got {value})").format(value=value))
    return value


def _check_lengths(xs: Any, ys: Any) -> None:
    if len(xs) != len(ys):
        raise TrainingError(
            _("the data has {len} values of x but {len2} values of y").format(len=len(xs), len2=len(ys))
        )
    if len(xs) == 0:
        raise TrainingError(_("training needs at least one sample"))


def _exact_data(xs: Any, ys: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    xs, ys = list(xs), list(ys)
    _check_lengths(xs, ys)
    return tuple(_exact(v, f"x[{i}]") for i, v in enumerate(xs)), tuple(_exact(v, f"y[{i}]") for i, v in enumerate(ys))


def _float_data(xs: Any, ys: Any) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = list(xs), list(ys)
    _check_lengths(xs, ys)
    return (
        np.array([_float(v, f"x[{i}]") for i, v in enumerate(xs)], dtype=float),
        np.array([_float(v, f"y[{i}]") for i, v in enumerate(ys)], dtype=float),
    )


def _samples(samples: Any, n: int) -> tuple[int, ...]:
    """The indices an update uses, checked and sorted (default: all)."""
    if samples is None:
        return tuple(range(n))
    used = [_integer(i, "a sample index") for i in samples]
    if not used:
        raise TrainingError(_("an update needs at least one sample"))
    for i in used:
        if not 0 <= i < n:
            raise TrainingError(_("sample {i} does not exist: the data has samples 0 to {n_1}").format(i=i, n_1=n - 1))
    if len(set(used)) != len(used):
        twice = next(i for i in used if used.count(i) > 1)
        raise TrainingError(_("sample {twice} is listed twice").format(twice=twice))
    return tuple(sorted(used))
