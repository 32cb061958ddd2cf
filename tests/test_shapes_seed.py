"""The seed homework's shape questions (Q1.1 a and b), answered by hand and compared with the solver.

(a) conv 3x3, stride 2, no padding on a 10 x 11 image: floor((10-3)/2)+1 = 4 rows and
    floor((11-3)/2)+1 = 5 columns.
(b) C x H x W, kernel K x K, padding P, stride S, dilation D, F filters:
    F x (floor((H + 2P - D(K-1) - 1)/S) + 1) x (floor((W + 2P - D(K-1) - 1)/S) + 1).
"""

from __future__ import annotations

import itertools

import sympy
import torch

from solver.notation.equation import index_symbol
from solver.shapes import output_shape, param_count
from solver.spec.layer_fields import parse_layer
from torch_oracle import torch_outcome, torch_param_count

torch.set_num_threads(1)

SEED_A = {"op": "conv2d", "input": [10, 11], "kernel": 3, "stride": 2, "padding": 0}
SEED_B = {"op": "conv2d", "input": ["C", "H", "W"], "kernel": "K", "padding": "P",
          "stride": "S", "dilation": "D", "filters": "F"}

C, H, W, K, P, S, D, F = (index_symbol(name) for name in "CHWKPSDF")


def _by_hand(length):
    # written out independently of the solver's formula code
    return sympy.floor((length + 2 * P - D * (K - 1) - 1) / S) + 1


EXPECTED_B = (F, _by_hand(H), _by_hand(W))


def _as_expr(dim) -> sympy.Expr:
    """A shape entry (int or sympy expression) as a sympy expression."""
    return sympy.Integer(dim) if isinstance(dim, int) else dim


def _floor_args_expanded(expr: sympy.Expr) -> sympy.Expr:
    """The same expression with every floor argument expanded, so equal formulas compare equal."""
    return expr.replace(lambda e: isinstance(e, sympy.floor),
                        lambda e: sympy.floor(sympy.expand(e.args[0])))


def test_seed_a_output_is_4_by_5():
    assert output_shape(parse_layer(SEED_A)) == (4, 5)
    assert torch_outcome(SEED_A).shape == (4, 5)


def test_seed_a_has_one_kernel_and_bias():
    # no channels or filters given: one 3x3 kernel and one bias
    assert param_count(parse_layer(SEED_A)) == 3 * 3 + 1 == torch_param_count(SEED_A)


def test_seed_b_output_has_three_axes():
    assert len(output_shape(parse_layer(SEED_B))) == 3


def test_seed_b_matches_the_hand_formula_symbolically():
    shape = output_shape(parse_layer(SEED_B))
    for solved, expected in zip(shape, EXPECTED_B):
        difference = _floor_args_expanded(_as_expr(solved)) - _floor_args_expanded(expected)
        assert sympy.simplify(difference) == 0, (solved, expected)


def test_seed_b_matches_the_hand_formula_at_integer_points():
    shape = output_shape(parse_layer(SEED_B))
    checked = 0
    for k, d, p, s, h, w in itertools.product(range(1, 4), range(1, 3), range(3), range(1, 4),
                                              range(1, 9), (3, 7)):
        span = d * (k - 1) + 1
        if h < k or w < k or h + 2 * p < span or w + 2 * p < span:
            continue  # the seed's assumptions H >= K, W >= K and a kernel that fits
        point = {C: 3, H: h, W: w, K: k, P: p, S: s, D: d, F: 5}
        expected = (5, (h + 2 * p - d * (k - 1) - 1) // s + 1, (w + 2 * p - d * (k - 1) - 1) // s + 1)
        assert tuple(int(_as_expr(dim).subs(point)) for dim in shape) == expected, point
        checked += 1
    assert checked > 300
