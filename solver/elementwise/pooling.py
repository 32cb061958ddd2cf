"""Element-wise index expressions of max and average pooling (average pooling also with
symbolic sizes).

Index base b; per spatial axis stride S, dilation D (max only), padding P,
kernel K, input length L. Output position j and kernel offset k (0 .. K-1)
read the input position ``pos(j, k) = S*(j - b) + D*k - P + b``. Channels
pass through (index ``c``), as does the batch (``n``).

* avg: ``f[n, c, j] = (sum_{k=b}^{b+K-1} x[n, c, S*(j - b) + k - b - P + b]) / div(j)``
  (entries in the padding are 0), where, as ATen computes it, with
  ``s = S*(j - b) - P``: ``div(j) = prod over axes of min(s + K, L + P) - s``
  (count_include_pad), or ``min(s + K, L) - max(s, 0)`` (not), or divisor_override;
  a divisor that is the same for every j is written as that number. With symbolic sizes the
  divisor is the formula, except K itself where it always is (count_include_pad without
  ceil_mode: every window then ends by L + P).
* ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) [s + b <= l <= s + b + K - 1] / div(j)``;
  ``dl/dx[n, c, l] = sum_j g[n, c, j] [s + b <= l <= s + b + K - 1] / div(j)``.
* max: ``f[n, c, j] = max_k x[n, c, q(j, k)]`` over the K taps, where q(j, k) is
  pos(j, k) when that lies in the input and otherwise the window's first tap
  inside the input, ``s + D*ceil(max(0, -s)/D) + b`` (padding never wins a max).
* max, derivatives: the gradient is routed to the first maximum, PyTorch's rule
  for ties (its CPU kernel replaces the running maximum only when a later tap is
  larger): tap k is chosen when it lies in the input, every earlier tap inside the
  input is smaller and every later one is not larger:
  ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) sum_k [tap k chosen] delta(l, pos(j, k))``,
  ``dl/dx[n, c, l] = sum_j g[n, c, j] sum_k [tap k chosen] delta(l, pos(j, k))``
  (the sums over k are written out term by term).
"""

from __future__ import annotations

import itertools
import math

import sympy

from solver.arith import as_expr
from solver.elementwise.indices import bounded_sum, conv_index_names, fresh_index, iverson, pinned, tidy
from solver.layers import MAXPOOL, Layer
from solver.notation import IndexEquation, TensorRef, tensor_entry
from solver.shapes import output_spatial


