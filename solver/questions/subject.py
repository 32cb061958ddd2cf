"""Which tensor a part is about (``of`` / ``wrt``) and its shape."""

from __future__ import annotations

from solver.errors import SpecError
from solver.layers import Dim, Layer
from solver.shapes import tensor_shapes

def variable_shape(layer: Layer, wrt: str) -> tuple[Dim, ...]:
    """Shape of the tensor named by ``wrt`` (weight, input, bias); SpecError when absent."""
    shapes = tensor_shapes(layer)
    shape = getattr(shapes, wrt)   # the wrt choices are the TensorShapes field names
    if shape is None:
        reason = "has no bias (bias: false)" if wrt == "bias" else "has no weights"
        raise SpecError(f"{wrt}, but the {layer.op} layer {reason}", field="wrt")
    return shape


def subject_shape(part) -> tuple[Dim, ...]:
    """Shape of what the part asks about.

    output: f's shape; jacobian: f's shape followed by the variable's;
    loss_gradient: the variable's shape (dl/dV has V's shape).
    """
    layer = part.layer
    output = tensor_shapes(layer).output
    if part.of in (None, "output"):
        return output
    variable = variable_shape(layer, part.wrt)
    return output + variable if part.of == "jacobian" else variable
