"""A hard time and memory bound for one-shot commands (``tutor derive`` ...).

A timer thread cannot stop a long C-level operation (a big-integer power holds
the GIL for minutes), and ``signal.alarm`` handlers wait for it too.  So the
command forks: the child does the work under an address-space limit and a
CPU-time limit (``RLIMIT_CPU``, which the kernel enforces whatever the child is
doing), and the parent only supervises it.  When the time is up the parent
kills the child, prints one ``error:`` line and exits 1; otherwise it exits
with the child's status.  (The long-lived tutor uses :mod:`tutor.sandbox`, a
child process it can kill and restart, instead.)

Where a fork is not possible or not safe (Windows, threads already running,
streams that are not real files, as under click's test runner) a timer thread
is the fallback: it stops Python-level work, not a single C call.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 2048

#: CPU seconds the output after the bounded block may still use (printing, a plot).
AFTERWARDS_CPU_SECONDS = 120


def _too_long(seconds: float) -> str:
    return f"error: this took longer than {seconds:g} s, so it was stopped; try a simpler expression\n"


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform
        return
    limit = megabytes * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > limit:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_cpu(seconds: float) -> None:
    """SIGXCPU after ``seconds`` of CPU (the kernel's own bound), SIGKILL well after."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    soft = math.ceil(spent + seconds) + 1
    hard = soft + AFTERWARDS_CPU_SECONDS
    old_hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if old_hard != resource.RLIM_INFINITY:
        hard = min(hard, old_hard)
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _lift_cpu() -> None:
    """After the bounded block: the rest of the command may use what the hard limit leaves."""
    try:
        import resource
    except ImportError:
        return
    with contextlib.suppress(ValueError, OSError):
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def _real_fd(stream: Any) -> bool:
    try:
        return stream is not None and stream.fileno() >= 0
    except (AttributeError, ValueError, OSError):
        return False


def can_supervise() -> bool:
    """A fork is possible and safe: POSIX, one thread, real standard streams."""
    return (
        hasattr(os, "fork")
        and os.environ.get("TUTOR_WATCHDOG") != "thread"
        and threading.active_count() == 1
        and _real_fd(sys.stdout)
        and _real_fd(sys.stderr)
    )


def _supervise(seconds: float, done_fd: int, pid: int) -> None:
    """The parent: wait for the child; kill it when the time is up.  Never returns."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the child too, and it ends itself
    end = time.monotonic() + seconds
    finished = False
    status = None
    while status is None:
        waited, raw = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            status = raw
            break
        if not finished:
            left = end - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.write(2, _too_long(seconds).encode())
                os._exit(1)
            import select

            ready, _, _ = select.select([done_fd], [], [], min(left, 0.2))
            if ready and os.read(done_fd, 1):
                finished = True  # the bounded work is over: the rest (printing) is not timed
        else:
            status = os.waitpid(pid, 0)[1]
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGXCPU, signal.SIGKILL) and not finished:
            os.write(2, _too_long(seconds).encode())
            os._exit(1)
        if sig == signal.SIGINT:
            os._exit(130)
        if sig == signal.SIGPIPE:
            os._exit(141)
        os.write(2, f"error: the command was stopped by signal {sig}\n".encode())
        os._exit(1)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


@contextlib.contextmanager
def deadline(seconds: float | None = DEFAULT_SECONDS, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[None]:
    """End the command with ``error: ...`` (exit 1) if the block runs past ``seconds``."""
    if seconds is None:
        seconds = DEFAULT_SECONDS * 6
    if can_supervise():
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid:
            os.close(write_end)
            _supervise(seconds, read_end, pid)
        os.close(read_end)
        _limit_memory(memory_mb)
        _limit_cpu(seconds)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.write(write_end, b"d")
                os.close(write_end)
            _lift_cpu()
        return

    _limit_memory(memory_mb)

    def expire() -> None:
        sys.stderr.write(_too_long(seconds))
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
