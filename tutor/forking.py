"""When a child process may be forked from this one, and how to fork it without copying the parent's heap.

A forked child starts at once with every module its parent imported (the
export's drawing processes, the checker); a new interpreter first imports
sympy or matplotlib again.  Forking is safe only while this process runs one
thread (a lock held by another thread would stay locked in the child for
ever: the Textual app has several) and only on Linux (macOS libraries may not
survive a fork).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator


def can_fork() -> bool:
    """Linux, and no thread but this one."""
    return sys.platform == "linux" and threading.active_count() == 1


@contextlib.contextmanager
def frozen_heap(forking: bool) -> Iterator[None]:
    """Around a fork: the objects this process has are left out of the children's garbage collections.

    A forked child shares its parent's memory until it writes to it, and a collection writes to every object it
    visits: the children of a process with a large heap (a long benchmark, a test worker) copied it page by page
    as they worked.  Frozen objects are never visited (``gc.freeze``, as Python's documentation advises).
    """
    if not forking:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # in the parent, its own garbage is collected again
