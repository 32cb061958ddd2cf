"""The exact evaluator: one hand-worked case per node type, plus ranges, shadowing and limits."""

from fractions import Fraction

import numpy as np
import pytest
import sympy

from solver.elementwise.evaluate import EvaluationError, compile_expression, evaluate
from solver.notation.equation import index_symbol, tensor_entry

i, j, k = (index_symbol(name) for name in "ijk")
x = sympy.IndexedBase("x")
VECTOR = {"x": np.array([10, 20, 30])}


def test_integer_and_rational_constants_are_exact():
    assert evaluate(sympy.Integer(7), {}, base=1) == 7
    value = evaluate(sympy.Rational(1, 3) + sympy.Rational(1, 6) * j, {}, base=1, env={j: 1})
    assert value == Fraction(1, 2) and isinstance(value, Fraction)


def test_whole_fraction_result_is_an_int():
    value = evaluate(j / 2, {}, base=1, env={j: 4})
    assert value == 2 and type(value) is int


def test_symbols_are_looked_up_by_name():
    plain_j = sympy.Symbol("j")   # no integer assumption
    assert evaluate(plain_j + 1, {}, base=0, env={j: 4}) == 5
    assert evaluate(j + 1, {}, base=0, env={"j": 4}) == 5


def test_missing_symbol_is_an_error():
    with pytest.raises(EvaluationError, match="'j'"):
        evaluate(j + 1, {}, base=1)


def test_add_mul_pow():
    # 2**3 + 3*2*5 - 5**2 = 8 + 30 - 25 = 13
    assert evaluate(j**3 + 3 * j * k - k**2, {}, base=1, env={j: 2, k: 5}) == 13


def test_negative_power_is_an_exact_fraction():
    value = evaluate(j**-2, {}, base=1, env={j: 2})
    assert value == Fraction(1, 4) and isinstance(value, Fraction)


def test_division_by_zero_and_non_integer_exponents_are_errors():
    with pytest.raises(EvaluationError, match="division by zero"):
        evaluate(1 / j, {}, base=1, env={j: 0})
    with pytest.raises(EvaluationError, match="integer exponents"):
        evaluate(sympy.sqrt(j), {}, base=1, env={j: 4})


def test_indexed_uses_the_base():
    assert evaluate(x[j], VECTOR, base=1, env={j: 1}) == 10
    assert evaluate(x[j], VECTOR, base=0, env={j: 1}) == 20


@pytest.mark.parametrize("base, index", [(1, 0), (1, 4), (0, -1), (0, 3), (1, -7)])
def test_indexed_outside_the_range_is_zero(base, index):
    assert evaluate(x[j], VECTOR, base=base, env={j: index}) == 0


def test_non_integer_index_is_zero_and_whole_fraction_index_is_read():
    assert evaluate(x[j / 2], VECTOR, base=1, env={j: 3}) == 0
    assert evaluate(x[j / 2], VECTOR, base=1, env={j: 4}) == 20


def test_multi_axis_entry():
    # W[2, 3] with base 1 is row 1, column 2 of the array
    W = np.array([[1, 2, 3], [4, 5, 6]])
    assert evaluate(tensor_entry("W", i, j), {"W": W}, base=1, env={i: 2, j: 3}) == 6


def test_wrong_number_of_indices_and_missing_tensor_are_errors():
    with pytest.raises(EvaluationError, match="2 axes"):
        evaluate(x[j], {"x": np.zeros((2, 2), dtype=int)}, base=1, env={j: 1})
    with pytest.raises(EvaluationError, match="'x'"):
        evaluate(x[j], {}, base=1, env={j: 1})


def test_sum_over_inclusive_bounds():
    assert evaluate(sympy.Sum(x[k], (k, 1, 3)), VECTOR, base=1) == 60
    assert evaluate(sympy.Sum(x[k], (k, 2, 9)), VECTOR, base=1) == 50   # 20 + 30, rest outside


def test_nested_sums_with_dependent_bounds():
    # sum_{j=1}^{3} sum_{k=1}^{j} k = 1 + 3 + 6
    multi = sympy.Sum(k, (k, 1, j), (j, 1, 3))
    nested = sympy.Sum(sympy.Sum(k, (k, 1, j)), (j, 1, 3))
    assert evaluate(multi, {}, base=1) == 10
    assert evaluate(nested, {}, base=1) == 10


def test_sum_bounds_come_from_env():
    assert evaluate(sympy.Sum(k, (k, 1, j)), {}, base=1, env={j: 4}) == 10


def test_empty_sum_is_zero():
    assert evaluate(sympy.Sum(k, (k, 3, 1)), {}, base=1) == 0


def test_bound_variable_shadows_env_and_env_is_left_unchanged():
    env = {k: 100}
    assert evaluate(k + sympy.Sum(k, (k, 1, 3)), {}, base=1, env=env) == 106
    assert env == {k: 100}


def test_sum_iteration_limit():
    assert evaluate(sympy.Sum(1, (k, 1, 100)), {}, base=1, max_iterations=100) == 100
    with pytest.raises(EvaluationError, match="iterations"):
        evaluate(sympy.Sum(1, (k, 1, 101)), {}, base=1, max_iterations=100)
    # 10 + 10 * 10 inner iterations: over a limit of 100 in total
    with pytest.raises(EvaluationError, match="iterations"):
        evaluate(sympy.Sum(1, (k, 1, 10), (j, 1, 10)), {}, base=1, max_iterations=100)


