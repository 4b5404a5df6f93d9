"""The sandbox: a killable child process bounds time and memory of symbolic work."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import hostile_inputs as H
import pytest
import sympy

from tutor import sandbox
from tutor.errors import TutorError
from tutor.mathinput import MathTextError, parse_expression, symbol
from tutor.sandbox import BoundExceeded, run_bounded


# Module-level, so they pickle by reference into the child.
def square(n):
    return n * n


def build_hostile():
    """Constructing this expression hangs sympy (it evaluates it to decide its sign)."""
    from sympy import exp, sin

    return sin(sin(3 + exp(exp(exp(3)))))


def expand(expr):
    return sympy.expand(expr)


def raise_tutor(message):
    raise TutorError(message)


def raise_mathtext():
    parse_expression("x + foo", ["x"])


def raise_value():
    raise ValueError("internal detail")


def eat_memory(mb):
    return len(bytearray(mb * 1024 * 1024))


def sleep(seconds):
    time.sleep(seconds)
    return seconds


@pytest.fixture(autouse=True)
def child_process(monkeypatch):
    monkeypatch.delenv("TUTOR_SANDBOX", raising=False)


def test_runs_in_a_child_and_returns_the_value():
    assert run_bounded(square, 7) == 49
    assert run_bounded(square, n=8) == 64


def test_sympy_values_round_trip():
    x = symbol("x")
    got = run_bounded(expand, (x + 1) ** 2)
    assert got == x**2 + 2 * x + 1
    assert sympy.diff(run_bounded(square, sympy.Abs(x)), x) == sympy.diff(sympy.Abs(x) ** 2, x)


def test_hanging_sympy_is_cut_off_and_the_next_call_works():
    start = time.monotonic()
    with pytest.raises(BoundExceeded) as info:
        run_bounded(build_hostile, timeout=1)
    assert time.monotonic() - start < 6
    assert info.value.message == "this took too long to check (over 1 s); try a simpler expression"
    assert isinstance(info.value, TutorError)
    assert run_bounded(square, 9) == 81  # a fresh child was started


def test_expand_sized_work_is_cut_off():
    x = symbol("x")
    work = parse_expression(H.EXPAND_WORK.replace("2000", "1000") + "*(x+2)**1000", ["x"])
    start = time.monotonic()
    with pytest.raises(BoundExceeded):
        run_bounded(expand, work, timeout=0.5)
    assert time.monotonic() - start < 5
    assert run_bounded(square, 3) == 9
    assert x in work.free_symbols


def test_memory_bound():
    with pytest.raises(BoundExceeded) as info:
        run_bounded(eat_memory, 4096, memory_mb=512)
    assert "memory" in info.value.message
    assert run_bounded(eat_memory, 10) == 10 * 1024 * 1024


def test_tutor_errors_arrive_as_they_are():
    with pytest.raises(TutorError) as info:
        run_bounded(raise_tutor, "your answer has no x in it")
    assert type(info.value) is TutorError
    assert info.value.message == "your answer has no x in it"
    with pytest.raises(MathTextError) as info:
        run_bounded(raise_mathtext)
    assert (info.value.message, info.value.column) == ("unknown name 'foo' (the variable is x)", 4)


def test_other_errors_become_one_line():
    with pytest.raises(TutorError) as info:
        run_bounded(raise_value)
    assert info.value.message == "could not check this: ValueError"
    assert run_bounded(square, 2) == 4


def test_unpicklable_work_is_refused_not_crashed():
    with pytest.raises(TutorError) as info:
        run_bounded(lambda: 1)
    assert info.value.message.startswith("could not check this:")
    assert run_bounded(square, 5) == 25


def test_usable_from_threads_and_serialised():
    results, errors = [], []

    def worker(n):
        try:
            results.append(run_bounded(square, n))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(results) == [n * n for n in range(6)]


def test_time_out_from_a_thread():
    caught = []

    def worker():
        try:
            run_bounded(sleep, 10, timeout=0.5)
        except BoundExceeded as e:
            caught.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join(10)
    assert not t.is_alive() and len(caught) == 1
    assert run_bounded(square, 6) == 36


def test_warm_up_then_run():
    sandbox.warm_up()
    assert run_bounded(square, 11) == 121


def test_inline_mode(monkeypatch):
    monkeypatch.setenv("TUTOR_SANDBOX", "inline")
    assert run_bounded(square, 4) == 16
    assert run_bounded(lambda: "local functions work inline") == "local functions work inline"
    with pytest.raises(TutorError) as info:
        run_bounded(raise_value)
    assert info.value.message == "could not check this: ValueError"
    with pytest.raises(MathTextError):
        run_bounded(raise_mathtext)


class OddError(TutorError):
    """An exception whose constructor does not take its message back: cannot be unpickled as is."""

    def __init__(self, a, b):
        super().__init__(f"{a}{b}")


def raise_odd():
    raise OddError("x", "y")


def missing_module_function():
    return 1


def test_answers_that_cannot_be_read_back_do_not_desynchronise():
    with pytest.raises(TutorError) as info:
        run_bounded(raise_odd)
    assert info.value.message.startswith("could not check this:")
    assert run_bounded(square, 12) == 144


def test_work_the_child_cannot_import(monkeypatch):
    monkeypatch.setattr(missing_module_function, "__module__", "no_such_module_here")
    with pytest.raises(TutorError) as info:
        run_bounded(missing_module_function)
    assert info.value.message.startswith("could not check this:")
    assert run_bounded(square, 13) == 169


def test_interrupted_wait_does_not_leave_a_stale_answer(monkeypatch):
    connection = type(sandbox._ensure_worker().conn)
    real_poll = connection.poll

    def interrupted(self, timeout=0.0):
        raise KeyboardInterrupt

    monkeypatch.setattr(connection, "poll", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_bounded(sleep, 0.3)
    monkeypatch.setattr(connection, "poll", real_poll)
    assert run_bounded(square, 14) == 196  # not the 0.3 left over from the interrupted call


def test_the_checker_starts_when_stderr_has_no_file_descriptor():
    """Inside a Textual app sys.stderr is a capture whose fileno() is -1 (or raises).

    multiprocessing hands stderr's descriptor to its helper processes; the
    checker must still start there, in a fresh process where nothing has
    started it before.
    """
    code = (
        "import io, operator, sys\n"
        "class Capture(io.StringIO):\n"
        "    def fileno(self):\n"
        "        return -1\n"
        "class Raising(io.StringIO):\n"
        "    def fileno(self):\n"
        "        raise io.UnsupportedOperation('fileno')\n"
        "sys.stderr = Capture() if sys.argv[1] == 'minus-one' else Raising()\n"
        "from tutor.sandbox import run_bounded\n"
        "print(run_bounded(operator.add, 2, 3), file=sys.__stdout__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TUTOR_SANDBOX"}
    for kind in ("minus-one", "raising"):
        proc = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True, timeout=60, env=env)
        assert proc.stdout.strip() == "5", proc.stdout + proc.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="forking the checker is for Linux only")
def test_a_one_thread_process_forks_its_checker_a_threaded_one_asks_the_forkserver():
    """Forked, the checker has this process's imports at once (no new interpreter importing sympy, ~0.5 s of CPU);
    with a second thread running (the Textual app) a fork could inherit a held lock, so the forkserver starts it."""
    sandbox._discard_worker()
    assert threading.active_count() == 1, threading.enumerate()  # as `tutor check`, plain mode, export
    assert run_bounded(os.getppid) == os.getpid()  # our own child

    sandbox._discard_worker()
    parents = []
    thread = threading.Thread(target=lambda: parents.append(run_bounded(os.getppid)))
    thread.start()
    thread.join()
    assert parents and parents[0] != os.getpid()  # the forkserver's child
    assert run_bounded(square, 7) == 49  # and that checker keeps working
    sandbox._discard_worker()


@pytest.mark.skipif(sys.platform != "linux", reason="forking the checker is for Linux only")
def test_a_forked_checker_leaves_its_parents_objects_out_of_its_collections():
    """gc.freeze around the fork: the child's collector never visits (and so never copies) the parent's heap."""
    import gc

    sandbox._discard_worker()
    assert run_bounded(gc.get_freeze_count) > 10_000  # sympy, the tests, everything imported here
    assert gc.get_freeze_count() == 0  # the parent collects its own garbage again
    sandbox._discard_worker()
