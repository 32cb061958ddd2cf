"""The layers of course networks (linear, flatten, batchnorm, activations, dropout, adaptive and
global average pooling, nearest upsampling, residual blocks) against torch.nn modules.

Each spec layer list is mirrored by a torch.nn.Sequential built here from the same numbers;
output shapes and parameter counts (sum of numel over ``parameters()``) must agree, and so must
numeric outputs, loss gradients and Jacobians (float64 autograd) for the layers with numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import problem_from_data
from tests.torch_oracle import torch_module

torch.set_num_threads(1)
TOLERANCE = dict(rtol=1e-10, atol=1e-12)


class _Residual(nn.Module):
    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


class _GlobalAverage(nn.Module):
    def forward(self, x):
        return x.mean(dim=tuple(range(2, x.ndim)))


def torch_layers(layers, shape) -> tuple[nn.Sequential, tuple]:
    """nn.Sequential for spec ``layers`` fed with a batched input of ``shape``; and the output shape."""
    modules = []
    probe = torch.zeros(shape, dtype=torch.float64)
    for spec in layers:
        module = _module(spec, probe.shape).double()
        probe = module(probe)
        modules.append(module)
    return nn.Sequential(*modules), tuple(probe.shape)


def _module(spec, shape) -> nn.Module:
    op, channels, ndim = spec["op"], shape[1], len(shape) - 2
    if op == "linear":
        return nn.Linear(shape[1], spec["features"], bias=spec.get("bias", True))
    if op == "flatten":
        return nn.Flatten()
    if op.startswith("batchnorm"):
        return getattr(nn, f"BatchNorm{op[-2]}d")(channels, affine=spec.get("affine", True)).eval()
    if op in ("relu", "sigmoid", "tanh"):
        return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[op]()
    if op == "dropout":
        return nn.Dropout(spec.get("p", 0.5)).eval()
    if op.startswith("adaptive_avgpool"):
        size = spec["output_size"]
        return getattr(nn, f"AdaptiveAvgPool{op[-2]}d")(tuple(size) if isinstance(size, list) else size)
    if op == "global_avgpool":
        return _GlobalAverage()
    if op == "upsample":
        factor = spec["scale_factor"]
        factors = tuple(float(f) for f in factor) if isinstance(factor, list) else float(factor)
        return nn.Upsample(scale_factor=factors, mode="nearest")
    if op == "residual":
        return _Residual(torch_layers(spec["layers"], shape)[0])
    mapping = {k: v for k, v in spec.items() if k != "values"}
    mapping["input"] = list(shape[1:])
    return torch_module(mapping)


def _solve(layers, parts):
    key = build_key(problem_from_data({"id": "net", "parts": [
        {"id": "a", "layers": layers, "parts": parts}]}))
    return {pk.id.split(".")[1]: pk for pk in key.parts}


NETWORKS = {
    "conv-bn-relu-residual-pool-up-adaptive-gap-dropout-linear": (
        [{"op": "conv2d", "input": [2, 3, 8, 8], "kernel": 3, "filters": 4, "padding": 1},
         {"op": "batchnorm2d"}, {"op": "relu"},
         {"op": "residual", "layers": [{"op": "conv2d", "kernel": 3, "padding": 1, "filters": 4},
                                       {"op": "tanh"}]},
         {"op": "maxpool2d", "kernel": 2}, {"op": "upsample", "scale_factor": 2},
         {"op": "adaptive_avgpool2d", "output_size": [3, 2]}, {"op": "global_avgpool"},
         {"op": "dropout", "p": 0.3}, {"op": "linear", "features": 5}, {"op": "sigmoid"}],
        (2, 3, 8, 8)),
    "lenet-like": (
        [{"op": "conv2d", "input": [1, 12, 12], "kernel": 5, "filters": 6}, {"op": "tanh"},
         {"op": "avgpool2d", "kernel": 2}, {"op": "flatten"},
         {"op": "linear", "features": 10}, {"op": "relu"}, {"op": "linear", "features": 3,
                                                            "bias": False}],
        (1, 1, 12, 12)),
    "1d and 3d": (
        [{"op": "conv1d", "input": [2, 9], "kernel": 2, "filters": 3},
         {"op": "batchnorm1d", "affine": False}, {"op": "adaptive_avgpool1d", "output_size": 4},
         {"op": "upsample", "scale_factor": 3}, {"op": "flatten"}, {"op": "batchnorm1d"},
         {"op": "linear", "features": 2}],
        (1, 2, 9)),
    "3d": (
        [{"op": "conv3d", "input": [1, 2, 4, 4, 4], "kernel": 2, "filters": 2},
         {"op": "batchnorm3d"}, {"op": "adaptive_avgpool3d", "output_size": [2, 1, 3]},
         {"op": "upsample", "scale_factor": [1, 2, 1]}, {"op": "global_avgpool"}],
        (1, 2, 4, 4, 4)),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_shapes_and_parameter_counts_match_torch(name):
    layers, shape = NETWORKS[name]
    network, out_shape = torch_layers(layers, shape)
    batched = "input" in layers[0] and len(layers[0]["input"]) == len(shape)
    answers = _solve(layers, [{"id": "s", "ask": ["shape", "params", "summary"]}])["s"]
    expected = out_shape if batched else out_shape[1:]
    assert tuple(answers.answer("shape").shape) == expected
    assert answers.answer("params").value == sum(p.numel() for p in network.parameters())
    rows = answers.answer("summary").rows
    for row, module in zip(rows, network):
        assert row[3] == sum(p.numel() for p in module.parameters()), row


@st.composite
def single_layers(draw):
    kind = draw(st.sampled_from(["linear", "adaptive", "upsample", "bn", "gap", "flatten"]))
    if kind == "linear":
        return ([{"op": "linear", "input": [draw(st.integers(1, 9))],
                  "features": draw(st.integers(1, 9)), "bias": draw(st.booleans())}])
    ndim = draw(st.integers(1, 3))
    spatial = [draw(st.integers(1, 7)) for _ in range(ndim)]
    first = {"op": "relu", "input": [draw(st.integers(1, 3))] + spatial}
    if kind == "adaptive":
        return [first, {"op": f"adaptive_avgpool{ndim}d",
                        "output_size": [draw(st.integers(1, 8)) for _ in range(ndim)]}]
    if kind == "upsample":
        return [first, {"op": "upsample", "scale_factor": [draw(st.integers(1, 3)) for _ in range(ndim)]}]
    if kind == "bn":
        return [first, {"op": f"batchnorm{ndim}d", "affine": draw(st.booleans())}]
    return [first, {"op": "global_avgpool" if kind == "gap" else "flatten"}]


@settings(max_examples=60, deadline=None)
@given(single_layers())
def test_random_single_layers_match_torch(layers):
    dims = layers[0]["input"]
    network, out_shape = torch_layers(layers, (1, *dims))
    answers = _solve(layers, [{"id": "s", "ask": ["shape", "params"]}])["s"]
    assert tuple(answers.answer("shape").shape) == out_shape[1:]
    assert answers.answer("params").value == sum(p.numel() for p in network.parameters())




@pytest.mark.parametrize("name", ["lenet-like", "numeric-chain", "residual"])
def test_numbers_match_torch(name):
    layers, shape = {
        "lenet-like": NETWORKS["lenet-like"],
        "numeric-chain": ([{"op": "conv1d", "input": [2, 2, 7], "kernel": 2, "filters": 2},
                           {"op": "sigmoid"}, {"op": "adaptive_avgpool1d", "output_size": 4},
                           {"op": "upsample", "scale_factor": 2}, {"op": "relu"},
                           {"op": "dropout"}, {"op": "flatten"}, {"op": "linear", "features": 3},
                           {"op": "tanh"}], (2, 2, 7)),
        "residual": ([{"op": "conv1d", "input": [2, 6], "kernel": 3, "filters": 2, "padding": 1},
                      {"op": "residual", "layers": [
                          {"op": "conv1d", "kernel": 3, "padding": 1, "filters": 2},
                          {"op": "relu"}, {"op": "conv1d", "kernel": 1, "filters": 2}]},
                      {"op": "global_avgpool"}], (1, 2, 6)),
    }[name]
    seeded = _seeded(layers)
    network, _ = torch_layers(layers, shape)
    parts = [{"id": "out", "ask": ["numeric"]},
             {"id": "gx", "of": "loss_gradient", "wrt": "input", "ask": ["numeric"]},
             {"id": "jx", "of": "jacobian", "wrt": "input", "ask": ["numeric"]}]
    weighted = [i for i, m in enumerate(network, start=1) if getattr(m, "weight", None) is not None]
    for index in weighted:
        parts.append({"id": f"gw{index}", "of": "loss_gradient", "wrt": "weight",
                      "wrt_layer": index, "ask": ["numeric"]})
    answers = _solve(seeded, parts)
    problem_layers = answers["out"].part.layers
    _copy_weights(network, problem_layers)
    first = problem_layers[0]
    x = torch.tensor(first.values["x"]).reshape(shape).requires_grad_(True)
    out = network(x)
    out.backward(torch.tensor(problem_layers[-1].values["g"]).reshape(out.shape))
    np.testing.assert_allclose(answers["out"].answer("numeric").array.ravel(),
                               out.detach().numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(answers["gx"].answer("numeric").array.ravel(),
                               x.grad.numpy().ravel(), **TOLERANCE)
    jacobian = torch.autograd.functional.jacobian(network, x.detach())
    np.testing.assert_allclose(answers["jx"].answer("numeric").array.ravel(),
                               jacobian.numpy().ravel(), **TOLERANCE)
    for index in weighted:
        np.testing.assert_allclose(answers[f"gw{index}"].answer("numeric").array.ravel(),
                                   network[index - 1].weight.grad.numpy().ravel(), **TOLERANCE)


def _seeded(layers, seed=[20]):
    found = []
    for spec in layers:
        spec = dict(spec)
        seed[0] += 1
        spec["values"] = {"seed": seed[0], "low": -2, "high": 2}
        if spec["op"] == "residual":
            spec["layers"] = _seeded(spec["layers"])
            del spec["values"]
        found.append(spec)
    return found


def _copy_weights(network, layers):
    for module, layer in zip(network, layers):
        if isinstance(module, _Residual):
            _copy_weights(module.inner, layer.inner)
            continue
        for role, name in (("weight", layer.names.weight), ("bias", layer.names.bias)):
            parameter = getattr(module, role, None)
            if parameter is not None and name in layer.values:
                parameter.data = torch.tensor(layer.values[name]).reshape(parameter.shape)


@pytest.mark.parametrize("layers, fragments", [
    ([{"op": "linear", "input": [3, 4], "features": 2}], ["linear", "flatten layer before it"]),
    ([{"op": "linear", "input": [3]}], ["features", "missing", "out_features"]),
    ([{"op": "batchnorm2d", "input": [3, 4]}], ["batchnorm2d takes channels and 2 spatial"]),
    ([{"op": "relu", "input": [2, 5]},
      {"op": "residual", "layers": [{"op": "conv1d", "kernel": 2, "filters": 2}]}],
     ["layers", "keep the input's shape"]),
    ([{"op": "upsample", "input": [2, 5], "scale_factor": 2, "mode": "bilinear"}], ["nearest"]),
    ([{"op": "dropout", "input": [2], "p": 2}], ["probability"]),
])
def test_impossible_course_layers_are_refused_with_the_reason(layers, fragments):
    with pytest.raises(SpecError) as raised:
        _solve(layers, [{"id": "s", "ask": ["shape"]}])
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)


def test_batchnorm_numbers_are_refused_clearly():
    layers = [{"op": "batchnorm1d", "input": [2, 3], "values": {"seed": 1}}]
    with pytest.raises(SpecError, match="training or evaluation mode"):
        _solve(layers, [{"id": "s", "ask": ["numeric"]}])
