"""Where the time goes: figures and ratios against baselines, printed as a table.

Run:  python tests/benchmarks/bench.py [--quick] [--only GROUP] [--markdown]

Not collected by pytest (no timed assertions in the test suite); each row says
its budget and whether this machine met it.  Ratios, not seconds, are what to
compare across machines.  Timings are the best of several runs (the run the
rest of the machine disturbed least), except latencies, which are medians.

Every baseline does the same work as the code it is compared with, and the
bench checks that (same final point, same parameters, same losses) before it
prints a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")


@dataclass
class Row:
    what: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    budget: str = ""


ROWS: list[Row] = []


#: In-process rows time the CPU this thread spends: on a shared machine wall time also counts the time spent
#: waiting for a core (with 8 jobs on 2 cores, a 13 ms run was 5 ms of work), which punishes the longer of two
#: runs.  Both sides of every ratio are timed the same way; commands in a new process are timed by the wall clock.
clock = time.thread_time


def best(fn, repeat: int = 5) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def verdict(met: bool | None) -> str:
    return "" if met is None else ("ok" if met else "OVER")


def row(
    what: str,
    ours: float,
    baseline: float | None = None,
    baseline_name: str = "",
    budget: str = "",
    met: bool | None = None,
    *,
    faster: bool = False,
) -> None:
    """One line of the table; ``faster`` states the ratio as "N x faster" (baseline / ours)."""
    ratio = ""
    if baseline:
        ratio = f"{baseline / ours:,.0f}x faster" if faster else f"{ours / baseline:.2f}x"
    shown = f"{baseline_name} {fmt_time(baseline)}" if baseline else baseline_name
    ROWS.append(Row(what, fmt_time(ours), shown, ratio, f"{budget} {verdict(met)}".strip()))


# --- the descent loop -------------------------------------------------------------------


def bench_descent_loop(quick: bool) -> None:
    from tutor import descent
    from tutor.mathinput import parse_expression, symbol

    names = ["x", "z", "m"]
    f = parse_expression("2x^2 + 6z^2 + 7m^3", names)
    lr = 0.001

    def ours(n: int):
        """What `tutor descend ... --format summary` runs: every stop rule checked, no history kept."""
        walk = descent.descend(f, names, [1.0, 1.0, 1.0], lr, steps=n, until=["sign-change"])
        return walk.summary().final.point

    def plain(n: int):
        """The loop a person writes for the same descent: the gradient by hand, no checks, no history."""
        x = z = m = 1.0
        for _ in range(n):
            x, z, m = x - lr * (4 * x), z - lr * (12 * z), m - lr * (21 * (m * m))
        return x, z, m

    assert ours(20_000) == plain(20_000), "the generated loop and the hand-written loop disagree"

    small, large = 1_000, (50_000 if quick else 200_000)
    t: dict = {}
    for _ in range(3 if quick else 5):  # taking turns, so both see the same machine
        for name, fn in (("ours", ours), ("plain", plain)):
            for n in (small, large):
                t[name, n] = min(t.get((name, n), math.inf), best(lambda fn=fn, n=n: fn(n), 1))
    marginal = (t["ours", large] - t["ours", small]) / (large - small)
    hand = (t["plain", large] - t["plain", small]) / (large - small)
    row("descent step, float, 3 variables", marginal, hand, "plain loop", "<= 3x", marginal <= 3 * hand)

    syms = [symbol(v) for v in names]
    grad = [f.diff(s) for s in syms]
    starts = iter(range(1, 1000))

    def tutorial(n: int) -> None:
        """The loop tutorials write: substitute the point into f and the symbolic gradient every step.

        Each run starts somewhere new, so no substitution is found in
        sympy's cache from an earlier run (a real run never repeats one).
        """
        p = dict(zip(syms, [1.0 + next(starts) * 1e-6, 1.0, 1.0]))
        for _ in range(n):
            g = [float(gi.subs(p)) for gi in grad]
            float(f.subs(p))
            p = {s: p[s] - lr * gi for s, gi in zip(syms, g)}

    n_peer = 50 if quick else 200
    peer_step = best(lambda: tutorial(n_peer), 2) / n_peer
    row("peer: tutorial subs() loop", marginal, peer_step, "subs() loop", "(peer, not a limit)", None, faster=True)


def bench_memory(quick: bool) -> None:
    """Peak memory (maximum resident set) of `tutor descend` in a new process: many steps against few."""
    names = [f"x{i}" for i in range(1, 11)]
    # cosh, not squares: for a quadratic in 10 variables the notes' exact analysis (tutor.analysis) takes
    # over a minute on its own, and the watchdog stops the command (reported; not the runner's memory)
    expr = " + ".join(f"cosh({v})" for v in names)
    start = ",".join(f"{v}=1" for v in names)
    tutor = tutor_command()
    with tempfile.TemporaryDirectory() as home:
        env = _bytecode_env(None, Path(home))
        many_json = 20_000 if quick else 50_000  # JSON of 10 variables is ~1 kB a step: 50 MB of text
        for fmt, many in (("summary", 1_000_000), ("json", many_json)):
            peak = {}
            for steps in (10, many):
                args = [
                    *tutor,
                    "descend",
                    expr,
                    "--from",
                    start,
                    "--lr",
                    "1e-7",
                    "--steps",
                    str(steps),
                    "--format",
                    fmt,
                ]
                peak[steps] = min(run_peak(args, env) for _ in range(2))
            ratio = peak[many] / peak[10]
            ROWS.append(
                Row(
                    f"peak memory, --format {fmt}, {many:,} steps, 10 variables",
                    f"{peak[many] / 1024:.1f} MiB",
                    f"10 steps {peak[10] / 1024:.1f} MiB",
                    f"{ratio:.2f}x",
                    f"<= 1.2x {verdict(ratio <= 1.2)}",
                )
            )


def run_peak(args: list[str], env: dict) -> int:
    """The child's peak resident memory in KiB (output thrown away)."""
    child = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir()
    )
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed")
    return usage.ru_maxrss


