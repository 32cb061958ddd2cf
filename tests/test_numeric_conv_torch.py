"""solver.numeric (numpy convolution) against PyTorch float64 autograd and hand derivations.

The oracle is torch.nn.functional.convNd: asymmetric padding goes through
F.pad, 'same' padding through torch's own padding='same', gradients through
autograd with a random upstream gradient, Jacobians through
torch.autograd.functional.jacobian.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.numeric.conv import (JacobianTooLarge, conv_backward, conv_forward, conv_jacobian)
from solver.numeric.layer import layer_gradient, layer_jacobian, layer_output
from solver.spec.layer_fields import parse_layer

torch.set_num_threads(1)
# torch warns that 'same' padding with an even kernel copies the input; that is what we test.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

TOLERANCE = dict(rtol=1e-10, atol=1e-12)
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


# ---------------------------------------------------------------- core, batched layout

@dataclass(frozen=True)
class Config:
    """One random convolution; ``same`` means torch gets padding='same' (our side gets pairs)."""

    batch: int
    channels: int
    filters: int
    groups: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    same: bool
    bias: bool
    seed: int

    @property
    def geometry(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation,
                    groups=self.groups)


@st.composite
def configs(draw, ndims=(1, 2), max_length=7):
    ndim = draw(st.sampled_from(ndims))
    groups = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    mode = draw(st.sampled_from(["symmetric", "pairs", "same"]))
    if mode == "same":
        stride = (1,) * ndim
        # PyTorch's rule, written out independently of the spec parser.
        padding = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                        for k, d in zip(kernel, dilation))
    else:
        stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
        if mode == "symmetric":
            padding = tuple((p, p) for p in (draw(st.integers(0, 2)) for _ in range(ndim)))
        else:
            padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2)))
                            for _ in range(ndim))
    spatial = []
    for k, d, (lo, hi) in zip(kernel, dilation, padding):
        shortest = max(1, d * (k - 1) + 1 - lo - hi)
        spatial.append(draw(st.integers(shortest, max(shortest, max_length))))
    return Config(batch=draw(st.integers(1, 2)), channels=groups * draw(st.integers(1, 2)),
                  filters=groups * draw(st.integers(1, 2)), groups=groups,
                  spatial=tuple(spatial), kernel=kernel, stride=stride, dilation=dilation,
                  padding=padding, same=mode == "same", bias=draw(st.booleans()),
                  seed=draw(st.integers(0, 2**32 - 1)))


def random_tensors(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    x = rng.normal(size=(cfg.batch, cfg.channels, *cfg.spatial))
    w = rng.normal(size=(cfg.filters, cfg.channels // cfg.groups, *cfg.kernel))
    b = rng.normal(size=cfg.filters) if cfg.bias else None
    return x, w, b, rng


def torch_conv(cfg: Config):
    """f(x, W[, b]) as torch computes it for ``cfg``."""
    conv = TORCH_CONV[len(cfg.spatial)]

    def apply(x, w, b=None):
        if cfg.same:
            return conv(x, w, b, stride=1, padding="same", dilation=cfg.dilation,
                        groups=cfg.groups)
        # F.pad takes (before, after) pairs starting from the last axis.
        pads = [p for pair in reversed(cfg.padding) for p in pair]
        return conv(F.pad(x, pads), w, b, stride=cfg.stride, dilation=cfg.dilation,
                    groups=cfg.groups)
    return apply


def check_against_torch(cfg: Config) -> None:
    x, w, b, rng = random_tensors(cfg)
    conv = torch_conv(cfg)
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, w, b) if a is not None]
    out = conv(*leaves)
    np.testing.assert_allclose(conv_forward(x, w, b, **cfg.geometry), out.detach().numpy(),
                               **TOLERANCE)

    g = rng.normal(size=tuple(out.shape))
    out.backward(torch.tensor(g))
    ours = conv_backward(x, w, g, **cfg.geometry)
    np.testing.assert_allclose(ours.input, leaves[0].grad.numpy(), **TOLERANCE)
    np.testing.assert_allclose(ours.weight, leaves[1].grad.numpy(), **TOLERANCE)
    if cfg.bias:
        np.testing.assert_allclose(ours.bias, leaves[2].grad.numpy(), **TOLERANCE)

    expected = torch.autograd.functional.jacobian(conv, tuple(t.detach() for t in leaves),
                                                  vectorize=True)
    for wrt, jacobian in zip(("input", "weight", "bias"), expected):
        np.testing.assert_allclose(conv_jacobian(x, w, b, wrt=wrt, **cfg.geometry),
                                   jacobian.numpy(), **TOLERANCE)


@settings(max_examples=520, deadline=None)
@given(configs(ndims=(1, 2)))
def test_conv1d_conv2d_match_torch(cfg):
    check_against_torch(cfg)


@settings(max_examples=40, deadline=None)
@given(configs(ndims=(3,), max_length=4))
def test_conv3d_matches_torch(cfg):
    check_against_torch(cfg)


def test_hand_derived_strided_two_channel_conv1d():
    x = np.array([[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]], dtype=float)
    w = np.array([[[1, 0, -1], [2, 1, 0]]], dtype=float)
    # f[1] = 1*1 + 0*2 - 1*3 + 2*6 + 1*7 + 0*8 = 17;  f[2] = 1*3 + 0*4 - 1*5 + 2*8 + 1*9 + 0*10 = 23
    out = conv_forward(x, w, None, stride=(2,), padding=((0, 0),), dilation=(1,), groups=1)
    np.testing.assert_array_equal(out, [[[17, 23]]])


def test_hand_derived_padded_difference_filter():
    # x_pad = [0, 1, 2, 3, 0]; f[p] = x_pad[p] - x_pad[p+1] + 0.5
    x, w, b = np.array([[[1., 2., 3.]]]), np.array([[[1., -1.]]]), np.array([0.5])
    geometry = dict(stride=(1,), padding=((1, 1),), dilation=(1,), groups=1)
    np.testing.assert_array_equal(conv_forward(x, w, b, **geometry), [[[-0.5, -0.5, -0.5, 3.5]]])
    # f[p] = x[p-1] - x[p]: df[p]/dx[p-1] = 1, df[p]/dx[p] = -1
    expected = np.array([[-1, 0, 0], [1, -1, 0], [0, 1, -1], [0, 0, 1]], dtype=float)
    jacobian = conv_jacobian(x, w, b, wrt="input", **geometry)
    np.testing.assert_array_equal(jacobian.reshape(4, 3), expected)
    # dl/dx = J^T g
    g = np.array([[[1., 2., 3., 4.]]])
    np.testing.assert_array_equal(conv_backward(x, w, g, **geometry).input,
                                  [[[2 - 1, 3 - 2, 4 - 3]]])


# ---------------------------------------------------------------- layer level, spec layout

@st.composite
def layer_specs(draw):
    ndim = draw(st.sampled_from([1, 2]))
    form = draw(st.sampled_from(["spatial", "filters only", "channels", "batch"]))
    kernel, dilation = [draw(st.integers(1, 3)) for _ in range(ndim)], draw(st.integers(1, 2))
    spans = [dilation * (k - 1) + 1 for k in kernel]
    spatial = [draw(st.integers(span, span + 3)) for span in spans]
    spec = {"op": f"conv{ndim}d", "kernel": kernel, "bias": draw(st.booleans()),
            "dilation": dilation,
            "values": {"seed": draw(st.integers(0, 10**6)), "low": -5, "high": 5}}
    if draw(st.booleans()):
        spec["padding"] = "same"
    else:
        spec["padding"], spec["stride"] = draw(st.integers(0, 1)), draw(st.integers(1, 2))
    if form == "spatial":
        spec["input"] = spatial
    elif form == "filters only":
        spec["input"], spec["filters"] = spatial, draw(st.integers(1, 3))
    else:
        groups = draw(st.integers(1, 2))
        channels = groups * draw(st.integers(1, 2))
        leading = [channels] if form == "channels" else [draw(st.integers(1, 2)), channels]
        spec.update(input=leading + spatial, groups=groups,
                    filters=groups * draw(st.integers(1, 2)))
    return spec


def torch_layer(layer, spec):
    """Spec-layout tensors -> torch: unbatched input when the spec has no batch axis, size-1
    channel / filter axes inserted where the spec leaves them out."""
    has_channels, has_filters, has_batch = (layer.channels is not None,
                                            layer.filters is not None, layer.batch is not None)
    conv = TORCH_CONV[layer.ndim]

    def weight(w):
        w = w if has_channels else w.unsqueeze(-layer.ndim - 1)
        return w if has_filters else w.unsqueeze(0)

    def apply(x, w, b=None):
        x = x if has_channels else x.unsqueeze(0)     # (C, *L) or (N, C, *L)
        if b is not None and not has_filters:
            b = b.reshape(1)
        out = conv(x, weight(w), b, stride=spec.get("stride", 1), padding=spec["padding"],
                   dilation=spec["dilation"], groups=spec.get("groups", 1))
        return out if has_filters else out.squeeze(1 if has_batch else 0)
    return apply


@settings(max_examples=200, deadline=None)
@given(layer_specs())
def test_layer_answers_match_torch_in_spec_layout(spec):
    layer = parse_layer(spec)
    names = ["x", "W"] + (["b"] if layer.bias else [])
    leaves = [torch.tensor(layer.values[name], requires_grad=True) for name in names]
    conv = torch_layer(layer, spec)
    out = conv(*leaves)
    np.testing.assert_allclose(layer_output(layer), out.detach().numpy(), **TOLERANCE)

    out.backward(torch.tensor(layer.values["g"]))
    for wrt, leaf in zip(("input", "weight", "bias"), leaves):
        np.testing.assert_allclose(layer_gradient(layer, wrt), leaf.grad.numpy(), **TOLERANCE)

    expected = torch.autograd.functional.jacobian(conv, tuple(t.detach() for t in leaves),
                                                  vectorize=True)
    for wrt, jacobian in zip(("input", "weight", "bias"), expected):
        np.testing.assert_allclose(layer_jacobian(layer, wrt), jacobian.numpy(), **TOLERANCE)


def test_layer_hand_derived_example_and_shapes():
    layer = parse_layer({"op": "conv1d", "input": [2, 5], "kernel": 3, "stride": 2, "filters": 1,
                         "bias": False, "values": {"x": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]],
                                                   "W": [[[1, 0, -1], [2, 1, 0]]],
                                                   "g": [[1, -1]]}})
    np.testing.assert_array_equal(layer_output(layer), [[17, 23]])
    # df[0, p]/dW[0, c, k] = x[c, 2p + k]
    jacobian = layer_jacobian(layer, "weight")
    assert jacobian.shape == (1, 2, 1, 2, 3)
    np.testing.assert_array_equal(jacobian[0, 1, 0], [[3, 4, 5], [8, 9, 10]])
    # dl/dW = 1 * x[:, 0:3] - 1 * x[:, 2:5]
    np.testing.assert_array_equal(layer_gradient(layer, "weight"),
                                  [[[1 - 3, 2 - 4, 3 - 5], [6 - 8, 7 - 9, 8 - 10]]])


def test_layer_without_channels_uses_spatial_only_layout():
    # x = [1, 2, 3], W = [1, -1], padding 1, b = 0.5 (see the core hand test)
    layer = parse_layer({"op": "conv1d", "input": [3], "kernel": 2, "padding": 1,
                         "values": {"x": [1, 2, 3], "W": [1, -1], "b": 0.5, "g": [1, 2, 3, 4]}})
    np.testing.assert_array_equal(layer_output(layer), [-0.5, -0.5, -0.5, 3.5])
    np.testing.assert_array_equal(layer_jacobian(layer, "input"),
                                  [[-1, 0, 0], [1, -1, 0], [0, 1, -1], [0, 0, 1]])
    assert layer_jacobian(layer, "bias").shape == (4,)
    np.testing.assert_array_equal(layer_jacobian(layer, "bias"), [1, 1, 1, 1])
    assert layer_gradient(layer, "bias").shape == ()
    assert layer_gradient(layer, "bias") == 10
    np.testing.assert_array_equal(layer_gradient(layer, "input"), [1, 1, 1])


# ---------------------------------------------------------------- limits and errors

def test_jacobian_too_large_message_and_no_allocation():
    x, w = np.zeros((1, 1, 100, 100)), np.zeros((1, 1, 3, 3))
    geometry = dict(stride=(1, 1), padding=((1, 1), (1, 1)), dilation=(1, 1), groups=1)
    tracemalloc.start()
    try:
        with pytest.raises(JacobianTooLarge) as caught:
            conv_jacobian(x, w, None, wrt="input", **geometry)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000   # the refused Jacobian would take 800 MB
    assert str(caught.value) == ("the Jacobian df/dx would have 100,000,000 entries "
                                 "(1 x 1 x 100 x 100 x 1 x 1 x 100 x 100); the limit is 10,000,000")
    assert isinstance(caught.value, ValueError)


def test_jacobian_limit_is_inclusive():
    x, w = np.ones((1, 1, 4)), np.ones((2, 1, 2))
    geometry = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    entries = 1 * 2 * 3 * 2 * 1 * 2   # f (1, 2, 3) x W (2, 1, 2)
    assert conv_jacobian(x, w, None, wrt="weight", max_entries=entries, **geometry).size == entries
    with pytest.raises(JacobianTooLarge, match="df/dW would have 24 entries"):
        conv_jacobian(x, w, None, wrt="weight", max_entries=entries - 1, **geometry)


def test_layer_jacobian_too_large_uses_spec_names_and_layout():
    layer = parse_layer({"op": "conv2d", "input": [100, 100], "kernel": 3, "padding": 1,
                         "names": {"input": "a", "output": "z"},
                         "values": {"a": np.zeros((100, 100)).tolist(),
                                    "W": np.zeros((3, 3)).tolist()}})
    tracemalloc.start()
    try:
        with pytest.raises(JacobianTooLarge) as caught:
            layer_jacobian(layer, "input")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert str(caught.value) == ("the Jacobian dz/da would have 100,000,000 entries "
                                 "(100 x 100 x 100 x 100); the limit is 10,000,000")


def test_missing_values_name_the_tensor():
    layer = parse_layer({"op": "conv1d", "input": [2, 5], "kernel": 3, "filters": 1,
                         "values": {"x": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]],
                                    "b": [1]}})
    with pytest.raises(ValueError, match=r"values\.W is needed for the output f"):
        layer_output(layer)
    with pytest.raises(ValueError, match=r"values\.g is needed for a loss gradient"):
        layer_gradient(layer, "weight")
    with pytest.raises(ValueError, match=r"values\.W is needed for the Jacobian df/dx"):
        layer_jacobian(layer, "input")
    # Every family reads x and its weight (the same code serves networks, where both matter).
    with pytest.raises(ValueError, match=r"values\.W is needed for the Jacobian df/db"):
        layer_jacobian(layer, "bias")
    bare = parse_layer({"op": "conv1d", "input": [5], "kernel": 3})
    with pytest.raises(ValueError, match=r"values\.x is needed"):
        layer_output(bare)


def test_bias_questions_on_a_layer_without_bias():
    layer = parse_layer({"op": "conv1d", "input": [5], "kernel": 3, "bias": False,
                         "values": {"seed": 0}})
    for answer in (layer_jacobian, layer_gradient):
        with pytest.raises(ValueError, match="has no bias"):
            answer(layer, "bias")


def test_unknown_variable_and_other_families():
    layer = parse_layer({"op": "conv1d", "input": [5], "kernel": 3, "values": {"seed": 0}})
    with pytest.raises(ValueError, match="wrt must be one of input, weight, bias"):
        layer_jacobian(layer, "output")
    pool = parse_layer({"op": "maxpool2d", "input": [1, 2, 2], "kernel": 2,
                        "values": {"x": [[[1, 4], [4, 2]]]}})
    assert layer_output(pool).tolist() == [[[4.0]]]
    with pytest.raises(ValueError, match="the maxpool2d layer has no weights"):
        layer_jacobian(pool, "weight")


def test_core_rejects_inconsistent_shapes():
    geometry = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=2)
    with pytest.raises(ValueError, match="groups 2 must divide"):
        conv_forward(np.zeros((1, 3, 5)), np.zeros((2, 1, 3)), None, **geometry)
    with pytest.raises(ValueError, match="does not fit"):
        conv_forward(np.zeros((1, 2, 2)), np.zeros((2, 1, 3)), None, **geometry)
    with pytest.raises(ValueError, match="upstream gradient has shape 1 x 2 x 4"):
        conv_backward(np.zeros((1, 2, 5)), np.zeros((2, 1, 3)), np.zeros((1, 2, 4)), **geometry)
