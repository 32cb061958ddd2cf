"""Numeric output shapes, validity and parameter counts of the shape solver against PyTorch.

Every configuration is run through the real torch module (see
``tests/torch_oracle.py``); the solver must give the same output shape, refuse
exactly the layers torch refuses, and count the same parameters.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.errors import SpecError
from solver.shapes import output_shape, param_count, tensor_shapes
from solver.spec.layer_fields import parse_layer
from torch_oracle import (split_op, torch_outcome, torch_param_count, torch_weight_shapes)

torch.set_num_threads(1)

OPS = [f"{family}{ndim}d" for family in ("conv", "conv_transpose", "maxpool", "avgpool")
       for ndim in (1, 2, 3)]
WEIGHTED_OPS = [op for op in OPS if op.startswith("conv")]

# 12 ops x 180 = 2160 valid configurations and 12 x 150 = 1800 mixed ones per run.
VALID_EXAMPLES, WIDE_EXAMPLES, PARAM_EXAMPLES = 180, 150, 60


def _settings(examples: int):
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# ---------------------------------------------------------------- strategies

def _axes(draw, ndim: int, values: st.SearchStrategy) -> tuple:
    """One value per axis: the same value on all axes, or independent ones."""
    if draw(st.booleans()):
        return (draw(values),) * ndim
    return tuple(draw(values) for _ in range(ndim))


def _field(draw, values: tuple):
    """A per-axis tuple written as the spec would: one int when all agree (sometimes), else a list."""
    if len(set(values)) == 1 and draw(st.booleans()):
        return values[0]
    return list(values)


def _input_list(draw, batch_channels: tuple[int | None, int | None], spatial: tuple) -> list:
    batch, channels = batch_channels
    return [d for d in (batch, channels) if d is not None] + list(spatial)


def _channel_form(draw, groups: int) -> tuple[int | None, int | None, int | None]:
    """(batch, channels, filters) for a weighted layer, channels and filters multiples of groups."""
    form = draw(st.sampled_from(["spatial", "channels", "batch"])) if groups == 1 \
        else draw(st.sampled_from(["channels", "batch"]))
    if form == "spatial":
        return None, None, draw(st.one_of(st.none(), st.integers(1, 3)))
    batch = draw(st.integers(1, 2)) if form == "batch" else None
    return batch, groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))


def _pool_form(draw) -> tuple[int | None, int | None]:
    form = draw(st.sampled_from(["spatial", "channels", "batch"]))
    batch = draw(st.integers(1, 2)) if form == "batch" else None
    channels = draw(st.integers(1, 3)) if form != "spatial" else None
    return batch, channels


@st.composite
def valid_conv(draw, ndim: int) -> dict:
    """A convolution PyTorch accepts: the dilated kernel D*(K-1)+1 fits in L + 2P."""
    groups = draw(st.integers(1, 3))
    batch, channels, filters = _channel_form(draw, groups)
    kernel = _axes(draw, ndim, st.integers(1, 4))
    dilation = _axes(draw, ndim, st.integers(1, 3))
    stride = _axes(draw, ndim, st.integers(1, 3))
    mode = draw(st.sampled_from(["int", "int", "same", "valid"]))
    if mode == "same":
        stride = (1,) * ndim
    padding = _axes(draw, ndim, st.integers(0, 3)) if mode == "int" else (0,) * ndim
    if mode == "same":
        # 'same' pads D*(K-1) in total, so any L >= 1 fits.
        spatial = tuple(draw(st.integers(1, 6)) for _ in range(ndim))
    else:
        spatial = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), d * (k - 1) + 7))
                        for k, d, p in zip(kernel, dilation, padding))
    mapping = {"op": f"conv{ndim}d", "input": _input_list(draw, (batch, channels), spatial),
               "kernel": _field(draw, kernel), "filters": filters,
               "padding": mode if mode != "int" else _field(draw, padding)}
    if stride != (1,) * ndim or draw(st.booleans()):
        mapping["stride"] = _field(draw, stride)
    if dilation != (1,) * ndim or draw(st.booleans()):
        mapping["dilation"] = _field(draw, dilation)
    if groups != 1 or draw(st.booleans()):
        mapping["groups"] = groups
    if draw(st.booleans()):
        mapping["bias"] = draw(st.booleans())
    return mapping


@st.composite
def valid_conv_transpose(draw, ndim: int) -> dict:
    """A transposed convolution PyTorch accepts: output_padding < max(S, D) and
    (L-1)*S - 2P + D*(K-1) + output_padding + 1 >= 1."""
    groups = draw(st.integers(1, 3))
    batch, channels, filters = _channel_form(draw, groups)
    spatial = tuple(draw(st.integers(1, 5)) for _ in range(ndim))
    kernel = _axes(draw, ndim, st.integers(1, 4))
    dilation = _axes(draw, ndim, st.integers(1, 3))
    stride = _axes(draw, ndim, st.integers(1, 3))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    padding = tuple(draw(st.integers(0, min(3, ((n - 1) * s + d * (k - 1) + o) // 2)))
                    for n, s, d, k, o in zip(spatial, stride, dilation, kernel, output_padding))
    mapping = {"op": f"conv_transpose{ndim}d",
               "input": _input_list(draw, (batch, channels), spatial),
               "kernel": _field(draw, kernel), "filters": filters,
               "stride": _field(draw, stride), "padding": _field(draw, padding),
               "dilation": _field(draw, dilation)}
    if any(output_padding) or draw(st.booleans()):
        mapping["output_padding"] = _field(draw, output_padding)
    if groups != 1 or draw(st.booleans()):
        mapping["groups"] = groups
    if draw(st.booleans()):
        mapping["bias"] = draw(st.booleans())
    return mapping


@st.composite
def valid_pool(draw, family: str, ndim: int) -> dict:
    """A pooling layer PyTorch accepts: P <= K/2 and at least one output position.

    floor mode needs L + 2P >= D*(K-1)+1; ceil mode rounds the window count up,
    so L + 2P >= D*(K-1)+1 - (S-1) is enough (the one window starts at 0,
    inside the input). avg_pool3d also needs the unpadded input >= K per axis.
    """
    batch, channels = _pool_form(draw)
    kernel = _axes(draw, ndim, st.integers(1, 4))
    dilation = _axes(draw, ndim, st.integers(1, 3)) if family == "maxpool" else (1,) * ndim
    explicit_stride = draw(st.booleans())
    stride = _axes(draw, ndim, st.integers(1, 3)) if explicit_stride else kernel
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil_mode = draw(st.booleans())
    spatial = []
    for k, d, s, p in zip(kernel, dilation, stride, padding):
        least = d * (k - 1) + 1 - 2 * p - (s - 1 if ceil_mode else 0)
        if family == "avgpool" and ndim == 3:
            least = max(least, k)
        spatial.append(draw(st.integers(max(1, least), max(1, least) + 6)))
    mapping = {"op": f"{family}{ndim}d", "input": _input_list(draw, (batch, channels), spatial),
               "kernel": _field(draw, kernel)}
    if explicit_stride:
        mapping["stride"] = _field(draw, stride)
    if any(padding) or draw(st.booleans()):
        mapping["padding"] = _field(draw, tuple(padding))
    if family == "maxpool" and (dilation != (1,) * ndim or draw(st.booleans())):
        mapping["dilation"] = _field(draw, dilation)
    if ceil_mode or draw(st.booleans()):
        mapping["ceil_mode"] = ceil_mode
    return mapping


def valid_layer(op: str) -> st.SearchStrategy:
    """Configurations of ``op`` that PyTorch accepts, built from hand-derived conditions."""
    family, ndim = split_op(op)
    if family == "conv":
        return valid_conv(ndim)
    if family == "conv_transpose":
        return valid_conv_transpose(ndim)
    return valid_pool(family, ndim)


def _mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` three times in four, else ``unusual`` (so that both verdicts are common)."""
    return st.integers(0, 3).flatmap(lambda pick: unusual if pick == 0 else usual)