def bench_exact(quick: bool) -> None:
    from fractions import Fraction

    from sympy import Rational

    from tutor import descent
    from tutor.mathinput import parse_expression

    f = parse_expression("5x^2 + 3x + 1", ["x"])

    def ours(n: int):
        return descent.run(f, ["x"], [1], Rational(1, 20), steps=n, exact=True)

    def by_hand(n: int):
        """The same run over Fractions by hand: f and f' each step, the update, every step kept."""
        x, lr, out = Fraction(1), Fraction(1, 20), []
        for _ in range(n + 1):
            value, slope = 5 * x * x + 3 * x + 1, 10 * x + 3
            out.append((x, value, slope))
            if slope == 0:
                break
            x = x - lr * slope
        return out

    for n in (200, 2000):
        run, hand = ours(n), by_hand(n)
        assert [(s.point[0], s.value, s.gradient[0]) for s in run.steps] == [
            (
                Rational(x.numerator, x.denominator),
                Rational(v.numerator, v.denominator),
                Rational(g.numerator, g.denominator),
            )
            for x, v, g in hand
        ], "exact mode and the Fraction loop disagree"
        t_ours = t_hand = math.inf
        for _ in range(3 if quick else 5):
            t_ours = min(t_ours, best(lambda n=n: ours(n), 1))
            t_hand = min(t_hand, best(lambda n=n: by_hand(n), 1))
        row(f"{n} exact steps, quadratic", t_ours, t_hand, "Fraction loop", "<= 2x", t_ours <= 2 * t_hand)
    run = descent.run(parse_expression("x^4", ["x"]), ["x"], [Rational(1, 2)], Rational(1, 3), steps=500, exact=True)
    digits = max(max(len(str(abs(v.p))), len(str(v.q))) for s in run.steps for v in (*s.point, s.value, *s.gradient))
    limit = descent.EXACT_DIGIT_LIMIT
    ROWS.append(
        Row(
            "exact number-size bound (x^4)",
            f"stops ({run.stop.reason}) at k = {run.stop.k}",
            f"largest: {digits} digits",
            "",
            f"<= {limit} digits {verdict(digits <= limit)}",
        )
    )


# --- derivatives ------------------------------------------------------------------------------------


def bench_derive(quick: bool) -> None:
    """`tutor derive --steps`'s work against sympy's diff, on expressions that grow three ways.

    Ours: the rule tree, the derivative it gives, and the text of every step
    (what `tutor derive --steps` prints).  Baseline: sympy's `diff` and the
    text of its answer (`str`).  Each repetition uses a fresh symbol, so
    neither finds anything of an earlier repetition in sympy's cache.
    """
    import itertools

    import sympy as sp

    from tutor.derivation import derive_steps, steps_text
    from tutor.mathinput import symbol

    fresh = itertools.count()

    def build(kind: str, n: int):
        x = symbol(f"x{next(fresh)}")
        if kind == "sum":
            return x, sp.Add(*[sp.Integer(i + 1) * x**i for i in range(1, n + 1)])
        if kind == "product":
            return x, sp.Mul(*[x + i for i in range(1, n + 1)])
        e = x
        for i in range(n):
            e = sp.exp(e) if i % 2 else sp.sin(e)
        return x, e

    def ours(f, x):
        assert derive_steps(f, x).result is not None
        steps_text(f, [x.name])

    def sympy_diff(f, x):
        str(sp.diff(f, x))

    sizes = {"sum": (10, 100, 500), "product": (10, 20, 40), "nesting": (5, 10, 20)}
    for kind, ns in sizes.items():
        for n in ns if not quick else ns[:2]:
            x, f = build(kind, n)
            assert sp.simplify(derive_steps(f, x).result - sp.diff(f, x)) == 0
            t_ours = t_base = math.inf
            for _ in range(2 if quick or n >= 100 else 4):
                for fn in (ours, sympy_diff):
                    x, f = build(kind, n)
                    start = clock()
                    fn(f, x)
                    spent = clock() - start
                    if fn is ours:
                        t_ours = min(t_ours, spent)
                    else:
                        t_base = min(t_base, spent)
            what = {
                "sum": f"sum of {n} terms",
                "product": f"product of {n} factors",
                "nesting": f"exp/sin nested {n} deep",
            }
            row(f"derive --steps, {what[kind]}", t_ours, t_base, "sympy diff + str", "<= 1.5x", t_ours <= 1.5 * t_base)


