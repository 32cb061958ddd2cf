"""Index expressions of relu, dropout, flatten, nearest upsampling, adaptive and global average
pooling against PyTorch, at every entry, in both index bases.

Each expression of the key (``family.element``) is evaluated exactly at every index of its
left-hand side with the layer's integer tensors (values in [-2, 2], so relu meets zeros, where
PyTorch's derivative is 0) and compared with the torch.nn module's output, its
``torch.autograd.functional.jacobian`` and the input's gradient after ``backward`` of g.
Layouts: [C, *L] as a spec writes it, and [N, C, *L] or [*L] as the layer receives them after
an identity max pooling (kernel 1), so the batch and the no-channel forms are covered too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from grader.grading import Grader
from grader.submission import submission_from_data
from solver.errors import SpecError
from solver.key import build_key
from solver.ops import family_of
from solver.shapes import input_shape, output_shape
from solver.spec.layer_fields import parse_layer
from solver.spec.loading import problem_from_data
from tests.test_course_layers_torch import _module
from tests.test_elementwise_ops_torch import evaluate_everywhere

torch.set_num_threads(1)
MAX_JACOBIAN_ENTRIES = 1500
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
OPS = ["relu", "dropout", "flatten", "upsample", "adaptive_avgpool", "global_avgpool"]


@st.composite
def course_layers(draw):
    """(layer mapping without input, the layout: 'plain', 'batched' or 'no channels', dims)."""
    op = draw(st.sampled_from(OPS))
    low = 0 if op in ("relu", "dropout", "flatten") else 1
    ndim = draw(st.integers(low, 3))
    spatial = [draw(st.integers(1, 4)) for _ in range(ndim)]
    mapping = {"op": op}
    if op == "upsample":
        mapping["scale_factor"] = [draw(st.integers(1, 4)) for _ in range(ndim)]
    if op == "adaptive_avgpool":
        mapping["op"] = f"adaptive_avgpool{ndim}d"
        mapping["output_size"] = [draw(st.integers(1, 5)) for _ in range(ndim)]
    layout = "plain" if ndim == 0 else draw(st.sampled_from(["plain", "batched", "no channels"]))
    dims = {"plain": [draw(st.integers(1, 3)), *spatial],
            "batched": [draw(st.integers(1, 2)), draw(st.integers(1, 3)), *spatial],
            "no channels": spatial}[layout]
    return mapping, layout, dims


def _parsed(mapping, layout, dims, seed):
    values = {"seed": seed, "low": -2, "high": 2}
    if layout == "plain":
        return parse_layer({**mapping, "input": dims, "values": values})
    before = parse_layer({"op": f"maxpool{len(dims) - (2 if layout == 'batched' else 0)}d",
                          "input": dims, "kernel": 1})
    return parse_layer({**mapping, "values": values}, previous_output=output_shape(before),
                       previous_layer=before)


def torch_element_answers(mapping, layer) -> dict:
    """(of, wrt) -> torch's flat output, dl/dx and (when small) df/dx for the layer's values."""
    batched = (layer.batch or 1, layer.channels or 1, *layer.spatial)
    module = _module(mapping, batched).double()
    x = torch.tensor(layer.values[layer.names.input]).reshape(batched).requires_grad_(True)
    out = module(x)
    out.backward(torch.tensor(layer.values[layer.names.upstream]).reshape(out.shape))
    found = {("output", None): out.detach().numpy().ravel(),
             ("loss_gradient", "input"): x.grad.numpy().ravel()}
    if out.numel() * x.numel() <= MAX_JACOBIAN_ENTRIES:
        found[("jacobian", "input")] = torch.autograd.functional.jacobian(
            module, x.detach()).numpy().ravel()
    return found


def check_course_elements(mapping, layer, base):
    family = family_of(layer.family)
    assert family.element_support(layer, "output", None) is None
    tensors = {name: value.astype(np.int64) for name, value in layer.values.items()}
    answers = torch_element_answers(mapping, layer)
    assert len(answers) >= 2
    for (of, wrt), expected in answers.items():
        eq = family.element(layer, base, of, wrt)
        np.testing.assert_allclose(evaluate_everywhere(eq, layer, base, tensors), expected,
                                   rtol=1e-12, atol=1e-12,
                                   err_msg=f"{layer.op} {of} base {base}: {eq.rhs}")


@SETTINGS
@given(course_layers(), st.integers(0, 10**6), st.sampled_from([0, 1]))
def test_course_layer_index_expressions_match_torch(case, seed, base):
    mapping, layout, dims = case
    check_course_elements(mapping, _parsed(mapping, layout, dims, seed), base)


@pytest.mark.parametrize("mapping, dims", [
    ({"op": "relu"}, [2, 3, 2]),
    ({"op": "flatten"}, [2, 3, 2, 2]),
    ({"op": "upsample", "scale_factor": [3, 2]}, [2, 2, 3]),
    # windows of changing length (5 -> 3: [0, 2), [1, 4), [3, 5)) and more outputs than inputs
    ({"op": "adaptive_avgpool1d", "output_size": 3}, [2, 5]),
    ({"op": "adaptive_avgpool2d", "output_size": [5, 2]}, [1, 3, 4]),
    ({"op": "global_avgpool"}, [2, 3, 2]),
])
@pytest.mark.parametrize("base", [0, 1])
def test_hand_picked_course_layers(mapping, dims, base):
    check_course_elements(mapping, _parsed(mapping, "plain", dims, 5), base)


def test_relu_derivative_at_zero_is_zero_by_hand():
    layer = parse_layer({"op": "relu", "input": [3], "values": {"x": [-1, 0, 2], "g": [5, 6, 7]}})
    family = family_of(layer.family)
    eq = family.element(layer, 1, "loss_gradient", "input")
    tensors = {name: value.astype(np.int64) for name, value in layer.values.items()}
    assert evaluate_everywhere(eq, layer, 1, tensors).tolist() == [0, 0, 7]


def test_flatten_is_row_major_by_hand():
    # x[c, r, s] of shape 2 x 2 x 3 goes to position 6c + 3r + s (from 0)
    layer = parse_layer({"op": "flatten", "input": [2, 2, 3]})
    eq = family_of(layer.family).element(layer, 0, "output", None)
    x = np.arange(12).reshape(2, 2, 3)
    assert evaluate_everywhere(eq, layer, 0, {"x": x}).tolist() == list(range(12))


@pytest.mark.parametrize("layer, fragments", [
    ({"op": "sigmoid", "input": [2, 3]}, ["sigmoid", "exp", "ask numeric"]),
    ({"op": "tanh", "input": [2, 3]}, ["tanh", "exp", "ask numeric"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "eval"}, ["sqrt", "ask numeric", "mode: train"]),
    ({"op": "dropout", "input": [2, 3], "mode": "train"}, ["random", "mode: eval"]),
])
def test_layers_without_index_expressions_are_refused_with_the_fix(layer, fragments):
    spec = {"id": "q", "parts": [{"id": "a", "layer": layer, "ask": ["value"]}]}
    with pytest.raises(SpecError) as raised:
        build_key(problem_from_data(spec))
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)


def test_dropout_in_training_mode_has_no_numbers():
    spec = {"id": "q", "parts": [{"id": "a", "layer": {"op": "dropout", "input": [2], "mode": "train",
                                                       "values": {"seed": 1}}, "ask": ["numeric"]}]}
    with pytest.raises(SpecError, match="training mode is random"):
        build_key(problem_from_data(spec))


@pytest.mark.parametrize("layer", [
    {"op": "relu", "input": [2, 3]}, {"op": "flatten", "input": [2, 2, 2]},
    {"op": "upsample", "input": [2, 3], "scale_factor": 2},
    {"op": "adaptive_avgpool1d", "input": [2, 5], "output_size": 3},
    {"op": "global_avgpool", "input": [2, 3]}, {"op": "dropout", "input": [3]},
])
@pytest.mark.parametrize("of", ["output", "jacobian", "loss_gradient"])
def test_the_grader_gives_the_key_full_marks_and_refuses_a_wrong_answer(layer, of):
    part = {"id": "a", "layer": layer, "of": of, "ask": ["value"]}
    if of != "output":
        part["wrt"] = "input"
    key = build_key(problem_from_data({"id": "q", "parts": [part]}))
    text = key.parts[0].answer("value").to_data()
    rhs = text.split(" = ", 1)[1]
    wrong = text.split(" = ", 1)[0] + f" = 2*({rhs})"
    verdicts = {}
    with Grader(key) as grader:
        for name, answer in (("key", text), ("doubled", wrong)):
            result = grader.grade(submission_from_data({"problem": "q", "answers": {"a": answer}}))
            verdicts[name] = result.parts[0].answers[0].verdict
    assert verdicts == {"key": "correct", "doubled": "incorrect"}, text


def test_relu_slope_one_at_zero_is_a_named_wrong_answer():
    # [x >= 0] differs from PyTorch's rule only where x = 0; the mutation rules make it a
    # candidate mistake and the grader must refuse it
    from grader.mutations import answer_mutants

    spec = {"id": "q", "parts": [{"id": "a", "layer": {"op": "relu", "input": [2, 3]},
                                  "of": "loss_gradient", "wrt": "input", "ask": ["value"]}]}
    key = build_key(problem_from_data(spec))
    answer = key.parts[0].answer("value")
    text = answer.to_data()
    assert text == "dl/dx[c, l] = [x[c, l] > 0]*g[c, l]"
    kinds = {m.kind for m in answer_mutants(answer)}
    assert {"boundary", "reversed_relation"} <= kinds
    with Grader(key) as grader:
        result = grader.grade(submission_from_data(
            {"problem": "q", "answers": {"a": text.replace("> 0", ">= 0")}}))
    assert result.parts[0].answers[0].verdict == "incorrect"
