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

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tutor.text import both, tr

DB_NAME = "progress.sqlite3"

#: How long one write waits for another tutor holding the file, and how often it tries.
BUSY_SECONDS = 5.0
RETRIES = 3

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
        self._lock = threading.Lock()
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
                _check_schema(db)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # with WAL: a killed process loses no commit
            db.executescript(SCHEMA)
            if "variant_seed" not in {row[1] for row in db.execute("PRAGMA table_info(lessons)")}:
                db.execute("ALTER TABLE lessons ADD COLUMN variant_seed INTEGER")  # a file from before variants
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

    def _start_afresh(self, err: Exception) -> sqlite3.Connection:
        """Move a damaged file aside (never delete it), start a new one, keep what can still be read."""
        if self.path.is_file():
            try:  # another tutor may have just replaced it with a fresh one: never move that aside
                return self._connect(str(self.path))
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
        recovered = _copy_progress(moved, db) if moved.is_file() else 0
        self._say_moved(moved, err, recovered)
        return db

    def _say_moved(self, moved: Path, err: Exception, recovered: int) -> None:
        kept_en = kept_zh = ""
        if recovered:
            kept_en = f" The {recovered} attempt{'s' if recovered != 1 else ''} that could still be read were kept."
            kept_zh = f"仍可读取的 {recovered} 条作答记录已保留。"
        self.messages.append(
            tr(
                both(
                    f"The progress file was damaged ({_reason(err)}), so it was moved to {moved} and a fresh one"
                    " started." + kept_en,
                    f"进度文件已损坏（{_reason(err, 'zh')}），已移到 {moved}，并新建了一个进度文件。" + kept_zh,
                ),
                _lang(),
            )
        )

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

    def _memory_only(self, err: Exception) -> sqlite3.Connection:
        """Carry on in memory, starting from whatever the file on disk still holds."""
        self._cannot_save(err)
        db = self._connect(":memory:")
        try:
            if self.path.is_file():
                _copy_progress(self.path, db)
        except OSError:
            pass
        return db

    def _cannot_save(self, err: Exception) -> None:
        if not self.saving:
            return
        self.saving = False
        self.messages.append(
            tr(
                both(
                    f"Progress can't be saved: {_reason(err)} ({self.path}). You can carry on; what you do now is kept"
                    " until you quit, and everything saved before is still there.",
                    f"无法保存进度：{_reason(err, 'zh')}（{self.path}）。你可以继续学习；现在的作答会保留到退出为止，"
                    "之前保存的进度都还在。",
                ),
                _lang(),
            )
        )

    def _write(self, sql: str, args: tuple = ()) -> None:
        """Run one write; a disk that refuses it makes the store memory-only, never an exception."""
        with self._lock:
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
            self._cannot_save(failure)
            # carry on in memory with what can still be read, so this session keeps working
            old = self._db
            self._db = self._connect(":memory:")
            _copy_tables(old, self._db)
            try:
                old.close()
            except sqlite3.Error:
                pass
            try:
                self._db.execute(sql, args)
            except sqlite3.Error:
                pass  # already said that progress is not saved: carry on

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as err:
                self._cannot_save(err)
                return []

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
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

    def _touch(self, lesson_id: str, **fields) -> None:
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
        fields: dict = {"step": int(step_index)}
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

    def summary(
        self, lesson_id: str, total_steps: int | None = None, lang: str = "en", total_questions: int | None = None
    ) -> str:
        """'not started', 'step k of n' or 'done, 7/9 right' for one lesson."""
        stored_steps, stored_questions = self.totals(lesson_id)
        total_steps = total_steps or stored_steps
        total_questions = total_questions or stored_questions
        rows = self._read("SELECT step FROM lessons WHERE lesson_id = ?", (lesson_id,))
        if not rows and not self.attempts(lesson_id):
            return tr(both("not started", "未开始"), lang)
        right, tried = self.score(lesson_id)
        out_of = total_questions or tried
        if self.is_finished(lesson_id):
            first = self.first_time(lesson_id)
            return tr(
                both(
                    f"done, {right}/{out_of} right ({first} first time)",
                    f"已完成，答对 {right}/{out_of}（{first} 题一次答对）",
                ),
                lang,
            )
        step = self.position(lesson_id) + 1
        if total_steps:
            return tr(both(f"step {step} of {total_steps}", f"第 {step} 步，共 {total_steps} 步"), lang)
        return tr(both(f"step {step}", f"第 {step} 步"), lang)

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


ATTEMPT_COLUMNS = ("lesson_id", "question_id", "answer", "verdict", "feedback", "kind", "skill", "at")
LESSON_COLUMNS = ("lesson_id", "step", "total_steps", "total_questions", "finished", "touched")


def _check_schema(db: sqlite3.Connection) -> None:
    """A file whose tables are not ours (another program's, or mangled) counts as damaged."""
    for table, needed in (("attempts", ATTEMPT_COLUMNS), ("lessons", LESSON_COLUMNS)):
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if have and not set(needed) <= have:
            raise sqlite3.DatabaseError(f"the table {table} is not the tutor's")
        if not have:
            kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            if kind:  # a view or an index by that name
                raise sqlite3.DatabaseError(f"{table} is a {kind[0]}, not the tutor's table")


def _copy_tables(source: sqlite3.Connection, target: sqlite3.Connection) -> int:
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


def _copy_progress(path: Path, target: sqlite3.Connection) -> int:
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
                return _copy_tables(source, target)
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


def _busy(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _looks_corrupt(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "file is encrypted"))


def _reason(err: Exception | None, lang: str = "en") -> str:
    """What went wrong, in a learner's words (the database's own words when it is something else)."""
    text = str(err or "").strip()
    low = text.lower()
    known = (
        (("disk is full", "disk full", "no space"), "the disk is full", "磁盘已满"),
        (
            ("readonly", "read-only", "permission denied"),
            "the progress file or its folder is read-only",
            "进度文件或其所在文件夹是只读的",
        ),
        (
            ("unable to open", "file exists", "not a directory"),
            "the data folder cannot be written",
            "无法写入数据文件夹",
        ),
        (("disk i/o",), "the disk reported an error", "磁盘读写出错"),
        (("not a database", "malformed", "encrypted"), "it is not a readable database", "它不是可读取的数据库"),
        (("not a file",), "a folder is where the file should be", "文件的位置上是一个文件夹"),
    )
    for words, en, zh in known:
        if any(w in low for w in words):
            return zh if lang == "zh" else en
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return text or type(err).__name__


def _lang() -> str:
    from tutor.paths import default_language

    return default_language()


__all__ = ["DB_NAME", "KINDS", "Attempt", "ProgressStore"]