class _Pool:
    """A numeric pooling layer with its index symbols in base ``base``."""

    def __init__(self, layer: Layer, base: int):
        self.layer, self.base = layer, base
        self.idx = conv_index_names(layer)
        self.out_sizes = tuple(output_spatial(layer))
        self.n = self._axis(self.idx.batch, layer.batch)
        self.m = self._axis(self.idx.batch_wrt, layer.batch)
        self.c = self._axis(self.idx.channel, layer.channels)
        self.d = self._axis(fresh_index(layer, "d"), layer.channels)
        self.out = pinned(self.idx.output, self.out_sizes, base)
        self.inp = pinned(self.idx.input, layer.spatial, base)

    def _axis(self, symbol, size):
        return None if size is None else pinned((symbol,), (size,), self.base)[0]

    def lead(self, n, c) -> tuple:
        """The batch and channel indices present in the layout."""
        return tuple(i for i in (n, c) if i is not None)

    def start(self, axis: int, j) -> sympy.Expr:
        """s = S*(j - b) - P: the window's first position, counted from 0."""
        layer = self.layer
        return layer.stride[axis] * (j - self.base) - layer.padding[axis][0]

    def position(self, axis: int, j, k: int) -> sympy.Expr:
        """pos(j, k) = s + D*k + b for a numeric offset k."""
        return tidy(self.start(axis, j) + self.layer.dilation[axis] * k + self.base, self.layer)

    def inside(self, axis: int, position) -> sympy.Basic:
        """b <= position <= b + L - 1."""
        return sympy.And(sympy.Ge(position, self.base),
                         sympy.Le(position, self.base + self.layer.spatial[axis] - 1))

    def always_inside(self, axis: int, k: int) -> bool:
        """Whether tap k is in the input for every output position on ``axis``."""
        layer = self.layer
        return all(0 <= p * layer.stride[axis] + layer.dilation[axis] * k
                   - layer.padding[axis][0] < layer.spatial[axis]
                   for p in range(self.out_sizes[axis]))

    def tap_inside(self, j_all, taps) -> sympy.Basic:
        """The condition that the tap (one offset per axis) lies in the input."""
        conditions = [self.inside(a, self.position(a, j_all[a], k)) for a, k in enumerate(taps)
                      if not self.always_inside(a, k)]
        return sympy.And(*conditions) if conditions else sympy.true

    def x(self, n, c, positions) -> sympy.Expr:
        return tensor_entry(self.layer.names.input, *self.lead(n, c), *positions)

    def f_ref(self) -> TensorRef:
        return TensorRef(self.layer.names.output, self.lead(self.n, self.c) + tuple(self.out))

    def x_ref(self, n, c) -> TensorRef:
        return TensorRef(self.layer.names.input, self.lead(n, c) + tuple(self.inp))

    def g(self, j_all) -> sympy.Expr:
        return tensor_entry(self.layer.names.upstream, *self.lead(self.n, self.c), *j_all)

    def taps(self):
        return itertools.product(*(range(k) for k in self.layer.kernel))

    def batch_channel_delta(self) -> sympy.Expr:
        factors = [sympy.KroneckerDelta(a, b) for a, b in ((self.n, self.m), (self.c, self.d))
                   if a is not None and isinstance(a, sympy.Symbol)]
        return sympy.Mul(*factors)


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, c, *j] = ...``: the window's maximum or average (module docstring)."""
    pool = _Pool(layer, base)
    if layer.family == MAXPOOL:
        rhs = sympy.Max(*(pool.x(pool.n, pool.c, _clamped(pool, pool.out, taps))
                          for taps in pool.taps()))
    else:
        ker = pinned(pool.idx.kernel, layer.kernel, base)
        positions = [tidy(pool.start(a, pool.out[a]) + ker[a], layer) for a in range(layer.ndim)]
        rhs = bounded_sum(pool.x(pool.n, pool.c, positions), list(zip(ker, layer.kernel)), base)
        rhs = rhs / _divisor(pool, pool.out)
    return IndexEquation(pool.f_ref(), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``df[n, c, *j]/dx[m, d, *l] = ...`` (module docstring)."""
    pool = _Pool(layer, base)
    rhs = pool.batch_channel_delta() * _route(pool, pool.out, pool.n, pool.c)
    return IndexEquation(pool.f_ref(), pool.x_ref(pool.m, pool.d), rhs)


def loss_gradient_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``dl/dx[n, c, *l] = sum_j g[n, c, *j] * (df[.., j]/dx[.., l])`` (module docstring)."""
    pool = _Pool(layer, base)
    body = pool.g(pool.out) * _route(pool, pool.out, pool.n, pool.c)
    rhs = bounded_sum(body, list(zip(pool.out, pool.out_sizes)), base)
    if isinstance(rhs, sympy.Sum) and layer.family == MAXPOOL:
        # sympy's Sum folds the bracketed conditions into one nested case distinction per
        # combination of taps; keep the term-by-term form of the module docstring instead
        rhs = sympy.Expr.__new__(sympy.Sum, body, *rhs.limits)
    return IndexEquation(TensorRef(layer.names.loss), pool.x_ref(pool.n, pool.c), rhs)


def _route(pool: _Pool, j_all, n, c) -> sympy.Expr:
    """How much of output j's upstream gradient reaches input position l (without deltas)."""
    layer = pool.layer
    if layer.family != MAXPOOL:
        conditions = []
        for a in range(layer.ndim):
            first = pool.position(a, j_all[a], 0)
            conditions += [sympy.Ge(pool.inp[a], first),
                           sympy.Le(pool.inp[a], first + layer.kernel[a] - 1)]
        return iverson(sympy.And(*conditions)) / _divisor(pool, j_all)
    taps = list(pool.taps())
    values = [pool.x(n, c, [pool.position(a, j_all[a], k) for a, k in enumerate(tap)])
              for tap in taps]
    inside = [pool.tap_inside(j_all, tap) for tap in taps]
    terms = []
    for index, tap in enumerate(taps):
        beaten = [sympy.Or(sympy.Not(inside[other]), values[other] < values[index]) for other
                  in range(index)]
        not_larger = [sympy.Or(sympy.Not(inside[other]), values[other] <= values[index])
                      for other in range(index + 1, len(taps))]
        chosen = sympy.And(inside[index], *beaten, *not_larger)
        at = sympy.Mul(*(sympy.KroneckerDelta(pool.inp[a], pool.position(a, j_all[a], k))
                         for a, k in enumerate(tap)))
        terms.append(iverson(chosen) * at)
    return sympy.Add(*terms)


def _clamped(pool: _Pool, j_all, taps) -> list:
    """q(j, k) per axis: the tap's position, or the window's first position inside the input."""
    positions = []
    for a, k in enumerate(taps):
        position = pool.position(a, j_all[a], k)
        if pool.always_inside(a, k):
            positions.append(position)
            continue
        s, dilation = pool.start(a, j_all[a]), pool.layer.dilation[a]
        first = s + dilation * sympy.ceiling(sympy.Max(0, -s) / dilation) + pool.base
        positions.append(sympy.Piecewise((position, pool.inside(a, position)), (first, True)))
    return positions


def _divisor(pool: _Pool, j_all) -> sympy.Expr:
    """div(j) of average pooling (module docstring); a number when it is the same for every j."""
    layer = pool.layer
    if layer.divisor_override is not None:
        return as_expr(layer.divisor_override)
    factors = []
    for a in range(layer.ndim):
        k, n, pad = layer.kernel[a], layer.spatial[a], layer.padding[a][0]
        if layer.is_symbolic:
            factors.append(_symbolic_divisor(pool, a, j_all[a]))
            continue
        starts = [p * layer.stride[a] - pad for p in range(pool.out_sizes[a])]
        if layer.count_include_pad:
            sizes = {min(s + k, n + pad) - s for s in starts}
        else:
            sizes = {min(s + k, n) - max(s, 0) for s in starts}
        if len(sizes) == 1:
            factors.append(sympy.Integer(sizes.pop()))
            continue
        s = pool.start(a, j_all[a])
        if layer.count_include_pad:
            factors.append(sympy.Min(s + k, n + pad) - s)
        else:
            factors.append(sympy.Min(s + k, n) - sympy.Max(s, 0))
    return sympy.Mul(*factors) if factors else sympy.Integer(math.prod(layer.kernel))


def _symbolic_divisor(pool: _Pool, axis: int, j) -> sympy.Expr:
    """div(j) on ``axis`` of a layer with symbolic sizes (module docstring)."""
    layer = pool.layer
    k, n, pad = layer.kernel[axis], layer.spatial[axis], layer.padding[axis][0]
    s = pool.start(axis, j)
    if layer.count_include_pad:
        return as_expr(k) if not layer.ceil_mode else sympy.Min(s + k, n + pad) - s
    return sympy.Min(s + k, n) - sympy.Max(s, 0)
