"""Registry of layer ops: ``conv2d`` -> (family, 2).

Adding a family means one module with an :class:`~solver.ops.base.OpFamily`
subclass and one line in ``_FAMILIES``.
"""

from __future__ import annotations

from solver.ops.base import OpFamily
from solver.ops.conv import Convolution
from solver.ops.conv_transpose import TransposedConvolution
from solver.ops.pooling import AveragePooling, MaxPooling

_FAMILIES: tuple[OpFamily, ...] = (Convolution(), TransposedConvolution(), MaxPooling(),
                                   AveragePooling())

#: op name (``conv1d`` ... ``avgpool3d``) -> (family, number of spatial dims)
OPS: dict[str, tuple[OpFamily, int]] = {
    f"{family.name}{ndim}d": (family, ndim) for family in _FAMILIES for ndim in (1, 2, 3)
}

_BY_FAMILY = {family.name: family for family in _FAMILIES}


def family_of(family_name: str) -> OpFamily:
    """The registered family object for a family name such as ``conv``."""
    return _BY_FAMILY[family_name]