@st.composite
def wide_layer(draw, op: str) -> dict:
    """Configurations of ``op`` from a space with many invalid ones: stride/kernel/dilation 0 or
    negative, negative padding, kernels larger than the input, groups not dividing the channel
    counts, 'same' with stride > 1, pooling padding > K/2, large output_padding, ceil_mode."""
    family, ndim = split_op(op)
    batch = draw(st.one_of(st.none(), st.integers(1, 2)))
    channels = draw(st.integers(1, 4)) if batch is not None or draw(st.booleans()) else None
    spatial = [draw(st.integers(1, 6)) for _ in range(ndim)]
    mapping = {"op": op, "input": _input_list(draw, (batch, channels), spatial),
               "kernel": _field(draw, _axes(draw, ndim, _mostly(st.integers(1, 4),
                                                                st.integers(0, 6))))}
    if draw(st.integers(0, 3)):
        mapping["stride"] = _field(draw, _axes(draw, ndim, _mostly(st.integers(1, 3),
                                                                   st.integers(-1, 0))))
    if draw(st.integers(0, 4)):
        mapping["padding"] = _field(draw, _axes(draw, ndim, _mostly(st.integers(0, 2),
                                                                    st.integers(-1, 4))))
    else:
        mapping["padding"] = draw(st.sampled_from(["same", "valid"]))
    if family != "avgpool" and draw(st.booleans()):
        mapping["dilation"] = _field(draw, _axes(draw, ndim, _mostly(st.integers(1, 2),
                                                                     st.integers(-1, 3))))
    if family in ("conv", "conv_transpose"):
        with_filters = channels is not None or draw(st.booleans())
        mapping["filters"] = draw(st.integers(1, 4)) if with_filters else None
        mapping["groups"] = draw(_mostly(st.just(1), st.integers(1, 3)))
    if family == "conv_transpose" and draw(st.booleans()):
        mapping["output_padding"] = _field(draw, _axes(draw, ndim, _mostly(st.integers(0, 1),
                                                                           st.integers(-1, 3))))
    if family in ("maxpool", "avgpool"):
        mapping["ceil_mode"] = draw(st.booleans())
    return mapping


