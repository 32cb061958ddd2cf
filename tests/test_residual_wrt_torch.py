"""Derivatives with respect to the weight or bias of a layer inside a residual block
(``wrt_layer: "3.2"``), checked against PyTorch autograd in float64.

Hypothesis draws networks: a first convolution, residual blocks of shape-keeping
convolutions (kernel 1-3, ``padding: same`` or the explicit (K - 1)/2), ReLU, tanh and nested
blocks, at varying positions, then flatten, optionally a residual block of linear layers, and a
linear classifier. The test writes each network twice from one description: as spec layers with
explicit random float values, and as torch.nn modules (a residual block is a small module
returning x + inner(x)) holding the same numbers. For every weight and bias inside a block the
key's ``shape`` and ``numeric`` answers must equal torch's: the forward output, dl/dV from
``backward`` with g as the upstream gradient, and df/dV from
``torch.autograd.functional.jacobian``. A hand-derived example and the refusals of invalid
references follow.
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

TOLERANCE = dict(rtol=1e-10, atol=1e-12)
torch.set_num_threads(1)


class Residual(nn.Module):
    """x + inner(x)."""

    def __init__(self, inner: nn.Sequential):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


# ----- one description, two networks -------------------------------------------------------------
# A description is a list of layer mappings in the spec's own words (op, kernel, padding, filters,
# features, bias, layers); the test gives both builders the same numbers.

def _torch_network(layers, shape):
    """nn.Sequential for the description ``layers`` on a batched input of ``shape``, and a map
    from each layer path (positions from 1) to its module."""
    modules, found, probe = [], {}, torch.zeros(shape, dtype=torch.float64)
    _build(layers, probe, modules, found, ())
    return nn.Sequential(*modules), found


def _build(layers, probe, modules, found, prefix):
    for number, spec in enumerate(layers, start=1):
        path, op = prefix + (number,), spec["op"]
        if op == "residual":
            inner_modules = []
            _build(spec["layers"], probe, inner_modules, found, path)
            module = Residual(nn.Sequential(*inner_modules))
        elif op in ("conv1d", "conv2d"):
            conv = nn.Conv1d if op == "conv1d" else nn.Conv2d
            kernel = spec["kernel"]
            padding = "same" if spec.get("padding") == "same" else spec.get("padding", 0)
            module = conv(probe.shape[1], spec["filters"], kernel, padding=padding,
                          bias=spec.get("bias", True))
        elif op == "linear":
            module = nn.Linear(probe.shape[1], spec["features"], bias=spec.get("bias", True))
        else:
            module = {"relu": nn.ReLU, "tanh": nn.Tanh, "flatten": nn.Flatten}[op]()
        module = module.double()
        probe = module(probe)
        found[path] = module
        modules.append(module)


def _parameter_names(network, found):
    """Layer path -> torch's dotted parameter prefix, e.g. (3, 2) -> "2.inner.1"."""
    by_module = {id(module): name for name, module in network.named_modules()}
    return {path: by_module[id(module)] for path, module in found.items()}


def _give_values(layers, found, rng, prefix=()):
    """Random float weights and biases into both the spec description and the torch modules."""
    for number, spec in enumerate(layers, start=1):
        path = prefix + (number,)
        if spec["op"] == "residual":
            _give_values(spec["layers"], found, rng, path)
            continue
        module = found[path]
        values = spec.setdefault("values", {})
        for role, name in (("weight", "W"), ("bias", "b")):
            parameter = getattr(module, role, None)
            if isinstance(parameter, torch.Tensor):
                array = rng.uniform(-1.5, 1.5, size=tuple(parameter.shape))
                values[name] = array.tolist()
                parameter.data = torch.tensor(array)


