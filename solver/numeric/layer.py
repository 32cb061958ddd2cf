"""Numeric answers for one layer with concrete values, in the spec layout of :mod:`solver.shapes`.

The spec layout drops the batch / channel / filter axes a spec does not
give: x ([N], [C], *L), W ([F], [C/groups], *K), b ([F]), f and g
([N], [F], *L_out). The kernels of :mod:`solver.numeric.conv` work on the
batched layout x (N, C, *L), W (F, C/groups, *K), b (F,); the missing axes
all have length 1, so converting either way is a reshape.
"""

from __future__ import annotations

import numpy as np

from solver.layers import CONV, Layer
from solver.numeric.conv import (VARIABLE_NAMES, check_jacobian_size, conv_forward,
                                 conv_input_gradient, conv_jacobian, conv_weight_gradient)
from solver.shapes import TensorShapes, tensor_shapes

#: The variables a derivative can be taken with respect to.
VARIABLES = tuple(VARIABLE_NAMES)


def layer_output(layer: Layer) -> np.ndarray:
    """The output f of ``layer`` from its values x, W (and b), shape ([N], [F], *L_out).

    f[n, o, p] = b[o] + sum_{c, k} W[o, c, k] * x_pad[n, G(o)*C_g + c, S*p + D*k].
    """
    shapes = _conv_shapes(layer)
    needed = ["input", "weight"] + (["bias"] if layer.bias else [])
    x, w, b = _batched(layer, shapes, needed, f"the output {layer.names.output}")
    out = conv_forward(x, w, b if layer.bias else None, **_geometry(layer))
    return out.reshape(shapes.output)


def layer_jacobian(layer: Layer, wrt: str, *, max_entries: int = 10_000_000) -> np.ndarray:
    """The full Jacobian df/d(var) for ``wrt`` in 'input', 'weight', 'bias'.

    Shape: output spec shape + variable spec shape. The output is linear in
    each variable, so df/dx needs only W, df/dW only x and df/db no values.
    Raises JacobianTooLarge (before allocating) above ``max_entries`` entries.
    """
    shapes = _conv_shapes(layer)
    of = layer.names.output
    variable_shape = _variable_shape(layer, shapes, wrt, of)
    var = _tensor_name(layer, wrt)
    check_jacobian_size(of, var, tuple(shapes.output) + tuple(variable_shape), max_entries)
    needed = {"input": ["weight"], "weight": ["input"], "bias": []}[wrt]
    x, w, b = _batched(layer, shapes, needed, f"the Jacobian d{of}/d{var}")
    jacobian = conv_jacobian(x, w, b, wrt=wrt, max_entries=max_entries, **_geometry(layer))
    return jacobian.reshape(tuple(shapes.output) + tuple(variable_shape))


def layer_gradient(layer: Layer, wrt: str) -> np.ndarray:
    """dl/d(var) for ``wrt`` in 'input', 'weight', 'bias', given g = dl/df in the layer's values.

    Shape: the variable's spec shape.
    dl/dx[c, i] = sum_{o, p, k: S*p + D*k = i + P_before} g[o, p] * W[o, c, k] (within groups);
    dl/dW[o, c, k] = sum_{n, p} g[n, o, p] * x_pad[n, G(o)*C_g + c, S*p + D*k];
    dl/db[o] = sum_{n, p} g[n, o, p].
    """
    shapes = _conv_shapes(layer)
    variable_shape = _variable_shape(layer, shapes, wrt, layer.names.loss)
    purpose = "a loss gradient"
    upstream = _value(layer, layer.names.upstream, shapes.output, purpose)
    g = upstream.reshape(_batched_output_shape(layer, shapes))
    if wrt == "bias":
        return g.sum(axis=(0, *range(2, g.ndim))).reshape(variable_shape)
    needed = {"input": ["weight"], "weight": ["input"]}[wrt]
    x, w, _ = _batched(layer, shapes, needed, purpose)
    gradient = conv_input_gradient if wrt == "input" else conv_weight_gradient
    return gradient(x, w, g, **_geometry(layer)).reshape(variable_shape)


def _conv_shapes(layer: Layer) -> TensorShapes:
    if layer.family != CONV:
        raise NotImplementedError(f"numeric answers for {layer.op} are not supported yet")
    if layer.is_symbolic:
        raise ValueError(f"numeric answers need numeric sizes; this {layer.op} layer has "
                         f"symbolic sizes")
    return tensor_shapes(layer)


def _variable_shape(layer: Layer, shapes: TensorShapes, wrt: str, of: str) -> tuple:
    if wrt not in VARIABLES:
        raise ValueError(f"wrt must be one of {', '.join(VARIABLES)}; found {wrt!r}")
    if wrt == "bias" and not layer.bias:
        raise ValueError(f"this {layer.op} layer has no bias (bias: false), so there is no "
                         f"d{of}/d{layer.names.bias}")
    return tuple({"input": shapes.input, "weight": shapes.weight, "bias": shapes.bias}[wrt])


def _batched(layer: Layer, shapes: TensorShapes, needed: list[str], purpose: str):
    """(x, W, b) in the batched layout; tensors not needed are zeros (only their shape matters)."""
    filters = layer.filters or 1
    batched = {"input": (layer.batch or 1, layer.channels or 1, *layer.spatial),
               "weight": (filters, (layer.channels or 1) // layer.groups, *layer.kernel),
               "bias": (filters,)}
    spec = {"input": shapes.input, "weight": shapes.weight, "bias": shapes.bias}
    arrays = []
    for role in VARIABLES:
        if role in needed:
            value = _value(layer, _tensor_name(layer, role), spec[role], purpose)
            arrays.append(value.reshape(batched[role]))
        else:
            arrays.append(np.zeros(batched[role]))
    return tuple(arrays)


def _batched_output_shape(layer: Layer, shapes: TensorShapes) -> tuple[int, ...]:
    spatial_out = tuple(shapes.output[len(shapes.output) - layer.ndim:])
    return (layer.batch or 1, layer.filters or 1, *spatial_out)


def _value(layer: Layer, name: str, shape, purpose: str) -> np.ndarray:
    if name not in layer.values:
        given = ", ".join(layer.values) or "none"
        raise ValueError(f"values.{name} is needed for {purpose}; the layer's values give: "
                         f"{given}")
    value = np.asarray(layer.values[name], dtype=np.float64)
    if value.shape != tuple(shape):
        raise ValueError(f"values.{name} has shape {_text(value.shape) or 'scalar'}; expected "
                         f"{_text(shape) or 'scalar'}")
    return value


def _tensor_name(layer: Layer, role: str) -> str:
    return {"input": layer.names.input, "weight": layer.names.weight,
            "bias": layer.names.bias}[role]


def _geometry(layer: Layer) -> dict:
    return dict(stride=layer.stride, padding=layer.padding, dilation=layer.dilation,
                groups=layer.groups)


def _text(shape) -> str:
    return " x ".join(str(d) for d in shape)