# ---------------------------------------------------------------- comparisons

def solver_or_error(mapping: dict):
    """(layer, None) when parse_layer accepts the mapping, (None, SpecError) otherwise."""
    try:
        return parse_layer(mapping), None
    except SpecError as error:
        return None, error


def assert_agrees_with_torch(mapping: dict) -> bool:
    """The solver refuses iff torch refuses; when both accept, the output shapes are equal.

    Returns whether torch accepted the layer.
    """
    outcome = torch_outcome(mapping)
    layer, error = solver_or_error(mapping)
    if error is not None:
        assert not outcome.accepted, \
            f"{mapping}: solver refuses ({error}) but torch gives {outcome.shape}"
        return False
    assert outcome.accepted, f"{mapping}: solver accepts but torch refuses: {outcome.error}"
    assert output_shape(layer) == outcome.shape, mapping
    return True


@pytest.mark.parametrize("op", OPS)
def test_output_shape_matches_torch_on_valid_layers(op):
    @_settings(VALID_EXAMPLES)
    @given(valid_layer(op))
    def check(mapping):
        outcome = torch_outcome(mapping)
        assert outcome.accepted, f"strategy bug or torch quirk: {mapping}: {outcome.error}"
        layer, error = solver_or_error(mapping)
        assert error is None, f"{mapping}: solver refuses ({error}); torch gives {outcome.shape}"
        assert output_shape(layer) == outcome.shape, mapping

    check()


@pytest.mark.parametrize("op", OPS)
def test_solver_refuses_exactly_what_torch_refuses(op):
    @_settings(WIDE_EXAMPLES)
    @given(wide_layer(op))
    def check(mapping):
        assert_agrees_with_torch(mapping)

    check()


