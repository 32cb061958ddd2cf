"""Exact evaluation of a scalar formula at many integer points at once.

The int64 rational arrays of :mod:`grader.checks.rational_arrays` evaluate
every point in one walk over the tree; when a value leaves their exact range
(or a node is not supported there), each point is evaluated on its own with
the project's exact evaluator (:mod:`solver.elementwise.evaluate`: Python
ints and Fractions). Supported: numbers, symbols, +, *, integer powers,
floor, ceiling, Max, Min, Abs, Mod, Piecewise, relationals, And/Or/Not.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from grader.checks.rational_arrays import Rationals, TooLarge, Unsupported, evaluate_rationals
from solver.elementwise.evaluate import EvaluationError, compile_expression


class PointwiseError(ValueError):
    """A formula uses something that cannot be evaluated at integer points."""


UNDEFINED = None  # a point where the formula divides by zero

# Formulas here hold no tensors; each point gets this many loop iterations at most.
_MAX_ITERATIONS = 10**5


def values_at(expr: sympy.Basic, points: dict[sympy.Symbol, np.ndarray], size: int) -> np.ndarray:
    """The values of ``expr`` at ``size`` points (object array of ints/Fractions; None where undefined).

    ``points`` maps each symbol to an int array of length ``size``.
    """
    try:
        return _to_objects(evaluate_rationals(expr, points, size))
    except (TooLarge, Unsupported):
        pass
    if isinstance(expr, int):
        expr = sympy.Integer(expr)
    unknown = [s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol) and s not in points]
    if unknown:
        raise PointwiseError(f"unknown symbol {', '.join(sorted(unknown))}")
    try:
        compiled = compile_expression(expr, base=0)
    except EvaluationError as error:
        raise PointwiseError(f"this formula cannot be compared at integer points: {error}") from None
    result = np.empty(size, dtype=object)
    for index in range(size):
        env = {symbol: int(column[index]) for symbol, column in points.items()}
        try:
            result[index] = compiled({}, env, max_iterations=_MAX_ITERATIONS)
        except EvaluationError as error:
            if "by zero" not in str(error):   # division or modulo by zero: undefined here
                raise PointwiseError(f"this formula cannot be compared at integer points: "
                                     f"{error}") from None
            result[index] = UNDEFINED
    return result


def _to_objects(values: Rationals) -> np.ndarray:
    result = values.num.astype(object)
    for index in np.flatnonzero(values.den != 1):
        result[index] = Fraction(int(values.num[index]), int(values.den[index]))
    result[~values.ok] = UNDEFINED
    return result
