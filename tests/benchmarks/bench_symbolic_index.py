"""Benchmark: grading index expressions of a layer with symbolic sizes.

Run as a script: ``python tests/benchmarks/bench_symbolic_index.py``. Prints, measured in the
same run:

1. the time to prepare the key of problems/cnn/conv_general_index.yaml (its size cases, the
   key's values there, the named mistakes' values), against preparing the seed's key;
2. the median time to check one distinct answer of the labelled symbolic corpus
   (tests/data/symbolic_conv_corpus.yaml) through ``grader.checks.run_check`` in-process, against
   the median for the seed's numeric index answers (tests/data/seed_corpus.yaml), and the ratio;
3. the same through ``Grader.grade`` (the sandbox round trip included).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from grader.checks import prepare_key, run_check  # noqa: E402
from grader.checks.context import CheckContext  # noqa: E402
from grader.grading import Grader  # noqa: E402
from grader.submission import submission_from_data  # noqa: E402
from solver.key import build_key  # noqa: E402
from solver.spec.loading import load_problem  # noqa: E402

GENERAL = ROOT / "problems" / "cnn" / "conv_general_index.yaml"
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
PARTS = {"out": "a.i", "jac_w": "a.ii", "jac_x": "a.iii", "jac_b": "a.iv",
         "grad_w": "a.v", "grad_x": "a.vi", "grad_b": "a.vii"}


def _answers():
    general = [(PARTS[e["part"]], e["answer"])
               for e in yaml.safe_load((ROOT / "tests/data/symbolic_conv_corpus.yaml").read_text())]
    seed = [(e["part"], e["answer"]) for e in
            yaml.safe_load((ROOT / "tests/data/seed_corpus.yaml").read_text())["entries"]
            if e["item"] == "value" and isinstance(e["answer"], str)]
    return general, seed


def _prepared(spec):
    start = time.perf_counter()
    key = build_key(load_problem(spec))
    prepare_key(key)
    return key, time.perf_counter() - start


def _median_check(key, answers) -> float:
    times = []
    for part, raw in answers:
        part_key = key.part(part)
        start = time.perf_counter()
        run_check(part_key, "value", raw, CheckContext(indexing=1))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _median_graded(key, answers) -> float:
    times = []
    with Grader(key) as grader:
        for part, raw in answers:
            submission = submission_from_data({"problem": key.problem.id, "answers": {part: {"value": raw}}})
            start = time.perf_counter()
            grader.grade(submission)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    general_answers, seed_answers = _answers()
    seed_key, seed_prepare = _prepared(SEED)
    general_key, general_prepare = _prepared(GENERAL)
    print(f"key preparation: symbolic {general_prepare:.2f} s, seed {seed_prepare:.2f} s "
          f"({general_prepare / seed_prepare:.1f}x)")
    ours = _median_check(general_key, general_answers)
    base = _median_check(seed_key, seed_answers)
    print(f"per distinct answer, in-process: symbolic {ours * 1e3:.2f} ms over {len(general_answers)} answers, "
          f"numeric seed {base * 1e3:.2f} ms over {len(seed_answers)} ({ours / base:.1f}x)")
    ours = _median_graded(general_key, general_answers)
    base = _median_graded(seed_key, seed_answers)
    print(f"per submission through Grader.grade: symbolic {ours * 1e3:.2f} ms, numeric seed "
          f"{base * 1e3:.2f} ms ({ours / base:.1f}x)")


if __name__ == "__main__":
    main()
