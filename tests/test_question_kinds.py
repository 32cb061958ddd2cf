"""Question kinds about a stack of layers, each against an independent source.

* receptive_field / jump: brute force with torch autograd: the input positions whose gradient
  is non-zero for one output (positive weights, average pooling for the windows, so nothing
  cancels), and how far that set moves between neighbouring outputs;
* macs / flops: torch.utils.flop_counter.FlopCounterMode (which counts 2 FLOPs per MAC);
* activations: the sum of the sizes of the torch modules' outputs;
* im2col: the shape of torch.nn.functional.unfold's matrix;
* effective_kernel / padding_for_same: what a torch convolution does with the sizes.
"""

from __future__ import annotations

import pytest
import sympy
import torch
from hypothesis import given, settings, strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import problem_from_data
from tests.test_course_layers_torch import torch_layers

torch.set_num_threads(1)


def _answers(layers, ask, **part):
    key = build_key(problem_from_data({"id": "q", "parts": [
        {"id": "a", "layers": layers, "ask": ask, **part}]}))
    return {item: answer for item, answer in key.parts[0].answers}


@st.composite
def window_stacks(draw):
    ndim = draw(st.sampled_from([1, 2]))
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kernel = [draw(st.integers(1, 3)) for _ in range(ndim)]
        stride = [draw(st.integers(1, 2)) for _ in range(ndim)]
        if draw(st.booleans()):
            layers.append({"op": f"conv{ndim}d", "kernel": kernel, "stride": stride,
                           "dilation": [draw(st.integers(1, 2)) for _ in range(ndim)],
                           "filters": 1})
        else:
            layers.append({"op": f"avgpool{ndim}d", "kernel": kernel, "stride": stride})
        if draw(st.booleans()):
            layers.append({"op": "relu"})
    return ndim, layers


