"""Faults around the learner's progress: kill -9, a damaged file, a read-only folder, a full disk, two tutors.

Every test checks two things: the tutor says what happened (once) and carries
on, and nothing saved before the fault is lost.  Expected answers come from the
first lessons, worked by hand: for L(w) = ((w - 2)^2 + (3w - 6)^2)/2,
L(1) = (1 + 9)/2 = 5; for f(x) = 5x^2, f'(x) = 10x and f'(1) = 10.
"""

from __future__ import annotations

import io
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from conftest import settle, speaking

from tutor.progress import DB_NAME, ProgressStore

pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")


# --- helpers ---------------------------------------------------------------------------------


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def progress_file() -> Path:
    return Path(os.environ["TUTOR_HOME"]) / DB_NAME


class Lines:
    """A child process's stdout, line by line, read on a thread so a test never blocks on it."""

    def __init__(self, stream):
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.put(line)
        self.lines.put(None)

    def until(self, predicate, timeout: float = 60.0) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError("the process ended early:\n" + "".join(self.seen))
            self.seen.append(line)
            if predicate(line):
                return line


def spawn(args: list[str], env: dict, **kwargs) -> subprocess.Popen:
    """A child in its own process group, so a kill reaches the sandbox it started too."""
    return subprocess.Popen(
        args,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            stream.close()
        except OSError:
            pass


def child_env(**extra) -> dict:
    return dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", **extra)


def drive_plain(lines: list[str], lesson: str, lang: str = "en") -> str:
    from tutor.plain import run_plain

    out = io.StringIO()
    stdin = io.StringIO("".join(line + "\n" for line in lines))
    code = speaking(lang, run_plain, lesson, [], stdin=stdin, stdout=out)
    assert code == 0
    return out.getvalue()


@pytest.fixture
def no_plots(monkeypatch):
    import tutor.plots

    monkeypatch.setattr(tutor.plots, "plot_step", lambda step, path: None)


# --- kill -9 --------------------------------------------------------------------------------------

RECORDER = textwrap.dedent(
    """\
    import sys
    from tutor.progress import ProgressStore

    store = ProgressStore(sys.argv[1])
    i = 0
    while True:
        store.record("kill", f"q{i}", "x" * 300, "right", "feedback", skill="derivative")
        store.set_position("kill", i)
        print(i, flush=True)  # only after both writes returned
        i += 1
    """
)


def test_kill_9_while_attempts_are_recorded_loses_none_that_were_committed(tmp_path):
    path = tmp_path / DB_NAME
    proc = spawn([sys.executable, "-c", RECORDER, str(path)], child_env())
    out = Lines(proc.stdout)
    try:
        last = int(out.until(lambda line: int(line) >= 150))
    finally:
        kill_group(proc)  # while it is writing the next attempts
    assert proc.returncode == -signal.SIGKILL

    assert integrity(path) == "ok"
    store = ProgressStore(path)
    assert store.saving and store.messages == []
    ids = [a.question_id for a in store.attempts("kill")]
    assert len(ids) >= last + 1
    assert ids == [f"q{i}" for i in range(len(ids))]  # in order, none missing
    assert store.position("kill") >= last
    store.record("kill", "after", "1", "right")  # and it takes the next attempt as usual
    assert store.attempts("kill")[-1].question_id == "after"
    store.close()


def test_kill_9_of_the_plain_tutor_mid_answer_then_the_next_run_resumes(tmp_path):
    env = child_env(TUTOR_HOME=str(tmp_path / "home"))
    run = [sys.executable, "-m", "tutor", "run", "sign-of-the-derivative", "--plain"]
    proc = spawn(run, env)
    out = Lines(proc.stdout)
    try:
        proc.stdin.write("\n10x\n")  # past the explanation; f'(x) = 10x
        proc.stdin.flush()
        out.until(lambda line: "Right" in line)
        proc.stdin.write("10\n")  # f'(1) = 10
        proc.stdin.flush()
        out.until(lambda line: "Step 4 of" in line)
        proc.stdin.write("\n10\n")  # the next answer: killed while it is being read or graded
        proc.stdin.flush()
    finally:
        kill_group(proc)

    path = tmp_path / "home" / DB_NAME
    assert integrity(path) == "ok"
    store = ProgressStore(path)
    rows = [(a.answer, a.verdict) for a in store.attempts("sign-of-the-derivative")]
    assert rows[:2] == [("10x", "right"), ("10", "right")]
    assert store.position("sign-of-the-derivative") >= 3  # step 4 had been reached
    store.close()

    again = subprocess.run(run, input="", capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "resuming at step" in again.stdout
    assert "damaged" not in again.stdout and "can't be saved" not in again.stdout


# --- a damaged progress file ---------------------------------------------------------------------


def _real_progress(path: Path, count: int) -> None:
    store = ProgressStore(path)
    for i in range(count):
        store.record("a", f"q{i}", "y" * 200, "right", skill="derivative")
    store.set_position("a", 2)
    store.close()


def random_bytes(path: Path) -> bytes:
    data = os.urandom(64 * 1024)
    path.write_bytes(data)
    return data


def truncated(path: Path) -> bytes:
    _real_progress(path, 600)
    data = path.read_bytes()[: int(path.stat().st_size * 0.6)]
    path.write_bytes(data)
    return data


def wrong_schema(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE attempts (who TEXT, score REAL)")
    db.execute("INSERT INTO attempts VALUES ('someone else', 1.5)")
    db.commit()
    db.close()
    return path.read_bytes()


def directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("a folder where the progress file should be")
    return None


@pytest.mark.parametrize("damage", [random_bytes, truncated, wrong_schema, directory])
def test_a_damaged_file_is_moved_aside_and_a_fresh_one_started(tmp_path, damage):
    path = tmp_path / DB_NAME
    before = damage(path)
    store = ProgressStore(path)
    assert store.saving
    assert len(store.messages) == 1 and "damaged" in store.messages[0] and "moved to" in store.messages[0]
    aside = [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith(DB_NAME + ".corrupt-") and p.name[-4:] not in ("-wal", "-shm")
    ]
    assert len(aside) == 1 and str(aside[0]) in store.messages[0]
    if before is None:
        assert (aside[0] / "inside.txt").is_file()  # the folder moved, with what was in it
    else:
        assert aside[0].read_bytes() == before  # kept exactly as it was, never deleted
    if damage is truncated:  # what could still be read was carried over
        kept = len(store.attempts("a"))
        assert 0 < kept < 600 and f"{kept} attempts" in store.messages[0]
    else:
        assert store.attempts() == []

    store.record("b", "q1", "1", "right")
    store.close()
    again = ProgressStore(path)  # the fresh file is healthy: no more messages
    assert again.messages == [] and again.saving
    assert [a.question_id for a in again.attempts("b")] == ["q1"]
    assert integrity(path) == "ok"
    again.close()


def test_an_empty_file_is_a_fresh_database_not_damage(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"")
    store = ProgressStore(path)
    assert store.messages == [] and store.saving
    assert not any(p.name.startswith(DB_NAME + ".corrupt-") for p in tmp_path.iterdir())
    store.close()


def test_damage_moved_aside_twice_in_one_second_keeps_both_copies(tmp_path):
    path = tmp_path / DB_NAME
    first = random_bytes(path)
    ProgressStore(path).close()
    path.unlink()
    second = random_bytes(path)
    ProgressStore(path).close()
    kept = {
        p.read_bytes()
        for p in tmp_path.iterdir()
        if p.name.startswith(DB_NAME + ".corrupt-") and p.is_file() and p.stat().st_size
    }
    assert {first, second} <= kept


def test_damaged_file_in_plain_mode_is_said_once_and_the_lesson_goes_on():
    progress_file().parent.mkdir(parents=True, exist_ok=True)
    random_bytes(progress_file())
    out = drive_plain(["", "10x", "10"], "sign-of-the-derivative")
    assert out.count("file was damaged") == 1
    assert out.count("Right.") == 2
    rows = ProgressStore().attempts("sign-of-the-derivative")
    assert [(r.answer, r.verdict) for r in rows] == [("10x", "right"), ("10", "right")]


def test_damaged_file_in_tutor_progress_is_said_and_the_listing_follows():
    from click.testing import CliRunner

    from tutor.cli import main

    progress_file().parent.mkdir(parents=True, exist_ok=True)
    wrong_schema(progress_file())
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0, result.output
    first, *rest = result.output.splitlines()
    assert "damaged" in first and "moved to" in first
    assert any("sign-of-the-derivative" in line and "not started" in line for line in rest)
    again = CliRunner().invoke(main, ["progress", "--format", "json"])
    assert again.exit_code == 0 and '"messages": []' in again.output


async def test_damaged_file_in_the_app_is_notified_and_the_learner_carries_on(no_plots):
    from tutor.app.app import TutorApp
    from tutor.app.screens.lesson import LessonScreen

    progress_file().parent.mkdir(parents=True, exist_ok=True)
    truncated(progress_file())
    app = TutorApp(None, [], images=False)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        shown = [str(n.message) for n in app._notifications]
        assert len(shown) == 1 and "damaged" in shown[0] and "moved to" in shown[0]
        toasts = " ".join(str(t.render()) for t in app.screen.query("Toast"))
        assert "damaged" in toasts  # on the screen, not only in a list
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("enter", "enter")  # past the two explanations
        await settle(pilot)
        assert "✓" in await answer(pilot, "5")  # L(1) = 5
    assert [(a.answer, a.verdict) for a in ProgressStore().attempts("training-is-minimisation")] == [("5", "right")]


async def answer(pilot, text: str) -> str:
    screen = pilot.app.screen
    box = screen.query_one("#answer")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    return str(screen.query_one("#feedback").render())


# --- a read-only data folder ------------------------------------------------------------------------


def _read_only_connect(real):
    """sqlite3.connect opening every progress file read-only, as in a read-only folder.

    The tests run as root, which chmod does not stop, so SQLite itself is told:
    every write then fails with its own "attempt to write a readonly database".
    """

    def connect(target, *args, **kwargs):
        target = str(target)
        if target == ":memory:" or target.startswith("file:"):
            return real(target, *args, **kwargs)
        kwargs["uri"] = True
        return real(Path(target).resolve().as_uri() + "?mode=ro", *args, **kwargs)

    return connect


@pytest.fixture
def read_only(monkeypatch):
    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))


def test_read_only_store_says_so_once_keeps_the_session_and_the_file(tmp_path, monkeypatch):
    path = tmp_path / DB_NAME
    _real_progress(path, 3)
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(real))
    store = ProgressStore(path)
    assert store.position("a") == 2 and len(store.attempts("a")) == 3  # what was saved is there to resume
    for i in range(5):
        store.record("a", f"new{i}", "1", "right")
        store.set_position("a", 3 + i)
    assert not store.saving
    assert len(store.messages) == 1 and "can't be saved" in store.messages[0] and "read-only" in store.messages[0]
    assert len(store.attempts("a")) == 8 and store.position("a") == 7  # this sitting remembers
    store.close()
    monkeypatch.setattr(sqlite3, "connect", real)
    assert len(ProgressStore(path).attempts("a")) == 3  # the file kept everything it had


