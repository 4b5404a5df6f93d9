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


def best(fn, repeat: int = 5) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
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
    from tutor.mathtext import parse_expression, symbol

    names = ["x", "z", "m"]
    f = parse_expression("2x^2 + 6z^2 + 7m^3", names)
    lr = 0.001

    def ours(n: int):
        run = descent.run(f, names, [1.0, 1.0, 1.0], lr, steps=n, until=["sign-change"])
        return run.final.point  # the --format summary path reads only the last step

    def by_hand(n: int):
        """The loop a person writes: gradient by hand, the same stop checks, no history kept."""
        x = z = m = 1.0
        sx = sz = sm = 0
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
            if gx == 0 and gz == 0 and gm == 0:
                break
            last = (x, z, m)
            x, z, m = x - lr * gx, z - lr * gz, m - lr * gm
            sx, sz, sm = nx, nz, nm
        return last

    check = [abs(a - b) <= 1e-12 * max(1.0, abs(b)) for a, b in zip(ours(1_000), by_hand(1_000))]
    assert all(check), "the generated loop and the hand-written loop disagree"

    small, large = 1_000, (50_000 if quick else 200_000)
    marginal = (best(lambda: ours(large), 3) - best(lambda: ours(small), 3)) / (large - small)
    hand = (best(lambda: by_hand(large), 3) - best(lambda: by_hand(small), 3)) / (large - small)
    row("descent step, float, 3 variables", marginal, hand, "hand-written loop", "<= 3x", marginal <= 3 * hand)

    from sympy.core.cache import clear_cache

    syms = [symbol(v) for v in names]
    grad = [f.diff(s) for s in syms]

    def naive(n: int) -> None:
        """The tutorial loop: substitute the point into the symbolic gradient every step.

        sympy's cache is emptied first: a repeated run would otherwise find
        every step's substitution cached, which a real run never does.
        """
        clear_cache()
        p = dict(zip(syms, [1.0, 1.0, 1.0]))
        for _ in range(n):
            g = [float(gi.subs(p)) for gi in grad]
            float(f.subs(p))
            p = {s: p[s] - lr * gi for s, gi in zip(syms, g)}

    n_naive = 50 if quick else 200
    naive_step = best(lambda: naive(n_naive), 2) / n_naive
    row(
        "descent step vs subs() loop",
        marginal,
        naive_step,
        "subs() loop",
        ">= 1000x faster",
        naive_step >= 1000 * marginal,
        faster=True,
    )


def bench_exact(quick: bool) -> None:
    from sympy import Rational

    from tutor import descent
    from tutor.mathtext import parse_expression

    f = parse_expression("5x^2 + 3x + 1", ["x"])
    run = descent.run(f, ["x"], [1], Rational(1, 20), steps=200, exact=True)
    assert len(run.steps) == 201 and all(v.is_Rational for s in run.steps for v in s.point)
    seconds = best(lambda: descent.run(f, ["x"], [1], Rational(1, 20), steps=200, exact=True), 3)
    row("200 exact steps, quadratic", seconds, None, "", "< 1 s", seconds < 1)
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


