"""The export draws its PNGs on every core: a pool of processes, each drawing whole figures.

A figure is drawn the same way in a worker as in the exporting process (the
same code, fonts and sizes), so the bytes are the same; only when they are
drawn changes.  The exporter asks :func:`has_picture` first, so it can write
the image link at once and collect the files at the end of the lesson.  A task
is the step's :func:`~tutor.plots.step.drawing` (its picture, as floats, and
its words), never the step: the workers import matplotlib, not sympy.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.plots.step import Drawing, drawing

if TYPE_CHECKING:
    from tutor.walkthrough.steps import Step

_pool: ContextVar[ProcessPoolExecutor | None] = ContextVar("drawing_pool", default=None)


def has_picture(step: Step) -> bool:
    """Whether :func:`tutor.plots.plot_step` draws something for this step (the same dispatch, nothing drawn)."""
    return drawing(step) is not None


def _draw(order: Drawing, path: str, lang: str) -> tuple[str | None, str | None]:
    """In a worker: the PNG's path (None when nothing was drawn), or the error's one line."""
    from tutor import i18n
    from tutor.errors import TutorError
    from tutor.plots.step import draw

    before = i18n.current_language()
    i18n.set_language(lang)  # a spawned worker starts in English: it speaks the exporter's language
    try:
        written = draw(order, Path(path))
    except TutorError as err:
        return None, err.message
    except Exception as err:  # the exporter reports it as it would from its own process
        return None, f"{type(err).__name__}: {err}"
    finally:
        i18n.set_language(before)  # drawn here (draw_here), the process keeps its own language
    return (str(written) if written is not None else None), None


def draw_here(future: Future[tuple[str | None, str | None]], path: Path) -> tuple[str | None, str | None]:
    """A figure the pool could not draw (its process broke), drawn in this process instead."""
    from tutor.i18n import current_language

    return _draw(future.order, str(path), current_language())  # type: ignore[attr-defined]


def submit(step: Step, path: Path) -> Future[tuple[str | None, str | None]] | None:
    """Draw ``step`` in the current pool; None when there is no pool or nothing to draw (then draw it here).

    Only the step's picture and words travel (floats and strings): a worker never imports sympy.
    """
    pool = _pool.get()
    order = drawing(step)
    if pool is None or order is None:
        return None
    try:
        from tutor.i18n import current_language

        future = pool.submit(_draw, order, str(path), current_language())
    except RuntimeError:  # the pool broke (a worker could not start): draw here
        return None
    future.order = order  # type: ignore[attr-defined]  # to draw it here if the pool breaks meanwhile
    return future


def _ready() -> None:
    """A worker's start: import the figures and register the fonts now, while the exporter builds its first lesson."""
    from tutor.plots import step, style

    style.font_family()
    del step


@contextlib.contextmanager
def drawing_pool(workers: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for the export's figures, one process per core (none on a single core).

    Its processes start at once (each imports matplotlib: about a second), so
    they are ready by the time the first lesson's walkthrough is built.
    """
    count = workers or os.cpu_count() or 1
    if count < 2:
        yield None
        return
    # spawn, not the forkserver: that one is the checker's (tutor.sandbox), preloaded with sympy for its quick restarts
    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"), initializer=_ready)
    for _ in range(count):  # a worker process starts per task submitted while none is idle
        pool.submit(int)
    token = _pool.set(pool)
    try:
        yield pool
    finally:
        _pool.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