# --- start-up -------------------------------------------------------------------------------


def _bytecode_env(cache: Path | None, home: Path) -> dict:
    """Python's environment with a bytecode cache (in a private directory) or without one; the tutor's home in ``home``.

    An installed package has its bytecode compiled (pip does it on install,
    or Python on first import); a checkout run with PYTHONDONTWRITEBYTECODE=1
    compiles every tutor module on every start.  The budget rows use the cache.
    """
    env = dict(os.environ)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["TUTOR_HOME"] = str(home)
    return env


def run_timed(args: list[str], env: dict) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of a command."""
    start = time.perf_counter()
    child = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir()
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def command_times(commands: dict[str, list[str]], repeat: int, env: dict) -> dict[str, tuple[float, float]]:
    """Best wall and CPU time of each command, the commands taking turns so each sees the same machine."""
    times = {name: (math.inf, math.inf) for name in commands}
    for args in commands.values():  # warm up: file cache, and the bytecode cache when there is one
        run_timed(args, env)
    for _ in range(repeat):
        for name, args in commands.items():
            wall, cpu = run_timed(args, env)
            times[name] = (min(times[name][0], wall), min(times[name][1], cpu))
    return times


def tutor_command() -> list[str]:
    """The installed ``tutor`` script beside this Python (what a learner runs), else ``python -m tutor``."""
    script = Path(sys.executable).parent / "tutor"
    if script.is_file():
        first_line = script.read_bytes().split(b"\n", 1)[0]
        if first_line.startswith(b"#!") and b"python" in first_line:
            return [str(script)]
    return [sys.executable, "-m", "tutor"]


def heavy_modules_on_help(home: Path) -> list[str]:
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tutor", "--help"],
        capture_output=True,
        text=True,
        env=_bytecode_env(None, home),
    ).stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if line.startswith("import time:")}
    return sorted(m for m in ("sympy", "numpy", "matplotlib", "textual") if m in loaded)


#: The baseline of `tutor derive`'s start: sympy itself deriving the same gradient at the same point and printing
#: it.  A bare `import sympy` does no maths; sympy's first sum imports its tensor module (and combinatorics),
#: about 50 ms that every sympy program adding two terms pays (sympy 1.14: ``Add.flatten``).
SYMPY_GRADIENT = """
import sympy as sp
x, z, m = sp.symbols("x z m")
f = 2 * x**2 + 6 * z**2 + 7 * m**3
gradient = [f.diff(v) for v in (x, z, m)]
print(f, gradient, [g.subs({x: 1, z: 1, m: 1}) for g in gradient])
"""


def bench_startup(quick: bool) -> None:
    repeat = 5 if quick else 15
    tutor = tutor_command()
    derive = [*tutor, "derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1"]
    commands = {
        "bare": [sys.executable, "-c", "pass"],
        "sympy": [sys.executable, "-c", "import sympy"],
        "sympy gradient": [sys.executable, "-c", SYMPY_GRADIENT],
        "help": [*tutor, "--help"],
        "derive": derive,
        "lessons": [*tutor, "lessons"],  # the warm-up run fills the listing's cache; the timed runs use it
    }
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as home:
        t = command_times(commands, repeat, _bytecode_env(Path(cache), Path(home)))
        heavy = heavy_modules_on_help(Path(home))
        cold = command_times(
            {"sympy": commands["sympy"], "derive": derive}, max(3, repeat // 3), _bytecode_env(None, Path(home))
        )
    (bare, _), (sympy_wall, _), (helps, _), (derive_wall, derive_cpu) = (
        t["bare"],
        t["sympy"],
        t["help"],
        t["derive"],
    )
    ROWS.append(
        Row(
            "tutor --help",
            fmt_time(helps),
            f"python -c pass {fmt_time(bare)}",
            f"+{fmt_time(helps - bare)}",
            f"<= +0.25 s {verdict(helps - bare <= 0.25)}",
        )
    )
    ROWS.append(
        Row(
            "heavy imports on the --help path",
            ", ".join(heavy) or "none",
            "python -X importtime",
            "",
            f"none {verdict(not heavy)}",
        )
    )
    lessons = t["lessons"][0]
    ROWS.append(
        Row(
            "tutor lessons, lesson files unchanged",
            fmt_time(lessons),
            f"python -c pass {fmt_time(bare)}",
            f"+{fmt_time(lessons - bare)}",
            f"<= +0.3 s {verdict(lessons - bare <= 0.3)}",
        )
    )
    first = math.inf
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(4):  # the first run fills the bytecode cache
            with tempfile.TemporaryDirectory() as empty:
                first = min(first, run_timed([*tutor, "lessons"], _bytecode_env(Path(cache), Path(empty)))[0])
    row("tutor lessons, first listing (no cache)", first, sympy_wall, "import sympy", "(information)", None)
    script_wall, script_cpu = t["sympy gradient"]
    row(
        "tutor derive",
        derive_wall,
        script_wall,
        "sympy script, same gradient",
        "<= 1.3x",
        derive_wall <= 1.3 * script_wall,
    )
    row("tutor derive, CPU time", derive_cpu, script_cpu, "sympy script, same gradient", "(cross-check)", None)
    row("tutor derive against a bare import", derive_wall, sympy_wall, "import sympy", "(information)", None)
    row("tutor derive, no bytecode cache", cold["derive"][0], cold["sympy"][0], "import sympy", "(information)", None)


# --- the tutor ------------------------------------------------------------------------------


def _frames(app, screen_name: str | None = None) -> list[float]:
    """Record when the app hands a frame (of a screen called ``screen_name``) to its driver.

    That is the moment a terminal would be sent the frame; the headless test
    driver skips only the writing of the escape codes.
    """
    times: list[float] = []
    display = app._display

    def timed(screen, renderable):
        if renderable is not None and (screen_name is None or type(screen).__name__ == screen_name):
            times.append(time.perf_counter())
        return display(screen, renderable)

    app._display = timed
    return times


async def first_frame_in_process() -> tuple[float, float]:
    """Seconds from creating the app to its first frame, and to the frame listing the lessons."""
    from tutor.app.app import TutorApp

    start = time.perf_counter()
    app = TutorApp(lesson=None, lesson_dirs=[])
    frames = _frames(app, "PickerScreen")
    async with app.run_test(size=(100, 32)) as pilot:
        await until(lambda: bool(frames))
        first = frames[0] - start
        await until(lambda: bool(app.catalog))
        listed = time.perf_counter()
        await until(lambda: frames[-1] >= listed)
        lessons = frames[-1] - start
        await app.workers.wait_for_complete()
        await pilot.pause()
    return first, lessons


FRESH_PROCESS = """
import asyncio, sys, time
sys.path.insert(0, {bench!r})
from bench import _frames
from tutor.app.app import TutorApp

