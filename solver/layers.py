"""The validated description of one layer, shared by every solver stage.

A :class:`Layer` is plain immutable data: sizes are Python ``int`` when the
spec gives numbers and sympy expressions when it gives symbols (``H``, ``K``).
Padding is always resolved to explicit ``(before, after)`` pairs per spatial
dimension, so ``same``/``valid`` never reach later stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Union

import numpy as np
import sympy

Dim = Union[int, sympy.Expr]

#: Layer families; the op names of the first four are ``<family><ndim>d``.
CONV, CONV_TRANSPOSE, MAXPOOL, AVGPOOL = "conv", "conv_transpose", "maxpool", "avgpool"


@dataclass(frozen=True)
class TensorNames:
    """Names the spec chooses for the tensors of a layer (defaults as in the seed)."""

    input: str = "x"
    weight: str = "W"
    bias: str = "b"
    output: str = "f"
    upstream: str = "g"   # dl/d(output), the upstream gradient
    loss: str = "l"


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer with its input.

    ``batch``/``channels`` are ``None`` when the spec's ``input`` omitted them.
    ``filters`` is the number of output channels (convs only); pooling keeps
    the channel count. ``values`` holds concrete tensors keyed by tensor name
    (laid out like the spec's input: optional batch, then channels, then
    spatial dims; ``W`` as (filters, channels/groups, *kernel)), or is empty.
    """

    op: str
    family: str
    ndim: int
    batch: Dim | None
    channels: Dim | None
    spatial: tuple[Dim, ...]
    kernel: tuple[Dim, ...]
    stride: tuple[Dim, ...]
    padding: tuple[tuple[Dim, Dim], ...]
    dilation: tuple[Dim, ...]
    output_padding: tuple[Dim, ...] = ()
    filters: Dim | None = None
    groups: Dim = 1
    bias: bool = True
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: Dim | None = None
    #: adaptive pooling's output size, upsampling's scale factor (one per spatial axis)
    output_size: tuple[Dim, ...] = ()
    scale_factor: tuple[Dim, ...] = ()
    #: the inner layers of a residual block (output = input + inner(input))
    inner: tuple["Layer", ...] = ()
    #: batch normalisation: "train" (batch statistics) or "eval" (running statistics), None
    #: when the spec does not say (shapes and counts need neither); eps is added to the variance
    mode: str | None = None
    eps: float = 1e-5
    names: TensorNames = field(default_factory=TensorNames)
    values: Mapping[str, np.ndarray] = field(default_factory=dict)

    def _sizes(self) -> list:
        return [self.batch, self.channels, self.filters, self.groups, *self.spatial, *self.kernel,
                *self.stride, *self.dilation, *self.output_padding, self.divisor_override,
                *self.output_size, *self.scale_factor,
                *(p for pair in self.padding for p in pair)]

    @property
    def is_symbolic(self) -> bool:
        """True when any size of the layer is a sympy expression rather than an int."""
        return (any(isinstance(s, sympy.Basic) for s in self._sizes())
                or any(layer.is_symbolic for layer in self.inner))

    @property
    def size_symbols(self) -> frozenset[sympy.Symbol]:
        """The symbols in the layer's sizes (and its inner layers'), e.g. {C, L, K, S, P, D}."""
        found = set()
        for size in self._sizes():
            if isinstance(size, sympy.Basic):
                found |= size.free_symbols
        for layer in self.inner:
            found |= layer.size_symbols
        return frozenset(found)

#: A layer's place in a network: positions counted from 1, outermost first. ``(3,)`` is the
#: third layer; ``(3, 2)`` the second inner layer of the residual block that is layer 3.
LayerPath = tuple[int, ...]


def layer_at(layers, path: LayerPath) -> Layer:
    """The layer at ``path`` in ``layers`` (see :data:`LayerPath`); the path must be valid."""
    layer = layers[path[0] - 1]
    for number in path[1:]:
        layer = layer.inner[number - 1]
    return layer


def path_label(path: LayerPath) -> str:
    """The dotted number of a layer, as a spec's ``wrt_layer`` writes it: (3, 2) -> "3.2"."""
    return ".".join(str(number) for number in path)


def layer_paths(layers, prefix: LayerPath = ()) -> list[LayerPath]:
    """The path of every layer, inner layers of residual blocks included, in network order."""
    found = []
    for number, layer in enumerate(layers, start=1):
        found.append(prefix + (number,))
        found += layer_paths(layer.inner, prefix + (number,))
    return found


def inner_range(path: LayerPath, count: int) -> str:
    """The ``count`` inner layers of the residual block at ``path`` in words:
    "3 inner layers, 2.1 to 2.3" (one: "1 inner layer, 2.1")."""
    label = path_label(path)
    if count == 1:
        return f"1 inner layer, {label}.1"
    return f"{count} inner layers, {label}.1 to {label}.{count}"
