"""Numeric answers of every op family and of networks against PyTorch float64 autograd.

Each configuration is a spec layer mapping with seeded integer values in [-2, 2] (so max
pooling meets many ties); torch gets the same mapping through ``torch_oracle.torch_module``
with the same weights. Outputs are compared with the module's forward pass, loss gradients
with ``backward`` of the spec's g, Jacobians with ``torch.autograd.functional.jacobian``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from torch import nn

from solver.errors import SpecError
from solver.key import build_key
from solver.ops import family_of
from solver.numeric.layer import layer_gradient, layer_jacobian, layer_output
from solver.spec.layer_fields import parse_layer
from solver.spec.loading import problem_from_data
from tests.torch_oracle import TORCH_REFUSALS, input_axes, split_op, torch_module

torch.set_num_threads(1)
TOLERANCE = dict(rtol=1e-10, atol=1e-12)
MAX_JACOBIAN_ENTRIES = 4000
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@st.composite
def pooling_mappings(draw):
    family = draw(st.sampled_from(["maxpool", "avgpool"]))
    ndim = draw(st.sampled_from([1, 1, 2, 2, 3]))
    top = 3 if ndim < 3 else 2
    kernel = [draw(st.integers(1, top)) for _ in range(ndim)]
    mapping = {"op": f"{family}{ndim}d", "kernel": kernel,
               "stride": [draw(st.integers(1, top)) for _ in range(ndim)],
               "padding": [draw(st.integers(0, k // 2)) for k in kernel],
               "ceil_mode": draw(st.booleans())}
    if family == "maxpool":
        mapping["dilation"] = [draw(st.integers(1, 2)) for _ in range(ndim)]
    else:
        mapping["count_include_pad"] = draw(st.booleans())
        if ndim > 1 and draw(st.booleans()):
            mapping["divisor_override"] = draw(st.integers(1, 5))
    spatial = [draw(st.integers(1, 6 if ndim < 3 else 4)) for _ in range(ndim)]
    mapping["input"] = _leading(draw) + spatial
    return mapping


@st.composite
def conv_transpose_mappings(draw):
    ndim = draw(st.sampled_from([1, 1, 2, 3]))
    groups = draw(st.integers(1, 2))
    top = 3 if ndim < 3 else 2
    stride = [draw(st.integers(1, top)) for _ in range(ndim)]
    dilation = [draw(st.integers(1, 2)) for _ in range(ndim)]
    mapping = {"op": f"conv_transpose{ndim}d",
               "kernel": [draw(st.integers(1, top)) for _ in range(ndim)], "stride": stride,
               "dilation": dilation, "padding": [draw(st.integers(0, 2)) for _ in range(ndim)],
               "output_padding": [draw(st.integers(0, max(s, d) - 1))
                                  for s, d in zip(stride, dilation)],
               "groups": groups, "filters": groups * draw(st.integers(1, 2)),
               "bias": draw(st.booleans())}
    batch = draw(st.sampled_from([[], [2]]))
    mapping["input"] = batch + [groups * draw(st.integers(1, 2))] + \
        [draw(st.integers(1, 4)) for _ in range(ndim)]
    return mapping


def _leading(draw) -> list[int]:
    return draw(st.sampled_from([[], [2], [1, 2], [2, 1]]))


def _layer(mapping, seed):
    try:
        layer = parse_layer({**mapping, "values": {"seed": seed, "low": -2, "high": 2}})
    except SpecError:
        assume(False)
    assume(family_of(layer.family).numeric_support(layer) is None)
    return layer


def _torch_side(mapping, layer):
    """(module with the layer's weights, batched x, batched g) in float64."""
    if mapping["op"] == "linear":
        module = nn.Linear(mapping["input"][-1], mapping["features"],
                           bias=mapping.get("bias", True)).double()
        module.weight.data = torch.tensor(layer.values["W"]).reshape(module.weight.shape)
        if module.bias is not None:
            module.bias.data = torch.tensor(layer.values["b"]).reshape(module.bias.shape)
        return module, torch.tensor(layer.values["x"]).reshape(1, -1)
    module = torch_module(mapping).double()
    family, _ = split_op(mapping["op"])
    if family in ("conv", "conv_transpose"):
        module.weight.data = torch.tensor(layer.values["W"]).reshape(module.weight.shape)
        if module.bias is not None:
            module.bias.data = torch.tensor(layer.values["b"]).reshape(module.bias.shape)
    batch, channels, spatial = input_axes(mapping)
    x = torch.tensor(layer.values["x"]).reshape(batch or 1, channels or 1, *spatial)
    return module, x


def torch_answers(mapping, layer, max_jacobian_entries=MAX_JACOBIAN_ENTRIES) -> dict:
    """(of, wrt) -> torch's flat answer for the layer's values: the output, each loss gradient
    and each Jacobian with at most ``max_jacobian_entries`` entries."""
    module, x = _torch_side(mapping, layer)
    x.requires_grad_(True)
    try:
        out = module(x)
    except TORCH_REFUSALS:
        pytest.fail(f"the solver accepts {mapping} but torch refuses it")
    found = {("output", None): out.detach().numpy().ravel()}
    out.backward(torch.tensor(layer.values["g"]).reshape(out.shape))
    leaves = {"input": x, "weight": getattr(module, "weight", None),
              "bias": getattr(module, "bias", None)}
    for wrt, leaf in leaves.items():
        if leaf is None:
            continue
        found[("loss_gradient", wrt)] = leaf.grad.numpy().ravel()
        if out.numel() * leaf.numel() <= max_jacobian_entries:
            found[("jacobian", wrt)] = _torch_jacobian(module, x.detach(), wrt).numpy().ravel()
    return found


def check_layer(mapping, seed):
    layer = _layer(mapping, seed)
    ours = {"output": lambda wrt: layer_output(layer), "loss_gradient": lambda wrt:
            layer_gradient(layer, wrt), "jacobian": lambda wrt: layer_jacobian(layer, wrt)}
    expected = torch_answers(mapping, layer)
    for (of, wrt), array in expected.items():
        answer = ours[of](wrt)
        assert answer.size == array.size, (of, wrt)
        np.testing.assert_allclose(answer.ravel(), array, **TOLERANCE, err_msg=f"{of} {wrt}")


def _torch_jacobian(module, x, wrt):
    if wrt == "input":
        return torch.autograd.functional.jacobian(module, x)
    value = getattr(module, wrt).detach()
    return torch.autograd.functional.jacobian(
        lambda v: torch.func.functional_call(module, {wrt: v}, (x,)), value)


@SETTINGS
@given(pooling_mappings(), st.integers(0, 10**6))
def test_pooling_numeric_matches_torch(mapping, seed):
    check_layer(mapping, seed)


@SETTINGS
@given(conv_transpose_mappings(), st.integers(0, 10**6))
def test_conv_transpose_numeric_matches_torch(mapping, seed):
    check_layer(mapping, seed)


def test_max_pool_ties_go_to_the_first_maximum_like_torch():
    # Hand derivation: the window [3, 3] has its maximum twice; the gradient goes to the first.
    layer = parse_layer({"op": "maxpool1d", "input": [4], "kernel": 2,
                         "values": {"x": [3, 3, 1, 2], "g": [10, 20]}})
    assert layer_gradient(layer, "input").tolist() == [10, 0, 0, 20]
    check_layer({"op": "maxpool2d", "input": [1, 3, 3], "kernel": 2, "stride": 1}, 5)


def test_avg_pool_divisor_follows_count_include_pad_and_ceil_mode():
    # L = 3, K = 2, S = 2, P = 1, ceil_mode: windows [-1, 0], [1, 2], and [3, 4] is dropped.
    # With the padding counted both divisors are 2; without it the first is 1.
    base = {"op": "avgpool1d", "input": [3], "kernel": 2, "stride": 2, "padding": 1,
            "ceil_mode": True, "values": {"x": [4, 6, 8]}}
    assert layer_output(parse_layer(base)).tolist() == [2, 7]
    assert layer_output(parse_layer({**base, "count_include_pad": False})).tolist() == [4, 7]
    for seed in range(3):
        check_layer({k: v for k, v in base.items() if k != "values"}, seed)


def test_a_max_pool_window_of_padding_only_is_refused_for_numbers():
    # L = 1, K = 2, D = 2, P = 1: the only window has taps at -1 and 1, both padding.
    layer = {"op": "maxpool1d", "input": [1], "kernel": 2, "stride": 1, "padding": 1,
             "dilation": 2, "values": {"seed": 0}}
    with pytest.raises(SpecError, match="window 1 .* lies entirely in the padding"):
        problem_from_data({"id": "q", "parts": [{"id": "a", "layer": layer, "ask": ["numeric"]}]})
    x = torch.zeros(1, 1, 1)
    assert torch.nn.functional.max_pool1d(x, 2, 1, 1, dilation=2).item() == -float("inf")


def test_divisor_override_is_refused_for_avgpool1d_as_torch_has_none():
    with pytest.raises(SpecError, match="avgpool1d does not take divisor_override"):
        parse_layer({"op": "avgpool1d", "input": [4], "kernel": 2, "divisor_override": 3})
    with pytest.raises(SpecError, match="divisor_override must be an integer >= 1"):
        parse_layer({"op": "avgpool2d", "input": [4, 4], "kernel": 2, "divisor_override": 0})


# ---------------------------------------------------------------- networks

NETWORKS = [
    [{"op": "conv1d", "input": [2, 7], "kernel": 3, "filters": 3},
     {"op": "maxpool1d", "kernel": 2},
     {"op": "conv1d", "kernel": 2, "filters": 2}],
    [{"op": "conv2d", "input": [2, 2, 5, 5], "kernel": 2, "filters": 2, "padding": 1},
     {"op": "avgpool2d", "kernel": 2, "ceil_mode": True, "count_include_pad": False},
     {"op": "conv_transpose2d", "kernel": 2, "stride": 2, "filters": 1, "bias": False}],
    [{"op": "conv_transpose1d", "input": [1, 3], "kernel": 3, "stride": 2, "filters": 2},
     {"op": "maxpool1d", "kernel": 3, "stride": 2, "padding": 1, "dilation": 1}],
]


def _torch_network(layers):
    modules, shape = [], None
    for mapping in layers:
        spec = dict(mapping)
        if "input" not in spec:
            spec["input"] = list(shape)
        module = torch_module(spec).double()
        modules.append(module)
        batch, channels, spatial = input_axes(spec)
        probe = module(torch.zeros(batch or 1, channels or 1, *spatial, dtype=torch.float64))
        shape = ([batch] if batch else []) + list(probe.shape[1:])
    return nn.Sequential(*modules)


@pytest.mark.parametrize("number", range(len(NETWORKS)))
def test_network_numeric_matches_torch(number):
    layers = NETWORKS[number]
    spec_layers = [{**m, "values": {"seed": 11 + i, "low": -2, "high": 2}}
                   for i, m in enumerate(layers)]
    network = _torch_network(layers)
    parts = [{"id": "out", "of": "output", "ask": ["numeric"]},
             {"id": "gx", "of": "loss_gradient", "wrt": "input", "ask": ["numeric"]},
             {"id": "jx", "of": "jacobian", "wrt": "input", "ask": ["numeric"]}]
    for index, module in enumerate(network, start=1):
        for wrt in ("weight", "bias"):
            if getattr(module, wrt, None) is not None:
                parts += [{"id": f"g{wrt}{index}", "of": "loss_gradient", "wrt": wrt,
                           "wrt_layer": index, "ask": ["numeric"]},
                          {"id": f"j{wrt}{index}", "of": "jacobian", "wrt": wrt,
                           "wrt_layer": index, "ask": ["numeric"]}]
    key = build_key(problem_from_data({"id": "net", "parts": [
        {"id": "a", "layers": spec_layers, "parts": parts}]}))
    problem_layers = key.parts[0].part.layers
    for module, layer in zip(network, problem_layers):
        for wrt, name in (("weight", layer.names.weight), ("bias", layer.names.bias)):
            if getattr(module, wrt, None) is not None:
                getattr(module, wrt).data = torch.tensor(layer.values[name]).reshape(
                    getattr(module, wrt).shape)
    first = problem_layers[0]
    x = torch.tensor(first.values["x"]).reshape(first.batch or 1, first.channels or 1,
                                                *first.spatial).requires_grad_(True)
    out = network(x)
    g = torch.tensor(problem_layers[-1].values["g"]).reshape(out.shape)
    out.backward(g)
    answers = {pk.id.split(".")[1]: pk.answer("numeric").array for pk in key.parts}
    np.testing.assert_allclose(answers["out"].ravel(), out.detach().numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(answers["gx"].ravel(), x.grad.numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(answers["jx"].ravel(),
                               torch.autograd.functional.jacobian(network, x.detach()).numpy().ravel(),
                               **TOLERANCE)
    for index, module in enumerate(network, start=1):
        for wrt in ("weight", "bias"):
            parameter = getattr(module, wrt, None)
            if parameter is None:
                continue
            np.testing.assert_allclose(answers[f"g{wrt}{index}"].ravel(),
                                       parameter.grad.numpy().ravel(), **TOLERANCE)
            name = f"{index - 1}.{wrt}"
            expected = torch.autograd.functional.jacobian(
                lambda v: torch.func.functional_call(network, {name: v}, (x.detach(),)),
                parameter.detach())
            np.testing.assert_allclose(answers[f"j{wrt}{index}"].ravel(),
                                       expected.numpy().ravel(), **TOLERANCE)
