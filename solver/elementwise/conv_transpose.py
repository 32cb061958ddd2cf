"""Element-wise index expressions of a transposed convolution, through its dual convolution.

conv_transpose (x (N, C, *L) -> f (N, F, *L_t), weight W (C, F/groups, *K)) is
the adjoint of the convolution ``dual`` from (N, F, *L_t) to (N, C, *L_c) that
has the same W as its (C, F/groups, *K) filters, stride, padding, dilation
and groups. So its expressions are the dual's with roles exchanged:

* output = the dual's input gradient with upstream x (the scatter):
  ``f[n, o, j] = b[o] + sum_c sum_l x[n, c, l] * W[c, o - Fg*floor((c - b)/Cg), j - S*(l - b) + P]``
  (dilation D > 1: summed over k with ``delta(j, S*(l - b) + D*(k - b) - P + b)``);
* ``df[n, o, j]/dx[m, c, l]`` = the dual's ``d dual[m, c, l]/dz[n, o, j]``, i.e.
  ``delta(n, m) * W[c, o - ..., j - S*(l - b) + P]``;
* ``dl/dx`` = the dual's output for input g (a convolution of g with W);
* ``dl/dW`` = the dual's weight gradient with input g and upstream x;
* ``df[n, o, j]/dW[c, q, k] = delta(o, q + Fg*floor((c - b)/Cg)) *
  sum_l x[n, c, l] * delta(j, S*(l - b) + D*(k - b) - P + b)``;
* ``df/db[p] = delta(o, p)``; ``dl/db[o] = sum_n sum_j g[n, o, j]``.

The dual's index letters are renamed so that f's channel is ``o`` and its
position ``j``, x's channel ``c`` and position ``l``, as for a convolution.
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from solver.elementwise import conv
from solver.arith import as_expr, exact_div
from solver.elementwise.indices import bounded_sum, conv_index_names, index_or_constant, pinned, tidy
from solver.layers import CONV, Layer, TensorNames
from solver.notation import IndexEquation, TensorRef, tensor_entry
from solver.shapes import output_spatial


def _dual(layer: Layer, **names) -> Layer:
    """The convolution whose input gradient is ``layer``'s output (module docstring)."""
    out = tuple(output_spatial(layer))
    base_names = layer.names
    chosen = dict(input=base_names.output, weight=base_names.weight, bias=base_names.bias,
                  output=base_names.input, upstream=base_names.upstream, loss=base_names.loss)
    chosen.update(names)
    return replace(layer, op=f"conv{layer.ndim}d", family=CONV, channels=layer.filters,
                   filters=layer.channels, spatial=out, output_padding=(), bias=False,
                   names=TensorNames(**chosen), values={})


