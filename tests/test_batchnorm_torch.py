"""Numeric answers of batch normalisation (train and eval mode) against torch.nn.BatchNormNd.

The oracle is the torch module in float64, put in ``.train()`` or ``.eval()`` and given the
spec's gamma, beta and running statistics: outputs by its forward pass, loss gradients by
``backward`` of the spec's g, Jacobians by ``torch.autograd.functional.jacobian`` (through
``torch.func.functional_call`` for gamma and beta). A batch reaches a batch norm layer through
an identity max pooling (kernel 1) whose input is [N, C, ...], as a free-rank layer's own
``input`` has no batch axis.
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
from solver.spec.loading import problem_from_data

torch.set_num_threads(1)
TOLERANCE = dict(rtol=1e-9, atol=1e-10)
SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def _solve(layers, parts):
    key = build_key(problem_from_data({"id": "bn", "parts": [
        {"id": "a", "layers": layers, "parts": parts}]}))
    return {pk.id.split(".")[1]: pk for pk in key.parts}


@st.composite
def batchnorm_networks(draw):
    """(spec layers, batched input shape, index of the batch norm layer in the list)."""
    ndim = draw(st.integers(0, 3))
    channels = draw(st.integers(1, 3))
    spatial = [draw(st.integers(1, 3)) for _ in range(ndim)]
    op = "batchnorm1d" if ndim <= 1 else f"batchnorm{ndim}d"
    norm = {"op": op, "affine": draw(st.booleans()),
            "mode": draw(st.sampled_from(["train", "eval"])),
            "values": {"seed": draw(st.integers(0, 10**6)), "low": -2, "high": 2}}
    if draw(st.booleans()):
        norm["eps"] = draw(st.sampled_from([1e-5, 0.1, 1.0]))
    batch = draw(st.integers(1, 3))
    if batch == 1 and ndim > 0 and draw(st.booleans()):
        norm["input"] = [channels, *spatial]          # a single layer, no batch axis
        return [norm], (1, channels, *spatial), 0
    pool = {"op": f"maxpool{max(ndim, 1)}d", "input": [batch, channels, *(spatial or [1])],
            "kernel": 1, "values": {"seed": draw(st.integers(0, 10**6)), "low": -2, "high": 2}}
    layers = [pool, {"op": "flatten"}, norm] if ndim == 0 else [pool, norm]
    return layers, (batch, channels, *(spatial or [1])), len(layers) - 1


class _Channels:
    """Stands in for a parsed layer when torch is only asked whether it accepts the shape."""

    def __init__(self, channels):
        self.channels = channels
        self.values = {"W": np.ones(channels), "b": np.zeros(channels),
                       "running_mean": np.zeros(channels), "running_var": np.ones(channels)}


def _torch_network(layers, values_layers):
    modules = []
    for spec, layer in zip(layers, values_layers):
        if spec["op"].startswith("maxpool"):
            modules.append(getattr(nn, f"MaxPool{spec['op'][-2]}d")(1))
        elif spec["op"] == "flatten":
            modules.append(nn.Flatten())
        else:
            bn = getattr(nn, f"BatchNorm{spec['op'][-2]}d")(
                layer.channels, eps=spec.get("eps", 1e-5), affine=spec["affine"]).double()
            if spec["affine"]:
                bn.weight.data = torch.tensor(layer.values["W"])
                bn.bias.data = torch.tensor(layer.values["b"])
            if spec["mode"] == "eval":
                bn.running_mean.data = torch.tensor(layer.values["running_mean"])
                bn.running_var.data = torch.tensor(layer.values["running_var"])
            modules.append(bn.train(spec["mode"] == "train"))
    return nn.Sequential(*modules)


@SETTINGS
@given(batchnorm_networks())
def test_batchnorm_numbers_match_torch(case):
    layers, shape, where = case
    norm = layers[where]
    parts = [{"id": "out", "ask": ["numeric"]},
             {"id": "gx", "of": "loss_gradient", "wrt": "input", "ask": ["numeric"]},
             {"id": "jx", "of": "jacobian", "wrt": "input", "ask": ["numeric"]}]
    if norm["affine"]:
        for wrt in ("weight", "bias"):
            parts += [{"id": f"g{wrt}", "of": "loss_gradient", "wrt": wrt, "wrt_layer": where + 1,
                       "ask": ["numeric"]},
                      {"id": f"j{wrt}", "of": "jacobian", "wrt": wrt, "wrt_layer": where + 1,
                       "ask": ["numeric"]}]
    try:
        answers = _solve(layers, parts)
    except SpecError as error:
        # training mode with one value per channel: torch refuses it too
        assert "more than one value per channel" in str(error)
        with pytest.raises(ValueError, match="more than 1 value per channel"):
            _torch_network(layers, [_Channels(shape[1])] * len(layers))(
                torch.zeros(shape, dtype=torch.float64))
        assume(False)
    parsed = answers["out"].part.layers
    if norm["mode"] == "eval":
        assert np.all(parsed[where].values["running_var"] >= 1)    # seeded variances are positive
    network = _torch_network(layers, parsed)
    x = torch.tensor(parsed[0].values["x"]).reshape(shape).requires_grad_(True)
    out = network(x)
    out.backward(torch.tensor(parsed[-1].values["g"]).reshape(out.shape))
    np.testing.assert_allclose(answers["out"].answer("numeric").array.ravel(),
                               out.detach().numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(answers["gx"].answer("numeric").array.ravel(),
                               x.grad.numpy().ravel(), **TOLERANCE)
    np.testing.assert_allclose(answers["jx"].answer("numeric").array.ravel(),
                               torch.autograd.functional.jacobian(network, x.detach()).numpy().ravel(),
                               **TOLERANCE)
    bn = network[where]
    for wrt in ("weight", "bias") if norm["affine"] else ():
        np.testing.assert_allclose(answers[f"g{wrt}"].answer("numeric").array.ravel(),
                                   getattr(bn, wrt).grad.numpy().ravel(), **TOLERANCE)
        prefix = network[:where]
        jacobian = torch.autograd.functional.jacobian(
            lambda v: torch.func.functional_call(bn, {wrt: v}, (prefix(x.detach()),)),
            getattr(bn, wrt).detach())
        np.testing.assert_allclose(answers[f"j{wrt}"].answer("numeric").array.ravel(),
                                   jacobian.numpy().ravel(), **TOLERANCE)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batchnorm_inside_a_network_matches_torch(mode):
    # conv -> batch norm -> relu -> flatten -> linear on a batch of 2: the conv's weight
    # gradient passes through the batch statistics in training mode
    layers = [{"op": "conv2d", "input": [2, 2, 3, 3], "kernel": 2, "filters": 3,
               "values": {"seed": 5, "low": -2, "high": 2}},
              {"op": "batchnorm2d", "mode": mode, "values": {"seed": 6, "low": -2, "high": 2}},
              {"op": "relu"}, {"op": "flatten"},
              {"op": "linear", "features": 2, "values": {"seed": 7, "low": -2, "high": 2}}]
    parts = [{"id": "out", "ask": ["numeric"]},
             {"id": "gx", "of": "loss_gradient", "wrt": "input", "ask": ["numeric"]},
             {"id": "gw1", "of": "loss_gradient", "wrt": "weight", "wrt_layer": 1, "ask": ["numeric"]},
             {"id": "gw2", "of": "loss_gradient", "wrt": "weight", "wrt_layer": 2, "ask": ["numeric"]},
             {"id": "jb2", "of": "jacobian", "wrt": "bias", "wrt_layer": 2, "ask": ["numeric"]}]
    answers = _solve(layers, parts)
    conv_l, bn_l, _, _, lin_l = answers["out"].part.layers
    conv = nn.Conv2d(2, 3, 2).double()
    conv.weight.data, conv.bias.data = (torch.tensor(conv_l.values["W"]),
                                        torch.tensor(conv_l.values["b"]))
    bn = nn.BatchNorm2d(3).double().train(mode == "train")
    bn.weight.data, bn.bias.data = torch.tensor(bn_l.values["W"]), torch.tensor(bn_l.values["b"])
    if mode == "eval":
        bn.running_mean.data = torch.tensor(bn_l.values["running_mean"])
        bn.running_var.data = torch.tensor(bn_l.values["running_var"])
    linear = nn.Linear(12, 2).double()
    linear.weight.data, linear.bias.data = (torch.tensor(lin_l.values["W"]),
                                            torch.tensor(lin_l.values["b"]))
    network = nn.Sequential(conv, bn, nn.ReLU(), nn.Flatten(), linear)
    x = torch.tensor(conv_l.values["x"]).requires_grad_(True)
    out = network(x)
    out.backward(torch.tensor(lin_l.values["g"]))
    for name, expected in (("out", out.detach()), ("gx", x.grad), ("gw1", conv.weight.grad),
                           ("gw2", bn.weight.grad)):
        np.testing.assert_allclose(answers[name].answer("numeric").array, expected.numpy(),
                                   **TOLERANCE, err_msg=name)
    rest = network[2:]
    hidden = conv(x.detach())
    jacobian = torch.autograd.functional.jacobian(
        lambda v: rest(torch.func.functional_call(bn, {"bias": v}, (hidden,))), bn.bias.detach())
    np.testing.assert_allclose(answers["jb2"].answer("numeric").array, jacobian.numpy(), **TOLERANCE)


def test_train_mode_by_hand():
    # x = [1, 3] on one channel: mean 2, biased variance 1, xhat = [-1, 1] / sqrt(1 + eps)
    layers = [{"op": "batchnorm1d", "input": [1, 2], "mode": "train", "eps": 0.25,
               "values": {"x": [[1, 3]], "W": [2], "b": [1], "g": [[1, 0]]}}]
    answers = _solve(layers, [{"id": "out", "ask": ["numeric"]},
                              {"id": "gx", "of": "loss_gradient", "wrt": "input", "ask": ["numeric"]}])
    scale = 1 / np.sqrt(1.25)
    np.testing.assert_allclose(answers["out"].answer("numeric").array, [[1 - 2 * scale, 1 + 2 * scale]])
    # dl/dx = gamma * scale * (g - mean g - xhat * mean(g xhat)), mean g = 1/2,
    # mean(g xhat) = -scale/2: [1 - 1/2 - scale^2/2, -1/2 + scale^2/2] * 2 * scale
    expected = 2 * scale * np.array([0.5 - scale ** 2 / 2, -0.5 + scale ** 2 / 2])
    np.testing.assert_allclose(answers["gx"].answer("numeric").array, [expected])


@pytest.mark.parametrize("layer, fragments", [
    ({"op": "batchnorm1d", "input": [2, 3], "values": {"seed": 1}},
     ["mode: train", "mode: eval", "batch statistics", "running statistics"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "training", "values": {"seed": 1}},
     ["mode", "expected train or eval", "'training'"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "train", "eps": 0, "values": {"seed": 1}},
     ["eps", "above 0"]),
    ({"op": "batchnorm1d", "input": [2], "mode": "train", "values": {"seed": 1}},
     ["more than one value per channel", "mode: eval"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "eval",
      "values": {"x": [[1, 2, 3], [4, 5, 6]], "W": [1, 1], "b": [0, 0]}},
     ["running_mean", "values"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "eval",
      "values": {"seed": 1, "running_var": [1, -1]}},
     ["values.running_var", "variance", ">= 0"]),
    ({"op": "batchnorm1d", "input": [2, 3], "mode": "train",
      "values": {"seed": 1, "running_mean": [0, 0]}},
     ["unknown tensor 'running_mean'"]),
])
def test_batchnorm_numbers_are_refused_with_the_fix(layer, fragments):
    with pytest.raises(SpecError) as raised:
        _solve([layer], [{"id": "s", "ask": ["numeric"]}])
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)


def test_shapes_need_no_mode():
    answers = _solve([{"op": "batchnorm2d", "input": [3, 4, 4]}], [{"id": "s", "ask": ["shape", "params"]}])
    assert tuple(answers["s"].answer("shape").shape) == (3, 4, 4)
    assert answers["s"].answer("params").value == 6


def test_the_family_lists_running_statistics_only_in_eval_mode():
    parsed = _solve([{"op": "batchnorm2d", "input": [3, 2, 2], "mode": "eval", "values": {"seed": 2}}],
                    [{"id": "s", "ask": ["numeric"]}])["s"].part.layers[0]
    family = family_of(parsed.family)
    assert set(family.buffers(parsed)) == {"running_mean", "running_var"}
    assert parsed.values["running_var"].shape == (3,)
