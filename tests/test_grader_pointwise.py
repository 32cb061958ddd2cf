"""Formula values at integer points: hand-worked values, and the fast int64 path against the exact one."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from grader.checks import pointwise
from grader.checks.rational_arrays import TooLarge

H, K, S, P = (sympy.Symbol(n, integer=True) for n in "HKSP")
POINTS = {H: np.array([5, 6, 7, 10]), K: np.array([3, 3, 2, 4]), S: np.array([2, 2, 0, 3]),
          P: np.array([0, 1, 0, 2])}


def test_hand_worked_values():
    conv = sympy.floor((H + 2 * P - K) / S) + 1
    # (5-3)/2 -> 1+1; (6+2-3)/2 -> floor 2.5 -> 3; S=0 undefined; (10+4-4)/3 -> 3+1
    assert list(pointwise.values_at(conv, POINTS, 4)) == [2, 3, None, 4]
    assert list(pointwise.values_at(H / S, POINTS, 4)) == [Fraction(5, 2), 3, None, Fraction(10, 3)]
    ceil = sympy.ceiling((H - K + 1) / S)
    assert list(pointwise.values_at(ceil, POINTS, 4)) == [2, 2, None, 3]
    assert list(pointwise.values_at(sympy.Integer(7), POINTS, 4)) == [7, 7, 7, 7]


def _exact_only(monkeypatch):
    def refuse(*args):
        raise TooLarge()
    monkeypatch.setattr(pointwise, "evaluate_rationals", refuse)


def test_exact_path_for_huge_values():
    huge = pointwise.values_at(H ** 40 * 10 ** 20, POINTS, 4)
    assert huge[0] == 5 ** 40 * 10 ** 20


FORMULAS = [sympy.floor((H + 2 * P - K) / S) + 1, sympy.ceiling((H - K + 1) / S),
            sympy.Rational(3, 2) * H / (S + 1), sympy.Max(H, K * S) - sympy.Min(P, S),
            sympy.Mod(H, S + 1), sympy.Piecewise((H / S, H > K), (0, True)),
            (H - K) ** 3 / (P + 1) ** 2, sympy.Abs(P - S) * sympy.floor(H / (K + 1))]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-30, 30), st.integers(-5, 5), st.integers(-4, 4),
                          st.integers(-3, 3)), min_size=1, max_size=20))
def test_fast_path_equals_exact_path(rows):
    points = {symbol: np.array([row[i] for row in rows]) for i, symbol in enumerate((H, K, S, P))}
    for formula in FORMULAS:
        fast = list(pointwise.values_at(formula, points, len(rows)))
        with pytest.MonkeyPatch.context() as patch:
            _exact_only(patch)
            exact = list(pointwise.values_at(formula, points, len(rows)))
        for got_fast, got_exact in zip(fast, exact):
            if got_fast is None:
                # undefined (division by zero); the exact evaluator skips the division when another
                # factor is 0 (0 * x[...] for an out-of-range entry must cost nothing)
                assert got_exact in (None, 0), formula
            else:
                assert got_fast == got_exact, formula
