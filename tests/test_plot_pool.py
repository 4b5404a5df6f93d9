"""The export's process pool: it links exactly the figures plot_step draws, and they are the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from tutor import export, plots
from tutor.plots.pool import drawing_pool, has_picture


def test_has_picture_says_what_plot_step_draws(tmp_path, monkeypatch):
    from tutor.lesson.catalog import find_lessons
    from tutor.walkthrough import build_walkthrough

    monkeypatch.setattr(plots.style, "save", lambda fig, path: Path(path))  # build each figure, write none
    checked = 0
    for entry in find_lessons([]):
        for step in build_walkthrough(entry.lesson).steps:
            drawn = plots.plot_step(step, tmp_path / "x.png") is not None
            assert has_picture(step) == drawn, (entry.id, step.id)
            checked += drawn
    assert checked >= 20


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_the_pool_draws_the_same_bytes_as_one_process(tmp_path, monkeypatch, platform):
    """Forked from a warm process (Linux) or spawned (elsewhere), a worker draws what this process would.

    Forked workers once shared the warm process's open font files (through its parsed formulas): glyphs came out
    garbled or FreeType failed ("invalid outline").
    """
    import threading

    from tutor import forking
    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    monkeypatch.setattr(forking.sys, "platform", platform)
    walkthrough = build_walkthrough(resolve_lesson("sign-of-the-derivative"))
    alone, _ = export.render_markdown(walkthrough, tmp_path / "alone", "x")
    with drawing_pool(2) as workers:
        assert workers is not None
        method = workers._mp_context.get_start_method()  # type: ignore[attr-defined]
        assert method == ("fork" if platform == "linux" else "spawn"), threading.enumerate()
        pooled, images = export.render_markdown(walkthrough, tmp_path / "pooled", "x")
    assert pooled == alone and images
    for image in images:
        assert image.read_bytes() == (tmp_path / "alone" / image.name).read_bytes(), image.name


def test_the_pools_workers_speak_the_exporting_process_s_language(tmp_path):
    """A worker process starts in English; each figure is drawn in the language of the process that exports."""
    from conftest import speaking

    from tutor.lesson.catalog import resolve_lesson
    from tutor.walkthrough import build_walkthrough

    def export_in(folder: str, pool: bool):
        walkthrough = build_walkthrough(resolve_lesson("sign-of-the-derivative"))
        if not pool:
            return export.render_markdown(walkthrough, tmp_path / folder, "x")
        with drawing_pool(2):
            return export.render_markdown(walkthrough, tmp_path / folder, "x")

    alone, _ = speaking("zh", export_in, "alone", False)
    pooled, images = speaking("zh", export_in, "pooled", True)
    speaking("en", export_in, "english", True)
    assert pooled == alone and images
    differ = 0
    for image in images:
        assert image.read_bytes() == (tmp_path / "alone" / image.name).read_bytes(), image.name
        differ += image.read_bytes() != (tmp_path / "english" / image.name).read_bytes()
    assert differ == len(images)  # every figure has words, and the pool's are Chinese


def test_a_pool_only_on_cores_other_processes_leave_free(monkeypatch):
    """Linux's counters over 50 ms: (busy, idle) ticks of both cores, as /proc/stat would give them."""
    from tutor.plots import pool

    monkeypatch.setattr(pool.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pool.time, "sleep", lambda seconds: None)

    def counters(*readings):
        it = iter(readings)
        monkeypatch.setattr(pool, "_cpu_ticks", lambda: next(it))

    counters((1000, 5000), (1010, 5000))  # both cores busy the whole time: draw here
    assert pool.idle_cores() == 1
    counters((1000, 5000), (1010, 5000))
    with drawing_pool() as busy:
        assert busy is None
    counters((1000, 5000), (1005, 5005))  # one busy: the exporter takes the other
    assert pool.idle_cores() == 1
    counters((1000, 5000), (1001, 5009))  # both idle: a pool of two
    assert pool.idle_cores() == 2


def test_without_the_kernels_counters_the_load_average_decides(monkeypatch):
    from tutor.plots import pool

    def unreadable():
        raise OSError("no /proc/stat")

    monkeypatch.setattr(pool, "_cpu_ticks", unreadable)
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (3.7, 3.0, 3.0))  # both cores busy: draw here
    assert pool.idle_cores() == 1
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (0.9, 1.0, 1.0))  # one busy (it may be ours): both
    assert pool.idle_cores() == 2
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert pool.idle_cores() == 2  # never more than the cores


def test_the_kernels_counters_are_read_on_linux():
    import sys

    from tutor.plots import pool

    if not sys.platform.startswith("linux"):
        pytest.skip("/proc/stat is Linux's")
    busy, idle = pool._cpu_ticks()
    assert busy > 0 and idle >= 0
    assert 0 <= pool._idle_now(2) <= 2


def test_a_section_the_broken_pool_could_not_draw_is_drawn_here(tmp_path, bundled_walkthrough):
    from concurrent.futures.process import BrokenProcessPool

    from tutor.plots.step import drawing

    class Broken:  # the future of a task whose worker died
        def result(self):
            raise BrokenProcessPool("a worker stopped")

    steps = [s for s in bundled_walkthrough("sign-of-the-derivative").steps if drawing(s) is not None][:3]
    figures = [(drawing(step), tmp_path / f"{i}.png") for i, step in enumerate(steps)]
    drawn = export._drawn(Broken(), figures)
    assert [error for _, error in drawn] == [None] * len(steps)
    for (_, path), step in zip(figures, steps):
        alone = plots.plot_step(step, tmp_path / "alone.png")
        assert alone is not None and path.read_bytes() == alone.read_bytes()


def _parsed_formulas_here() -> int:
    from matplotlib.mathtext import MathTextParser

    from tutor.plots import style

    return MathTextParser._parse_cached.cache_info().currsize + len(style._parsers)  # type: ignore[attr-defined]


def test_no_parsed_formula_crosses_a_fork():
    """A parsed formula holds the parent's open font files; a forked child must parse its own (see above)."""
    import multiprocessing

    from tutor.plots import pool

    pool._warm.__wrapped__()
    assert _parsed_formulas_here() > 0
    with multiprocessing.get_context("fork").Pool(1) as child:
        assert child.apply(_parsed_formulas_here) == 0


def test_warming_up_in_chinese_draws_every_glyph(caplog):
    """The warm-up figure speaks the learner's language; hanzi in maths text would draw as boxes (and say so)."""
    import logging

    from conftest import speaking

    from tutor.plots import pool

    with caplog.at_level(logging.WARNING):
        speaking("zh", pool._warm.__wrapped__)  # drawn again, whatever this process drew before
    assert not [r.getMessage() for r in caplog.records]
