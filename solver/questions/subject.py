"""Which tensor a part is about (``of`` / ``wrt`` / ``wrt_layer``) and its shape."""

from __future__ import annotations

from solver.errors import SpecError
from solver.layers import Dim, Layer
from solver.ops.base import missing_variable
from solver.shapes import tensor_shapes


def variable_shape(layer: Layer, wrt: str) -> tuple[Dim, ...]:
    """Shape of the tensor named by ``wrt`` (weight, input, bias); SpecError when absent."""
    reason = missing_variable(layer, wrt)
    if reason is not None:
        raise SpecError(f"{wrt}, but {reason}", field="wrt")
    return _tensor_shape(layer, wrt)


def part_variable_shape(part) -> tuple[Dim, ...]:
    """Shape of what the part differentiates with respect to.

    wrt: input is the network's input (the first layer's); weight and bias
    are those of layer ``wrt_layer`` (counted from 1).
    """
    if part.wrt == "input":
        return tensor_shapes(part.layers[0]).input
    if len(part.layers) == 1:
        return variable_shape(part.layer, part.wrt)
    layer = part.layers[part.wrt_layer - 1]
    reason = missing_variable(layer, part.wrt)
    if reason is not None:
        having = [str(n) for n, other in enumerate(part.layers, start=1)
                  if missing_variable(other, part.wrt) is None]
        choice = (f"layers with a {part.wrt}: {', '.join(having)}" if having
                  else f"no layer of this part has a {part.wrt}")
        raise SpecError(f"layer {part.wrt_layer}: {reason}; {choice}", field="wrt_layer")
    return _tensor_shape(layer, part.wrt)


def subject_shape(part) -> tuple[Dim, ...]:
    """Shape of what the part asks about.

    output: f's shape (the last layer's output); jacobian: f's shape followed
    by the variable's; loss_gradient: the variable's shape (dl/dV has V's shape).
    """
    output = tensor_shapes(part.layers[-1]).output
    if part.of == "output":
        return output
    variable = part_variable_shape(part)
    return output + variable if part.of == "jacobian" else variable


def _tensor_shape(layer: Layer, wrt: str) -> tuple[Dim, ...] | None:
    return getattr(tensor_shapes(layer), wrt)   # the wrt choices are the TensorShapes field names

