"""Worked solutions: the steps of (a), (c)(iv), a pooling layer and a network, derived by hand here."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.key import build_key
from solver.render import RENDERERS, SHEET_RENDERERS
from solver.spec.loading import load_problem, load_problem_text
from solver.worked import step_text, worked_steps

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed():
    return build_key(load_problem(ROOT / "problems/cnn/q1_1.yaml"))


def _lines(part_key, item):
    return [step_text(s) for s in worked_steps(part_key, item)]


def test_seed_a_substitutes_and_does_the_arithmetic(seed):
    # H: (10 + 0 - 1*(3-1) - 1)/2 = 7/2 -> 3, +1 = 4;  W: (11 - 2 - 1)/2 = 4 -> 4, +1 = 5.
    lines = _lines(seed.part("a"), "shape")
    assert "H_out = ⌊(10 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1 = ⌊7/2⌋ + 1 = 4." in lines
    assert "W_out = ⌊(11 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1 = ⌊8/2⌋ + 1 = 5." in lines
    assert lines[-1] == "so f has shape 4 × 5."


def test_seed_c_iv_writes_the_gradient_out_per_kernel_offset(seed):
    # dl/dW[1,c,k] = sum_j g[1,j] x[c, 2(j-1)+k]: k=1 meets x[c,1] (j=1) and x[c,3] (j=2), k=3 x[c,3], x[c,5].
    value = _lines(seed.part("c.iv"), "value")
    assert value[0].startswith("chain rule over every output entry")
    assert "k = 1: dl/dW[1, c, 1] = g[1, 1]·x[c, 1] + g[1, 2]·x[c, 3] — uses x[c, {1, 3}]." in value
    assert "k = 2: dl/dW[1, c, 2] = g[1, 1]·x[c, 2] + g[1, 2]·x[c, 4] — uses x[c, {2, 4}]." in value
    assert "k = 3: dl/dW[1, c, 3] = g[1, 1]·x[c, 3] + g[1, 2]·x[c, 5] — uses x[c, {3, 5}]." in value
    shape = _lines(seed.part("c.iv"), "shape")
    assert shape[-1] == "the loss l is a number, so ∂l/∂W has one entry per entry of W: the shape of W, 1 × 2 × 3."


def test_seed_output_windows_and_jacobian_support(seed):
    # stride 2, kernel 3: output j reads x[c, 2j-1 .. 2j+1]: j=1 -> 1..3, j=2 -> 3..5.
    output = _lines(seed.part("c.i"), "value")
    assert any(line.startswith("j = 1: ") and line.endswith("uses x[c, 1..3].") for line in output)
    assert any(line.startswith("j = 2: ") and line.endswith("uses x[c, 3..5].") for line in output)
    jacobian = _lines(seed.part("c.iii"), "value")
    assert any("j = 2: df[1, 2]/dx[c, l] = W[1, c, l − 2], nonzero only for x[c, 3..5]" in line for line in jacobian)
    assert _lines(seed.part("c.ii"), "shape")[-1].endswith("(1 × 2) × (1 × 2 × 3) = 1 × 2 × 1 × 2 × 3.")


POOL = """
id: pool
parts:
  - id: a
    layer: {op: maxpool1d, input: [3, 9], kernel: 3, stride: 2, padding: 1, ceil_mode: true}
    ask: [shape]
  - id: b
    layers:
      - {op: conv2d, input: [3, 8, 8], kernel: 3, filters: 4}
      - {op: maxpool2d, kernel: 2}
    ask: [shape, params]
