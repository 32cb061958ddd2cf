"""Integer arithmetic that works the same on Python ints and sympy expressions.

The shape formulas are written once and give exact ints for numeric layers
and sympy expressions (with ``floor``) for symbolic ones.
"""

from __future__ import annotations

import sympy

from solver.layers import Dim


def is_number(value: Dim) -> bool:
    """True for a plain Python int (not bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def floor_div(a: Dim, b: Dim) -> Dim:
    """floor(a / b): Python ``//`` (rounds toward -inf, like ATen's div_rtn) or ``sympy.floor``."""
    if is_number(a) and is_number(b):
        return a // b
    return sympy.floor(sympy.Mul(a, sympy.Pow(b, -1)))


def ceil_div(a: Dim, b: Dim) -> Dim:
    """ceil(a / b) for ints or sympy expressions."""
    if is_number(a) and is_number(b):
        return -((-a) // b)
    return sympy.ceiling(sympy.Mul(a, sympy.Pow(b, -1)))


def product(values) -> Dim:
    """The product of ints or expressions (1 for none)."""
    result: Dim = 1
    for v in values:
        result = result * v
    return result if not isinstance(result, sympy.Basic) else sympy.expand(result)


def as_int(value: Dim) -> int | None:
    """``value`` as an int when it is a number (a Python int or a sympy Integer), else None."""
    if is_number(value):
        return value
    if isinstance(value, sympy.Integer):
        return int(value)
    return None


def normalize(value: Dim) -> Dim:
    """A sympy expression that is a plain integer becomes an int; others stay as they are."""
    as_integer = as_int(value)
    return as_integer if as_integer is not None else value


def exact_div(a: Dim, b: Dim) -> Dim:
    """a / b where b is known to divide a (groups dividing the channels): ``//`` for ints, the
    plain quotient ``C/G`` for sympy expressions."""
    if is_number(a) and is_number(b):
        return a // b
    return as_expr(a) / b


def as_expr(value: Dim) -> sympy.Expr:
    """``value`` as a sympy expression (an int becomes an Integer)."""
    return sympy.Integer(value) if is_number(value) else value


def maximum(a: Dim, b: Dim) -> Dim:
    """max(a, b) for ints or sympy expressions."""
    if is_number(a) and is_number(b):
        return max(a, b)
    return sympy.Max(a, b)
