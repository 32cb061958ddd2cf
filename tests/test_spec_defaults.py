"""Defaults the README promises for a spec part, checked on answers derived by hand."""

from solver.key import build_key
from solver.notation import parse_expression
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


def _shape(layer: dict) -> list:
    key = build_key(problem_from_data({"id": "q", "parts": [{"id": "a", "layer": layer,
                                                              "ask": ["shape"]}]}))
    return key.to_data()["parts"][0]["answers"]["shape"]


def test_per_axis_text_means_a_per_axis_list():
    # 10 x 11 input, stride 2: floor((10 - 3)/2) + 1 = 4 and floor((11 - 1)/2) + 1 = 6.
    for kernel in ("3 x 1", "3x1", "3 × 1", "(3, 1)", [3, 1]):
        assert _shape({"op": "conv2d", "input": [10, 11], "kernel": kernel, "stride": 2}) == [4, 6]
    # one size in text applies to every axis: kernel 3 -> 4 x floor((11 - 3)/2) + 1 = 4 x 5
    assert _shape({"op": "conv2d", "input": [10, 11], "kernel": "3 x 3", "stride": "2x2"}) == [4, 5]


def test_a_formula_with_star_stays_one_size():
    # kernel 2*K on length L: L - 2K + 1, one axis; max(K, 2) keeps its comma inside brackets
    assert _shape({"op": "conv1d", "input": ["L"], "kernel": "2*K"}) == ["L - 2*K + 1"]
    rows, cols = _shape({"op": "conv2d", "input": [9, 9], "kernel": "max(K, 2)"})
    assert parse_expression(rows) == parse_expression(cols) == parse_expression("10 - max(K, 2)")


def test_the_default_weight_name_stays_usable_as_a_width():
    # the seed's part b: input C x H x W, W the width (the layer's weight is also called W)
    shape = _shape({"op": "conv2d", "input": ["C", "H", "W"], "kernel": 1, "filters": "F"})
    assert shape == ["F", "H", "W"]
