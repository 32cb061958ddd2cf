"""The seed problem, part (c): conv1d, x in R^{2x5}, 1 filter, kernel 3, stride 2, no bias, base 1.

Expected answers are the hand derivations of the problem statement, written
out below; they are compared with the solver's by exact expansion and by
evaluation at every index with random integer tensors, and the numbers by a
brute-force convolution written here.
"""

import itertools

import numpy as np
import pytest
import sympy

from solver.elementwise import conv
from solver.elementwise.evaluate import evaluate
from solver.elementwise.indices import free_index_ranges
from solver.notation.equation import TensorRef, index_symbol
from solver.spec.layer_fields import parse_layer

SEED = {"op": "conv1d", "input": [2, 5], "kernel": 3, "stride": 2, "filters": 1, "bias": False}
j, c, k, l = (index_symbol(name) for name in "jckl")
W, x, g = (sympy.IndexedBase(name) for name in "Wxg")
RNG = np.random.default_rng(20240601)
TRIALS = [{"x": RNG.integers(-9, 10, (2, 5)), "W": RNG.integers(-9, 10, (1, 2, 3)),
           "g": RNG.integers(-9, 10, (1, 2))} for _ in range(5)]


@pytest.fixture(scope="module")
def layer():
    return parse_layer(SEED)


def brute_force_output(x_values, w_values):
    """f[0, j] = sum over c, k of W[0, c, k] * x[c, 2j + k] (0-based), by loops."""
    return np.array([[sum(w_values[0, ch, t] * x_values[ch, 2 * pos + t]
                          for ch in range(2) for t in range(3)) for pos in range(2)]])


def assert_same_everywhere(actual, expected, ranges):
    symbols = list(ranges)
    for tensors in TRIALS:
        for values in itertools.product(*(ranges[s] for s in symbols)):
            env = dict(zip(symbols, values))
            assert evaluate(actual, tensors, base=1, env=env) == \
                evaluate(expected, tensors, base=1, env=env), env


def test_i_output(layer):
    eq = conv.output_element(layer, 1)
    expected = sympy.Sum(sympy.Sum(W[1, c, k] * x[c, 2 * (j - 1) + k], (k, 1, 3)), (c, 1, 2))
    assert eq.of == TensorRef("f", (1, j)) and eq.wrt is None
    assert free_index_ranges(eq, layer, 1) == {j: range(1, 3)}
    assert sympy.expand(eq.rhs.doit() - expected.doit()) == 0
    assert_same_everywhere(eq.rhs, expected, {j: range(1, 3)})
    for tensors in TRIALS:
        brute = brute_force_output(tensors["x"], tensors["W"])
        assert [evaluate(eq.rhs, tensors, base=1, env={j: v}) for v in (1, 2)] == list(brute[0])


def test_i_output_is_written_with_a_linear_offset(layer):
    rhs = conv.output_element(layer, 1).rhs
    assert rhs == sympy.Sum(W[1, c, k] * x[c, 2 * j + k - 2], (k, 1, 3), (c, 1, 2))


def test_ii_jacobian_weight(layer):
    eq = conv.jacobian_element(layer, 1, "weight")
    assert eq.of == TensorRef("f", (1, j)) and eq.wrt == TensorRef("W", (1, c, k))
    ranges = free_index_ranges(eq, layer, 1)
    # R^{1x2x1x2x3}: j in 1..2, c in 1..2, k in 1..3 (the size-1 axes are the constant 1)
    assert ranges == {j: range(1, 3), c: range(1, 3), k: range(1, 4)}
    assert eq.rhs == x[c, 2 * j + k - 2]
    assert_same_everywhere(eq.rhs, x[c, 2 * (j - 1) + k], ranges)


def test_iii_jacobian_input(layer):
    eq = conv.jacobian_element(layer, 1, "input")
    assert eq.of == TensorRef("f", (1, j)) and eq.wrt == TensorRef("x", (c, l))
    ranges = free_index_ranges(eq, layer, 1)
    assert ranges == {j: range(1, 3), c: range(1, 3), l: range(1, 6)}
    assert eq.rhs == W[1, c, l - 2 * j + 2]
    assert_same_everywhere(eq.rhs, W[1, c, l - 2 * (j - 1)], ranges)


def test_iii_jacobian_input_matches_unit_perturbations(layer):
    # f is linear in x: df[1,j]/dx[c,l] = f(e_{c,l})[j] with e the unit tensor.
    rhs = conv.jacobian_element(layer, 1, "input").rhs
    weights = TRIALS[0]["W"]
    for ch, pos in itertools.product(range(2), range(5)):
        unit = np.zeros((2, 5), dtype=int)
        unit[ch, pos] = 1
        column = brute_force_output(unit, weights)[0]
        for out in range(2):
            assert evaluate(rhs, {"W": weights}, base=1,
                            env={j: out + 1, c: ch + 1, l: pos + 1}) == column[out]


def test_iii_entries_outside_the_kernel_are_zero(layer):
    rhs = conv.jacobian_element(layer, 1, "input").rhs
    # f[1,2] reads x[., 3..5]; x[c, 1] and x[c, 2] do not affect it
    for tensors in TRIALS:
        assert evaluate(rhs, tensors, base=1, env={j: 2, c: 1, l: 1}) == 0
        assert evaluate(rhs, tensors, base=1, env={j: 2, c: 2, l: 2}) == 0


def test_iv_loss_gradient_weight(layer):
    eq = conv.loss_gradient_element(layer, 1, "weight")
    expected = sympy.Sum(g[1, j] * x[c, 2 * (j - 1) + k], (j, 1, 2))
    assert eq.of == TensorRef("l") and eq.wrt == TensorRef("W", (1, c, k))
    ranges = free_index_ranges(eq, layer, 1)
    assert ranges == {c: range(1, 3), k: range(1, 4)}
    assert sympy.expand(eq.rhs.doit() - expected.doit()) == 0
    assert_same_everywhere(eq.rhs, expected, ranges)


def test_iv_numbers_by_brute_force(layer):
    # dl/dW[0, c, t] = sum_j g[0, j] * x[c, 2j + t] (0-based)
    rhs = conv.loss_gradient_element(layer, 1, "weight").rhs
    for tensors in TRIALS:
        xs, gs = tensors["x"], tensors["g"]
        for ch, t in itertools.product(range(2), range(3)):
            brute = sum(gs[0, pos] * xs[ch, 2 * pos + t] for pos in range(2))
            assert evaluate(rhs, tensors, base=1, env={c: ch + 1, k: t + 1}) == brute


def test_seed_in_base_0(layer):
    # f[0, j] = sum_{c=0}^{1} sum_{k=0}^{2} W[0, c, k] x[c, 2j + k]
    eq = conv.output_element(layer, 0)
    assert eq.of == TensorRef("f", (0, j))
    assert eq.rhs == sympy.Sum(W[0, c, k] * x[c, 2 * j + k], (k, 0, 2), (c, 0, 1))
    assert conv.jacobian_element(layer, 0, "input").rhs == W[0, c, l - 2 * j]
