"""Exact evaluation of trees at given symbol values and tensor entries.

A tree is compiled once into nested Python closures (one compiler per node
type in ``_COMPILERS``), then evaluated many times. Arithmetic is exact
(Python ints and ``Fraction``) unless a tensor is a float array; then the
result is a float. A tensor entry whose index is outside the array (or not an
integer) is 0; a symbol is looked up in ``env``, else as a scalar tensor.
Bounded sums loop over their range; all loops of one :class:`Budget` share
its iteration limit, so the work of a whole check is bounded, not just of one
evaluation.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Mapping

import numpy as np

from solver.notation.tree import (Abs, Add, And, Bool, Ceil, Cond, Delta, Div, Entry, Floor, Iverson, Max, Min,
                                  Mod, Mul, Neg, Node, Not, Num, Or, Pow, Rel, Sum, Sym)

#: Default iteration limit (over all sums, nested ones multiplied out) of one Budget.
MAX_SUM_ITERATIONS = 10**6
#: Largest |exponent| evaluated (exponents that are symbols take their values at run time).
MAX_RUNTIME_EXPONENT = 256

Number = int | Fraction | float
_PLAIN = (int, float, Fraction, bool)
_MISSING = object()


class EvaluationError(Exception):
    """A tree cannot be evaluated: missing value, division by zero, or too much work."""


class DivisionByZero(EvaluationError):
    """A division or modulo by zero at the point evaluated (the value is undefined there)."""


class Budget:
    """Iterations left for the loops of bounded sums; share one across many evaluations."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int = MAX_SUM_ITERATIONS):
        self.left = self.limit = limit

    def spend(self, iterations: int) -> None:
        self.left -= iterations
        if self.left < 0:
            raise EvaluationError(f"the sums need more than {self.limit} iterations; refusing to evaluate")


class _Context:
    __slots__ = ("tensors", "env", "budget")

    def __init__(self, tensors: dict, env: dict, budget: Budget):
        self.tensors, self.env, self.budget = tensors, env, budget


_Run = Callable[[_Context], Any]


class CompiledTree:
    """A tree compiled for one index base; call it as ``compiled(tensors, env)``."""

    __slots__ = ("tree", "base", "_run")

    def __init__(self, tree: Node, base: int, run: _Run):
        self.tree, self.base, self._run = tree, base, run

    def __call__(self, tensors: Mapping[str, Any], env: Mapping[str, Any] | None = None, *,
                 budget: Budget | None = None) -> Number:
        """The value for ``tensors`` (name -> array) and ``env`` (symbol name -> number)."""
        arrays, inexact = _prepare_tensors(tensors)
        value = self._run(_Context(arrays, dict(env or {}), budget or Budget()))
        if inexact or isinstance(value, float):
            return float(value)
        if isinstance(value, Fraction) and value.denominator == 1:
            return value.numerator
        return value

    def call_prepared(self, tensors: dict, env: dict, budget: Budget) -> Number:
        """Like calling, for tensors that are already numpy arrays of exact values and an env to reuse."""
        return self._run(_Context(tensors, env, budget))


@lru_cache(maxsize=8192)
def compile_tree(tree: Node, base: int) -> CompiledTree:
    """``tree`` compiled into closures for index base ``base`` (entry x[i] is tensors['x'][i - base])."""
    return CompiledTree(tree, base, _compile(tree, base))


def evaluate_tree(tree: Node, tensors: Mapping[str, Any] | None = None, *, base: int = 0,
                  env: Mapping[str, Any] | None = None, budget: Budget | None = None) -> Number:
    """The exact value of ``tree``; raises EvaluationError (DivisionByZero where undefined)."""
    return compile_tree(tree, base)(tensors or {}, env, budget=budget)


# --- inputs ---------------------------------------------------------------------------------

def _prepare_tensors(tensors: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], bool]:
    arrays, inexact = {}, False
    for name, value in tensors.items():
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        inexact = inexact or array.dtype.kind in "fc"
        arrays[name] = array
    return arrays, inexact