"""


def test_pooling_in_ceil_mode_and_a_network():
    key = build_key(load_problem_text(POOL))
    # ceil mode: floor((9 + 2 - 1*(3-1) - 1 + 2 - 1)/2) + 1 = floor(9/2) + 1 = 5; last window starts
    # at (5-1)*2 = 8 < L + P = 10, so it is kept.
    lines = _lines(key.part("a"), "shape")
    assert "L_out = ⌊(9 + 2·1 − 1·(3 − 1) − 1 + 2 − 1)/2⌋ + 1 = ⌊9/2⌋ + 1 = 5." in lines
    assert any("starts at (L_out − 1)·S = 8 < L + P = 10" in line for line in lines)
    # conv 8 -> (8 - 2 - 1)/1 + 1 = 6, pool 2: (6 - 1 - 1)/2 + 1 = 3; params 4*3*3*3 + 4 = 112.
    net = _lines(key.part("b"), "shape")
    assert "layer 1 (conv2d): 3 × 8 × 8 → 4 × 6 × 6:" in net
    assert "    H_out = W_out = ⌊(8 + 2·0 − 1·(3 − 1) − 1)/1⌋ + 1 = ⌊5/1⌋ + 1 = 6." in net
    assert "layer 2 (maxpool2d): 4 × 6 × 6 → 4 × 3 × 3:" in net
    assert "    H_out = W_out = ⌊(6 + 2·0 − 1·(2 − 1) − 1)/2⌋ + 1 = ⌊4/2⌋ + 1 = 3." in net
    params = _lines(key.part("b"), "params")
    assert params[0] == ("layer 1 (conv2d), the weight's entries plus one bias per filter: "
                         "params = 4·3·3·3 + 4 = 108 + 4 = 112.")
    assert params[-1] == "total: params = 112 + 0 = 112."


def test_numeric_first_entry_from_the_given_tensors():
    key = build_key(load_problem(ROOT / "problems/cnn/conv_numeric.yaml"))
    # f[1,1] = W[1,1,:]·x[1,1:3] + W[1,2,:]·x[2,1:3] = (1·1 + 0·2 − 1·3) + (2·6 + 1·7 + 0·8) = 17
    (line,) = _lines(key.part("a.i"), "numeric")
    assert line.endswith("= 1·1 + 0·2 + (−1)·3 + 2·6 + 1·7 + 0·8 = 17.")


def test_a_network_numeric_answer_never_shows_one_layer_first_entry():
    # course_layers e.ii is dl/db_2.1 = [8, -1] inside a residual block; the last layer's own
    # expression (dl/db_4 = g_1 = 1) is no step towards it, and neither is it for any network
    key = build_key(load_problem(ROOT / "problems/networks/course_layers.yaml"))
    assert _lines(key.part("e.ii"), "numeric") == ["computed from the given tensors, layer by layer."]
    for spec in sorted((ROOT / "problems").rglob("*.yaml")):
        for part_key in build_key(load_problem(spec)).parts:
            if "numeric" in part_key.part.ask and len(part_key.part.layers) > 1:
                assert not any("first entry" in line for line in _lines(part_key, "numeric")), part_key.id


def test_every_bundled_answer_has_worked_steps_but_explanations():
    for spec in sorted((ROOT / "problems").rglob("*.yaml")):
        key = build_key(load_problem(spec))
        for part_key in key.parts:
            for item, _ in part_key.answers:
                assert bool(worked_steps(part_key, item)) == (item != "explanation"), (spec.name, part_key.id, item)


def test_markdown_key_has_the_steps_and_the_sheet_has_no_answer(seed):
    key_text = RENDERERS["markdown"](seed)
    assert "\\left\\lfloor \\frac{7}{2} \\right\\rfloor + 1 = 4" in key_text
    sheet = SHEET_RENDERERS["markdown"](seed)
    assert "## (c)\n" in sheet and "cross-correlation" in sheet      # the enclosing prompt, once
    assert sheet.count("In machine learning") == 1
    for answer in ("4 \\times 5", "Sum(", "Worked", "Both are cross-correlations", "R}^"):
        assert answer not in sheet
    assert "Give: **shape**, **value**, **explanation**" in sheet
    data = SHEET_RENDERERS["yaml"](seed)
    assert "answers" not in data and "ask: [shape, value, explanation]" in data


def test_receptive_field_steps_follow_the_recurrence():
    spec = next((ROOT / "problems").rglob("receptive_fields.yaml"))
    key = build_key(load_problem(spec))
    # part c: three conv1d layers, kernel 3, stride 1, dilations 1, 2, 4 (by hand from the spec):
    # r = 1 + 1·2·1 = 3, then 3 + 2·2·1 = 7, then 7 + 4·2·1 = 15; the jump stays 1
    lines = _lines(key.part("c"), "receptive_field")
    assert lines[1].endswith("r = 1 + 1·(3 − 1)·1 = 1 + 2 = 3; J = 1·1 = 1.")
    assert lines[3].endswith("r = 7 + 4·(3 − 1)·1 = 7 + 8 = 15; J = 1·1 = 1.")
    assert lines[-1] == "so the receptive field is 15."
