"""The export draws its PNGs on every idle core: a pool of processes, each drawing whole sections.

A figure is drawn the same way in a worker as in the exporting process (the
same code, fonts and sizes), so the bytes are the same; only when they are
drawn changes.  The exporter asks :func:`~tutor.plots.step.drawing` first, so
it can write the image link at once and collect the files at the end of the
lesson.  A task is one section's drawings (their pictures, as floats, and
words), never the steps: the workers import matplotlib, not sympy.  One worker
owns a section, so it keeps one figure for its steps and updates only what
changes from step to step (:class:`~tutor.plots.runs.Frames`).
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.context
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.forking import can_fork, frozen_heap
from tutor.plots.step import Drawing, drawing

if TYPE_CHECKING:
    from tutor.plots.runs import Frames
    from tutor.walkthrough.steps import Step

_pool: ContextVar[ProcessPoolExecutor | None] = ContextVar("drawing_pool", default=None)

#: What drawing one figure gave: the PNG's path (None when nothing was drawn), or the error's one line.
Drawn = tuple[str | None, str | None]


def has_picture(step: Step) -> bool:
    """Whether :func:`tutor.plots.plot_step` draws something for this step (the same dispatch, nothing drawn)."""
    return drawing(step) is not None


def _draw(order: Drawing, path: str, frames: Frames | None = None) -> Drawn:
    """One figure, its error said in one line as the exporter would say it from its own process."""
    from tutor.errors import TutorError
    from tutor.plots.step import draw

    try:
        written = draw(order, Path(path), frames)
    except TutorError as err:
        return None, err.message
    except Exception as err:
        return None, f"{type(err).__name__}: {err}"
    return (str(written) if written is not None else None), None


def _draw_section(orders: Sequence[tuple[Drawing, str]], lang: str) -> list[Drawn]:
    """In a worker: a section's figures in order, one figure kept and updated between its steps."""
    from tutor import i18n
    from tutor.plots.runs import Frames

    before = i18n.current_language()
    i18n.set_language(lang)  # a spawned worker starts in English: it speaks the exporter's language
    try:
        frames, drawn = Frames(), []
        for order, path in orders:
            result = _draw(order, path, frames)
            if result[1] is not None:  # a figure that failed half-way is not updated further
                frames = Frames()
            drawn.append(result)
        return drawn
    finally:
        i18n.set_language(before)  # drawn here (draw_here), the process keeps its own language


def submit_section(orders: Sequence[tuple[Drawing, Path]]) -> Future[list[Drawn]] | None:
    """Draw a section's figures in the current pool; None when there is no pool (then draw them here).

    Only the pictures and words travel (floats and strings): a worker never imports sympy.
    """
    from tutor.i18n import current_language

    pool = _pool.get()
    if pool is None or not orders:
        return None
    try:
        return pool.submit(_draw_section, [(order, str(path)) for order, path in orders], current_language())
    except RuntimeError:  # the pool broke (a worker could not start): draw here
        return None


def draw_here(orders: Sequence[tuple[Drawing, Path]]) -> list[Drawn]:
    """A section the pool could not draw (its process broke), drawn in this process instead."""
    from tutor.i18n import current_language

    return _draw_section([(order, str(path)) for order, path in orders], current_language())


def _ready() -> None:
    """A worker's start: import the figures and register the fonts now, while the exporter builds its first lesson."""
    from tutor.plots import step, style

    style.font_family()
    del step


@functools.cache  # once a process: a process that exported before is warm
def _warm() -> None:
    """Draw one small figure here (maths text, a legend, hanzi), so that workers forked from this process start warm.

    The first figure a process draws costs several later ones (matplotlib's font and glyph caches, the maths-text
    parser's grammar); forked workers share what this one already paid for.
    """
    import io

    from tutor.plots import style

    _ready()

    @style._one_at_a_time
    def draw() -> None:
        fig, ax = style.new_figure()
        ax.plot([0.0, 1.0], [1.0, 0.0], label=r"$f(x) = x^{2}$")
        ax.set_title(r"$\eta = \frac{1}{2}$")
        ax.set_xlabel(style.word("minimum"))  # words in the learner's language (hanzi: the CJK font)
        style._legend(ax)
        fig.canvas.print_png(io.BytesIO())

    draw()


def _context() -> tuple[multiprocessing.context.BaseContext, Callable[[], None] | None]:
    """How the workers start: forked from this process, warmed first, where that is safe; else spawned.

    A spawned worker starts a new interpreter, imports the exporter's main module again and then matplotlib, and
    draws its first figures cold: measured, half a second before its first figure and every figure about 1.5x
    slower than in a warm process.  Forking is safe only with no other thread running (one could hold a lock the
    child would then wait on forever), and only on Linux (macOS libraries may not survive a fork).
    """
    if can_fork():
        _warm()
        return multiprocessing.get_context("fork"), None
    return multiprocessing.get_context("spawn"), _ready


def idle_cores() -> int:
    """The cores other processes leave free right now, at least one.

    On a busy machine the workers only take turns with the exporter and the
    other processes: measured with the cores busy, the export ran 10-20 % faster
    in one process than on a pool of two.  Linux says how idle the cores are over
    the next 50 ms (the exporter waits meanwhile); elsewhere the last minute's
    load average is used, the exporter counted as one of its runners.  (The load
    average alone also counted work that had just finished, such as a benchmark's
    previous row, and then drew in one process on an idle machine.)
    """
    count = os.cpu_count() or 1
    idle = _idle_now(count)
    if idle is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average (Windows): every core
            return count
        idle = count + 1 - load
    return max(1, min(count, round(idle)))


def _idle_now(count: int, seconds: float = 0.05) -> float | None:
    """How many cores were idle over the next ``seconds``, from the kernel's counters; None where there are none."""
    try:
        busy_before, idle_before = _cpu_ticks()
        time.sleep(seconds)
        busy_after, idle_after = _cpu_ticks()
    except (OSError, ValueError, IndexError):
        return None
    busy, idle = busy_after - busy_before, idle_after - idle_before
    return count * idle / (busy + idle) if busy + idle > 0 else None


def _cpu_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all cores since boot: the first line of /proc/stat (idle and iowait are idle)."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    return user + nice + system + irq + softirq + steal, idle + iowait


@contextlib.contextmanager
def drawing_pool(workers: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for the export's figures, one process per idle core (none when one core is free).

    On Linux they are forked at once from this process, warmed first (:func:`_context`); elsewhere they are
    spawned and import matplotlib while the first lesson's walkthrough is built.
    """
    count = workers or idle_cores()
    if count < 2:
        yield None
        return
    # not the forkserver: that one is the checker's (tutor.sandbox), preloaded with sympy for its quick restarts
    context, initializer = _context()
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=initializer)
    with frozen_heap(context.get_start_method() == "fork"):
        for _ in range(count):  # the workers start with the first task (forked: all of them at once)
            pool.submit(int)
    token = _pool.set(pool)
    try:
        yield pool
    finally:
        _pool.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
