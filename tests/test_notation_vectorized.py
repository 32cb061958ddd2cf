"""Formula values at integer points: hand-worked values, and the fast int64 path against the exact one."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from solver.notation import read_expression, vectorized

POINTS = {"H": np.array([5, 6, 7, 10]), "K": np.array([3, 3, 2, 4]), "S": np.array([2, 2, 0, 3]),
          "P": np.array([0, 1, 0, 2])}


def values(text, points=POINTS, size=4):
    return list(vectorized.values_at(read_expression(text), points, size))


def test_hand_worked_values():
    # (5-3)/2 -> 1+1; (6+2-3)/2 -> floor 2.5 -> 3; S=0 undefined; (10+4-4)/3 -> 3+1
    assert values("floor((H + 2P - K)/S) + 1") == [2, 3, None, 4]
    assert values("H/S") == [Fraction(5, 2), 3, None, Fraction(10, 3)]
    assert values("ceil((H - K + 1)/S)") == [2, 2, None, 3]
    assert values("7") == [7, 7, 7, 7]
    # sums have no fast path: sum_{k=1}^{K} k = K(K+1)/2 -> 6, 6, 3, 10
    assert values("sum_{k=1}^{K} k") == [6, 6, 3, 10]
    assert values("[H > 6] (H % 4)") == [0, 0, 3, 2]


def _exact_only(monkeypatch):
    monkeypatch.setattr(vectorized, "rationals_at", lambda *args: None)


def test_exact_path_for_huge_values():
    huge = values("H^40 * 10^20")
    assert huge[0] == 5 ** 40 * 10 ** 20


FORMULAS = ["floor((H + 2P - K)/S) + 1", "ceil((H - K + 1)/S)", "3/2 H/(S + 1)", "max(H, K S) - min(P, S)",
            "H % (S + 1)", "(H/S if H > K else 0)", "(H - K)^3/(P + 1)^2", "abs(P - S) floor(H/(K + 1))",
            "-(H - K)/S", "delta(H, K + S) + [not H < K and (P == 0 or S != 1)]"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-30, 30), st.integers(-5, 5), st.integers(-4, 4),
                          st.integers(-3, 3)), min_size=1, max_size=20))
def test_fast_path_equals_exact_path(rows):
    points = {name: np.array([row[i] for row in rows]) for i, name in enumerate("HKSP")}
    for formula in FORMULAS:
        fast = values(formula, points, len(rows))
        with pytest.MonkeyPatch.context() as patch:
            _exact_only(patch)
            exact = values(formula, points, len(rows))
        for got_fast, got_exact in zip(fast, exact):
            if got_fast is None:
                # undefined (division by zero); the exact evaluator skips the division when another
                # factor is 0 (0 * x[...] for an out-of-range entry must cost nothing)
                assert got_exact in (None, 0), formula
            else:
                assert got_fast == got_exact, formula
