"""The terminal tutor (Textual).  Importing this package stays light: textual loads in :func:`run_app`."""

from __future__ import annotations

from pathlib import Path


def _prepare_images() -> bool:
    """Let textual-image ask the terminal what it can draw, before Textual takes over stdin."""
    try:
        import textual_image.widget  # noqa: F401  (the import itself queries the terminal)
    except Exception:  # not installed, or no answer: the plot's path is shown instead
        return False
    return True


def run_app(lesson: str | None, lesson_dirs: list[Path], lang: str) -> None:
    """Open the tutor; with ``lesson`` (an id or a path), straight on that lesson."""
    start = None
    if lesson:
        from tutor.lesson.catalog import resolve_lesson
        from tutor.lesson.model import Lesson

        # a bad name is one error line, before the screen opens; a built Lesson (a practice set) opens as it is
        start = lesson if isinstance(lesson, Lesson) else resolve_lesson(lesson, list(lesson_dirs))
    images = _prepare_images()
    from tutor.app.app import TutorApp
    from tutor.app.keys import localised

    localised(TutorApp, lang)(start, lesson_dirs, lang, images=images).run()
