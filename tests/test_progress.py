"""The progress store: attempts committed at once, positions, damage and bad disks survived."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys

import pytest
from conftest import speaking

from tutor.paths import data_dir
from tutor.progress import DB_NAME, ProgressStore


def test_default_path_is_in_the_data_folder(tmp_path):
    store = ProgressStore()
    assert store.path == data_dir() / DB_NAME
    assert str(store.path).startswith(str(tmp_path))
    store.close()


def test_record_is_committed_before_it_returns(tmp_path):
    path = tmp_path / "p.sqlite3"
    store = ProgressStore(path)
    store.record("five-x-squared", "s1.q1", "10x", "right", "", skill="derivative")
    # a second connection (another process would see the same) reads it straight away
    other = sqlite3.connect(path)
    rows = other.execute("SELECT lesson_id, question_id, answer, verdict, kind, skill FROM attempts").fetchall()
    other.close()
    assert rows == [("five-x-squared", "s1.q1", "10x", "right", "answer", "derivative")]
    store.close()


def test_attempts_keep_order_kind_and_time(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.record("a", "q1", "5x", "wrong", "You dropped the 2.", skill="derivative")
    store.record("a", "q1", "", "", kind="hint", skill="derivative")
    store.record("a", "q1", "", "", kind="solution", skill="derivative")
    store.record("b", "q9", "1/0", "invalid", "division by zero", kind="invalid")
    got = store.attempts("a")
    assert [(x.question_id, x.kind, x.verdict) for x in got] == [
        ("q1", "answer", "wrong"),
        ("q1", "hint", ""),
        ("q1", "solution", ""),
    ]
    assert got[0].feedback == "You dropped the 2."
    assert got[0].at.endswith("Z") and "T" in got[0].at
    assert len(store.attempts()) == 4
    with pytest.raises(ValueError):
        store.record("a", "q1", "", "", kind="guess")
    store.close()


def test_position_last_lesson_finished_and_reset(tmp_path):
    path = tmp_path / "p.sqlite3"
    store = ProgressStore(path)
    assert store.position("a") == 0 and store.last_lesson() is None
    store.set_position("a", 3, total_steps=7, total_questions=5)
    store.set_position("b", 1)
    assert store.last_lesson() == "b"
    store.set_position("a", 4)
    assert store.last_lesson() == "a"
    assert store.position("a") == 4 and store.totals("a") == (7, 5)
    store.close()

    again = ProgressStore(path)  # a new session sees the same
    assert again.position("a") == 4 and again.last_lesson() == "a"
    assert not again.is_finished("a")
    again.finished("a")
    assert again.is_finished("a")
    again.record("a", "q1", "1", "right")
    assert again.reset("a") == 1
    assert again.position("a") == 0 and again.attempts("a") == [] and not again.is_finished("a")
    assert again.position("b") == 1  # other lessons untouched
    again.close()


def test_summary_says_not_started_step_and_done_with_score(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    assert store.summary("a", 6) == "not started"
    store.set_position("a", 2)
    assert store.summary("a", 6) == "step 3 of 6"
    assert speaking("zh", store.summary, "a", 6) == "第 3 步，共 6 步"
    # q1 right after a wrong try (counts), q2 revealed then typed (does not count), q3 right
    store.record("a", "q1", "5x", "wrong")
    store.record("a", "q1", "10x", "right")
    store.record("a", "q2", "", "", kind="solution")
    store.record("a", "q2", "1/2", "right")
    store.record("a", "q3", "abc", "invalid", kind="invalid")
    store.record("a", "q3", "decrease", "right")
    assert store.score("a") == (2, 3)
    assert store.first_time("a") == 1  # only q3 was right at the first counted try
    store.finished("a")
    assert store.summary("a", 6, total_questions=4) == "done, 2/4 right (1 first time)"
    store.close()


def test_mastery_evidence_counts_answers_and_revealed_solutions(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.record("a", "q1", "5x", "wrong", skill="derivative")
    store.record("a", "q1", "", "", kind="hint", skill="derivative")
    store.record("a", "q1", "10x", "right", skill="derivative")
    store.record("a", "q2", "??", "invalid", kind="invalid", skill="update")
    store.record("a", "q2", "", "", kind="solution", skill="update")
    assert store.mastery_attempts() == [("derivative", False), ("derivative", True), ("update", False)]
    store.close()


def test_two_stores_on_one_file_do_not_lose_attempts(tmp_path):
    path = tmp_path / "p.sqlite3"
    one, two = ProgressStore(path), ProgressStore(path)
    for i in range(20):
        one.record("a", f"q{i}", str(i), "right")
        two.record("b", f"q{i}", str(i), "wrong")
    assert len(one.attempts("b")) == 20 and len(two.attempts("a")) == 20
    assert one._read("PRAGMA journal_mode")[0][0] == "wal"
    one.close()
    two.close()


def test_corrupt_file_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not a database at all" * 100)
    store = ProgressStore(path)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(DB_NAME + ".corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert store.saving and any("damaged" in m and "moved" in m for m in store.messages)
    store.record("a", "q1", "1", "right")
    assert len(ProgressStore(path).attempts()) == 1
    store.close()


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder_never_crashes(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        store = ProgressStore(folder / DB_NAME)
        store.record("a", "q1", "1", "right")
        assert not store.saving and any("can't be saved" in m for m in store.messages)
        assert len(store.attempts("a")) == 1  # the session still remembers
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_disk_that_refuses_writes_turns_the_store_memory_only(tmp_path):
    """A full disk or a file made read-only mid-session: the attempt is kept in memory, with a message."""
    path = tmp_path / DB_NAME
    store = ProgressStore(path)
    store.record("a", "q1", "1", "right")
    store.set_position("a", 2)
    store._db.execute("PRAGMA query_only = ON")  # every write now fails like a full disk does
    store.record("a", "q2", "2", "wrong")
    assert not store.saving
    assert any("can't be saved" in m for m in store.messages)
    assert [a.question_id for a in store.attempts("a")] == ["q1", "q2"]
    assert store.position("a") == 2
    store.close()


def test_a_path_that_cannot_be_a_file_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ProgressStore(blocker / "sub" / DB_NAME)  # parent is a file: cannot mkdir
    assert not store.saving
    store.record("a", "q1", "1", "right")
    assert len(store.attempts()) == 1
    store.close()


def test_progress_command_reset_says_so(tmp_path):
    from tutor.listings import progress_report

    store = ProgressStore()
    store.record("five-x-squared", "q1", "10x", "right")
    store.record("five-x-squared", "q2", "1/2", "right")
    store.close()
    out = progress_report("text", "five-x-squared", [])
    assert "five-x-squared" in out and "2 attempts" in out
    assert ProgressStore().attempts() == []
    ProgressStore().record("five-x-squared", "q1", "10x", "right")
    data = json.loads(progress_report("json", "five-x-squared", []))
    assert data["reset"] == "five-x-squared" and data["attempts_removed"] == 1


def test_progress_command_lists_lessons_mastery_and_what_next(tmp_path):
    from tutor.listings import progress_report

    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "id: my-lesson\norder: 0\ntitle: {en: Mine, zh: 我的}\nsummary: {en: s, zh: s}\n"
        'sections:\n  - derive:\n      function: "5x^2"\n',
        encoding="utf-8",
    )
    store = ProgressStore()
    store.set_position("my-lesson", 1, total_steps=3, total_questions=1)
    store.record("my-lesson", "s0.derivative", "5x", "wrong", skill="derivative")
    store.record("my-lesson", "s0.derivative", "10x", "right", skill="derivative")
    store.close()

    text = progress_report("text", None, [folder])
    line = next(l for l in text.splitlines() if "my-lesson" in l)
    assert "step 2 of 3" in line and "Mine" in line
    assert "Mastery per skill" in text and "derivative rules" in text

    data = json.loads(progress_report("json", None, [folder]))
    mine = next(l for l in data["lessons"] if l["id"] == "my-lesson")
    assert mine["step"] == 2 and mine["total_steps"] == 3 and mine["right"] == 1 and mine["tried"] == 1
    assert 0 < data["mastery"]["derivative"] < 1
    others = [l for l in data["lessons"] if l["id"] != "my-lesson"]
    assert all(l["status"] == "not started" for l in others)

    zh = speaking("zh", progress_report, "text", None, [folder])
    assert "第 2 步，共 3 步" in zh and "各项技能的掌握程度" in zh


def test_reset_of_a_lesson_without_progress_is_an_error():
    from tutor.errors import TutorError
    from tutor.listings import progress_report

    with pytest.raises(TutorError, match="no progress is stored"):
        progress_report("text", "no-such-lesson", [])
