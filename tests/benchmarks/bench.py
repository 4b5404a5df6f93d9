"""Where the time goes: figures and ratios against baselines, printed as a table.

Run:  python tests/benchmarks/bench.py [--quick]

Not collected by pytest (no timed assertions in the test suite); each row says
its budget and whether this machine met it.  Ratios, not seconds, are what to
compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[2]
ROWS: list[tuple[str, str, str, str, str]] = []


def best(fn, repeat: int = 5) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, ours: float, baseline: float | None, baseline_name: str, budget: str, met: bool | None) -> None:
    ratio = f"{ours / baseline:.2f}x" if baseline else ""
    verdict = "" if met is None else ("ok" if met else "OVER")
    ROWS.append((name, fmt_time(ours), f"{baseline_name} {fmt_time(baseline)}" if baseline else baseline_name, ratio, f"{budget} {verdict}".strip()))


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


# --- the descent loop -------------------------------------------------------------------


def bench_descent_loop(quick: bool) -> None:
    from tutor import descent
    from tutor.mathtext import parse_expression

    f = parse_expression("2x^2 + 6z^2 + 7m^3", ["x", "z", "m"])
    names = ["x", "z", "m"]

    def ours(n: int) -> None:
        run = descent.run(f, names, [1.0, 1.0, 1.0], 0.001, steps=n, until=["sign-change"])
        run.final  # the --format summary path reads only the last step

    def by_hand(n: int) -> None:
        x = z = m = 1.0
        lr, sx, sz, sm = 0.001, 0, 0, 0
        for _ in range(n + 1):
            fv = 2 * x * x + 6 * z * z + 7 * m * m * m
            gx, gz, gm = 4 * x, 12 * z, 21 * m * m
            nx, nz, nm = (gx > 0) - (gx < 0), (gz > 0) - (gz < 0), (gm > 0) - (gm < 0)
            if sx * nx < 0 or sz * nz < 0 or sm * nm < 0:
                break
            if not (math.isfinite(fv) and math.isfinite(x) and math.isfinite(z) and math.isfinite(m)):
                break
            if abs(x) > 1e12 or abs(z) > 1e12 or abs(m) > 1e12:
                break
            x, z, m = x - lr * gx, z - lr * gz, m - lr * gm
            sx, sz, sm = nx, nz, nm

    small, large = 1_000, (50_000 if quick else 200_000)
    ours(10)
    marginal = (best(lambda: ours(large), 3) - best(lambda: ours(small), 3)) / (large - small)
    hand = (best(lambda: by_hand(large), 3) - best(lambda: by_hand(small), 3)) / (large - small)
    row("descent step, float, 3 vars", marginal, hand, "hand-written", "<= 3x", marginal <= 3 * hand)

    point = {"x": 1, "z": 1, "m": 1}
    syms = [sp_symbol(v) for v in names]
    grad = [f.diff(s) for s in syms]

    def naive(n: int) -> None:
        p = dict(zip(syms, [1.0, 1.0, 1.0]))
        for _ in range(n):
            g = [float(gi.subs(p)) for gi in grad]
            float(f.subs(p))
            p = {s: p[s] - 0.001 * gi for s, gi in zip(syms, g)}

    n_naive = 50 if quick else 200
    naive_step = best(lambda: naive(n_naive), 2) / n_naive
    row("descent step vs subs() loop", marginal, naive_step, "subs loop", ">= 1000x faster", naive_step >= 1000 * marginal)
    del point


def sp_symbol(name: str):
    from tutor.mathtext import symbol

    return symbol(name)


def bench_exact(quick: bool) -> None:
    from sympy import Rational

    from tutor import descent
    from tutor.mathtext import parse_expression

    f = parse_expression("5x^2 + 3x + 1", ["x"])
    seconds = best(lambda: descent.run(f, ["x"], [1], Rational(1, 20), steps=200, exact=True), 3)
    row("200 exact steps, quadratic", seconds, None, "", "< 1 s", seconds < 1)
    run = descent.run(parse_expression("x^4", ["x"]), ["x"], [Rational(1, 2)], Rational(1, 3), steps=500, exact=True)
    digits = max(len(str(abs(v.p))) + len(str(v.q)) for s in run.steps for v in s.point)
    ROWS.append(("exact number-size bound (x^4)", f"stop {run.stop.reason} at k={run.stop.k}", f"{digits} digits max", "", f"<= {2 * descent.EXACT_DIGIT_LIMIT} ok" if digits <= 2 * descent.EXACT_DIGIT_LIMIT else "OVER"))


# --- start-up -------------------------------------------------------------------------------


def command_time(args: list[str], repeat: int) -> float:
    return best(lambda: subprocess.run(args, capture_output=True, check=False), repeat)


def bench_startup(quick: bool) -> None:
    repeat = 3 if quick else 7
    bare = command_time([sys.executable, "-c", "pass"], repeat)
    helps = command_time([sys.executable, "-m", "tutor", "--help"], repeat)
    row("tutor --help", helps, bare, "python -c pass", "+0.25 s", helps - bare <= 0.25)
    sympy_import = command_time([sys.executable, "-c", "import sympy"], repeat)
    derive = command_time([sys.executable, "-m", "tutor", "derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1"], repeat)
    row("tutor derive", derive, sympy_import, "import sympy", "<= 1.3x", derive <= 1.3 * sympy_import)


# --- the tutor ------------------------------------------------------------------------------


def bench_tutor(quick: bool) -> None:
    try:
        from tutor.app.app import TutorApp  # noqa: F401
    except ImportError as err:
        ROWS.append(("tutor app", "skipped", str(err), "", ""))
        return
    from tutor.app import app as app_module

    async def first_frame() -> float:
        start = time.perf_counter()
        app = app_module.TutorApp(lesson=None, lesson_dirs=[], lang="en")
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as home:
        os.environ["TUTOR_HOME"] = home
        seconds = min(asyncio.run(first_frame()) for _ in range(2 if quick else 3))
        row("tutor: time to first frame", seconds, None, "", "", None)
        latency = getattr(app_module, "measure_feedback_latency", None)
        if latency is not None:
            samples = asyncio.run(latency(repeat=5 if quick else 15))
            median = statistics.median(samples)
            row("tutor: keypress to feedback (median)", median, None, "", "<= 100 ms", median <= 0.1)


def bench_plots_and_export(quick: bool) -> None:
    try:
        from tutor import export, plots
        from tutor.lesson.catalog import find_lessons
        from tutor.walkthrough import build_walkthrough
    except ImportError as err:
        ROWS.append(("plots/export", "skipped", str(err), "", ""))
        return
    entries = [e for e in find_lessons([]) if e.lesson is not None]
    if not entries:
        return
    walk = build_walkthrough(entries[0].lesson)
    step = next((s for s in walk.steps if s.kind == "iteration"), walk.steps[0])
    with tempfile.TemporaryDirectory() as out:
        seconds = best(lambda: plots.plot_step(step, Path(out) / "one.png", "en"), 3)
        row("one PNG (an iteration)", seconds, None, "", "", None)
        start = time.perf_counter()
        for entry in entries:
            export.export_markdown(build_walkthrough(entry.lesson), Path(out), "en")
        row(f"export all {len(entries)} bundled lessons", time.perf_counter() - start, None, "", "", None)


# --- data at scale ----------------------------------------------------------------------------


def bench_data(quick: bool) -> None:
    import numpy as np

    from tutor.training import linear_regression_epoch

    n = 100_000
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, n)
    y = 2 * X + 1 + rng.normal(0, 0.5, n)
    order = np.random.default_rng(1).permutation(n)

    def hand(kind: str, batch: int) -> None:
        w = b = 0.0
        Xs, ys = X[order], y[order]
        size = n if kind == "batch" else (1 if kind == "stochastic" else batch)
        if size == 1:
            xl, yl = Xs.tolist(), ys.tolist()
            for xi, yi in zip(xl, yl):
                r = w * xi + b - yi
                w, b = w - 0.01 * 2 * r * xi, b - 0.01 * 2 * r
            return
        for start in range(0, n, size):
            xb, yb = Xs[start : start + size], ys[start : start + size]
            r = w * xb + b - yb
            w, b = w - 0.01 * 2 * np.mean(r * xb), b - 0.01 * 2 * np.mean(r)

    for kind, batch in (("batch", n), ("stochastic", 1), ("minibatch", 32)):
        ours = best(lambda: linear_regression_epoch(X, y, 0.0, 0.0, 0.01, kind=kind, batch_size=batch, rng=1), 3)
        base = best(lambda: hand(kind, batch), 3)
        row(f"1 epoch {kind}, 100k samples", ours, base, "numpy loop", "<= 1.5x", ours <= 1.5 * base)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", help="run one group: loop, exact, startup, tutor, plots, data")
    args = parser.parse_args()
    groups = {
        "loop": bench_descent_loop,
        "exact": bench_exact,
        "startup": bench_startup,
        "tutor": bench_tutor,
        "plots": bench_plots_and_export,
        "data": bench_data,
    }
    for name, fn in groups.items():
        if args.only and args.only != name:
            continue
        fn(args.quick)
    header = ("what", "ours", "baseline", "ratio", "budget")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(5)]
    print(f"machine: {machine()}")
    for r in [header, tuple("-" * w for w in widths), *ROWS]:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
