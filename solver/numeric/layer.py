"""Numeric answers for a layer or a network (``layers:``) with concrete values.

The spec layout (:mod:`solver.shapes`) drops the batch / channel / filter axes
a spec does not give; the op families compute in the batched layout x (N, C, *L)
(missing axes have length 1, so converting is a reshape). Values: x from the
first layer, W and b (and buffers such as batch norm's running statistics) from each
layer, g = dl/df from the last layer.

For a network f = f_m o ... o f_1 with activations a_0 = x, a_i = f_i(a_{i-1}):

* the output is a_m;
* dl/dV by the chain rule: g_m = g, g_{i-1} = (df_i/da_{i-1})^T g_i (each family's
  ``backward``), and dl/dV = (df_t/dV)^T g_t for V the weight or bias of layer t;
* for V inside a residual block t (f_t(a) = a + inner(a), a layer path such as (t, s)):
  df_t/dV = d inner/dV, so the inner layers are a network of their own with input
  a_{t-1} and upstream gradient g_t, and dl/dV is that network's dl/dV for its layer s
  (deeper paths recurse the same way);
* the Jacobian df/dV row by row: the loss gradient for g = e_r, the r-th unit
  vector of the output (exact: each row is the same chain of products), or the
  family's direct Jacobian for a single layer that has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.layers import Layer, LayerPath, layer_at, path_label
from solver.numeric.conv import check_jacobian_size
from solver.ops import family_of
from solver.ops.base import missing_variable
from solver.shapes import output_spatial, tensor_shapes

#: The variables a derivative can be taken with respect to.
VARIABLES = ("input", "weight", "bias")


@dataclass(frozen=True)
class _Network:
    """Layers with their batched inputs and parameters read from the values."""

    layers: tuple[Layer, ...]
    x: np.ndarray
    params: tuple[dict, ...]

    def activations(self) -> list[np.ndarray]:
        """[a_0, ..., a_m] in the batched layout."""
        return self.activations_from(self.x)

    def activations_from(self, x: np.ndarray) -> list[np.ndarray]:
        """[a_0 = x, ..., a_m] for the input ``x`` (batched)."""
        found = [x]
        for layer, params in zip(self.layers, self.params):
            a = found[-1].reshape(_batched_input(layer))
            found.append(family_of(layer.family).forward(layer, a, params))
        return found

    def gradient(self, activations, g: np.ndarray, wrt: str, path: LayerPath) -> np.ndarray:
        """dl/dV (batched) for V = the network's input or the weight/bias of the layer at
        ``path`` (a layer of this network, or one inside a residual block of it)."""
        stop = 1 if wrt == "input" else path[0]
        for number in range(len(self.layers), stop - 1, -1):
            layer = self.layers[number - 1]
            a = activations[number - 1].reshape(_batched_input(layer))
            g = g.reshape(_batched_output(layer))
            if number == stop and wrt != "input" and len(path) > 1:
                # f_t(a) = a + inner(a): the identity has no parameters, so dl/dV = d inner/dV^T g_t
                inner = inner_network(layer.inner)
                return inner.gradient(inner.activations_from(a), g, wrt, path[1:])
            role = wrt if number == stop else "input"
            g = family_of(layer.family).backward(layer, a, self.params[number - 1], g, role)
        return g


def network_output(layers) -> np.ndarray:
    """The last layer's output a_m in its spec shape, from the values (module docstring)."""
    net = _network(layers, f"the output {layers[-1].names.output}")
    return net.activations()[-1].reshape(tensor_shapes(layers[-1]).output)


def network_gradient(layers, wrt: str, wrt_layer: int | LayerPath | None = None) -> np.ndarray:
    """dl/dV in V's spec shape given g = dl/df (the last layer's values), by the chain rule.

    V is the first layer's input (``wrt: input``) or the weight/bias of layer
    ``wrt_layer`` (counted from 1; default 1), or of a layer inside a residual
    block when ``wrt_layer`` is a path such as (3, 2) (:data:`solver.layers.LayerPath`).
    """
    path = _checked(layers, wrt, wrt_layer, layers[-1].names.loss)
    g = _value(layers[-1], layers[-1].names.upstream, tensor_shapes(layers[-1]).output,
               "a loss gradient")
    net = _network(layers, "a loss gradient")
    gradient = net.gradient(net.activations(), g, wrt, path)
    return gradient.reshape(_spec_variable_shape(layers, wrt, path))


def network_jacobian(layers, wrt: str, wrt_layer: int | LayerPath | None = None, *,
                     max_entries: int = 10_000_000) -> np.ndarray:
    """df/dV, shape f's spec shape + V's spec shape (rows as in the module docstring);
    ``wrt_layer`` as in :func:`network_gradient`.

    Raises JacobianTooLarge before allocating above ``max_entries`` entries.
    """
    last = layers[-1]
    path = _checked(layers, wrt, wrt_layer, last.names.output)
    out_shape = tuple(tensor_shapes(last).output)
    variable_shape = _spec_variable_shape(layers, wrt, path)
    variable = _tensor_name(_target(layers, wrt, path), wrt)
    check_jacobian_size(last.names.output, variable, out_shape + variable_shape, max_entries)
    net = _network(layers, f"the Jacobian d{last.names.output}/d{variable}")
    if len(layers) == 1 and len(path) == 1:
        direct = family_of(last.family).jacobian(last, net.x, net.params[0], wrt, max_entries)
        if direct is not None:
            return direct.reshape(out_shape + variable_shape)
    activations = net.activations()
    rows = math.prod(out_shape)
    jacobian = np.zeros((rows, math.prod(variable_shape)))
    for row in range(rows):
        unit = np.zeros(rows)
        unit[row] = 1.0
        jacobian[row] = net.gradient(activations, unit, wrt, path).ravel()
    return jacobian.reshape(out_shape + variable_shape)


