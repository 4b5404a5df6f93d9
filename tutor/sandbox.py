"""Hard time and memory bounds for symbolic work on untrusted input.

Parsing is bounded (see :mod:`tutor.mathinput`), but some small, allowed
expressions still make sympy run for ever or eat all memory once they are
simplified, expanded or evaluated.  A Python thread cannot be interrupted and
``signal.alarm`` only works in the main thread, so the work runs in a child
process that can be killed.  The child is persistent (starting Python and
importing sympy costs about a second) and is replaced only after a time-out.

The child is forked from this process while it runs one thread (on Linux: the
command line, plain mode), else started with "forkserver" (or "spawn" where
that is missing): the Textual app has threads, and forking a threaded process
can deadlock the child.  Set ``TUTOR_SANDBOX=inline`` to run the work in-process
(for debugging, and for tests that do not test the bound).  As with any
"spawn"-style start, a script calling this must guard its entry point with
``if __name__ == "__main__":`` because the child imports the main module.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from multiprocessing.reduction import ForkingPickler
from typing import IO, Any, TypeVar

from tutor import i18n
from tutor.errors import TutorError
from tutor.forking import can_fork, frozen_heap
from tutor.i18n import _

try:
    import resource
except ImportError:  # Windows: time bound only
    resource = None  # type: ignore[assignment]

__all__ = ["LESSON_SECONDS", "BoundExceeded", "bounded_walkthrough", "run_bounded", "start", "warm_up"]

_R = TypeVar("_R")
_START_TIMEOUT = 60.0  # seconds for a new child to import sympy (slow disks, first run)

#: Building one lesson's walkthrough (every expected answer) in ``run``, ``export`` and the app;
#: ``tutor check`` allows the same (``WALK`` in :mod:`tutor.lesson.check`).
LESSON_SECONDS = 15.0


class BoundExceeded(TutorError):
    """The work took longer or used more memory than allowed."""


def _child_main(conn: Connection) -> None:
    """Worker loop: receive (fn, args, kwargs, memory_mb, language), send back a tagged result."""
    import sympy  # noqa: F401  (once, so each job starts quickly)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    os.environ["TUTOR_SANDBOX"] = "inline"  # bounded work inside a job (grading) runs here, under the job's bound
    conn.send(("ready", None))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            job = ForkingPickler.loads(data)
            if job is None:  # asked to stop
                return
            fn, args, kwargs, memory_mb, language = job
            _limit_memory(memory_mb)
            i18n.set_language(language)  # the child speaks the learner's language (chosen once, in the parent)
            reply = ("ok", fn(*args, **kwargs))
        except MemoryError:
            reply = ("memory", None)
        except TutorError as e:
            reply = ("tutor", e)
        except BaseException as e:
            reply = ("error", type(e).__name__)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", None))
        except Exception as e:  # the result could not be pickled
            conn.send(("error", type(e).__name__))


def _limit_memory(memory_mb: int | None) -> None:
    """Per job, so each call may choose its own limit (0 or None: no limit)."""
    if resource is None:
        return
    try:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = memory_mb * 1024 * 1024 if memory_mb else hard
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ValueError, OSError):
        pass


def _context() -> ForkContext | ForkServerContext | SpawnContext:
    """Forked from this process when nothing else runs in it (Linux), else from the forkserver, else spawned.

    A forked child has every module this process imported and starts at once; a forkserver child of a new
    interpreter costs an import of sympy (about half a second of CPU) first, paid by every command that checks
    anything.  Forking is safe only with one thread (the Textual app has several: a lock held by another thread
    would stay locked in the child for ever), and only on Linux.
    """
    if can_fork():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sympy"])  # later children start in milliseconds
        return ctx
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _real_stdio() -> Iterator[None]:
    """Starting a child hands our stderr's file descriptor to multiprocessing's helpers.

    Inside a Textual app ``sys.stderr`` is a capture object whose ``fileno()``
    is -1, and the start fails ("bad value(s) in fds_to_keep"); the process's
    real streams are what the helpers need.
    """
    saved = sys.stdout, sys.stderr
    try:
        if _fileno(sys.stderr) < 0 and sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__
        if _fileno(sys.stdout) < 0 and sys.__stdout__ is not None:
            sys.stdout = sys.__stdout__
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _fileno(stream: IO[str]) -> int:
    try:
        return stream.fileno()
    except (AttributeError, ValueError, OSError):
        return -1


class _Worker:
    def __init__(self) -> None:
        ctx = _context()
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_child_main, args=(child_conn,), daemon=True, name="tutor-sandbox")
        with _real_stdio(), frozen_heap(ctx.get_start_method() == "fork"):
            self.process.start()
        child_conn.close()
        try:
            ready = self.conn.poll(_START_TIMEOUT) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise TutorError(_("could not start the checker process"))

    def stop(self, polite: bool = True) -> None:
        """Ask nicely (when idle), then terminate, then kill: a busy child ignores the pipe."""
        if polite:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.process.join(0.5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        self.conn.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def _ensure_worker() -> _Worker:
    global _worker
    if _worker is None or not _worker.process.is_alive():
        _discard_worker()
        _worker = _Worker()
    return _worker


def _discard_worker(polite: bool = False) -> None:
    global _worker
    if _worker is not None:
        _worker.stop(polite)
        _worker = None


def run_bounded(fn: Callable[..., _R], *args: Any, timeout: float = 2.0, memory_mb: int = 1024, **kwargs: Any) -> _R:
    """``fn(*args, **kwargs)`` in the child, at most ``timeout`` seconds and ``memory_mb`` MB.

    ``fn`` must be a module-level function and the arguments picklable.  A
    TutorError raised by ``fn`` arrives as is; any other error becomes a
    one-line TutorError; running out of time or memory raises BoundExceeded.
    Calls from several threads are served one at a time.
    """
    too_long = BoundExceeded(
        _("this took too long to check (over {seconds} s); try a simpler expression").format(seconds=f"{timeout:g}")
    )
    too_big = BoundExceeded(_("this needed too much memory to check; try a simpler expression"))
    if os.environ.get("TUTOR_SANDBOX") == "inline":
        try:
            return fn(*args, **kwargs)
        except TutorError:
            raise
        except MemoryError:
            raise too_big from None
        except Exception as e:
            raise TutorError(_("could not check this: {error}").format(error=type(e).__name__)) from e
    try:
        job = ForkingPickler.dumps((fn, args, kwargs, memory_mb, i18n.current_language()))
    except Exception as e:  # a lambda, a local function, an open file ...
        raise TutorError(_("could not check this: {error}").format(error=type(e).__name__)) from None
    with _lock:
        worker = _ensure_worker()
        try:
            try:
                worker.conn.send_bytes(job)
            except OSError:  # the child died between calls: one fresh try
                _discard_worker()
                worker = _ensure_worker()
                worker.conn.send_bytes(job)
            if not worker.conn.poll(timeout):
                raise too_long
            data = worker.conn.recv_bytes()
        except EOFError:  # killed by the OS, most likely for memory
            _discard_worker()
            raise too_big from None
        except BaseException:  # time-out, Ctrl-C ...: the child's answer would come late
            _discard_worker()
            raise
    try:
        status, payload = ForkingPickler.loads(data)
    except Exception as e:  # e.g. an exception class that cannot be rebuilt here
        raise TutorError(_("could not check this: {error}").format(error=type(e).__name__)) from None
    if status == "ok":
        return payload
    if status == "tutor":
        raise payload
    if status == "memory":
        raise too_big
    raise TutorError(_("could not check this: {error}").format(error=payload))


def bounded_walkthrough(lesson: Any) -> Any:
    """The lesson's walkthrough, built in the child: a lesson file cannot hang a view (x^x^x^x at 10)."""
    from tutor.walkthrough import build_walkthrough

    try:
        return run_bounded(build_walkthrough, lesson, timeout=LESSON_SECONDS, memory_mb=1024)
    except BoundExceeded as err:
        raise BoundExceeded(
            _(
                "preparing the lesson {name} went past its bound ({message}); `tutor check` on its file says where"
            ).format(name=getattr(lesson, "id", "?"), message=err.message)
        ) from None


def start() -> None:
    """Start the child now, in this thread: before a command starts threads of its own, so it is forked at once."""
    if os.environ.get("TUTOR_SANDBOX") == "inline":
        return
    with _lock:
        _ensure_worker()


def warm_up() -> None:
    """Start the child in the background, so the first check does not wait for sympy to import."""
    if os.environ.get("TUTOR_SANDBOX") == "inline":
        return

    def start() -> None:
        try:
            with _lock:
                _ensure_worker()
        except Exception:
            pass

    threading.Thread(target=start, name="tutor-sandbox-warm-up", daemon=True).start()


@atexit.register
def _shutdown() -> None:
    if _lock.acquire(timeout=2.0):
        try:
            _discard_worker(polite=True)
        finally:
            _lock.release()
