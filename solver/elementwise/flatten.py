"""Element-wise index expressions of flatten (numeric sizes): an index map, row-major.

x ([N], [C], *L) -> f ([N], F) with F = C * prod(L); index base b. Entry (c, l_1, .., l_k)
of a sample goes to the flat position

    flat(c, l) = b + (c - b) * prod(L) + sum_a (l_a - b) * prod(L_{a+1}, .., L_k)

and back, with o0 = o - b and S_a = prod(L_{a+1}, .., L_k) (S_c = prod(L)):
c = floor(o0 / S_c) + b, l_a = mod(floor(o0 / S_a), L_a) + b (the mod is left out on the
leading axis, whose quotient is already below its length).

* ``f[n, o] = x[n, floor(o0/S_c) + b, mod(floor(o0/S_1), L_1) + b, ...]``;
* ``df[n, o]/dx[m, c, l] = delta(n, m) delta(o, flat(c, l))``;
* ``dl/dx[n, c, l] = g[n, flat(c, l)]``.

An axis of one value is written as the constant b.
"""

from __future__ import annotations

import math

import sympy

from solver.elementwise.indices import conv_index_names, index_or_constant, pinned
from solver.layers import Layer
from solver.notation import IndexEquation, TensorRef, tensor_entry


class _Flatten:
    def __init__(self, layer: Layer, base: int):
        idx = conv_index_names(layer)
        self.layer, self.base = layer, base
        # the input's non-batch axes: (size, output-side name, input-side name)
        sizes = ([layer.channels] if layer.channels is not None else []) + list(layer.spatial)
        names = ([idx.channel] if layer.channels is not None else []) + list(idx.input)
        self.sizes = tuple(int(s) for s in sizes)
        self.axes = pinned(names, self.sizes, base)
        self.has_batch = layer.batch is not None
        self.n = index_or_constant(idx.batch, layer.batch or 1, base)
        self.m = index_or_constant(idx.batch_wrt, layer.batch or 1, base)
        self.o = index_or_constant(idx.filter, math.prod(self.sizes), base)

    def lead(self, n) -> tuple:
        return (n,) if self.has_batch else ()

    def flat(self) -> sympy.Expr:
        """flat(c, l) = b + sum over the axes of (index - b) * (product of the later lengths)."""
        total = sympy.Integer(self.base)
        for a, index in enumerate(self.axes):
            total += (index - self.base) * math.prod(self.sizes[a + 1:])
        return sympy.expand(total)

    def unflat(self) -> list[sympy.Expr]:
        """Each input axis's index of flat position o (module docstring)."""
        o0 = self.o - self.base
        found = []
        for a, size in enumerate(self.sizes):
            if size == 1:
                found.append(sympy.Integer(self.base))
                continue
            quotient = sympy.floor(o0 / math.prod(self.sizes[a + 1:]))
            leading = all(s == 1 for s in self.sizes[:a])
            found.append((quotient if leading else sympy.Mod(quotient, size)) + self.base)
        return found

    def ref(self, name: str, *indices) -> TensorRef:
        return TensorRef(name, tuple(indices))


def explain(layer: Layer, of: str) -> str:
    """Why the expression is what it is (the worked solution's first step)."""
    return {"output": "flatten lays each sample's entries out in row-major order (the last axis "
                      "fastest): flat position o holds the entry whose indices are the digits of "
                      "o - b in the mixed radix of the input's lengths",
            "jacobian": "each output entry is one input entry, the one whose row-major position "
                        "is its index, so the derivative is 1 there and 0 elsewhere",
            "loss_gradient": "chain rule: each input entry is copied to one output position, "
                             "its row-major position, so it receives g there"}[of]


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, o] = x[n, c(o), l(o)]`` (module docstring)."""
    fl = _Flatten(layer, base)
    rhs = tensor_entry(layer.names.input, *fl.lead(fl.n), *fl.unflat())
    return IndexEquation(fl.ref(layer.names.output, *fl.lead(fl.n), fl.o), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``df[n, o]/dx[m, c, l] = delta(n, m) delta(o, flat(c, l))``."""
    fl = _Flatten(layer, base)
    rhs = sympy.KroneckerDelta(fl.o, fl.flat())
    if fl.has_batch:
        rhs = sympy.KroneckerDelta(fl.n, fl.m) * rhs
    return IndexEquation(fl.ref(layer.names.output, *fl.lead(fl.n), fl.o),
                         fl.ref(layer.names.input, *fl.lead(fl.m), *fl.axes), rhs)


def loss_gradient_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``dl/dx[n, c, l] = g[n, flat(c, l)]``."""
    fl = _Flatten(layer, base)
    rhs = tensor_entry(layer.names.upstream, *fl.lead(fl.n), fl.flat())
    return IndexEquation(TensorRef(layer.names.loss),
                         fl.ref(layer.names.input, *fl.lead(fl.n), *fl.axes), rhs)
