"""The terminal tutor (Textual).  Importing this package stays light: textual loads in :func:`run_app`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotations: opening the app stays lazy
    from tutor.lesson.model import Lesson


def _prepare_images() -> bool:
    """Let textual-image ask the terminal what it can draw, before Textual takes over stdin."""
    try:
        import textual_image.widget  # noqa: F401  (the import itself queries the terminal)
    except Exception:  # not installed, or no answer: the plot's path is shown instead
        return False
    return True


#: One-cell stand-ins for the box drawing and symbols Textual draws, for an 8-bit terminal.
CELLS = {
    **dict.fromkeys("─━═▔▁╌┄", "-"),
    **dict.fromkeys("│┃║▊▎▏▌▐▕╎┆", "|"),
    **dict.fromkeys("┌┐└┘├┤┬┴┼╭╮╰╯┏┓┗┛╔╗╚╝", "+"),
    **dict.fromkeys("▂▃▄▅▆▇█▀", "#"),
    "−": "-",
    "·": ".",
    "⋅": ".",
    "…": ".",
    "′": "'",
    "“": '"',
    "”": '"',
    "’": "'",
    "—": "-",
    "–": "-",
    "⭘": "o",
    "✓": "v",
    "✗": "x",
    "⚠": "!",
    "•": "*",
    "→": ">",
    "←": "<",
    "⏎": "<",
}


def _cell_errors(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler ``tutor-cells``: each character the terminal cannot show keeps its width."""
    import unicodedata

    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for c in err.object[err.start : err.end]:
        if unicodedata.combining(c):
            continue
        out.append(CELLS.get(c, "??" if unicodedata.east_asian_width(c) in "WF" else "?"))
    return "".join(out), err.end


def fit_terminal_encoding() -> str | None:
    """Let the screen survive a locale that is not UTF-8; a note for the learner when symbols are lost.

    Textual draws to ``sys.__stderr__``.  An ASCII locale is almost always a
    terminal whose locale was never set (Python itself reads the C locale as
    UTF-8), so the screen is drawn in UTF-8.  Another 8-bit encoding is taken at
    its word: a symbol it lacks becomes ``?`` (two for a wide character), so
    the layout keeps its columns.
    """
    import codecs
    import sys

    stream = sys.__stderr__
    encoding = getattr(stream, "encoding", None)
    if stream is None or not encoding or not hasattr(stream, "reconfigure"):
        return None
    try:
        "─▊✓中".encode(encoding)
        return None
    except (UnicodeEncodeError, LookupError):
        pass
    try:
        if codecs.lookup(encoding).name == "ascii":
            stream.reconfigure(encoding="utf-8", errors="replace")
            return None
        codecs.register_error("tutor-cells", _cell_errors)
        stream.reconfigure(errors="tutor-cells")
    except (LookupError, ValueError, OSError):
        return None
    from tutor.i18n import _

    return _(
        "This terminal's encoding ({encoding}) cannot show every symbol; they appear as ?. "
        "A UTF-8 locale (e.g. LANG=C.UTF-8) shows them."
    ).format(encoding=encoding)


def images_setting(asked: str | None) -> str:
    """``--images``, else the ``TUTOR_IMAGES`` setting, else auto."""
    import os

    from tutor.app.widgets.plot import MODES

    value = (asked or os.environ.get("TUTOR_IMAGES") or "auto").strip().lower()
    return value if value in MODES else "auto"


def run_app(lesson: str | Lesson | None, lesson_dirs: list[Path], images: str | None = None) -> None:
    """Open the tutor; with ``lesson`` (an id or a path), straight on that lesson.

    ``images``: auto, graphics, text or off (see :mod:`tutor.app.widgets.plot`).
    """
    start = None
    if lesson:
        from tutor.lesson.catalog import resolve_lesson
        from tutor.lesson.model import Lesson

        # a bad name is one error line, before the screen opens; a built Lesson (a practice set) opens as it is
        start = lesson if isinstance(lesson, Lesson) else resolve_lesson(lesson, list(lesson_dirs))
    note = fit_terminal_encoding()
    asked = images_setting(images)
    available = _prepare_images() if asked in ("auto", "graphics") else False
    from tutor.app.app import TutorApp
    from tutor.app.bindings import localised
    from tutor.app.widgets.plot import choose_mode

    app = localised(TutorApp)(start, lesson_dirs, images=choose_mode(asked, available))
    if note:
        app.notices.append(note)
    import asyncio

    # our own loop: asyncio.run() would wait for the worker threads of its executor before returning
    loop = asyncio.new_event_loop()
    try:
        app.run(loop=loop)
    finally:
        told = len(app.store.messages)
        app.store.close()  # answers queued behind another program's lock get their last chance here
        for message in app.store.messages[told:]:  # ... and if they could not be written, the learner is told
            from tutor.safe_text import shown

            print(shown(message), file=sys.stderr)
        leave_now(app)


def leave_now(app) -> None:
    """End the process as soon as the screen has closed: the learner's answers are stored by now.

    A worker still building a walkthrough or drawing (sympy, matplotlib) cannot
    be interrupted, and Python would wait for it before exiting, seconds after
    ctrl+q.  The progress store is closed first (by :func:`run_app`), the
    checker process is ended, then the interpreter leaves without waiting for
    those threads.
    """
    import multiprocessing
    import os
    import threading

    if app.return_code is None:  # the app never ran (a test's stand-in): nothing to hurry
        return
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    if not busy and not multiprocessing.active_children():
        return  # nothing to wait for: the ordinary exit (atexit handlers included)
    for child in multiprocessing.active_children():  # the tutor's own checker process
        child.terminate()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(app.return_code or 0)