def _swap(layer: Layer) -> dict:
    """Dual letters -> the transposed layer's (channel c <-> o, input <-> output positions)."""
    idx = conv_index_names(layer)
    pairs = [(idx.channel, idx.filter), *zip(idx.input, idx.output)]
    mapping = {}
    for a, b in pairs:
        mapping[a], mapping[b] = b, a
    return mapping


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, o, *j] = [b[o] +] sum_c sum_l x[n, c, *l] W[c, o', *(j - S(l - b) + P)]``."""
    dual = _dual(layer, upstream=layer.names.input, output=layer.names.upstream)
    eq = _lengths_named(_renamed(conv.loss_gradient_element(dual, base, "input"), _swap(layer)), layer)
    rhs = eq.rhs
    if layer.bias:
        o = eq.wrt.indices[1 if layer.batch is not None else 0] if layer.filters is not None \
            else None
        rhs = (tensor_entry(layer.names.bias, o) if o is not None
               else sympy.Symbol(layer.names.bias)) + rhs
    return IndexEquation(TensorRef(layer.names.output, eq.wrt.indices), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``df[n, o, *j] / dV[...]`` for V the input, weight or bias (module docstring)."""
    if wrt == "input":
        dual = _dual(layer)
        eq = conv.jacobian_element(dual, base, "input")
        idx = conv_index_names(layer)
        rename = {**_swap(layer), idx.batch: idx.batch_wrt, idx.batch_wrt: idx.batch}
        return _renamed(IndexEquation(TensorRef(layer.names.output, eq.wrt.indices),
                                      TensorRef(layer.names.input, eq.of.indices), eq.rhs), rename)
    if wrt == "bias":
        return _bias_jacobian(layer, base)
    return _weight_jacobian(layer, base)


def loss_gradient_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``dl/dV[...]`` in terms of g = dl/df for V the input, weight or bias (module docstring)."""
    if wrt == "input":
        dual = _dual(layer, input=layer.names.upstream, output=layer.names.input)
        eq = _renamed(conv.output_element(dual, base), _swap(layer))
        return IndexEquation(TensorRef(layer.names.loss), eq.of, eq.rhs)
    if wrt == "weight":
        dual = _dual(layer, input=layer.names.upstream, upstream=layer.names.input)
        return _lengths_named(_renamed(conv.loss_gradient_element(dual, base, "weight"), _swap(layer)), layer)
    idx, out = conv_index_names(layer), tuple(output_spatial(layer))
    n = index_or_constant(idx.batch, layer.batch or 1, base)
    o = index_or_constant(idx.filter, layer.filters or 1, base)
    j = pinned(idx.output, out, base)
    rhs = bounded_sum(tensor_entry(layer.names.upstream, *_lead(layer, n, o), *j),
                      [(n, layer.batch or 1), *zip(j, out)], base)
    return IndexEquation(TensorRef(layer.names.loss), TensorRef(layer.names.bias, _bias(layer, o)),
                         rhs)


def _bias_jacobian(layer: Layer, base: int) -> IndexEquation:
    idx, out = conv_index_names(layer), tuple(output_spatial(layer))
    n = index_or_constant(idx.batch, layer.batch or 1, base)
    o = index_or_constant(idx.filter, layer.filters or 1, base)
    p = index_or_constant(idx.filter_wrt, layer.filters or 1, base)
    j = pinned(idx.output, out, base)
    return IndexEquation(TensorRef(layer.names.output, _lead(layer, n, o) + j),
                         TensorRef(layer.names.bias, _bias(layer, p)), sympy.KroneckerDelta(o, p))


def _weight_jacobian(layer: Layer, base: int) -> IndexEquation:
    idx, out = conv_index_names(layer), tuple(output_spatial(layer))
    channels, filters = layer.channels or 1, layer.filters or 1
    per_group_c, per_group_f = exact_div(channels, layer.groups), exact_div(filters, layer.groups)
    n = index_or_constant(idx.batch, layer.batch or 1, base)
    o = index_or_constant(idx.filter, filters, base)
    q = index_or_constant(idx.filter_wrt, per_group_f, base)
    c = index_or_constant(idx.channel, channels, base)
    j = pinned(idx.output, out, base)
    k = pinned(idx.kernel, layer.kernel, base)
    l = pinned(idx.input, layer.spatial, base)
    owner = q + (per_group_f * sympy.floor((c - base) / as_expr(per_group_c))
                 if layer.groups != 1 else 0)
    deltas = [sympy.KroneckerDelta(j[a], tidy(
        layer.stride[a] * (l[a] - base) + layer.dilation[a] * (k[a] - base)
        + base - layer.padding[a][0], layer)) for a in range(layer.ndim)]
    x = tensor_entry(layer.names.input, *_lead(layer, n, c, channels_axis=True), *l)
    rhs = sympy.KroneckerDelta(o, tidy(owner, layer)) * bounded_sum(
        sympy.Mul(x, *deltas), list(zip(l, layer.spatial)), base)
    weight = tuple(i for i, size in ((c, layer.channels), (q, layer.filters)) if size is not None)
    return IndexEquation(TensorRef(layer.names.output, _lead(layer, n, o) + j),
                         TensorRef(layer.names.weight, weight + k), rhs)


def _lengths_named(eq: IndexEquation, layer: Layer) -> IndexEquation:
    """``eq`` (from the dual) with the dual's output lengths, floor((Q + S(L - 1))/S) + 1 for symbolic
    sizes, written as the input's L: x is 0 past L, so a sum over l may stop there."""
    dual_out = output_spatial(_dual(layer))
    mapping = {n: size for n, size in zip(dual_out, layer.spatial)
               if isinstance(n, sympy.Basic) and not n.is_Integer and n != size}
    return _renamed(eq, mapping) if mapping else eq


def _renamed(eq: IndexEquation, mapping: dict) -> IndexEquation:
    """``eq`` with index symbols replaced simultaneously by ``mapping``."""
    def ref(r):
        return None if r is None else TensorRef(r.name, tuple(
            (sympy.Integer(i) if isinstance(i, int) else i).xreplace(mapping) for i in r.indices))
    return IndexEquation(ref(eq.of), ref(eq.wrt), eq.rhs.xreplace(mapping))


def _lead(layer: Layer, n, channel, channels_axis: bool = False) -> tuple:
    """Batch index and channel (filters axis for f, g; ``channels_axis`` for x) when present."""
    has_channel = layer.channels is not None if channels_axis else layer.filters is not None
    return ((n,) if layer.batch is not None else ()) + ((channel,) if has_channel else ())


def _bias(layer: Layer, o) -> tuple:
    return (o,) if layer.filters is not None else ()
