"""Exact evaluation of index expressions at given index values and tensor entries.

An expression (conventions of :mod:`solver.notation.equation`) is compiled once
into nested Python closures, then evaluated many times without calling sympy.
Supported nodes: Integer, Rational, Float, Symbol (an index from ``env``, or a
scalar tensor by name), Indexed (an entry; 0 when an index is outside the
array or not an integer), IndexedBase (a scalar tensor), Add, Mul, Pow with an
integer exponent, Sum (inclusive bounds; an empty range gives 0; bound
variables shadow ``env``), KroneckerDelta, Piecewise, relationals, And, Or,
Not, true/false, floor, ceiling, Mod, Max, Min, Abs.

Arithmetic is exact (Python ints and ``Fraction``) unless a tensor is a float
array or the expression holds a Float; then the result is a float. Symbols and
tensors are looked up by name, so assumptions on symbols do not matter.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Mapping

import numpy as np
import sympy

#: Most loop iterations (over all sums, nested ones multiplied out) of one evaluation.
MAX_SUM_ITERATIONS = 10**6

Number = int | Fraction | float
_PLAIN = (int, float, Fraction, bool)
_MISSING = object()


class EvaluationError(Exception):
    """An expression cannot be evaluated: unsupported node, missing value, or too much work."""


class _Context:
    """The state of one evaluation: tensors, index values by name, and the iteration budget."""

    __slots__ = ("tensors", "env", "iterations", "limit")

    def __init__(self, tensors: dict[str, np.ndarray], env: dict[str, Number], limit: int):
        self.tensors, self.env, self.iterations, self.limit = tensors, env, 0, limit


_Run = Callable[[_Context], Any]


class CompiledExpression:
    """An expression compiled for one index base; call it as ``compiled(tensors, env)``."""

    __slots__ = ("expr", "base", "_run")

    def __init__(self, expr: sympy.Basic, base: int, run: _Run):
        self.expr, self.base, self._run = expr, base, run

    def __call__(self, tensors: Mapping[str, Any], env: Mapping[Any, Any] | None = None, *,
                 max_iterations: int = MAX_SUM_ITERATIONS) -> Number:
        """The value of the expression for ``tensors`` (name -> array) and ``env`` (index -> int)."""
        arrays, inexact = _prepare_tensors(tensors)
        names = {_name_of(key): _exact(value) for key, value in (env or {}).items()}
        value = self._run(_Context(arrays, names, max_iterations))
        if inexact or isinstance(value, float):
            return float(value)
        if isinstance(value, Fraction) and value.denominator == 1:
            return value.numerator
        return value


def evaluate(expr, tensors: Mapping[str, Any], *, base: int,
             env: Mapping[Any, Any] | None = None,
             max_iterations: int = MAX_SUM_ITERATIONS) -> Number:
    """The exact value of ``expr`` with tensor entries from ``tensors`` and indices from ``env``.

    ``base`` is the index base of every tensor: entry ``x[i]`` is
    ``tensors['x'][i - base]``. Returns an int or Fraction for integer or
    Fraction tensors, a float when a tensor is a float array. Raises
    :class:`EvaluationError` for unsupported nodes, missing symbols or
    tensors, and sums of more than ``max_iterations`` iterations in total.
    """
    return compile_expression(expr, base=base)(tensors, env, max_iterations=max_iterations)


def compile_expression(expr, *, base: int) -> CompiledExpression:
    """``expr`` compiled into closures for index base ``base`` (cached per expression and base)."""
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
    return CompiledExpression(expr, base, _compile(expr, base))


# --- inputs ---------------------------------------------------------------------------------

def _prepare_tensors(tensors: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], bool]:
    arrays, inexact = {}, False
    for name, value in tensors.items():
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        inexact = inexact or array.dtype.kind in "fc"
        arrays[name] = array
    return arrays, inexact


def _name_of(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, sympy.Symbol):
        return key.name
    raise EvaluationError(f"env keys must be symbols or names; got {key!r}")


def _exact(value: Any) -> Number:
    """A Python number for ``value`` (sympy and numpy numbers converted exactly)."""
    if isinstance(value, _PLAIN):
        return value
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
    raise EvaluationError(f"not a number: {value!r} ({type(value).__name__})")


def _as_integer(value: Number) -> int | None:
    """``value`` as an int when it is a whole number, else None."""
    if type(value) is int:
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, (int, bool)):
        return int(value)
    return None


def _bound(value: Number, what: str) -> int:
    as_int = _as_integer(value)
    if as_int is None:
        raise EvaluationError(f"{what} must be an integer; got {value}")
    return as_int


# --- compilation ----------------------------------------------------------------------------

def _compile(expr: sympy.Basic, base: int) -> _Run:
    for kind, compiler in _COMPILERS:
        if isinstance(expr, kind):
            return compiler(expr, base)
    supported = ", ".join(kind.__name__ for kind, _ in _COMPILERS)
    raise EvaluationError(f"cannot evaluate {expr}: {type(expr).__name__} is not supported; "
                          f"supported: {supported}")


def _constant(value: Any) -> _Run:
    return lambda ctx: value


def _compile_integer(expr: sympy.Integer, base: int) -> _Run:
    return _constant(int(expr))


def _compile_rational(expr: sympy.Rational, base: int) -> _Run:
    return _constant(Fraction(int(expr.p), int(expr.q)))


def _compile_float(expr: sympy.Float, base: int) -> _Run:
    return _constant(float(expr))


def _compile_boolean(expr, base: int) -> _Run:
    return _constant(bool(expr))


def _compile_symbol(expr: sympy.Symbol, base: int) -> _Run:
    name = expr.name

    def run(ctx: _Context):
        value = ctx.env.get(name, _MISSING)
        if value is not _MISSING:
            return value
        return _scalar_tensor(ctx, name)
    return run


def _compile_indexed_base(expr: sympy.IndexedBase, base: int) -> _Run:
    name = expr.name
    return lambda ctx: _scalar_tensor(ctx, name)


def _scalar_tensor(ctx: _Context, name: str) -> Number:
    array = ctx.tensors.get(name)
    if array is None:
        raise EvaluationError(f"no value for {name!r}: it is neither an index in env nor a "
                              f"given tensor")
    if array.ndim != 0:
        raise EvaluationError(f"{name!r} is a tensor of shape {array.shape}; it needs indices")
    value = array.item()
    return value if isinstance(value, _PLAIN) else _exact(value)


def _compile_indexed(expr: sympy.Indexed, base: int) -> _Run:
    name = expr.base.name
    index_runs = tuple(_compile(index, base) for index in expr.indices)
    rank = len(index_runs)

    def run(ctx: _Context):
        array = ctx.tensors.get(name)
        if array is None:
            raise EvaluationError(f"no values given for tensor {name!r}")
        shape = array.shape
        if len(shape) != rank:
            raise EvaluationError(f"{name} has {len(shape)} axes {shape}; the expression "
                                  f"indexes it with {rank}")
        position = []
        for axis, index_run in enumerate(index_runs):
            index = _as_integer(index_run(ctx))
            if index is None:
                return 0
            index -= base
            if index < 0 or index >= shape[axis]:
                return 0
            position.append(index)
        value = array.item(*position)
        return value if isinstance(value, _PLAIN) else _exact(value)
    return run


def _compile_add(expr: sympy.Add, base: int) -> _Run:
    linear = _linear_terms(expr)
    if linear is not None:
        return _compile_linear(*linear)
    runs = tuple(_compile(term, base) for term in expr.args)

    def run(ctx: _Context):
        total = 0
        for term in runs:
            total += term(ctx)
        return total
    return run


def _linear_terms(expr: sympy.Add) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """(constant, ((name, coefficient), ...)) when expr is an integer combination of symbols."""
    constant, terms = 0, []
    for term in expr.args:
        if isinstance(term, sympy.Integer):
            constant += int(term)
        elif isinstance(term, sympy.Symbol):
            terms.append((term.name, 1))
        elif (isinstance(term, sympy.Mul) and len(term.args) == 2
              and isinstance(term.args[0], sympy.Integer) and isinstance(term.args[1], sympy.Symbol)):
            terms.append((term.args[1].name, int(term.args[0])))
        else:
            return None
    return constant, tuple(terms)


def _compile_linear(constant: int, terms: tuple[tuple[str, int], ...]) -> _Run:
    # Index offsets such as 2*j + k - 2 are the hot path: one closure instead of one per node.
    def run(ctx: _Context):
        env = ctx.env
        total = constant
        for name, coefficient in terms:
            value = env.get(name, _MISSING)
            if value is _MISSING:
                value = _scalar_tensor(ctx, name)
            total += coefficient * value
        return total
    return run


def _factor_cost(factor: sympy.Basic) -> int:
    # Cheap factors that are often 0 (deltas, conditions) first, so a 0 skips the rest.
    if isinstance(factor, (sympy.KroneckerDelta, sympy.Piecewise)):
        return 0
    if isinstance(factor, sympy.Indexed):
        return 1
    return 2


def _compile_mul(expr: sympy.Mul, base: int) -> _Run:
    ordered = sorted(expr.args, key=_factor_cost)
    runs = tuple(_compile(factor, base) for factor in ordered)

    def run(ctx: _Context):
        product = 1
        for factor in runs:
            product *= factor(ctx)
            if product == 0:
                return 0
        return product
    return run


def _compile_pow(expr: sympy.Pow, base: int) -> _Run:
    base_run, exponent_run = _compile(expr.base, base), _compile(expr.exp, base)

    def run(ctx: _Context):
        value = base_run(ctx)
        exponent = _as_integer(exponent_run(ctx))
        if exponent is None:
            raise EvaluationError(f"{expr}: only integer exponents are supported")
        if exponent >= 0:
            return value ** exponent
        if value == 0:
            raise EvaluationError(f"{expr}: division by zero")
        if isinstance(value, float):
            return value ** exponent
        return Fraction(value) ** exponent
    return run


def _compile_sum(expr: sympy.Sum, base: int) -> _Run:
    run = _compile(expr.function, base)
    for limit in expr.limits:   # innermost first
        if len(limit) != 3:
            raise EvaluationError(f"{expr}: every sum needs numeric bounds (k, low, high)")
        variable, low, high = limit
        run = _loop(run, variable.name, _compile(low, base), _compile(high, base))
    return run


def _loop(body: _Run, name: str, low_run: _Run, high_run: _Run) -> _Run:
    def run(ctx: _Context):
        low = _bound(low_run(ctx), f"the lower bound of the sum over {name}")
        high = _bound(high_run(ctx), f"the upper bound of the sum over {name}")
        if high < low:
            return 0
        ctx.iterations += high - low + 1
        if ctx.iterations > ctx.limit:
            raise EvaluationError(f"the sums need more than {ctx.limit} iterations; "
                                  f"refusing to evaluate")
        env = ctx.env
        saved = env.get(name, _MISSING)
        total = 0
        try:
            for value in range(low, high + 1):
                env[name] = value
                total += body(ctx)
        finally:
            if saved is _MISSING:
                del env[name]
            else:
                env[name] = saved
        return total
    return run


def _compile_kronecker(expr: sympy.KroneckerDelta, base: int) -> _Run:
    left, right = (_compile(arg, base) for arg in expr.args[:2])
    return lambda ctx: 1 if left(ctx) == right(ctx) else 0


def _compile_piecewise(expr: sympy.Piecewise, base: int) -> _Run:
    pieces = tuple((_compile(pair.expr, base), _compile(pair.cond, base)) for pair in expr.args)

    def run(ctx: _Context):
        for value, condition in pieces:
            if condition(ctx):
                return value(ctx)
        raise EvaluationError(f"{expr}: no condition holds (add a (0, True) piece)")
    return run


_RELATIONS = {
    sympy.Eq: lambda a, b: a == b, sympy.Ne: lambda a, b: a != b,
    sympy.Lt: lambda a, b: a < b, sympy.Le: lambda a, b: a <= b,
    sympy.Gt: lambda a, b: a > b, sympy.Ge: lambda a, b: a >= b,
}


def _compile_relational(expr: sympy.core.relational.Relational, base: int) -> _Run:
    compare = _RELATIONS.get(type(expr))
    if compare is None:
        raise EvaluationError(f"cannot evaluate {expr}: relation {type(expr).__name__} "
                              f"is not supported")
    left, right = _compile(expr.lhs, base), _compile(expr.rhs, base)
    return lambda ctx: compare(left(ctx), right(ctx))


def _compile_and(expr: sympy.And, base: int) -> _Run:
    runs = tuple(_compile(arg, base) for arg in expr.args)
    return lambda ctx: all(arg(ctx) for arg in runs)


def _compile_or(expr: sympy.Or, base: int) -> _Run:
    runs = tuple(_compile(arg, base) for arg in expr.args)
    return lambda ctx: any(arg(ctx) for arg in runs)


def _compile_not(expr: sympy.Not, base: int) -> _Run:
    inner = _compile(expr.args[0], base)
    return lambda ctx: not inner(ctx)


def _unary(function: Callable[[Number], Number]) -> Callable[[sympy.Basic, int], _Run]:
    def compiler(expr: sympy.Basic, base: int) -> _Run:
        inner = _compile(expr.args[0], base)
        return lambda ctx: function(inner(ctx))
    return compiler


def _variadic(function: Callable[..., Number]) -> Callable[[sympy.Basic, int], _Run]:
    def compiler(expr: sympy.Basic, base: int) -> _Run:
        runs = tuple(_compile(arg, base) for arg in expr.args)
        return lambda ctx: function(arg(ctx) for arg in runs)
    return compiler


def _compile_mod(expr: sympy.Mod, base: int) -> _Run:
    left, right = (_compile(arg, base) for arg in expr.args)

    def run(ctx: _Context):
        divisor = right(ctx)
        if divisor == 0:
            raise EvaluationError(f"{expr}: modulo by zero")
        return left(ctx) % divisor   # Python's %, like sympy.Mod: the sign of the divisor
    return run


# Order matters: subclasses (Integer < Rational, Indexed is not a Symbol) before bases.
_COMPILERS: tuple[tuple[type, Callable[[Any, int], _Run]], ...] = (
    (sympy.Integer, _compile_integer),
    (sympy.Rational, _compile_rational),
    (sympy.Float, _compile_float),
    (sympy.logic.boolalg.BooleanTrue, _compile_boolean),
    (sympy.logic.boolalg.BooleanFalse, _compile_boolean),
    (sympy.Symbol, _compile_symbol),
    (sympy.Indexed, _compile_indexed),
    (sympy.IndexedBase, _compile_indexed_base),
    (sympy.Add, _compile_add),
    (sympy.Mul, _compile_mul),
    (sympy.Pow, _compile_pow),
    (sympy.Sum, _compile_sum),
    (sympy.KroneckerDelta, _compile_kronecker),
    (sympy.Piecewise, _compile_piecewise),
    (sympy.core.relational.Relational, _compile_relational),
    (sympy.And, _compile_and),
    (sympy.Or, _compile_or),
    (sympy.Not, _compile_not),
    (sympy.floor, _unary(math.floor)),
    (sympy.ceiling, _unary(math.ceil)),
    (sympy.Abs, _unary(abs)),
    (sympy.Mod, _compile_mod),
    (sympy.Max, _variadic(max)),
    (sympy.Min, _variadic(min)),
)
