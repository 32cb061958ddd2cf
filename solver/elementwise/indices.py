"""Index variables of convolution index expressions, and the range of each free index.

Names (chosen so that the seed's answers read ``f[1,j]``, ``W[1,c,k]``, ``x[c,l]``):

==================  =====  =========  ===============
role                1d     2d         3d
==================  =====  =========  ===============
output position     j      i, j       h, i, j
input position      l      r, s       q, r, s
kernel offset       k      u, v       t, u, v
==================  =====  =========  ===============

plus ``n`` (batch of the output), ``m`` (batch of the input in ``df/dx``),
``o`` (filter of the output and of ``W``/``b`` in ``dl/dW``), ``p`` (filter of
``W``/``b`` in ``df/dW``, ``df/db``) and ``c`` (channel of ``x``, or of ``W``
in weight derivatives). None of these letters repeats within one role set,
so summation indices never clash with free ones. An index letter that equals
the name of a tensor of the layer (say the spec names its input ``k``) or of
one of its size symbols gets a digit appended (``k2``) so that printed answers
stay unambiguous; the loss is exempt because it is never indexed
(``dl/dx[c, l]`` is the seed's notation).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from solver.arith import normalize
from solver.layers import Layer
from solver.notation import IndexEquation, TensorRef, index_symbol
from solver.shapes import tensor_shapes

_OUTPUT = {0: (), 1: ("j",), 2: ("i", "j"), 3: ("h", "i", "j")}
_INPUT = {0: (), 1: ("l",), 2: ("r", "s"), 3: ("q", "r", "s")}
_KERNEL = {0: (), 1: ("k",), 2: ("u", "v"), 3: ("t", "u", "v")}


@dataclass(frozen=True)
class ConvIndexNames:
    """The index symbols used in the expressions of one convolution layer."""

    batch: sympy.Symbol
    batch_wrt: sympy.Symbol
    filter: sympy.Symbol
    filter_wrt: sympy.Symbol
    channel: sympy.Symbol
    output: tuple[sympy.Symbol, ...]
    input: tuple[sympy.Symbol, ...]
    kernel: tuple[sympy.Symbol, ...]


def conv_index_names(layer: Layer) -> ConvIndexNames:
    """The index symbols for ``layer`` (table above), renamed away from its indexed tensors' names."""
    def pick(letter: str) -> sympy.Symbol:
        return fresh_index(layer, letter)

    ndim = layer.ndim
    return ConvIndexNames(
        batch=pick("n"), batch_wrt=pick("m"), filter=pick("o"), filter_wrt=pick("p"),
        channel=pick("c"),
        output=tuple(pick(letter) for letter in _OUTPUT[ndim]),
        input=tuple(pick(letter) for letter in _INPUT[ndim]),
        kernel=tuple(pick(letter) for letter in _KERNEL[ndim]),
    )


def fresh_index(layer: Layer, letter: str) -> sympy.Symbol:
    """The index symbol ``letter``, with a digit appended while it names a tensor of ``layer``."""
    names = layer.names
    taken = {names.input, names.weight, names.bias, names.output, names.upstream,
             *(symbol.name for symbol in layer.size_symbols)}
    name, suffix = letter, 2
    while name in taken:
        name, suffix = f"{letter}{suffix}", suffix + 1
    return index_symbol(name)


def pinned(symbols, sizes, base: int) -> tuple:
    """:func:`index_or_constant` of each (symbol, size) pair."""
    return tuple(index_or_constant(s, size, base) for s, size in zip(symbols, sizes))


def bounded_sum(body: sympy.Expr, limits, base: int) -> sympy.Expr:
    """``sum`` of body over the (index, size) pairs listed outermost first, from ``base``;
    pinned (constant) indices are skipped."""
    kept = [(var, base, base + size - 1) for var, size in limits if isinstance(var, sympy.Symbol)]
    return sympy.Sum(body, *reversed(kept)) if kept else body


def index_or_constant(symbol: sympy.Symbol, size: int, base: int) -> sympy.Expr:
    """``symbol`` for an axis of ``size`` values, or the constant ``base`` when size is 1."""
    return sympy.Integer(base) if size == 1 else symbol


def iverson(condition: sympy.Basic) -> sympy.Expr:
    """[condition]: 1 when it holds, else 0 (a Piecewise; just 1 for a condition that is true)."""
    if condition is sympy.true:
        return sympy.Integer(1)
    return sympy.Piecewise((sympy.Integer(1), condition), (sympy.Integer(0), True))


def tidy(expr: sympy.Expr, layer: Layer) -> sympy.Expr:
    """``expr`` expanded for a numeric layer (2*j + k - 2); kept in its textbook grouping
    (S*(j - 1) + D*(k - 1) + 1 - P) when the layer has symbolic sizes."""
    return expr if layer.is_symbolic else sympy.expand(expr)


def tensor_shape_by_name(layer: Layer) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape in the layout of :mod:`solver.shapes` (g has the output's shape)."""
    shapes = tensor_shapes(layer)
    found = {layer.names.input: shapes.input, layer.names.output: shapes.output,
             layer.names.upstream: shapes.output, layer.names.loss: ()}
    if shapes.weight is not None:
        found[layer.names.weight] = shapes.weight
    if shapes.bias is not None:
        found[layer.names.bias] = shapes.bias
    return found


def free_index_ranges(eq: IndexEquation, layer: Layer, base: int) -> dict[sympy.Symbol, range]:
    """Each free index symbol on the left-hand side of ``eq`` -> its values (numeric layers).

    An index at axis a of tensor T ranges over base .. base + shape(T)[a] - 1.
    Constant indices (axes with one value) are not listed.
    """
    return {index: range(first, last + 1)
            for index, (first, last) in free_index_bounds(eq, layer, base).items()}


def free_index_bounds(eq: IndexEquation, layer: Layer, base: int) -> dict[sympy.Symbol, tuple]:
    """Each free index symbol on the left-hand side of ``eq`` -> its (first, last) values.

    An index at axis a of tensor T runs from base to base + shape(T)[a] - 1,
    an int for a numeric layer and a sympy expression in the layer's size
    symbols otherwise. Constant indices (axes with one value) are not listed.
    """
    shapes = tensor_shape_by_name(layer)
    bounds: dict[sympy.Symbol, tuple] = {}
    for ref in (eq.of, eq.wrt):
        if ref is None:
            continue
        shape = _shape_of(ref, shapes)
        for index, size in zip(ref.indices, shape):
            if isinstance(index, sympy.Symbol):
                found = (base, normalize(base + size - 1))
                if bounds.setdefault(index, found) != found:
                    raise ValueError(f"index {index} ranges over two different axes "
                                     f"({bounds[index]} and {found})")
    return bounds


def _shape_of(ref: TensorRef, shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    if ref.name not in shapes:
        raise ValueError(f"unknown tensor {ref.name!r}; this layer's tensors are "
                         f"{', '.join(shapes)}")
    shape = shapes[ref.name]
    if len(shape) != len(ref.indices):
        raise ValueError(f"{ref.name} has {len(shape)} axes {shape}; found "
                         f"{len(ref.indices)} indices {ref.indices}")
    return shape
