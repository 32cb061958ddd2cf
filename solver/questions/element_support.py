"""Checks shared by the element-wise items (``value`` and ``numeric``)."""

from __future__ import annotations

from solver.errors import SpecError
from solver.layers import CONV
from solver.questions.subject import variable_shape


def check_elementwise(part, item: str) -> None:
    """Raise SpecError unless ``part`` is a single numeric conv layer."""
    if len(part.layers) != 1:
        raise SpecError(f"{item} answers are about one layer; this part has {len(part.layers)}",
                        field="layers")
    layer = part.layer
    if layer.family != CONV or layer.ndim > 2:
        raise SpecError(f"{item} answers are supported for conv1d and conv2d layers; this part "
                        f"has {layer.op}", field="layer.op")
    if layer.is_symbolic:
        raise SpecError(f"{item} answers need numeric sizes; this layer has symbols",
                        field="layer")
    if part.wrt is not None:
        variable_shape(layer, part.wrt)     # SpecError when the layer has no such tensor