async def main():
    app = TutorApp(lesson=None, lesson_dirs=[])
    frames = _frames(app, "PickerScreen")
    async with app.run_test(size=(100, 32)) as pilot:
        while not frames:
            await asyncio.sleep(0.001)
        print(time.clock_gettime(time.CLOCK_MONOTONIC) - time.perf_counter() + frames[0])
        app.exit()

asyncio.run(main())
"""


def first_frame_fresh_process(env: dict) -> float:
    """Seconds from starting a new Python to the app's first frame (imports included)."""
    code = FRESH_PROCESS.format(bench=str(Path(__file__).parent))
    start = time.clock_gettime(time.CLOCK_MONOTONIC)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=tempfile.gettempdir()
    ).stdout
    return float(out.split()[-1]) - start


async def until(condition, timeout: float = 10.0, step: float = 0.0005) -> None:
    """Poll ``condition`` every half millisecond (the app runs on the same event loop meanwhile)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the tutor did not respond within 10 s")
        await asyncio.sleep(step)


def _answers(question) -> list[str]:
    """A wrong answer and then the right one, typed as a learner would."""
    import sympy as sp

    expected = question.expected
    if question.choices:
        keys = [c.key for c in question.choices]
        right = expected if isinstance(expected, str) else ", ".join(expected)
        wrong = next(k for k in keys if k != right) if isinstance(expected, str) else right
        return [wrong, right] if wrong != right else [right]
    if isinstance(expected, (tuple, list)):
        right = "(" + ", ".join(sp.sstr(e) for e in expected) + ")"
        wrong = "(" + ", ".join(sp.sstr(e + 1) for e in expected) + ")"
    else:
        right, wrong = sp.sstr(expected), sp.sstr(expected + 1)
    return [wrong.replace("**", "^"), right.replace("**", "^")]


async def feedback_latency(count: int) -> list[tuple[float, float]]:
    """Seconds from Enter to the frame that shows the verdict, and to the verdict in the widget, per answer.

    The lesson is opened and the answers typed with the Pilot.  Enter is sent
    the way Pilot.press sends it (a key event through the driver), but without
    Pilot.press's own waits for the CPU to go idle (20 ms slices), so what is
    timed is the app: the Input's submit, grading in its worker, the feedback
    update, and the next frame.  Plots drawn afterwards by their worker are
    waited for between answers and are not timed.  The PNGs are written as
    in the real app; ``images=False`` only skips showing them in the
    terminal, which a headless run has not got.
    """
    from textual import events

    from tutor.app.app import TutorApp
    from tutor.app.screens.lesson import LessonScreen
    from tutor.lesson.catalog import resolve_lesson

    lesson = resolve_lesson("sign-of-the-derivative")
    app = TutorApp(lesson=lesson, lesson_dirs=[], images=False, resume=False)
    frames = _frames(app)
    samples: list[tuple[float, float]] = []
    async with app.run_test(size=(100, 32)) as pilot:

        async def settle() -> None:
            for _ in range(2):
                await app.workers.wait_for_complete()
                await pilot.pause()

        while not (isinstance(app.screen, LessonScreen) and app.screen.session is not None):
            await pilot.pause(0.01)
        screen = app.screen
        session = screen.session
        box = screen.query_one("#answer")
        feedback = screen.query_one("#feedback")
        while len(samples) < count:
            question = session.current_question()
            if question is None:
                if session.at_last_step:
                    break
                await pilot.press("enter")  # the next step
                await settle()
                continue
            for text in _answers(question)[: count - len(samples)]:
                box.value = ""
                box.focus()
                await pilot.press(*text)
                await settle()
                assert box.value == text, (box.value, text)
                graders = {id(w) for w in app.workers if w.group == "grade"}
                start = time.perf_counter()
                app._driver.send_message(events.Key("enter", "\r"))
                # the Input submits, the screen says "checking…" and grades in a worker, then shows the verdict
                await until(
                    lambda graders=graders: (
                        screen.busy or any(w.group == "grade" and id(w) not in graders for w in app.workers)
                    )
                )
                await until(lambda: not screen.busy and str(feedback.render())[:1] in "✓✗⚠")
                shown = time.perf_counter()
                await until(lambda shown=shown: bool(frames) and frames[-1] >= shown)
                samples.append((frames[-1] - start, shown - start))
                await settle()
                if session.current_question() is not question:
                    break
        await pilot.press("ctrl+q")
    return samples


async def step_settle_times(lesson, mode: str = "text", size: tuple[int, int] = (120, 36)) -> dict[str, float]:
    """Seconds from the key press that opens each step to the frame that shows it settled, by step id.

    Each step's questions are skipped (F8, not timed); the F8 that then opens
    the next step is sent the way Pilot.press sends it, without its idle waits.
    Settled: the step's title, table and text are there and its picture (the
    braille sketch in text mode, the PNG otherwise) is on screen or known to be
    absent, and a frame has been handed to the driver after that.
    """
    from textual import events

    from tutor.app.app import TutorApp
    from tutor.app.screens.lesson import LessonScreen
    from tutor.app.widgets.plot import PlotView
    from tutor.progress import ProgressStore

    home = tempfile.mkdtemp()
    store = ProgressStore(Path(home) / "progress.sqlite")
    app = TutorApp(lesson=lesson, lesson_dirs=[], images=mode, resume=False, store=store)
    frames = _frames(app, "LessonScreen")
    times: dict[str, float] = {}
    async with app.run_test(size=size) as pilot:
        await until(lambda: isinstance(app.screen, LessonScreen) and app.screen.session is not None, 60)
        screen = app.screen
        session = screen.session
        view = screen.query_one(PlotView)

        def settled(step) -> bool:
            if session.step is not step:
                return False
            revealed = not step.questions or session.step_done()
            if mode == "text":
                if (step.id, revealed) in screen.sketched:
                    return view.has_class("-empty") or view.sketch is not None
                return view.has_class("-empty")
            return step.id in screen.plotted or view.has_class("-empty") or "…" not in str(view.children[0].render())

        while True:
            while session.current_question() is not None:
                await pilot.press("f8")
                await app.workers.wait_for_complete()
            if session.at_last_step:
                break
            await app.workers.wait_for_complete()
            await pilot.pause()
            nxt = session.steps[session.step_index + 1]
            start = time.perf_counter()
            app._driver.send_message(events.Key("f8", None))
            await until(lambda nxt=nxt: settled(nxt), 60)
            ready = time.perf_counter()
            await until(lambda ready=ready: bool(frames) and frames[-1] >= ready, 10)
            times[nxt.id] = frames[-1] - start
        await pilot.press("ctrl+q")
    shutil.rmtree(home, ignore_errors=True)
    return times


QUIT_PROCESS = """
import sys, time
sys.path.insert(0, {root!r})
import tutor.app.app as A
from tutor.app import run_app

