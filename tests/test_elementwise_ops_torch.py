"""Index expressions of pooling and transposed convolution against PyTorch, at every entry.

Each expression of the key (``family.element``) is evaluated exactly at every index of its
left-hand side, in both index bases, with integer tensors (values in [-2, 2], so max pooling
meets many ties), and compared with torch's output, Jacobians and loss gradients
(``test_numeric_ops_torch.torch_answers``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from solver.elementwise.evaluate import compile_expression
from solver.elementwise.indices import free_index_ranges, tensor_shape_by_name
from solver.ops import family_of
from tests.test_numeric_ops_torch import (SETTINGS, _layer, conv_transpose_mappings,
                                          pooling_mappings, torch_answers)

MAX_ENTRIES = 1500


def evaluate_everywhere(eq, layer, base, tensors) -> np.ndarray:
    """eq's right-hand side at every left-hand index, flattened in row-major order."""
    shapes = tensor_shape_by_name(layer)
    refs = [ref for ref in (eq.of, eq.wrt) if ref is not None]
    shape = tuple(itertools.chain.from_iterable(shapes[ref.name] for ref in refs))
    indices = tuple(itertools.chain.from_iterable(ref.indices for ref in refs))
    assert len(indices) == len(shape)
    ranges = free_index_ranges(eq, layer, base)
    compiled = compile_expression(eq.rhs, base=base)
    values = []
    for position in np.ndindex(*shape):
        env = {}
        for index, value in zip(indices, (p + base for p in position)):
            if isinstance(index, sympy.Symbol):
                assert env.setdefault(index, value) == value and value in ranges[index]
            else:
                assert index == value
        values.append(float(compiled(tensors, env, max_iterations=10**7)))
    return np.array(values)


def check_elements(mapping, seed, base):
    layer = _layer(mapping, seed)
    family = family_of(layer.family)
    assert family.element_support(layer, "output", None) is None
    tensors = {name: value.astype(np.int64) for name, value in layer.values.items()}
    for (of, wrt), expected in torch_answers(mapping, layer, MAX_ENTRIES).items():
        eq = family.element(layer, base, of, wrt)
        np.testing.assert_allclose(evaluate_everywhere(eq, layer, base, tensors), expected,
                                   rtol=1e-12, atol=1e-12, err_msg=f"{of} {wrt} base {base}")


@SETTINGS
@given(pooling_mappings(), st.integers(0, 10**6), st.sampled_from([0, 1]))
def test_pooling_index_expressions_match_torch(mapping, seed, base):
    check_elements(mapping, seed, base)


@SETTINGS
@given(conv_transpose_mappings(), st.integers(0, 10**6), st.sampled_from([0, 1]))
def test_conv_transpose_index_expressions_match_torch(mapping, seed, base):
    check_elements(mapping, seed, base)


@pytest.mark.parametrize("features", [1, 3])
@pytest.mark.parametrize("inputs", [1, 4])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("base", [0, 1])
def test_linear_index_expressions_match_torch(features, inputs, bias, base):
    check_elements({"op": "linear", "input": [inputs], "features": features, "bias": bias}, 7, base)


@pytest.mark.parametrize("mapping", [
    # ties everywhere: the gradient goes to the first maximum of each window
    {"op": "maxpool2d", "input": [2, 3, 3], "kernel": 2, "stride": 1, "padding": 1},
    # a divisor that changes along the axis (ceil_mode, count_include_pad false)
    {"op": "avgpool1d", "input": [2, 5], "kernel": 3, "stride": 2, "padding": 1,
     "ceil_mode": True, "count_include_pad": False},
    {"op": "maxpool1d", "input": [6], "kernel": 2, "stride": 2, "padding": 1, "dilation": 2},
])
@pytest.mark.parametrize("base", [0, 1])
def test_hand_picked_pooling_layers(mapping, base):
    check_elements(mapping, 3, base)


def test_the_grader_checks_the_tie_rule_of_max_pooling():
    # The key routes a tie to the first maximum; the same answer with the last maximum
    # (<= and > exchanged for < and >=) agrees on every input without ties, so only draws
    # with small entries (grader.checks.index_expression.TIE_TRIALS) can reject it.
    from grader.grading import Grader
    from grader.submission import submission_from_data
    from solver.key import build_key
    from solver.spec.loading import problem_from_data

    spec = {"id": "q", "parts": [{"id": "a", "layer": {"op": "maxpool1d", "input": [4], "kernel": 2},
                                  "of": "loss_gradient", "wrt": "input", "ask": ["value"]}]}
    key = build_key(problem_from_data(spec))
    text = key.parts[0].answer("value").to_data()
    assert "<=" in text and ">" in text
    last = text.replace("<=", "@").replace(">", ">=").replace("@", "<")
    verdicts = {}
    with Grader(key) as grader:
        for name, answer in (("key", text), ("last maximum", last)):
            result = grader.grade(submission_from_data({"problem": "q", "answers": {"a": answer}}))
            verdicts[name] = result.parts[0].answers[0].verdict
    assert verdicts == {"key": "correct", "last maximum": "incorrect"}
