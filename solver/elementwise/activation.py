"""Element-wise index expressions of relu and dropout (evaluation mode), numeric sizes.

x, f and g share the layout ([N], [C], *L); output indices n, c, j (1d; i, j in 2d; h, i, j
in 3d), input indices m, d, l (r, s; q, r, s) in a Jacobian, index base b:

* relu: ``f[n, c, j] = max(x[n, c, j], 0)``;
  ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) delta(j, l) [x[n, c, j] > 0]``
  (the derivative at 0 is 0, as PyTorch's); ``dl/dx[n, c, l] = g[n, c, l] [x[n, c, l] > 0]``;
* dropout in evaluation mode (the identity): ``f[n, c, j] = x[n, c, j]``,
  ``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) delta(j, l)``, ``dl/dx[n, c, l] = g[n, c, l]``.

An axis of one value is written as the constant b, and its delta (always 1) is left out.
"""

from __future__ import annotations

import sympy

from solver.elementwise.indices import conv_index_names, fresh_index, iverson, pinned
from solver.layers import Layer
from solver.notation import IndexEquation, TensorRef, tensor_entry


class PassThrough:
    """The indices of a layer whose output has its input's layout (entry j reads entry j)."""

    def __init__(self, layer: Layer, base: int):
        self.layer, self.base = layer, base
        idx = conv_index_names(layer)
        lead = [(size, out, inp) for size, out, inp in
                ((layer.batch, idx.batch, idx.batch_wrt),
                 (layer.channels, idx.channel, fresh_index(layer, "d"))) if size is not None]
        sizes = (*(size for size, _, _ in lead), *layer.spatial)
        out_names = tuple(out for _, out, _ in lead)
        in_names = tuple(inp for _, _, inp in lead)
        self.out = pinned((*out_names, *idx.output), sizes, base)
        self.inp = pinned((*in_names, *idx.input), sizes, base)
        self.same_inp = pinned((*out_names, *idx.input), sizes, base)

    def x(self, indices) -> sympy.Expr:
        return entry(self.layer.names.input, indices)

    def g(self, indices) -> sympy.Expr:
        return entry(self.layer.names.upstream, indices)

    def f_ref(self) -> TensorRef:
        return TensorRef(self.layer.names.output, tuple(self.out))

    def x_ref(self, indices) -> TensorRef:
        return TensorRef(self.layer.names.input, tuple(indices))

    def deltas(self) -> sympy.Expr:
        """prod over the axes of delta(out_a, in_a); axes of one value are left out."""
        return sympy.Mul(*(sympy.KroneckerDelta(a, b) for a, b in zip(self.out, self.inp)
                           if isinstance(a, sympy.Symbol)))


def entry(name: str, indices) -> sympy.Expr:
    """``name[indices]``, or the scalar tensor ``name`` itself when there are no indices
    (the output and g of global average pooling over an input without batch and channels)."""
    return tensor_entry(name, *indices) if indices else sympy.Symbol(name)


def _positive(entry: sympy.Expr, layer: Layer) -> sympy.Expr:
    """relu's derivative at the entry, [entry > 0]; 1 for dropout (the identity)."""
    return iverson(sympy.StrictGreaterThan(entry, 0)) if layer.family == "relu" else sympy.Integer(1)


def explain(layer: Layer, of: str) -> str:
    """Why the expression is what it is (the worked solution's first step)."""
    if layer.family == "relu":
        return {"output": "relu keeps each entry where it is and replaces a negative one by 0",
                "jacobian": "each output entry depends only on the input entry at its own index, "
                            "with slope 1 where that entry is positive and 0 elsewhere (PyTorch "
                            "takes 0 at 0 too)",
                "loss_gradient": "chain rule: each input entry reaches only the output entry at "
                                 "its own index, so g passes where the input is positive and is "
                                 "0 elsewhere"}[of]
    return {"output": "dropout in evaluation mode is the identity",
            "jacobian": "the identity's Jacobian is 1 where the indices agree and 0 elsewhere",
            "loss_gradient": "the identity passes g back unchanged"}[of]


def output_element(layer: Layer, base: int) -> IndexEquation:
    """``f[n, c, j] = max(x[n, c, j], 0)`` (relu) or ``x[n, c, j]`` (dropout)."""
    at = PassThrough(layer, base)
    entry = at.x(at.out)
    rhs = sympy.Max(entry, 0) if layer.family == "relu" else entry
    return IndexEquation(at.f_ref(), None, rhs)


def jacobian_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``df[n, c, j]/dx[m, d, l] = delta(n, m) delta(c, d) delta(j, l) [x[n, c, j] > 0]``."""
    at = PassThrough(layer, base)
    return IndexEquation(at.f_ref(), at.x_ref(at.inp), at.deltas() * _positive(at.x(at.out), layer))


def loss_gradient_element(layer: Layer, base: int, wrt: str = "input") -> IndexEquation:
    """``dl/dx[n, c, l] = g[n, c, l] [x[n, c, l] > 0]`` (relu) or ``g[n, c, l]`` (dropout)."""
    at = PassThrough(layer, base)
    rhs = at.g(at.same_inp) * _positive(at.x(at.same_inp), layer)
    return IndexEquation(TensorRef(layer.names.loss), at.x_ref(at.same_inp), rhs)
