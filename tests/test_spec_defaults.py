"""Defaults the README promises for a spec part, checked on answers derived by hand."""

from solver.key import build_key
from solver.spec.loading import problem_from_data

# The seed's conv_numeric part a: x (2 channels, length 5), W = [[1, 0, -1], [2, 1, 0]], stride 2.
LAYER = {"op": "conv1d", "input": [2, 5], "kernel": 3, "stride": 2, "filters": 1, "bias": False,
         "values": {"x": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], "W": [[[1, 0, -1], [2, 1, 0]]]}}


def test_value_and_numeric_default_to_of_output():
    part = {"id": "a", "layer": LAYER, "ask": ["shape", "value", "numeric"]}    # no 'of'
    answers = build_key(problem_from_data({"id": "q", "parts": [part]})).to_data()["parts"][0]["answers"]
    # f[1, j] = sum_c sum_k W[1, c, k] x[c, 2(j-1) + k]:
    #   j = 1: (1*1 + 0*2 - 1*3) + (2*6 + 1*7 + 0*8) = -2 + 19 = 17
    #   j = 2: (1*3 + 0*4 - 1*5) + (2*8 + 1*9 + 0*10) = -2 + 25 = 23
    assert answers["shape"] == [1, 2]
    assert answers["numeric"] == [[17, 23]]
    assert answers["value"] == "f[1, j] = Sum(W[1, c, k]*x[c, 2*j + k - 2], (k, 1, 3), (c, 1, 2))"
