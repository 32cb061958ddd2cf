"""The integer domain over which a part's symbolic answers are compared."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy

from solver.constraints import Constraint
from solver.notation import from_sympy, tree
from solver.shapes import layer_constraints


@dataclass(frozen=True)
class Domain:
    """Symbols of a part and the relations every valid assignment satisfies.

    ``constraints`` come from the layers (sizes >= 1, padding >= 0, the
    kernel fits, ...); ``assumptions`` from the spec (``H >= K``).
    """

    symbols: tuple[sympy.Symbol, ...]
    constraints: tuple[Constraint, ...]
    assumptions: tuple[sympy.Basic, ...]

    def relations(self) -> tuple[sympy.Basic, ...]:
        """Every condition as a sympy relational (symbolic ones only)."""
        symbolic = tuple(c.relation() for c in self.constraints if c.holds() is None)
        return symbolic + self.assumptions

    @cached_property
    def relation_trees(self) -> tuple[tree.Condition, ...]:
        """:meth:`relations` as the project's trees (converted once)."""
        return tuple(from_sympy(r) for r in self.relations())

    @cached_property
    def symbol_names(self) -> tuple[str, ...]:
        """The names of :attr:`symbols`, in order."""
        return tuple(s.name for s in self.symbols)

    def lower_bound(self, symbol: sympy.Symbol) -> int:
        """The smallest value the constraints allow for ``symbol`` alone (0 when none says)."""
        bound = 0
        for constraint in self.constraints:
            if constraint.lhs == symbol and constraint.op == ">=" and isinstance(constraint.rhs, int):
                bound = max(bound, constraint.rhs)
        return bound


def part_domain(part) -> Domain:
    """The domain of a :class:`~solver.spec.model.Part`: its layers' constraints and assumptions."""
    constraints = tuple(c for layer in part.layers for c in layer_constraints(layer))
    symbols: set[sympy.Symbol] = set()
    for constraint in constraints:
        for side in (constraint.lhs, constraint.rhs):
            if isinstance(side, sympy.Basic):
                symbols |= side.free_symbols
    for relation in part.assumptions:
        symbols |= relation.free_symbols
    return Domain(tuple(sorted(symbols, key=lambda s: s.name)), constraints, tuple(part.assumptions))