def test_a_new_file_in_a_read_only_folder_cannot_be_made_and_the_store_carries_on(tmp_path, read_only):
    store = ProgressStore(tmp_path / DB_NAME)
    assert not store.saving and len(store.messages) == 1 and "can't be saved" in store.messages[0]
    store.record("a", "q1", "1", "right")
    assert len(store.attempts()) == 1 and len(store.messages) == 1
    store.close()


def test_read_only_in_plain_mode_says_so_once_and_the_lesson_goes_on(monkeypatch):
    store = ProgressStore()
    store.record("sign-of-the-derivative", "s1.derivative", "10x", "right", skill="derivative")
    store.set_position("sign-of-the-derivative", 2, 14)
    store.close()
    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))  # from now on
    out = drive_plain(["10", "", "10", "decrease"], "sign-of-the-derivative")
    assert "resuming at step 3" in out  # the saved progress was read
    assert out.count("can't be saved") == 1
    assert out.count("Right.") == 3
    assert "Traceback" not in out


def test_a_data_folder_under_a_file_cannot_be_made_plain_mode_and_progress_carry_on(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tutor.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TUTOR_HOME", str(blocker / "tutor-home"))
    out = drive_plain(["", "10x", "10", "", "10", "decrease", "1/2"], "sign-of-the-derivative")
    assert out.count("can't be saved") == 1 and out.count("Right.") == 4
    assert out.count("no plots") == 1  # the plots cannot be saved either: said once
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0 and "can't be saved" in result.output.splitlines()[0]
    assert blocker.read_text() == "not a folder"


async def test_read_only_in_the_app_is_notified_and_answers_still_count(read_only, no_plots):
    from tutor.app.app import TutorApp

    app = TutorApp(None, [], images=False)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "✓" in await answer(pilot, "5")
        await pilot.press("enter")
        await settle(pilot)
        assert "✓" in await answer(pilot, "5")  # L(3) = (1 + 9)/2 = 5
        said = [str(n.message) for n in app._notifications]
        assert len([m for m in said if "can't be saved" in m]) == 1
        assert app.screen.session.score()[0] == 2  # both count in this sitting


# --- a full disk ---------------------------------------------------------------------------------------


def _fill(db: sqlite3.Connection) -> None:
    """Cap the file at its size and use up the free space in its pages: the next insert gets SQLITE_FULL."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    for size in (400, 40, 1):  # big rows first, then whatever crumbs are left
        try:
            while True:
                db.execute("INSERT INTO lessons (lesson_id, touched) VALUES (hex(randomblob(?)), 0)", (size,))
        except sqlite3.OperationalError as err:
            assert "full" in str(err)


@pytest.fixture
def full_disk(monkeypatch):
    """Call it to fill the disk: every progress file opened afterwards is full (SQLite's own error)."""
    real = ProgressStore._connect

    def connect(self, target):
        db = real(self, target)
        if target != ":memory:":
            _fill(db)
        return db

    return lambda: monkeypatch.setattr(ProgressStore, "_connect", connect)


def test_a_full_disk_keeps_what_was_saved_and_the_session_carries_on(tmp_path, full_disk):
    path = tmp_path / DB_NAME
    _real_progress(path, 5)
    full_disk()
    store = ProgressStore(path)
    for i in range(50):
        store.record("a", f"more{i}", "z" * 100, "right")
    assert not store.saving
    assert len(store.messages) == 1 and "disk is full" in store.messages[0]
    assert len(store.attempts("a")) == 55  # this sitting still has everything
    store.close()
    assert integrity(path) == "ok"
    db = sqlite3.connect(path)
    saved = [row[0] for row in db.execute("SELECT question_id FROM attempts ORDER BY id")]
    db.close()
    assert saved[:5] == [f"q{i}" for i in range(5)]  # nothing saved before was lost


def test_a_full_disk_in_plain_mode_says_so_once_and_the_lesson_goes_on(full_disk):
    full_disk()
    out = drive_plain(["", "10x", "10", "", "10", "decrease"], "sign-of-the-derivative")
    assert out.count("disk is full") == 1
    assert out.count("Right.") == 4
    assert "Step 5 of" in out


async def test_a_full_disk_in_the_app_is_notified_when_it_happens(no_plots, full_disk):
    from tutor.app.app import TutorApp

    full_disk()
    app = TutorApp(None, [], images=False)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "✓" in await answer(pilot, "5")
        said = [str(n.message) for n in app._notifications]
        assert len([m for m in said if "disk is full" in m]) == 1
        await pilot.press("enter")
        await settle(pilot)
        assert "✓" in await answer(pilot, "5")
        assert len([n for n in app._notifications if "disk is full" in str(n.message)]) == 1


# --- two tutors at once --------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """\
    import sys, time
    from pathlib import Path
    from tutor.progress import ProgressStore

    path, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    while not go.exists():  # start together
        time.sleep(0.01)
    store = ProgressStore(path)
    for i in range(count):
        store.record(name, f"q{i}", str(i), "right", skill="derivative")
        store.set_position(name, i)
        store.attempts(name)[-1:]  # a read between writes, as the tutor does
    print(store.saving, len(store.messages))
    store.close()
    """
)


def test_two_tutors_writing_at_once_lose_no_attempt(tmp_path):
    path = tmp_path / DB_NAME
    go = tmp_path / "go"
    count = 300
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, str(count), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for name in ("one", "two")
    ]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert out.split() == ["True", "0"]  # saved all along, nothing to tell
    store = ProgressStore(path)
    for name in ("one", "two"):
        assert [a.question_id for a in store.attempts(name)] == [f"q{i}" for i in range(count)]
        assert store.position(name) == count - 1
    store.close()
    assert integrity(path) == "ok"


def test_two_stores_on_threads_lose_no_attempt(tmp_path):
    path = tmp_path / DB_NAME
    stores = [ProgressStore(path), ProgressStore(path)]
    errors: list[BaseException] = []

    def write(store, name):
        try:
            for i in range(100):
                store.record(name, f"q{i}", str(i), "right")
        except BaseException as err:  # pragma: no cover - the assertion below shows it
            errors.append(err)

    threads = [threading.Thread(target=write, args=(stores[i % 2], f"t{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(s.saving and s.messages == [] for s in stores)
    assert sorted(len(stores[0].attempts(f"t{i}")) for i in range(4)) == [100] * 4
    for s in stores:
        s.close()


def test_a_locked_file_is_waited_for_not_given_up(tmp_path, monkeypatch):
    """Another tutor holds the write lock: the write is tried again, not turned into 'can't be saved'."""
    import tutor.progress as progress

    path = tmp_path / DB_NAME
    store = ProgressStore(path)
    store._db.execute("PRAGMA busy_timeout = 0")  # no waiting inside SQLite: 'database is locked' at once
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other tutor is in the middle of a write
    other.execute("INSERT INTO attempts (lesson_id, question_id, at) VALUES ('other', 'q', 'now')")
    waits = []

    def sleep(seconds):  # the other tutor finishes while this one waits
        waits.append(seconds)
        if other.in_transaction:
            other.execute("COMMIT")

    monkeypatch.setattr(progress.time, "sleep", sleep)
    store.record("mine", "q1", "1", "right")
    assert waits and store.saving and store.messages == []
    other.close()
    store.close()
    again = ProgressStore(path)
    assert {a.lesson_id for a in again.attempts()} == {"other", "mine"}
    again.close()


# --- another program's database (issue 14) ------------------------------------------------------


def _foreign(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
    db.execute("INSERT INTO bookmarks VALUES ('https://example.org', 'mine')")
    db.commit()
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("through_a_link", [False, True])
def test_another_programs_database_is_refused_and_left_untouched(tmp_path, through_a_link):
    other = tmp_path / "other-program.sqlite3"
    before = _foreign(other)
    home = tmp_path / "home"
    home.mkdir()
    path = home / DB_NAME
    if through_a_link:
        path.symlink_to(other)
    else:
        path = other.rename(path)
        other = path
    store = ProgressStore(path)
    assert not store.saving
    assert len(store.messages) == 1 and "not the tutor's progress file" in store.messages[0]
    assert "bookmarks" in store.messages[0]
    store.record("a", "q1", "1", "right")  # the sitting goes on in memory
    assert [a.question_id for a in store.attempts("a")] == ["q1"]
    store.close()
    assert other.read_bytes() == before  # not one byte written
    assert sorted(p.name for p in home.iterdir()) == [DB_NAME]  # nothing moved aside, no -wal or -shm left
    assert path.is_symlink() == through_a_link


def test_the_tutors_file_carries_its_application_id_and_an_old_file_is_adopted(tmp_path):
    from tutor.progress import APPLICATION_ID

    path = tmp_path / DB_NAME
    _real_progress(path, 2)  # written by the test itself, without an application id
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 0")
    db.commit()
    db.close()
    store = ProgressStore(path)
    assert store.saving and store.messages == [] and len(store.attempts("a")) == 2
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID == 0x44547574
    db.close()


# --- a lock held for longer than the store waits (issue 14) --------------------------------------


def test_answers_wait_in_memory_for_a_lock_and_are_written_when_it_frees(tmp_path, monkeypatch):
    import tutor.progress as progress

    monkeypatch.setattr(progress, "RETRY_SECONDS", 0.05)
    path = tmp_path / DB_NAME
    store = ProgressStore(path)
    store._db.execute("PRAGMA busy_timeout = 0")
    monkeypatch.setattr(progress.time, "sleep", lambda seconds: None)  # the in-line retries give up at once
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the file
    for i in range(6):
        store.record("mine", f"q{i}", str(i), "right")
    assert store.saving and store.unsaved > 0 and store.messages == []
    assert [a.question_id for a in store.attempts("mine")] == [f"q{i}" for i in range(6)]  # this sitting sees them
    other.execute("COMMIT")
    other.close()
    assert store.settle(wait=30.0)  # written now: waits for the retry or writes them itself
    assert store.unsaved == 0
    store.close()
    again = ProgressStore(path)
    assert [a.question_id for a in again.attempts("mine")] == [f"q{i}" for i in range(6)]
    again.close()


def test_a_lock_never_freed_is_said_and_nothing_is_called_saved(tmp_path, monkeypatch):
    import tutor.progress as progress

    monkeypatch.setattr(progress, "BUSY_SECONDS", 0.1)
    monkeypatch.setattr(progress.time, "sleep", lambda seconds: None)
    path = tmp_path / DB_NAME
    store = ProgressStore(path)
    store._db.execute("PRAGMA busy_timeout = 0")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store.record("mine", "q1", "1", "right")
    assert not store.settle(wait=0.1)
    store.close()
    assert not store.saving and any("could not be saved" in m for m in store.messages)
    other.execute("ROLLBACK")
    other.close()


def test_plain_mode_says_saved_only_when_it_is(full_disk):
    full_disk()
    out = drive_plain(["", "10x"], "sign-of-the-derivative")
    assert "Progress saved" not in out and "Progress NOT saved" in out
    assert out.count("disk is full") == 1


def test_undecodable_text_is_stored_as_replacement_characters_never_an_exception(tmp_path):
    store = ProgressStore(tmp_path / DB_NAME)
    store.record("a", "q1", "10\udcff", "invalid", kind="invalid")  # surrogateescape's way of carrying a bad byte
    assert store.saving and [a.answer for a in store.attempts("a")] == ["10\ufffd"]
    store.close()
