"""Tests for grader.sandbox: a persistent worker process with time and memory limits.

Each expected outcome follows from what the function sent to the worker does
(return, raise, loop forever in Python, loop forever in C, allocate too much).
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import threading
import time

import pytest

from grader import sandbox as sandbox_module
from grader.sandbox import (Sandbox, SandboxCrashed, SandboxError, SandboxTimeout,
                            default_sandbox, run_limited)

TIME_LIMIT = 0.5


# --- functions run in the worker (top-level so that they pickle) ----------------

def add(a, b, *, scale=1):
    return (a + b) * scale


def raise_value_error(text):
    raise ValueError(f"cannot parse {text!r}")


class TwoFieldError(Exception):
    """Pickles (args is one string) but cannot be rebuilt: __init__ needs two arguments."""

    def __init__(self, part, detail):
        super().__init__(f"{part}: {detail}")


def raise_two_field_error():
    raise TwoFieldError("q1.b", "denominator is zero")


def raise_system_exit():
    raise SystemExit(3)


def return_lock():
    return threading.Lock()


def python_loop_forever():
    while True:
        pass


def python_loop_catching_everything():
    # catches Exception (as careless parsing code does): the soft timeout must still get out
    while True:
        try:
            time.sleep(0.01)
        except Exception:
            pass


def c_loop_forever():
    # deque consumes the endless iterator entirely in C, never checking for signals
    collections.deque(itertools.count(), maxlen=0)


def huge_bytearray():
    return len(bytearray(10**11))   # 100 GB


def grow_list_forever():
    chunks = []
    while True:
        chunks.append(bytes(10**7))


def kill_own_process():
    os.kill(os.getpid(), 9)
    time.sleep(5)


def own_pid():
    return os.getpid()


def is_main_thread():
    return threading.current_thread() is threading.main_thread()


def process_gone(pid: int) -> bool:
    """True when no process with ``pid`` exists, not even a zombie waiting to be reaped."""
    return not os.path.exists(f"/proc/{pid}")


@pytest.fixture
def box():
    sandbox = Sandbox(time_limit=TIME_LIMIT, memory_limit_mb=512)
    yield sandbox
    sandbox.close()


# --- results and exceptions ---------------------------------------------------

def test_result_is_returned(box):
    assert box.run(add, 2, 3) == 5
    assert box.run(add, 2, 3, scale=10) == 50
    assert box.run(sorted, [3, 1, 2]) == [1, 2, 3]


def test_work_runs_in_one_reused_worker_process(box):
    pids = {box.run(own_pid) for _ in range(20)}
    assert len(pids) == 1 and os.getpid() not in pids
    assert pids == {box.worker_pid}


def test_exception_is_reraised_with_type_and_message(box):
    with pytest.raises(ValueError, match=r"cannot parse 'x\*\*'") as info:
        box.run(raise_value_error, "x**")
    assert any("raise_value_error" in note for note in getattr(info.value, "__notes__", []))
    assert box.run(add, 1, 1) == 2


def test_exception_that_cannot_be_rebuilt_becomes_sandbox_error_with_its_text(box):
    with pytest.raises(SandboxError, match=r"^TwoFieldError: q1.b: denominator is zero$"):
        box.run(raise_two_field_error)


def test_system_exit_in_the_work_does_not_stop_the_parent(box):
    with pytest.raises(SandboxError, match="SystemExit: 3"):
        box.run(raise_system_exit)
    assert box.run(add, 2, 2) == 4


def test_unpicklable_result_and_function_are_reported(box):
    with pytest.raises(SandboxError, match="could not be sent back"):
        box.run(return_lock)
    with pytest.raises(SandboxError, match="top-level"):
        box.run(lambda: 1)
    assert box.run(add, 0, 1) == 1


# --- time limits ----------------------------------------------------------------

def _timed_out(box, fn, *args) -> tuple[float, SandboxTimeout]:
    """Run ``fn`` expecting SandboxTimeout; return the seconds it took and the error."""
    start = time.perf_counter()
    with pytest.raises(SandboxTimeout) as info:
        box.run(fn, *args)
    elapsed = time.perf_counter() - start
    assert f"took longer than {TIME_LIMIT} s" in str(info.value)
    assert TIME_LIMIT * 0.9 <= elapsed < TIME_LIMIT + 2, f"took {elapsed:.2f} s"
    return elapsed, info.value


def test_python_infinite_loop_times_out_softly_and_worker_is_kept(box):
    pid = box.run(own_pid)
    elapsed, _ = _timed_out(box, python_loop_forever)
    assert elapsed < TIME_LIMIT + 0.5   # the alarm, not the hard deadline, stopped it
    assert box.run(own_pid) == pid
    _timed_out(box, python_loop_catching_everything)
    assert box.run(add, 3, 4) == 7


def test_big_int_power_times_out():
    # 9**(9**9) has ~370 million digits; CPython's power loop checks for signals
    with Sandbox(time_limit=TIME_LIMIT) as box:
        _timed_out(box, pow, 9, 9**9)
        assert box.run(add, 1, 2) == 3


@pytest.mark.parametrize("fn, args", [(c_loop_forever, ()), (sum, (range(10**13),))],
                         ids=["deque-drain", "sum-range"])
def test_c_hang_ignoring_signals_is_killed_at_the_hard_deadline(box, fn, args):
    old_pid = box.run(own_pid)
    elapsed, error = _timed_out(box, fn, *args)
    assert elapsed >= TIME_LIMIT + 0.9   # only the kill at time_limit + 1 s could end it
    assert "stopped by force" in str(error)
    assert process_gone(old_pid)
    assert box.run(own_pid) != old_pid
    assert box.run(add, 5, 5) == 10


def test_per_call_time_limit(box):
    start = time.perf_counter()
    with pytest.raises(SandboxTimeout, match="took longer than 0.2 s"):
        box.call(python_loop_forever, time_limit=0.2)
    assert time.perf_counter() - start < 0.5
    assert box.call(add, (1, 2), {"scale": 3}) == 9


# --- memory limits --------------------------------------------------------------

def test_huge_allocation_crashes_the_worker_which_is_replaced(box):
    old_pid = box.run(own_pid)
    with pytest.raises(SandboxCrashed, match="used more than 512 MB"):
        box.run(huge_bytearray)
    assert process_gone(old_pid)
    assert box.run(own_pid) != old_pid
    assert box.run(add, 2, 5) == 7


def test_growing_list_hits_the_memory_limit():
    with Sandbox(time_limit=5.0, memory_limit_mb=200) as box:
        start = time.perf_counter()
        with pytest.raises(SandboxCrashed, match="used more than 200 MB"):
            box.run(grow_list_forever)
        assert time.perf_counter() - start < 5.0
        assert box.run(add, 1, 1) == 2


def test_worker_dying_during_a_call_is_reported_and_replaced(box):
    old_pid = box.run(own_pid)
    with pytest.raises(SandboxCrashed, match="killed by SIGKILL"):
        box.run(kill_own_process)
    assert process_gone(old_pid)
    assert box.run(add, 2, 3) == 5


def test_worker_killed_between_calls_is_replaced(box):
    pid = box.run(own_pid)
    os.kill(pid, 9)
    time.sleep(0.1)
    # killed between calls: the next call starts a new worker
    assert box.run(add, 1, 2) == 3
    assert box.run(own_pid) != pid


# --- threads, shutdown, defaults --------------------------------------------------

def test_calls_from_a_non_main_thread(box):
    results, errors = [], []

    def work():
        try:
            results.append(box.run(add, 20, 22))
            results.append(box.run(is_main_thread))   # the worker runs fn in its main thread
            with pytest.raises(SandboxTimeout):
                box.run(python_loop_forever)
            results.append(box.run(add, 1, 1))
        except BaseException as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors, errors
    assert sorted(results) == sorted([42, True, 2] * 2)


def test_close_terminates_the_worker_without_zombies():
    box = Sandbox(time_limit=TIME_LIMIT)
    pid = box.run(own_pid)
    box.close()
    assert box.worker_pid is None
    assert process_gone(pid)
    assert all(child.pid != pid for child in multiprocessing.active_children())
    # a closed sandbox starts a new worker when used again
    assert box.run(add, 1, 1) == 2
    with box:
        pass
    assert box.worker_pid is None


def test_killed_workers_leave_no_zombies(box):
    pids = []
    for _ in range(2):
        pids.append(box.run(own_pid))
        with pytest.raises(SandboxTimeout):
            box.call(c_loop_forever, time_limit=0.1)
    assert all(process_gone(pid) for pid in pids)


def test_run_limited_uses_one_shared_sandbox():
    assert run_limited(add, 1, 2, scale=2) == 6
    pid = run_limited(own_pid)
    assert run_limited(own_pid) == pid == default_sandbox().worker_pid
    start = time.perf_counter()
    with pytest.raises(SandboxTimeout, match="0.3 s"):
        run_limited(python_loop_forever, time_limit=0.3)
    assert time.perf_counter() - start < 1.0


def test_spawn_context_works(monkeypatch):
    monkeypatch.setattr(sandbox_module, "_context", lambda: multiprocessing.get_context("spawn"))
    with Sandbox(time_limit=5.0) as box:
        assert box.run(divmod, 17, 5) == (3, 2)
        with pytest.raises(ZeroDivisionError):
            box.run(divmod, 1, 0)


def test_overhead_per_call_is_small(box):
    box.run(add, 0, 0)   # start the worker
    calls = 500
    start = time.perf_counter()
    for i in range(calls):
        box.run(add, i, 1)
    per_call = (time.perf_counter() - start) / calls
    print(f"\nsandbox overhead: {per_call * 1e6:.0f} us per call")
    assert per_call < 2e-3   # target < 1 ms; generous for a loaded machine