def bench_startup(quick: bool) -> None:
    repeat = 5 if quick else 15
    tutor = tutor_command()
    derive = [*tutor, "derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1"]
    commands = {
        "bare": [sys.executable, "-c", "pass"],
        "sympy": [sys.executable, "-c", "import sympy"],
        "help": [*tutor, "--help"],
        "derive": derive,
    }
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as home:
        t = command_times(commands, repeat, _bytecode_env(Path(cache), Path(home)))
        heavy = heavy_modules_on_help(Path(home))
        cold = command_times(
            {"sympy": commands["sympy"], "derive": derive}, max(3, repeat // 3), _bytecode_env(None, Path(home))
        )
    (bare, _), (sympy_wall, sympy_cpu), (helps, _), (derive_wall, derive_cpu) = (
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
    row("tutor derive", derive_wall, sympy_wall, "import sympy", "<= 1.3x", derive_wall <= 1.3 * sympy_wall)
    row("tutor derive, CPU time", derive_cpu, sympy_cpu, "import sympy", "(cross-check)", None)
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
    app = TutorApp(lesson=None, lesson_dirs=[], lang="en")
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
    app = TutorApp(lesson=None, lesson_dirs=[], lang="en")
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
    app = TutorApp(lesson=lesson, lesson_dirs=[], lang="en", images=False, resume=False)
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
                    lambda: screen.busy or any(w.group == "grade" and id(w) not in graders for w in app.workers)
                )
                await until(lambda: not screen.busy and str(feedback.render())[:1] in "✓✗⚠")
                shown = time.perf_counter()
                await until(lambda: bool(frames) and frames[-1] >= shown)
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
    app = TutorApp(lesson=lesson, lesson_dirs=[], lang="en", images=mode, resume=False, store=store)
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
run_app("sign-of-the-derivative", [], "en", images="text")
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

    fig = Figure(figsize=plots.FIGSIZE, dpi=plots.DPI)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = np.linspace(-1.0, 1.0, plots.style.CURVE_SAMPLES)
    ax.plot(xs, 5 * xs**2, label=r"$f(x) = 5x^{2}$" if maths else None)
    ax.plot([1.0, 0.5], [5.0, 1.25], "o", label=r"$x_k$" if maths else None)
    if maths:
        ax.set_title(r"$f(x) = 5x^{2}$,   $\eta = \frac{3}{20}$")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend()
        fig.suptitle("Gradient descent")
    fig.canvas.print_png(path, metadata={"Software": None})


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
        assert plots.plot_step(step, png, "en") == png and png.read_bytes()[:4] == b"\x89PNG"
        minimal_figure(base, maths=True)
        ours = base_time = math.inf
        for _ in range(repeat):  # interleaved, so both see the same machine
            ours = min(ours, best(lambda: plots.plot_step(step, png, "en"), 1))
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
        start = time.perf_counter()
        walks = [build_walkthrough(e.lesson) for e in entries]
        built = time.perf_counter() - start
        row(f"walkthroughs of all {len(entries)} bundled lessons", built, None, "", "(information)", None)
        first = Path(out) / "first"
        list(export.export_command([], first, False, [], "en"))  # as `tutor export`: every bundled lesson
        start = time.perf_counter()
        list(export.export_command([], Path(out) / "md", False, [], "en"))
        written = time.perf_counter() - start
        images = sorted((Path(out) / "md").rglob("*.png"))
        same = all((first / p.relative_to(Path(out) / "md")).read_bytes() == p.read_bytes() for p in images)
        start = time.perf_counter()
        for i in range(len(images)):
            minimal_figure(Path(out) / f"m{i}.png", maths=False)
        minimal = time.perf_counter() - start
        row(
            f"export all {len(entries)} lessons ({len(images)} PNGs, {os.cpu_count()} cores)",
            written,
            minimal,
            f"{len(images)} minimal figures",
            "<= 1.5x, same bytes" + ("" if same else " (DIFFERENT BYTES)"),
            written <= 1.5 * minimal and same,
        )
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
            for xi, yi in zip(Xs.tolist(), ys.tolist()):
                r = w * xi + b - yi
                losses.append(r * r)
                w, b = w - lr * 2 * r * xi, b - lr * 2 * r
            return w, b, np.array(losses)
        for start in range(0, n, size):
            xb, yb = Xs[start : start + size], ys[start : start + size]
            r = w * xb + b - yb
            losses.append(np.mean(r * r))
            w, b = w - lr * 2 * np.mean(r * xb), b - lr * 2 * np.mean(r)
        return w, b, np.array(losses)

    repeat = 3 if quick else 7
    for kind, size in (("batch", n), ("stochastic", 1), ("minibatch", 32)):

        def ours():
            return linear_regression_epoch(X, y, 0.0, 0.0, lr, kind=kind, batch_size=size, rng=seed)

        (w1, b1, l1), (w2, b2, l2) = ours(), hand(kind, size)
        assert np.allclose([w1, b1], [w2, b2], rtol=1e-9, atol=1e-12) and np.allclose(l1, l2, rtol=1e-9), kind
        # alternate so both see the same machine
        t_ours, t_hand = math.inf, math.inf
        for _ in range(repeat):
            t_ours = min(t_ours, best(ours, 1))
            t_hand = min(t_hand, best(lambda: hand(kind, size), 1))
        row(f"1 epoch {kind}, 100k samples", t_ours, t_hand, "numpy loop", "<= 1.5x", t_ours <= 1.5 * t_hand)


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

    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}, "
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


GROUPS = {
    "loop": bench_descent_loop,
    "exact": bench_exact,
    "startup": bench_startup,
    "tutor": bench_tutor,
    "screen": bench_screen,
    "plots": bench_plots_and_export,
    "data": bench_data,
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
    for name, fn in GROUPS.items():
        if args.only and name not in args.only:
            continue
        fn(args.quick)
    if args.json:
        import json
        from dataclasses import asdict

        print(json.dumps([asdict(r) for r in ROWS], ensure_ascii=False))
        return
    print(f"machine: {machine()}\n")
    print(table(args.markdown))


if __name__ == "__main__":
    main()
