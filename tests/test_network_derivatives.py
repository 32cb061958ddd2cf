"""Jacobians and loss gradients of a network (``layers:``), checked against PyTorch autograd.

The spec's layers and a ``torch.nn.Sequential`` of the same layers are built
side by side; torch's autograd on the composed network gives the shapes of
df/dV and dl/dV independently of the solver. The spec inputs give channels
(and a batch), so the spec layout is torch's own layout.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import problem_from_data

torch.manual_seed(0)

# (name, spec layers, the same network in torch, the network's input shape)
NETWORKS = {
    "conv1d-maxpool": (
        [{"op": "conv1d", "input": [2, 10], "kernel": 3, "filters": 4},
         {"op": "maxpool1d", "kernel": 2}],
        lambda: nn.Sequential(nn.Conv1d(2, 4, 3), nn.MaxPool1d(2)), (2, 10)),
    "conv2d-maxpool-conv_transpose2d": (
        [{"op": "conv2d", "input": [3, 8, 8], "kernel": 3, "filters": 4},
         {"op": "maxpool2d", "kernel": 2},
         {"op": "conv_transpose2d", "kernel": 2, "stride": 2, "filters": 2}],
        lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(2),
                              nn.ConvTranspose2d(4, 2, 2, stride=2)), (3, 8, 8)),
    "batched conv1d-avgpool-conv1d": (
        [{"op": "conv1d", "input": [2, 3, 9], "kernel": 2, "filters": 2},
         {"op": "avgpool1d", "kernel": 2},
         {"op": "conv1d", "kernel": 2, "filters": 5, "bias": False}],
        lambda: nn.Sequential(nn.Conv1d(3, 2, 2), nn.AvgPool1d(2), nn.Conv1d(2, 5, 2, bias=False)),
        (2, 3, 9)),
}

# every (network, of, wrt, wrt_layer) whose tensor exists
CASES = [(name, of, "input", None) for name in NETWORKS for of in ("jacobian", "loss_gradient")]
CASES += [(name, of, wrt, number)
          for name, (layers, build, _) in NETWORKS.items()
          for number, module in enumerate(build(), start=1)
          for wrt in ("weight", "bias") if getattr(module, wrt, None) is not None
          for of in ("jacobian", "loss_gradient")]


def _solver_shape(layers, of, wrt, wrt_layer):
    part = {"id": "a", "layers": layers, "of": of, "wrt": wrt, "ask": ["shape"]}
    if wrt_layer is not None:
        part["wrt_layer"] = wrt_layer
    key = build_key(problem_from_data({"id": "q", "parts": [part]}))
    return tuple(key.parts[0].answer("shape").shape)


def _torch_shape(network: nn.Sequential, input_shape, of, wrt, wrt_layer):
    x = torch.randn(input_shape, requires_grad=True)
    if wrt == "input":
        variable_name, variable = None, x
    else:
        variable_name = f"{wrt_layer - 1}.{wrt}"
        variable = dict(network.named_parameters())[variable_name]
    if of == "loss_gradient":
        output = network(x)
        output.backward(torch.randn_like(output))
        return tuple(variable.grad.shape)

    def forward(value):
        if variable_name is None:
            return network(value)
        return torch.func.functional_call(network, {variable_name: value}, (x,))
    return tuple(torch.autograd.functional.jacobian(forward, variable.detach()).shape)


@pytest.mark.parametrize("name, of, wrt, wrt_layer", CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}{c[3] or ''}" for c in CASES])
def test_network_derivative_shapes_match_torch_autograd(name, of, wrt, wrt_layer):
    layers, build, input_shape = NETWORKS[name]
    expected = _torch_shape(build(), input_shape, of, wrt, wrt_layer)
    assert _solver_shape(layers, of, wrt, wrt_layer) == expected


def test_the_issue_example_by_hand():
    # conv1d 2 -> 4 channels, kernel 3 on length 10 gives 4 x 8; maxpool 2 gives 4 x 4.
    layers = NETWORKS["conv1d-maxpool"][0]
    assert _solver_shape(layers, "loss_gradient", "input", None) == (2, 10)
    assert _solver_shape(layers, "jacobian", "input", None) == (4, 4, 2, 10)
    assert _solver_shape(layers, "jacobian", "weight", 1) == (4, 4, 4, 2, 3)


@pytest.mark.parametrize("wrt_layer, wrt, fragments", [
    (None, "weight", ["wrt_layer", "missing", "2 layers", "whose weight", "1 to 2"]),
    (None, "bias", ["wrt_layer", "missing", "whose bias"]),
    (2, "weight", ["wrt_layer", "layer 2: the maxpool1d layer has no weights",
                   "layers with a weight: 1"]),
    (3, "weight", ["wrt_layer", "from 1 to 2", "found 3"]),
    (0, "bias", ["wrt_layer", "from 1 to 2", "found 0"]),
    (True, "bias", ["wrt_layer", "found True"]),
    (1, "input", ["wrt_layer", "wrt: input is the input of the first layer", "drop wrt_layer"]),
])
def test_network_weight_or_bias_must_name_its_layer(wrt_layer, wrt, fragments):
    part = {"id": "a", "layers": NETWORKS["conv1d-maxpool"][0], "of": "loss_gradient",
            "wrt": wrt, "ask": ["shape"]}
    if wrt_layer is not None:
        part["wrt_layer"] = wrt_layer
    with pytest.raises(SpecError) as raised:
        problem_from_data({"id": "q", "parts": [part]}, source="net.yaml")
    message = str(raised.value)
    assert message.startswith("net.yaml: part a, wrt_layer: ")
    for fragment in fragments:
        assert fragment in message, message


def test_wrt_layer_without_wrt_is_refused():
    part = {"id": "a", "layer": {"op": "conv1d", "input": [5], "kernel": 3}, "wrt_layer": 1,
            "ask": ["shape"]}
    with pytest.raises(SpecError, match="wrt_layer: names the layer .* goes with wrt: weight"):
        problem_from_data({"id": "q", "parts": [part]})


def test_a_single_layer_needs_no_wrt_layer_and_accepts_1():
    layer = {"op": "conv1d", "input": [2, 5], "kernel": 3, "filters": 1}
    shapes = []
    for extra in ({}, {"wrt_layer": 1}):
        part = {"id": "a", "layer": layer, "of": "jacobian", "wrt": "weight", "ask": ["shape"],
                **extra}
        key = build_key(problem_from_data({"id": "q", "parts": [part]}))
        shapes.append(key.parts[0].answer("shape").to_data())
    assert shapes == [[1, 3, 1, 2, 3]] * 2    # f: 1 x 3, W: 1 x 2 x 3
