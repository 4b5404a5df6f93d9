"""The training engine: one update by hand, three kinds of descent, and the data-at-scale path.

Expected values are worked out by hand (the comments show the arithmetic),
by central finite differences of a loss written out in plain Python, or by
a hand-written numpy loop; never copied from the engine's output.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from conftest import speaking

from tutor.calculus import MathError
from tutor.errors import TutorError
from tutor.mathinput import symbol
from tutor.training import (
    EXACT_WORK_LIMIT,
    FloatUpdate,
    TrainingError,
    TrainingRun,
    TrainingUpdate,
    compare_batches,
    epoch_batches,
    generated_data,
    linear_regression_epoch,
    one_update,
    shuffled_order,
    train,
)

R = sp.Rational
w, b, x = symbol("w"), symbol("b"), symbol("x")
LINE = w * x + b
PARAMS = ("w", "b")
XS, YS = (1, 2, 3), (3, 5, 7)  # y = 2x + 1 exactly


# --- one update by hand -----------------------------------------------------------------


def test_one_update_by_hand():
    u = one_update(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10))
    assert isinstance(u, TrainingUpdate)
    assert u.predictions == (0, 0, 0)
    # (0-3)² + (0-5)² + (0-7)² = 9 + 25 + 49 = 83, over 3 samples
    assert u.loss == R(83, 3)
    # ∂L/∂w = (2/3) Σ (y1 - y) x = -(2/3)(3·1 + 5·2 + 7·3) = -(2/3)·34 = -68/3
    # ∂L/∂b = (2/3) Σ (y1 - y)   = -(2/3)(3 + 5 + 7)     = -10
    assert u.gradient == (R(-68, 3), -10)
    # w = 0 - (1/10)(-68/3) = 68/30 = 34/15;  b = 0 - (1/10)(-10) = 1
    assert u.next_params == {"w": R(34, 15), "b": 1}
    assert u.params == {"w": 0, "b": 0}
    assert u.samples == (0, 1, 2)
    assert all(isinstance(v, sp.Rational) for v in (*u.gradient, u.loss, *u.next_params.values()))


def test_one_update_on_some_samples_by_hand():
    # samples 0 and 1 at w = 1, b = 0: y1 = (1, 2), errors (-2, -3)
    u = one_update(LINE, PARAMS, "x", XS, YS, {"w": 1, "b": 0}, R(1, 10), samples=[1, 0])
    assert u.samples == (0, 1)
    assert u.predictions == (1, 2)
    assert u.loss == R(4 + 9, 2)
    # ∂L/∂w = (2/2)((-2)·1 + (-3)·2) = -8;  ∂L/∂b = (2/2)(-2 - 3) = -5
    assert u.gradient == (-8, -5)
    assert u.next_params == {"w": 1 + R(8, 10), "b": R(5, 10)}


def test_one_update_accepts_floats_and_fractions_as_exact_numbers():
    u = one_update(LINE, PARAMS, "x", (1.0, 2, Fraction(3)), (3, 5, 7), (0.0, 0), 0.1)
    assert u.next_params == {"w": R(34, 15), "b": 1}


def test_the_update_follows_the_gradient_of_the_mse():
    loss = ((w + b - 3) ** 2 + (2 * w + b - 5) ** 2 + (3 * w + b - 7) ** 2) / 3  # by hand, for XS and YS
    u = one_update(LINE, PARAMS, "x", XS, YS, {"w": R(1, 2), "b": -1}, R(1, 10))
    at = {w: R(1, 2), b: -1}
    assert u.gradient == (sp.diff(loss, w).xreplace(at), sp.diff(loss, b).xreplace(at))
    assert u.loss == loss.xreplace(at)


MODELS = [
    # (model, parameters, the same model in plain Python)
    (w * x + b, ("w", "b"), lambda p, x: p[0] * x + p[1]),
    (w * x**2 + b, ("w", "b"), lambda p, x: p[0] * x**2 + p[1]),
    (w**2 * x + sp.sin(b * x), ("w", "b"), lambda p, x: p[0] ** 2 * x + math.sin(p[1] * x)),
    (b * sp.exp(w * x), ("w", "b"), lambda p, x: p[1] * math.exp(p[0] * x)),
]


@pytest.mark.parametrize("model,params,plain", MODELS, ids=["line", "parabola", "sine", "exp"])
def test_gradient_matches_central_finite_differences(model, params, plain):
    rng = random.Random(11)
    for _ in range(3):
        n = rng.randint(2, 6)
        xs = tuple(R(rng.randint(-20, 20), 10) for _ in range(n))
        ys = tuple(R(rng.randint(-50, 50), 10) for _ in range(n))
        point = [R(rng.randint(-10, 10), 10) for _ in params]
        used = sorted(rng.sample(range(n), rng.randint(1, n)))

        def loss(p, xs=xs, ys=ys, used=used):
            return sum((plain(p, float(xs[i])) - float(ys[i])) ** 2 for i in used) / len(used)

        u = one_update(model, params, "x", xs, ys, dict(zip(params, point)), R(1, 100), samples=used)
        h = 1e-6
        p0 = [float(v) for v in point]
        for j, g in enumerate(u.gradient):
            up, down = list(p0), list(p0)
            up[j] += h
            down[j] -= h
            numeric = (loss(up) - loss(down)) / (2 * h)
            assert float(g) == pytest.approx(numeric, rel=1e-5, abs=1e-6)
        assert float(u.loss) == pytest.approx(loss(p0), rel=1e-12)
        assert u.next_params == {p: v - R(1, 100) * g for p, v, g in zip(params, point, u.gradient)}


# --- the shuffle and the batches ---------------------------------------------------------


def test_shuffled_order_is_the_documented_numpy_permutation():
    assert shuffled_order(10, 3) == tuple(np.random.default_rng(3).permutation(10).tolist())
    assert shuffled_order(10, 3, epoch=2) == tuple(np.random.default_rng(5).permutation(10).tolist())
    assert sorted(shuffled_order(10, 3)) == list(range(10))
    assert shuffled_order(10, 3) == shuffled_order(10, 3)
    assert shuffled_order(10, 3, 0) != shuffled_order(10, 3, 1)


def test_epoch_batches_by_kind():
    order = shuffled_order(7, 4)
    assert epoch_batches(7, "batch", seed=4) == [tuple(range(7))]
    assert epoch_batches(7, "stochastic", seed=4) == [(i,) for i in order]
    chunks = epoch_batches(7, "minibatch", batch_size=3, seed=4)
    assert [len(c) for c in chunks] == [3, 3, 1]  # the last chunk is smaller
    assert chunks == [tuple(sorted(order[0:3])), tuple(sorted(order[3:6])), (order[6],)]


# --- many updates -------------------------------------------------------------------------


def test_train_batch_exact_first_update_by_hand():
    run = train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10), kind="batch", epochs=2, exact=True)
    assert isinstance(run, TrainingRun) and run.kind == "batch"
    assert len(run.updates) == 2 and len(run.params) == 3 and len(run.losses) == 3
    assert run.losses[0] == pytest.approx(83 / 3)
    assert run.params[1] == {"w": R(34, 15), "b": 1}
    # after one update: y1 = 34/15·x + 1 = (49/15, 83/15, 117/15); errors (4/15, 8/15, 12/15)
    assert run.losses[1] == pytest.approx((16 + 64 + 144) / 225 / 3)
    assert run.updates[1].params == run.params[1]
    assert run.order == (0, 1, 2)
    assert run.stop is None


def test_stochastic_updates_visit_the_shuffled_order_one_sample_each():
    run = train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10), kind="stochastic", epochs=2, seed=5, exact=True)
    first, second = shuffled_order(3, 5, 0), shuffled_order(3, 5, 1)
    assert run.order == first
    assert [u.samples for u in run.updates] == [(i,) for i in first + second]
    # the first update by hand: one sample i at w = b = 0, error -y_i,
    # ∂L/∂w = 2(-y_i)x_i, ∂L/∂b = 2(-y_i); the step is lr times that, against it
    i = first[0]
    u = run.updates[0]
    assert u.gradient == (-2 * YS[i] * XS[i], -2 * YS[i])
    assert u.next_params == {"w": R(2 * YS[i] * XS[i], 10), "b": R(2 * YS[i], 10)}


def test_stochastic_is_minibatch_of_one_for_the_same_seed():
    xs, ys = generated_data(2, 6, 3, -1, R(1, 2))
    start = {"w": 1, "b": 0}
    for exact in (True, False):
        sgd = train(LINE, PARAMS, "x", xs, ys, start, R(1, 20), kind="stochastic", epochs=2, seed=9, exact=exact)
        mini = train(
            LINE, PARAMS, "x", xs, ys, start, R(1, 20), kind="minibatch", batch_size=1, epochs=2, seed=9, exact=exact
        )
        assert sgd.order == mini.order
        assert sgd.updates == mini.updates
        assert sgd.params == mini.params and sgd.losses == mini.losses


def test_batch_is_minibatch_of_everything():
    xs, ys = generated_data(3, 5, 2, 1, R(1, 2))
    start = {"w": 0, "b": 0}
    for exact in (True, False):
        full = train(LINE, PARAMS, "x", xs, ys, start, R(1, 10), kind="batch", epochs=3, seed=1, exact=exact)
        mini = train(
            LINE, PARAMS, "x", xs, ys, start, R(1, 10), kind="minibatch", batch_size=5, epochs=3, seed=1, exact=exact
        )
        assert full.updates == mini.updates
        assert full.params == mini.params and full.losses == mini.losses
        # a batch larger than the data is one chunk of everything, too
        big = train(
            LINE, PARAMS, "x", xs, ys, start, R(1, 10), kind="minibatch", batch_size=50, epochs=3, seed=1, exact=exact
        )
        assert big.params == full.params


def test_losses_decrease_for_a_small_learning_rate_on_noiseless_data():
    xs = tuple(R(k, 4) for k in range(-6, 7))
    ys = tuple(3 * v - 2 for v in xs)  # y = 3x - 2, no noise
    runs = compare_batches(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 20), batch_size=4, epochs=6, seed=0)
    assert set(runs) == {"batch", "stochastic", "minibatch"}
    for kind, run in runs.items():
        per_epoch = len(run.updates) // 6
        epoch_ends = run.losses[::per_epoch]
        assert all(after < before for before, after in zip(epoch_ends, epoch_ends[1:])), kind
    for kind in ("stochastic", "minibatch"):  # 78 and 24 updates
        assert runs[kind].losses[-1] < runs[kind].losses[0] / 10, kind
    # batch: one update per epoch, and below 2/L every one of them lowers the loss
    batch = train(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 20), kind="batch", epochs=200).losses
    assert all(after < before for before, after in zip(batch, batch[1:]))
    assert batch[-1] < 1e-6


def test_compare_batches_uses_the_same_data_and_seed():
    xs, ys = generated_data(7, 12, 2, 1, R(1, 2))
    runs = compare_batches(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 20), batch_size=4, epochs=5, seed=0)
    assert [len(runs[k].updates) for k in ("batch", "stochastic", "minibatch")] == [5, 60, 15]
    assert runs["stochastic"].order == runs["minibatch"].order == shuffled_order(12, 0)
    assert len({r.losses[0] for r in runs.values()}) == 1
    assert all(isinstance(u, FloatUpdate) for r in runs.values() for u in r.updates)


def test_float_mode_agrees_with_exact_mode():
    xs, ys = generated_data(5, 8, -1, 2, R(1, 4))
    for kind in ("batch", "stochastic", "minibatch"):
        args = (LINE, PARAMS, "x", xs, ys, {"w": R(1, 2), "b": 0}, R(1, 10))
        exact = train(*args, kind=kind, batch_size=3, epochs=2, seed=4, exact=True)
        fast = train(*args, kind=kind, batch_size=3, epochs=2, seed=4)
        assert [u.samples for u in exact.updates] == [u.samples for u in fast.updates]
        for e, f in zip(exact.params, fast.params):
            assert f == pytest.approx({k: float(v) for k, v in e.items()}, rel=1e-12, abs=1e-12)
        assert fast.losses == pytest.approx(exact.losses, rel=1e-12)
        for e, f in zip(exact.updates, fast.updates):
            assert f.loss == pytest.approx(float(e.loss), rel=1e-12)
            assert f.gradient == pytest.approx([float(g) for g in e.gradient], rel=1e-12, abs=1e-12)
            assert f.predictions == pytest.approx([float(p) for p in e.predictions], rel=1e-12, abs=1e-12)


def test_a_model_that_is_not_linear_trains():
    # y = 2x² + 1, model w x² + b: the gradient is derived, not assumed linear
    xs = (-2, -1, 0, 1, 2)
    ys = tuple(2 * v * v + 1 for v in xs)
    model = w * x**2 + b
    u = one_update(model, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 100))
    # ∂L/∂w = (2/5) Σ (0 - y)x² = -(2/5)(9·4 + 3·1 + 1·0 + 3·1 + 9·4) = -(2/5)·78 = -156/5
    # ∂L/∂b = (2/5) Σ (0 - y)   = -(2/5)(9 + 3 + 1 + 3 + 9)          = -10
    assert u.gradient == (R(-156, 5), -10)
    # the Hessian of L is (2/5)[[34, 10], [10, 5]]: L ≈ 14.8, so lr = 1/10 is below 2/L
    run = train(model, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 10), kind="batch", epochs=300)
    assert run.params[-1] == pytest.approx({"w": 2, "b": 1}, abs=1e-6)


def test_exact_mode_is_bounded():
    xs = tuple(range(50))
    ys = tuple(2 * v for v in xs)
    with pytest.raises(TrainingError, match="float mode"):
        train(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 10000), kind="stochastic", epochs=1, exact=True)
    assert EXACT_WORK_LIMIT < 50 * 50
    # the same run in float mode is fine
    run = train(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 10000), kind="stochastic", epochs=1)
    assert len(run.updates) == 50


def test_exact_mode_refuses_irrational_parameters():
    with pytest.raises(TrainingError, match="not rational"):
        train(b * sp.exp(w * x), PARAMS, "x", XS, YS, {"w": 1, "b": 1}, R(1, 10), kind="batch", epochs=1, exact=True)


def test_a_diverging_float_run_stops_and_says_why():
    run = train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, 5, kind="batch", epochs=500)
    zh = speaking("zh", train, LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, 5, kind="batch", epochs=500)
    assert run.stop is not None and "learning rate" in run.stop and "学习率" in zh.stop
    assert len(run.params) == len(run.updates) + 1 == len(run.losses)
    assert len(run.updates) < 500


def test_an_undefined_prediction_is_a_clear_error():
    with pytest.raises(MathError, match="sample 0"):
        one_update(w / x + b, PARAMS, "x", (0, 1), (1, 2), {"w": 1, "b": 0}, R(1, 10))
    run = train(sp.log(w * x) + b, PARAMS, "x", (1, 2), (1, 2), {"w": 1, "b": 0}, 100, kind="batch", epochs=20)
    assert run.stop is not None and len(run.updates) < 20


def test_float_mode_never_calls_subs(monkeypatch):
    xs, ys = generated_data(1, 10, 2, 1, R(1, 2))
    args = (w * x**2 + b, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 20))
    train(*args, kind="minibatch", batch_size=3, epochs=1)  # compile once

    def refuse(self, *a, **k):
        raise AssertionError("subs called in the training loop")

    monkeypatch.setattr(sp.Basic, "subs", refuse)
    for kind in ("batch", "stochastic", "minibatch"):
        train(*args, kind=kind, batch_size=3, epochs=3)
    train(*args, kind="stochastic", epochs=2, exact=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda: train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, 0.1, kind="sideways"),
        lambda: train(LINE, PARAMS, "x", XS, (1, 2), {"w": 0, "b": 0}, 0.1, kind="batch"),
        lambda: train(LINE, PARAMS, "x", XS, YS, {"w": 0}, 0.1, kind="batch"),
        lambda: train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0, "c": 1}, 0.1, kind="batch"),
        lambda: train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, 0, kind="batch"),
        lambda: train(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, 0.1, kind="minibatch", batch_size=0),
        lambda: train(LINE, PARAMS, "x", (), (), {"w": 0, "b": 0}, 0.1, kind="batch"),
        lambda: one_update(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, "1/10"),  # text is never parsed here
        lambda: one_update(LINE, PARAMS, "x", ("1",), (2,), {"w": 0, "b": 0}, R(1, 10)),
        lambda: one_update(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10), samples=[3]),
        lambda: one_update(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10), samples=[1, 1]),
        lambda: one_update(LINE, PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10), samples=[]),
        lambda: one_update(LINE + symbol("c"), PARAMS, "x", XS, YS, {"w": 0, "b": 0}, R(1, 10)),
        lambda: one_update(LINE, ("w", "x"), "x", XS, YS, {"w": 0, "x": 0}, R(1, 10)),
        lambda: one_update(LINE, PARAMS, "x", XS, YS, {"w": float("nan"), "b": 0}, R(1, 10)),
        lambda: generated_data(1, 0, 2, 1, 0),
        lambda: generated_data(1, 5, 2, 1, -1),
        lambda: generated_data(1, 10**7, 2, 1, 0),
        lambda: generated_data(1, 5, 2, 1, 0, x_range=(2, 2)),
        lambda: linear_regression_epoch(np.zeros(3), np.zeros(4), 0, 0, 0.1, kind="batch"),
        lambda: linear_regression_epoch(np.zeros(3), np.zeros(3), 0, 0, -0.1, kind="batch"),
        lambda: linear_regression_epoch(np.zeros(3), np.zeros(3), 0, 0, 0.1, kind="minibatch", batch_size=0),
        lambda: linear_regression_epoch(np.zeros(3), np.zeros(3), 0, 0, 0.1, kind="stochastic", rng=-1),
    ],
)
def test_bad_set_ups_are_one_line_tutor_errors(call):
    with pytest.raises(TutorError) as err:
        call()
    assert "\n" not in str(err.value) and str(err.value)


# --- generated data ------------------------------------------------------------------------


def test_generated_data_is_deterministic_and_exact():
    xs, ys = generated_data(7, 12, 2, 1, R(1, 2))
    assert (xs, ys) == generated_data(7, 12, 2, 1, R(1, 2))
    assert (xs, ys) != generated_data(8, 12, 2, 1, R(1, 2))
    assert len(xs) == len(ys) == 12
    for v in (*xs, *ys):
        assert isinstance(v, sp.Rational) and 100 % v.q == 0  # two decimals at most
    assert all(-2 <= v <= 2 for v in xs)
    # the x values are numpy's uniform draws from the seed, rounded to two decimals
    draws = np.random.default_rng(7).uniform(-2, 2, 12)
    assert [float(v) for v in xs] == pytest.approx(draws.tolist(), abs=0.005)


def test_generated_data_without_noise_lies_on_the_line():
    xs, ys = generated_data(3, 20, R(3, 2), -1, 0, x_range=(0, 10))
    assert all(0 <= v <= 10 for v in xs)
    # x has two decimals, so 3/2 x - 1 has three: y is it rounded to two (half up)
    for v, y in zip(xs, ys):
        exact = R(3, 2) * v - 1
        assert abs(y - exact) <= R(1, 200)


# --- data at scale ----------------------------------------------------------------------------


def oracle_epoch(X, y, w, b, lr, kind, batch_size, seed):
    """The hand-written numpy loop: shuffle, then for each chunk r = wx + b - y and a step."""
    n = len(X)
    if kind != "batch" and seed is not None:
        order = np.random.default_rng(seed).permutation(n)
        X, y = X[order], y[order]
    size = n if kind == "batch" else 1 if kind == "stochastic" else batch_size
    losses = []
    for start in range(0, n, size):
        xb, yb = X[start : start + size], y[start : start + size]
        r = w * xb + b - yb
        losses.append(np.mean(r**2))
        grad_w, grad_b = 2 * np.mean(r * xb), 2 * np.mean(r)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, np.array(losses)


@pytest.mark.parametrize(
    "kind,batch_size,lr",
    [
        ("batch", 32, 0.1),
        ("stochastic", 32, 0.01),
        ("minibatch", 32, 0.05),
        ("minibatch", 7, 0.05),
        ("minibatch", 1, 0.01),
    ],
)
@pytest.mark.parametrize("seed", [None, 3])
def test_linear_regression_epoch_matches_the_hand_written_loop(kind, batch_size, lr, seed):
    rng = np.random.default_rng(1)
    n = 2003  # not a multiple of the batch size: the last chunk is smaller
    X = rng.uniform(-2, 2, n)
    y = 2 * X + 1 + rng.normal(0, 0.5, n)
    got_w, got_b, got = linear_regression_epoch(
        X, y, 0.5, -0.5, lr, kind=kind, batch_size=batch_size, rng=None if seed is None else np.random.default_rng(seed)
    )
    want_w, want_b, want = oracle_epoch(X, y, 0.5, -0.5, lr, kind, batch_size, seed)
    assert isinstance(got_w, float) and isinstance(got_b, float)
    assert got_w == pytest.approx(want_w, abs=1e-9) and got_b == pytest.approx(want_b, abs=1e-9)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_linear_regression_epoch_agrees_with_the_general_engine():
    xs, ys = generated_data(4, 9, 2, 1, R(1, 2))
    X, y = np.array([float(v) for v in xs]), np.array([float(v) for v in ys])
    for kind in ("batch", "stochastic", "minibatch"):
        run = train(LINE, PARAMS, "x", xs, ys, {"w": 0, "b": 0}, R(1, 20), kind=kind, batch_size=4, seed=6)
        got_w, got_b, losses = linear_regression_epoch(X, y, 0, 0, 0.05, kind=kind, batch_size=4, rng=6)
        assert (got_w, got_b) == pytest.approx((run.params[-1]["w"], run.params[-1]["b"]), rel=1e-12)
        if kind == "batch":
            assert losses.tolist() == pytest.approx([u.loss for u in run.updates], rel=1e-12)


def test_linear_regression_epoch_on_a_runaway_does_not_raise():
    X = np.linspace(-100, 100, 64)
    w_, _b, losses = linear_regression_epoch(X, 3 * X, 0, 0, 10.0, kind="minibatch", batch_size=8)
    assert not math.isfinite(w_) or abs(w_) > 1e12
    assert len(losses) == 8
