"""Run untrusted-answer work (sympy on student input) in a worker process with hard limits.

One long-lived worker process serves every call of a :class:`Sandbox`, so a
class of hundreds of answers pays the process start once. Each call gets:

* a soft time limit: inside the worker a SIGALRM timer raises an exception in
  the function after ``time_limit`` seconds (reported as :class:`SandboxTimeout`;
  the worker is kept);
* a hard time limit: work stuck in C code ignores the alarm, so the parent
  waits at most ``time_limit + 1`` s, then kills the worker with SIGKILL,
  reports :class:`SandboxTimeout` and starts a fresh worker on the next call;
* a memory limit: the worker's address space (RLIMIT_AS) may grow by at most
  ``memory_limit_mb`` beyond what it had when it started (a forked worker
  inherits the parent's mappings, which can already be large, e.g. with torch
  imported). Running out raises MemoryError in the worker, reported as
  :class:`SandboxCrashed`, and the worker is replaced.

Functions must be top-level (picklable) and so must their arguments and
results. The parent never uses signals, so any thread may call :meth:`Sandbox.run`;
calls on one Sandbox are serialized by a lock.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import traceback

HARD_DEADLINE_GRACE = 1.0   # seconds past the soft limit before the worker is killed
ORPHAN_CHECK_SECONDS = 1.0  # how often an idle worker checks that its parent is alive


class SandboxError(Exception):
    """Work in the sandbox failed; ``str()`` is a one-line human message."""


class SandboxTimeout(SandboxError):
    """The work took longer than the time limit, e.g. "took longer than 2.0 s"."""


class SandboxCrashed(SandboxError):
    """The worker process died or ran out of memory (it is replaced)."""


class _SoftTimeout(BaseException):
    """Raised inside the work by SIGALRM; a BaseException so ``except Exception`` does not swallow it."""


# --- the worker process -------------------------------------------------------

_OK, _RAISED, _RAISED_TEXT, _TIMED_OUT, _OUT_OF_MEMORY = "ok", "raised", "raised-text", "timeout", "memory"
_WORKER_DIED = object()


def _address_space_bytes() -> int:
    """Current virtual memory size of this process in bytes (0 when /proc is unavailable)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(memory_limit_mb: int) -> None:
    """Set RLIMIT_AS to current size + memory_limit_mb (capped at the hard limit) and disable core dumps."""
    try:
        import resource
    except ImportError:  # not POSIX: no memory limit
        return
    limit = _address_space_bytes() + memory_limit_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass  # e.g. macOS does not enforce RLIMIT_AS; the hard deadline still applies


def _encode_outcome(outcome: tuple) -> bytes:
    """Pickle an outcome for the parent, degrading an unpicklable exception or result to text."""
    kind = outcome[0]
    try:
        data = pickle.dumps(outcome)
        if kind == _RAISED:
            pickle.loads(data)  # some exceptions pickle but cannot be rebuilt (custom __init__)
        return data
    except Exception as error:  # noqa: BLE001 - any pickling failure degrades to text
        if kind == _RAISED:
            exc = outcome[1]
            text = f"{type(exc).__name__}: {exc}"
        else:
            text = f"the result ({type(outcome[1]).__name__}) could not be sent back: {error}"
        return pickle.dumps((_RAISED_TEXT, text))


