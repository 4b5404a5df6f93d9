"""Every claim the tutor makes about a run is true (issue 13).

Each expected verdict here comes from a run written in this file (plain
Python Fractions or floats, never the engine's runner) or from arithmetic by
hand in the comments.  The cases the issue lists are regression tests through
``tutor descend`` (text and JSON), predict grading and ``tutor check``; the
property tests draw random quadratics in one to three variables.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor import analysis, descent
from tutor.cli import main
from tutor.lesson.check import validate_math
from tutor.lesson.loader import load_lesson_text
from tutor.lesson.model import Descent, Function, Lesson, Predict
from tutor.mathinput import parse_expression, symbol
from tutor.walkthrough import build_walkthrough

# --- independent runs ---------------------------------------------------------------------------


def float_run(grad, x0, lr, steps):
    """x_{k+1} = x_k - lr ∇f(x_k) in floats; stops (returns what it has) once |x| passes 1e12."""
    xs = [list(map(float, x0))]
    for _ in range(steps):
        x = xs[-1]
        g = grad(x)
        nxt = [a - lr * b for a, b in zip(x, g)]
        xs.append(nxt)
        if not all(math.isfinite(v) and abs(v) < 1e12 for v in nxt):
            break
    return xs


def quad_run(H, b, x0, lr, steps):
    """The exact run x_{k+1} = x_k - lr (H x_k + b) in Fractions, with its gradients."""
    n = len(x0)
    x = [F(v) for v in x0]
    xs, gs = [], []
    for _ in range(steps + 1):
        g = [sum(F(H[i][j]) * x[j] for j in range(n)) + F(b[i]) for i in range(n)]
        xs.append(x)
        gs.append(g)
        x = [x[i] - lr * g[i] for i in range(n)]
    return xs, gs


# --- helpers through the command line -----------------------------------------------------------


def descend(function: str, *options: str) -> str:
    result = CliRunner().invoke(main, ["descend", *options, "--", function])
    assert result.exit_code == 0, result.output[:500]
    return result.stdout


def descend_json(function: str, *options: str) -> dict:
    return json.loads(descend(function, *options, "--format", "json"))


def predict_question(text, variables, start, lr, steps, order=100):
    fn = Function(parse_expression(text, variables), variables, text)
    lesson = Lesson("t", "T", "", (Predict(fn, start, lr, steps=steps),), path="t.yaml", order=order)
    wt = build_walkthrough(lesson)
    return wt.question("s0.predict"), wt


def check_lesson(text: str):
    lesson = load_lesson_text(text, "t.yaml")
    return [(d.severity, d.message) for d in validate_math(lesson)]


def predict_yaml(function, start, lr, steps):
    return (
        "id: t\ntitle: T\nsections:\n  - predict:\n"
        f'      function: "{function}"\n      start: {start}\n      learning_rate: "{lr}"\n      steps: {steps}\n'
    )


def descent_yaml(function, start, lr, *more):
    lines = [f'function: "{function}"', f"start: {start}", f'learning_rate: "{lr}"', *more]
    return "id: t\ntitle: T\nsections:\n  - descent:\n" + "".join(f"      {line}\n" for line in lines)


# --- (x-3)² + 2(y+1)² at η = 1/2 = 2/L ----------------------------------------------------------

# ∇f = (2(x-3), 4(y+1)); η = 1/2: x_{k+1} = x - (x - 3) = 3, y_{k+1} = y - 2(y + 1) = -y - 2
ELLIPSE_H, ELLIPSE_B = [[2, 0], [0, 4]], [-6, 4]


@pytest.mark.parametrize("start", [(0, 0), (1, 0)])
def test_ellipse_at_two_over_L_bounces_in_y_for_ever(start):
    xs, _ = quad_run(ELLIPSE_H, ELLIPSE_B, start, F(1, 2), 40)
    assert [p[1] for p in xs[-4:]] == [xs[-4][1], -2 - xs[-4][1]] * 2 and xs[-1][1] != -1  # bounces, never settles
    assert xs[-1][0] == 3
    q, _ = predict_question(
        "(x-3)^2 + 2(y+1)^2", ("x", "y"), dict(zip("xy", map(sp.Integer, start))), sp.Rational(1, 2), 6
    )
    assert q.expected == "oscillate"
    assert "It oscillates" in q.help.solution
    data = descend_json(
        "(x-3)^2 + 2(y+1)^2", "--from", f"x={start[0]},y={start[1]}", "--lr", "1/2", "--exact", "--steps", "6"
    )
    (note,) = data["notes"]
    assert "oscillates for ever" in note and "along y" in note


def test_ellipse_from_the_level_of_the_minimum_in_y_converges():
    # from (0, -1): ∂f/∂y = 0, so y never moves; x lands on 3 in one step
    xs, gs = quad_run(ELLIPSE_H, ELLIPSE_B, (0, -1), F(1, 2), 5)
    assert xs[1] == [3, -1] and gs[1] == [0, 0]
    q, _ = predict_question(
        "(x-3)^2 + 2(y+1)^2", ("x", "y"), {"x": sp.Integer(0), "y": sp.Integer(-1)}, sp.Rational(1, 2), 6
    )
    assert q.expected == "converge"
    (note,) = descend_json("(x-3)^2 + 2(y+1)^2", "--from", "x=0,y=-1", "--lr", "1/2", "--exact")["notes"]
    assert "no component along y" in note and "converges" in note and "oscillates for ever" not in note


def test_x2_plus_25y2_from_y0_at_two_over_L_converges():
    # η = 0.04 = 2/50 is exactly 2/L, but y0 = 0 keeps y at 0; x_{k+1} = 0.92 x_k
    xs = float_run(lambda p: [2 * p[0], 50 * p[1]], [5, 0], 0.04, 200)
    assert abs(xs[-1][0]) < 1e-6 and xs[-1][1] == 0
    data = descend_json("x^2 + 25y^2", "--from", "x=5,y=0", "--lr", "0.04", "--steps", "200")
    (note,) = data["notes"]
    assert "oscillates for ever" not in note and "converges" in note and "no component along y" in note
    assert abs(data["steps"][-1]["point"][0]) < 1e-6


# --- no minimum -------------------------------------------------------------------------------------


def test_saddle_at_two_fifths_diverges_and_says_no_minimum():
    # x² + y² - 3xy: Hessian [[2, -3], [-3, 2]], eigenvalues 5 and -1; f(t, t) = -t²
    f = lambda p: p[0] ** 2 + p[1] ** 2 - 3 * p[0] * p[1]  # noqa: E731
    assert [f([t, t]) for t in (1, 10, 100)] == [-1, -100, -10000]
    xs = float_run(lambda p: [2 * p[0] - 3 * p[1], 2 * p[1] - 3 * p[0]], [1, 0], 0.4, 500)  # ∇f by hand
    assert max(abs(v) for v in xs[-1]) >= 1e12  # runs away
    data = descend_json("x^2 + y^2 - 3x*y", "--from", "x=1,y=0", "--lr", "0.4", "--steps", "500")
    assert data["stop"]["reason"] == "diverged"
    notes = " ".join(data["notes"])
    assert "unbounded below" in notes and "(1, 1)" in notes
    assert "oscillates" not in notes and "2/L" not in notes


def test_quartic_falling_along_a_diagonal_is_unbounded():
    # x⁴ - x²y² + y⁴/10 along (1, 2): t⁴(1 - 4 + 16/10) = -7t⁴/5
    f = lambda x, y: F(x) ** 4 - F(x) ** 2 * F(y) ** 2 + F(y) ** 4 / 10  # noqa: E731
    assert f(10, 20) == F(-7, 5) * 10**4
    (note,) = descend_json("x^4 - x^2 y^2 + y^4/10", "--from", "x=1,y=0", "--lr", "0.01")["notes"]
    assert "unbounded below" in note and "(1, 2)" in note and "−7t⁴/5" in note
    out = check_lesson(descent_yaml("x^4 - x^2 y^2 + y^4/10", "{x: 1, y: 0}", "1/100", "max_steps: 3", "by_hand: 1"))
    assert any(sev == "warning" and "unbounded below" in m and "(1, 2)" in m for sev, m in out)


def test_bounded_functions_get_no_unbounded_note():
    for text, var in [("x^2 + y^2", ("x", "y")), ("x^4 - 4x", ("x",)), ("x^4 + y^4 - x*y", ("x", "y"))]:
        assert analysis.unbounded_witness(parse_expression(text, var), var) is None


# --- stops in several variables -----------------------------------------------------------------------


def test_sign_change_in_two_variables_says_what_is_true():
    # x² + 25y² from (5, 1), η = 0.03: (5, 1) -> (5 - 0.3, 1 - 1.5) = (4.7, -0.5); ∂f/∂y: 50 -> -25
    data = descend_json("x^2 + 25y^2", "--from", "x=5,y=1", "--lr", "0.03", "--until", "sign-change")
    message = data["stop"]["message"]
    assert data["stop"]["reason"] == "sign_change" and data["stop"]["k"] == 1
    assert "minimum lies between" not in message and "overshot the lowest point along y" in message
    # f along the segment a + s(b - a): its lowest point is strictly inside iff the message says so
    a, b = (5.0, 1.0), (4.7, -0.5)
    along = [
        (a[0] + s * (b[0] - a[0])) ** 2 + 25 * (a[1] + s * (b[1] - a[1])) ** 2 for s in (i / 1000 for i in range(1001))
    ]
    inside = min(along[1:-1]) < min(along[0], along[-1])
    assert inside == ("strictly between" in message)
    assert b != (0, 0)  # the minimum (0, 0) is not between the two points, and no claim says it is


def test_sign_change_in_one_variable_brackets_a_minimum():
    # x² from 5 with η = 0.6: x_1 = 5 - 6 = -1; f' = 10 then -2
    message = descend_json("x^2", "--from", "x=5", "--lr", "0.6", "--until", "sign-change")["stop"]["message"]
    assert "a minimum of f lies between (5) and (-1)" in message


# --- curvature: only where it is true ------------------------------------------------------------------


def test_x4_minus_4x_names_its_curvature_as_local():
    # f'' = 12x² has no maximum; at the minimum x = 1, f'' = 12, so the local bound is 2/12 = 1/6
    out = descend("x^4 - 4x", "--from", "x=2", "--lr", "0.2")
    assert "largest curvature" not in out and "steepest curvature" not in out
    assert "local bound 2/L = 1/6" in out and "a local curvature" in out
    section = Descent(
        Function(parse_expression("x^4 - 4x", ("x",)), ("x",), "x^4 - 4x"), {"x": sp.Integer(2)}, sp.Rational(1, 10)
    )
    wt = build_walkthrough(Lesson("t", "T", "", (section,), path="t.yaml"))
    text = wt.steps[-1].text
    assert "largest curvature" not in text and "local value" in text


def test_log_at_its_local_bound_is_not_called_unsettling():
    # ln(1 + x²): f'' (0) = 2, 2/L = 1; η = 1: x_{k+1} = x - 2x/(1 + x²) = x(x² - 1)/(x² + 1), |x| falls every step
    xs = [2.0]
    for _ in range(1000):
        x = xs[-1]
        xs.append(x * (x * x - 1) / (x * x + 1))
    assert all(abs(b) < abs(a) for a, b in zip(xs, xs[1:]))
    out = check_lesson(descent_yaml("log(1 + x^2)", "{x: 2}", "1", "exact: false", "max_steps: 5", "by_hand: 1"))
    text = " ".join(m for _, m in out)
    assert "cannot settle" not in text and "oscillate for ever" not in text
    assert "local bound 2/L = 1" in text and "shrank at every step" in text


def test_log_at_three_is_not_said_to_converge():
    # η = 3: x_{k+1} = x - 6x/(1 + x²); the iterates wander and never settle
    xs = [1.0]
    for _ in range(30):
        x = xs[-1]
        xs.append(x - 6 * x / (1 + x * x))
    assert max(abs(v) for v in xs[-10:]) > 1
    q, _ = predict_question("log(1 + x^2)", ("x",), {"x": sp.Integer(1)}, sp.Integer(3), 30)
    assert q.expected != "converge"
    assert "30 steps" in q.prompt


# --- predict and check agree on the horizon ------------------------------------------------------------


def test_check_refuses_a_predict_that_is_ambiguous_over_its_steps():
    # 5x², η = 0.199: factor 1 - 1.99 = -0.99; over 10 steps |x| only falls to 0.99^10 ≈ 0.90
    assert 0.99**10 > 0.5
    ((severity, message),) = check_lesson(predict_yaml("5x^2", "{x: 1}", "199/1000", 10))
    assert severity == "error" and "no clear answer over 10 steps" in message and "too slowly" in message
    # the same rate over 200 steps: 0.99^200 ≈ 0.13, clear
    assert check_lesson(predict_yaml("5x^2", "{x: 1}", "199/1000", 200)) == []


def test_check_accepts_the_course_predictions():
    # lesson 5's rates on 5x² from 1: factors 0.9 (10 steps), 1/2, 0, -1, -3/2, -0.9 (10 steps): all visible
    for lr, steps in [("1/100", 10), ("1/20", 10), ("1/10", 5), ("1/5", 6), ("1/4", 8), ("19/100", 10)]:
        assert check_lesson(predict_yaml("5x^2", "{x: 1}", lr, steps)) == []


def test_early_lessons_do_not_say_curvature():
    # lesson 2 has not met curvature: no bound in the run's words, the data or the plots
    section = Descent(
        Function(parse_expression("5x^2", ("x",)), ("x",), "5x^2"), {"x": sp.Integer(1)}, sp.Rational(1, 20)
    )
    wt = build_walkthrough(Lesson("t", "T", "", (section,), path="t.yaml", order=2))
    run = wt.steps[-1]
    assert run.payload.bound is None
    assert "curvature" not in run.text and "2/L" not in run.text
    late = build_walkthrough(Lesson("t", "T", "", (section,), path="t.yaml", order=6))
    assert "curvature" in late.steps[-1].text


# --- property tests: random quadratics ------------------------------------------------------------------


def cayley(skew):
    """A rational rotation Q = (I - S)(I + S)^{-1} from a skew-symmetric S."""
    n = len(skew)
    S = sp.Matrix(n, n, lambda i, j: skew[i][j])
    return (sp.eye(n) - S) * (sp.eye(n) + S).inv()


EIGEN = st.sampled_from([F(1, 2), F(1), F(3, 2), F(2), F(3), F(4), F(6)])


@st.composite
def quadratics(draw):
    n = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["definite", "semidefinite", "indefinite"]))
    values = [draw(EIGEN) for _ in range(n)]
    if kind == "semidefinite" and n > 1:
        values[draw(st.integers(0, n - 1))] = F(0)
    if kind == "indefinite":
        i = draw(st.integers(0, n - 1))
        values[i] = -values[i]
    entries = {(i, j): draw(st.integers(-2, 2)) for i in range(n) for j in range(i + 1, n)}
    skew = [[entries.get((i, j), 0) if i < j else -entries.get((j, i), 0) for j in range(n)] for i in range(n)]
    Q = cayley(skew)
    D = sp.diag(*[sp.Rational(v.numerator, v.denominator) for v in values])
    H = Q * D * Q.T
    centre = sp.Matrix([draw(st.integers(-3, 3)) for _ in range(n)])
    b = -H * centre
    if kind == "semidefinite" and draw(st.booleans()):
        zero = [k for k, v in enumerate(values) if v == 0]
        if zero:
            b += Q[:, zero[0]] * draw(st.sampled_from([-1, 1]))  # a falling valley: no minimum
    top = max(range(n), key=lambda k: values[k])
    if draw(st.booleans()) and values[top] != 0:
        # a start with no component of the gradient along the steepest direction
        q = Q[:, top]
        x0 = -(q.T * b)[0] / values_rational(values[top]) * q
        for k in range(n):
            if k != top:
                x0 += Q[:, k] * draw(st.integers(-2, 2))
    else:
        x0 = sp.Matrix([draw(st.integers(-3, 3)) for _ in range(n)])
    positive = [v for v in values if v > 0]
    choices = [2 / v for v in positive] + [1 / max(values)] if positive else []
    lr = draw(st.sampled_from(choices + [F(1, 10), F(1, 3)]))
    return H, b, x0, F(lr), values, Q


def values_rational(v):
    return sp.Rational(v.numerator, v.denominator)


def mode_fates(H, b, x0, lr, Q, steps=60):
    """Along each column q of Q, read the fate off an exact run: g·q is multiplied by r each step, or constant."""
    n = H.rows
    Hf = [[F(int(sp.fraction(H[i, j])[0]), int(sp.fraction(H[i, j])[1])) for j in range(n)] for i in range(n)]
    bf = [F(int(sp.fraction(v)[0]), int(sp.fraction(v)[1])) for v in b]
    xf = [F(int(sp.fraction(v)[0]), int(sp.fraction(v)[1])) for v in x0]
    xs, gs = quad_run(Hf, bf, xf, lr, steps)
    fates = []
    for k in range(n):
        q = [F(int(sp.fraction(Q[i, k])[0]), int(sp.fraction(Q[i, k])[1])) for i in range(n)]
        c = [sum(a * w for a, w in zip(g, q)) for g in gs]
        if all(v == 0 for v in c):
            fates.append("still")
            continue
        r = c[1] / c[0] if c[0] != 0 else None
        assert r is not None and all(c[j + 1] == r * c[j] for j in range(steps))  # one factor per direction
        if r == 1:  # a zero eigenvalue: the gradient along q never changes, f falls by the same amount each step
            fates.append("diverge")
        elif abs(r) < 1:
            fates.append("converge")
        elif r == -1:
            fates.append("oscillate")
        else:
            fates.append("diverge")
    return fates, xs


def overall(fates):
    if "diverge" in fates:
        return "diverge"
    if "oscillate" in fates:
        return "oscillate"
    return "converge" if "converge" in fates else "stationary"


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(quadratics())
def test_quadratic_verdict_matches_an_exact_independent_run(case):
    H, b, x0, lr, values, Q = case
    n = H.rows
    names = ("x", "y", "z")[:n]
    syms = tuple(symbol(v) for v in names)
    X = sp.Matrix(syms)
    f = sp.expand((X.T * H * X)[0] / 2 + (b.T * X)[0])
    fates, _ = mode_fates(H, b, x0, lr, Q)
    truth = overall(fates)
    start = [sp.nsimplify(v) for v in x0]
    q = analysis.quadratic_verdict(f, names, start, sp.Rational(lr.numerator, lr.denominator))
    assert q is not None and q.outcome == truth
    # the notes under an exact run of the engine say nothing the independent run contradicts
    run = descent.run(f, names, start, sp.Rational(lr.numerator, lr.denominator), steps=3, exact=True)
    said = " ".join(analysis.notes(f, run))
    if "oscillates for ever" in said:
        assert truth == "oscillate"
    if "the descent diverges" in said or "runs away" in said:
        assert truth == "diverge"
    if "the descent converges" in said:
        assert truth in ("converge", "stationary")
    falling_valley = any(values[k] == 0 and (Q[:, k].T * b)[0] != 0 for k in range(n))
    unbounded = any(v < 0 for v in values) or falling_valley
    assert ("unbounded below" in said) == unbounded
    if unbounded:
        d = analysis.unbounded_witness(f, names).direction
        at = [f.subs(dict(zip(syms, [t * v for v in d]))) for t in (10, 100, 1000)]
        assert at[0] > at[1] > at[2]  # independently: f keeps falling along d
    if "2/L" in said:
        assert all(v >= 0 for v in values)  # a stability bound only where f has a minimum


@FAST
@given(quadratics())
def test_sign_change_stops_say_only_what_is_true(case):
    H, b, x0, lr, _, _ = case
    n = H.rows
    names = ("x", "y", "z")[:n]
    syms = tuple(symbol(v) for v in names)
    X = sp.Matrix(syms)
    f = sp.expand((X.T * H * X)[0] / 2 + (b.T * X)[0])
    start = [sp.nsimplify(v) for v in x0]
    run = descent.run(
        f, names, start, sp.Rational(lr.numerator, lr.denominator), steps=8, until=["sign-change"], exact=True
    )
    if run.stop.reason != "sign_change":
        return
    message = run.stop.message
    a, c = run.steps[-2].point, run.steps[-1].point
    fa = sp.lambdify(syms, f)
    along = [fa(*[float(p + s * (q - p)) for p, q in zip(a, c)]) for s in (i / 400 for i in range(401))]
    inside = min(along[1:-1]) < min(along[0], along[-1]) - 1e-12
    if n > 1:
        assert "minimum lies between" not in message and "overshot" in message
        if "strictly between" in message:
            assert inside
    else:
        assert "a minimum of f lies between" in message and inside


def test_exact_run_with_a_variable_f_does_not_use():
    # f = y²/4 in (x, y): ∂f/∂x is the constant 0; y_{k+1} = y - 4·y/2 = -y (η = 4 = 2/L, L = 1/2)
    data = descend_json("y^2/4", "--vars", "x,y", "--from", "x=0,y=1", "--lr", "4", "--exact", "--steps", "4")
    assert [s["point"] for s in data["steps"]] == [["0", "1"], ["0", "-1"]] * 2 + [["0", "1"]]
    assert any("oscillates for ever" in n for n in data["notes"])


# --- momentum and Nesterov on a quadratic ----------------------------------------------------------------


def heavy_ball(grad, x, lr, beta, steps):
    """v = βv + ∇f(x); x -= ηv, in Fractions."""
    v, xs = F(0), [F(x)]
    for _ in range(steps):
        v = beta * v + grad(xs[-1])
        xs.append(xs[-1] - lr * v)
    return xs


def nesterov(grad, x, lr, beta, steps):
    """v = βv + ∇f(x - ηβv); x -= ηv (look ahead, then step), in Fractions."""
    v, xs = F(0), [F(x)]
    for _ in range(steps):
        v = beta * v + grad(xs[-1] - lr * beta * v)
        xs.append(xs[-1] - lr * v)
    return xs


def nesterov_torch(grad, x, lr, beta, steps):
    """PyTorch's form: b = βb + ∇f(x); x -= η(∇f(x) + βb), in Fractions."""
    b, xs = F(0), [F(x)]
    for _ in range(steps):
        g = grad(xs[-1])
        b = beta * b + g
        xs.append(xs[-1] - lr * (g + beta * b))
    return xs


