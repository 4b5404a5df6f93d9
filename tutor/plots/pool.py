"""The export draws its PNGs on every core: a pool of processes, each drawing whole figures.

A figure is drawn the same way in a worker as in the exporting process (the
same code, fonts and sizes), so the bytes are the same; only when they are
drawn changes.  The exporter asks :func:`has_picture` first, so it can write
the image link at once and collect the files at the end of the lesson.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from tutor.walkthrough.contract import (
    BatchPayload,
    DerivePayload,
    EvaluatePayload,
    ExplainPayload,
    IterationPayload,
    OutcomePayload,
    PredictPayload,
    QuestionPayload,
    RunPayload,
    TrainingPayload,
)

if TYPE_CHECKING:
    from tutor.walkthrough.model import Step

_pool: ContextVar[ProcessPoolExecutor | None] = ContextVar("drawing_pool", default=None)


def has_picture(step: Step) -> bool:
    """Whether :func:`tutor.plots.plot_step` draws something for this step (the same cases, nothing drawn)."""
    match step.payload:
        case ExplainPayload(picture=picture) | TrainingPayload(picture=picture) | BatchPayload(picture=picture):
            return picture is not None
        case RunPayload(comparison=comparison) if comparison is not None:
            return True
        case IterationPayload() | RunPayload() | OutcomePayload() as p:
            return p.picture is not None
        case DerivePayload() | EvaluatePayload() | PredictPayload() | QuestionPayload():
            return False
        case _:
            assert_never(step.payload)


def _draw(step: Any, path: str, lang: str) -> tuple[str | None, str | None]:
    """In a worker: the PNG's path (None when nothing was drawn), or the error's one line."""
    from tutor.errors import TutorError
    from tutor.plots.step import plot_step

    try:
        written = plot_step(step, Path(path), lang)
    except TutorError as err:
        return None, err.message
    except Exception as err:  # the exporter reports it as it would from its own process
        return None, f"{type(err).__name__}: {err}"
    return (str(written) if written is not None else None), None


def submit(step: Any, path: Path, lang: str) -> Future | None:
    """Draw ``step`` in the current pool; None when there is no pool (draw it here)."""
    pool = _pool.get()
    if pool is None:
        return None
    try:
        future = pool.submit(_draw, step, str(path), lang)
    except RuntimeError:  # the pool broke (a worker could not start): draw here
        return None
    future.step = step  # type: ignore[attr-defined]  # to draw it here if the pool breaks meanwhile
    return future


@contextlib.contextmanager
def drawing_pool(workers: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for the export's figures, one process per core (none on a single core)."""
    count = workers or os.cpu_count() or 1
    if count < 2:
        yield None
        return
    # spawn, not the forkserver: that one is the checker's (tutor.sandbox), preloaded with sympy for its quick restarts
    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
    token = _pool.set(pool)
    try:
        yield pool
    finally:
        _pool.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
