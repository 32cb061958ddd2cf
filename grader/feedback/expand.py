"""Index expressions written out at one index: ``W[1,1,1]·x[1,1] + W[1,1,2]·x[1,2] + …``.

At a fixed assignment of the free indices an index expression is a polynomial
in the tensor entries: every sum is unrolled, every index evaluated, and an
entry outside its tensor (or at a non-integer index) is 0 and drops out, as
the grader evaluates it. Feedback shows these expansions so a student sees
which inputs an answer touches. Expressions that are not polynomials in the
entries (an entry inside floor, max or a condition) are not expanded.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping

from solver.notation import EvaluationError, evaluate_tree, tree

#: Terms (and loop iterations) an expansion may build before it gives up.
MAX_TERMS = 2000
#: Terms shown before the rest is summarised.
SHOWN_TERMS = 4

Monomial = tuple[tuple[str, tuple[int, ...]], ...]
Polynomial = dict[Monomial, Fraction]


class _Unexpandable(Exception):
    pass


def expand(rhs: tree.Expr, env: Mapping[str, int], shapes: Mapping[str, tuple[int, ...]],
           base: int) -> Polynomial | None:
    """``rhs`` at the index values ``env`` as {monomial: coefficient}, or None when it cannot be
    written out (not a polynomial in the entries, or more than MAX_TERMS terms).

    ``shapes`` gives each tensor's shape and ``base`` the first index of every axis.
    """
    try:
        return _expand(rhs, dict(env), shapes, base, [MAX_TERMS])
    except (_Unexpandable, EvaluationError, RecursionError):
        return None


def entries_of(polynomial: Polynomial) -> set[tuple[str, tuple[int, ...]]]:
    """Every tensor entry that occurs in ``polynomial``."""
    return {entry for monomial in polynomial for entry in monomial}


def show_polynomial(polynomial: Polynomial, shown: int = SHOWN_TERMS) -> str:
    """``W[1,1,1]·x[1,1] + 2·x[1,2] − … (6 terms)``; ``0`` when empty."""
    if not polynomial:
        return "0"
    terms = sorted(polynomial.items(), key=lambda item: item[0])
    text = ""
    for position, (monomial, coefficient) in enumerate(terms[:shown]):
        sign = "−" if coefficient < 0 else "+"
        magnitude = abs(coefficient)
        factors = [show_entry(entry) for entry in monomial]
        if magnitude != 1 or not factors:
            factors.insert(0, str(magnitude))
        body = "·".join(factors)
        text += (f"−{body}" if sign == "−" else body) if position == 0 else f" {sign} {body}"
    if len(terms) > shown:
        text += f" + … ({len(terms)} terms)"
    return text


def show_entry(entry: tuple[str, tuple[int, ...]]) -> str:
    """``x[1,3]``."""
    name, indices = entry
    return f"{name}[{','.join(map(str, indices))}]"


def _expand(node, env: dict, shapes, base: int, budget: list[int]) -> Polynomial:
    if not any(isinstance(n, tree.Entry) for n in tree.walk(node)):
        value = Fraction(evaluate_tree(node, env=env))
        return {(): value} if value else {}
    if isinstance(node, tree.Entry):
        return _entry(node, env, shapes, base)
    if isinstance(node, tree.Add):
        total: Polynomial = {}
        for term in node.terms:
            _add_into(total, _expand(term, env, shapes, base, budget))
        return total
    if isinstance(node, tree.Neg):
        return {m: -c for m, c in _expand(node.operand, env, shapes, base, budget).items()}
    if isinstance(node, tree.Mul):
        product: Polynomial = {(): Fraction(1)}
        for factor in node.factors:
            product = _times(product, _expand(factor, env, shapes, base, budget), budget)
        return product
    if isinstance(node, tree.Sum):
        return _sum(node, env, shapes, base, budget)
    if isinstance(node, tree.Cond) and not tree.tensors_in(node.condition):
        chosen = evaluate_tree(tree.Cond(tree.ONE, node.condition, tree.ZERO), env=env)
        return _expand(node.value if chosen else node.otherwise, env, shapes, base, budget)
    raise _Unexpandable(type(node).__name__)


def _entry(node: tree.Entry, env, shapes, base: int) -> Polynomial:
    indices = []
    for index in node.indices:
        value = Fraction(evaluate_tree(index, env=env))
        if value.denominator != 1:
            return {}
        indices.append(int(value))
    shape = shapes.get(node.name)
    if shape is None or len(shape) != len(indices):
        raise _Unexpandable(node.name)
    if any(not base <= i < base + size for i, size in zip(indices, shape)):
        return {}
    return {((node.name, tuple(indices)),): Fraction(1)}


def _sum(node: tree.Sum, env, shapes, base: int, budget: list[int]) -> Polynomial:
    lower, upper = evaluate_tree(node.lower, env=env), evaluate_tree(node.upper, env=env)
    if Fraction(lower).denominator != 1 or Fraction(upper).denominator != 1:
        raise _Unexpandable("sum bounds")
    total: Polynomial = {}
    saved = env.get(node.index)
    for value in range(int(lower), int(upper) + 1):
        _spend(budget, 1)
        env[node.index] = value
        _add_into(total, _expand(node.body, env, shapes, base, budget))
    if saved is None:
        env.pop(node.index, None)
    else:
        env[node.index] = saved
    return total


def _times(left: Polynomial, right: Polynomial, budget: list[int]) -> Polynomial:
    _spend(budget, len(left) * len(right))
    product: Polynomial = {}
    for m1, c1 in left.items():
        for m2, c2 in right.items():
            _add_into(product, {tuple(sorted(m1 + m2)): c1 * c2})
    return product


def _add_into(total: Polynomial, more: Polynomial) -> None:
    for monomial, coefficient in more.items():
        value = total.get(monomial, 0) + coefficient
        if value:
            total[monomial] = value
        else:
            total.pop(monomial, None)


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise _Unexpandable("too many terms")