def fate_of(xs):
    """From a long exact run of one variable: settled at 0, a 2-cycle, or growing."""
    a, b, c = (float(v) for v in xs[-3:])
    if abs(c) < 1e-9:
        return "converge"
    if abs(c - a) < 1e-9 and abs(c - b) > 1e-3:
        return "oscillate"
    return "diverge" if abs(c) > 1e3 else "unclear"


@pytest.mark.parametrize(
    ("name", "run", "limit"),
    [
        # 5x², L = 10, β = 1/2: heavy ball stable while η < 2(1 + β)/L = 3/10; Nesterov while η < 2(1 + β)/((1 + 2β)L) = 3/20
        ("momentum", heavy_ball, F(3, 10)),
        ("nesterov", nesterov, F(3, 20)),
        ("nesterov", nesterov_torch, F(3, 20)),
    ],
)
@pytest.mark.parametrize(("offset", "fate"), [(F(-1, 100), "converge"), (F(0), "oscillate"), (F(1, 100), "diverge")])
def test_momentum_bounds_on_a_quadratic(name, run, limit, offset, fate):
    lr = limit + offset
    xs = run(lambda x: 10 * x, 1, lr, F(1, 2), 400)
    assert fate_of(xs) == fate
    f = parse_expression("5x^2", ("x",))
    q = analysis.quadratic_verdict(
        f, ("x",), [1], sp.Rational(lr.numerator, lr.denominator), analysis.Method(name, sp.Rational(1, 2))
    )
    assert q.outcome == fate and q.bound == sp.Rational(limit.numerator, limit.denominator)


