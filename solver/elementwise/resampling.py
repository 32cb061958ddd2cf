"""Element-wise index expressions of nearest upsampling, adaptive and global average pooling.

Numeric sizes, index base b, layout ([N], [C], *L) in and ([N], [C], *O) out; output indices
n, c, j (i, j; h, i, j), input indices m, d, l (r, s; q, r, s) in a Jacobian; per spatial axis:

* upsample (integer factor s, O = L*s): output j reads input floor((j - b)/s) + b
  (PyTorch's nearest index floor(j * (1/s)), counted from 0):
  ``f[n, c, j] = x[n, c, floor((j - b)/s) + b]``;
  ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) delta(l, floor((j - b)/s) + b)``;
  ``dl/dx[n, c, l] = sum_{k=b}^{b+s-1} g[n, c, s*(l - b) + k]``.
* adaptive average pooling: output j averages the inputs st(j) + b .. en(j) - 1 + b with
  ``st(j) = floor((j - b)*L/O)``, ``en(j) = ceil((j - b + 1)*L/O)`` (PyTorch's windows) and
  div(j) = prod over axes of en(j) - st(j) (a number when it is the same for every j):
  ``f[n, c, j] = (sum_{l=st(j)+b}^{en(j)-1+b} x[n, c, l]) / div(j)``;
  ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) [st(j) + b <= l <= en(j) - 1 + b] / div(j)``;
  ``dl/dx[n, c, l] = sum_j g[n, c, j] [st(j) + b <= l <= en(j) - 1 + b] / div(j)``.
  A window of one position everywhere is written as that position, floor((j - b)*L/O) + b.
* global average pooling, P = prod(L): ``f[n, c] = (sum_l x[n, c, l]) / P``;
  ``df[n, c]/dx[m, d, l] = delta(n, m) delta(c, d) / P``; ``dl/dx[n, c, l] = g[n, c] / P``.

An axis of one value is written as the constant b, and its delta (always 1) is left out.
"""

from __future__ import annotations

import math

import sympy

from solver.elementwise.activation import PassThrough
from solver.elementwise.indices import bounded_sum, conv_index_names, iverson, pinned
from solver.layers import Layer
from solver.notation import IndexEquation, TensorRef
from solver.ops.resampling import adaptive_windows
from solver.shapes import output_spatial


class _Resample(PassThrough):
    """PassThrough's batch/channel indices with output positions on the output's own axes."""

    def __init__(self, layer: Layer, base: int):
        super().__init__(layer, base)
        idx = conv_index_names(layer)
        lead = len(self.out) - layer.ndim
        self.out_sizes = tuple(int(o) for o in output_spatial(layer))
        self.n_c = self.out[:lead]            # batch and channel of the output (and of dl/dx)
        self.m_d = self.inp[:lead]
        self.j = pinned(idx.output, self.out_sizes, base) if layer.family != "global_avgpool" else ()
        self.l = self.inp[lead:]
        self.kernel = idx.kernel
        self.out = (*self.n_c, *self.j)

    def lead_deltas(self) -> sympy.Expr:
        return sympy.Mul(*(sympy.KroneckerDelta(a, b) for a, b in zip(self.n_c, self.m_d)
                           if isinstance(a, sympy.Symbol)))


# --- nearest upsampling -------------------------------------------------------------------

def _source(rs: _Resample, axis: int, j) -> sympy.Expr:
    """floor((j - b)/s) + b: the input position output j copies."""
    s = int(rs.layer.scale_factor[axis])
    return j if s == 1 else sympy.floor((j - rs.base) / s) + rs.base


def _upsample_output(rs: _Resample) -> sympy.Expr:
    return rs.x((*rs.n_c, *(_source(rs, a, j) for a, j in enumerate(rs.j))))


def _upsample_jacobian(rs: _Resample) -> sympy.Expr:
    return rs.lead_deltas() * sympy.Mul(*(sympy.KroneckerDelta(l, _source(rs, a, j))
                                          for a, (j, l) in enumerate(zip(rs.j, rs.l))
                                          if isinstance(j, sympy.Symbol)))


def _upsample_gradient(rs: _Resample) -> sympy.Expr:
    factors = [int(s) for s in rs.layer.scale_factor]
    k = pinned(rs.kernel, factors, rs.base)
    positions = [sympy.expand(s * (l - rs.base) + ka) for s, l, ka in zip(factors, rs.l, k)]
    return bounded_sum(rs.g((*rs.n_c, *positions)), list(zip(k, factors)), rs.base)


# --- adaptive average pooling ---------------------------------------------------------------

def _bounds(rs: _Resample, axis: int, j) -> tuple[sympy.Expr, sympy.Expr]:
    """(st(j) + b, en(j) - 1 + b): the first and last input position of output j's window."""
    n, o, b = int(rs.layer.spatial[axis]), rs.out_sizes[axis], rs.base
    windows = set(adaptive_windows(n, o))
    if len(windows) == 1:
        start, stop = windows.pop()
        return sympy.Integer(start + b), sympy.Integer(stop - 1 + b)
    return (sympy.floor((j - b) * sympy.Rational(n, o)) + b,
            sympy.ceiling((j - b + 1) * sympy.Rational(n, o)) - 1 + b)


def _single(rs: _Resample, axis: int) -> bool:
    """Whether every window on ``axis`` holds one input position."""
    return all(stop - start == 1 for start, stop in
               adaptive_windows(int(rs.layer.spatial[axis]), rs.out_sizes[axis]))


