"""The edge between the tree and sympy: the solver derives keys with sympy and converts each once.

``to_sympy(tree)`` builds sympy objects explicitly (integer symbols, ``Indexed`` entries,
unevaluated ``Sum``); symbolic ``floor``, ``ceil``, ``Mod``, ``Max`` and ``Min`` stay unevaluated,
since sympy's evaluation of them runs costly assumption queries (and its ``Mod`` evaluation is
wrong on some symbolic forms: ``Mod(-2*K, 7*K)`` gives ``-2*K``). To evaluate the result,
substitute every symbol at once (``xreplace``).

``from_sympy(expr)`` turns a key's sympy expression into a tree that reads as a textbook writes
it: terms with a single symbol first, then the other positive terms, then the negative ones,
then the constant (``W + 2*P - D*(K - 1) - 1``), except that an index keeps sympy's order of
its positive terms (``x[c, 2*j + k - 2]``); a product's number first and its sums last;
negative powers as a division. Only the node types the solver builds are accepted.
"""

from __future__ import annotations

import math

from fractions import Fraction

import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from solver.notation import build
from solver.notation.equation import IndexEquation, TensorRef, index_symbol
from solver.notation.errors import NotationError
from solver.notation.tree import (Abs, Add, And, Bool, Ceil, Cond, Delta, Div, Entry, Equation, Floor, Iverson,
                                  Max, Min, Mod, Mul, Neg, Node, Not, Num, Or, Pow, Ref, Rel, Sum, Sym, num)

_SYMPY_RELATIONS = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "==": sympy.Eq, "!=": sympy.Ne}


# ---- tree -> sympy ---------------------------------------------------------------------------

def to_sympy(node: Node) -> sympy.Basic:
    """The sympy form of a tree (expressions and conditions); NotationError when sympy refuses it
    (it evaluates what it can, and some forms, such as a division by a constant 0, fail there)."""
    try:
        value = _convert(node)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise NotationError(f"cannot build this expression ({type(error).__name__}: {error})",
                            hint="simplify it or write it differently") from None
    if isinstance(value, sympy.Expr) and value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise NotationError("this expression is undefined (it divides by zero)")
    return value


def _convert(node: Node) -> sympy.Basic:
    return _TO_SYMPY[type(node)](node)


def _cheap(value: sympy.Basic) -> bool:
    return not value.free_symbols or isinstance(value, sympy.Symbol)


def _sympy_sum(node: Sum) -> sympy.Basic:
    """A sum over an empty range is 0 here, while sympy's Sum follows Karr's convention
    (Sum(f, (k, 3, 1)) is -Sum(f, (k, 2, 2))): numeric bounds out of order give 0. Symbolic
    bounds give sympy's Sum, which differs from the tree only where upper < lower - 1."""
    body = _convert(node.body)
    lower, upper = _convert(node.lower), _convert(node.upper)
    if lower.is_Number and upper.is_Number and upper < lower:
        return sympy.Integer(0)
    limit = (index_symbol(node.index), lower, upper)
    if isinstance(body, sympy.Sum) and limit[0] not in {inner[0] for inner in body.limits}:
        return sympy.Sum(body.function, *body.limits, limit)
    return sympy.Sum(body, limit)


def _unevaluated_unless_cheap(function):
    def convert(node):
        value = _convert(node.arg)
        return function(value, evaluate=_cheap(value))
    return convert


def _lattice(function):
    def convert(node):
        args = [_convert(a) for a in node.args]
        return function(*args, evaluate=all(a.is_Number for a in args))
    return convert


def _mod(node: Mod):
    dividend, divisor = _convert(node.dividend), _convert(node.divisor)
    return sympy.Mod(dividend, divisor, evaluate=dividend.is_Number and divisor.is_Number)


def _relation(node: Rel) -> sympy.Basic:
    """A relation, evaluated only between numbers (sympy's evaluation of symbolic ones runs
    assumption queries that cost milliseconds each)."""
    left, right = _convert(node.left), _convert(node.right)
    return _SYMPY_RELATIONS[node.op](left, right, evaluate=left.is_Number and right.is_Number)


def _num_to_sympy(node: Num):
    value = node.value
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Rational(value.numerator, value.denominator)


