"""Pooling layers: maxpool1d/2d/3d and avgpool1d/2d/3d."""

from __future__ import annotations

import sympy

from solver.arith import floor_div, is_number
from solver.constraints import Constraint
from solver.layers import AVGPOOL, MAXPOOL, Dim, Layer
from solver.ops.base import (COMMON_FIELDS, OpFamily, effective_kernel,
                             padded_length, positive)


class Pooling(OpFamily):
    """``torch.nn.MaxPoolNd`` / ``torch.nn.AvgPoolNd`` (no parameters; channels pass through).

    Shape, as ATen's ``pooling_output_shape``:
      floor mode: L_out = floor((L + P_before + P_after - D*(K - 1) - 1) / S) + 1
      ceil mode:  L_out = floor((L + P_before + P_after - D*(K - 1) - 1 + S - 1) / S) + 1,
                  minus 1 when (L_out - 1)*S >= L + P_before (the last window
                  must start inside the input or the left padding).
    The stride defaults to the kernel size. Average pooling has no dilation.
    """

    receptive = "window"
    element_module = "solver.elementwise.pooling"
    symbolic_elements = True

    def element_support(self, layer: Layer, of: str, wrt: str | None) -> str | None:
        if layer.is_symbolic and layer.family == MAXPOOL:
            return (f"index expressions of {layer.op} need numeric sizes: the maximum over a window "
                    f"is written tap by tap (symbolic sizes are supported for conv, conv_transpose, "
                    f"avgpool and linear layers)")
        return super().element_support(layer, of, wrt)

    def default_stride(self, kernel: tuple[Dim, ...]) -> tuple[Dim, ...]:
        return tuple(kernel)

    def output_size(self, layer: Layer, axis: int) -> Dim:
        stride = layer.stride[axis]
        span = padded_length(layer, axis) - effective_kernel(layer, axis)
        if not layer.ceil_mode:
            return floor_div(span, stride) + 1
        size = floor_div(span + stride - 1, stride) + 1
        last_start, limit = (size - 1) * stride, layer.spatial[axis] + layer.padding[axis][0]
        if is_number(last_start) and is_number(limit):
            return size - 1 if last_start >= limit else size
        return sympy.Piecewise((size - 1, sympy.Ge(last_start, limit)), (size, True))

    def geometry(self, layer: Layer):
        """The :class:`~solver.numeric.pooling.PoolGeometry` of a numeric layer."""
        from solver.numeric.pooling import PoolGeometry
        out = tuple(int(self.output_size(layer, a)) for a in range(layer.ndim))
        return PoolGeometry(tuple(layer.kernel), tuple(layer.stride), tuple(layer.dilation),
                            tuple(layer.padding), out)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = []
        for axis in range(layer.ndim):
            for pad in layer.padding[axis]:
                # ATen: "pad should be smaller than or equal to half of kernel size"
                found.append(Constraint(2 * pad, "<=", layer.kernel[axis], "padding",
                                        "pooling padding must be at most half the kernel size",
                                        failure="padding {pad} is more than half the kernel {rhs}",
                                        details=(("pad", pad),)))
            found.append(Constraint(self.output_size(layer, axis), ">=", 1, "kernel",
                                    "the output would be empty: the (dilated) kernel is larger "
                                    "than the padded input"))
        return found


class MaxPooling(Pooling):
    __doc__ = Pooling.__doc__
    name = MAXPOOL
    fields = COMMON_FIELDS | {"dilation", "ceil_mode"}

    def numeric_support(self, layer: Layer) -> str | None:
        for axis in range(layer.ndim):
            empty = [p for p in range(int(self.output_size(layer, axis)))
                     if not _window_touches_input(layer, axis, p)]
            if empty:
                return (f"on axis {axis + 1} window {empty[0] + 1} (counted from 1) lies "
                        f"entirely in the padding, where PyTorch outputs -inf; use less padding "
                        f"or dilation")
        return None

    def forward(self, layer: Layer, x, params):
        from solver.numeric.pooling import max_pool_forward
        return max_pool_forward(x, self.geometry(layer))

    def backward(self, layer: Layer, x, params, g, wrt: str):
        from solver.numeric.pooling import max_pool_backward
        return max_pool_backward(x, g, self.geometry(layer))


def _window_touches_input(layer: Layer, axis: int, p: int) -> bool:
    """Whether a tap S*p - P + D*k (k = 0 .. K-1) of window p lies in 0 .. L-1."""
    start = p * layer.stride[axis] - layer.padding[axis][0]
    return any(0 <= start + layer.dilation[axis] * k < layer.spatial[axis]
               for k in range(layer.kernel[axis]))


class AveragePooling(Pooling):
    __doc__ = Pooling.__doc__
    name = AVGPOOL
    fields = COMMON_FIELDS | {"ceil_mode", "count_include_pad", "divisor_override"}

    def fields_for(self, ndim: int) -> frozenset[str]:
        # torch.nn.AvgPool1d has no divisor_override
        return self.fields - {"divisor_override"} if ndim == 1 else self.fields

    def forward(self, layer: Layer, x, params):
        from solver.numeric.pooling import avg_pool_forward
        return avg_pool_forward(x, self.geometry(layer), layer.count_include_pad,
                                layer.divisor_override)

    def backward(self, layer: Layer, x, params, g, wrt: str):
        from solver.numeric.pooling import avg_pool_backward
        return avg_pool_backward(x, g, self.geometry(layer), layer.count_include_pad,
                                 layer.divisor_override)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = super().extra_constraints(layer)
        if layer.divisor_override is not None:
            # torch refuses 0; a negative divisor (which torch takes) is refused here too
            found.append(positive(layer.divisor_override, "divisor_override", "divisor_override"))
        if layer.ndim == 3:
            # ATen's pool3d_shape_check(check_input_size=true) for avg_pool3d only.
            found += [Constraint(layer.spatial[axis], ">=", layer.kernel[axis], "kernel",
                                 "avgpool3d needs the unpadded input to be at least the kernel size")
                      for axis in range(3)]
        return found
