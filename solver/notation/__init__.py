"""The project's own safe math notation: the one API that the solver and the grader import.

* Reading: ``read_expression``, ``read_relation``, ``read_shape``, ``read_equation`` turn text
  into the project's immutable tree (:mod:`solver.notation.tree`). Nothing evaluates text:
  a hand-written tokenizer and recursive-descent parser build the nodes, with the size limits
  of :mod:`solver.notation.limits` checked while they are built.
* Evaluating: ``compile_tree``/``evaluate_tree`` (exact, at one point) and ``values_at``
  (many integer points at once).
* Printing: ``to_text``, ``to_latex``, ``shape_to_text``, ``shape_to_latex``,
  ``equation_to_text``, ``equation_to_latex`` print trees (or, at the edge, sympy objects).
* Building: ``tree`` holds the node types, ``build`` their constructors that fold numbers.
* The sympy edge: ``to_sympy``/``from_sympy``, and ``parse_expression``, ``parse_relation``,
  ``parse_shape``, ``parse_equation``, which read text into sympy for the solver's spec
  formulas. The grader never needs them.
"""

from __future__ import annotations

from typing import Collection, Mapping

from solver.notation import build, tree
from solver.notation.convert import equation_from_sympy, equation_to_sympy, from_sympy, index_symbol, to_sympy
from solver.notation.equations import read_equation
from solver.notation.errors import NotationError
from solver.notation.exact import Budget, DivisionByZero, EvaluationError, compile_tree, evaluate_tree
from solver.notation.expressions import NO_ALIASES, read_expression, read_relation
from solver.notation.printer import (LATEX, TEXT, UNICODE, equation_latex, equation_text, lhs_text, render, shape_latex,
                                     shape_text)
from solver.notation.equation import IndexEquation, TensorRef, tensor_entry
from solver.notation.shapes import has_axis_separator, read_shape
from solver.notation.vectorized import UNDEFINED, PointwiseError, rationals_at, same_values, values_at


def _as_tree(value) -> tree.Node:
    if isinstance(value, tree.Node):
        return value
    return from_sympy(value)


def to_text(value) -> str:
    """Plain text of a tree or a sympy expression, read back by read_expression/read_relation.

    E.g. ``floor((H + 2*P - D*(K - 1) - 1)/S) + 1``, ``Sum(W[1, c, k]*x[c, 2*j + k - 2], (k, 1, 3))``.
    """
    return render(_as_tree(value), TEXT)


def to_unicode(value) -> str:
    """Text for people of a tree or a sympy expression: ``⌊(10 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1``."""
    return render(_as_tree(value), UNICODE)


def to_latex(value) -> str:
    """LaTeX of a tree or a sympy expression, read back by read_expression/read_relation."""
    return render(_as_tree(value), LATEX)


def shape_to_text(shape) -> str:
    """'4 x 5', 'F x (floor((H + 2*P - D*(K - 1) - 1)/S) + 1) x ...' for sizes given as trees, ints or sympy."""
    return shape_text(tuple(_as_tree(size) for size in shape))


def shape_to_latex(shape) -> str:
    """'4 \\times 5', with sums in \\left( \\right)."""
    return shape_latex(tuple(_as_tree(size) for size in shape))


def _as_equation(eq) -> tree.Equation:
    return eq if isinstance(eq, tree.Equation) else equation_from_sympy(eq)


def equation_to_text(eq) -> str:
    """'f[1, j] = ...', 'df[1, j]/dW[1, c, k] = ...' for a tree Equation or a sympy IndexEquation."""
    return equation_text(_as_equation(eq))


def equation_to_latex(eq) -> str:
    """'\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}} = ...' for a tree Equation or a sympy IndexEquation."""
    return equation_latex(_as_equation(eq))


# ---- text -> sympy, for the solver's spec formulas -------------------------------------------

def parse_expression(text, *, names: Collection[str] = (), sums: bool = True):
    """Read math text into a sympy expression (read_expression, then to_sympy). With ``sums=False``
    (spec sizes) a bounded sum or a tensor entry is refused: sympy would evaluate a constant sum
    term by term. Raises NotationError."""
    return to_sympy(_sizes_only(read_expression(text, names=names), sums))


def parse_relation(text, *, names: Collection[str] = (), sums: bool = True):
    """Read a condition ('H >= K', '1 <= m <= 3') into a sympy Boolean (``sums`` as in
    :func:`parse_expression`). Raises NotationError."""
    return to_sympy(_sizes_only(read_relation(text, names=names), sums))


def parse_shape(value, *, names: Collection[str] = (), sums: bool = True) -> tuple:
    """Read a shape into a tuple of sympy sizes; sympy items of a list pass through (``sums`` as in
    :func:`parse_expression`). Raises NotationError."""
    if isinstance(value, (list, tuple)):
        return tuple(item if _is_sympy(item) else
                     to_sympy(_sizes_only(read_shape([item], names=names)[0], sums)) for item in value)
    if _is_sympy(value):
        return (value,)
    return tuple(to_sympy(_sizes_only(size, sums)) for size in read_shape(value, names=names))


def parse_equation(text, *, names: Collection[str] = (), aliases: Mapping[str, str] = NO_ALIASES):
    """Read ``LHS = RHS`` into a sympy IndexEquation (read_equation, then to_sympy). Raises NotationError."""
    return equation_to_sympy(read_equation(text, names=names, aliases=aliases))


def _sizes_only(node: tree.Node, sums: bool) -> tree.Node:
    if not sums:
        for part in tree.walk(node):
            if isinstance(part, (tree.Sum, tree.Entry)):
                kind = "a sum" if isinstance(part, tree.Sum) else f"the tensor entry {part.name}[...]"
                raise NotationError(f"a size or assumption cannot contain {kind}",
                                    hint="write sizes with numbers, symbols, + - * / ^, floor, ceil, max, min")
    return node


def _is_sympy(value) -> bool:
    return type(value).__module__.startswith("sympy")


__all__ = [
    "tree", "build", "NotationError", "EvaluationError", "DivisionByZero", "PointwiseError", "Budget", "UNDEFINED",
    "read_expression", "read_relation", "read_shape", "read_equation", "has_axis_separator",
    "IndexEquation", "TensorRef", "tensor_entry",
    "compile_tree", "evaluate_tree", "values_at", "rationals_at", "same_values",
    "to_text", "to_unicode", "to_latex", "shape_to_text", "shape_to_latex", "equation_to_text", "equation_to_latex", "lhs_text",
    "to_sympy", "from_sympy", "equation_to_sympy", "equation_from_sympy", "index_symbol",
    "parse_expression", "parse_relation", "parse_shape", "parse_equation",
]
