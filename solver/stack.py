"""Per-layer counts and the geometry of a stack of layers (receptive field and jump).

Receptive field r and jump (effective stride) J along each spatial axis, from
the first layer's input: r_0 = 1, J_0 = 1 and for each windowed layer (conv,
max/avg pooling) with kernel K, stride S, dilation D:

    r_i = r_{i-1} + D*(K - 1)*J_{i-1},   J_i = J_{i-1}*S.

Element-wise layers (activations, dropout, batch norm) change neither; a
residual block's is that of its inner layers (which contain the identity's).
Other layers (transposed convolutions, upsampling, adaptive or global pooling,
flatten, linear) are refused: their receptive field is not a window.

MACs (multiply-accumulates) per layer come from each op family (conv:
prod(output shape) * C/groups * prod(K); linear: prod(output shape) * C;
others 0); FLOPs are 2 * MACs; activations are prod(output shape).
"""

from __future__ import annotations

from solver.arith import normalize, product
from solver.errors import SpecError
from solver.layers import Dim, Layer
from solver.ops import family_of
from solver.shapes import output_shape


def receptive_geometry(layers, *, start=None) -> tuple[tuple[Dim, ...], tuple[Dim, ...]]:
    """(receptive field per axis, jump per axis) of the output of ``layers`` (module docstring)."""
    ndim = layers[0].ndim
    field, jump = start or ((1,) * ndim, (1,) * ndim)
    for number, layer in enumerate(layers, start=1):
        kind = family_of(layer.family).receptive
        if layer.ndim != ndim or not kind:
            raise SpecError(f"receptive fields are defined for convolutions, pooling, element-wise "
                            f"layers and residual blocks of them; layer {number} is {layer.op}",
                            field="layers" if len(layers) > 1 else "layer")
        if kind == "window":
            field = tuple(normalize(r + layer.dilation[a] * (layer.kernel[a] - 1) * jump[a])
                          for a, r in enumerate(field))
            jump = tuple(normalize(j * layer.stride[a]) for a, j in enumerate(jump))
        elif kind == "residual":
            field, jump = receptive_geometry(layer.inner, start=(field, jump))
    return field, jump


def layer_macs(layer: Layer) -> Dim:
    """Multiply-accumulates of ``layer`` (module docstring)."""
    return normalize(family_of(layer.family).macs(layer))


def layer_activations(layer: Layer) -> Dim:
    """Number of output values: prod(output shape)."""
    return normalize(product(output_shape(layer)))


def total(values) -> Dim:
    """The sum of per-layer counts, normalized."""
    found = 0
    for value in values:
        found = found + value
    return normalize(found)
