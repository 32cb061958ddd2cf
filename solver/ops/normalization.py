"""Batch normalisation: batchnorm1d, batchnorm2d, batchnorm3d.

``torch.nn.BatchNormNd(C, affine=True)``. Shape: output = input ([N], C, *L)
with 0 or 1 spatial axes for batchnorm1d, 2 for batchnorm2d, 3 for batchnorm3d.
Parameters: weight gamma (C,) and bias beta (C,) when ``affine`` (2C), else none;
the running mean and variance are buffers, not parameters. Numeric answers are
not offered (they depend on training or evaluation mode).
"""

from __future__ import annotations

from solver.constraints import Constraint
from solver.layers import Dim, Layer
from solver.ops.base import OpFamily, positive
from solver.ops.linear import PLAIN_FIELDS

_SPATIAL_AXES = {"batchnorm1d": (0, 1), "batchnorm2d": (2,), "batchnorm3d": (3,)}


class BatchNorm(OpFamily):
    __doc__ = __doc__
    name = "batchnorm"
    fields = PLAIN_FIELDS | {"affine"}
    has_weights = True
    has_kernel = False
    receptive = "same"

    def ops(self) -> dict[str, int | None]:
        return {op: None for op in _SPATIAL_AXES}

    def read_fields(self, raw, read) -> dict:
        affine = read.flag("affine", True)
        return {"bias": affine, "filters": read.layer.channels}

    def variables(self, layer: Layer) -> tuple[str, ...]:
        return ("input", "weight", "bias") if layer.bias else ("input",)

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        return (layer.channels,) if layer.bias else None

    def spec_bias_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        return (layer.channels,) if layer.bias else None

    def param_count(self, layer: Layer, *, with_bias: bool | None = None) -> Dim:
        if not layer.bias:
            return 0
        return 2 * layer.channels if with_bias is not False else layer.channels

    def numeric_support(self, layer: Layer) -> str | None:
        return (f"numeric answers for {layer.op} are not offered (they depend on training or "
                f"evaluation mode)")

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        allowed = _SPATIAL_AXES[layer.op]
        shape = "[C]/[C, L]" if layer.op == "batchnorm1d" else f"[C, {len(allowed) and allowed[0]} sizes]"
        return [Constraint(layer.ndim, "==" if len(allowed) == 1 else "<=", allowed[-1], "input",
                           f"{layer.op} takes channels and {' or '.join(map(str, allowed))} "
                           f"spatial axes ({shape})", failure="the input has {lhs} spatial axes"),
                positive(layer.channels, "input", "the number of channels")]
