"""Convolution index expressions against PyTorch: outputs, Jacobians and loss gradients.

Every expression is evaluated exactly at every index of its left-hand side
with random integer tensors and compared with ``torch.nn.functional.convNd``,
``torch.autograd.functional.jacobian`` and ``torch.autograd.grad`` (float64;
integer data makes both sides exact).
"""

import itertools
from dataclasses import replace

import numpy as np
import pytest
import sympy
import torch
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from solver.ops import family_of
from solver.elementwise import conv
from solver.elementwise.evaluate import compile_expression
from solver.elementwise.indices import free_index_ranges
from solver.shapes import tensor_shapes
from solver.spec.layer_fields import parse_layer

torch.set_num_threads(1)

TORCH_CONV = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d,
              3: torch.nn.functional.conv3d}
#: Largest number of Jacobian entries (|f| * |x|) a configuration may have, to keep the file fast.
MAX_JACOBIAN_ENTRIES = 3000


# --- configurations -------------------------------------------------------------------------

@st.composite
def conv_specs(draw, ndim=None):
    """A small valid conv spec with optional batch/channels/filters, groups, padding, dilation."""
    ndim = ndim or draw(st.sampled_from([1, 2]))
    small = ndim >= 2
    batch = channels = filters = None   # a spec input gives a batch only with channels
    groups = 1
    if draw(st.booleans()):
        groups = draw(st.sampled_from([1, 2, 3]))
        channels = groups * draw(st.integers(1, 2))
        filters = groups * draw(st.integers(1, 2))
        batch = draw(st.sampled_from([None, 1, 2]))
    elif draw(st.booleans()):
        filters = draw(st.integers(1, 3))
    kernel = [draw(st.integers(1, 2 if small else 3)) for _ in range(ndim)]
    dilation = [draw(st.integers(1, 2)) for _ in range(ndim)]
    same = draw(st.booleans()) and draw(st.booleans())
    if same:
        stride, padding, pads = [1] * ndim, "same", [0] * ndim
    else:
        stride = [draw(st.integers(1, 2 if small else 3)) for _ in range(ndim)]
        pads = [draw(st.integers(0, 1 if small else 2)) for _ in range(ndim)]
        padding = pads
    spatial = []
    for axis in range(ndim):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        shortest = 1 if same else max(1, span - 2 * pads[axis])
        spatial.append(shortest + draw(st.integers(0, 1 if small else 3)))
    dims = ([batch] if batch is not None else []) + \
        ([channels] if channels is not None else []) + spatial
    spec = {"op": f"conv{ndim}d", "input": dims, "kernel": kernel, "stride": stride,
            "padding": padding, "dilation": dilation, "groups": groups,
            "bias": draw(st.booleans())}
    if filters is not None:
        spec["filters"] = filters
    return spec, draw(st.sampled_from([0, 1])), draw(st.integers(0, 2**32 - 1))


def small_enough(layer):
    shapes = tensor_shapes(layer)
    return np.prod(shapes.output) * np.prod(shapes.input) <= MAX_JACOBIAN_ENTRIES


# --- PyTorch oracle -------------------------------------------------------------------------

def random_tensors(layer, seed):
    """Random integer arrays for x, W, b and g in the spec layout (name -> int64 array)."""
    rng = np.random.default_rng(seed)
    shapes, names = tensor_shapes(layer), layer.names
    tensors = {names.input: shapes.input, names.weight: shapes.weight,
               names.upstream: shapes.output}
    if shapes.bias is not None:
        tensors[names.bias] = shapes.bias
    return {name: rng.integers(-3, 4, size=shape) for name, shape in tensors.items()}


