"""Shared test set-up: no test writes to the real home, plots render headless."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def _shorter_idle_waits() -> None:
    """Textual's Pilot waits for the app in 20 ms slices, until one passes with under 5 % CPU (``textual._wait``).

    Every key press and pause waits at least one slice; a lesson test presses dozens of keys.  Slices of 5 ms
    make the same judgement (under 5 % CPU in a slice) sooner: the Pilot tests took 33 s instead of 21 s on two
    workers, with no failure in repeated runs on 2 and 4 workers.  The constants are private: if Textual renames
    them, nothing is changed (the tests only wait longer).
    """
    import textual._wait as wait

    if hasattr(wait, "SLEEP_GRANULARITY") and hasattr(wait, "SLEEP_IDLE"):
        wait.SLEEP_GRANULARITY = 0.005
        wait.SLEEP_IDLE = wait.SLEEP_GRANULARITY / 20


_shorter_idle_waits()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own learner data folder."""
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tutor-home"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("TUTOR_LANG", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(autouse=True)
def _english_first():
    """Every test starts in English (the language is chosen once per process; a test may choose another)."""
    from tutor import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def zh():
    """Run the test in Chinese: code messages from the zh_CN catalogue, lesson texts in zh."""
    from tutor import i18n

    i18n.set_language("zh")
    return "zh"


@pytest.fixture(scope="session")
def bundled_walkthrough():
    """``bundled_walkthrough(lesson_id)``: a bundled lesson's walkthrough, built once per test process and language.

    Several modules read the same bundled walkthroughs (building one runs
    the lesson's mathematics); a walkthrough is plain frozen data, so one
    build serves them all.
    """
    from functools import cache

    from tutor.lesson.catalog import find_lessons
    from tutor.walkthrough import build_walkthrough

    def build(lesson_id: str):
        from tutor.i18n import current_language

        return built(lesson_id, current_language())  # the words are said in the language it is built in

    @cache
    def built(lesson_id: str, language: str):
        from tutor import paths

        folder = paths.bundled_lessons_dir()
        entry = next(e for e in find_lessons([]) if e.id == lesson_id and e.path.parent == folder)
        return build_walkthrough(entry.lesson)

    return build


def speaking(lang: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with the process speaking ``lang`` (then back to the language before)."""
    from tutor import i18n

    before = i18n.current_language()
    i18n.set_language(lang)
    try:
        return fn(*args, **kwargs)
    finally:
        i18n.set_language(before)


def bilingual(fn, *args, **kwargs):
    """``{"en": ..., "zh": ...}``: what ``fn`` says in each language (a code message is said in one)."""
    return {lang: speaking(lang, fn, *args, **kwargs) for lang in ("en", "zh")}


async def settle(pilot) -> None:
    """Let the app's workers (walkthrough, grading, plots) finish and what they post reach the screen.

    Three rounds, and more while a worker is still running: a finished worker's message can start another worker
    (a step's plot once its text is shown), and what runs after a refresh (``call_after_refresh``: scrolling the
    feedback into view) needs a refresh, then one more for the screen to show where it scrolled.
    """
    app = pilot.app
    for round_ in range(6):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if round_ >= 2 and all(worker.is_finished for worker in app.workers):
            return
