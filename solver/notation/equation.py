"""Index equations: the structured form of answers such as ``df[1,j]/dW[1,c,k] = x[c, 2*j+k-2]``.

Conventions shared by the parser, the printers, the solver and the grader:

* a tensor entry is ``sympy.Indexed(sympy.IndexedBase(name), *indices)``;
* index variables and size symbols are ``sympy.Symbol(name, integer=True)``;
* a sum is an unevaluated ``sympy.Sum(body, (k, lo, hi))`` with inclusive bounds;
* ``delta(a, b)`` is ``sympy.KroneckerDelta(a, b)``; ``expr if cond else 0`` and
  Iverson brackets ``[cond]`` are ``sympy.Piecewise((expr, cond), (0, True))``;
* a tensor entry whose index lies outside the tensor's range is 0 (this is
  also exactly zero padding).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class TensorRef:
    """A tensor named ``name`` at ``indices`` (empty for a scalar such as the loss ``l``)."""

    name: str
    indices: tuple[sympy.Expr, ...] = ()


@dataclass(frozen=True)
class IndexEquation:
    """``lhs = rhs`` where ``lhs`` is an entry or a derivative of entries.

    * ``f[1, j] = ...``            -> ``of=TensorRef('f', (1, j))``, ``wrt=None``
    * ``df[1,j]/dW[1,c,k] = ...``  -> ``of=TensorRef('f', (1, j))``, ``wrt=TensorRef('W', (1, c, k))``
    * ``dl/dW[1,c,k] = ...``       -> ``of=TensorRef('l')``, ``wrt=TensorRef('W', (1, c, k))``

    ``of`` is ``None`` when the answer gave only a right-hand side.
    """

    of: TensorRef | None
    wrt: TensorRef | None
    rhs: sympy.Expr

    @property
    def lhs_indices(self) -> tuple[sympy.Expr, ...]:
        """The indices of the left-hand side in order: those of ``of``, then of ``wrt``."""
        return (self.of.indices if self.of else ()) + (self.wrt.indices if self.wrt else ())


def index_symbol(name: str) -> sympy.Symbol:
    """The sympy symbol used everywhere for an index variable or size named ``name``."""
    return sympy.Symbol(name, integer=True)


def tensor_entry(name: str, *indices) -> sympy.Indexed:
    """``name[indices...]`` as a sympy ``Indexed``."""
    return sympy.IndexedBase(name)[tuple(indices)]
