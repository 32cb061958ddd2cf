"""Grade many submissions in parallel worker processes (batch mode).

Each worker is a :class:`concurrent.futures.ProcessPoolExecutor` process that
owns a :class:`~grader.grading.Grader` and so its own sandbox (one more
process, forked by the worker, that reads and judges the answers). A
``multiprocessing.Pool`` cannot host it: Pool workers are daemonic, and a
daemonic process may not start the sandbox's child (``tests/test_batch.py``
checks both). The key is handed to each worker once, by the pool's
initializer (inherited, not pickled, where workers are forked).

Guarantees (README, Security): every input gets exactly one result, in input
order; a broken file, an answer past the time limit or a bug is that
submission's result. A worker that dies (killed, out of memory) breaks the
pool: the pool is replaced, and every submission that was in flight is
retried once, alone, in a worker of its own, so that a second death is
known to be its own, and is reported as its error. Results do not depend on
``jobs`` or on what else is in the run (each verdict is the one the answer
gets alone; only the caches differ).

Per-submission keys (issue 12's variants): ``key_for(submission, key)``
returns the answer key to grade a loaded submission with (``key`` is the
run's key); it runs in the workers, so it must be a top-level function. Each
worker keeps one Grader per distinct key object returned, sharing its sandbox.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from grader.grading import DEFAULT_TIME_LIMIT, Grader
from grader.results import SubmissionResult
from grader.sandbox import Sandbox
from grader.submission import Submission, SubmissionError, load_submission
from solver.key import AnswerKey

#: Submissions sent to a worker in one task (fewer round trips; a dead worker costs a retry of each).
CHUNK_SIZE = 16
#: Tasks queued per worker, so that a worker never waits for the parent.
TASKS_PER_WORKER = 2

#: ``key_for(submission, run_key) -> key`` (see the module docstring).
KeyChooser = Callable[[Submission, AnswerKey], AnswerKey]


@dataclass(frozen=True)
class BatchSettings:
    """How each submission is graded: the time limit per answer, the verdict caches, the key chooser."""

    time_limit: float = DEFAULT_TIME_LIMIT
    cache: bool = True
    key_for: KeyChooser | None = None
    feedback: str | None = None

    def grader(self, key: AnswerKey, sandbox: Sandbox) -> Grader:
        """A grader of ``key`` on ``sandbox`` with these settings."""
        options = {} if self.feedback is None else {"feedback": self.feedback}
        return Grader(key, sandbox=sandbox, cache=self.cache, **options)


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def grade_batch(key: AnswerKey, paths: list[str], *, jobs: int | None = None,
                settings: BatchSettings = BatchSettings(),
                progress: Callable[[int], None] | None = None) -> list[dict]:
    """Grade every file of ``paths`` in ``jobs`` worker processes; one result (its JSON data) per path,
    in the order of ``paths``. ``progress(n)`` is called as n more results arrive."""
    jobs = max(1, jobs or default_jobs())
    results: list[dict | None] = [None] * len(paths)
    items = list(enumerate(paths))
    size = max(1, min(CHUNK_SIZE, len(items) // (jobs * 4) or 1))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    suspects = _run_pooled(key, settings, chunks, jobs, results, progress)
    _run_alone(key, settings, suspects, results, progress)
    return results


# --- the workers ----------------------------------------------------------------------------

class _Worker:
    """A worker process's graders (one per key) and their shared sandbox."""

    def __init__(self, key: AnswerKey, settings: BatchSettings):
        self.sandbox = Sandbox(time_limit=settings.time_limit)
        self.settings = settings
        self.default = settings.grader(key, self.sandbox)
        self.graders = {id(key): self.default}

    def grade(self, path: str) -> dict:
        try:
            return self._grade(path).to_data()
        except Exception as error:  # noqa: BLE001 - a bug costs this submission, never the run
            return _error_data(self.default.key, path, f"could not be graded (internal error: "
                               f"{type(error).__name__}: {str(error)[:200]}); please report it")

    def _grade(self, path: str) -> SubmissionResult:
        if self.settings.key_for is None:
            return self.default.grade_path(path)
        try:
            submission = load_submission(path)
        except SubmissionError:
            return self.default.grade_path(path)  # the same error, reported as grade_path does
        try:
            key = self.settings.key_for(submission, self.default.key)
        except ValueError as error:         # its variant cannot be determined: that submission's error
            return self.default._failed(path, str(error), submission)
        grader = self.graders.get(id(key))
        if grader is None:
            grader = self.graders[id(key)] = self.settings.grader(key, self.sandbox)
        return grader.grade(submission)


