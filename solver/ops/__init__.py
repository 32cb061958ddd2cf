"""Registry of layer ops: ``conv2d`` -> (family, 2).

Adding a family means one module with an :class:`~solver.ops.base.OpFamily`
subclass and one line in ``_FAMILIES``.
"""

from __future__ import annotations

from solver.ops.base import OpFamily
from solver.ops.conv import Convolution
from solver.ops.conv_transpose import TransposedConvolution
from solver.ops.activation import Dropout, ReLU, Sigmoid, Tanh
from solver.ops.linear import Flatten, Linear
from solver.ops.normalization import BatchNorm
from solver.ops.pooling import AveragePooling, MaxPooling
from solver.ops.resampling import AdaptiveAveragePooling, GlobalAveragePooling, Upsampling
from solver.ops.residual import Residual

_FAMILIES: tuple[OpFamily, ...] = (Convolution(), TransposedConvolution(), MaxPooling(),
                                   AveragePooling(), Linear(), Flatten(), BatchNorm(), ReLU(),
                                   Sigmoid(), Tanh(), Dropout(), AdaptiveAveragePooling(),
                                   GlobalAveragePooling(), Upsampling(), Residual())

#: op name (``conv1d`` ... ``avgpool3d``, ``linear``, ...) -> (family, number of spatial dims;
#: None when the layer takes it from its input)
OPS: dict[str, tuple[OpFamily, int | None]] = {
    op: (family, ndim) for family in _FAMILIES for op, ndim in family.ops().items()
}

_BY_FAMILY = {family.name: family for family in _FAMILIES}


def family_of(family_name: str) -> OpFamily:
    """The registered family object for a family name such as ``conv``."""
    return _BY_FAMILY[family_name]