# Hand-worked cases, expected value first (None: torch refuses), so that the
# torch oracle itself is checked too.
HAND_CASES = [
    # conv 3x3 stride 2 on 10 x 11: floor((10-3)/2)+1 = 4, floor((11-3)/2)+1 = 5
    ((4, 5), {"op": "conv2d", "input": [10, 11], "kernel": 3, "stride": 2}),
    # dilated kernel 2*(3-1)+1 = 5 does not fit in 4 + 0
    (None, {"op": "conv1d", "input": [4], "kernel": 3, "dilation": 2}),
    # 4 + 2*1 - 5 = 1: floor(1/1)+1 = 2
    ((2,), {"op": "conv1d", "input": [4], "kernel": 3, "dilation": 2, "padding": 1}),
    # 'same' with an even kernel pads 1 before, 2 after (total 3); stride 2 is refused
    ((2, 7, 5), {"op": "conv2d", "input": [3, 7, 5], "kernel": 4, "filters": 2,
                 "padding": "same"}),
    (None, {"op": "conv2d", "input": [3, 7, 5], "kernel": 4, "filters": 2, "padding": "same",
            "stride": 2}),
    (None, {"op": "conv1d", "input": [5], "kernel": 1, "padding": -1}),
    (None, {"op": "conv1d", "input": [5], "kernel": 1, "stride": 0}),
    (None, {"op": "conv2d", "input": [4, 5, 5], "kernel": 1, "filters": 3, "groups": 2}),
    (None, {"op": "conv2d", "input": [3, 5, 5], "kernel": 1, "filters": 4, "groups": 2}),
    ((1, 6, 5, 5), {"op": "conv2d", "input": [1, 4, 5, 5], "kernel": 1, "filters": 6,
                    "groups": 2}),
    # transposed: (3-1)*2 - 2 + 1*(3-1) + 1 + 1 = 6
    ((6,), {"op": "conv_transpose1d", "input": [3], "kernel": 3, "stride": 2, "padding": 1,
            "output_padding": 1}),
    # output_padding 2 is not below max(stride 2, dilation 1)
    (None, {"op": "conv_transpose1d", "input": [3], "kernel": 3, "stride": 2,
            "output_padding": 2}),
    # ... but is below max(stride 1, dilation 3): (3-1)*1 + 3*2 + 2 + 1 = 11
    ((11,), {"op": "conv_transpose1d", "input": [3], "kernel": 3, "dilation": 3,
             "output_padding": 2}),
    # (2-1)*1 - 2 + 0 + 1 = 0: empty output
    (None, {"op": "conv_transpose1d", "input": [2], "kernel": 1, "padding": 1}),
    ((1,), {"op": "conv_transpose1d", "input": [3], "kernel": 1, "padding": 1}),
    # (5-1)*1 - 6 + 1*(2-1) + 1 = 0 with groups 2: oneDNN returns a size-0 tensor, which the
    # oracle counts as a refusal
    (None, {"op": "conv_transpose1d", "input": [2, 5], "kernel": 2, "padding": 3,
            "filters": 2, "groups": 2}),
    # pooling: stride defaults to the kernel; floor((7-2)/2)+1 = 3
    ((3,), {"op": "maxpool1d", "input": [7], "kernel": 2}),
    ((4,), {"op": "maxpool1d", "input": [7], "kernel": 2, "ceil_mode": True}),
    # stride 0, given or defaulted from kernel 0, is refused
    (None, {"op": "maxpool1d", "input": [5], "kernel": 2, "stride": 0}),
    (None, {"op": "avgpool2d", "input": [5, 5], "kernel": 2, "stride": [1, 0]}),
    (None, {"op": "maxpool3d", "input": [5, 5, 5], "kernel": [2, 0, 2]}),
    # padding above K/2 is refused: 2 > 3/2
    (None, {"op": "maxpool1d", "input": [7], "kernel": 3, "padding": 2}),
    (None, {"op": "avgpool2d", "input": [7, 7], "kernel": 3, "padding": [1, 2]}),
    # ceil: floor((5+2-2+1)/2)+1 = 4, but the 4th window would start at 6 >= 5 + 1 (in the
    # right padding), so 3
    ((3,), {"op": "maxpool1d", "input": [5], "kernel": 2, "stride": 2, "padding": 1,
            "ceil_mode": True}),
    ((3,), {"op": "avgpool1d", "input": [5], "kernel": 2, "stride": 2, "padding": 1,
            "ceil_mode": True}),
    # ceil lets a kernel 3 > input 2 give one window (stride 3): floor((2-3+2)/3)+1 = 1
    ((1,), {"op": "maxpool1d", "input": [2], "kernel": 3, "ceil_mode": True}),
    (None, {"op": "maxpool1d", "input": [2], "kernel": 3}),
    ((1, 1), {"op": "avgpool2d", "input": [2, 2], "kernel": 3, "ceil_mode": True}),
    # max pool with dilation 2: effective kernel 3, floor((6-3)/1)+1 = 4
    ((2, 4), {"op": "maxpool1d", "input": [2, 6], "kernel": 2, "stride": 1, "dilation": 2}),
    # avg_pool3d (only it) refuses an unpadded input smaller than the kernel, even when the
    # padded one fits: T=2 < kT=3 with padding 1
    (None, {"op": "avgpool3d", "input": [2, 5, 5], "kernel": 3, "stride": 1, "padding": 1}),
    ((2, 5, 5), {"op": "maxpool3d", "input": [2, 5, 5], "kernel": 3, "stride": 1,
                 "padding": 1}),
    ((2, 5), {"op": "avgpool2d", "input": [2, 5], "kernel": 3, "stride": 1, "padding": 1}),
]


