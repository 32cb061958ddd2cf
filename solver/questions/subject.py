"""Which tensor a part is about (``of`` / ``wrt`` / ``wrt_layer``) and its shape."""

from __future__ import annotations

from solver.errors import SpecError
from solver.layers import Dim, Layer, inner_range, layer_at, layer_paths, path_label
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
    are those of layer ``wrt_layer`` (counted from 1), or of a layer inside a
    residual block (``wrt_layer: "3.2"``, :attr:`~solver.spec.model.Part.wrt_path`).
    """
    if part.wrt == "input":
        return tensor_shapes(part.layers[0]).input
    layer = target_layer(part)
    if len(part.layers) == 1 and not part.wrt_inner and layer.op != "residual":
        return variable_shape(part.layer, part.wrt)
    reason = missing_variable(layer, part.wrt)
    if reason is not None:
        label = path_label(part.wrt_path)
        having = [path_label(path) for path in layer_paths(part.layers)
                  if missing_variable(layer_at(part.layers, path), part.wrt) is None]
        choice = (f"layers with a {part.wrt}: {', '.join(having)}" if having
                  else f"no layer of this part has a {part.wrt}")
        if layer.op == "residual":
            inside = [other for other in having if other.startswith(f"{label}.")]
            example = (f", e.g. wrt_layer: \"{inside[0]}\"" if inside
                       else f"; none of them has a {part.wrt}")
            reason = (f"a residual block has no {part.wrt} of its own (its parameters are those "
                      f"of its {inner_range(part.wrt_path, len(layer.inner))}); name an inner layer "
                      f"by its dotted number as text in quotes{example}")
        raise SpecError(f"layer {label}: {reason}; {choice}", field="wrt_layer")
    return _tensor_shape(layer, part.wrt)


def target_layer(part) -> Layer:
    """The layer whose tensor ``wrt`` names: the first layer for wrt: input, else the layer at
    the part's ``wrt_path`` (a layer of the network or one inside a residual block)."""
    if part.wrt == "input" or part.wrt_layer is None:
        return part.layers[0]
    return layer_at(part.layers, part.wrt_path)


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