def _targets(layers, found, prefix=()):
    """(path, role) of every weight and bias inside a residual block."""
    targets = []
    for number, spec in enumerate(layers, start=1):
        path = prefix + (number,)
        if spec["op"] == "residual":
            targets += _targets(spec["layers"], found, path)
        elif prefix:
            targets += [(path, role) for role in ("weight", "bias")
                        if isinstance(getattr(found[path], role, None), torch.Tensor)]
    return targets


# ----- the networks hypothesis draws -------------------------------------------------------------

def _block_layers(draw, channels, ndim, depth):
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["conv", "conv", "relu", "tanh"] + (["block"] if depth < 2 else [])))
        if kind == "conv":
            kernel = draw(st.integers(1, 3))
            same = kernel % 2 == 0 or draw(st.booleans())
            layers.append({"op": f"conv{ndim}d", "kernel": kernel, "filters": channels,
                           "padding": "same" if same else (kernel - 1) // 2,
                           "bias": draw(st.booleans())})
        elif kind == "block":
            layers.append({"op": "residual", "layers": _block_layers(draw, channels, ndim, depth + 1)})
        else:
            layers.append({"op": kind})
    if not any(layer["op"].startswith("conv") for layer in layers):
        layers.append({"op": f"conv{ndim}d", "kernel": 3, "filters": channels, "padding": 1})
    return layers


@st.composite
def networks(draw):
    """(spec layers without values, the torch input shape, whether the spec gives a batch)."""
    ndim = draw(st.integers(1, 2))
    channels, start = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    spatial = [draw(st.integers(2, 4)) for _ in range(ndim)]
    batch = draw(st.sampled_from([None, 2]))
    spec_input = ([batch] if batch else []) + [start, *spatial]
    block = {"op": "residual", "layers": _block_layers(draw, channels, ndim, 1)}
    if draw(st.booleans()):      # the block alone is the part's network (a single layer)
        alone = {**block, "input": ([batch] if batch else []) + [channels, *spatial]}
        return [alone], (batch or 1, channels, *spatial), batch is not None
    layers = [{"op": f"conv{ndim}d", "input": spec_input, "kernel": 1, "filters": channels}]
    if draw(st.booleans()):
        layers.append({"op": "relu"})
    layers.append(block)
    if draw(st.booleans()):
        layers.append({"op": f"conv{ndim}d", "kernel": 3, "padding": 1, "filters": channels})
        layers.append({"op": "residual", "layers": _block_layers(draw, channels, ndim, 1)})
    layers.append({"op": "flatten"})
    features = channels * int(np.prod(spatial))
    if draw(st.booleans()):
        layers.append({"op": "residual", "layers": [
            {"op": "linear", "features": features, "bias": draw(st.booleans())},
            {"op": draw(st.sampled_from(["relu", "tanh"]))},
            {"op": "linear", "features": features}]})
    layers.append({"op": "linear", "features": 2})
    return layers, (batch or 1, start, *spatial), batch is not None


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(0, 2**32 - 1))
def test_inner_layer_derivatives_match_torch(drawn, seed):
    layers, shape, batched = drawn
    network, found = _torch_network(layers, shape)
    rng = np.random.default_rng(seed)
    _give_values(layers, found, rng)
    x = rng.uniform(-2, 2, size=shape)
    output = network(torch.tensor(x))
    g = rng.uniform(-2, 2, size=tuple(output.shape))
    spec_shape = (lambda s: tuple(s) if batched else tuple(s[1:]))
    layers[0].setdefault("values", {})["x"] = x.reshape(spec_shape(shape)).tolist()
    layers[-1].setdefault("values", {})["g"] = g.reshape(spec_shape(output.shape)).tolist()

    targets = _targets(layers, found)
    assert targets, "every drawn block holds a convolution"
    parts = [{"id": "out", "ask": ["shape", "numeric"]}]
    for index, (path, role) in enumerate(targets):
        label = ".".join(map(str, path))
        for of in ("loss_gradient", "jacobian"):
            parts.append({"id": f"{of}{index}", "of": of, "wrt": role, "wrt_layer": label,
                          "ask": ["shape", "numeric"]})
    key = build_key(problem_from_data({"id": "net", "parts": [
        {"id": "a", "layers": layers, "parts": parts}]}))

    f = key.part("a.out")
    assert tuple(f.answer("shape").shape) == spec_shape(output.shape)
    np.testing.assert_allclose(f.answer("numeric").array.reshape(output.shape),
                               output.detach().numpy(), **TOLERANCE)
    names = _parameter_names(network, found)
    output.backward(torch.tensor(g))
    x_tensor = torch.tensor(x)
    for index, (path, role) in enumerate(targets):
        parameter = getattr(found[path], role)
        name = f"{names[path]}.{role}"
        gradient = key.part(f"a.loss_gradient{index}")
        assert tuple(gradient.answer("shape").shape) == tuple(parameter.shape)
        np.testing.assert_allclose(gradient.answer("numeric").array, parameter.grad.numpy(),
                                   **TOLERANCE)

        def forward(value, name=name):
            return torch.func.functional_call(network, {name: value}, (x_tensor,))
        jacobian = torch.autograd.functional.jacobian(forward, parameter.detach().clone())
        expected_shape = spec_shape(output.shape) + tuple(parameter.shape)
        answer = key.part(f"a.jacobian{index}")
        assert tuple(answer.answer("shape").shape) == expected_shape
        np.testing.assert_allclose(answer.answer("numeric").array,
                                   jacobian.numpy().reshape(expected_shape), **TOLERANCE)


