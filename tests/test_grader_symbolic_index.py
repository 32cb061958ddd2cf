"""Grading index expressions of layers with symbolic sizes: what a student meets.

Expected verdicts are worked out by hand from the layer (a conv1d given as N, C, L, F, K, S, P,
D, indexing 1); the labelled corpus (tests/test_symbolic_conv_corpus.py) covers many more forms.
"""

from __future__ import annotations

import pytest

from grader.grading import Grader
from grader.submission import submission_from_data
from solver.key import build_key
from solver.spec.loading import problem_from_data

LAYER = {"op": "conv1d", "input": ["N", "C", "L"], "kernel": "K", "stride": "S", "padding": "P",
         "dilation": "D", "filters": "F"}


def _grade(answer: str, *, of="output", wrt=None, assumptions=(), layer=LAYER):
    part = {"id": "a", "layer": layer, "of": of, "ask": ["value"], "assumptions": list(assumptions)}
    if wrt:
        part["wrt"] = wrt
    key = build_key(problem_from_data({"id": "t", "indexing": 1, "parts": [part]}))
    with Grader(key) as grader:
        result = grader.grade(submission_from_data({"problem": "t", "answers": {"a": {"value": answer}}}))
    return result.parts[0].answers[0]


def test_size_letters_run_into_index_letters_are_products():
    # Sj is S*j and Dk is D*k: j and k are the answer's own indices, S and D the layer's sizes.
    found = _grade("f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[o,c,k] x[n,c,Sj - S + Dk - D + 1 - P]")
    assert found.verdict == "correct", found.feedback


def test_feedback_names_the_sizes_and_the_index_where_the_answer_differs():
    # Padding added with the wrong sign: wrong exactly when P > 0.
    found = _grade("f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[o,c,k] x[n,c,S(j-1) + D(k-1) + 1 + P]")
    assert found.verdict == "incorrect"
    assert found.feedback.startswith("the expression differs from the correct one when C = ")
    where = found.feedback.split(" when ")[1].split(":")[0]
    sizes = dict(item.split(" = ") for item in where.split(" at ")[0].split(", "))
    assert set(sizes) == {"C", "D", "F", "K", "L", "N", "P", "S"} and int(sizes["P"]) > 0
    assert " at n = " in where


def test_a_name_that_is_neither_index_nor_size_is_named():
    found = _grade("f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[o,c,k] x[n,c,S(j-1) + D(k-1) + 1 - Q]")
    assert found.verdict == "incorrect"
    assert "uses Q" in found.feedback and "a size of the layer" in found.feedback


def test_hard_coded_sizes_are_wrong_in_general():
    # Right for S = 1, D = 1, P = 0 only.
    found = _grade("f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[o,c,k] x[n,c,j + k - 1]")
    assert found.verdict == "incorrect"


def test_sum_to_the_input_length_misses_the_padded_positions():
    # dl/db[o] sums g over the output positions, 1 .. floor((L + 2P - D(K-1) - 1)/S) + 1; with
    # L = 1, P = 2, K = 1 there are 5 of them, so stopping at L misses four.
    right = _grade("dl/db[o] = sum_{n=1}^{N} sum_{j=1}^{floor((L+2P-D(K-1)-1)/S)+1} g[n,o,j]",
                   of="loss_gradient", wrt="bias")
    short = _grade("dl/db[o] = sum_{n=1}^{N} sum_{j=1}^{L} g[n,o,j]", of="loss_gradient", wrt="bias")
    wide = _grade("dl/db[o] = sum_{n=1}^{N} sum_{j=1}^{L+2P} g[n,o,j]", of="loss_gradient", wrt="bias")
    assert (right.verdict, short.verdict, wide.verdict) == ("correct", "incorrect", "correct")


def test_dividing_by_zero_somewhere_is_incorrect_not_unreadable():
    found = _grade("f[n,o,j] = b[o] / (j - 1) + sum_{c=1}^{C} sum_{k=1}^{K} W[o,c,k] x[n,c,S(j-1) + D(k-1) + 1 - P]")
    assert found.verdict == "incorrect" and "divides by zero" in found.feedback and "j = 1" in found.feedback


def test_a_domain_without_small_sizes_is_left_to_a_person():
    # Every valid assignment has C >= 1000 channels: no case small enough to check exactly.
    found = _grade("f[n,o,j] = b[o]", assumptions=["C >= 1000"])
    assert found.verdict == "manual" and "cannot be checked automatically" in found.feedback


@pytest.mark.parametrize("answer, verdict", [
    ("dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{floor((L+2P-D(K-1)-1)/S)+1} sum_{k=1}^{K} "
     "g[n,o,j] W[o,c,k] [l = S(j-1) + D(k-1) + 1 - P]", "correct"),
    # the output position solved for j, read only where it is a whole number (x of a fraction is 0)
    ("dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[o,c,k] g[n,o,(l - D(k-1) - 1 + P)/S + 1]", "correct"),
    # the same without the dilation
    ("dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[o,c,k] g[n,o,(l - k + P)/S + 1]", "incorrect"),
])
def test_the_input_gradient_in_two_forms(answer, verdict):
    assert _grade(answer, of="loss_gradient", wrt="input").verdict == verdict


@pytest.mark.parametrize("spec, part", [("problems/cnn/conv_general_index.yaml", "a.i"),
                                        ("problems/cnn/conv_general_index.yaml", "a.v"),
                                        ("problems/pooling/average_pool_divisors.yaml", "d.i"),
                                        ("problems/transposed/conv_transpose.yaml", "d.i")])
def test_the_size_cases_vary_every_size_and_include_a_generic_one(spec, part):
    # What the cases must give, read off the layers by hand: every size takes two values or
    # more, padding is 0 in one case and positive in another, and one case has every size above
    # its least value (no padding 0, no length, stride, kernel or channel count of 1).
    from pathlib import Path

    from grader.checks.size_cases import MAX_CASES, size_cases
    from solver.spec.loading import load_problem

    key = build_key(load_problem(Path(__file__).resolve().parents[1] / spec))
    part_key = key.part(part)
    cases = size_cases(part_key.answer("value"), part_key.domain)
    assert 2 <= len(cases) <= MAX_CASES
    values = {}
    for case in cases:
        for name, value in case.sizes:
            values.setdefault(name, set()).add(value)
    assert all(len(seen) >= 2 for seen in values.values()), values
    assert 0 in values["P"] and max(values["P"]) > 0
    least = {"P": 0}
    assert any(all(value > least.get(name, 1) for name, value in case.sizes) for case in cases), cases
