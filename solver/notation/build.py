"""Constructors for tree nodes that fold constants, within the size limits.

Folding happens only when every operand is a number (``2^2`` -> 4,
``(10 - 3)/2`` -> 7/2; ``H + 2 + 3`` stays a sum of three terms), so the tree keeps
the student's structure and the size limits see every computed number. Each
constructor raises :class:`NotationError` (without a position; the parser adds
it) when a folded number would be too large or undefined.
"""

from __future__ import annotations

import math
from fractions import Fraction

from solver.notation.errors import NotationError
from solver.notation.limits import (MAX_EXPONENT, MAX_RESULT_DIGITS, MAX_SUM_TERMS, MAX_VALUE_BITS,
                                    SYMBOL_BITS, check_exponent, check_number_size, value_bits)
from solver.notation.tree import (Abs, Add, And, Bool, Ceil, Cond, Delta, Div, Entry, Expr, Floor, Iverson,
                                  Max, Min, Mod, Mul, Neg, Node, Not, Num, Or, Pow, Rel, Sum, Sym, num, walk)

_LOG2_10 = math.log2(10)


def _numbers(nodes) -> list | None:
    """The values when every node is a Num, else None."""
    values = []
    for node in nodes:
        if not isinstance(node, Num):
            return None
        values.append(node.value)
    return values


def _folded(value: int | Fraction) -> Num:
    check_number_size(value, text=None, position=None)
    return num(value)


def add(terms) -> Expr:
    """``t1 + t2 + ...`` (one term: the term itself)."""
    terms = tuple(terms)
    if len(terms) == 1:
        return terms[0]
    values = _numbers(terms)
    return _folded(sum(values)) if values is not None else Add(terms)


def neg(operand: Expr) -> Expr:
    """``-operand``."""
    return num(-operand.value) if isinstance(operand, Num) else Neg(operand)


def mul(factors) -> Expr:
    """``f1 * f2 * ...`` (one factor: the factor itself)."""
    factors = tuple(factors)
    if len(factors) == 1:
        return factors[0]
    values = _numbers(factors)
    if values is None:
        return Mul(factors)
    if sum(value_bits(v) for v in values) > MAX_RESULT_DIGITS * _LOG2_10 + 64:
        raise NotationError("number is too large", hint=f"numbers of at most {MAX_RESULT_DIGITS} digits are accepted")
    product: int | Fraction = 1
    for value in values:
        product *= value
    return _folded(product)


def div(numerator: Expr, denominator: Expr) -> Expr:
    """``numerator / denominator``; a zero number as denominator is refused."""
    if isinstance(denominator, Num) and denominator.value == 0:
        raise NotationError("division by zero")
    if isinstance(numerator, Num) and isinstance(denominator, Num):
        return _folded(Fraction(numerator.value) / denominator.value)
    return Div(numerator, denominator)


def power(base: Expr, exponent: Expr) -> Expr:
    """``base ^ exponent``: whole-number exponents up to MAX_EXPONENT, exact roots of numbers,
    symbolic exponents that hold no symbolic power themselves (no towers such as 2^(2^H))."""
    if isinstance(exponent, Num):
        value = exponent.value
        if isinstance(base, Num):
            return _fold_power(base.value, value)
        check_exponent(value, text=None, position=None)
        return Pow(base, exponent)
    if any(isinstance(node, Pow) and not isinstance(node.exponent, Num) for node in walk(exponent)):
        raise NotationError("power towers with symbolic exponents are not accepted",
                            hint="write a single power such as 2^H")
    return Pow(base, exponent)


def _fold_power(base: int | Fraction, exponent: int | Fraction) -> Num:
    if isinstance(exponent, Fraction):
        root = _exact_root(base, exponent.denominator) if exponent.denominator <= MAX_EXPONENT else None
        if root is None:
            raise NotationError(f"the power {base}^({exponent}) is not a rational number",
                                hint="fractional powers are accepted only of numbers with an exact root")
        base, exponent = root, exponent.numerator
    check_exponent(exponent, text=None, position=None)
    if base == 0 and exponent < 0:
        raise NotationError("division by zero")
    if value_bits(base) * abs(exponent) > MAX_RESULT_DIGITS * _LOG2_10 + 64:
        raise NotationError("power is too large to compute",
                            hint=f"results of at most {MAX_RESULT_DIGITS} digits are accepted")
    return _folded(Fraction(base) ** exponent)


def _exact_root(value: int | Fraction, degree: int) -> int | Fraction | None:
    """The rational ``degree``-th root of ``value`` when there is one, else None."""
    value = Fraction(value)
    if value < 0 and degree % 2 == 0:
        return None
    if value_bits(value) > 4 * MAX_RESULT_DIGITS:
        return None
    sign = -1 if value < 0 else 1
    parts = []
    for part in (abs(value.numerator), value.denominator):
        root = _integer_root(part, degree)
        if root ** degree != part:
            return None
        parts.append(root)
    return sign * Fraction(parts[0], parts[1])