def test_momentum_note_from_the_command_line():
    # β = 1/2 on 5x² at η = 0.3 = 2(1 + β)/L: bounces for ever (the independent run above)
    data = descend_json("5x^2", "--from", "x=1", "--lr", "0.3", "--optimizer", "momentum", "--beta", "0.5")
    (note,) = data["notes"]
    assert "2(1+β)/L = 3/10" in note and "oscillates for ever" in note


def test_adam_gets_no_stability_claim():
    assert descend_json("5x^2", "--from", "x=1", "--lr", "0.3", "--optimizer", "adam")["notes"] == []


def test_check_on_the_issue_predictions():
    # (x-3)² + 2(y+1)² from (0, 0) at 1/2: y bounces 0, -2, 0, ... from the first step: clear over 6 steps
    assert check_lesson(predict_yaml("(x-3)^2 + 2(y+1)^2", "{x: 0, y: 0}", "1/2", 6)) == []
    # ln(1 + x²) at η = 3 from 1: wanders (see test_log_at_three_is_not_said_to_converge), clear as "oscillate"
    assert check_lesson(predict_yaml("log(1 + x^2)", "{x: 1}", "3", 30)) == []
    # ln(1 + x²) at η = 1 from 2: |x| shrinks every step but slowly, jumping across 0: no clear answer in 30 steps
    ((severity, message),) = check_lesson(predict_yaml("log(1 + x^2)", "{x: 2}", "1", 30))
    assert severity == "error" and "no clear answer over 30 steps" in message and "still shrinking" in message


