"""Residual blocks: ``{op: residual, layers: [...]}``, output = x + inner(x).

Shape: the inner layers' output must have the input's shape ([N], [C], *L),
which is then the block's output. Parameters: those of the inner layers.
Numbers: f = x + inner(x), dl/dx = g + (d inner/dx)^T g; for V a weight or bias of an
inner layer, dl/dV = (d inner/dV)^T g (the identity has none; solver/numeric/layer.py).
"""

from __future__ import annotations

from solver.arith import normalize
from solver.constraints import Constraint
from solver.layers import Dim, Layer
from solver.ops.base import OpFamily
from solver.ops.linear import PLAIN_FIELDS


class Residual(OpFamily):
    __doc__ = __doc__
    name = "residual"
    fields = PLAIN_FIELDS | {"layers"}
    has_kernel = False

    def ops(self) -> dict[str, int | None]:
        return {"residual": None}

    def read_fields(self, raw, read) -> dict:
        return {"inner": read.layers("layers")}

    receptive = "residual"

    def param_count(self, layer: Layer, *, with_bias: bool | None = None) -> Dim:
        from solver.ops import family_of
        total = 0
        for inner in layer.inner:
            total = total + family_of(inner.family).param_count(inner, with_bias=with_bias)
        return total

    def macs(self, layer: Layer) -> Dim:
        """The inner layers' multiply-accumulates (the addition is not one)."""
        from solver.ops import family_of
        total = 0
        for inner in layer.inner:
            total = total + family_of(inner.family).macs(inner)
        return total

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        if not layer.inner:
            return []
        from solver.shapes import input_shape, output_shape
        inside, outside = output_shape(layer.inner[-1]), input_shape(layer)
        if len(inside) != len(outside):
            return [Constraint(len(inside), "==", len(outside), "layers",
                               "the inner layers must keep the input's shape to be added to it",
                               failure="the inner output has {lhs} axes, the input {rhs}")]
        return [Constraint(normalize(a), "==", normalize(b), "layers",
                           "the inner layers must keep the input's shape to be added to it",
                           failure="an inner output size is {lhs} where the input has {rhs}")
                for a, b in zip(inside, outside)]

    def numeric_support(self, layer: Layer) -> str | None:
        from solver.numeric.layer import missing_inner_values
        return missing_inner_values(layer.inner)

    def forward(self, layer: Layer, x, params):
        from solver.numeric.layer import inner_network
        return x + inner_network(layer.inner).activations_from(x)[-1].reshape(x.shape)

    def backward(self, layer: Layer, x, params, g, wrt: str):
        from solver.numeric.layer import inner_network
        net = inner_network(layer.inner)
        return g + net.gradient(net.activations_from(x), g, "input", (1,)).reshape(x.shape)