_TO_SYMPY = {
    Num: _num_to_sympy,
    Sym: lambda n: index_symbol(n.name),
    Bool: lambda n: sympy.true if n.value else sympy.false,
    Entry: lambda n: sympy.IndexedBase(n.name)[tuple(_convert(i) for i in n.indices)],
    Add: lambda n: sympy.Add(*(_convert(t) for t in n.terms)),
    Neg: lambda n: -_convert(n.operand),
    Mul: lambda n: sympy.Mul(*(_convert(f) for f in n.factors)),
    Div: lambda n: sympy.Mul(_convert(n.numerator), sympy.Pow(_convert(n.denominator), -1)),
    Pow: lambda n: sympy.Pow(_convert(n.base), _convert(n.exponent)),
    Floor: _unevaluated_unless_cheap(sympy.floor),
    Ceil: _unevaluated_unless_cheap(sympy.ceiling),
    Abs: lambda n: sympy.Abs(_convert(n.arg)),
    Mod: _mod,
    Min: _lattice(sympy.Min),
    Max: _lattice(sympy.Max),
    Delta: lambda n: sympy.KroneckerDelta(_convert(n.left), _convert(n.right)),
    Iverson: lambda n: sympy.Piecewise((sympy.Integer(1), _convert(n.condition)), (sympy.Integer(0), True)),
    Cond: lambda n: sympy.Piecewise((_convert(n.value), _convert(n.condition)), (_convert(n.otherwise), True)),
    Sum: _sympy_sum,
    Rel: lambda n: _relation(n),
    And: lambda n: sympy.And(*(_convert(a) for a in n.args)),
    Or: lambda n: sympy.Or(*(_convert(a) for a in n.args)),
    Not: lambda n: sympy.Not(_convert(n.arg)),
}


def equation_to_sympy(eq: Equation):
    """The sympy form of an Equation: ``(of, wrt, rhs)`` with sympy indices (see solver.notation.equation)."""
    def ref(r: Ref | None):
        return None if r is None else TensorRef(r.name, tuple(to_sympy(i) for i in r.indices))
    return IndexEquation(ref(eq.of), ref(eq.wrt), to_sympy(eq.rhs))


# ---- sympy -> tree ---------------------------------------------------------------------------

def from_sympy(expr) -> Node:
    """The tree of a sympy expression or condition (or a Python int / Fraction / bool)."""
    if isinstance(expr, bool):
        return Bool(expr)
    if isinstance(expr, (int, Fraction)):
        return num(expr)
    for kind, convert in _FROM_SYMPY:
        if isinstance(expr, kind):
            return convert(expr)
    raise NotationError(f"{type(expr).__name__} ({expr}) is not supported in the answer notation")


def equation_from_sympy(eq) -> Equation:
    """The tree form of a sympy :class:`~solver.notation.equation.IndexEquation`."""
    def ref(r):
        return None if r is None else Ref(r.name, tuple(from_sympy(i) for i in r.indices))
    return Equation(ref(eq.of), ref(eq.wrt), from_sympy(eq.rhs))


def _is_negative(term: sympy.Basic) -> bool:
    if term.is_Number:
        return bool(term.is_negative)
    return isinstance(term, sympy.Mul) and term.as_coeff_Mul()[0].is_negative


def _order(term: sympy.Basic) -> int:
    if term.is_Number:
        return 3
    if _is_negative(term):
        return 2
    return 0 if isinstance(term, (sympy.Symbol, sympy.Indexed)) else 1


def _from_add(expr: sympy.Add) -> Node:
    denominator = _common_denominator(expr)
    if denominator > 1:                      # o/6 - 1/6 reads as (o - 1)/6, as it is written
        terms = sorted(expr.as_ordered_terms(), key=_order)
        return build.div(build.add(from_sympy(t * denominator) for t in terms), num(denominator))
    terms = sorted(expr.as_ordered_terms(), key=_order)
    return build.add(from_sympy(t) for t in terms)


def _common_denominator(expr: sympy.Add) -> int:
    """The least common denominator of the terms' rational coefficients (1 when a term has an
    irrational coefficient or no term has a fraction)."""
    found = 1
    for term in expr.args:
        coefficient = term if term.is_Number else term.as_coeff_Mul()[0]
        if not coefficient.is_Rational:
            return 1
        found = math.lcm(found, int(coefficient.q))
    return found


def _from_index(index: sympy.Basic) -> Node:
    """An index of an entry: positive terms in sympy's order (stride term first: 2*j + k - 2)."""
    if not isinstance(index, sympy.Add):
        return from_sympy(index)
    terms = sorted(index.as_ordered_terms(), key=lambda t: max(_order(t), 1))
    return build.add(from_sympy(t) for t in terms)


def _factor_order(factor: sympy.Basic) -> int:
    if factor.is_Number:
        return 0
    if isinstance(factor, sympy.Piecewise):
        return 1
    return 3 if isinstance(factor, sympy.Sum) else 2


