"""The project's own expression tree: what every parsed answer and every key answer is made of.

A closed set of small immutable nodes. Expressions::

    Num(value)                 an exact rational (int, or Fraction with denominator > 1)
    Sym(name)                  a size or index symbol
    Entry(name, indices)       a tensor entry x[c, l]; 0 outside the tensor's index range
    Add(terms)  Neg(operand)   a + b + ...,  -a          (a - b is Add((a, Neg(b))))
    Mul(factors)               a * b * ...
    Div(numerator, denominator)
    Pow(base, exponent)
    Floor(arg)  Ceil(arg)  Abs(arg)  Mod(dividend, divisor)   (Mod takes the divisor's sign)
    Min(args)  Max(args)  Delta(left, right)
    Iverson(condition)         [cond]: 1 where it holds, else 0
    Cond(value, condition, otherwise)     value if condition else otherwise
    Sum(body, index, lower, upper)        sum over index = lower..upper (inclusive)

Conditions::

    Rel(op, left, right)       op in < <= > >= == !=
    And(args)  Or(args)  Not(arg)  Bool(value)

Index equations are :class:`Equation` (``of``/``wrt`` are :class:`Ref`). Nodes
compare and hash by structure, so a tree is its own cache key: two answers
share a verdict exactly when they parse to the same tree.

Operations (evaluation, printing, conversion, mutation) are tables keyed by
node type in their own modules; a new construct is one class here plus one
entry per table. Every node has ``children()`` and ``rebuild(children)``, which
generic walks use.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Union


class Node:
    """Base of every tree node."""

    __slots__ = ()

    def children(self) -> tuple["Node", ...]:
        """The child nodes in order (empty for leaves)."""
        return ()

    def rebuild(self, children: tuple["Node", ...]) -> "Node":
        """A node of the same type and fields with ``children`` in place of its own."""
        return self


class Expr(Node):
    """A node whose value is a number."""

    __slots__ = ()


class Condition(Node):
    """A node whose value is true or false."""

    __slots__ = ()


# ---- leaves ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Num(Expr):
    """An exact rational; build with :func:`num` so that whole numbers are ints."""

    value: Union[int, Fraction]


@dataclass(frozen=True, slots=True)
class Sym(Expr):
    """A size or index symbol such as ``H``, ``H_in`` or ``k``."""

    name: str


@dataclass(frozen=True, slots=True)
class Bool(Condition):
    """A constant condition."""

    value: bool


# ---- fixed-arity expressions -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entry(Expr):
    """``name[indices...]``."""

    name: str
    indices: tuple[Expr, ...]

    def children(self):
        return self.indices

    def rebuild(self, children):
        return Entry(self.name, tuple(children))


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr

    def children(self):
        return (self.operand,)

    def rebuild(self, children):
        return Neg(children[0])


@dataclass(frozen=True, slots=True)
class Div(Expr):
    numerator: Expr
    denominator: Expr

    def children(self):
        return (self.numerator, self.denominator)

    def rebuild(self, children):
        return Div(*children)


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    base: Expr
    exponent: Expr

    def children(self):
        return (self.base, self.exponent)

    def rebuild(self, children):
        return Pow(*children)


@dataclass(frozen=True, slots=True)
class Floor(Expr):
    arg: Expr

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Floor(children[0])


@dataclass(frozen=True, slots=True)
class Ceil(Expr):
    arg: Expr

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Ceil(children[0])


@dataclass(frozen=True, slots=True)
class Abs(Expr):
    arg: Expr

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Abs(children[0])


@dataclass(frozen=True, slots=True)
class Mod(Expr):
    dividend: Expr
    divisor: Expr

    def children(self):
        return (self.dividend, self.divisor)

    def rebuild(self, children):
        return Mod(*children)


@dataclass(frozen=True, slots=True)
class Delta(Expr):
    left: Expr
    right: Expr

    def children(self):
        return (self.left, self.right)

    def rebuild(self, children):
        return Delta(*children)


@dataclass(frozen=True, slots=True)
class Iverson(Expr):
    condition: Condition

    def children(self):
        return (self.condition,)

    def rebuild(self, children):
        return Iverson(children[0])


@dataclass(frozen=True, slots=True)
class Cond(Expr):
    """``value if condition else otherwise``."""

    value: Expr
    condition: Condition
    otherwise: Expr

    def children(self):
        return (self.value, self.condition, self.otherwise)

    def rebuild(self, children):
        return Cond(*children)


@dataclass(frozen=True, slots=True)
class Sum(Expr):
    """``sum_{index=lower}^{upper} body``; the index is bound in ``body`` only."""

    body: Expr
    index: str
    lower: Expr
    upper: Expr

    def children(self):
        return (self.body, self.lower, self.upper)

    def rebuild(self, children):
        body, lower, upper = children
        return Sum(body, self.index, lower, upper)


# ---- variadic expressions and conditions -----------------------------------------------------

@dataclass(frozen=True, slots=True)
class Add(Expr):
    terms: tuple[Expr, ...]

    def children(self):
        return self.terms

    def rebuild(self, children):
        return Add(tuple(children))


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    factors: tuple[Expr, ...]

    def children(self):
        return self.factors

    def rebuild(self, children):
        return Mul(tuple(children))


@dataclass(frozen=True, slots=True)
class Min(Expr):
    args: tuple[Expr, ...]

    def children(self):
        return self.args

    def rebuild(self, children):
        return Min(tuple(children))


@dataclass(frozen=True, slots=True)
class Max(Expr):
    args: tuple[Expr, ...]

    def children(self):
        return self.args

    def rebuild(self, children):
        return Max(tuple(children))


@dataclass(frozen=True, slots=True)
class Rel(Condition):
    """``left op right`` with op one of :data:`RELATIONS`."""

    op: str
    left: Expr
    right: Expr

    def children(self):
        return (self.left, self.right)

    def rebuild(self, children):
        return Rel(self.op, *children)


@dataclass(frozen=True, slots=True)
class And(Condition):
    args: tuple[Condition, ...]

    def children(self):
        return self.args

    def rebuild(self, children):
        return And(tuple(children))


@dataclass(frozen=True, slots=True)
class Or(Condition):
    args: tuple[Condition, ...]

    def children(self):
        return self.args

    def rebuild(self, children):
        return Or(tuple(children))


@dataclass(frozen=True, slots=True)
class Not(Condition):
    arg: Condition

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Not(children[0])


#: The relation operators of :class:`Rel`.
RELATIONS = ("<", "<=", ">", ">=", "==", "!=")


# ---- equations -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ref:
    """A tensor named ``name`` at ``indices`` (empty for a scalar such as the loss ``l``)."""

    name: str
    indices: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Equation:
    """``lhs = rhs`` where the lhs is an entry (``of``) or a derivative of ``of`` by ``wrt``.

    * ``f[1, j] = ...``            -> ``of=Ref('f', (1, j))``, ``wrt=None``
    * ``df[1,j]/dW[1,c,k] = ...``  -> ``of=Ref('f', (1, j))``, ``wrt=Ref('W', (1, c, k))``
    * ``dl/dW[1,c,k] = ...``       -> ``of=Ref('l')``, ``wrt=Ref('W', (1, c, k))``

    ``of`` is ``None`` when the answer gave only a right-hand side.
    """

    of: Ref | None
    wrt: Ref | None
    rhs: Expr

    @property
    def lhs_indices(self) -> tuple[Expr, ...]:
        """The indices of the left-hand side in order: those of ``of``, then of ``wrt``."""
        return (self.of.indices if self.of else ()) + (self.wrt.indices if self.wrt else ())


# ---- helpers ---------------------------------------------------------------------------------

def num(value: int | Fraction) -> Num:
    """``Num`` of an int or Fraction, a whole Fraction stored as an int (so 2 and 4/2 are one tree)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    return Num(value)


ZERO, ONE = num(0), num(1)


def walk(node: Node):
    """Every node of the tree below and including ``node``, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def symbols_in(node: Node) -> set[str]:
    """Names of the symbols that are free in ``node`` (sum indices are bound inside their sum)."""
    free: set[str] = set()
    _free(node, frozenset(), free)
    return free


def _free(node: Node, bound: frozenset, free: set) -> None:
    if isinstance(node, Sym):
        if node.name not in bound:
            free.add(node.name)
    elif isinstance(node, Sum):
        _free(node.lower, bound, free)
        _free(node.upper, bound, free)
        _free(node.body, bound | {node.index}, free)
    else:
        for child in node.children():
            _free(child, bound, free)


def tensors_in(node: Node) -> set[str]:
    """Names of the tensors whose entries occur in ``node``."""
    return {n.name for n in walk(node) if isinstance(n, Entry)}
