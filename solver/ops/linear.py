"""Fully connected and flattening layers: ``linear`` and ``flatten``."""

from __future__ import annotations

from solver.arith import product
from solver.constraints import Constraint
from solver.layers import Dim, Layer
from solver.ops.base import OpFamily, positive

#: Fields of layers that have no kernel.
PLAIN_FIELDS = frozenset({"op", "input", "names", "values"})


class Linear(OpFamily):
    """``torch.nn.Linear(C, F)`` on a vector of C features (after ``flatten``).

    Shape: input ([N], C) -> output ([N], F); ``features`` is F (out_features).
    Weight: (F, C); bias: (F,). f[n, o] = b[o] + sum_c W[o, c] x[n, c].
    """

    name = "linear"
    fields = PLAIN_FIELDS | {"features", "bias"}
    has_weights = True
    has_kernel = False
    element_module = "solver.elementwise.linear"
    symbolic_elements = True

    def ops(self) -> dict[str, int | None]:
        return {"linear": None}

    def read_fields(self, raw, read) -> dict:
        return {"filters": read.size("features", required=True,
                                     hint="give the number of output features (out_features)")}

    def output_channels(self, layer: Layer) -> Dim | None:
        return layer.filters

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        return ()

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...]:
        return (layer.filters, layer.channels)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        return [no_spatial_axes(layer, "a linear layer takes a vector of features: put a "
                                       "flatten layer before it"),
                positive(layer.filters, "features", "features")]

    def macs(self, layer: Layer) -> Dim:
        """prod(output shape) * C: C products per output feature."""
        from solver.shapes import output_shape
        return product(output_shape(layer)) * layer.channels

    def forward(self, layer: Layer, x, params):
        out = x @ params["weight"].T
        return out if params.get("bias") is None else out + params["bias"]

    def backward(self, layer: Layer, x, params, g, wrt: str):
        if wrt == "input":
            return g @ params["weight"]
        return g.T @ x if wrt == "weight" else g.sum(axis=0)


class Flatten(OpFamily):
    """``torch.nn.Flatten()``: every axis but the batch into one.

    Shape: ([N], [C], *L) -> ([N], C * prod(L)). No parameters.
    """

    name = "flatten"
    fields = PLAIN_FIELDS
    has_kernel = False
    element_module = "solver.elementwise.flatten"

    def ops(self) -> dict[str, int | None]:
        return {"flatten": None}

    def output_channels(self, layer: Layer) -> Dim | None:
        return (layer.channels if layer.channels is not None else 1) * product(layer.spatial)

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        return ()

    def forward(self, layer: Layer, x, params):
        return x.reshape(x.shape[0], -1)

    def backward(self, layer: Layer, x, params, g, wrt: str):
        return g.reshape(x.shape)


def no_spatial_axes(layer: Layer, reason: str) -> Constraint:
    """The input has only batch and channel (feature) axes."""
    return Constraint(layer.ndim, "==", 0, "input", reason,
                      failure="the input has {lhs} spatial axes")