def _from_mul(expr: sympy.Mul) -> Node:
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient.is_negative:
        return build.neg(_from_mul(sympy.Mul(-coefficient, rest, evaluate=False)) if coefficient != -1
                         else from_sympy(rest))
    numerator, denominator = [], []
    if coefficient.is_Rational:
        if coefficient.p != 1:
            numerator.append(sympy.Integer(coefficient.p))
        if coefficient.q != 1:
            denominator.append(sympy.Integer(coefficient.q))
    elif coefficient != 1:
        numerator.append(coefficient)
    for factor in rest.as_ordered_factors():
        if isinstance(factor, sympy.Pow) and factor.exp.is_Rational and factor.exp.is_negative:
            denominator.append(sympy.Pow(factor.base, -factor.exp))
        elif factor != 1:
            numerator.append(factor)
    top = build.mul([from_sympy(f) for f in sorted(numerator, key=_factor_order)]) if numerator else num(1)
    if not denominator:
        return top
    return build.div(top, build.mul([from_sympy(f) for f in sorted(denominator, key=_factor_order)]))


def _from_pow(expr: sympy.Pow) -> Node:
    if expr.exp.is_Rational and expr.exp.is_negative:
        return build.div(num(1), _from_pow(sympy.Pow(expr.base, -expr.exp, evaluate=False))
                         if expr.exp != -1 else from_sympy(expr.base))
    return Pow(from_sympy(expr.base), from_sympy(expr.exp))


def _from_sum(expr: sympy.Sum) -> Node:
    body = from_sympy(expr.function)
    for limit in expr.limits:                      # innermost first
        if len(limit) != 3:
            raise NotationError(f"a sum needs its bounds: {expr}")
        variable, low, high = limit
        body = Sum(body, variable.name, from_sympy(low), from_sympy(high))
    return body


def _from_piecewise(expr: sympy.Piecewise) -> Node:
    pieces = list(expr.args)
    if pieces[-1].cond != sympy.true:
        raise NotationError(f"a piecewise answer needs an 'otherwise' piece, else no condition may hold: {expr}")
    result = from_sympy(pieces[-1].expr)
    for piece in reversed(pieces[:-1]):
        value, condition = from_sympy(piece.expr), from_sympy(piece.cond)
        if value == num(1) and result == num(0):
            result = Iverson(condition)
        else:
            result = Cond(value, condition, result)
    return result


def _from_relational(expr) -> Node:
    ops = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
    if expr.rel_op not in ops:
        raise NotationError(f"relation {expr.rel_op} is not accepted")
    return Rel(ops[expr.rel_op], from_sympy(expr.lhs), from_sympy(expr.rhs))


def _from_boolean_function(expr) -> Node:
    rewritten = expr.to_nnf()
    if rewritten == expr:
        raise NotationError(f"cannot convert {type(expr).__name__} ({expr}) to the answer notation")
    return from_sympy(rewritten)


def _from_rational(expr: sympy.Rational) -> Num:
    return num(Fraction(int(expr.p), int(expr.q)))


_FROM_SYMPY: tuple = (
    (sympy.Integer, lambda e: num(int(e))),
    (sympy.Rational, _from_rational),
    (BooleanTrue, lambda e: Bool(True)),
    (BooleanFalse, lambda e: Bool(False)),
    (sympy.Symbol, lambda e: Sym(e.name)),
    (sympy.Indexed, lambda e: Entry(e.base.name, tuple(_from_index(i) for i in e.indices))),
    (sympy.IndexedBase, lambda e: Sym(e.name)),
    (sympy.Add, _from_add),
    (sympy.Mul, _from_mul),
    (sympy.Pow, _from_pow),
    (sympy.Sum, _from_sum),
    (sympy.floor, lambda e: build.floor(from_sympy(e.args[0]))),
    (sympy.ceiling, lambda e: build.ceil(from_sympy(e.args[0]))),
    (sympy.Abs, lambda e: build.absolute(from_sympy(e.args[0]))),
    (sympy.Mod, lambda e: build.mod(from_sympy(e.args[0]), from_sympy(e.args[1]))),
    (sympy.Max, lambda e: build.extremum(Max, [from_sympy(a) for a in e.args])),
    (sympy.Min, lambda e: build.extremum(Min, [from_sympy(a) for a in e.args])),
    (sympy.KroneckerDelta, lambda e: build.delta(from_sympy(e.args[0]), from_sympy(e.args[1]))),
    (sympy.Piecewise, _from_piecewise),
    (sympy.core.relational.Relational, _from_relational),
    (sympy.And, lambda e: And(tuple(from_sympy(a) for a in e.args))),
    (sympy.Or, lambda e: Or(tuple(from_sympy(a) for a in e.args))),
    (sympy.Not, lambda e: Not(from_sympy(e.args[0]))),
    (sympy.logic.boolalg.BooleanFunction, _from_boolean_function),
)