run = A.TutorApp.run

def timed_run(self, **kw):
    async def pilot(p):
        await p.pause({wait})
        print(time.clock_gettime(time.CLOCK_MONOTONIC), flush=True)
        await p.press("ctrl+q")
    return run(self, headless=True, size=(120, 36), auto_pilot=pilot, loop=kw.get("loop"))

A.TutorApp.run = timed_run
run_app("sign-of-the-derivative", [], images="text")
"""


def quit_time(wait: float, env: dict) -> float:
    """Seconds from ctrl+q to the end of the process, ``wait`` seconds after the lesson was asked for.

    Early (0.3 s), the walkthrough is still being built in a worker that
    cannot be interrupted: the process must not wait for it.
    """
    code = QUIT_PROCESS.format(root=str(Path(__file__).parents[2]), wait=wait)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=tempfile.gettempdir()
    ).stdout
    end = time.clock_gettime(time.CLOCK_MONOTONIC)
    return end - float(out.split()[-1])


def bench_screen(quick: bool) -> None:
    """The lesson screen: the slowest step of each bundled lesson from key press to settled; ctrl+q to exit."""
    from tutor.lesson.catalog import find_lessons

    entries = [e for e in find_lessons([]) if e.lesson is not None and e.error is None]
    for entry in entries:
        times = asyncio.run(step_settle_times(entry.lesson))
        if not times:
            continue
        slowest = max(times, key=times.get)
        seconds = times[slowest]
        ROWS.append(
            Row(
                f"tutor: slowest step of {entry.id} (key to settled, text plot)",
                fmt_time(seconds),
                f"{slowest}; median {fmt_time(statistics.median(times.values()))} over {len(times)} steps",
                "",
                f"<= 300 ms {verdict(seconds <= 0.3)}",
            )
        )
    home = tempfile.mkdtemp()
    env = {**os.environ, "TUTOR_HOME": home, "MPLBACKEND": "Agg"}
    for wait in (0.3, 3.0):
        seconds = min(quit_time(wait, env) for _ in range(1 if quick else 3))
        what = "while the lesson is being prepared" if wait < 1 else "on a lesson step"
        row(f"tutor: ctrl+q to process exit, {what}", seconds, None, "", "<= 500 ms", seconds <= 0.5)
    shutil.rmtree(home, ignore_errors=True)


def bench_tutor(quick: bool) -> None:
    """The app's figures, measured in a child Python with a bytecode cache (as an installed tutor runs).

    Without the cache, a module the app imports lazily (the grader, the
    plots) is compiled from source the first time, and compile() holds the
    GIL: the UI thread would stall behind a worker for tens of milliseconds,
    which is this checkout's set-up (PYTHONDONTWRITEBYTECODE=1), not the app.
    The first child run fills the cache and its figures are thrown away.
    """
    if os.environ.get(CHILD) == "1":
        _bench_tutor_here(quick)
        return
    try:
        import tutor.app.app  # noqa: F401
    except ImportError as err:
        ROWS.append(Row("tutor app", "skipped", str(err)))
        return
    import json

    with tempfile.TemporaryDirectory() as cache:
        for args in (["--quick"], ["--quick"] if quick else []):
            home = tempfile.mkdtemp()  # each run starts as a new learner: nothing to resume
            env = {**_bytecode_env(Path(cache), Path(home)), CHILD: "1"}
            child = subprocess.run(
                [sys.executable, __file__, "--only", "tutor", "--json", *args],
                env=env,
                capture_output=True,
                text=True,
                cwd=tempfile.gettempdir(),
            )
            shutil.rmtree(home, ignore_errors=True)
            if child.returncode != 0:
                raise RuntimeError(f"the tutor bench failed:\n{child.stderr}")
            out = child.stdout
        ROWS.extend(Row(**r) for r in json.loads(out))


CHILD = "DESCENT_TUTOR_BENCH_CHILD"


def _bench_tutor_here(quick: bool) -> None:
    env = dict(os.environ)
    env.pop(CHILD)
    first_frame_fresh_process(env)  # fills the bytecode cache for the app's imports
    fresh = min(first_frame_fresh_process(env) for _ in range(3 if quick else 5))
    row("tutor: first frame, new process", fresh, None, "", "(information)", None)
    warm = [asyncio.run(first_frame_in_process()) for _ in range(2 if quick else 4)]
    row("tutor: first frame, in process", min(w[0] for w in warm), None, "", "(information)", None)
    row("tutor: lessons listed, in process", min(w[1] for w in warm), None, "", "(information)", None)
    samples = asyncio.run(feedback_latency(6 if quick else 15))
    median = statistics.median(total for total, _ in samples)
    graded = statistics.median(widget for _, widget in samples)
    ROWS.append(
        Row(
            f"tutor: Enter to verdict on screen ({len(samples)} answers)",
            f"{fmt_time(median)} median",
            f"graded in {fmt_time(graded)}; max {fmt_time(max(t for t, _ in samples))}",
            "",
            f"<= 100 ms {verdict(median <= 0.1)}",
        )
    )


def minimal_figure(path: Path, *, maths: bool) -> None:
    """The baseline figure: 8×5 inches on its own Agg canvas, a curve and two points; with ``maths``, a legend,
    a title and labels in maths text as a step's figure has."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from tutor import plots
    from tutor.plots.style import write_png
    from tutor.walkthrough.geometry import CURVE_SAMPLES

    fig = Figure(figsize=plots.FIGSIZE, dpi=plots.DPI)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = np.linspace(-1.0, 1.0, CURVE_SAMPLES)
    ax.plot(xs, 5 * xs**2, label=r"$f(x) = 5x^{2}$" if maths else None)
    ax.plot([1.0, 0.5], [5.0, 1.25], "o", label=r"$x_k$" if maths else None)
    if maths:
        ax.set_title(r"$f(x) = 5x^{2}$,   $\eta = \frac{3}{20}$")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend()
        fig.suptitle("Gradient descent")
    fig.canvas.draw()
    write_png(fig.canvas.buffer_rgba(), path, fig.dpi)  # the tutor's own PNG writer: the same encoding on both sides


