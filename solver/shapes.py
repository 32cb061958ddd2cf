"""Shapes of a layer's tensors and its parameter count.

Layout convention (the same for shapes, index expressions and numeric values):

* input  x: ([N], [C], *spatial) -- N and C only when the spec's ``input`` gives them;
* output f: ([N], [C_out], *spatial_out) -- C_out is ``filters`` for (transposed)
  convolutions (axis present when ``filters`` is given) and C for pooling;
* weight W: conv ([F], [C/groups], *K); conv_transpose ([C], [F/groups], *K),
  each bracketed axis present when the spec gives that size;
* bias b: ([F]).
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.arith import normalize
from solver.constraints import Constraint
from solver.layers import Dim, Layer
from solver.ops import family_of


@dataclass(frozen=True)
class TensorShapes:
    """The shape of each tensor of a layer, in the layout above (weight/bias None without weights)."""

    input: tuple[Dim, ...]
    output: tuple[Dim, ...]
    weight: tuple[Dim, ...] | None
    bias: tuple[Dim, ...] | None


def output_spatial(layer: Layer) -> tuple[Dim, ...]:
    """Output length along each spatial axis (see the op family's formula)."""
    return tuple(normalize(d) for d in family_of(layer.family).output_dims(layer))


def output_shape(layer: Layer) -> tuple[Dim, ...]:
    """Full output shape: ([N], [C_out], *spatial_out)."""
    channels = family_of(layer.family).output_channels(layer)
    leading = tuple(d for d in (layer.batch, channels) if d is not None)
    return leading + output_spatial(layer)


def input_shape(layer: Layer) -> tuple[Dim, ...]:
    """Full input shape: ([N], [C], *spatial)."""
    return tuple(d for d in (layer.batch, layer.channels) if d is not None) + tuple(layer.spatial)


def tensor_shapes(layer: Layer) -> TensorShapes:
    """Shapes of x, f, W and b for ``layer`` in the spec layout."""
    family = family_of(layer.family)
    weight = family.spec_weight_shape(layer) if family.has_weights else None
    return TensorShapes(input_shape(layer), output_shape(layer), weight,
                        family.spec_bias_shape(layer))


def param_count(layer: Layer, *, with_bias: bool | None = None) -> Dim:
    """Trainable parameters as PyTorch counts them: prod(weight shape) + len(bias).

    ``with_bias`` None counts the bias when the layer has one.
    """
    return normalize(family_of(layer.family).param_count(layer, with_bias=with_bias))


def layer_constraints(layer: Layer) -> list[Constraint]:
    """Conditions under which PyTorch accepts ``layer`` (see :mod:`solver.constraints`)."""
    return family_of(layer.family).constraints(layer)
