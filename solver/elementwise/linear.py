"""Element-wise index expressions of a fully connected layer (numeric sizes).

x ([N], C), W (F, C), b (F), f and g ([N], F), index base b:

* ``f[n, o] = b[o] + sum_c W[o, c] * x[n, c]``;
* ``df[n, o]/dW[p, c] = delta(o, p) * x[n, c]``; ``df[n, o]/dx[m, c] = delta(n, m) * W[o, c]``;
  ``df[n, o]/db[p] = delta(o, p)``;
* ``dl/dW[o, c] = sum_n g[n, o] * x[n, c]``; ``dl/dx[n, c] = sum_o g[n, o] * W[o, c]``;
  ``dl/db[o] = sum_n g[n, o]``.

An axis of one value is written as the constant b; the batch axis only when the layer has one.
"""

from __future__ import annotations

import sympy

from solver.elementwise.indices import bounded_sum, conv_index_names, index_or_constant
from solver.layers import Layer
from solver.notation import IndexEquation, TensorRef, tensor_entry


class _Linear:
    def __init__(self, layer: Layer, base: int):
        idx = conv_index_names(layer)
        self.layer, self.base = layer, base
        self.batch = layer.batch or 1
        self.n = index_or_constant(idx.batch, self.batch, base)
        self.m = index_or_constant(idx.batch_wrt, self.batch, base)
        self.o = index_or_constant(idx.filter, layer.filters, base)
        self.p = index_or_constant(idx.filter_wrt, layer.filters, base)
        self.c = index_or_constant(idx.channel, layer.channels, base)

    def lead(self, n) -> tuple:
        return (n,) if self.layer.batch is not None else ()

    def ref(self, role: str, *indices) -> TensorRef:
        return TensorRef(getattr(self.layer.names, role), tuple(indices))

    def entry(self, role: str, *indices) -> sympy.Expr:
        return tensor_entry(getattr(self.layer.names, role), *indices)


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, o] = b[o] + sum_c W[o, c] x[n, c]``."""
    lin = _Linear(layer, base)
    rhs = bounded_sum(lin.entry("weight", lin.o, lin.c) * lin.entry("input", *lin.lead(lin.n), lin.c),
                      [(lin.c, layer.channels)], base)
    if layer.bias:
        rhs = lin.entry("bias", lin.o) + rhs
    return IndexEquation(lin.ref("output", *lin.lead(lin.n), lin.o), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``df[n, o] / dV[...]`` for V the weight, input or bias (module docstring)."""
    lin = _Linear(layer, base)
    of = lin.ref("output", *lin.lead(lin.n), lin.o)
    if wrt == "weight":
        return IndexEquation(of, lin.ref("weight", lin.p, lin.c), sympy.KroneckerDelta(lin.o, lin.p)
                             * lin.entry("input", *lin.lead(lin.n), lin.c))
    if wrt == "input":
        return IndexEquation(of, lin.ref("input", *lin.lead(lin.m), lin.c),
                             sympy.KroneckerDelta(lin.n, lin.m) * lin.entry("weight", lin.o, lin.c))
    return IndexEquation(of, lin.ref("bias", lin.p), sympy.KroneckerDelta(lin.o, lin.p))


def loss_gradient_element(layer: Layer, base: int, wrt: str) -> IndexEquation:
    """``dl/dV[...]`` in terms of g = dl/df (module docstring)."""
    lin = _Linear(layer, base)
    g = lin.entry("upstream", *lin.lead(lin.n), lin.o)
    loss = TensorRef(layer.names.loss)
    if wrt == "weight":
        body = g * lin.entry("input", *lin.lead(lin.n), lin.c)
        return IndexEquation(loss, lin.ref("weight", lin.o, lin.c),
                             bounded_sum(body, [(lin.n, lin.batch)], base))
    if wrt == "input":
        return IndexEquation(loss, lin.ref("input", *lin.lead(lin.n), lin.c),
                             bounded_sum(g * lin.entry("weight", lin.o, lin.c),
                                         [(lin.o, layer.filters)], base))
    return IndexEquation(loss, lin.ref("bias", lin.o), bounded_sum(g, [(lin.n, lin.batch)], base))