def torch_forward(layer, spec, x, w, b=None):
    """The layer applied by torch, with tensors and result in the spec layout."""
    shapes = tensor_shapes(layer)
    batch = layer.batch or 1
    channels = layer.channels or 1
    filters = layer.filters or 1
    x4 = x.reshape(batch, channels, *layer.spatial)
    w4 = w.reshape(filters, channels // layer.groups, *layer.kernel)
    bias = None if b is None else b.reshape(filters)
    padding = spec.get("padding", 0)
    padding = padding if isinstance(padding, (str, int)) else tuple(padding)
    out = TORCH_CONV[layer.ndim](x4, w4, bias, stride=tuple(layer.stride), padding=padding,
                                 dilation=tuple(layer.dilation), groups=layer.groups)
    return out.reshape(shapes.output)


def as_torch(tensors, layer):
    names = layer.names
    order = [names.input, names.weight] + ([names.bias] if layer.bias else [])
    return [torch.tensor(tensors[name], dtype=torch.float64) for name in order]


# --- evaluating an equation everywhere ------------------------------------------------------

def evaluate_everywhere(eq, layer, base, tensors):
    """The array of eq's right-hand side at every left-hand index (shape: of + wrt shapes).

    A constant index must sit on an axis of one value and equal the base.
    """
    shapes = tensor_shapes(layer)
    by_name = {layer.names.output: shapes.output, layer.names.input: shapes.input,
               layer.names.weight: shapes.weight, layer.names.bias: shapes.bias,
               layer.names.loss: ()}
    refs = [ref for ref in (eq.of, eq.wrt) if ref is not None]
    shape = tuple(itertools.chain.from_iterable(by_name[ref.name] for ref in refs))
    indices = tuple(itertools.chain.from_iterable(ref.indices for ref in refs))
    assert len(indices) == len(shape), (indices, shape)
    ranges = free_index_ranges(eq, layer, base)
    compiled = compile_expression(eq.rhs, base=base)
    result = np.zeros(shape, dtype=np.int64)
    for position in np.ndindex(*shape):
        env = {}
        for index, value in zip(indices, (p + base for p in position)):
            if isinstance(index, sympy.Symbol):
                assert env.setdefault(index, value) == value
                assert value in ranges[index]
            else:
                assert index == value
        result[position] = compiled(tensors, env)
    return result


def assert_matches(actual, expected, what):
    np.testing.assert_allclose(actual, expected.detach().numpy(), rtol=1e-10, atol=0,
                               err_msg=what)


def check_layer(spec, base, seed):
    layer = parse_layer(spec)
    tensors = random_tensors(layer, seed)
    inputs = as_torch(tensors, layer)
    wrts = ["input", "weight"] + (["bias"] if layer.bias else [])

    forward = torch_forward(layer, spec, *inputs)
    output = evaluate_everywhere(conv.output_element(layer, base), layer, base, tensors)
    assert_matches(output, forward, f"output of {spec}, base {base}")

    jacobians = torch.autograd.functional.jacobian(
        lambda *args: torch_forward(layer, spec, *args), tuple(inputs))
    for wrt, expected in zip(wrts, jacobians):
        eq = conv.jacobian_element(layer, base, wrt)
        assert_matches(evaluate_everywhere(eq, layer, base, tensors), expected,
                       f"df/d{wrt} of {spec}, base {base}")

    leaves = [t.clone().requires_grad_(True) for t in inputs]
    upstream = torch.tensor(tensors[layer.names.upstream], dtype=torch.float64)
    loss = (torch_forward(layer, spec, *leaves) * upstream).sum()
    gradients = torch.autograd.grad(loss, leaves)
    for wrt, expected in zip(wrts, gradients):
        eq = conv.loss_gradient_element(layer, base, wrt)
        assert_matches(evaluate_everywhere(eq, layer, base, tensors), expected,
                       f"dl/d{wrt} of {spec}, base {base}")


# --- tests ----------------------------------------------------------------------------------

@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(conv_specs())
def test_conv1d_conv2d_match_pytorch(config):
    spec, base, seed = config
    assume(small_enough(parse_layer(spec)))
    check_layer(spec, base, seed)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(conv_specs(ndim=3))
def test_conv3d_matches_pytorch(config):
    spec, base, seed = config
    assume(small_enough(parse_layer(spec)))
    check_layer(spec, base, seed)


@pytest.mark.parametrize("spec", [
    # groups 2 with 2 filters per group, dilation, padding, batch, bias: every feature at once
    {"op": "conv2d", "input": [2, 4, 4, 3], "kernel": [2, 1], "stride": [1, 2],
     "padding": [1, 0], "dilation": [2, 1], "groups": 2, "filters": 4, "bias": True},
    # 'same' with an even kernel pads 0 before and 1 after
    {"op": "conv1d", "input": [1, 4], "kernel": 2, "padding": "same", "filters": 2},
    # no channel and no filter axes: W is just the kernel, b a scalar
    {"op": "conv1d", "input": [5], "kernel": 2, "stride": 2, "bias": True},
])
@pytest.mark.parametrize("base", [0, 1])
def test_fixed_configurations_match_pytorch(spec, base):
    check_layer(spec, base, seed=7)


def test_single_value_axes_become_constants_and_sums_are_dropped():
    layer = parse_layer({"op": "conv1d", "input": [1, 1, 3], "kernel": 1, "filters": 1,
                         "bias": False})
    eq = conv.output_element(layer, 1)
    j = sympy.Symbol("j", integer=True)
    # f[1, 1, j] = W[1, 1, 1] * x[1, 1, j]: batch, filter, channel and kernel each have one value
    assert eq.of.indices == (1, 1, j)
    assert eq.rhs == sympy.IndexedBase("W")[1, 1, 1] * sympy.IndexedBase("x")[1, 1, j]


def test_summation_indices_differ_from_free_indices():
    layer = parse_layer({"op": "conv2d", "input": [2, 2, 4, 4], "kernel": 2, "filters": 2,
                         "dilation": 2, "padding": 1})
    equations = [conv.output_element(layer, 1)] + [
        build(layer, 1, wrt) for build in (conv.jacobian_element, conv.loss_gradient_element)
        for wrt in conv.WRT_CHOICES]
    for eq in equations:
        free = set(free_index_ranges(eq, layer, 1))
        for sum_node in eq.rhs.atoms(sympy.Sum):
            assert not free & set(sum_node.variables), eq


def test_index_names_avoid_tensor_names():
    layer = parse_layer({"op": "conv1d", "input": [2, 5], "kernel": 3, "filters": 1,
                         "names": {"input": "k", "weight": "c"}})
    eq = conv.output_element(layer, 1)
    variables = {str(v) for s in eq.rhs.atoms(sympy.Sum) for v in s.variables}
    assert variables == {"c2", "k2"}


def test_tensor_names_come_from_the_layer():
    layer = parse_layer({"op": "conv1d", "input": [3], "kernel": 2, "bias": True,
                         "names": {"input": "a", "weight": "w", "bias": "beta", "output": "y",
                                   "upstream": "delta", "loss": "L"}})
    eq = conv.loss_gradient_element(layer, 0, "weight")
    assert eq.of.name == "L" and eq.wrt.name == "w"
    assert {a.base.name for a in eq.rhs.atoms(sympy.Indexed)} == {"delta", "a"}
    assert conv.output_element(layer, 0).rhs.has(sympy.Symbol("beta"))


def test_other_families_are_not_implemented_here_and_symbolic_pooling_is_refused():
    pool = parse_layer({"op": "maxpool1d", "input": [5], "kernel": 2})
    with pytest.raises(NotImplementedError, match="maxpool1d"):
        conv.output_element(pool, 1)
    symbolic_pool = replace(pool, spatial=(sympy.Symbol("L", integer=True, positive=True),))
    reason = family_of("maxpool").element_support(symbolic_pool, "output", None)
    assert reason is not None and "numeric sizes" in reason and "maxpool1d" in reason


def test_bad_wrt_is_an_error():
    layer = parse_layer({"op": "conv1d", "input": [5], "kernel": 2, "bias": False})
    with pytest.raises(ValueError, match="no bias"):
        conv.loss_gradient_element(layer, 1, "bias")
    with pytest.raises(ValueError, match="weight, input, bias"):
        conv.jacobian_element(layer, 1, "kernel")