def _integer_root(value: int, degree: int) -> int:
    """floor(value ** (1/degree)) by Newton's method on integers."""
    if value < 2:
        return value
    guess = 1 << ((value.bit_length() + degree - 1) // degree)
    while True:
        better = ((degree - 1) * guess + value // guess ** (degree - 1)) // degree
        if better >= guess:
            return guess
        guess = better


def floor(arg: Expr) -> Expr:
    """``floor(arg)``."""
    return num(math.floor(arg.value)) if isinstance(arg, Num) else Floor(arg)


def ceil(arg: Expr) -> Expr:
    """``ceil(arg)``."""
    return num(math.ceil(arg.value)) if isinstance(arg, Num) else Ceil(arg)


def absolute(arg: Expr) -> Expr:
    """``abs(arg)``."""
    return num(abs(arg.value)) if isinstance(arg, Num) else Abs(arg)


def mod(dividend: Expr, divisor: Expr) -> Expr:
    """``dividend % divisor`` (the sign of the divisor, as Python's %); modulo by a zero number is refused."""
    if isinstance(divisor, Num) and divisor.value == 0:
        raise NotationError("division by zero in '%'")
    if isinstance(dividend, Num) and isinstance(divisor, Num):
        return num(Fraction(dividend.value) % divisor.value)
    return Mod(dividend, divisor)


def extremum(kind: type, args) -> Expr:
    """``Max(args)`` or ``Min(args)`` (``kind`` is Max or Min)."""
    args = tuple(args)
    values = _numbers(args)
    if values is not None:
        return num(max(values) if kind is Max else min(values))
    return kind(args)


def delta(left: Expr, right: Expr) -> Expr:
    """Kronecker delta: 1 when ``left == right``, else 0."""
    if isinstance(left, Num) and isinstance(right, Num):
        return num(int(left.value == right.value))
    return Delta(left, right)


def summation(body: Expr, index: str, lower: Expr, upper: Expr) -> Sum:
    """``sum_{index=lower}^{upper} body``; numeric bounds must be whole numbers, at most MAX_SUM_TERMS terms."""
    for bound in (lower, upper):
        if isinstance(bound, Num) and not isinstance(bound.value, int):
            raise NotationError(f"sum bound {bound.value} is not an integer",
                                hint="sum bounds are integers, e.g. sum_{k=1}^{3}")
    if isinstance(lower, Num) and isinstance(upper, Num) and upper.value - lower.value + 1 > MAX_SUM_TERMS:
        raise NotationError(f"sum has {upper.value - lower.value + 1} terms",
                            hint=f"sums with numeric bounds may have at most {MAX_SUM_TERMS} terms")
    return Sum(body, index, lower, upper)


# ---- how large values can get ----------------------------------------------------------------

def value_size_bits(node: Node) -> int:
    """An upper estimate of the bits of any value computed while evaluating ``node`` when every
    symbol and tensor entry is below 2**SYMBOL_BITS in size; raises NotationError past MAX_VALUE_BITS.

    Add: max + log2(terms); Mul: sum; Div: sum; Pow: base * |exponent| (a symbolic exponent counts
    as MAX_EXPONENT); Sum: body + log2(MAX_SUM_TERMS); conditions: 1 (their operands are checked too).
    """
    bits = _BITS[type(node)](node)
    if bits > MAX_VALUE_BITS:
        raise NotationError("expression can grow too large to evaluate (powers of powers are limited)",
                            hint=f"values of at most about {int(MAX_VALUE_BITS / _LOG2_10)} digits are "
                                 f"accepted; write one power, e.g. H^4 instead of (H^2)^2")
    return bits


def _children_bits(node: Node) -> list[int]:
    return [value_size_bits(child) for child in node.children()]


def _pow_bits(node: Pow) -> int:
    base = value_size_bits(node.base)
    value_size_bits(node.exponent)
    times = abs(node.exponent.value) if isinstance(node.exponent, Num) else MAX_EXPONENT
    return max(1, base) * max(1, int(times))


def _sum_bits(node: Sum) -> int:
    value_size_bits(node.lower)
    value_size_bits(node.upper)
    return value_size_bits(node.body) + MAX_SUM_TERMS.bit_length()


def _condition_bits(node: Node) -> int:
    _children_bits(node)
    return 1


_BITS = {
    Num: lambda n: value_bits(n.value),
    Sym: lambda n: SYMBOL_BITS,
    Entry: lambda n: (_children_bits(n), SYMBOL_BITS)[1],
    Add: lambda n: max(_children_bits(n)) + len(n.terms).bit_length(),
    Neg: lambda n: _children_bits(n)[0],
    Abs: lambda n: _children_bits(n)[0],
    Floor: lambda n: _children_bits(n)[0],
    Ceil: lambda n: _children_bits(n)[0],
    Mul: lambda n: sum(_children_bits(n)),
    Div: lambda n: sum(_children_bits(n)),
    Pow: _pow_bits,
    Mod: lambda n: max(_children_bits(n)),
    Min: lambda n: max(_children_bits(n)),
    Max: lambda n: max(_children_bits(n)),
    Delta: _condition_bits,
    Iverson: _condition_bits,
    Cond: lambda n: max(_children_bits(n)),
    Sum: _sum_bits,
}

_BITS.update({kind: _condition_bits for kind in (Rel, And, Or, Not, Bool)})
