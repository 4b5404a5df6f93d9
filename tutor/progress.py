"""The learner's progress: every attempt, where each lesson was left, in SQLite.

Each attempt is committed the moment it happens (autocommit, WAL), so a crash
or a kill -9 loses nothing that was recorded.  WAL mode, a busy timeout and a
few retries let two tutors share the file.  The store never takes the tutor
down with it, and says (once, in ``messages``) what happened:

- a damaged file (not SQLite, truncated, someone else's tables, a folder in its
  place) is moved aside, never deleted, and a fresh one started with whatever
  attempts could still be read from it;
- a folder that cannot be written (read-only, a full disk, a file in the way)
  turns the store memory-only: it starts from what the file holds, keeps this
  sitting's attempts until the tutor quits, and leaves the file as it was.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tutor.i18n import N_, _, ngettext
from tutor.salvage import ATTEMPT_COLUMNS, LESSON_COLUMNS, copy_progress, copy_tables

DB_NAME = "progress.sqlite3"

#: SQLite's application_id of the tutor's file ("DTut"): another program's database is never written.
APPLICATION_ID = 0x44547574

#: How long one write waits for another tutor holding the file, and how often it tries.
BUSY_SECONDS = 5.0
RETRIES = 3
#: How often writes queued behind another program's lock are tried again.
RETRY_SECONDS = 1.0

#: What an attempt row records.  Only ``answer`` rows with a right/wrong verdict
#: count towards the score; ``invalid`` input is kept but never counted.
KINDS = ("answer", "hint", "solution", "invalid")

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lesson_id   TEXT NOT NULL,
    question_id TEXT NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    verdict     TEXT NOT NULL DEFAULT '',
    feedback    TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT 'answer',
    skill       TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_lesson ON attempts (lesson_id, id);
CREATE TABLE IF NOT EXISTS lessons (
    lesson_id       TEXT PRIMARY KEY,
    step            INTEGER NOT NULL DEFAULT 0,
    total_steps     INTEGER,
    total_questions INTEGER,
    finished        INTEGER NOT NULL DEFAULT 0,
    touched         REAL NOT NULL,
    variant_seed    INTEGER
);
"""