def _minimal_worker() -> None:
    """A baseline worker's start: what an export's worker imports to draw (matplotlib's figure and Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


def _minimal_plain(path: str) -> None:
    minimal_figure(Path(path), maths=False)


def minimal_figures_on(cores: int, folder: Path, count: int) -> None:
    """The export's baseline: ``count`` minimal figures drawn on ``cores`` processes, started for them (spawned,
    as the export's are), so both sides pay for starting their processes and use the same cores."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    paths = [str(folder / f"m{i}.png") for i in range(count)]
    if cores < 2:
        for path in paths:
            _minimal_plain(path)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=cores, mp_context=context, initializer=_minimal_worker) as pool:
        list(pool.map(_minimal_plain, paths))


def bench_plots_and_export(quick: bool) -> None:
    """Plots at the limit: one step's PNG and the export of every lesson, each against minimal figures."""
    from tutor import export, plots
    from tutor.lesson.catalog import find_lessons, resolve_lesson
    from tutor.walkthrough import build_walkthrough

    walk = build_walkthrough(resolve_lesson("sign-of-the-derivative"))
    step = next(s for s in walk.steps if s.kind == "iteration")
    repeat = 5 if quick else 10
    with tempfile.TemporaryDirectory() as out:
        png, base = Path(out) / "one.png", Path(out) / "base.png"
        assert plots.plot_step(step, png) == png and png.read_bytes()[:4] == b"\x89PNG"
        minimal_figure(base, maths=True)
        ours = base_time = math.inf
        for _ in range(repeat):  # interleaved, so both see the same machine
            ours = min(ours, best(lambda: plots.plot_step(step, png), 1))
            base_time = min(base_time, best(lambda: minimal_figure(base, maths=True), 1))
        row(
            "one PNG (an iteration step)",
            ours,
            base_time,
            "minimal fig. + legend, maths",
            "<= 1.5x",
            ours <= 1.5 * base_time,
        )

        entries = [e for e in find_lessons([]) if e.lesson is not None]
        start = clock()
        walks = [build_walkthrough(e.lesson) for e in entries]
        built = clock() - start
        row(f"walkthroughs of all {len(entries)} bundled lessons", built, None, "", "(information)", None)
        first = Path(out) / "first"
        list(export.export_command([], first, False, []))  # as `tutor export`: every bundled lesson
        images = sorted(first.rglob("*.png"))
        cores = os.cpu_count() or 1
        written = pooled = alone = math.inf
        same = True
        for attempt in range(2 if quick else 3):  # interleaved, so each side sees the same machine; the best of each
            target = Path(out) / f"md{attempt}"
            start = time.perf_counter()
            list(export.export_command([], target, False, []))
            written = min(written, time.perf_counter() - start)
            same = same and all((target / p.relative_to(first)).read_bytes() == p.read_bytes() for p in images)
            start = time.perf_counter()
            minimal_figures_on(cores, Path(out) / f"m{attempt}", len(images))
            pooled = min(pooled, time.perf_counter() - start)
            start = time.perf_counter()
            for i in range(len(images)):
                minimal_figure(Path(out) / f"m{i}.png", maths=False)
            alone = min(alone, time.perf_counter() - start)
        minimal = min(pooled, alone)  # the faster way to draw them here: never a baseline slowed by its own start-up
        row(
            f"export all {len(entries)} lessons ({len(images)} PNGs, {cores} cores)",
            written,
            minimal,
            f"{len(images)} minimal figs, best way",
            "<= 1.5x, same bytes" + ("" if same else " (DIFFERENT BYTES)"),
            written <= 1.5 * minimal and same,
        )
        row(f"  {len(images)} minimal figures on {cores} cores (started)", pooled, None, "", "(information)", None)
        row(f"  {len(images)} minimal figures on 1 core", alone, None, "", "(information)", None)
        del walks


