"""A hard time and memory bound for one-shot commands (``tutor derive`` ...).

A command-line run does its symbolic work in its own process, so the cheapest
hard bound is on that process: a timer thread that ends it with one clear
line, and an address-space limit.  (The long-lived tutor uses
:mod:`tutor.sandbox`, a child process it can kill and restart, instead.)
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 2048


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform
        return
    limit = megabytes * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@contextlib.contextmanager
def deadline(seconds: float | None = DEFAULT_SECONDS, memory_mb: int = DEFAULT_MEMORY_MB):
    """End the process with ``error: ...`` (exit 1) if the block runs past ``seconds``."""
    _limit_memory(memory_mb)
    if seconds is None:
        seconds = DEFAULT_SECONDS * 6

    def expire() -> None:
        sys.stderr.write(f"error: this took longer than {seconds:g} s, so it was stopped; try a simpler expression\n")
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
