"""The learner's progress: every attempt, where each lesson was left, in SQLite.

Each attempt is committed the moment it happens (autocommit), so a crash or a
kill loses nothing.  WAL mode and a busy timeout let two tutors share the file.
The store never takes the tutor down with it: a corrupt file is moved aside and
a fresh one started; a folder that cannot be written (read-only, disk full)
turns the store into a memory-only one and says that progress is not saved.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from tutor.text import both, tr

DB_NAME = "progress.sqlite3"

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
    touched         REAL NOT NULL
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
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
        db = sqlite3.connect(target, timeout=5.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 5000")
        if target != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(SCHEMA)
        db.execute("SELECT count(*) FROM attempts").fetchone()
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect(str(self.path))
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and not _looks_corrupt(err):
                return self._memory_only(err)
            moved = self._move_aside()
            if moved is None:
                return self._memory_only(err)
            self.messages.append(
                tr(
                    both(
                        f"The progress file was damaged, so it was moved to {moved} and a fresh one started.",
                        f"进度文件已损坏，已移到 {moved}，并新建了一个进度文件。",
                    ),
                    _lang(),
                )
            )
            try:
                return self._connect(str(self.path))
            except sqlite3.DatabaseError as again:
                return self._memory_only(again)
        except OSError as err:
            return self._memory_only(err)

    def _move_aside(self) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
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
        self._cannot_save(err)
        return self._connect(":memory:")

    def _cannot_save(self, err: Exception) -> None:
        if not self.saving:
            return
        self.saving = False
        reason = str(err).strip() or type(err).__name__
        self.messages.append(
            tr(
                both(
                    f"Progress can't be saved ({reason} at {self.path}); the tutor carries on without saving.",
                    f"无法保存进度（{reason}，位置 {self.path}）；导师将继续运行，但不保存进度。",
                ),
                _lang(),
            )
        )

    def _write(self, sql: str, args: tuple = ()) -> None:
        """Run one write; a disk that refuses it makes the store memory-only, never an exception."""
        with self._lock:
            try:
                self._db.execute(sql, args)
                return
            except sqlite3.OperationalError as err:
                self._cannot_save(err)
            except sqlite3.DatabaseError as err:
                self._cannot_save(err)
            # carry on in memory with what can still be read, so this session keeps working
            old = self._db
            self._db = self._connect(":memory:")
            try:
                for table in ("attempts", "lessons"):
                    rows = old.execute(f"SELECT * FROM {table}").fetchall()
                    if rows:
                        marks = ",".join("?" * len(rows[0]))
                        self._db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            except sqlite3.DatabaseError:
                pass
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

    def summary(self, lesson_id: str, total_steps: int | None = None, lang: str = "en", total_questions: int | None = None) -> str:
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
                both(f"done, {right}/{out_of} right ({first} first time)", f"已完成，答对 {right}/{out_of}（{first} 题一次答对）"),
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


def _looks_corrupt(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "file is encrypted"))


def _lang() -> str:
    from tutor.paths import default_language

    return default_language()


# --- tutor progress -----------------------------------------------------------------------


def progress_command(fmt: str, reset: str | None, lesson_dirs: Iterable[Path], lang: str) -> str:
    """``tutor progress``: each lesson's state, mastery per skill, what to practise next."""
    store = ProgressStore()
    notes = list(store.messages)
    if reset is not None:
        count = store.reset(reset)
        notes += store.messages[len(notes):]
        said = tr(
            both(
                f"Reset lesson '{reset}': forgot {count} attempt{'s' if count != 1 else ''} and its position.",
                f"已重置课程“{reset}”：清除了 {count} 次作答记录和学习位置。",
            ),
            lang,
        )
        store.close()
        if fmt == "json":
            return json.dumps({"reset": reset, "attempts_removed": count, "messages": notes}, ensure_ascii=False, indent=2)
        return "\n".join([*notes, said])

    from tutor.lesson.catalog import find_lessons

    entries = find_lessons(list(lesson_dirs))
    lessons = []
    listed = set()
    for entry in entries:
        listed.add(entry.id)
        right, tried = store.score(entry.id)
        steps, questions = store.totals(entry.id)
        started = entry.id in store.known_lessons()
        lessons.append(
            {
                "id": entry.id,
                "title": tr(entry.title, lang),
                "status": store.summary(entry.id, steps, lang, questions),
                "started": started,
                "finished": store.is_finished(entry.id),
                "step": store.position(entry.id) + 1 if started else 0,
                "total_steps": steps,
                "right": right,
                "tried": tried,
                "total_questions": questions,
                "error": entry.error and str(entry.error),
            }
        )
    for lesson_id in store.known_lessons():  # progress of lessons no longer on the list
        if lesson_id not in listed:
            right, tried = store.score(lesson_id)
            lessons.append(
                {
                    "id": lesson_id,
                    "title": lesson_id,
                    "status": store.summary(lesson_id, None, lang),
                    "started": True,
                    "finished": store.is_finished(lesson_id),
                    "step": store.position(lesson_id) + 1,
                    "total_steps": store.totals(lesson_id)[0],
                    "right": right,
                    "tried": tried,
                    "total_questions": store.totals(lesson_id)[1],
                    "error": None,
                }
            )

    mastery, practise = _mastery(store.mastery_attempts())
    command = _practice_command(mastery, practise)
    notes += [m for m in store.messages if m not in notes]
    store.close()

    if fmt == "json":
        return json.dumps(
            {"lessons": lessons, "mastery": mastery, "practise_next": practise, "practise_command": command, "messages": notes},
            ensure_ascii=False,
            indent=2,
        )

    lines = list(notes)
    lines.append(tr(both("Lessons", "课程"), lang))
    statuses = [item["status"] if not item["error"] else tr(both("broken", "有错误"), lang) for item in lessons]
    id_width = max((_width(item["id"]) for item in lessons), default=0)
    status_width = max((_width(status) for status in statuses), default=0)
    for item, status in zip(lessons, statuses):
        lines.append(f"  {_pad(item['id'], id_width)}  {_pad(status, status_width)}  {item['title']}")
    if not lessons:
        lines.append("  " + tr(both("(no lessons found)", "（没有找到课程）"), lang))
    lines.append("")
    lines.append(tr(both("Mastery per skill", "各项技能的掌握程度"), lang))
    if mastery:
        from tutor.mastery import mastery_table, skill_name

        lines += ["  " + row for row in mastery_table(mastery, lang).splitlines()]
        if practise:
            lines.append("")
            names = ", ".join(skill_name(s, lang) for s in practise)
            run = tr(both(f" — run `{command}`", f"——运行 `{command}`"), lang) if command else ""
            lines.append(tr(both(f"Practise next: {names}", f"接下来练习：{names}"), lang) + run)
    else:
        lines.append("  " + tr(both("no answers yet", "还没有作答"), lang))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _mastery(evidence: list[tuple[str, bool]]) -> tuple[dict[str, float], list[str]]:
    """Mastery per skill and what to practise, from the mastery model (when it is installed)."""
    if not evidence:
        return {}, []
    from tutor import mastery

    estimate = mastery.estimate(evidence)
    return dict(sorted(estimate.items())), list(mastery.suggest(estimate))


def _practice_command(mastery: dict[str, float], practise: list[str]) -> str | None:
    """The command that practises the weakest skill there are practice questions for (what `tutor practice` picks)."""
    if not practise:
        return None
    from tutor.practice import next_skill

    skill = next_skill(mastery)
    return f"tutor practice {skill}" if skill in practise else None


__all__ = ["Attempt", "ProgressStore", "progress_command", "KINDS", "DB_NAME"]