def _adaptive_divisor(rs: _Resample, j_all) -> sympy.Expr:
    """div(j) = prod over axes of en(j) - st(j); a number on axes where it never changes."""
    factors = []
    for a, j in enumerate(j_all):
        sizes = {stop - start for start, stop in
                 adaptive_windows(int(rs.layer.spatial[a]), rs.out_sizes[a])}
        if len(sizes) == 1:
            factors.append(sympy.Integer(sizes.pop()))
        else:
            first, last = _bounds(rs, a, j)
            factors.append(last - first + 1)
    return sympy.Mul(*factors)


def _adaptive_output(rs: _Resample) -> sympy.Expr:
    positions, limits = [], []
    for a, (j, l) in enumerate(zip(rs.j, rs.l)):
        first, last = _bounds(rs, a, j)
        if first == last or _single(rs, a):
            positions.append(first)
            continue
        variable = l if isinstance(l, sympy.Symbol) else conv_index_names(rs.layer).input[a]
        positions.append(variable)
        limits.append((variable, first, last))
    body = rs.x((*rs.n_c, *positions))
    total = sympy.Sum(body, *reversed(limits)) if limits else body
    return total / _adaptive_divisor(rs, rs.j)


def _adaptive_route(rs: _Resample, j_all) -> sympy.Expr:
    """prod over axes of [st(j) + b <= l <= en(j) - 1 + b] / div(j)."""
    conditions = []
    for a, (j, l) in enumerate(zip(j_all, rs.l)):
        if not isinstance(l, sympy.Symbol):
            continue                          # one input position: every window holds it
        first, last = _bounds(rs, a, j)
        conditions += [sympy.Ge(l, first), sympy.Le(l, last)]
    indicator = iverson(sympy.And(*conditions))
    return indicator / _adaptive_divisor(rs, j_all)


def _adaptive_jacobian(rs: _Resample) -> sympy.Expr:
    return rs.lead_deltas() * _adaptive_route(rs, rs.j)


def _adaptive_gradient(rs: _Resample) -> sympy.Expr:
    body = rs.g((*rs.n_c, *rs.j)) * _adaptive_route(rs, rs.j)
    return bounded_sum(body, list(zip(rs.j, rs.out_sizes)), rs.base)


# --- global average pooling -----------------------------------------------------------------

def _global_output(rs: _Resample) -> sympy.Expr:
    total = bounded_sum(rs.x((*rs.n_c, *rs.l)), list(zip(rs.l, rs.layer.spatial)), rs.base)
    return total / math.prod(int(n) for n in rs.layer.spatial)


def _global_jacobian(rs: _Resample) -> sympy.Expr:
    return rs.lead_deltas() / math.prod(int(n) for n in rs.layer.spatial)


def _global_gradient(rs: _Resample) -> sympy.Expr:
    return rs.g(rs.n_c) / math.prod(int(n) for n in rs.layer.spatial)


_RULES = {"upsample": (_upsample_output, _upsample_jacobian, _upsample_gradient),
          "adaptive_avgpool": (_adaptive_output, _adaptive_jacobian, _adaptive_gradient),
          "global_avgpool": (_global_output, _global_jacobian, _global_gradient)}


_EXPLAIN = {
    "upsample": {"output": "nearest upsampling by s copies input position floor((j - b)/s) + b "
                           "to output position j",
                 "jacobian": "each output entry is a copy of one input entry, so the derivative "
                             "is 1 for that entry and 0 for the others",
                 "loss_gradient": "chain rule: each input entry is copied to the s outputs "
                                  "s*(l - b) + b .. s*(l - b) + b + s - 1 along each axis, so it "
                                  "collects their g"},
    "adaptive_avgpool": {"output": "output j averages PyTorch's window, input positions "
                                   "floor((j - b)*L/O) + b to ceil((j - b + 1)*L/O) - 1 + b on "
                                   "each axis (windows may overlap and differ in size)",
                         "jacobian": "an output is the mean of its window, so its derivative is "
                                     "1/(window size) for the inputs in the window and 0 outside",
                         "loss_gradient": "chain rule: each input entry receives g of every "
                                          "output whose window contains it, divided by that "
                                          "window's size"},
    "global_avgpool": {"output": "global average pooling is the mean over every position of "
                                 "each channel",
                       "jacobian": "the mean's derivative is 1/(number of positions) for every "
                                   "input of the same sample and channel",
                       "loss_gradient": "chain rule: every position of a channel receives that "
                                        "channel's g divided by the number of positions"},
}


def explain(layer: Layer, of: str) -> str:
    """Why the expression is what it is (the worked solution's first step)."""
    return _EXPLAIN[layer.family][of]


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, c, j] = ...`` (module docstring)."""
    rs = _Resample(layer, base)
    return IndexEquation(rs.f_ref(), None, _RULES[layer.family][0](rs))


def jacobian_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``df[n, c, j]/dx[m, d, l] = ...`` (module docstring)."""
    rs = _Resample(layer, base)
    return IndexEquation(rs.f_ref(), rs.x_ref(rs.inp), _RULES[layer.family][1](rs))


def loss_gradient_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``dl/dx[n, c, l] = ...`` (module docstring)."""
    rs = _Resample(layer, base)
    same = (*rs.n_c, *rs.l)
    return IndexEquation(TensorRef(layer.names.loss), rs.x_ref(same), _RULES[layer.family][2](rs))