def test_saddle_from_a_start_level_in_the_falling_direction():
    # x² - y² from (1, 0): ∂f/∂y = -2y = 0 for ever, so y stays 0; x_{k+1} = (1 - 2η) x_k
    xs, _ = quad_run([[2, 0], [0, -2]], [0, 0], (1, 0), F(1, 10), 50)
    assert all(p[1] == 0 for p in xs) and xs[-1][0] == F(4, 5) ** 50
    notes = descend_json("x^2 - y^2", "--from", "x=1,y=0", "--lr", "1/10", "--exact")["notes"]
    assert any("unbounded below" in n for n in notes)
    assert any("converges to the saddle point x = 0, y = 0, not a minimum" in n for n in notes)
    # η = 1: x bounces 1, -1, 1, ... and y still never moves
    xs, _ = quad_run([[2, 0], [0, -2]], [0, 0], (1, 0), F(1), 6)
    assert [p[0] for p in xs] == [1, -1] * 3 + [1]
    notes = descend_json("x^2 - y^2", "--from", "x=1,y=0", "--lr", "1", "--exact")["notes"]
    assert any("oscillates for ever without settling along x" in n for n in notes)
    assert not any("stability bound" in n for n in notes)


def test_export_names_a_local_bound_as_local(tmp_path):
    # x⁴ - 4x: f'' = 12x² is unbounded; at the minimum x = 1, L = 12 and 2/L = 1/6
    from tutor import export

    section = Descent(
        Function(parse_expression("x^4 - 4x", ("x",)), ("x",), "x^4 - 4x"), {"x": sp.Integer(2)}, sp.Rational(1, 20)
    )
    wt = build_walkthrough(Lesson("t", "T", "", (section,), path="t.yaml"))
    text = export.export_markdown(wt, tmp_path).read_text(encoding="utf-8")
    assert "largest curvature" not in text and "steepest curvature" not in text
    assert "a local value" in text and "2/L = \\tfrac{1}{6}" in text


def test_a_quadratic_in_ten_variables_is_decided_from_its_eigenvectors():
    """Ten variables: the witness is an eigenvector (no search over 3¹⁰ directions), checked by hand."""
    from tutor import analysis

    names = [f"x{i}" for i in range(1, 11)]
    f = parse_expression("+".join(f"{n}^2" for n in names[:9]) + "-3*x1*x10", names)
    witness = analysis.unbounded_witness(f, names)
    assert witness is not None
    d = [int(v) for v in witness.direction]
    # f(t·d) = t² (Σ_{i<10} d_i² − 3 d_1 d_10) must fall: its coefficient is negative
    assert sum(v * v for v in d[:9]) - 3 * d[0] * d[9] < 0
    positive = parse_expression("+".join(f"{n}^2" for n in names), names)
    assert analysis.unbounded_witness(positive, names) is None