@dataclass(frozen=True)
class Attempt:
    lesson_id: str
    question_id: str
    answer: str
    verdict: str  # "right" | "wrong" | "invalid" | "" (hints, solutions)
    feedback: str
    kind: str  # one of KINDS
    skill: str
    at: str  # ISO 8601, UTC


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ProgressStore:
    """Attempts and positions of one learner, in ``data_dir()/progress.sqlite3``.

    ``messages`` collects what the learner should be told about the store
    itself (a file moved aside, progress that cannot be saved); each view shows
    them once.  ``saving`` is False once writes have stopped reaching the disk.
    """

    def __init__(self, path: Path | str | None = None):
        if path is None:
            from tutor.paths import data_dir

            path = data_dir() / DB_NAME
        self.path = Path(path)
        self.messages: list[str] = []
        self.saving = True
        self._lock = threading.RLock()
        #: Writes waiting for another program's lock to free, in order, and the in-memory copy
        #: that holds everything meanwhile (reads come from it, so the sitting sees its answers).
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._shadow: sqlite3.Connection | None = None
        self._retry: threading.Timer | None = None
        self._db = self._open()

    # --- opening, and surviving a bad file or a bad disk ---------------------------------

    def _connect(self, target: str) -> sqlite3.Connection:
        """Open ``target`` with our settings and schema; raise if it is damaged or not ours."""
        db = sqlite3.connect(target, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            if target != ":memory:":
                # first look, without changing anything: a damaged file is moved aside as it was
                verdict = db.execute("PRAGMA quick_check(1)").fetchone()
                if not verdict or verdict[0] != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict and verdict[0]})")
                _check_ours(db)  # before anything is written: another program's database stays as it is
                _check_schema(db)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # with WAL: a killed process loses no commit
            db.executescript(SCHEMA)
            if "variant_seed" not in {row[1] for row in db.execute("PRAGMA table_info(lessons)")}:
                db.execute("ALTER TABLE lessons ADD COLUMN variant_seed INTEGER")  # a file from before variants
            if target != ":memory:" and db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("SELECT count(*) FROM attempts").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            in_the_way = self.path.exists() and not self.path.is_file()  # a folder (or a pipe) in its place
        except OSError as err:  # the folder cannot be made (read-only, or a file is in the way)
            return self._memory_only(err)
        if in_the_way:
            return self._start_afresh(sqlite3.DatabaseError("not a file"))
        failure: Exception | None = None
        for attempt in range(RETRIES):
            try:
                return self._connect(str(self.path))
            except NotOurs as err:
                return self._not_ours(err)
            except sqlite3.DatabaseError as err:
                failure = err
                if _busy(err):  # another tutor is busy with the file: wait for it, never give up at once
                    time.sleep(0.1 * (attempt + 1))
                    continue
                if isinstance(err, sqlite3.OperationalError) and not _looks_corrupt(err):
                    return self._memory_only(err)  # the file is fine, the disk or folder is not
                return self._start_afresh(err)
            except OSError as err:
                return self._memory_only(err)
        return self._memory_only(failure)

    def _not_ours(self, err: Exception) -> sqlite3.Connection:
        """Another program's database where the progress file should be: not moved, not read, not written."""
        self.saving = False
        self.messages.append(
            _(
                "{path} is not the tutor's progress file ({reason}), so it was left exactly as it is."
                " Progress can't be saved this time: move that file elsewhere, or set TUTOR_HOME to another"
                " folder. You can carry on; what you do now is kept until you quit."
            ).format(path=self.path, reason=err)
        )
        return self._connect(":memory:")

    def _start_afresh(self, err: Exception) -> sqlite3.Connection:
        """Move a damaged file aside (never delete it), start a new one, keep what can still be read."""
        if self.path.is_file():
            try:  # another tutor may have just replaced it with a fresh one: never move that aside
                return self._connect(str(self.path))
            except NotOurs as not_ours:
                return self._not_ours(not_ours)
            except (sqlite3.Error, OSError):
                pass
        moved = self._move_aside()
        if moved is None:
            return self._memory_only(err)
        try:
            db = self._connect(str(self.path))
        except (sqlite3.DatabaseError, OSError) as again:
            self._say_moved(moved, err, 0)
            return self._memory_only(again)
        recovered = copy_progress(moved, db) if moved.is_file() else 0
        self._say_moved(moved, err, recovered)
        return db

    def _say_moved(self, moved: Path, err: Exception, recovered: int) -> None:
        said = _("The progress file was damaged ({reason}), so it was moved to {path} and a fresh one started.").format(
            reason=_reason(err), path=moved
        )
        if recovered:
            kept = ngettext(
                "The {n} attempt that could still be read was kept.",
                "The {n} attempts that could still be read were kept.",
                recovered,
            ).format(n=recovered)
            said = _("{first} {then}").format(first=said, then=kept)
        self.messages.append(said)

    def _move_aside(self) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while target.exists() or target.is_symlink():  # never overwrite an earlier damaged copy
            number += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        try:
            self.path.replace(target)
            for suffix in ("-wal", "-shm", "-journal"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.replace(target.with_name(target.name + suffix))
        except OSError:
            return None
        return target

    def _memory_only(self, err: Exception | None) -> sqlite3.Connection:
        """Carry on in memory, starting from whatever the file on disk still holds."""
        self._cannot_save(err)
        db = self._connect(":memory:")
        try:
            if self.path.is_file():
                copy_progress(self.path, db)
        except OSError:
            pass
        return db

    def _cannot_save(self, err: Exception | None) -> None:
        if not self.saving:
            return
        self.saving = False
        self.messages.append(
            _(
                "Progress can't be saved: {reason} ({path}). You can carry on; what you do now is kept"
                " until you quit, and everything saved before is still there."
            ).format(reason=_reason(err), path=self.path)
        )

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """Run one write; a lock held elsewhere queues it, a disk that refuses it makes the store memory-only."""
        args = tuple(_storable(a) for a in args)
        with self._lock:
            if self._pending:  # earlier writes are waiting for a lock: keep the order
                self._queue(sql, args)
                self._flush()
                return
            failure: sqlite3.Error | None = None
            for attempt in range(RETRIES):
                try:
                    self._db.execute(sql, args)
                    return
                except sqlite3.DatabaseError as err:
                    failure = err
                    if _busy(err) and attempt + 1 < RETRIES:  # another tutor holds the file: try again
                        time.sleep(0.1 * (attempt + 1))
                        continue
                    break
            if _busy(failure):  # still locked: keep it in memory and write it when the lock frees
                self._queue(sql, args)
                return
            self._give_up(failure, sql, args)

    def _give_up(self, failure: Exception | None, sql: str | None = None, args: tuple[Any, ...] = ()) -> None:
        """The disk refuses (full, read-only): carry on in memory with everything this sitting has."""
        self._cannot_save(failure)
        old = self._db
        if self._shadow is not None:  # it already holds the queued writes
            self._db, self._shadow = self._shadow, None
            self._pending.clear()
        else:
            self._db = self._connect(":memory:")
            copy_tables(old, self._db)
        try:
            old.close()
        except sqlite3.Error:
            pass
        if sql is not None:
            try:
                self._db.execute(sql, args)
            except sqlite3.Error:
                pass  # already said that progress is not saved: carry on

    def _queue(self, sql: str, args: tuple[Any, ...]) -> None:
        if self._shadow is None:  # everything saved so far, then this sitting's writes on top
            self._shadow = self._connect(":memory:")
            copy_tables(self._db, self._shadow)
        try:
            self._shadow.execute(sql, args)
        except sqlite3.Error:
            pass
        self._pending.append((sql, args))
        self._schedule()

    def _schedule(self) -> None:
        """Try the queued writes again in a moment, whether or not the learner answers again."""
        if self._retry is None or not self._retry.is_alive():
            self._retry = threading.Timer(RETRY_SECONDS, self._retry_now)
            self._retry.daemon = True
            self._retry.start()

    def _retry_now(self) -> None:
        with self._lock:
            self._retry = None
            if self._pending and not self._flush():
                self._schedule()

    def _flush(self, wait: float = 0.0) -> bool:
        """Write the queued writes in one transaction; True when nothing is left waiting."""
        if not self._pending:
            return True
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            db.execute("BEGIN IMMEDIATE")
            for sql, args in self._pending:
                db.execute(sql, args)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as err:
            try:
                if db.in_transaction:
                    db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if not _busy(err):
                self._give_up(err)
                return True  # nothing waits any more: it is all in memory, and the learner was told
            return False
        finally:
            try:
                db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            except sqlite3.Error:
                pass
        self._pending.clear()
        shadow, self._shadow = self._shadow, None
        if shadow is not None:
            shadow.close()
        return True

    @property
    def unsaved(self) -> int:
        """Writes still waiting for another program's lock (0 when everything is on disk or memory-only)."""
        return len(self._pending)

    def settle(self, wait: float = BUSY_SECONDS) -> bool:
        """Wait up to ``wait`` seconds for queued writes to reach the disk; True only when all of it is saved."""
        with self._lock:
            self._flush(wait)
            return self.saving and not self._pending

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            db = self._shadow if self._shadow is not None else self._db
            try:
                return db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as err:
                if _busy(err):
                    return []
                self._cannot_save(err)
                return []

    def close(self) -> None:
        """Write what is queued (waiting a little for a lock), then close; what still cannot be written is said."""
        with self._lock:
            if self._retry is not None:
                self._retry.cancel()
                self._retry = None
            if self._pending and not self._flush(BUSY_SECONDS):
                count = len(self._pending)
                self.saving = False
                self.messages.append(
                    ngettext(
                        "{n} change to your progress could not be saved: another program kept {path} locked.",
                        "{n} changes to your progress could not be saved: another program kept {path} locked.",
                        count,
                    ).format(n=count, path=self.path)
                )
            for db in (self._shadow, self._db):
                try:
                    if db is not None:
                        db.close()
                except sqlite3.Error:
                    pass

    # --- attempts -------------------------------------------------------------------------

    def record(
        self,
        lesson_id: str,
        question_id: str,
        answer: str,
        verdict: str,
        feedback: str = "",
        kind: str = "answer",
        skill: str = "",
    ) -> None:
        """Store one attempt now (committed before this returns)."""
        if kind not in KINDS:
            raise ValueError(f"unknown attempt kind {kind!r}")
        self._write(
            "INSERT INTO attempts (lesson_id, question_id, answer, verdict, feedback, kind, skill, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (lesson_id, question_id, answer, verdict, feedback, kind, skill, _now()),
        )
        self._touch(lesson_id)

    def attempts(self, lesson_id: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first (of one lesson, if given)."""
        cols = "lesson_id, question_id, answer, verdict, feedback, kind, skill, at"
        if lesson_id is None:
            rows = self._read(f"SELECT {cols} FROM attempts ORDER BY id")
        else:
            rows = self._read(f"SELECT {cols} FROM attempts WHERE lesson_id = ? ORDER BY id", (lesson_id,))
        return [Attempt(*row) for row in rows]

    # --- where each lesson was left --------------------------------------------------------

    def _touch(self, lesson_id: str, **fields: Any) -> None:
        sets = "".join(f", {name} = excluded.{name}" for name in fields)
        names = ", ".join(["lesson_id", "touched", *fields])
        marks = ", ".join("?" * (2 + len(fields)))
        self._write(
            f"INSERT INTO lessons ({names}) VALUES ({marks})"
            f" ON CONFLICT(lesson_id) DO UPDATE SET touched = excluded.touched{sets}",
            (lesson_id, time.time(), *fields.values()),
        )

    def position(self, lesson_id: str) -> int:
        """The step the learner was on (0 when never opened)."""
        rows = self._read("SELECT step FROM lessons WHERE lesson_id = ?", (lesson_id,))
        return int(rows[0][0]) if rows else 0

    def set_position(
        self, lesson_id: str, step_index: int, total_steps: int | None = None, total_questions: int | None = None
    ) -> None:
        """Remember the step (and, when known, the lesson's size for ``tutor progress``)."""
        fields: dict[str, Any] = {"step": int(step_index)}
        if total_steps is not None:
            fields["total_steps"] = int(total_steps)
        if total_questions is not None:
            fields["total_questions"] = int(total_questions)
        self._touch(lesson_id, **fields)

    def variant_seed(self, lesson_id: str) -> int | None:
        """The seed that fixes this learner's variant of a lesson (None until the lesson is first opened)."""
        rows = self._read("SELECT variant_seed FROM lessons WHERE lesson_id = ?", (lesson_id,))
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def set_variant_seed(self, lesson_id: str, seed: int) -> None:
        self._touch(lesson_id, variant_seed=int(seed))

    def last_lesson(self) -> str | None:
        """The lesson the learner touched most recently."""
        rows = self._read("SELECT lesson_id FROM lessons ORDER BY touched DESC LIMIT 1")
        return rows[0][0] if rows else None

    def finished(self, lesson_id: str) -> None:
        """Mark a lesson done (the learner reached its end)."""
        self._touch(lesson_id, finished=1)

    def is_finished(self, lesson_id: str) -> bool:
        rows = self._read("SELECT finished FROM lessons WHERE lesson_id = ?", (lesson_id,))
        return bool(rows and rows[0][0])

    def reset(self, lesson_id: str) -> int:
        """Forget a lesson's attempts and position; returns how many attempts went."""
        count = len(self.attempts(lesson_id))
        self._write("DELETE FROM attempts WHERE lesson_id = ?", (lesson_id,))
        self._write("DELETE FROM lessons WHERE lesson_id = ?", (lesson_id,))
        return count

    def known_lessons(self) -> list[str]:
        rows = self._read("SELECT lesson_id FROM lessons UNION SELECT DISTINCT lesson_id FROM attempts")
        return sorted(r[0] for r in rows)

    def totals(self, lesson_id: str) -> tuple[int | None, int | None]:
        rows = self._read("SELECT total_steps, total_questions FROM lessons WHERE lesson_id = ?", (lesson_id,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    # --- what it adds up to ------------------------------------------------------------------

    def score(self, lesson_id: str) -> tuple[int, int]:
        """(questions answered right without the solution shown, questions tried)."""
        right: set[str] = set()
        revealed: set[str] = set()
        tried: set[str] = set()
        for a in self.attempts(lesson_id):
            if a.kind == "solution":
                revealed.add(a.question_id)
                tried.add(a.question_id)
            elif a.kind == "answer" and a.verdict in ("right", "wrong"):
                tried.add(a.question_id)
                if a.verdict == "right" and a.question_id not in revealed:
                    right.add(a.question_id)
        return len(right), len(tried)

    def first_time(self, lesson_id: str) -> int:
        """Questions whose first counted answer was right, with no hint or solution before it."""
        seen: set[str] = set()
        helped: set[str] = set()
        count = 0
        for a in self.attempts(lesson_id):
            if a.question_id in seen:
                continue
            if a.kind in ("hint", "solution"):
                helped.add(a.question_id)
            elif a.kind == "answer" and a.verdict in ("right", "wrong"):
                seen.add(a.question_id)
                if a.verdict == "right" and a.question_id not in helped:
                    count += 1
        return count

    def summary(self, lesson_id: str, total_steps: int | None = None, total_questions: int | None = None) -> str:
        """'not started', 'step k of n' or 'done, 7/9 right' for one lesson."""
        stored_steps, stored_questions = self.totals(lesson_id)
        total_steps = total_steps or stored_steps
        total_questions = total_questions or stored_questions
        rows = self._read("SELECT step FROM lessons WHERE lesson_id = ?", (lesson_id,))
        if not rows and not self.attempts(lesson_id):
            return _("not started")
        right, tried = self.score(lesson_id)
        out_of = total_questions or tried
        if self.is_finished(lesson_id):
            first = self.first_time(lesson_id)
            return _("done, {right}/{total} right ({first} first time)").format(right=right, total=out_of, first=first)
        step = self.position(lesson_id) + 1
        if total_steps:
            return _("step {step} of {total}").format(step=step, total=total_steps)
        return _("step {step}").format(step=step)

    def mastery_attempts(self, lesson_id: str | None = None) -> list[tuple[str, bool]]:
        """(skill, correct) per counted attempt, in order: the evidence mastery is estimated from.

        A revealed solution counts as not knowing the skill; invalid input and
        hints are not evidence either way.
        """
        out = []
        for a in self.attempts(lesson_id):
            if not a.skill:
                continue
            if a.kind == "answer" and a.verdict in ("right", "wrong"):
                out.append((a.skill, a.verdict == "right"))
            elif a.kind == "solution":
                out.append((a.skill, False))
        return out


def _check_schema(db: sqlite3.Connection) -> None:
    """A file whose tables are not ours (another program's, or mangled) counts as damaged."""
    for table, needed in (("attempts", ATTEMPT_COLUMNS), ("lessons", LESSON_COLUMNS)):
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if have and not set(needed) <= have:
            raise sqlite3.DatabaseError(_("the table {table} is not the tutor's").format(table=table))
        if not have:
            kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            if kind:  # a view or an index by that name
                raise sqlite3.DatabaseError(
                    _("{table} is a {kind}, not the tutor's table").format(table=table, kind=kind[0])
                )


_SURROGATES = re.compile("[\ud800-\udfff]")


class NotOurs(sqlite3.DatabaseError):
    """A healthy SQLite database that belongs to another program."""


def _check_ours(db: sqlite3.Connection) -> None:
    """The tutor's file has its application id; an older one (id 0) has only the tutor's tables."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise NotOurs(_("its SQLite application id is {id}, not the tutor's").format(id=f"{app_id:#x}"))
    tables = {
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        if not row[0].startswith("sqlite_")
    }
    others = sorted(tables - {"attempts", "lessons"})
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise NotOurs(_("it holds another program's tables: {tables}").format(tables=shown))


def _storable(value: object) -> object:
    """Text as SQLite can store it: undecodable input (lone surrogates) becomes U+FFFD, never an exception."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    return value


def _busy(err: sqlite3.Error | None) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _looks_corrupt(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "file is encrypted"))


def _reason(err: Exception | None) -> str:
    """What went wrong, in a learner's words (the database's own words when it is something else)."""
    text = str(err or "").strip()
    low = text.lower()
    known = (
        (("disk is full", "disk full", "no space"), N_("the disk is full")),
        (("readonly", "read-only", "permission denied"), N_("the progress file or its folder is read-only")),
        (("unable to open", "file exists", "not a directory"), N_("the data folder cannot be written")),
        (("disk i/o",), N_("the disk reported an error")),
        (("not a database", "malformed", "encrypted"), N_("it is not a readable database")),
        (("not a file",), N_("a folder is where the file should be")),
    )
    for words, said in known:
        if any(w in low for w in words):
            return _(said)
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return text or type(err).__name__


__all__ = ["DB_NAME", "KINDS", "Attempt", "ProgressStore"]