def test_huge_sum_fails_fast_with_the_default_limit():
    with pytest.raises(EvaluationError, match="iterations"):
        evaluate(sympy.Sum(k, (k, 1, 10**12)), {}, base=1)


def test_non_integer_sum_bound_is_an_error():
    with pytest.raises(EvaluationError, match="upper bound"):
        evaluate(sympy.Sum(k, (k, 1, j / 2)), {}, base=1, env={j: 3})


def test_kronecker_delta():
    delta = sympy.KroneckerDelta(j, k + 1)
    assert evaluate(delta, {}, base=1, env={j: 3, k: 2}) == 1
    assert evaluate(delta, {}, base=1, env={j: 3, k: 3}) == 0


def test_piecewise_takes_the_first_true_condition():
    # x[j/2] when j is even, else -1
    expr = sympy.Piecewise((x[j / 2], sympy.Eq(sympy.Mod(j, 2), 0)), (-1, True))
    assert evaluate(expr, VECTOR, base=1, env={j: 6}) == 30
    assert evaluate(expr, VECTOR, base=1, env={j: 5}) == -1


def test_piecewise_without_a_true_piece_is_an_error():
    expr = sympy.Piecewise((1, j > 2))
    with pytest.raises(EvaluationError, match="no condition"):
        evaluate(expr, {}, base=1, env={j: 1})


@pytest.mark.parametrize("relation, expected", [
    (sympy.Lt, (1, 0, 0)), (sympy.Le, (1, 1, 0)), (sympy.Gt, (0, 0, 1)),
    (sympy.Ge, (0, 1, 1)), (sympy.Eq, (0, 1, 0)), (sympy.Ne, (1, 0, 1)),
])
def test_relationals(relation, expected):
    expr = sympy.Piecewise((1, relation(j, 2)), (0, True))
    assert tuple(evaluate(expr, {}, base=1, env={j: v}) for v in (1, 2, 3)) == expected


def test_and_or_not():
    inside = sympy.And(j >= 1, j <= 3)
    outside = sympy.Or(j < 1, j > 3)
    expr = 10 * sympy.Piecewise((1, inside), (0, True)) \
        + sympy.Piecewise((1, sympy.Not(outside)), (0, True))
    assert evaluate(expr, {}, base=1, env={j: 2}) == 11
    assert evaluate(expr, {}, base=1, env={j: 4}) == 0


def test_floor_ceiling_mod_on_negative_values():
    # floor(-3/2) = -2, ceiling(-3/2) = -1, (-3) mod 4 = 1 (sign of the divisor)
    assert evaluate(sympy.floor(j / 2), {}, base=1, env={j: -3}) == -2
    assert evaluate(sympy.ceiling(j / 2), {}, base=1, env={j: -3}) == -1
    assert evaluate(sympy.Mod(j, 4), {}, base=1, env={j: -3}) == 1


def test_mod_by_zero_is_an_error():
    with pytest.raises(EvaluationError, match="modulo by zero"):
        evaluate(sympy.Mod(j, k), {}, base=1, env={j: 3, k: 0})


def test_max_min_abs():
    env = {j: -4, k: 3}
    assert evaluate(sympy.Max(j, k, 1), {}, base=1, env=env) == 3
    assert evaluate(sympy.Min(j, k, 1), {}, base=1, env=env) == -4
    assert evaluate(sympy.Abs(j), {}, base=1, env=env) == 4


def test_boolean_constants_in_piecewise():
    assert evaluate(sympy.Piecewise((5, sympy.true)), {}, base=1) == 5


def test_fraction_tensors_give_exact_fractions():
    halves = np.array([Fraction(1, 2), Fraction(1, 3)], dtype=object)
    value = evaluate(sympy.Sum(x[k], (k, 1, 2)), {"x": halves}, base=1)
    assert value == Fraction(5, 6) and isinstance(value, Fraction)


def test_integer_tensors_stay_exact_beyond_float_precision():
    big = np.array([10**30, 1], dtype=object)
    assert evaluate(x[1] + x[2], {"x": big}, base=1) == 10**30 + 1


def test_nested_lists_and_python_ints_are_accepted_as_tensors():
    assert evaluate(tensor_entry("W", 2, 1) + sympy.Symbol("b"), {"W": [[1, 2], [3, 4]], "b": 5},
                    base=1) == 8


def test_int_arrays_give_ints_and_float_arrays_give_floats():
    assert type(evaluate(x[1], {"x": np.array([3])}, base=1)) is int
    value = evaluate(x[1] / 2, {"x": np.array([3.0])}, base=1)
    assert value == 1.5 and type(value) is float
    # an entry outside the range is still a float with float tensors
    assert type(evaluate(x[5], {"x": np.array([3.0])}, base=1)) is float


def test_scalar_tensor_as_indexed_base():
    assert evaluate(sympy.IndexedBase("b") * 2, {"b": np.array(4)}, base=0) == 8


def test_unsupported_nodes_are_errors_at_compile_time():
    for expr in (sympy.sin(j), sympy.pi * j, sympy.Derivative(x[j], j)):
        with pytest.raises(EvaluationError, match="not supported"):
            compile_expression(expr, base=1)


def test_non_expression_is_an_error():
    with pytest.raises(EvaluationError, match="sympy expression"):
        evaluate("x[1]", VECTOR, base=1)


def test_compiled_expression_is_cached_and_reusable():
    expr = sympy.Sum(x[k] * j, (k, 1, 3))
    compiled = compile_expression(expr, base=1)
    assert compile_expression(expr, base=1) is compiled
    assert [compiled(VECTOR, {j: v}) for v in (1, 2)] == [60, 120]