def test_by_hand_through_one_block():
    # a = 2x + 1 (conv1d kernel 1), f = a + (3a + 0.5) (the block: conv1d kernel 1, w = 3, c = 0.5)
    # x = [1, 2, 3]: a = [3, 5, 7], f = 4a + 0.5 = [12.5, 20.5, 28.5]; g = [1, -1, 2]
    # dl/dw = sum g_j a_j = 3 - 5 + 14 = 12; dl/dc = sum g_j = 2; df/dw = a (f: 1 x 3, w: 1 x 1 x 1)
    # dl/dW_1 = sum_j (1 + w) g_j x_j = 4 (1 - 2 + 6) = 20
    layers = [{"op": "conv1d", "input": [1, 3], "kernel": 1, "filters": 1,
               "values": {"x": [[1, 2, 3]], "W": [[[2]]], "b": [1]}},
              {"op": "residual", "layers": [{"op": "conv1d", "kernel": 1, "filters": 1,
                                             "values": {"W": [[[3]]], "b": [0.5]}}],
               "values": {"g": [[1, -1, 2]]}}]
    parts = [{"id": "f", "ask": ["numeric"]},
             {"id": "w", "of": "loss_gradient", "wrt": "weight", "wrt_layer": "2.1", "ask": ["shape", "numeric"]},
             {"id": "c", "of": "loss_gradient", "wrt": "bias", "wrt_layer": "2.1", "ask": ["numeric"]},
             {"id": "j", "of": "jacobian", "wrt": "weight", "wrt_layer": "2.1", "ask": ["shape", "numeric"]},
             {"id": "w1", "of": "loss_gradient", "wrt": "weight", "wrt_layer": 1, "ask": ["numeric"]}]
    key = build_key(problem_from_data({"id": "q", "parts": [{"id": "a", "layers": layers, "parts": parts}]}))
    assert key.part("a.f").answer("numeric").array.tolist() == [[12.5, 20.5, 28.5]]
    assert key.part("a.w").answer("shape").shape == (1, 1, 1)
    assert key.part("a.w").answer("numeric").array.tolist() == [[[12]]]
    assert key.part("a.c").answer("numeric").array.tolist() == [2]
    assert key.part("a.j").answer("shape").shape == (1, 3, 1, 1, 1)
    assert key.part("a.j").answer("numeric").array.ravel().tolist() == [3, 5, 7]
    assert key.part("a.w1").answer("numeric").array.tolist() == [[[20]]]
    # the student is shown the block's tensors, labelled by their dotted layer number
    assert [name for name, _ in key.part("a.w").given()] == ["x", "W_1", "b_1", "W_2.1", "b_2.1", "g"]


