"""Convolution (cross-correlation) layers: conv1d, conv2d, conv3d."""

from __future__ import annotations

from solver.arith import floor_div, normalize, product
from solver.constraints import Constraint
from solver.layers import CONV, Dim, Layer
from solver.ops.base import (COMMON_FIELDS, OpFamily, effective_kernel,
                             padded_length, positive)


class Convolution(OpFamily):
    """``torch.nn.ConvNd``.

    Shape: L_out = floor((L + P_before + P_after - D*(K - 1) - 1) / S) + 1
    (PyTorch's formula with P_before = P_after = P; ``same`` padding splits
    D*(K - 1) as floor(total/2) before and the rest after).
    Weight: (F, C/groups, *K); bias: (F,).
    """

    name = CONV
    fields = COMMON_FIELDS | {"dilation", "filters", "groups", "bias"}
    has_weights = True
    receptive = "window"
    accepts_same_padding = True
    needs_filters = True
    element_module = "solver.elementwise.conv"
    symbolic_elements = True

    def output_size(self, layer: Layer, axis: int) -> Dim:
        return floor_div(padded_length(layer, axis) - effective_kernel(layer, axis),
                         layer.stride[axis]) + 1

    def output_channels(self, layer: Layer) -> Dim | None:
        return layer.filters

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        channels = layer.channels if layer.channels is not None else 1
        filters = layer.filters if layer.filters is not None else 1
        return (filters, floor_div(channels, layer.groups), *layer.kernel)

    def spec_weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        return grouped_weight_shape(layer, layer.filters, layer.channels)

    def macs(self, layer: Layer) -> Dim:
        """prod(output shape) * C/groups * prod(K): one product per weight tap and output entry."""
        from solver.shapes import output_shape
        channels = layer.channels if layer.channels is not None else 1
        return product(output_shape(layer)) * floor_div(channels, layer.groups) * product(layer.kernel)

    def forward(self, layer: Layer, x, params):
        from solver.numeric.conv import conv_forward
        return conv_forward(x, params["weight"], params.get("bias"), **conv_geometry(layer))

    def backward(self, layer: Layer, x, params, g, wrt: str):
        from solver.numeric.conv import conv_input_gradient, conv_weight_gradient
        if wrt == "bias":
            return bias_gradient(g)
        gradient = conv_input_gradient if wrt == "input" else conv_weight_gradient
        return gradient(x, params["weight"], g, **conv_geometry(layer))

    def jacobian(self, layer: Layer, x, params, wrt: str, max_entries: int):
        from solver.numeric.conv import conv_jacobian
        return conv_jacobian(x, params["weight"], params.get("bias"), wrt=wrt,
                             max_entries=max_entries, **conv_geometry(layer))

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = channel_constraints(layer)
        for axis in range(layer.ndim):
            found.append(Constraint(
                padded_length(layer, axis), ">=", effective_kernel(layer, axis), "kernel",
                "the dilated kernel D*(K-1)+1 must fit in the padded input L+2P "
                "(PyTorch: kernel size can't be greater than actual input size)",
                failure="the dilated kernel {rhs} is longer than the padded input {lhs}"))
        return found


def grouped_weight_shape(layer: Layer, outer: Dim | None, inner_total: Dim | None) -> tuple:
    """([outer], [inner_total/groups], *K): a weight in the spec layout, absent axes dropped."""
    inner = None if inner_total is None else normalize(floor_div(inner_total, layer.groups))
    return tuple(d for d in (outer, inner) if d is not None) + tuple(layer.kernel)


def conv_geometry(layer: Layer) -> dict:
    """stride, padding pairs, dilation and groups of a numeric layer, as solver.numeric takes them."""
    return dict(stride=layer.stride, padding=layer.padding, dilation=layer.dilation,
                groups=layer.groups)


def bias_gradient(g):
    """dl/db[o] = sum_{n, p} g[n, o, p] for g (N, F, *L_out)."""
    return g.sum(axis=(0, *range(2, g.ndim)))


def channel_constraints(layer: Layer) -> list[Constraint]:
    """Filters >= 1 and groups dividing both channel counts (shared by conv and conv_transpose)."""
    found = []
    if layer.filters is not None:
        found.append(positive(layer.filters, "filters", "filters"))
    found.append(positive(layer.groups, "groups", "groups"))
    channels = layer.channels if layer.channels is not None else 1
    filters = layer.filters if layer.filters is not None else 1
    found.append(Constraint(layer.groups, "divides", channels, "groups",
                            "groups must divide the number of input channels",
                            failure="groups {lhs} does not divide the {rhs} input channels"))
    found.append(Constraint(layer.groups, "divides", filters, "groups",
                            "groups must divide the number of filters",
                            failure="groups {lhs} does not divide the {rhs} filters"))
    return found