# --- data at scale ----------------------------------------------------------------------------


def bench_data(quick: bool) -> None:
    import numpy as np

    from tutor.training import linear_regression_epoch

    n, lr, seed = 100_000, 0.01, 1
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, n)
    y = 2 * X + 1 + rng.normal(0, 0.5, n)

    def hand(kind: str, size: int):
        """The numpy loop a person writes: shuffle, then one update per batch, keeping each update's loss."""
        w = b = 0.0
        if kind == "batch":
            r = w * X + b - y
            return w - lr * 2 * np.mean(r * X), b - lr * 2 * np.mean(r), np.array([np.mean(r * r)])
        order = np.random.default_rng(seed).permutation(n)
        Xs, ys = X[order], y[order]
        losses = []
        if kind == "stochastic":
            step = 2 * lr
            for xi, yi in zip(Xs.tolist(), ys.tolist()):
                r = w * xi + b - yi
                losses.append(r * r)
                move = step * r
                w, b = w - move * xi, b - move
            return w, b, np.array(losses)
        # mini-batch, by the same algorithm as ours: every batch's sums at once, then the sequential recurrence
        starts = np.arange(0, n, size)
        counts = np.diff(np.append(starts, n))
        m = counts.astype(float)
        sx, sy = np.add.reduceat(Xs, starts), np.add.reduceat(ys, starts)
        sxx, sxy = np.add.reduceat(Xs * Xs, starts), np.add.reduceat(Xs * ys, starts)
        c = 2 * lr / m
        ws, bs = [w], [b]
        for a_xx, a_x, a_xy, a_m, a_y in zip(*((c * v).tolist() for v in (sxx, sx, sxy, m, sy))):
            w, b = w - (w * a_xx + b * a_x - a_xy), b - (w * a_x + b * a_m - a_y)
            ws.append(w)
            bs.append(b)
        r = np.repeat(ws[:-1], counts) * Xs + np.repeat(bs[:-1], counts) - ys
        return w, b, np.add.reduceat(r * r, starts) / m

    def per_batch(size: int):
        """The tutorial's mini-batch loop (a peer, not the same algorithm): numpy over each batch in turn."""
        w = b = 0.0
        order = np.random.default_rng(seed).permutation(n)
        Xs, ys = X[order], y[order]
        losses = []
        for start in range(0, n, size):
            xb, yb = Xs[start : start + size], ys[start : start + size]
            r = w * xb + b - yb
            losses.append(np.mean(r * r))
            w, b = w - lr * 2 * np.mean(r * xb), b - lr * 2 * np.mean(r)
        return w, b, np.array(losses)

    repeat = 3 if quick else 7
    for kind, size in (("batch", n), ("stochastic", 1), ("minibatch", 32)):

        def ours(kind=kind, size=size):
            return linear_regression_epoch(X, y, 0.0, 0.0, lr, kind=kind, batch_size=size, rng=seed)

        (w1, b1, l1), (w2, b2, l2) = ours(), hand(kind, size)
        assert np.allclose([w1, b1], [w2, b2], rtol=1e-9, atol=1e-12) and np.allclose(l1, l2, rtol=1e-9), kind
        # alternate so both see the same machine
        t_ours, t_hand = math.inf, math.inf
        for _ in range(repeat):
            t_ours = min(t_ours, best(ours, 1))
            t_hand = min(t_hand, best(lambda kind=kind, size=size: hand(kind, size), 1))
        row(
            f"1 epoch {kind}, 100k samples", t_ours, t_hand, "same algorithm by hand", "<= 1.5x", t_ours <= 1.5 * t_hand
        )
    w3, b3, l3 = per_batch(32)
    assert np.allclose([w3, b3], [w1, b1], rtol=1e-9, atol=1e-12) and np.allclose(l3, l1, rtol=1e-9)
    t_peer = min(best(lambda: per_batch(32), 1) for _ in range(repeat))
    row("peer: per-batch numpy loop, minibatch", t_ours, t_peer, "per-batch loop", "(peer, not a limit)", None)


