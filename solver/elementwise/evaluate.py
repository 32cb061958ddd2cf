"""Exact evaluation of the solver's sympy index expressions (the sympy edge of solver.notation.exact).

Each sympy expression is converted to the project's tree once (cached) and
compiled there; see :mod:`solver.notation.exact` for the semantics: exact ints
and Fractions (floats for float tensors), entries outside a tensor's range are
0, bound sum variables shadow ``env``, and the sums' iterations are limited.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping

import numpy as np
import sympy

from solver.notation import Budget, EvaluationError, NotationError, compile_tree, from_sympy
from solver.notation.exact import MAX_SUM_ITERATIONS, CompiledTree, Number

__all__ = ["EvaluationError", "CompiledExpression", "compile_expression", "evaluate", "MAX_SUM_ITERATIONS"]


class CompiledExpression:
    """A sympy expression compiled for one index base; call it as ``compiled(tensors, env)``."""

    __slots__ = ("expr", "base", "_compiled")

    def __init__(self, expr: sympy.Basic, base: int, compiled: CompiledTree):
        self.expr, self.base, self._compiled = expr, base, compiled

    def __call__(self, tensors: Mapping[str, Any], env: Mapping[Any, Any] | None = None, *,
                 max_iterations: int = MAX_SUM_ITERATIONS) -> Number:
        """The value for ``tensors`` (name -> array) and ``env`` (index symbol or name -> number)."""
        names = {_name_of(key): _exact(value) for key, value in (env or {}).items()}
        return self._compiled(tensors, names, budget=Budget(max_iterations))


def evaluate(expr, tensors: Mapping[str, Any], *, base: int, env: Mapping[Any, Any] | None = None,
             max_iterations: int = MAX_SUM_ITERATIONS) -> Number:
    """The exact value of the sympy ``expr``; entry ``x[i]`` is ``tensors['x'][i - base]``.

    Raises :class:`EvaluationError` for unsupported nodes, missing symbols or tensors, and sums
    of more than ``max_iterations`` iterations in total.
    """
    return compile_expression(expr, base=base)(tensors, env, max_iterations=max_iterations)


def compile_expression(expr, *, base: int) -> CompiledExpression:
    """The sympy ``expr`` (or an int / Fraction) compiled for index base ``base`` (cached)."""
    if isinstance(base, bool) or not isinstance(base, int):
        raise EvaluationError(f"index base must be an integer (0 or 1); got {base!r}")
    if isinstance(expr, bool) or not isinstance(expr, (sympy.Basic, int, Fraction)):
        raise EvaluationError(f"expected a sympy expression; got {type(expr).__name__}")
    if isinstance(expr, int):
        expr = sympy.Integer(expr)
    elif isinstance(expr, Fraction):
        expr = sympy.Rational(expr.numerator, expr.denominator)
    return _compile_cached(expr, base)


@lru_cache(maxsize=4096)
def _compile_cached(expr: sympy.Basic, base: int) -> CompiledExpression:
    try:
        tree = from_sympy(expr)
    except NotationError as error:
        raise EvaluationError(f"cannot evaluate {expr}: {error}") from None
    return CompiledExpression(expr, base, compile_tree(tree, base))


def _name_of(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, sympy.Symbol):
        return key.name
    raise EvaluationError(f"env keys must be symbols or names; got {key!r}")


def _exact(value: Any) -> Number:
    if isinstance(value, sympy.Integer):
        return int(value)
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sympy.Float):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (int, float, Fraction)):
        return value
    raise EvaluationError(f"not a number: {value!r} ({type(value).__name__})")
