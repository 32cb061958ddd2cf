"""Exact evaluation of a scalar formula at many integer points at once.

One walk over the sympy tree evaluates the formula at every point, with
numpy object arrays of Python ints and Fractions, so ``floor`` and ``ceil``
are exact. Supported: numbers, symbols, +, *, integer powers, floor,
ceiling, Max, Min, Abs, Mod, Piecewise, relationals and And/Or/Not.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy

from grader.checks.rational_arrays import Rationals, TooLarge, Unsupported, evaluate_rationals


class PointwiseError(ValueError):
    """A formula uses something that cannot be evaluated at integer points."""


UNDEFINED = None  # a point where the formula divides by zero

_floor = np.frompyfunc(lambda v: v if v is UNDEFINED else math.floor(v), 1, 1)
_ceil = np.frompyfunc(lambda v: v if v is UNDEFINED else math.ceil(v), 1, 1)


def _inverse(v):
    if v is UNDEFINED or v == 0:
        return UNDEFINED
    return Fraction(1, v) if isinstance(v, int) else 1 / v


def _binary(op):
    return np.frompyfunc(lambda a, b: UNDEFINED if a is UNDEFINED or b is UNDEFINED else op(a, b),
                         2, 1)


_add, _mul = _binary(lambda a, b: a + b), _binary(lambda a, b: a * b)
_inv = np.frompyfunc(_inverse, 1, 1)
_mod = _binary(lambda a, b: UNDEFINED if b == 0 else a - b * math.floor(Fraction(a) / b))
_max, _min = _binary(max), _binary(min)
_abs = np.frompyfunc(lambda v: v if v is UNDEFINED else abs(v), 1, 1)
_COMPARE = {sympy.Eq: lambda a, b: a == b, sympy.Ne: lambda a, b: a != b,
            sympy.Lt: lambda a, b: a < b, sympy.Le: lambda a, b: a <= b,
            sympy.Gt: lambda a, b: a > b, sympy.Ge: lambda a, b: a >= b}


def values_at(expr: sympy.Basic, points: dict[sympy.Symbol, np.ndarray], size: int) -> np.ndarray:
    """The values of ``expr`` at ``size`` points (object array; None where undefined).

    ``points`` maps each symbol to an int array of length ``size``. Tries the
    int64 rational path first and falls back to Python ints and Fractions.
    """
    try:
        fast = evaluate_rationals(expr, points, size)
    except (TooLarge, Unsupported, FloatingPointError):
        pass
    else:
        return _to_objects(fast)
    result = _walk(expr, points, size)
    if not isinstance(result, np.ndarray):
        result = np.full(size, result, dtype=object)
    return result


def _walk(expr, points, size):
    if isinstance(expr, int):
        return expr
    if isinstance(expr, sympy.Integer):
        return int(expr)
    if isinstance(expr, sympy.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if expr is sympy.true or expr is sympy.false:
        return bool(expr)
    if isinstance(expr, sympy.Symbol):
        if expr not in points:
            raise PointwiseError(f"unknown symbol {expr.name}")
        return points[expr].astype(object)
    args = [_walk(a, points, size) for a in expr.args] if not isinstance(expr, sympy.Piecewise) else None
    if isinstance(expr, sympy.Add):
        return _reduce(_add, args)
    if isinstance(expr, sympy.Mul):
        return _reduce(_mul, args)
    if isinstance(expr, sympy.Pow):
        base, exponent = args
        if not isinstance(exponent, int):
            raise PointwiseError("only integer powers can be compared")
        if exponent >= 0:
            return _reduce(_mul, [base] * exponent) if exponent else 1
        inverse = _inv(base) if isinstance(base, np.ndarray) else _inverse(base)
        return _reduce(_mul, [inverse] * (-exponent))
    if isinstance(expr, sympy.floor):
        return _floor(args[0])
    if isinstance(expr, sympy.ceiling):
        return _ceil(args[0])
    if isinstance(expr, sympy.Max):
        return _reduce(_max, args)
    if isinstance(expr, sympy.Min):
        return _reduce(_min, args)
    if isinstance(expr, sympy.Abs):
        return _abs(args[0])
    if isinstance(expr, sympy.Mod):
        return _mod(args[0], args[1])
    if type(expr) in _COMPARE:
        return _binary(_COMPARE[type(expr)])(args[0], args[1])
    if isinstance(expr, sympy.And):
        return _reduce(_binary(lambda a, b: bool(a) and bool(b)), args)
    if isinstance(expr, sympy.Or):
        return _reduce(_binary(lambda a, b: bool(a) or bool(b)), args)
    if isinstance(expr, sympy.Not):
        return np.frompyfunc(lambda v: v if v is UNDEFINED else not v, 1, 1)(args[0])
    if isinstance(expr, sympy.Piecewise):
        return _piecewise(expr, points, size)
    raise PointwiseError(f"{type(expr).__name__} cannot be compared at integer points")


def _to_objects(values: Rationals) -> np.ndarray:
    result = values.num.astype(object)
    fractional = values.den != 1
    for index in np.flatnonzero(fractional):
        result[index] = Fraction(int(values.num[index]), int(values.den[index]))
    result[~values.ok] = UNDEFINED
    return result


def _piecewise(expr, points, size):
    result = np.full(size, UNDEFINED, dtype=object)
    decided = np.zeros(size, dtype=bool)
    for value, condition in expr.args:
        holds = np.asarray(np.broadcast_to(_walk(condition, points, size), (size,)), dtype=object)
        take = np.array([h is not UNDEFINED and bool(h) for h in holds]) & ~decided
        if take.any():
            values = np.broadcast_to(np.asarray(_walk(value, points, size), dtype=object), (size,))
            result[take] = values[take]
            decided |= take
    return result


def _reduce(op, args):
    result = args[0]
    for arg in args[1:]:
        result = op(result, arg)
    return result
