"""Summary tables graded cell by cell, with partial credit (grader/checks/summary.py)."""

from __future__ import annotations

import pytest

from grader.grading import Grader
from grader.submission import submission_from_data
from solver.key import build_key
from solver.spec.loading import problem_from_data

# by hand: conv 2 -> 3 filters, k3 on 8: 3 x 6 (3*2*3 + 3 = 21 params, 18 without bias,
# MACs 3*6 * 2*3 = 108, 18 values); maxpool 2: 3 x 3 (9 values)
SPEC = {"id": "s", "parts": [
    {"id": "a", "layers": [{"op": "conv1d", "input": [2, 8], "kernel": 3, "filters": 3},
                           {"op": "maxpool1d", "kernel": 2}], "ask": ["summary"]},
    {"id": "b", "layers": [{"op": "conv1d", "input": ["C", "L"], "kernel": "K", "filters": "F"}],
     "assumptions": ["L >= K"], "ask": ["summary"]}]}
RIGHT = [{"layer": 1, "op": "conv1d", "output_shape": "3 x 6", "params": 21,
          "params_without_bias": 18, "macs": 108, "activations": 18},
         {"layer": 2, "op": "maxpool1d", "output_shape": [3, 3], "params": 0,
          "params_without_bias": 0, "macs": 0, "activations": 9},
         {"layer": "total", "params": 21, "params_without_bias": 18, "macs": 108,
          "activations": 27}]


def _grade(answers):
    key = build_key(problem_from_data(SPEC))
    with Grader(key) as grader:
        result = grader.grade(submission_from_data({"problem": "s", "answers": answers}))
    return {p.id: p.answers[0] for p in result.parts}


def test_a_right_table_gets_full_marks_in_either_layout():
    by_layer = {str(row["layer"]): {k: v for k, v in row.items() if k != "layer"} for row in RIGHT}
    for table in (RIGHT, by_layer):
        assert _grade({"a": {"summary": table}})["a"].verdict == "correct"


def test_wrong_cells_cost_their_share():
    table = [dict(row) for row in RIGHT]
    table[0]["params"] = 18             # forgot the bias
    table[1]["output_shape"] = "3 x 2"
    del table[2]["macs"]
    result = _grade({"a": {"summary": table}})["a"]
    assert result.verdict == "partial"
    cells = 6 + 6 + 4                   # op, shape and four counts per layer; four totals
    assert result.score == pytest.approx(result.max_score * (cells - 3) / cells)
    assert "13 of 16 cells are right" in result.feedback
    assert "row 1 params" in result.feedback and "row total macs: missing" in result.feedback


def test_formulas_are_compared_over_the_domain():
    row = {"op": "conv1d", "output_shape": "F x (L - K + 1)", "params": "F*(C*K + 1)",
           "params_without_bias": "C*F*K", "macs": "F*(L-K+1)*C*K", "activations": "F(L-K+1)"}
    total = {k: row[k] for k in ("params", "params_without_bias", "macs", "activations")}
    assert _grade({"b": {"summary": {"1": row, "total": total}}})["b"].verdict == "correct"
    wrong = dict(row, macs="F*(L-K)*C*K")
    result = _grade({"b": {"summary": {"1": wrong, "total": total}}})["b"]
    assert result.verdict == "partial" and "row 1 macs" in result.feedback


def test_an_unreadable_table_is_unparseable():
    assert _grade({"a": {"summary": "see attached"}})["a"].verdict == "unparseable"
    assert _grade({"a": {"summary": [1, 2]}})["a"].verdict == "unparseable"
