"""Grading a student's answers builds no sympy object: sympy is met only where the key is derived.

sympy's constructors are all ``__new__`` methods in the sympy package; a profile hook counts
every call of one while a whole submission of the seed is graded (in this process, so that
the hook sees the checks themselves).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import sympy

from grader.grading import Grader
from grader.submission import submission_from_data
from solver.key import build_key
from solver.notation import parse_expression
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[1]
SYMPY_DIR = str(Path(sympy.__file__).parent)


class InProcess:
    """A stand-in for the sandbox that runs the work here, where the profile hook sees it."""

    def run(self, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    def close(self):
        pass


@contextmanager
def counting_sympy_constructors():
    calls: list[str] = []

    def hook(frame, event, arg):
        code = frame.f_code
        if event == "call" and code.co_name == "__new__" and code.co_filename.startswith(SYMPY_DIR):
            calls.append(f"{code.co_filename}:{code.co_firstlineno}")
    sys.setprofile(hook)
    try:
        yield calls
    finally:
        sys.setprofile(None)


ANSWERS = {
    "a": "4 x 5",
    "b": "F x (floor((H + 2P - D(K-1) - 1)/S) + 1) x ceil((W + 2P - D(K-1))/S)",
    "c.i": {"shape": "f_W(x) \\in \\mathbb{R}^{1 \\times 2}",
            "value": "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]"},
    "c.ii": {"shape": "(1×2)×(1×2×3)", "value": "∂f_W(x)[1,j]/∂W[1,c,k] = x[c][2(j-1)+k]"},
    "c.iii": {"shape": "1 x 2 x 2 x 5",
              "value": "df[1,j]/dx[c,l] = \\begin{cases} W_{1,c,l-2(j-1)} & \\text{if } 1 \\le l-2(j-1) \\le 3 "
                       "\\\\ 0 & \\text{otherwise} \\end{cases}"},
    "c.iv": {"shape": "R^{1x2x3}", "value": "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,2(j-1)+k]",
             "explanation": "both are cross-correlations with x"},
}
WRONG = {"a": "5 x 4", "b": "F x (H - K + 1)² x W", "c.i": {"shape": "2", "value": "f[1,j] = x[1, j]"}}


def test_grading_a_whole_submission_builds_no_sympy_object():
    key = build_key(load_problem(ROOT / "problems" / "cnn" / "q1_1.yaml"))
    with Grader(key, sandbox=InProcess()) as grader:      # prepares the key's trees here, before counting
        with counting_sympy_constructors() as calls:
            right = grader.grade(submission_from_data({"problem": "q1.1", "answers": ANSWERS}))
            wrong = grader.grade(submission_from_data({"problem": "q1.1", "answers": WRONG}))
    assert right.score == 6.0 and right.max_score == 6.5, [(p.id, p.verdict) for p in right.parts]
    assert wrong.score == 0.0
    assert calls == [], f"{len(calls)} sympy constructor calls, first at {calls[:3]}"


def test_the_counter_sees_sympy_constructors():
    with counting_sympy_constructors() as calls:
        parse_expression("floor((H + 2P - K)/S) + 1")      # the sympy edge, used for spec formulas
    assert calls