def layer_output(layer: Layer) -> np.ndarray:
    """The output f of one layer, shape ([N], [F], *L_out) (see :func:`network_output`)."""
    return network_output((layer,))


def layer_gradient(layer: Layer, wrt: str) -> np.ndarray:
    """dl/d(var) of one layer for ``wrt`` in input, weight, bias (see :func:`network_gradient`)."""
    return network_gradient((layer,), wrt, 1)


def layer_jacobian(layer: Layer, wrt: str, *, max_entries: int = 10_000_000) -> np.ndarray:
    """df/d(var) of one layer, shape f's + var's (see :func:`network_jacobian`)."""
    return network_jacobian((layer,), wrt, 1, max_entries=max_entries)


def needed_values(layers, of: str, prefix: LayerPath = ()) -> list[tuple[LayerPath, str]]:
    """(layer path, tensor name) of every value a numeric answer reads; paths as in
    :data:`solver.layers.LayerPath`, e.g. ((1,), "x"), ((3, 2), "W").

    x, every weight, the biases (the last layer's only for the output: its
    derivatives do not depend on it), each layer's buffers (batch norm's running
    statistics in eval mode), every value of the layers inside residual blocks
    (after the block) and g for a loss gradient.
    """
    needed = [] if prefix else [((1,), layers[0].names.input)]
    for number, layer in enumerate(layers, start=1):
        path = prefix + (number,)
        family = family_of(layer.family)
        for role in family.variables(layer)[1:]:
            if role == "weight" or of == "output" or prefix or number < len(layers):
                needed.append((path, _tensor_name(layer, role)))
        needed.extend((path, name) for name in family.buffers(layer))
        needed += needed_values(layer.inner, "output", path)
    if of == "loss_gradient" and not prefix:
        needed.append(((len(layers),), layers[-1].names.upstream))
    return needed


def _checked(layers, wrt: str, wrt_layer: int | LayerPath | None, of: str) -> LayerPath:
    if wrt not in VARIABLES:
        raise ValueError(f"wrt must be one of {', '.join(VARIABLES)}; found {wrt!r}")
    path = (1,) if wrt_layer is None else (wrt_layer,) if isinstance(wrt_layer, int) else tuple(wrt_layer)
    layer = _target(layers, wrt, path)
    if any(l.is_symbolic for l in layers):
        raise ValueError(f"numeric answers need numeric sizes; this {layer.op} layer has "
                         f"symbolic sizes")
    reason = missing_variable(layer, wrt)
    if reason is not None:
        raise ValueError(f"{reason}, so there is no d{of}/d{wrt}")
    return path


def _target(layers, wrt: str, path: LayerPath) -> Layer:
    """The layer that holds V: the first for wrt: input, else the one at ``path``."""
    return layers[0] if wrt == "input" else layer_at(layers, path)


def inner_network(layers) -> _Network:
    """The layers of a residual block with their parameters (their input comes from outside)."""
    return _Network(tuple(layers), None, _parameters(layers, "a residual block"))


def missing_inner_values(layers) -> str | None:
    """Why the inner layers of a residual block cannot be computed (missing values), or None."""
    for path, name in needed_values(layers, "output")[1:]:
        if name not in layer_at(layers, path).values:
            return (f"the inner layer {path_label(path)} needs values for {name} (give "
                    f"values: {{seed: N}} in it)")
    for layer in layers:
        reason = family_of(layer.family).numeric_support(layer)
        if reason is not None:
            return reason
    return None


def _network(layers, purpose: str) -> _Network:
    if any(layer.is_symbolic for layer in layers):
        raise ValueError("numeric answers need numeric sizes; this layer has symbolic sizes")
    first = layers[0]
    x = _value(first, first.names.input, tensor_shapes(first).input, purpose)
    return _Network(tuple(layers), x.reshape(_batched_input(first)), _parameters(layers, purpose))


def _parameters(layers, purpose: str) -> tuple[dict, ...]:
    params = []
    for layer in layers:
        family, shapes = family_of(layer.family), tensor_shapes(layer)
        found = {"bias": None}
        if "weight" in family.variables(layer):
            w = _value(layer, layer.names.weight, shapes.weight, purpose)
            found["weight"] = w.reshape(family.weight_shape(layer))
        if "bias" in family.variables(layer):
            # the last bias is not among the needed values for derivatives, which it cannot change
            bias = (_value(layer, layer.names.bias, shapes.bias, purpose)
                    if layer.names.bias in layer.values else np.zeros(shapes.bias))
            found["bias"] = bias.reshape(-1)
        for name, shape in family.buffers(layer).items():
            found[name] = _value(layer, name, shape, purpose).reshape(-1)
        params.append(found)
    return tuple(params)


def _batched_input(layer: Layer) -> tuple[int, ...]:
    return (layer.batch or 1, layer.channels or 1, *layer.spatial)


def _batched_output(layer: Layer) -> tuple[int, ...]:
    channels = family_of(layer.family).output_channels(layer)
    return (layer.batch or 1, channels or 1, *output_spatial(layer))


def _spec_variable_shape(layers, wrt: str, path: LayerPath) -> tuple[int, ...]:
    shapes = tensor_shapes(_target(layers, wrt, path))
    return tuple(getattr(shapes, wrt))


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


def _text(shape) -> str:
    return " x ".join(str(d) for d in shape)
