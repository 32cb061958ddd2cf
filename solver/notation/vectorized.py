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

#: Values stay exact in int64 while every numerator and denominator is below this bound
#: (the product of two such numbers fits in int64).
_LIMIT = 2**31
#: A point where the value is undefined (a division or modulo by zero).
UNDEFINED = None
#: Loop iterations allowed for the per-point fallback, for all points together.
_FALLBACK_ITERATIONS = 2 * 10**5


class PointwiseError(ValueError):
    """A formula uses something that cannot be evaluated at integer points."""


class _TooLarge(ArithmeticError):
    """A value may leave the range where int64 arithmetic is exact."""


class _Unsupported(ValueError):
    """A node the fast path does not handle."""


@dataclass(frozen=True)
class Rationals:
    """Values at every point: ``num/den`` where ``ok`` (conditions use ``num`` in {0, 1}).

    ``den`` is None where every denominator is 1 and ``ok`` None where every value is defined;
    ``bound`` is a proven upper bound of |num| and of den (checked instead of the arrays, so no
    operation needs a pass over its result). Fractions are not reduced: comparisons cross-multiply.
    """

    num: np.ndarray
    den: np.ndarray | None
    ok: np.ndarray | None
    bound: int

    def dens(self) -> np.ndarray:
        """The denominators as an array (ones when there are none)."""
        return np.ones_like(self.num) if self.den is None else self.den

    def oks(self) -> np.ndarray:
        """The defined-mask as an array."""
        return np.ones(len(self.num), dtype=bool) if self.ok is None else self.ok


def rationals_at(tree: Node, columns: dict[str, np.ndarray], size: int) -> Rationals | None:
    """``tree`` at every point as int64 rationals; None when the fast path cannot represent it."""
    try:
        return _walk(tree, columns, size)
    except (_TooLarge, _Unsupported):
        return None


def same_values(a: Rationals, b: Rationals) -> np.ndarray:
    """Per point: both defined and equal (cross-multiplied, exact in int64)."""
    if a.den is None and b.den is None:
        equal = a.num == b.num
    else:
        equal = a.num * b.dens() == b.num * a.dens()
    return equal & _both(a.ok, b.ok) if (a.ok is not None or b.ok is not None) else equal


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
    if values.den is not None:
        for index in np.flatnonzero(values.den != 1):
            result[index] = Fraction(int(values.num[index]), int(values.den[index]))
    if values.ok is not None:
        result[~values.ok] = UNDEFINED
    return result