def _brute_force(ndim, layers, length=100):
    """(field, jump) per axis: non-zero gradients of two neighbouring outputs in the middle."""
    spec = [dict(layers[0], input=[1] + [length] * ndim)] + layers[1:]
    network, out_shape = torch_layers(spec, (1, 1) + (length,) * ndim)
    for module in network.modules():
        if isinstance(module, nn.Conv1d | nn.Conv2d):
            # positive weights and inputs and no bias keep every pre-activation positive, so a relu
            # passes every gradient (a random negative bias could zero them all)
            module.weight.data.fill_(1.0)
            if module.bias is not None:
                module.bias.data.zero_()
    x = torch.rand((1, 1) + (length,) * ndim, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 1.0
    spans = []
    for shift in (0, 1):
        middle = tuple(n // 2 + shift for n in out_shape[2:])
        leaf = x.clone().requires_grad_(True)
        network(leaf)[(0, 0, *middle)].backward()
        nonzero = leaf.grad[0, 0].nonzero()
        spans.append((nonzero.min(dim=0).values, nonzero.max(dim=0).values))
    (low, high), (next_low, _) = spans
    assert (low > 0).all() and (high < length - 1).all(), "the field touches the border"
    return tuple((high - low + 1).tolist()), tuple((next_low - low).tolist())


@settings(max_examples=40, deadline=None)
@given(window_stacks())
def test_receptive_field_and_jump_match_brute_force(stack):
    ndim, layers = stack
    spec = [dict(layers[0], input=[1] + [100] * ndim)] + layers[1:]
    answers = _answers(spec, ["receptive_field", "jump"])
    field, jump = _brute_force(ndim, layers)
    assert tuple(answers["receptive_field"].shape) == field
    assert tuple(answers["jump"].shape) == jump


def test_receptive_field_of_a_residual_block_and_symbols():
    layers = [{"op": "conv1d", "input": [1, 30], "kernel": 3, "filters": 1},
              {"op": "residual", "layers": [{"op": "conv1d", "kernel": 3, "padding": 1,
                                             "filters": 1}, {"op": "relu"}]},
              {"op": "maxpool1d", "kernel": 2}]
    assert _answers(layers, ["receptive_field", "jump"])["receptive_field"].shape == (6,)
    symbolic = [{"op": "conv1d", "input": ["L"], "kernel": "K", "stride": "S"},
                {"op": "conv1d", "kernel": "K"}]
    answers = _answers(symbolic, ["receptive_field", "jump"], assumptions=["L >= 4*K"])
    K, S = sympy.Symbol("K", integer=True), sympy.Symbol("S", integer=True)
    # by hand: 1 + (K - 1)*1 + (K - 1)*S
    assert sympy.expand(answers["receptive_field"].shape[0] - (1 + (K - 1) + (K - 1) * S)) == 0
    assert answers["jump"].shape == (S,)


def test_receptive_field_refuses_layers_without_a_window():
    with pytest.raises(SpecError, match="layer 1 is flatten"):
        _answers([{"op": "flatten", "input": [1, 4]}, {"op": "linear", "features": 2}],
                 ["receptive_field"])


NETWORKS = [
    ([{"op": "conv2d", "input": [2, 3, 9, 9], "kernel": 3, "filters": 4, "stride": 2},
      {"op": "relu"}, {"op": "maxpool2d", "kernel": 2}, {"op": "flatten"},
      {"op": "linear", "features": 5}], (2, 3, 9, 9)),
    ([{"op": "conv1d", "input": [4, 10], "kernel": 3, "filters": 6, "groups": 2, "dilation": 2},
      {"op": "conv_transpose1d", "kernel": 4, "stride": 2, "filters": 3, "bias": False},
      {"op": "residual", "layers": [{"op": "conv1d", "kernel": 1, "filters": 3}]},
      {"op": "global_avgpool"}], (1, 4, 10)),
]


@pytest.mark.parametrize("layers, shape", NETWORKS)
def test_macs_flops_and_activations_match_torch(layers, shape):
    network, _ = torch_layers(layers, shape)
    x = torch.zeros(shape, dtype=torch.float64)
    with FlopCounterMode(display=False) as counter:
        network(x)
    sizes, value = [], x
    for module in network:
        value = module(value)
        sizes.append(value.numel())
    batched = len(layers[0]["input"]) == len(shape)
    answers = _answers(layers, ["macs", "flops", "activations"])
    scale = 1 if batched else shape[0]
    assert answers["flops"].value * scale == counter.get_total_flops()
    assert 2 * answers["macs"].value * scale == counter.get_total_flops()
    assert answers["activations"].value * scale == sum(sizes)


@pytest.mark.parametrize("mapping", [
    {"op": "conv2d", "input": [3, 7, 8], "kernel": [3, 2], "stride": 2, "padding": 1,
     "dilation": [1, 2], "filters": 5},
    {"op": "conv1d", "input": [2, 11], "kernel": 4, "stride": 3, "filters": 1},
])
def test_im2col_dimensions_match_unfold(mapping):
    answer = _answers([mapping], ["im2col"])["im2col"].shape
    channels, *spatial = mapping["input"]
    ndim = len(spatial)
    kernel = mapping["kernel"] if isinstance(mapping["kernel"], list) else [mapping["kernel"]] * ndim

    def pad(value):
        return tuple(value) if isinstance(value, list) else (value,) * ndim
    x = torch.zeros((1, channels, *spatial, *([1] if ndim == 1 else [])))
    unfolded = torch.nn.functional.unfold(
        x, tuple(kernel) + ((1,) if ndim == 1 else ()),
        dilation=pad(mapping.get("dilation", 1)) + ((1,) if ndim == 1 else ()),
        padding=pad(mapping.get("padding", 0)) + ((0,) if ndim == 1 else ()),
        stride=pad(mapping.get("stride", 1)) + ((1,) if ndim == 1 else ()))
    assert tuple(answer) == tuple(unfolded.shape[1:])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.integers(13, 20))
def test_effective_kernel_and_padding_for_same_match_torch(kernel, dilation, length):
    mapping = {"op": "conv1d", "input": [1, length], "kernel": kernel, "dilation": dilation,
               "filters": 1}
    span = _answers([mapping], ["effective_kernel"])["effective_kernel"].shape[0]
    conv = nn.Conv1d(1, 1, kernel, dilation=dilation)
    assert span == length - conv(torch.zeros(1, 1, length)).shape[-1] + 1
    if dilation * (kernel - 1) % 2:
        with pytest.raises(SpecError, match="is odd"):
            _answers([mapping], ["padding_for_same"])
        return
    padding = _answers([mapping], ["padding_for_same"])["padding_for_same"].shape[0]
    same = nn.Conv1d(1, 1, kernel, dilation=dilation, padding=padding)
    assert same(torch.zeros(1, 1, length)).shape[-1] == length
