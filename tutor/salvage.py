"""Reading what a progress file still holds: from a healthy, a read-only or a damaged file.

Kept apart from the store (:mod:`tutor.progress`) because it never writes
the file it reads: a damaged file is copied to a temporary folder first, and
rows are read one rowid at a time, so a damaged page loses only its own rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

ATTEMPT_COLUMNS = ("lesson_id", "question_id", "answer", "verdict", "feedback", "kind", "skill", "at")
LESSON_COLUMNS = ("lesson_id", "step", "total_steps", "total_questions", "finished", "touched")


def copy_tables(source: sqlite3.Connection, target: sqlite3.Connection) -> int:
    """Copy attempts and positions (from a healthy database); returns how many attempts were copied."""
    copied = 0
    for table, columns in (("attempts", ATTEMPT_COLUMNS), ("lessons", LESSON_COLUMNS)):
        names, marks = ", ".join(columns), ", ".join("?" * len(columns))
        try:
            rows = source.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
        except sqlite3.Error:
            continue
        target.executemany(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", rows)
        copied += len(rows) if table == "attempts" else 0
    return copied


#: Salvage stops after this many rowids in a row that cannot be read.
SALVAGE_GAP = 2000


def _salvage_rows(source: sqlite3.Connection, target: sqlite3.Connection) -> int:
    """Copy every row that can still be read, one rowid at a time (a damaged page loses only its own rows)."""
    copied = 0
    for table, columns in (("attempts", ATTEMPT_COLUMNS), ("lessons", LESSON_COLUMNS)):
        names, marks = ", ".join(columns), ", ".join("?" * len(columns))
        rowid = misses = 0
        while misses < SALVAGE_GAP:
            rowid += 1
            try:
                row = source.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
            except sqlite3.OperationalError as err:
                if "no such" in str(err):  # not the tutor's table: nothing to keep
                    break
                row = None
            except sqlite3.DatabaseError:
                row = None
            if row is None:
                misses += 1
                continue
            misses = 0
            target.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", row)
            copied += table == "attempts"
    return copied


def copy_progress(path: Path, target: sqlite3.Connection) -> int:
    """What a damaged or read-only file still holds, copied into ``target``; returns the attempts copied.

    The file itself is never changed.  A copy of a damaged file gets its page
    count set to the pages really there (a truncated file claims more), so
    SQLite reads what is left instead of refusing the whole file.
    """
    import shutil
    import tempfile

    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            if source.execute("PRAGMA quick_check(1)").fetchone() == ("ok",):
                return copy_tables(source, target)
        finally:
            source.close()
    except (sqlite3.Error, OSError, ValueError):
        pass
    try:
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "salvage.sqlite3"
            shutil.copyfile(path, copy)
            _fix_page_count(copy)
            source = sqlite3.connect(f"{copy.as_uri()}?immutable=1", uri=True)
            try:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not SQLite at all: nothing
                return _salvage_rows(source, target)
            finally:
                source.close()
    except (sqlite3.Error, OSError, ValueError):
        return 0


def _fix_page_count(path: Path) -> None:
    """Set the header's page count (bytes 28-31) to the pages in the file, when it has a SQLite header."""
    with open(path, "r+b") as f:
        header = f.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = path.stat().st_size // page_size if page_size else 0
        if pages:
            f.seek(28)
            f.write(pages.to_bytes(4, "big"))