@pytest.mark.parametrize("expected, mapping", HAND_CASES,
                         ids=[f"{m['op']}-{i}" for i, (_, m) in enumerate(HAND_CASES)])
def test_hand_worked_cases(expected, mapping):
    outcome = torch_outcome(mapping)
    assert outcome.shape == expected, f"torch oracle: {outcome}"
    layer, error = solver_or_error(mapping)
    assert (None if error else output_shape(layer)) == expected, f"solver: {error}"


@pytest.mark.parametrize("op", WEIGHTED_OPS)
def test_param_count_matches_torch(op):
    @_settings(PARAM_EXAMPLES)
    @given(valid_layer(op))
    def check(mapping):
        layer = parse_layer(mapping)
        assert param_count(layer) == torch_param_count(mapping)
        assert param_count(layer, with_bias=True) == torch_param_count({**mapping, "bias": True})
        assert param_count(layer, with_bias=False) == \
            torch_param_count({**mapping, "bias": False})

    check()


@pytest.mark.parametrize("op", [op for op in OPS if op not in WEIGHTED_OPS])
def test_pooling_has_no_parameters(op):
    @_settings(20)
    @given(valid_layer(op))
    def check(mapping):
        assert param_count(parse_layer(mapping)) == torch_param_count(mapping) == 0

    check()


def _drop_absent(shape: tuple, present: tuple[bool, bool]) -> tuple:
    """Drop the two leading axes of a torch weight shape that the spec layout omits."""
    return tuple(d for d, keep in zip(shape[:2], present) if keep) + tuple(shape[2:])


@pytest.mark.parametrize("op", WEIGHTED_OPS)
def test_weight_and_bias_shapes_match_torch(op):
    @_settings(PARAM_EXAMPLES)
    @given(valid_layer(op))
    def check(mapping):
        shapes = tensor_shapes(parse_layer(mapping))
        weight, bias = torch_weight_shapes(mapping)
        has_channels = len(mapping["input"]) > split_op(op)[1]
        has_filters = mapping.get("filters") is not None
        # torch stores conv weights as (F, C/g, *K) and transposed ones as (C, F/g, *K)
        present = (has_filters, has_channels) if op.startswith("conv") and \
            not op.startswith("conv_transpose") else (has_channels, has_filters)
        assert shapes.weight == _drop_absent(weight, present)
        assert shapes.bias == (None if bias is None else bias[:1] if has_filters else ())
        assert shapes.input == tuple(mapping["input"])

    check()
