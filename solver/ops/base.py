"""What every layer family provides: output shape, parameters, validity, numbers and indices.

A family (one module of :mod:`solver.ops`) states next to its shape formula
and constraints its variables (:meth:`OpFamily.variables`), its numeric
forward pass and vector-Jacobian products (:meth:`OpFamily.forward`,
:meth:`OpFamily.backward`, batched layout x (N, C, *L), see
:mod:`solver.numeric`) and its element-wise index expressions
(:meth:`OpFamily.element`).
"""

from __future__ import annotations

import importlib

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
    #: whether the layer has a kernel (and stride, padding, dilation); without one they are 1/0
    has_kernel: bool = True
    #: whether an input with channels needs ``filters`` (convolutions)
    needs_filters: bool = False

    def ops(self) -> dict[str, int | None]:
        """Op name -> number of spatial dims (None: taken from the input), ``conv1d`` ... ``conv3d``."""
        return {f"{self.name}{ndim}d": ndim for ndim in (1, 2, 3)}

    def read_fields(self, raw, read) -> dict:
        """The family's own fields as :class:`~solver.layers.Layer` keyword arguments.

        ``read`` offers ``size(field)``, ``per_axis(field)`` and ``flag(field, default)``
        with the spec's error messages.
        """
        return {}

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        """The output's spatial lengths (one per input axis unless the family changes the rank)."""
        return tuple(self.output_size(layer, axis) for axis in range(layer.ndim))

    def fields_for(self, ndim: int) -> frozenset[str]:
        """The layer fields accepted by the family's ``ndim``-d op (``fields`` unless overridden)."""
        return self.fields

    def default_stride(self, kernel: tuple[Dim, ...]) -> tuple[Dim, ...]:
        """The stride used when the spec gives none (1; pooling overrides with the kernel)."""
        return tuple(1 for _ in kernel)

    def output_size(self, layer: Layer, axis: int) -> Dim:
        """The output length along spatial ``axis`` (default: the input's)."""
        return layer.spatial[axis]

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
        """The family's own conditions, given that the basic ones hold (default: none)."""
        return []

    def macs(self, layer: Layer) -> Dim:
        """Multiply-accumulates of one forward pass (default 0: no products of weights and inputs)."""
        return 0

    #: how the layer changes receptive fields: "window" (kernel, stride, dilation), "same"
    #: (element-wise, unchanged) or "" (not defined here: the layer mixes positions otherwise)
    receptive: str = ""

    def variables(self, layer: Layer) -> tuple[str, ...]:
        """What a derivative can be taken with respect to: input, and weight/bias when present."""
        if not self.has_weights:
            return ("input",)
        return ("input", "weight", "bias") if layer.bias else ("input", "weight")

    def buffers(self, layer: Layer) -> dict[str, tuple[Dim, ...]]:
        """Tensors besides x, W, b and g that the numeric pass reads (name -> shape), such as
        batch norm's running statistics; they are given under ``values:`` like W and b."""
        return {}

    #: the buffers that must be positive: a seed draws them from 1 .. max(high, 1)
    positive_buffers: frozenset[str] = frozenset()

    def numeric_support(self, layer: Layer) -> str | None:
        """None when a numeric layer's numbers are finite; else why not (for the spec error)."""
        return None

    # --- numeric (batched layout: x (N, C, *L), params {"weight": W, "bias": b or None} and
    # each buffer by name, flat) ---

    def forward(self, layer: Layer, x, params):
        """The output (N, C_out, *L_out) for a numeric layer."""
        raise NotImplementedError(f"numeric answers for {layer.op} are not implemented")

    def backward(self, layer: Layer, x, params, g, wrt: str):
        """dl/d(wrt) in the variable's batched shape, given g = dl/df (N, C_out, *L_out)."""
        raise NotImplementedError(f"numeric gradients for {layer.op} are not implemented")

    def jacobian(self, layer: Layer, x, params, wrt: str, max_entries: int):
        """A direct Jacobian f.shape + var.shape, or None to build it from :meth:`backward`."""
        return None

    # --- element-wise index expressions ---

    #: the module (in solver.elementwise) with ``output_element(layer, base)``,
    #: ``jacobian_element(layer, base, wrt)`` and ``loss_gradient_element(layer, base, wrt)``;
    #: None when the family has no index expressions
    element_module: str | None = None

    #: whether the element module also writes the expressions of a layer with symbolic sizes
    symbolic_elements: bool = False

    def element_support(self, layer: Layer, of: str, wrt: str | None) -> str | None:
        """None when :meth:`element` can answer; else why not (a sentence for the spec error)."""
        if self.element_module is None:
            return f"index expressions are not implemented for {layer.op}"
        if layer.is_symbolic:
            if not self.symbolic_elements:
                return (f"index expressions of {layer.op} need numeric sizes; this layer has symbols "
                        f"(symbolic sizes are supported for conv, conv_transpose, avgpool and linear layers)")
            return None
        return self.numeric_support(layer)

    def element(self, layer: Layer, base: int, of: str, wrt: str | None):
        """The :class:`~solver.notation.IndexEquation` of one entry of the output (of: output),
        a Jacobian or a loss gradient with respect to ``wrt``, in index base ``base``."""
        reason = self.element_support(layer, of, wrt)
        if reason is not None:
            raise NotImplementedError(reason)
        module = importlib.import_module(self.element_module)
        if of == "output":
            return module.output_element(layer, base)
        if of == "jacobian":
            return module.jacobian_element(layer, base, wrt)
        return module.loss_gradient_element(layer, base, wrt)

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        """Shape of the weight tensor as PyTorch stores it, or None without weights."""
        return None

    def spec_weight_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        """The weight's shape in the spec layout (axes the spec does not give dropped)."""
        return self.weight_shape(layer)

    def spec_bias_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        """The bias's shape in the spec layout: ([F]), or None without a bias."""
        if not (self.has_weights and layer.bias):
            return None
        return (layer.filters,) if layer.filters is not None else ()

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


def missing_variable(layer: Layer, wrt: str) -> str | None:
    """Why ``layer`` has no tensor ``wrt`` (input, weight, bias), or None when it has one."""
    from solver.ops import family_of

    if wrt in family_of(layer.family).variables(layer):
        return None
    if wrt == "bias" and family_of(layer.family).has_weights:
        return f"the {layer.op} layer has no bias (bias: false)"
    if wrt in ("weight", "bias"):
        return f"the {layer.op} layer has no weights"
    return f"wrt must be one of input, weight, bias; found {wrt!r}"


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
