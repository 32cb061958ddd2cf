"""Load test of ``python -m grader serve`` on loopback: checks from concurrent clients.

Run as a script: ``python tests/benchmarks/bench_web.py [CHECKS] [CLIENTS]`` (default 2,000 and 16).
It starts the server on a free port, sends CHECKS form posts to /p/q1.1/check from CLIENTS
threads (each with its own keep-alive connection), then stops the server. Bounded: each
request may take 60 s, the whole run 600 s; it stops by itself either way.

The answers cycle through 50 submissions, a quarter of them distinct texts that the worker
must read and judge (``4+i-i x 5``), the rest repeated (as a class repeats answers).
Prints throughput, p50/p99/max latency, failures (any non-200 or a page without a total),
and the resident memory of the server and its workers after a warm-up of 200 checks and at
the end.
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "problems" / "cnn" / "q1_1.yaml"
WARM_UP = 200
REQUEST_TIMEOUT = 60.0
RUN_DEADLINE = 600.0
CI_VALUE = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]"


def submissions(count: int) -> list[str]:
    """Form bodies: correct, wrong, unreadable and distinct answers to (a), (b) and (c.i)."""
    bodies = []
    for i in range(count):
        a = f"{4 + i}-{i} x 5" if i % 4 == 0 else ("4 x 5", "3 x 4", "4 x ) 5")[i % 3]
        bodies.append(urlencode({"student": f"s{i}", "a:shape": a, "b:shape": "F x H x W",
                                 "c.i:shape": "1 x 2", "c.i:value": CI_VALUE if i % 2 else "f[1,j] = W[1,1,j]"}))
    return bodies


def resident_kb(pid: int) -> int:
    """VmRSS of ``pid`` and its child processes (the sandbox workers), in kB."""
    total = 0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for one in pids:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total


def start_server() -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "grader", "serve", str(SPEC), "--port", "0", "--quiet"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, int(found.group(1))


def run(port: int, bodies: list[str], clients: int, deadline: float) -> tuple[list[float], list[str]]:
    """Send every body once, from ``clients`` threads; (latencies in s, failure descriptions)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    position = iter(range(len(bodies)))

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < deadline:
            with lock:
                index = next(position, None)
            if index is None:
                break
            start = time.perf_counter()
            try:
                connection.request("POST", "/p/q1.1/check", bodies[index],
                                   {"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                page = response.read()
                ok = response.status == 200 and b'id="total"' in page
                problem = None if ok else f"status {response.status}: {page[:300]!r}"
            except (OSError, http.client.HTTPException) as error:
                problem = f"{type(error).__name__}: {error}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if problem:
                    failures.append(problem)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def main(argv: list[str]) -> int:
    checks = int(argv[0]) if argv else 2000
    clients = int(argv[1]) if len(argv) > 1 else 16
    process, port = start_server()
    try:
        start_time = time.monotonic()
        deadline = start_time + RUN_DEADLINE
        pool = submissions(50)
        _, warm_failures = run(port, [pool[i % len(pool)] for i in range(WARM_UP)], clients, deadline)
        before = resident_kb(process.pid)
        bodies = [pool[i % len(pool)] for i in range(checks)]
        started = time.perf_counter()
        latencies, failures = run(port, bodies, clients, deadline)
        wall = time.perf_counter() - started
        after = resident_kb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    print(f"checks sent: {len(latencies):,} of {checks:,} from {clients} clients in {wall:.2f} s")
    print(f"throughput: {len(latencies) / wall:.1f} checks/s")
    print(f"latency: p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms")
    first = (failures or warm_failures or [""])[0]
    print(f"failed: {len(failures)} (warm-up: {len(warm_failures)})" + (f"; first: {first}" if first else ""))
    print(f"memory (server + workers, RSS): {before / 1024:.1f} MB after {WARM_UP} warm-up checks, "
          f"{after / 1024:.1f} MB after {len(latencies):,} more ({(after - before) / 1024:+.1f} MB)")
    return 0 if not failures and not warm_failures and len(latencies) == checks else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