NESTED = [{"op": "conv1d", "input": [2, 4], "kernel": 3, "padding": 1, "filters": 2},
          {"op": "residual", "layers": [
              {"op": "conv1d", "kernel": 3, "padding": 1, "filters": 2, "bias": False},
              {"op": "relu"},
              {"op": "residual", "layers": [{"op": "conv1d", "kernel": 1, "filters": 2}]}]},
          {"op": "flatten"}, {"op": "linear", "features": 3}]


@pytest.mark.parametrize("wrt, wrt_layer, fragments", [
    ("weight", 5, ['expected a layer number from 1 to 4, or a layer inside a residual block as '
                   'text: "2.1", "2.2", "2.3", "2.3.1"; found 5']),
    ("weight", "2.4", ["layer 2 is a residual block of 3 inner layers, 2.1 to 2.3; found '2.4'"]),
    ("bias", "2.3.2", ["layer 2.3 is a residual block of 1 inner layer, 2.3.1; found '2.3.2'"]),
    ("weight", "2.0", ["residual block of 3 inner layers, 2.1 to 2.3; found '2.0'"]),
    ("weight", "1.1", ["found '1.1', but layer 1 is a conv1d layer, not a residual block",
                       "accepted: a layer number from 1 to 4, or a layer inside a residual block"]),
    ("weight", "2.2.1", ["layer 2.2 is a relu layer, not a residual block"]),
    ("weight", 2, ["layer 2: a residual block has no weight of its own",
                   "3 inner layers, 2.1 to 2.3", 'e.g. wrt_layer: "2.1"',
                   "layers with a weight: 1, 2.1, 2.3.1, 4"]),
    ("bias", "2.3", ["layer 2.3: a residual block has no bias of its own", 'e.g. wrt_layer: "2.3.1"',
                     "layers with a bias: 1, 2.3.1, 4"]),
    ("weight", "2.2", ["layer 2.2: the relu layer has no weights", "layers with a weight: 1, 2.1"]),
    ("bias", "2.1", ["layer 2.1: the conv1d layer has no bias (bias: false)"]),
    ("weight", 2.1, ['found the number 2.1; write a layer inside a residual block as text in quotes, '
                     'wrt_layer: "2.1"', "3.10 as 3.1"]),
    ("weight", 2.0, ["expected a whole layer number; found 2.0, write 2"]),
    ("weight", "2.x", ['expected a layer number such as 2 (from 1 to 4) or, for a layer inside a '
                       'residual block, its dotted number as text such as "3.1"; found \'2.x\'']),
    ("weight", [2, 1], ["found [2, 1]"]),
    ("weight", "2..1", ["found '2..1'"]),
])
def test_invalid_inner_references_are_refused(wrt, wrt_layer, fragments):
    part = {"id": "a", "layers": NESTED, "of": "jacobian", "wrt": wrt, "wrt_layer": wrt_layer,
            "ask": ["shape"]}
    with pytest.raises(SpecError) as raised:
        problem_from_data({"id": "q", "parts": [part]}, source="net.yaml")
    message = str(raised.value)
    assert message.startswith("net.yaml: part a, wrt_layer: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_a_single_residual_layer_names_its_inner_layers():
    layer = {"op": "residual", "input": [2, 3], "layers": [{"op": "conv1d", "kernel": 1, "filters": 2}]}
    part = {"id": "a", "layer": layer, "of": "jacobian", "wrt": "weight", "ask": ["shape"]}
    with pytest.raises(SpecError, match='wrt_layer: layer 1: a residual block has no weight .* '
                                        'e.g. wrt_layer: "1.1"'):
        problem_from_data({"id": "q", "parts": [part]})
    key = build_key(problem_from_data({"id": "q", "parts": [{**part, "wrt_layer": "1.1"}]}))
    assert key.parts[0].answer("shape").shape == (2, 3, 2, 2, 1)   # f: 2 x 3, W: 2 x 2 x 1


def test_dotted_numbers_without_residual_blocks_say_so():
    layers = [{"op": "conv1d", "input": [5], "kernel": 3}, {"op": "relu"}]
    part = {"id": "a", "layers": layers, "of": "jacobian", "wrt": "weight", "wrt_layer": "1.1",
            "ask": ["shape"]}
    with pytest.raises(SpecError, match=r"accepted: a layer number from 1 to 2 \(this part has no "
                                        r"residual block\)"):
        problem_from_data({"id": "q", "parts": [part]})


def test_the_bundled_residual_part_matches_torch():
    from pathlib import Path

    from solver.spec.loading import load_problem, load_spec_data
    path = Path(__file__).resolve().parents[1] / "problems" / "networks" / "course_layers.yaml"
    raw = next(part for part in load_spec_data(path)["parts"] if part["id"] == "e")
    key = build_key(load_problem(path))
    layers = key.part("e.i").part.layers
    network, found = _torch_network(raw["layers"], (1, 1, 4))
    for module_path, module in found.items():
        layer = layers[module_path[0] - 1]
        for number in module_path[1:]:
            layer = layer.inner[number - 1]
        for role, name in (("weight", "W"), ("bias", "b")):
            if isinstance(getattr(module, role, None), torch.Tensor):
                getattr(module, role).data = torch.tensor(layer.values[name]).reshape(getattr(module, role).shape)
    x = torch.tensor(layers[0].values["x"]).reshape(1, 1, 4)
    output = network(x)
    output.backward(torch.tensor(layers[-1].values["g"]).reshape(output.shape))
    inner = found[(2, 1)]
    jacobian = torch.autograd.functional.jacobian(
        lambda w: torch.func.functional_call(network, {"1.inner.0.weight": w}, (x,)), inner.weight.detach())
    np.testing.assert_allclose(key.part("e.i").answer("numeric").array.ravel(), jacobian.numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(key.part("e.ii").answer("numeric").array, inner.bias.grad.numpy(), **TOLERANCE)
    np.testing.assert_allclose(key.part("e.iii").answer("numeric").array, found[(1,)].weight.grad.numpy(), **TOLERANCE)
    assert key.part("e.i").answer("shape").shape == (2, 2, 2, 3)


@pytest.mark.parametrize("text", ["02.1", " 2.1", "2.1 ", "2.01", "2.", ".1", "2..1", "2.1x"])
def test_a_dotted_layer_number_is_read_as_the_schema_reads_it(text):
    # The JSON schema's pattern refuses each of these (leading zeros, spaces, empty pieces);
    # the loader must too, with the accepted forms named.
    layers = [{"op": "conv1d", "input": [1, 4], "kernel": 1, "filters": 1},
              {"op": "residual", "layers": [{"op": "conv1d", "kernel": 1, "filters": 1}]}]
    part = {"id": "p", "layers": layers, "of": "loss_gradient", "wrt": "weight", "wrt_layer": text,
            "ask": ["shape"]}
    with pytest.raises(SpecError, match="wrt_layer") as refused:
        problem_from_data({"id": "q", "parts": [part]})
    assert '"2.1"' in str(refused.value) or "dotted number" in str(refused.value)
    import json
    import re
    from pathlib import Path
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "spec.schema.json").read_text())
    found = re.search(r'"wrt_layer": \{"anyOf": \[\{[^}]*\}, \{"type": "string", "pattern": ("(?:[^"\\]|\\.)*")',
                      json.dumps(schema))
    assert found and re.search(json.loads(found.group(1)), text) is None
