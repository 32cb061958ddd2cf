"""What every layer family provides: output shape, parameters and validity."""

from __future__ import annotations

from solver.arith import product
from solver.constraints import Constraint
from solver.layers import Dim, Layer

#: Fields every family accepts in a spec's layer mapping.
COMMON_FIELDS = frozenset({"op", "input", "kernel", "stride", "padding", "names", "values"})


class OpFamily:
    """Base class of a layer family (conv, conv_transpose, maxpool, avgpool).

    Subclasses set ``name`` and ``fields`` and implement ``output_size`` and
    ``constraints``; families with parameters override ``weight_shape``.
    """

    name: str = ""
    fields: frozenset[str] = COMMON_FIELDS
    has_weights: bool = False
    accepts_same_padding: bool = False

    def default_stride(self, kernel: tuple[Dim, ...]) -> tuple[Dim, ...]:
        """The stride used when the spec gives none (1; pooling overrides with the kernel)."""
        return tuple(1 for _ in kernel)

    def output_size(self, layer: Layer, axis: int) -> Dim:
        """The output length along spatial ``axis``."""
        raise NotImplementedError

    def output_channels(self, layer: Layer) -> Dim | None:
        """Output channel count, or None when the output has no channel axis."""
        return layer.channels

    def constraints(self, layer: Layer) -> list[Constraint]:
        """Conditions under which PyTorch accepts the layer.

        The basic ones (positive sizes, strides, ...) come first; the
        family's own are added only when no basic one is already false, as
        they may divide by the stride.
        """
        basic = basic_constraints(layer)
        if any(c.holds() is False for c in basic):
            return basic
        return basic + self.extra_constraints(layer)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        """The family's own conditions, given that the basic ones hold."""
        raise NotImplementedError

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        """Shape of the weight tensor as PyTorch stores it, or None without weights."""
        return None

    def param_count(self, layer: Layer, *, with_bias: bool | None = None) -> Dim:
        """Number of trainable parameters: prod(weight shape) + bias length (if any).

        ``with_bias`` None means: as the layer says.
        """
        weight = self.weight_shape(layer)
        if weight is None:
            return 0
        use_bias = layer.bias if with_bias is None else with_bias
        bias = (layer.filters if layer.filters is not None else 1) if use_bias else 0
        return product(weight) + bias


def positive(value: Dim, field: str, what: str) -> Constraint:
    """``value >= 1`` with a reason naming ``what``."""
    return Constraint(value, ">=", 1, field, f"{what} must be an integer >= 1")


def non_negative(value: Dim, field: str, what: str) -> Constraint:
    """``value >= 0`` with a reason naming ``what``."""
    return Constraint(value, ">=", 0, field, f"{what} must be an integer >= 0")


def basic_constraints(layer: Layer) -> list[Constraint]:
    """Positivity of sizes, kernel, stride, dilation and non-negative padding, per axis."""
    found = []
    for size in (layer.batch, layer.channels):
        if size is not None:
            found.append(positive(size, "input", "every input size"))
    for axis in range(layer.ndim):
        found.append(positive(layer.spatial[axis], "input", "every input size"))
        found.append(positive(layer.kernel[axis], "kernel", "the kernel size"))
        found.append(positive(layer.stride[axis], "stride", "the stride"))
        found.append(positive(layer.dilation[axis], "dilation", "the dilation"))
        for pad in layer.padding[axis]:
            found.append(non_negative(pad, "padding", "the padding"))
    return found


def effective_kernel(layer: Layer, axis: int) -> Dim:
    """Span of the dilated kernel: D*(K - 1) + 1."""
    return layer.dilation[axis] * (layer.kernel[axis] - 1) + 1


def padded_length(layer: Layer, axis: int) -> Dim:
    """Input length plus the padding on both sides: L + P_before + P_after."""
    before, after = layer.padding[axis]
    return layer.spatial[axis] + before + after
