"""Convolution (cross-correlation) layers: conv1d, conv2d, conv3d."""

from __future__ import annotations

from solver.arith import floor_div
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
    accepts_same_padding = True

    def output_size(self, layer: Layer, axis: int) -> Dim:
        return floor_div(padded_length(layer, axis) - effective_kernel(layer, axis),
                         layer.stride[axis]) + 1

    def output_channels(self, layer: Layer) -> Dim | None:
        return layer.filters

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        channels = layer.channels if layer.channels is not None else 1
        filters = layer.filters if layer.filters is not None else 1
        return (filters, floor_div(channels, layer.groups), *layer.kernel)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = channel_constraints(layer)
        for axis in range(layer.ndim):
            found.append(Constraint(
                padded_length(layer, axis), ">=", effective_kernel(layer, axis), "kernel",
                "the dilated kernel D*(K-1)+1 must fit in the padded input L+2P "
                "(PyTorch: kernel size can't be greater than actual input size)",
                failure="the dilated kernel {rhs} is longer than the padded input {lhs}"))
        return found


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
