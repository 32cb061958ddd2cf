"""Layers that resample the spatial axes: adaptive/global average pooling and nearest upsampling.

Their index expressions are in :mod:`solver.elementwise.resampling`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from solver.arith import product
from solver.constraints import Constraint
from solver.layers import Dim, Layer
from solver.ops.base import OpFamily, positive
from solver.ops.linear import PLAIN_FIELDS


def adaptive_windows(length: int, size: int) -> list[tuple[int, int]]:
    """PyTorch's windows [floor(i*L/O), ceil((i+1)*L/O)) for i = 0 .. O-1."""
    return [((i * length) // size, -((-(i + 1) * length) // size)) for i in range(size)]


class AdaptiveAveragePooling(OpFamily):
    """``torch.nn.AdaptiveAvgPoolNd(output_size)``.

    Shape: ([N], [C], *L) -> ([N], [C], *O) with O = ``output_size``; output i
    averages the input positions floor(i*L/O) .. ceil((i+1)*L/O) - 1. No parameters.
    """

    name = "adaptive_avgpool"
    fields = PLAIN_FIELDS | {"output_size"}
    has_kernel = False
    element_module = "solver.elementwise.resampling"

    def read_fields(self, raw, read) -> dict:
        return {"output_size": read.per_axis("output_size", required=True)}

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        return tuple(layer.output_size)

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        return [positive(size, "output_size", "the output size") for size in layer.output_size]

    def _windows(self, layer: Layer):
        per_axis = [adaptive_windows(int(n), int(o)) for n, o in zip(layer.spatial, layer.output_size)]
        for out in itertools.product(*(range(int(o)) for o in layer.output_size)):
            yield out, tuple(slice(*per_axis[a][i]) for a, i in enumerate(out))

    def forward(self, layer: Layer, x, params):
        out = np.zeros(x.shape[:2] + tuple(int(o) for o in layer.output_size))
        for position, window in self._windows(layer):
            out[(slice(None), slice(None), *position)] = x[(slice(None), slice(None), *window)].mean(
                axis=tuple(range(2, x.ndim)))
        return out

    def backward(self, layer: Layer, x, params, g, wrt: str):
        grad = np.zeros(x.shape)
        for position, window in self._windows(layer):
            share = g[(slice(None), slice(None), *position)]
            size = math.prod(s.stop - s.start for s in window)
            grad[(slice(None), slice(None), *window)] += (share / size).reshape(
                share.shape + (1,) * len(window))
        return grad


class GlobalAveragePooling(OpFamily):
    """Global average pooling, ``x.mean(dim=(2, ...))``: ([N], C, *L) -> ([N], C).

    f[n, c] = sum over the positions of x[n, c, ...] / prod(L). No parameters.
    """

    name = "global_avgpool"
    fields = PLAIN_FIELDS
    has_kernel = False
    element_module = "solver.elementwise.resampling"

    def ops(self) -> dict[str, int | None]:
        return {"global_avgpool": None}

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        return ()

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        return [Constraint(layer.ndim, ">=", 1, "input",
                           "global average pooling needs spatial axes to average over")]

    def forward(self, layer: Layer, x, params):
        return x.mean(axis=tuple(range(2, x.ndim)))

    def backward(self, layer: Layer, x, params, g, wrt: str):
        count = math.prod(x.shape[2:])
        return np.broadcast_to((g / count).reshape(g.shape + (1,) * (x.ndim - 2)), x.shape).copy()


class Upsampling(OpFamily):
    """``torch.nn.Upsample(scale_factor=s, mode='nearest')`` with integer factors.

    Shape: ([N], [C], *L) -> ([N], [C], *(L*s)); f[n, c, j] = x[n, c, floor(j/s)]
    (counted from 0). No parameters.
    """

    name = "upsample"
    fields = PLAIN_FIELDS | {"scale_factor", "mode"}
    has_kernel = False
    element_module = "solver.elementwise.resampling"

    def ops(self) -> dict[str, int | None]:
        return {"upsample": None}

    def read_fields(self, raw, read) -> dict:
        if raw.get("mode", "nearest") != "nearest":
            from solver.errors import SpecError
            raise SpecError(f"only 'nearest' is supported; found {raw['mode']!r}", field="mode")
        return {"scale_factor": read.per_axis("scale_factor", required=True)}

    def output_dims(self, layer: Layer) -> tuple[Dim, ...]:
        return tuple(n * s for n, s in zip(layer.spatial, layer.scale_factor))

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        found = [Constraint(layer.ndim, ">=", 1, "input", "upsampling needs spatial axes")]
        return found + [positive(s, "scale_factor", "the scale factor") for s in layer.scale_factor]

    def forward(self, layer: Layer, x, params):
        for axis, s in enumerate(layer.scale_factor):
            x = np.repeat(x, int(s), axis=2 + axis)
        return x

    def backward(self, layer: Layer, x, params, g, wrt: str):
        for axis, (n, s) in enumerate(zip(x.shape[2:], layer.scale_factor)):
            shape = g.shape[:2 + axis] + (n, int(s)) + g.shape[3 + axis:]
            g = g.reshape(shape).sum(axis=3 + axis)
        return g


def spatial_product(layer: Layer) -> Dim:
    """prod(L) of the layer's input."""
    return product(layer.spatial)
