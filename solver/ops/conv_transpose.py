"""Transposed convolution layers: conv_transpose1d/2d/3d."""

from __future__ import annotations

from solver.arith import floor_div, maximum, product
from solver.constraints import Constraint
from solver.layers import CONV_TRANSPOSE, Dim, Layer
from solver.ops.base import COMMON_FIELDS, OpFamily, non_negative
from solver.ops.conv import (bias_gradient, channel_constraints, conv_geometry,
                             grouped_weight_shape)


class TransposedConvolution(OpFamily):
    """``torch.nn.ConvTransposeNd``.

    Shape: L_out = (L - 1)*S - P_before - P_after + D*(K - 1) + output_padding + 1
    (PyTorch: (L - 1)*S - 2P + D*(K - 1) + output_padding + 1).
    Weight: (C, F/groups, *K); bias: (F,).
    """

    name = CONV_TRANSPOSE
    fields = COMMON_FIELDS | {"dilation", "filters", "groups", "bias", "output_padding"}
    has_weights = True
    needs_filters = True
    element_module = "solver.elementwise.conv_transpose"
    symbolic_elements = True

    def output_size(self, layer: Layer, axis: int) -> Dim:
        before, after = layer.padding[axis]
        return ((layer.spatial[axis] - 1) * layer.stride[axis] - before - after
                + layer.dilation[axis] * (layer.kernel[axis] - 1)
                + layer.output_padding[axis] + 1)

    def output_channels(self, layer: Layer) -> Dim | None:
        return layer.filters

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        channels = layer.channels if layer.channels is not None else 1
        filters = layer.filters if layer.filters is not None else 1
        return (channels, floor_div(filters, layer.groups), *layer.kernel)

    def spec_weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        return grouped_weight_shape(layer, layer.channels, layer.filters)

    def macs(self, layer: Layer) -> Dim:
        """prod(input shape) * F/groups * prod(K): each input entry meets F/groups * prod(K) weights."""
        from solver.shapes import input_shape
        filters = layer.filters if layer.filters is not None else 1
        return product(input_shape(layer)) * floor_div(filters, layer.groups) * product(layer.kernel)

    def forward(self, layer: Layer, x, params):
        from solver.numeric.conv_transpose import conv_transpose_forward
        out_spatial = tuple(int(self.output_size(layer, a)) for a in range(layer.ndim))
        return conv_transpose_forward(x, params["weight"], params.get("bias"),
                                      out_spatial=out_spatial, **conv_geometry(layer))

    def backward(self, layer: Layer, x, params, g, wrt: str):
        from solver.numeric import conv_transpose as numeric
        if wrt == "bias":
            return bias_gradient(g)
        gradient = (numeric.conv_transpose_input_gradient if wrt == "input"
                    else numeric.conv_transpose_weight_gradient)
        return gradient(x, params["weight"], g, **conv_geometry(layer))

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = channel_constraints(layer)
        for axis in range(layer.ndim):
            extra = layer.output_padding[axis]
            found.append(non_negative(extra, "output_padding", "output_padding"))
            # PyTorch: "output padding must be smaller than either stride or dilation"
            found.append(Constraint(
                extra, "<", maximum(layer.stride[axis], layer.dilation[axis]), "output_padding",
                "output_padding must be smaller than either the stride or the dilation",
                failure="output_padding {lhs} is not smaller than the stride {stride} or the "
                        "dilation {dilation}",
                details=(("stride", layer.stride[axis]), ("dilation", layer.dilation[axis]))))
            found.append(Constraint(self.output_size(layer, axis), ">=", 1, "padding",
                                    "the output would be empty: the padding is too large"))
        return found