_WORKER: _Worker | None = None


def _start_worker(key: AnswerKey, settings: BatchSettings) -> None:
    """The pool's initializer: build this worker's graders (Ctrl-C is the parent's to handle)."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = _Worker(key, settings)


def _grade_chunk(chunk: list[tuple[int, str]]) -> list[tuple[int, dict]]:
    """Runs in a worker: (position, result data) for each (position, path)."""
    return [(position, _WORKER.grade(path)) for position, path in chunk]


# --- the parent -----------------------------------------------------------------------------

def _context():
    """'fork' on Linux (workers inherit the prepared key and imported modules), else 'spawn'."""
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _executor(key: AnswerKey, settings: BatchSettings, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_start_worker,
                               initargs=(key, settings))


def _run_pooled(key, settings, chunks, jobs, results, progress) -> list[tuple[int, str]]:
    """Grade ``chunks`` in a pool of ``jobs`` workers, replacing the pool when a worker dies;
    returns the submissions that were in flight when one died (to be retried alone)."""
    pending = deque(chunks)
    suspects: list[tuple[int, str]] = []
    executor = _executor(key, settings, jobs)
    in_flight: dict = {}
    try:
        while pending or in_flight:
            while pending and len(in_flight) < jobs * TASKS_PER_WORKER:
                chunk = pending.popleft()
                in_flight[executor.submit(_grade_chunk, chunk)] = chunk
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                chunk = in_flight.pop(future)
                try:
                    graded = future.result()
                except BrokenProcessPool:
                    broken = True
                    suspects.extend(chunk)
                    continue
                except Exception:  # noqa: BLE001 - e.g. a result that could not be sent back
                    suspects.extend(chunk)
                    continue
                _store(graded, results, progress)
            if broken:                  # every task still in flight died with the pool
                for chunk in in_flight.values():
                    suspects.extend(chunk)
                in_flight.clear()
                executor.shutdown(wait=True)
                executor = _executor(key, settings, jobs)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return suspects


def _run_alone(key, settings, suspects, results, progress) -> None:
    """Retry each suspect alone in a one-worker pool; a second death is reported as its error."""
    if not suspects:
        return
    executor = _executor(key, settings, 1)
    try:
        for position, path in sorted(suspects):
            try:
                graded = executor.submit(_grade_chunk, [(position, path)]).result()
            except Exception as error:  # noqa: BLE001 - BrokenProcessPool or a result not sent back
                if isinstance(error, BrokenProcessPool):
                    executor.shutdown(wait=True)
                    executor = _executor(key, settings, 1)
                    reason = ("the worker process grading this submission died, and died again when "
                              "it was graded alone; it was not graded")
                else:
                    reason = f"could not be graded: {type(error).__name__}: {str(error)[:200]}"
                graded = [(position, _error_data(key, path, reason))]
            _store(graded, results, progress)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _store(graded: Iterable[tuple[int, dict]], results: list, progress) -> None:
    count = 0
    for position, data in graded:
        results[position] = data
        count += 1
    if progress is not None:
        progress(count)


def _error_data(key: AnswerKey, path: str, message: str) -> dict:
    """The result data of a submission that could not be graded, as Grader gives for an unreadable file."""
    return SubmissionResult(submission=path, problem=None, student=None, score=0.0,
                            max_score=sum(pk.part.points for pk in key.parts), error=message).to_data()
