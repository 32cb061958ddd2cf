"""Fast exact evaluation at many points: rationals as pairs of int64 arrays.

Every value is ``numerator / denominator`` with ``denominator > 0`` and the
pair reduced, plus a mask of points where it is defined (no division by
zero). Magnitudes are kept below 2**31 so that no product overflows int64;
past that, :class:`TooLarge` tells the caller to use the exact
object-array path in :mod:`grader.checks.pointwise`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

_LIMIT = 2**31


class TooLarge(ArithmeticError):
    """A value left the range where int64 arithmetic is exact."""


class Unsupported(ValueError):
    """A node this fast path does not handle (the caller falls back)."""


@dataclass(frozen=True)
class Rationals:
    """Values at every point: ``num/den`` where ``ok``; booleans use ``num`` in {0, 1}."""

    num: np.ndarray
    den: np.ndarray
    ok: np.ndarray


def evaluate_rationals(expr, columns: dict, size: int) -> Rationals:
    """``expr`` at every point (``columns[symbol]`` int arrays of length ``size``)."""
    return _walk(expr, columns, size)


def _make(num, den, ok) -> Rationals:
    if not ok.all():
        den = np.where(ok, den, 1)
        num = np.where(ok, num, 0)
    if (den != 1).any():          # integers (the usual case) need no reduction
        g = np.gcd(num, den)
        g[g == 0] = 1
        num, den = num // g, den // g
    if np.abs(num).max(initial=0) >= _LIMIT or den.max(initial=1) >= _LIMIT:
        raise TooLarge()
    return Rationals(num, den, ok)


def _constant(value: int, size: int, den: int = 1) -> Rationals:
    if abs(value) >= _LIMIT or den >= _LIMIT:
        raise TooLarge()
    return Rationals(np.full(size, value, dtype=np.int64), np.full(size, den, dtype=np.int64),
                     np.ones(size, dtype=bool))


def _add(a: Rationals, b: Rationals) -> Rationals:
    return _make(a.num * b.den + b.num * a.den, a.den * b.den, a.ok & b.ok)


def _mul(a: Rationals, b: Rationals) -> Rationals:
    return _make(a.num * b.num, a.den * b.den, a.ok & b.ok)


def _inverse(a: Rationals) -> Rationals:
    ok = a.ok & (a.num != 0)
    return _make(np.sign(a.num) * a.den, np.where(ok, np.abs(a.num), 1), ok)


def _floor(a: Rationals) -> Rationals:
    return Rationals(a.num // a.den, np.ones_like(a.den), a.ok)


def _ceil(a: Rationals) -> Rationals:
    return Rationals(-((-a.num) // a.den), np.ones_like(a.den), a.ok)


def _compare(a: Rationals, b: Rationals, op) -> Rationals:
    left, right = a.num * b.den, b.num * a.den
    return Rationals(op(left, right).astype(np.int64), np.ones_like(a.den), a.ok & b.ok)


def _pick(a: Rationals, b: Rationals, take_a: np.ndarray) -> Rationals:
    return Rationals(np.where(take_a, a.num, b.num), np.where(take_a, a.den, b.den), a.ok & b.ok)


_RELATIONS = {sympy.Eq: np.equal, sympy.Ne: np.not_equal, sympy.Lt: np.less,
              sympy.Le: np.less_equal, sympy.Gt: np.greater, sympy.Ge: np.greater_equal}


def _walk(expr, columns, size) -> Rationals:
    if isinstance(expr, int):
        return _constant(expr, size)
    if isinstance(expr, sympy.Integer):
        return _constant(int(expr), size)
    if isinstance(expr, sympy.Rational):
        return _constant(int(expr.p), size, int(expr.q))
    if expr is sympy.true or expr is sympy.false:
        return _constant(int(bool(expr)), size)
    if isinstance(expr, sympy.Symbol):
        if expr not in columns:
            raise Unsupported(expr.name)
        values = np.asarray(columns[expr], dtype=np.int64)
        return _make(values, np.ones(size, dtype=np.int64), np.ones(size, dtype=bool))
    if isinstance(expr, sympy.Piecewise):
        return _piecewise(expr, columns, size)
    args = [_walk(arg, columns, size) for arg in expr.args]
    if isinstance(expr, sympy.Add):
        return _fold(_add, args)
    if isinstance(expr, sympy.Mul):
        return _fold(_mul, args)
    if isinstance(expr, sympy.Pow):
        return _power(expr, args[0])
    if isinstance(expr, sympy.floor):
        return _floor(args[0])
    if isinstance(expr, sympy.ceiling):
        return _ceil(args[0])
    if isinstance(expr, (sympy.Max, sympy.Min)):
        pick = np.greater if isinstance(expr, sympy.Max) else np.less
        return _fold(lambda a, b: _pick(a, b, pick(a.num * b.den, b.num * a.den)), args)
    if isinstance(expr, sympy.Abs):
        return Rationals(np.abs(args[0].num), args[0].den, args[0].ok)
    if isinstance(expr, sympy.Mod):
        a, b = args
        quotient = _floor(_mul(a, _inverse(b)))
        return _add(a, _mul(_constant(-1, size), _mul(b, quotient)))
    if type(expr) in _RELATIONS:
        return _compare(args[0], args[1], _RELATIONS[type(expr)])
    if isinstance(expr, (sympy.And, sympy.Or)):
        combine = np.logical_and if isinstance(expr, sympy.And) else np.logical_or
        return _fold(lambda a, b: Rationals(combine(a.num != 0, b.num != 0).astype(np.int64),
                                            a.den, a.ok & b.ok), args)
    if isinstance(expr, sympy.Not):
        return Rationals((args[0].num == 0).astype(np.int64), args[0].den, args[0].ok)
    raise Unsupported(type(expr).__name__)


def _power(expr, base: Rationals) -> Rationals:
    exponent = expr.exp
    if not isinstance(exponent, sympy.Integer) or abs(int(exponent)) > 64:
        raise Unsupported("power")
    result = base if int(exponent) > 0 else _inverse(base)
    factor = result
    for _ in range(abs(int(exponent)) - 1):
        result = _mul(result, factor)
    if int(exponent) == 0:
        return _constant(1, len(base.num))
    return result


def _piecewise(expr, columns, size) -> Rationals:
    num = np.zeros(size, dtype=np.int64)
    den = np.ones(size, dtype=np.int64)
    ok = np.zeros(size, dtype=bool)
    decided = np.zeros(size, dtype=bool)
    for value, condition in expr.args:
        holds = _walk(condition, columns, size)
        take = holds.ok & (holds.num != 0) & ~decided
        if take.any():
            chosen = _walk(value, columns, size)
            num, den = np.where(take, chosen.num, num), np.where(take, chosen.den, den)
            ok |= take & chosen.ok
        decided |= holds.ok & (holds.num != 0)
    return Rationals(num, den, ok)


def _fold(op, args):
    result = args[0]
    for arg in args[1:]:
        result = op(result, arg)
    return result