def exact_number(value: Any) -> Number:
    """A Python number for ``value`` (numpy numbers converted exactly)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise EvaluationError(f"not a number: {value!r} ({type(value).__name__})")


def as_integer(value: Number) -> int | None:
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


# --- compilation ----------------------------------------------------------------------------

def _compile(node: Node, base: int) -> _Run:
    return _COMPILERS[type(node)](node, base)


def _constant(value: Any) -> _Run:
    return lambda ctx: value


def _compile_symbol(node: Sym, base: int) -> _Run:
    name = node.name

    def run(ctx: _Context):
        value = ctx.env.get(name, _MISSING)
        if value is not _MISSING:
            return value
        return _scalar_tensor(ctx, name)
    return run


def _scalar_tensor(ctx: _Context, name: str) -> Number:
    array = ctx.tensors.get(name)
    if array is None:
        raise EvaluationError(f"no value for {name!r}: it is neither a given index or size nor a tensor")
    if array.ndim != 0:
        raise EvaluationError(f"{name!r} is a tensor of shape {array.shape}; it needs indices")
    return exact_number(array.item())


def _compile_entry(node: Entry, base: int) -> _Run:
    name = node.name
    index_runs = tuple(_compile(index, base) for index in node.indices)
    rank = len(index_runs)

    def run(ctx: _Context):
        array = ctx.tensors.get(name)
        if array is None:
            raise EvaluationError(f"no values given for tensor {name!r}")
        shape = array.shape
        if len(shape) != rank:
            raise EvaluationError(f"{name} has {len(shape)} axes {shape}; the expression indexes it with {rank}")
        position = []
        for axis, index_run in enumerate(index_runs):
            index = as_integer(index_run(ctx))
            if index is None:
                return 0
            index -= base
            if index < 0 or index >= shape[axis]:
                return 0
            position.append(index)
        value = array.item(*position)
        return value if isinstance(value, _PLAIN) else exact_number(value)
    return run


def _linear(node: Add) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """(constant, ((name, coefficient), ...)) when ``node`` is an integer combination of symbols."""
    constant, terms = 0, []
    for term in node.terms:
        sign = 1
        if isinstance(term, Neg):
            sign, term = -1, term.operand
        if isinstance(term, Num) and isinstance(term.value, int):
            constant += sign * term.value
        elif isinstance(term, Sym):
            terms.append((term.name, sign))
        elif (isinstance(term, Mul) and len(term.factors) == 2 and isinstance(term.factors[0], Num)
              and isinstance(term.factors[0].value, int) and isinstance(term.factors[1], Sym)):
            terms.append((term.factors[1].name, sign * term.factors[0].value))
        else:
            return None
    return constant, tuple(terms)


def _compile_add(node: Add, base: int) -> _Run:
    linear = _linear(node)
    if linear is not None:
        constant, terms = linear

        # Index offsets such as 2*j + k - 2 are the hot path: one closure instead of one per node.
        def run_linear(ctx: _Context):
            env = ctx.env
            total = constant
            for name, coefficient in terms:
                value = env.get(name, _MISSING)
                if value is _MISSING:
                    value = _scalar_tensor(ctx, name)
                total += coefficient * value
            return total
        return run_linear
    runs = tuple(_compile(term, base) for term in node.terms)

    def run(ctx: _Context):
        total = 0
        for term in runs:
            total += term(ctx)
        return total
    return run


def _factor_cost(factor: Node) -> int:
    # Cheap factors that are often 0 (deltas, conditions) first, so a 0 skips the rest.
    if isinstance(factor, (Delta, Iverson, Cond)):
        return 0
    return 1 if isinstance(factor, Entry) else 2


def _compile_mul(node: Mul, base: int) -> _Run:
    runs = tuple(_compile(factor, base) for factor in sorted(node.factors, key=_factor_cost))

    def run(ctx: _Context):
        product = 1
        for factor in runs:
            product *= factor(ctx)
            if product == 0:
                return 0
        return product
    return run


def _compile_neg(node: Neg, base: int) -> _Run:
    inner = _compile(node.operand, base)
    return lambda ctx: -inner(ctx)


def _compile_div(node: Div, base: int) -> _Run:
    top, bottom = _compile(node.numerator, base), _compile(node.denominator, base)

    def run(ctx: _Context):
        divisor = bottom(ctx)
        if divisor == 0:
            raise DivisionByZero("division by zero")
        dividend = top(ctx)
        if isinstance(dividend, float) or isinstance(divisor, float):
            return dividend / divisor
        return Fraction(dividend) / divisor
    return run


def _compile_pow(node: Pow, base: int) -> _Run:
    base_run, exponent_run = _compile(node.base, base), _compile(node.exponent, base)

    def run(ctx: _Context):
        value = base_run(ctx)
        exponent = as_integer(exponent_run(ctx))
        if exponent is None:
            raise EvaluationError("only integer exponents can be evaluated")
        if abs(exponent) > MAX_RUNTIME_EXPONENT:
            raise EvaluationError(f"an exponent of {exponent} is too large to evaluate")
        if exponent >= 0:
            return value ** exponent
        if value == 0:
            raise DivisionByZero("division by zero")
        if isinstance(value, float):
            return value ** exponent
        return Fraction(value) ** exponent
    return run


def _compile_sum(node: Sum, base: int) -> _Run:
    body, name = _compile(node.body, base), node.index
    low_run, high_run = _compile(node.lower, base), _compile(node.upper, base)

    def run(ctx: _Context):
        low, high = as_integer(low_run(ctx)), as_integer(high_run(ctx))
        for bound, which in ((low, "lower"), (high, "upper")):
            if bound is None:
                raise EvaluationError(f"the {which} bound of the sum over {name} must be an integer")
        if high < low:
            return 0
        ctx.budget.spend(high - low + 1)
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


def _compile_cond(node: Cond, base: int) -> _Run:
    value, condition, otherwise = (_compile(child, base) for child in node.children())
    return lambda ctx: value(ctx) if condition(ctx) else otherwise(ctx)


def _compile_iverson(node: Iverson, base: int) -> _Run:
    condition = _compile(node.condition, base)
    return lambda ctx: 1 if condition(ctx) else 0


def _compile_delta(node: Delta, base: int) -> _Run:
    left, right = _compile(node.left, base), _compile(node.right, base)
    return lambda ctx: 1 if left(ctx) == right(ctx) else 0


_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _compile_rel(node: Rel, base: int) -> _Run:
    compare = _COMPARE[node.op]
    left, right = _compile(node.left, base), _compile(node.right, base)
    return lambda ctx: compare(left(ctx), right(ctx))


def _compile_mod(node: Mod, base: int) -> _Run:
    left, right = _compile(node.dividend, base), _compile(node.divisor, base)

    def run(ctx: _Context):
        divisor = right(ctx)
        if divisor == 0:
            raise DivisionByZero("modulo by zero")
        return left(ctx) % divisor   # Python's %: the sign of the divisor
    return run


def _unary(function: Callable[[Number], Number]):
    def compiler(node: Node, base: int) -> _Run:
        inner = _compile(node.children()[0], base)
        return lambda ctx: function(inner(ctx))
    return compiler


def _variadic(function: Callable[..., Any]):
    def compiler(node: Node, base: int) -> _Run:
        runs = tuple(_compile(child, base) for child in node.children())
        return lambda ctx: function(arg(ctx) for arg in runs)
    return compiler


_COMPILERS: dict[type, Callable[[Any, int], _Run]] = {
    Num: lambda node, base: _constant(node.value),
    Bool: lambda node, base: _constant(node.value),
    Sym: _compile_symbol,
    Entry: _compile_entry,
    Add: _compile_add,
    Mul: _compile_mul,
    Neg: _compile_neg,
    Div: _compile_div,
    Pow: _compile_pow,
    Sum: _compile_sum,
    Cond: _compile_cond,
    Iverson: _compile_iverson,
    Delta: _compile_delta,
    Rel: _compile_rel,
    And: _variadic(all),
    Or: _variadic(any),
    Not: _unary(lambda value: not value),
    Floor: _unary(math.floor),
    Ceil: _unary(math.ceil),
    Abs: _unary(abs),
    Mod: _compile_mod,
    Max: _variadic(max),
    Min: _variadic(min),
}
