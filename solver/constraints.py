"""Validity conditions of a layer, stated once and used two ways.

For a numeric layer each :class:`Constraint` is checked and a failing one
becomes a :class:`~solver.errors.SpecError` with its reason. For a symbolic
layer the same constraints describe the domain over which symbolic answers
are compared (the grader samples integers that satisfy them).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from solver.arith import as_int
from solver.layers import Dim

_OPERATORS = {
    ">=": (lambda a, b: a >= b, sympy.Ge),
    ">": (lambda a, b: a > b, sympy.Gt),
    "==": (lambda a, b: a == b, sympy.Eq),
    "<": (lambda a, b: a < b, sympy.Lt),
    "<=": (lambda a, b: a <= b, sympy.Le),
}


@dataclass(frozen=True)
class Constraint:
    """``lhs OP rhs`` must hold; ``field`` is the spec field to blame, ``reason`` says why.

    ``divides`` constraints (``rhs % lhs == 0``) use ``op='divides'``.
    ``failure`` says what is wrong with the numbers, in words: a template
    filled with ``lhs``, ``rhs`` and ``details`` (name, value) pairs, e.g.
    ``"padding {pad} is more than half the kernel {rhs}"``.
    """

    lhs: Dim
    op: str
    rhs: Dim
    field: str
    reason: str
    failure: str = ""
    details: tuple[tuple[str, Dim], ...] = ()

    def holds(self) -> bool | None:
        """True/False when both sides are numbers; None when the constraint is symbolic."""
        a, b = as_int(self.lhs), as_int(self.rhs)
        if a is None or b is None:
            return None
        if self.op == "divides":
            return a != 0 and b % a == 0
        return bool(_OPERATORS[self.op][0](a, b))

    def relation(self) -> sympy.Basic:
        """The constraint as a sympy relational (``Eq(Mod(rhs, lhs), 0)`` for ``divides``)."""
        if self.op == "divides":
            return sympy.Eq(sympy.Mod(self.rhs, self.lhs), 0)
        return _OPERATORS[self.op][1](self.lhs, self.rhs)

    def message(self) -> str:
        """What is wrong and the rule, for a constraint that does not hold."""
        if self.failure:
            filled = self.failure.format(lhs=self.lhs, rhs=self.rhs, **dict(self.details))
            return f"{filled}; {self.reason}"
        return f"{self.reason} (here {self.describe()} is false)"

    def describe(self) -> str:
        """The condition in words, e.g. ``stride >= 1``."""
        if self.op == "divides":
            return f"{self.lhs} divides {self.rhs}"
        return f"{self.lhs} {self.op} {self.rhs}"