def _both(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    return a if b is None else a & b


def _checked(bound: int) -> int:
    if bound >= _LIMIT:
        raise _TooLarge()
    return bound


def _constant(value, size: int) -> Rationals:
    value = Fraction(value)
    bound = _checked(max(abs(value.numerator), value.denominator))
    den = None if value.denominator == 1 else np.full(size, value.denominator, dtype=np.int64)
    return Rationals(np.full(size, value.numerator, dtype=np.int64), den, None, bound)


def _add(a: Rationals, b: Rationals) -> Rationals:
    if a.den is None and b.den is None:
        return Rationals(a.num + b.num, None, _both(a.ok, b.ok), _checked(a.bound + b.bound))
    bound = _checked(2 * a.bound * b.bound)
    return Rationals(a.num * b.dens() + b.num * a.dens(), a.dens() * b.dens(), _both(a.ok, b.ok), bound)


def _mul(a: Rationals, b: Rationals) -> Rationals:
    den = None if a.den is None and b.den is None else a.dens() * b.dens()
    return Rationals(a.num * b.num, den, _both(a.ok, b.ok), _checked(a.bound * b.bound))


def _negate(a: Rationals) -> Rationals:
    return Rationals(-a.num, a.den, a.ok, a.bound)


def _inverse(a: Rationals) -> Rationals:
    nonzero = a.num != 0
    ok = nonzero if a.ok is None else a.ok & nonzero
    if ok.all():
        ok = None if a.ok is None else ok
    magnitude = np.abs(a.num)
    den = magnitude if ok is None else np.where(ok, magnitude, 1)
    return Rationals(np.sign(a.num) * a.dens(), den, ok, a.bound)


def _integer(num: np.ndarray, ok, bound: int) -> Rationals:
    return Rationals(num, None, ok, bound)


def _floor(a: Rationals) -> Rationals:
    return a if a.den is None else _integer(a.num // a.den, a.ok, a.bound)


def _ceil(a: Rationals) -> Rationals:
    return a if a.den is None else _integer(-((-a.num) // a.den), a.ok, a.bound)


def _truth(values: np.ndarray, ok) -> Rationals:
    return Rationals(values.astype(np.int64), None, ok, 1)


_RELATIONS = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
              ">": np.greater, ">=": np.greater_equal}


def _fold(op, args: list[Rationals]) -> Rationals:
    result = args[0]
    for arg in args[1:]:
        result = op(result, arg)
    return result


def _cross(a: Rationals, b: Rationals) -> tuple[np.ndarray, np.ndarray]:
    """Numbers that compare as a and b do (denominators are positive)."""
    if a.den is None and b.den is None:
        return a.num, b.num
    _checked(a.bound * b.bound)
    return a.num * b.dens(), b.num * a.dens()


def _symbol(node: Sym, columns, size) -> Rationals:
    column = columns.get(node.name)
    if column is None:
        raise _Unsupported(node.name)
    column = np.asarray(column, dtype=np.int64)
    return _integer(column, None, _checked(int(np.abs(column).max(initial=0))))


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
    den = None if value.den is None and otherwise.den is None else np.where(take, value.dens(), otherwise.dens())
    ok = _both(holds.ok, None if value.ok is None and otherwise.ok is None
               else np.where(take, value.oks(), otherwise.oks()))
    return Rationals(np.where(take, value.num, otherwise.num), den, ok, max(value.bound, otherwise.bound))


def _mod(node: Mod, columns, size) -> Rationals:
    a, b = _walk(node.dividend, columns, size), _walk(node.divisor, columns, size)
    quotient = _floor(_mul(a, _inverse(b)))
    return _add(a, _negate(_mul(b, quotient)))


def _extremum(pick):
    def walk(node, columns, size) -> Rationals:
        args = [_walk(arg, columns, size) for arg in node.args]

        def choose(a: Rationals, b: Rationals) -> Rationals:
            left, right = _cross(a, b)
            take_a = pick(left, right)
            den = None if a.den is None and b.den is None else np.where(take_a, a.dens(), b.dens())
            return Rationals(np.where(take_a, a.num, b.num), den, _both(a.ok, b.ok), max(a.bound, b.bound))
        return _fold(choose, args)
    return walk


def _compare(node: Rel, columns, size) -> Rationals:
    a, b = _walk(node.left, columns, size), _walk(node.right, columns, size)
    left, right = _cross(a, b)
    return _truth(_RELATIONS[node.op](left, right), _both(a.ok, b.ok))


def _logic(combine):
    def walk(node, columns, size) -> Rationals:
        args = [_walk(arg, columns, size) for arg in node.args]
        return _fold(lambda a, b: _truth(combine(a.num != 0, b.num != 0), _both(a.ok, b.ok)), args)
    return walk


def _children(node, columns, size) -> list[Rationals]:
    return [_walk(child, columns, size) for child in node.children()]


def _absolute(a: Rationals) -> Rationals:
    return Rationals(np.abs(a.num), a.den, a.ok, a.bound)


def _unsupported(node, columns, size):
    raise _Unsupported(type(node).__name__)


_WALK = {
    Num: lambda n, c, s: _constant(n.value, s),
    Bool: lambda n, c, s: _constant(int(n.value), s),
    Sym: _symbol,
    Add: lambda n, c, s: _fold(_add, _children(n, c, s)),
    Mul: lambda n, c, s: _fold(_mul, _children(n, c, s)),
    Neg: lambda n, c, s: _negate(_walk(n.operand, c, s)),
    Div: lambda n, c, s: _mul(_walk(n.numerator, c, s), _inverse(_walk(n.denominator, c, s))),
    Pow: _power,
    Floor: lambda n, c, s: _floor(_walk(n.arg, c, s)),
    Ceil: lambda n, c, s: _ceil(_walk(n.arg, c, s)),
    Abs: lambda n, c, s: _absolute(_walk(n.arg, c, s)),
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
