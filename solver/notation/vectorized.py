"""Exact evaluation of a scalar tree at many integer points at once.

Fast path: rationals as pairs of int64 numpy arrays (numerator, denominator > 0,
reduced) plus a mask of points where the value is defined, in one walk over the
tree (one function per node type in ``_WALK``). Magnitudes stay below 2**31 so
that no product overflows; past that, or for a node the fast path does not
handle (bounded sums, tensor entries), each point is evaluated on its own with
the exact evaluator (:mod:`solver.notation.exact`: Python ints and Fractions).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from solver.notation.exact import Budget, DivisionByZero, EvaluationError, compile_tree
from solver.notation.tree import (Abs, Add, And, Bool, Ceil, Cond, Delta, Div, Floor, Iverson, Max, Min, Mod, Mul,
                                  Neg, Node, Not, Num, Or, Pow, Rel, Sym)

_LIMIT = 2**31
#: A point where the value is undefined (a division or modulo by zero).
UNDEFINED = None
#: Loop iterations allowed for the per-point fallback, for all points together.
_FALLBACK_ITERATIONS = 10**6


class PointwiseError(ValueError):
    """A formula uses something that cannot be evaluated at integer points."""


class _TooLarge(ArithmeticError):
    """A value left the range where int64 arithmetic is exact."""


class _Unsupported(ValueError):
    """A node the fast path does not handle."""


@dataclass(frozen=True)
class Rationals:
    """Values at every point: ``num/den`` where ``ok``; conditions use ``num`` in {0, 1}."""

    num: np.ndarray
    den: np.ndarray
    ok: np.ndarray


def rationals_at(tree: Node, columns: dict[str, np.ndarray], size: int) -> Rationals | None:
    """``tree`` at every point as int64 rationals; None when the fast path cannot represent it."""
    try:
        return _walk(tree, columns, size)
    except (_TooLarge, _Unsupported):
        return None


def values_at(tree: Node, columns: dict[str, np.ndarray], size: int) -> np.ndarray:
    """The values of ``tree`` at ``size`` points: an object array of ints/Fractions, UNDEFINED where
    a division by zero occurs. ``columns`` maps each symbol name to an int array of length ``size``.
    Raises PointwiseError when the tree cannot be evaluated at integer points.
    """
    fast = rationals_at(tree, columns, size)
    if fast is not None:
        return to_objects(fast)
    compiled = compile_tree(tree, 0)
    budget = Budget(_FALLBACK_ITERATIONS)
    result = np.empty(size, dtype=object)
    names = list(columns)
    for index in range(size):
        env = {name: int(columns[name][index]) for name in names}
        try:
            result[index] = compiled.call_prepared({}, env, budget)
        except DivisionByZero:
            result[index] = UNDEFINED
        except EvaluationError as error:
            raise PointwiseError(f"this formula cannot be compared at integer points: {error}") from None
    return result


def to_objects(values: Rationals) -> np.ndarray:
    """Int64 rationals as an object array of ints and Fractions (UNDEFINED where not ok)."""
    result = values.num.astype(object)
    for index in np.flatnonzero(values.den != 1):
        result[index] = Fraction(int(values.num[index]), int(values.den[index]))
    result[~values.ok] = UNDEFINED
    return result


def _make(num, den, ok) -> Rationals:
    if not ok.all():
        den = np.where(ok, den, 1)
        num = np.where(ok, num, 0)
    if (den != 1).any():          # integers (the usual case) need no reduction
        g = np.gcd(num, den)
        g[g == 0] = 1
        num, den = num // g, den // g
    if np.abs(num).max(initial=0) >= _LIMIT or den.max(initial=1) >= _LIMIT:
        raise _TooLarge()
    return Rationals(num, den, ok)


def _constant(value, size: int) -> Rationals:
    value = Fraction(value)
    if abs(value.numerator) >= _LIMIT or value.denominator >= _LIMIT:
        raise _TooLarge()
    return Rationals(np.full(size, value.numerator, dtype=np.int64),
                     np.full(size, value.denominator, dtype=np.int64), np.ones(size, dtype=bool))


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


def _truth(values: np.ndarray, ok: np.ndarray) -> Rationals:
    return Rationals(values.astype(np.int64), np.ones(len(values), dtype=np.int64), ok)


_RELATIONS = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
              ">": np.greater, ">=": np.greater_equal}


def _fold(op, args: list[Rationals]) -> Rationals:
    result = args[0]
    for arg in args[1:]:
        result = op(result, arg)
    return result


def _symbol(node: Sym, columns, size) -> Rationals:
    if node.name not in columns:
        raise _Unsupported(node.name)
    return _make(np.asarray(columns[node.name], dtype=np.int64), np.ones(size, dtype=np.int64),
                 np.ones(size, dtype=bool))


def _power(node: Pow, columns, size) -> Rationals:
    if not (isinstance(node.exponent, Num) and isinstance(node.exponent.value, int)):
        raise _Unsupported("power")
    exponent = node.exponent.value
    if exponent == 0:
        return _constant(1, size)
    base = _walk(node.base, columns, size)
    factor = base if exponent > 0 else _inverse(base)
    result = factor
    for _ in range(abs(exponent) - 1):
        result = _mul(result, factor)
    return result


def _cond(node: Cond, columns, size) -> Rationals:
    holds = _walk(node.condition, columns, size)
    value, otherwise = _walk(node.value, columns, size), _walk(node.otherwise, columns, size)
    take = holds.num != 0
    return Rationals(np.where(take, value.num, otherwise.num), np.where(take, value.den, otherwise.den),
                     holds.ok & np.where(take, value.ok, otherwise.ok))


def _mod(node: Mod, columns, size) -> Rationals:
    a, b = _walk(node.dividend, columns, size), _walk(node.divisor, columns, size)
    quotient = _floor(_mul(a, _inverse(b)))
    return _add(a, _mul(_constant(-1, size), _mul(b, quotient)))


def _extremum(pick):
    def walk(node, columns, size) -> Rationals:
        args = [_walk(arg, columns, size) for arg in node.args]

        def choose(a: Rationals, b: Rationals) -> Rationals:
            take_a = pick(a.num * b.den, b.num * a.den)
            return Rationals(np.where(take_a, a.num, b.num), np.where(take_a, a.den, b.den), a.ok & b.ok)
        return _fold(choose, args)
    return walk


def _compare(node: Rel, columns, size) -> Rationals:
    a, b = _walk(node.left, columns, size), _walk(node.right, columns, size)
    return _truth(_RELATIONS[node.op](a.num * b.den, b.num * a.den), a.ok & b.ok)


def _logic(combine):
    def walk(node, columns, size) -> Rationals:
        args = [_walk(arg, columns, size) for arg in node.args]
        return _fold(lambda a, b: _truth(combine(a.num != 0, b.num != 0), a.ok & b.ok), args)
    return walk


def _children(node, columns, size) -> list[Rationals]:
    return [_walk(child, columns, size) for child in node.children()]


def _unsupported(node, columns, size):
    raise _Unsupported(type(node).__name__)


_WALK = {
    Num: lambda n, c, s: _constant(n.value, s),
    Bool: lambda n, c, s: _constant(int(n.value), s),
    Sym: _symbol,
    Add: lambda n, c, s: _fold(_add, _children(n, c, s)),
    Mul: lambda n, c, s: _fold(_mul, _children(n, c, s)),
    Neg: lambda n, c, s: _mul(_constant(-1, s), _walk(n.operand, c, s)),
    Div: lambda n, c, s: _mul(_walk(n.numerator, c, s), _inverse(_walk(n.denominator, c, s))),
    Pow: _power,
    Floor: lambda n, c, s: _floor(_walk(n.arg, c, s)),
    Ceil: lambda n, c, s: _ceil(_walk(n.arg, c, s)),
    Abs: lambda n, c, s: (lambda a: Rationals(np.abs(a.num), a.den, a.ok))(_walk(n.arg, c, s)),
    Mod: _mod,
    Max: _extremum(np.greater),
    Min: _extremum(np.less),
    Delta: lambda n, c, s: _compare(Rel("==", n.left, n.right), c, s),
    Iverson: lambda n, c, s: _walk(n.condition, c, s),
    Cond: _cond,
    Rel: _compare,
    And: _logic(np.logical_and),
    Or: _logic(np.logical_or),
    Not: lambda n, c, s: (lambda a: _truth(a.num == 0, a.ok))(_walk(n.arg, c, s)),
}


def _walk(node: Node, columns, size) -> Rationals:
    return _WALK.get(type(node), _unsupported)(node, columns, size)
