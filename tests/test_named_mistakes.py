"""Named mistakes: every catalogue entry is recognised in hand-derived wrong answers on two specs.

Each wrong answer below is worked out by hand from the layer (the arithmetic is
in the comments), never taken from the program. A correct answer gets no
mistake name, and a wrong answer that matches no catalogue entry gets none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader
from grader.submission import Submission
from solver.key import build_key
from solver.spec.loading import load_problem, problem_from_data

ROOT = Path(__file__).resolve().parents[1] / "problems" / "cnn"
_KEYS: dict = {}


def _inline(name: str, layer: dict, of: str = "output", wrt: str | None = None, ask=("shape",)) -> dict:
    part = {"id": "a", "layer": layer, "of": of, "ask": list(ask)}
    if wrt:
        part["wrt"] = wrt
    return {"id": name, "parts": [part]}


# conv1d on 2 channels of length 9, kernel 2, stride 3: n = 9 - 1 - 1 = 7, correct floor(7/3) + 1 = 3
Y1 = _inline("y1", {"op": "conv1d", "input": [2, 9], "kernel": 2, "stride": 3, "filters": 1})
# kernel 3, dilation 2 on 11: correct 11 - 2*2 = 7; without dilation 11 - 2 = 9; span D*K = 6: 11 - 6 + 1 = 6
Y2 = _inline("y2", {"op": "conv1d", "input": [2, 11], "kernel": 3, "dilation": 2, "filters": 1})
# kernel 3, padding 2 on 8: correct 8 + 4 - 2 = 10; padding once 8 + 2 - 2 = 8; no kernel 8 + 4 - 1 + 1 = 12
Y3 = _inline("y3", {"op": "conv1d", "input": [2, 8], "kernel": 3, "padding": 2, "filters": 1})
# conv2d 7 x 12, kernel 3: 5 x 10
Y4 = _inline("y4", {"op": "conv2d", "input": [7, 12], "kernel": 3})
# 3 x 8 x 8, 4 filters of 3 x 3, no bias: 4*3*9 = 108
Y5 = _inline("y5", {"op": "conv2d", "input": [3, 8, 8], "kernel": 3, "filters": 4, "bias": False}, ask=("params",))
# 4 x 10, 6 filters of 3 in 2 groups: 6*2*3 + 6 = 42
Y6 = _inline("y6", {"op": "conv1d", "input": [4, 10], "kernel": 3, "filters": 6, "groups": 2}, ask=("params",))
# dilation 2: f[1,j] = sum_c sum_k W[1,c,k] x[c, j + 2(k - 1)]
Y7 = _inline("y7", {"op": "conv1d", "input": [2, 7], "kernel": 3, "dilation": 2, "filters": 1, "bias": False},
             ask=("value",))
# dilation 3, kernel 2, one channel: f[1,j] = sum_k W[1,1,k] x[1, j + 3(k - 1)]
Y8 = _inline("y8", {"op": "conv1d", "input": [1, 9], "kernel": 2, "dilation": 3, "filters": 1, "bias": False},
             ask=("value",))
# padding 1: f[1,j] = sum_k W[1,1,k] x[1, j + k - 2]
Y9 = _inline("y9", {"op": "conv1d", "input": [1, 5], "kernel": 3, "padding": 1, "filters": 1, "bias": False},
             ask=("value",))
# with bias: f[1,j] = b[1] + sum_k W[1,1,k] x[1, j + k - 1]
Y10 = _inline("y10", {"op": "conv1d", "input": [1, 5], "kernel": 3, "filters": 1}, ask=("value",))
# three channels, kernel 2: f[1,j] = sum_c sum_k W[1,c,k] x[c, j + k - 1]
Y11 = _inline("y11", {"op": "conv1d", "input": [3, 5], "kernel": 2, "filters": 1, "bias": False}, ask=("value",))
# Jacobian by the weight: df[1,j]/dW[1,c,k] = x[c, j + k - 1]
Y12 = _inline("y12", {"op": "conv1d", "input": [2, 6], "kernel": 2, "filters": 1, "bias": False},
              of="jacobian", wrt="weight", ask=("value",))

SEED, NUMERIC, NET = "q1_1.yaml", "conv_numeric.yaml", "network_summary.yaml"
SUM_C_K = "sum_{c=1}^{2} sum_{k=1}^{3} "
B_I = "sum_{u=1}^{3} sum_{v=1}^{3} "          # conv_numeric b.i, groups of one channel: floor((o-1)/2)+1
X_B_I = "x[floor((o-1)/2)+1, 2(i-1)+u-1, 2(j-1)+v-1]"

CASES = [
    # --- output sizes (seed a: 10 x 11, kernel 3, stride 2: n = 7 and 8, correct 4 x 5) ---
    ("forgot the +1", SEED, "a", "shape", "3 x 4"),                       # floor(7/2), floor(8/2)
    ("forgot the +1", Y1, "a", "shape", "1 x 2"),                         # floor(7/3)
    ("no floor", SEED, "a", "shape", "9/2 x 5"),                          # 7/2 + 1, 8/2 + 1
    ("no floor", Y1, "a", "shape", "1 x 10/3"),                           # 7/3 + 1
    ("ceil where floor belongs", SEED, "a", "shape", "5 x 5"),            # ceil(7/2) + 1, ceil(8/2) + 1
    ("ceil where floor belongs", Y1, "a", "shape", "1 x 4"),              # ceil(7/3) + 1
    ("dilation dropped", SEED, "b", "shape", "F x (floor((H+2P-K)/S)+1) x (floor((W+2P-K)/S)+1)"),
    ("dilation dropped", Y2, "a", "shape", "1 x 9"),
    ("(K − 1) without D", SEED, "b", "shape", "F x (floor((H+2P-D K)/S)+1) x (floor((W+2P-D K)/S)+1)"),
    ("(K − 1) without D", Y2, "a", "shape", "1 x 6"),
    ("P instead of 2P", SEED, "b", "shape", "F x (floor((H+P-D(K-1)-1)/S)+1) x (floor((W+P-D(K-1)-1)/S)+1)"),
    ("P instead of 2P", Y3, "a", "shape", "1 x 8"),
    ("stride ignored", SEED, "a", "shape", "8 x 9"),                      # 10 - 2, 11 - 2
    ("stride ignored", Y1, "a", "shape", "1 x 8"),                        # 9 - 1
    ("kernel not subtracted", SEED, "a", "shape", "5 x 6"),               # floor(9/2) + 1, floor(10/2) + 1
    ("kernel not subtracted", Y3, "a", "shape", "1 x 12"),
    ("H and W swapped", SEED, "a", "shape", "5 x 4"),
    ("H and W swapped", Y4, "a", "shape", "10 x 5"),
    ("C instead of F", SEED, "c.i", "shape", "2 x 2"),                    # 2 channels, 1 filter
    ("C instead of F", NUMERIC, "b.i", "shape", "2 x 3 x 3"),             # 2 channels, 4 filters
    # --- Jacobian and gradient shapes ---
    ("Jacobian flattened", SEED, "c.iii", "shape", "2 x 10"),             # f 1 x 2, x 2 x 5
    ("Jacobian flattened", NUMERIC, "a.ii", "shape", "2 x 6"),            # f 1 x 2, W 1 x 2 x 3
    ("the variable's axes before the output's", SEED, "c.ii", "shape", "1 x 2 x 3 x 1 x 2"),
    ("the variable's axes before the output's", NUMERIC, "a.ii", "shape", "1 x 2 x 3 x 1 x 2"),
    ("the output's shape for a gradient", SEED, "c.iv", "shape", "1 x 2"),
    ("the output's shape for a gradient", NUMERIC, "a.iv", "shape", "1 x 2"),
    ("axes in the wrong order", SEED, "c.iii", "shape", "1 x 2 x 5 x 2"),
    ("axes in the wrong order", NUMERIC, "b.i", "shape", "3 x 3 x 4"),
    ("size-1 axes dropped", SEED, "c.i", "shape", "2"),
    ("size-1 axes dropped", NUMERIC, "a.iii", "shape", "2 x 3"),
    # --- parameter counts ---
    # net a: 448 + 4640 + 4104 = 9192 with bias, 16 + 32 + 8 = 56 biases
    ("bias forgotten", NET, "a", "params", "9136"),
    ("bias forgotten", NUMERIC, "b.iii", "params", "36"),                 # 4*1*9
    ("bias counted", Y5, "a", "params", "112"),                           # 108 + 4
    ("bias counted", SEED.replace(SEED, NUMERIC), "b.iii", "params", None),   # placeholder, replaced below
    ("bias counted per input channel", NUMERIC, "b.iii", "params", "38"),  # 36 + 2 channels
    ("bias counted per input channel", NET, "b", "params", "C F K + C"),
    ("groups ignored", NUMERIC, "b.iii", "params", "76"),                 # 4*2*9 + 4
    ("groups ignored", Y6, "a", "params", "78"),                          # 6*4*3 + 6
    # net a with one kernel axis: 16*3*3+16 = 160, 32*16*3+32 = 1568, 32*8*4+8 = 1032
    ("K instead of K²", NET, "a", "params", "2760"),
    ("K instead of K²", NUMERIC, "b.iii", "params", "16"),                # 4*1*3 + 4
    # --- index expressions ---
    ("true convolution (flipped kernel)", SEED, "c.i", "value", f"f[1,j] = {SUM_C_K}W[1,c,4-k] x[c, 2(j-1)+k]"),
    ("true convolution (flipped kernel)", NUMERIC, "a.iii", "value",
     "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c, 2(j-1)+4-k]"),
    ("stride ignored", SEED, "c.i", "value", f"f[1,j] = {SUM_C_K}W[1,c,k] x[c, j+k-1]"),
    ("stride ignored", NUMERIC, "a.i", "value", f"f[1,j] = {SUM_C_K}W[1,c,k] x[c, j+k-1]"),
    ("gradient not spread by the stride", SEED, "c.iv", "value", "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,j+k-1]"),
    ("gradient not spread by the stride", NUMERIC, "a.iv", "value",
     "dl/dx[c,l] = sum_{j=1}^{2} W[1,c,l-j+1] g[1,j]"),
    ("dilation ignored", Y7, "a", "value", f"f[1,j] = {SUM_C_K}W[1,c,k] x[c, j+k-1]"),
    ("dilation ignored", Y8, "a", "value", "f[1,j] = sum_{k=1}^{2} W[1,1,k] x[1, j+k-1]"),
    ("padding offset missing", NUMERIC, "b.i", "value",
     f"f[o,i,j] = b[o] + {B_I}W[o,1,u,v] x[floor((o-1)/2)+1, 2(i-1)+u, 2(j-1)+v]"),
    ("padding offset missing", Y9, "a", "value", "f[1,j] = sum_{k=1}^{3} W[1,1,k] x[1, j+k-1]"),
    ("bias missing", NUMERIC, "b.i", "value", f"f[o,i,j] = {B_I}W[o,1,u,v] {X_B_I}"),
    ("bias missing", Y10, "a", "value", "f[1,j] = sum_{k=1}^{3} W[1,1,k] x[1, j+k-1]"),
    ("bias inside the sum", NUMERIC, "b.i", "value", f"f[o,i,j] = sum_{{u=1}}^{{3}} sum_{{v=1}}^{{3}} "
                                                      f"(W[o,1,u,v] {X_B_I} + b[o])"),
    ("bias inside the sum", Y10, "a", "value", "f[1,j] = sum_{k=1}^{3} (W[1,1,k] x[1, j+k-1] + b[1])"),
    ("channel sum missing", SEED, "c.i", "value", "f[1,j] = sum_{k=1}^{3} W[1,1,k] x[1, 2(j-1)+k]"),
    ("channel sum missing", Y11, "a", "value", "f[1,j] = sum_{k=1}^{2} W[1,1,k] x[1, j+k-1]"),
    ("wrong tensor in a Jacobian", SEED, "c.ii", "value", "df[1,j]/dW[1,c,k] = W[1,c,2(j-1)+k]"),
    ("wrong tensor in a Jacobian", Y12, "a", "value", "df[1,j]/dW[1,c,k] = W[1,c,j+k-1]"),
    ("axes swapped", SEED, "c.ii", "value", "df[1,j]/dW[1,c,k] = x[2(j-1)+k, c]"),
    ("axes swapped", NUMERIC, "a.iii", "value", "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[2(j-1)+k, c]"),
    # written from 0 in a problem indexed from 1
    ("an off-by-one index base", SEED, "c.i", "value", "f[0,j] = sum_{c=0}^{1} sum_{k=0}^{2} W[0,c,k] x[c, 2j+k]"),
    ("an off-by-one index base", NUMERIC, "a.iii", "value", "dl/dW[0,c,k] = sum_{j=0}^{1} g[0,j] x[c,2j+k]"),
]
# conv1d 2 x 5, kernel 3, 1 filter, no bias: 1*2*3 = 6, with a bias 7
Y13 = _inline("y13", {"op": "conv1d", "input": [2, 5], "kernel": 3, "filters": 1, "bias": False}, ask=("params",))
CASES[CASES.index(("bias counted", NUMERIC, "b.iii", "params", None))] = ("bias counted", Y13, "a", "params", "7")


def _key(spec):
    name = spec if isinstance(spec, str) else spec["id"]
    if name not in _KEYS:
        problem = load_problem(ROOT / spec) if isinstance(spec, str) else problem_from_data(spec, source=name)
        _KEYS[name] = build_key(problem)
    return _KEYS[name]


def _graded(spec, part_id, item, text, level="hint"):
    key = _key(spec)
    submission = Submission(path="s.yaml", problem=key.problem.id, student=None, indexing=None,
                            answers={part_id: {item: text}})
    with Grader(key, feedback=level) as grader:
        result = grader.grade(submission)
    return next(a for p in result.parts if p.id == part_id for a in p.answers if a.item == item)


def _spec_name(spec) -> str:
    return spec if isinstance(spec, str) else spec["id"]


@pytest.mark.parametrize("mistake, spec, part_id, item, text", CASES,
                         ids=[f"{c[0]}-{_spec_name(c[1])}-{c[2]}" for c in CASES])
def test_the_mistake_is_named(mistake, spec, part_id, item, text):
    answer = _graded(spec, part_id, item, text)
    assert answer.verdict == "incorrect", answer
    assert answer.mistake is not None and mistake in answer.mistake.split(" or "), answer
    assert mistake in answer.feedback


def test_every_catalogue_entry_is_tried_on_two_specs():
    from grader.mistakes import counts, indices, shapes
    names = {value.name for module in (shapes, counts, indices) for value in vars(module).values()
             if type(value).__name__ == "Mistake"}
    names |= {"size-1 axes dropped", "an off-by-one index base"}      # named by the checkers themselves
    specs: dict[str, set] = {}
    for mistake, spec, *_ in CASES:
        specs.setdefault(mistake, set()).add(_spec_name(spec))
    assert names == set(specs)
    assert all(len(found) >= 2 for found in specs.values()), specs


@pytest.mark.parametrize("spec", [SEED, NUMERIC, NET])
def test_correct_answers_get_no_mistake(spec):
    key = _key(spec)
    answers = {pk.id: {item: value.to_data() for item, value in pk.answers if item in ("shape", "value", "params")}
               for pk in key.parts}
    with Grader(key, feedback="hint") as grader:
        result = grader.grade(Submission("s.yaml", key.problem.id, None, None, answers))
    for part in result.parts:
        for answer in part.answers:
            if answer.item in ("shape", "value", "params"):
                assert answer.verdict == "correct" and answer.mistake is None, (part.id, answer)
                assert "looks like" not in answer.feedback


@pytest.mark.parametrize("spec, part_id, item, text", [
    (SEED, "a", "shape", "4 x 7"),
    (SEED, "a", "shape", "17 x 5"),
    (SEED, "b", "shape", "F x H x W"),
    (SEED, "c.i", "value", "f[1,j] = W[1,1,1] x[1,1]"),
    (SEED, "c.ii", "value", "df[1,j]/dW[1,c,k] = x[c, k]"),
    (NUMERIC, "b.iii", "params", "41"),
    (NET, "b", "params", "C F K + 2 F"),
])
def test_a_wrong_answer_like_no_mistake_gets_no_name(spec, part_id, item, text):
    answer = _graded(spec, part_id, item, text)
    assert answer.verdict == "incorrect" and answer.mistake is None, answer
    assert "looks like" not in answer.feedback


def test_unmatched_index_expression_is_written_out_in_the_students_names():
    # seed c.i at i = 2 (the student's index name): x[c, 2 + k] for k = 1..3, W[1,c,k]
    answer = _graded(SEED, "c.i", "value", f"f[1,i] = {SUM_C_K}W[1,c,k] x[c, i+k]", level="full")
    assert answer.mistake is None
    assert "at i = 1: there yours is W[1,1,1]·x[1,2] + W[1,1,2]·x[1,3]" in answer.feedback
    # the correct one at i = 1 uses x[c, 1..3]; the student's uses x[1,4] and x[2,4] besides
    assert "it uses x[1,4], x[2,4], which the correct one does not depend on there" in answer.feedback
    assert "the correct one there is W[1,1,1]·x[1,1] + W[1,1,2]·x[1,2]" in answer.feedback
    hint = _graded(SEED, "c.i", "value", f"f[1,i] = {SUM_C_K}W[1,c,k] x[c, i+k]", level="hint")
    assert "correct one there is" not in hint.feedback and "yours is" in hint.feedback