def _worker_main(connection, memory_limit_mb: int) -> None:
    """Worker loop: receive (fn, args, kwargs, time_limit), run it under a SIGALRM timer, send the outcome.

    Exits on EOF or an empty request (the stop request), after a MemoryError
    (its state may be broken), and within a second of its parent's death: a
    forked worker holds a copy of the parent's end of the pipe, so a parent
    killed by SIGKILL (say, a batch worker) would never send it EOF.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the parent, which stops the worker
    parent = os.getppid()
    _limit_memory(memory_limit_mb)
    armed = False

    def on_alarm(signum, frame):
        if armed:  # a signal delivered just after the work finished is ignored
            raise _SoftTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    out_of_memory = pickle.dumps((_OUT_OF_MEMORY,))  # prepared while memory is available
    while True:
        try:
            while not connection.poll(ORPHAN_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
            request = connection.recv_bytes()
        except (EOFError, OSError):
            return
        if not request:
            return
        try:
            try:
                fn, args, kwargs, time_limit = pickle.loads(request)
                armed = True
                signal.setitimer(signal.ITIMER_REAL, time_limit)
                try:
                    outcome = (_OK, fn(*args, **kwargs))
                finally:
                    armed = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except _SoftTimeout:
                outcome = (_TIMED_OUT,)
            except MemoryError:
                connection.send_bytes(out_of_memory)
                os._exit(1)
            except Exception as error:  # noqa: BLE001 - every failure of the work goes back to the caller
                outcome = (_RAISED, error, traceback.format_exc())
            except BaseException as error:  # noqa: BLE001 - SystemExit etc. must not stop the parent
                outcome = (_RAISED_TEXT, f"{type(error).__name__}: {error}")
            connection.send_bytes(_encode_outcome(outcome))
        except _SoftTimeout:
            connection.send_bytes(pickle.dumps((_TIMED_OUT,)))
        except MemoryError:
            os._exit(1)


# --- the parent side ----------------------------------------------------------

def _context() -> multiprocessing.context.BaseContext:
    """'fork' where available (workers inherit imported modules), else 'spawn'."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Sandbox:
    """A persistent worker process that runs functions under time and memory limits.

    ``time_limit`` is seconds per call (soft; the worker is killed at
    time_limit + 1 s); ``memory_limit_mb`` is how much the worker may grow.
    Use as a context manager or call :meth:`close`.
    """

    def __init__(self, *, time_limit: float = 2.0, memory_limit_mb: int = 2048):
        if time_limit <= 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {time_limit}")
        if memory_limit_mb <= 0:
            raise ValueError(f"memory_limit_mb must be > 0, got {memory_limit_mb}")
        self.time_limit = float(time_limit)
        self.memory_limit_mb = int(memory_limit_mb)
        self._lock = threading.Lock()
        self._process = None
        self._connection = None

    @property
    def worker_pid(self) -> int | None:
        """Process id of the current worker, or None when none is running."""
        return self._process.pid if self._process is not None else None

    def run(self, fn, /, *args, **kwargs):
        """Call ``fn(*args, **kwargs)`` in the worker and return its result.

        Exceptions raised by ``fn`` are re-raised here (same type when they
        can be pickled, else :class:`SandboxError` with their text). Raises
        :class:`SandboxTimeout` past the time limit and :class:`SandboxCrashed`
        when the worker runs out of memory or dies.
        """
        return self.call(fn, args, kwargs)

    def call(self, fn, args: tuple = (), kwargs: dict | None = None, *, time_limit: float | None = None):
        """Like :meth:`run` with explicit ``args``/``kwargs`` and an optional per-call ``time_limit``."""
        limit = self.time_limit if time_limit is None else float(time_limit)
        if limit <= 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {limit}")
        try:
            request = pickle.dumps((fn, tuple(args), dict(kwargs or {}), limit))
        except Exception as error:  # noqa: BLE001 - report any pickling failure the same way
            raise SandboxError(f"cannot send {getattr(fn, '__qualname__', fn)!r} to the worker "
                               f"(functions must be top-level and arguments picklable): {error}") from None
        with self._lock:
            self._ensure_worker()
            try:
                self._connection.send_bytes(request)
            except OSError:  # the worker died between calls
                self._stop_worker()
                self._ensure_worker()
                self._connection.send_bytes(request)
            try:
                reply = self._await_reply(limit + HARD_DEADLINE_GRACE)
            except BaseException:
                # interrupted (e.g. KeyboardInterrupt) while the worker still works: its late
                # reply would be taken as the answer to the next call, so replace the worker
                self._stop_worker(kill=True)
                raise
            if reply is None:
                self._stop_worker(kill=True)
                raise SandboxTimeout(f"took longer than {limit} s (stopped by force)")
            if reply is _WORKER_DIED:
                code = self._stop_worker()
                raise SandboxCrashed(_death_message(code))
            try:
                outcome = pickle.loads(reply)
            except Exception as error:  # noqa: BLE001 - e.g. a result type the parent cannot import
                raise SandboxError(f"the worker's reply could not be read: {error}") from None
            kind = outcome[0]
            if kind == _OUT_OF_MEMORY:
                self._stop_worker()
                raise SandboxCrashed(f"used more than {self.memory_limit_mb} MB of memory")
        if kind == _OK:
            return outcome[1]
        if kind == _TIMED_OUT:
            raise SandboxTimeout(f"took longer than {limit} s")
        if kind == _RAISED:
            error, worker_traceback = outcome[1], outcome[2]
            if hasattr(error, "add_note"):  # Python >= 3.11: show where it failed in the worker
                error.add_note("raised in the sandbox worker:\n" + worker_traceback.rstrip())
            raise error
        raise SandboxError(" ".join(outcome[1].split()))

    def _await_reply(self, deadline: float):
        """The reply bytes, None when none came within ``deadline`` seconds, _WORKER_DIED when it died."""
        try:
            if not self._connection.poll(deadline):
                return None
            return self._connection.recv_bytes()
        except (EOFError, OSError):
            return _WORKER_DIED

    def _ensure_worker(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        if self._process is not None:
            self._stop_worker()
        context = _context()
        parent_end, worker_end = context.Pipe(duplex=True)
        process = context.Process(target=_worker_main, args=(worker_end, self.memory_limit_mb),
                                  name="grader-sandbox", daemon=True)
        process.start()
        worker_end.close()  # so that the parent sees EOF when the worker dies
        self._process, self._connection = process, parent_end

    def _stop_worker(self, *, kill: bool = False) -> int | None:
        """Stop and reap the worker (politely unless ``kill``); return its exit code."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is None:
            return None
        if not kill and process.is_alive():
            try:
                connection.send_bytes(b"")  # the stop request
            except OSError:
                pass
            process.join(timeout=1.0)
        if process.is_alive():
            process.kill()
        process.join()
        connection.close()
        code = process.exitcode
        process.close()
        return code

    def close(self) -> None:
        """Stop the worker process (a later run starts a new one)."""
        with self._lock:
            self._stop_worker()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        try:
            if self._process is not None:
                self._stop_worker(kill=True)
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


def _death_message(exit_code: int | None) -> str:
    """One line explaining how the worker died, from its exit code (negative = killed by that signal)."""
    if exit_code is None or exit_code >= 0:
        return f"the worker process died (exit code {exit_code})"
    try:
        name = signal.Signals(-exit_code).name
    except ValueError:
        name = f"signal {-exit_code}"
    hint = " (possibly the system's out-of-memory killer)" if -exit_code == signal.SIGKILL else ""
    return f"the worker process was killed by {name}{hint}"


# --- a shared default sandbox ---------------------------------------------------

_default_sandbox: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The module-wide Sandbox with default limits (created on first use, closed at exit)."""
    global _default_sandbox
    with _default_lock:
        if _default_sandbox is None:
            _default_sandbox = Sandbox()
            atexit.register(_default_sandbox.close)
        return _default_sandbox


def run_limited(fn, /, *args, time_limit: float = 2.0, **kwargs):
    """Call ``fn(*args, **kwargs)`` in the shared default Sandbox with ``time_limit`` seconds.

    Returns fn's result; raises as :meth:`Sandbox.run` does. (``time_limit``
    is taken by this function, so it cannot be passed on to ``fn``.)
    """
    return default_sandbox().call(fn, args, kwargs, time_limit=time_limit)
