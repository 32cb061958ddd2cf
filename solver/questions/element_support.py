"""The check of ``value`` (index expressions): one layer whose family can write the expression."""

from __future__ import annotations

from solver.errors import SpecError
from solver.ops import family_of
from solver.questions.subject import variable_shape


def check_elementwise(part, item: str) -> None:
    """Raise SpecError unless ``part`` is one layer whose family answers its of/wrt element-wise."""
    if len(part.layers) != 1:
        raise SpecError(f"{item} answers are about one layer; this part has {len(part.layers)} "
                        f"(ask numeric for a network)", field="layers")
    layer = part.layer
    if part.wrt is not None:
        variable_shape(layer, part.wrt)     # SpecError when the layer has no such tensor
    reason = family_of(layer.family).element_support(layer, part.of, part.wrt)
    if reason is not None:
        raise SpecError(f"{item}: {reason}", field="layer.op")
