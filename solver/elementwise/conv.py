"""Element-wise index expressions of a convolution: outputs, Jacobians and loss gradients.

For a conv1d/2d/3d layer with index base ``b`` (every tensor), stride
S, dilation D, padding before P (per spatial axis), C input channels, F
filters and G groups (Cg = C/G channels and Fg = F/G filters per group):

* input position of output position j and kernel offset k:
  ``pos(j, k) = S*(j - b) + D*(k - b) - P + b``;
* input channel read by filter o at weight channel c:
  ``ch(o, c) = c + Cg*floor((o - b)/Fg)`` (just ``c`` without groups);
* ``f[n,o,j] = b[o] + sum_c sum_k W[o,c,k] * x[n, ch(o,c), pos(j,k)]``;
* ``df[n,o,j]/dW[p,c,k] = delta(o,p) * x[n, ch(o,c), pos(j,k)]``;
* ``df[n,o,j]/dx[m,c,l] = delta(n,m) * W[o, c - Cg*floor((o - b)/Fg), l - S*(j - b) + P]``
  (dilation D > 1: ``sum_k W[o, ..., k] * delta(l, pos(j,k))``);
* ``df[n,o,j]/db[p] = delta(o,p)``;
* ``dl/dW[o,c,k] = sum_n sum_j g[n,o,j] * x[n, ch(o,c), pos(j,k)]``;
* ``dl/dx[n,c,l] = sum_o sum_j g[n,o,j] * W[o, c - Cg*floor((o - b)/Fg), l - S*(j - b) + P]``
  (dilation D > 1: also summed over k with ``delta(l, pos(j,k))``);
* ``dl/db[o] = sum_n sum_j g[n,o,j]``;

with one index per spatial axis where ``j``, ``k``, ``l`` appear. Entries
outside a tensor's range are 0, which is exactly zero padding and also kills
the terms of channels outside filter o's group. Axes follow
:mod:`solver.shapes` (batch, channel and filter axes only when the layer has
them); an axis with a single value is written as the constant ``b`` and a sum
over a single value is dropped. Index names: :mod:`solver.elementwise.indices`.
A scalar bias (a layer without a filter axis) is the plain symbol ``b``.

Sizes may be symbols (C, L, K, S, P, D, F, G): the same formulas then hold
at every valid integer assignment, with sums running to the symbolic sizes
(``sum_{c=1}^{C}``, ``sum_{j=1}^{L_out}``) and a symbolic dilation always
written with the delta over k (D may be 1 or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import sympy

from solver.arith import as_expr, exact_div
from solver.elementwise.indices import (ConvIndexNames, bounded_sum, conv_index_names, index_or_constant,
                                        pinned, tidy)
from solver.layers import CONV, Dim, Layer
from solver.notation import IndexEquation, TensorRef, tensor_entry
from solver.shapes import output_spatial

#: Accepted values of ``wrt``: the weight W, the input x, the bias b.
WRT_CHOICES = ("weight", "input", "bias")


@dataclass(frozen=True)
class _Geometry:
    """Numeric sizes of a conv layer and its index symbols."""

    layer: Layer
    base: int
    idx: ConvIndexNames
    output: tuple[int, ...]

    @property
    def batch(self) -> int:
        return self.layer.batch if self.layer.batch is not None else 1

    @property
    def channels(self) -> int:
        return self.layer.channels if self.layer.channels is not None else 1

    @property
    def filters(self) -> int:
        return self.layer.filters if self.layer.filters is not None else 1

    @property
    def channels_per_group(self) -> Dim:
        return exact_div(self.channels, self.layer.groups)

    @property
    def filters_per_group(self) -> Dim:
        return exact_div(self.filters, self.layer.groups)


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, o, *j] = [b[o] +] sum_c sum_k W[o, c, *k] * x[n, ch(o, c), *pos(j, k)]``.

    Takes a numeric conv layer and the index base (0 or 1); returns the
    equation for one output entry (formulas in the module docstring).
    """
    geo = _geometry(layer, base)
    idx = geo.idx
    n = index_or_constant(idx.batch, geo.batch, base)
    o = index_or_constant(idx.filter, geo.filters, base)
    out = pinned(idx.output, geo.output, base)
    c = index_or_constant(idx.channel, geo.channels_per_group, base)
    ker = pinned(idx.kernel, layer.kernel, base)
    body = _weight(geo, o, c, ker) * _input(geo, n, _input_channel(geo, o, c),
                                            _positions(geo, out, ker))
    rhs = _sum(geo, body, [(c, geo.channels_per_group), *zip(ker, layer.kernel)])
    if layer.bias:
        rhs = _bias(geo, o) + rhs
    return IndexEquation(TensorRef(layer.names.output, _output_indices(geo, n, o, out)), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``df[n, o, *j] / dV[...] = ...`` for V the weight, input or bias (``wrt``).

    Takes a numeric conv layer, the index base and ``wrt`` in
    :data:`WRT_CHOICES`; returns one entry of the Jacobian (formulas in the
    module docstring).
    """
    return _JACOBIANS[_checked_wrt(layer, wrt)](_geometry(layer, base))


def loss_gradient_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``dl/dV[...] = ...`` in terms of the upstream gradient g = dl/df, for V named by ``wrt``.

    Takes a numeric conv layer, the index base and ``wrt`` in
    :data:`WRT_CHOICES`; returns one entry of the gradient (formulas in the
    module docstring).
    """
    return _LOSS_GRADIENTS[_checked_wrt(layer, wrt)](_geometry(layer, base))


# --- Jacobians ------------------------------------------------------------------------------

def _jacobian_weight(geo: _Geometry) -> IndexEquation:
    idx, base, layer = geo.idx, geo.base, geo.layer
    n, o, out = _output_free(geo)
    p = index_or_constant(idx.filter_wrt, geo.filters, base)
    c = index_or_constant(idx.channel, geo.channels_per_group, base)
    ker = pinned(idx.kernel, layer.kernel, base)
    rhs = sympy.KroneckerDelta(o, p) * _input(geo, n, _input_channel(geo, o, c),
                                               _positions(geo, out, ker))
    return IndexEquation(TensorRef(layer.names.output, _output_indices(geo, n, o, out)),
                         TensorRef(layer.names.weight, _weight_indices(geo, p, c, ker)), rhs)


def _jacobian_input(geo: _Geometry) -> IndexEquation:
    idx, base, layer = geo.idx, geo.base, geo.layer
    n, o, out = _output_free(geo)
    m = index_or_constant(idx.batch_wrt, geo.batch, base)
    c = index_or_constant(idx.channel, geo.channels, base)
    inp = pinned(idx.input, layer.spatial, base)
    weight_term, sums = _weight_at_input(geo, o, c, out, inp)
    rhs = sympy.KroneckerDelta(n, m) * _sum(geo, weight_term, sums)
    return IndexEquation(TensorRef(layer.names.output, _output_indices(geo, n, o, out)),
                         TensorRef(layer.names.input, _input_indices(geo, m, c, inp)), rhs)


def _jacobian_bias(geo: _Geometry) -> IndexEquation:
    n, o, out = _output_free(geo)
    p = index_or_constant(geo.idx.filter_wrt, geo.filters, geo.base)
    rhs = sympy.KroneckerDelta(o, p)
    names = geo.layer.names
    return IndexEquation(TensorRef(names.output, _output_indices(geo, n, o, out)),
                         TensorRef(names.bias, _bias_indices(geo, p)), rhs)


# --- loss gradients -------------------------------------------------------------------------

def _loss_gradient_weight(geo: _Geometry) -> IndexEquation:
    idx, base, layer = geo.idx, geo.base, geo.layer
    n, o, out = _output_free(geo)
    c = index_or_constant(idx.channel, geo.channels_per_group, base)
    ker = pinned(idx.kernel, layer.kernel, base)
    body = _upstream(geo, n, o, out) * _input(geo, n, _input_channel(geo, o, c),
                                              _positions(geo, out, ker))
    rhs = _sum(geo, body, [(n, geo.batch), *zip(out, geo.output)])
    return IndexEquation(TensorRef(layer.names.loss),
                         TensorRef(layer.names.weight, _weight_indices(geo, o, c, ker)), rhs)


def _loss_gradient_input(geo: _Geometry) -> IndexEquation:
    idx, base, layer = geo.idx, geo.base, geo.layer
    n, o, out = _output_free(geo)
    c = index_or_constant(idx.channel, geo.channels, base)
    inp = pinned(idx.input, layer.spatial, base)
    weight_term, kernel_sums = _weight_at_input(geo, o, c, out, inp)
    body = _upstream(geo, n, o, out) * weight_term
    rhs = _sum(geo, body, [(o, geo.filters), *zip(out, geo.output), *kernel_sums])
    return IndexEquation(TensorRef(layer.names.loss),
                         TensorRef(layer.names.input, _input_indices(geo, n, c, inp)), rhs)


def _loss_gradient_bias(geo: _Geometry) -> IndexEquation:
    n, o, out = _output_free(geo)
    rhs = _sum(geo, _upstream(geo, n, o, out), [(n, geo.batch), *zip(out, geo.output)])
    names = geo.layer.names
    return IndexEquation(TensorRef(names.loss), TensorRef(names.bias, _bias_indices(geo, o)), rhs)


_JACOBIANS: dict[str, Callable[[_Geometry], IndexEquation]] = {
    "weight": _jacobian_weight, "input": _jacobian_input, "bias": _jacobian_bias}
_LOSS_GRADIENTS: dict[str, Callable[[_Geometry], IndexEquation]] = {
    "weight": _loss_gradient_weight, "input": _loss_gradient_input, "bias": _loss_gradient_bias}


# --- building blocks ------------------------------------------------------------------------

def _geometry(layer: Layer, base: int) -> _Geometry:
    if layer.family != CONV:
        raise NotImplementedError(f"index expressions are implemented for conv1d/conv2d/conv3d "
                                  f"only; got {layer.op}")
    if isinstance(base, bool) or not isinstance(base, int):
        raise ValueError(f"index base must be an integer (0 or 1); got {base!r}")
    output = tuple(output_spatial(layer))
    return _Geometry(layer, base, conv_index_names(layer), output)


def _checked_wrt(layer: Layer, wrt: str) -> str:
    if wrt not in WRT_CHOICES:
        raise ValueError(f"wrt {wrt!r} is not one of {', '.join(WRT_CHOICES)}")
    if wrt == "bias" and not layer.bias:
        raise ValueError(f"{layer.op} has no bias (bias: false); there is no derivative "
                         f"with respect to it")
    return wrt


def _output_free(geo: _Geometry) -> tuple:
    """The output's batch, filter and position indices (constants where an axis has one value)."""
    idx, base = geo.idx, geo.base
    return (index_or_constant(idx.batch, geo.batch, base),
            index_or_constant(idx.filter, geo.filters, base),
            pinned(idx.output, geo.output, base))


def _sum(geo: _Geometry, body: sympy.Expr, limits: Sequence[tuple[sympy.Expr, int]]) -> sympy.Expr:
    return bounded_sum(body, limits, geo.base)


def _positions(geo: _Geometry, out: Sequence, ker: Sequence) -> tuple[sympy.Expr, ...]:
    """pos(j, k) on each spatial axis."""
    return tuple(_position(geo, a, out[a], ker[a]) for a in range(geo.layer.ndim))


def _group_offset(geo: _Geometry, o: sympy.Expr) -> sympy.Expr:
    """Cg * floor((o - b)/Fg): the first input channel (less b) of filter o's group."""
    if geo.layer.groups == 1:
        return sympy.Integer(0)
    return geo.channels_per_group * sympy.floor((o - geo.base) / as_expr(geo.filters_per_group))


def _input_channel(geo: _Geometry, o: sympy.Expr, c: sympy.Expr) -> sympy.Expr:
    """ch(o, c) = c + Cg*floor((o - b)/Fg): input channel read by filter o at weight channel c."""
    return tidy(c + _group_offset(geo, o), geo.layer)


def _weight_at_input(geo: _Geometry, o, c, out, inp) -> tuple[sympy.Expr, list]:
    """W's entry linking output position ``out`` to input position ``inp``, and sums it needs.

    Without dilation the kernel offset is k = l - S*(j - b) + P; a dilated axis
    (D > 1, K > 1) sums over k with delta(l, pos(j, k)) instead of dividing by D.
    """
    layer, b = geo.layer, geo.base
    kernel_indices, deltas, sums = [], [], []
    for a in range(layer.ndim):
        if layer.dilation[a] == 1 or layer.kernel[a] == 1:
            kernel_indices.append(tidy(inp[a] - layer.stride[a] * (out[a] - b)
                                        + layer.padding[a][0], layer))
        else:
            k = geo.idx.kernel[a]
            kernel_indices.append(k)
            deltas.append(sympy.KroneckerDelta(inp[a], _position(geo, a, out[a], k)))
            sums.append((k, layer.kernel[a]))
    weight_channel = tidy(c - _group_offset(geo, o), layer)
    return sympy.Mul(_weight(geo, o, weight_channel, kernel_indices), *deltas), sums


def _position(geo: _Geometry, axis: int, j: sympy.Expr, k: sympy.Expr) -> sympy.Expr:
    """pos(j, k) = S*(j - b) + D*(k - b) - P + b: the input position on ``axis``."""
    layer, b = geo.layer, geo.base
    return tidy(layer.stride[axis] * (j - b) + layer.dilation[axis] * (k - b)
                 + b - layer.padding[axis][0], layer)


def _output_indices(geo: _Geometry, n, o, out) -> tuple:
    layer = geo.layer
    return ((n,) if layer.batch is not None else ()) + \
        ((o,) if layer.filters is not None else ()) + tuple(out)


def _input_indices(geo: _Geometry, n, channel, positions) -> tuple:
    layer = geo.layer
    return ((n,) if layer.batch is not None else ()) + \
        ((channel,) if layer.channels is not None else ()) + tuple(positions)


def _weight_indices(geo: _Geometry, o, c, kernel) -> tuple:
    layer = geo.layer
    return ((o,) if layer.filters is not None else ()) + \
        ((c,) if layer.channels is not None else ()) + tuple(kernel)


def _bias_indices(geo: _Geometry, o) -> tuple:
    return (o,) if geo.layer.filters is not None else ()


def _input(geo: _Geometry, n, channel, positions) -> sympy.Expr:
    return tensor_entry(geo.layer.names.input, *_input_indices(geo, n, channel, positions))


def _weight(geo: _Geometry, o, c, kernel) -> sympy.Expr:
    return tensor_entry(geo.layer.names.weight, *_weight_indices(geo, o, c, kernel))


def _upstream(geo: _Geometry, n, o, out) -> sympy.Expr:
    return tensor_entry(geo.layer.names.upstream, *_output_indices(geo, n, o, out))


def _bias(geo: _Geometry, o) -> sympy.Expr:
    indices = _bias_indices(geo, o)
    name = geo.layer.names.bias
    return tensor_entry(name, *indices) if indices else sympy.Symbol(name)