# --- the table ---------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    import numpy
    import sympy

    load = f", load average {os.getloadavg()[0]:.1f} (1 min)" if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()}{load}, Python {platform.python_version()}, "
        f"sympy {sympy.__version__}, numpy {numpy.__version__}, textual {version('textual')}"
    )


def table(markdown: bool) -> str:
    header = Row("what", "ours", "baseline", "ratio", "budget")
    cells = [[r.what, r.ours, r.baseline, r.ratio, r.budget] for r in [header, *ROWS]]
    if markdown:
        lines = ["| " + " | ".join(c) + " |" for c in cells]
        lines.insert(1, "|" + "---|" * 5)
        return "\n".join(lines)
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(cells[0], widths)).rstrip(), "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip() for cell in cells[1:]]
    return "\n".join(lines)


def bench_suite(quick: bool) -> None:
    """The whole test suite, run as the README's quick start runs it (both cores, pytest-xdist)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "auto", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    ROWS.append(
        Row(
            "the whole test suite, pytest -n auto",
            f"{seconds / 60:.1f} min",
            summary,
            "",
            f"<= 2 min {verdict(done.returncode == 0 and seconds <= 120)}",
        )
    )


GROUPS = {
    "loop": bench_descent_loop,
    "memory": bench_memory,
    "exact": bench_exact,
    "derive": bench_derive,
    "startup": bench_startup,
    "tutor": bench_tutor,
    "screen": bench_screen,
    "plots": bench_plots_and_export,
    "data": bench_data,
    "suite": bench_suite,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", choices=sorted(GROUPS), action="append", help="run only these groups (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--json", action="store_true", help="print only the rows, as JSON (for the bench's own child runs)"
    )
    args = parser.parse_args()
    started = f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"
    for name, fn in GROUPS.items():
        if args.only and name not in args.only:
            continue
        fn(args.quick)
    if args.json:
        import json
        from dataclasses import asdict

        print(json.dumps([asdict(r) for r in ROWS], ensure_ascii=False))
        return
    print(f"machine: {machine()} (at the end; at the start: {started})\n")
    print(table(args.markdown))


if __name__ == "__main__":
    main()
