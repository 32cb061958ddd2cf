"""Benchmark: batch grading throughput on a synthetic class of the seed problem (Q1.1).

Run as a script: ``python tests/benchmarks/bench_batch.py [N] [--plot FILE.png]``
(default N = 10,000). Writes N synthetic submissions (tests/synthetic_class.py:
correct forms, named mistakes and malformed answers, many identical answers
and a long tail of distinct ones, 1% malformed files) to a temporary
directory, grades them with ``grade_batch`` and prints, for 1 job, all jobs,
and all jobs with the cache off (``Grader(key, cache=False)``):
submissions per second, the cache hit rate (answers answered from the
parent's cache of raw answers) and the peak memory (the largest resident set
of the parent and of one worker, and of the workers' sandbox processes).
Target: 10,000 submissions in under 10 s on 2 cores with the cache on.
``--plot`` draws the class's summary (score histogram, verdicts per part).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import grader.batch as batch                      # noqa: E402
import grader.grading as grading                  # noqa: E402
from grader.summary import plot_summary, render_summary, summarize   # noqa: E402
from solver.key import build_key                  # noqa: E402
from solver.spec.loading import load_problem      # noqa: E402
from synthetic_class import write_class           # noqa: E402

SPEC = ROOT / "problems" / "cnn" / "q1_1.yaml"


class _CountingGrader(grading.Grader):
    """A Grader that counts its look-ups in the parent's cache of raw answers (a benchmark probe)."""

    hits = misses = 0

    def _judge(self, *args):
        type(self).misses += 1
        return super()._judge(*args)

    def _check(self, part_key, item, raw, context):
        before = type(self).misses
        check = super()._check(part_key, item, raw, context)
        if raw is not None and grading.CHECKERS[item].sandboxed and type(self).misses == before:
            type(self).hits += 1
        return check


def _probe_chunk(chunk):
    """The pool's task, returning this worker's counts and peak memory with the results."""
    graded = _ORIGINAL_CHUNK(chunk)
    counts = (_CountingGrader.hits, _CountingGrader.misses)
    _CountingGrader.hits = _CountingGrader.misses = 0
    sandbox_kb = _peak_kb(batch._WORKER.sandbox.worker_pid)
    memory = (_self_kb(), sandbox_kb)
    return [(position, {**data, "_probe": (*(counts if n == 0 else (0, 0)), *memory)})
            for n, (position, data) in enumerate(graded)]


_ORIGINAL_CHUNK = batch._grade_chunk


def _self_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kb(pid: int | None) -> int:
    """The peak resident set (VmHWM) of process ``pid`` in KB, 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(key, paths, jobs: int, cache: bool) -> dict:
    probes = []
    started = time.perf_counter()
    results = batch.grade_batch(key, paths, jobs=jobs, settings=batch.BatchSettings(cache=cache))
    seconds = time.perf_counter() - started
    for result in results:
        probe = result.pop("_probe", None)
        if probe:
            probes.append(probe)          # a chunk's counts ride on its first result
    hits = sum(p[0] for p in probes)
    misses = sum(p[1] for p in probes)
    return {"results": results, "seconds": seconds, "rate": len(paths) / seconds,
            "hit_rate": hits / (hits + misses) if hits + misses else 0.0,
            "worker_mb": max(p[2] for p in probes) / 1024, "sandbox_mb": max(p[3] for p in probes) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--plot", metavar="FILE.png")
    args = parser.parse_args()
    grading.Grader = _CountingGrader                 # the workers (forked) build counting graders
    batch.Grader = _CountingGrader
    batch._grade_chunk = _probe_chunk
    key = build_key(load_problem(SPEC))
    jobs = batch.default_jobs()
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        paths = write_class(directory, args.count)
        print(f"{args.count:,} synthetic submissions written in {time.perf_counter() - started:.1f} s; "
              f"{jobs} cores available")
        runs = [("1 job, cache on", 1, True), (f"{jobs} jobs, cache on", jobs, True),
                (f"{jobs} jobs, cache off", jobs, False)]
        measured = {}
        for label, n, cache in runs:
            measured[label] = outcome = run(key, paths, n, cache)
            print(f"{label:>22}: {outcome['seconds']:6.2f} s, {outcome['rate']:8,.0f} submissions/s, "
                  f"parent-cache hit rate {100 * outcome['hit_rate']:5.1f}%, peak RSS of a worker "
                  f"{outcome['worker_mb']:.0f} MB, of its sandbox {outcome['sandbox_mb']:.0f} MB")
        first, others = measured[runs[0][0]]["results"], [m["results"] for m in measured.values()]
        print("results identical across the runs:", all(r == first for r in others))
        print(f"peak RSS of the parent: {_self_kb() / 1024:.0f} MB")
        target = measured[runs[1][0]]
        print(f"target (10,000 in < 10 s on 2 cores, cache on): {args.count:,} took {target['seconds']:.2f} s "
              f"with {jobs} jobs ({'met' if target['rate'] >= 1000 else 'NOT met'}: >= 1,000/s)")
        summary = summarize(first)
        print(render_summary(summary), end="")
        if args.plot:
            plot_summary(summary, args.plot)
            print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
