"""In every key, the index expression of a part evaluated at every index equals its numeric answer.

The numeric answers are themselves checked against PyTorch (test_numeric_conv_torch.py), so this
ties the printed symbolic key to the oracle through the whole spec -> key pipeline.
"""

import itertools

import numpy as np
from hypothesis import given, settings, strategies as st

from solver.elementwise.evaluate import evaluate
from solver.key import build_key
from solver.notation import parse_equation
from solver.spec.loading import problem_from_data

SUBJECTS = [("output", None), ("jacobian", "weight"), ("jacobian", "input"),
            ("loss_gradient", "weight"), ("loss_gradient", "input"), ("loss_gradient", "bias")]


@st.composite
def conv_specs(draw):
    ndim = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 2))
    channels = groups * draw(st.integers(1, 2))
    filters = groups * draw(st.integers(1, 2))
    kernel = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    stride = draw(st.integers(1, 3))
    span = dilation * (kernel - 1) + 1
    length = draw(st.integers(max(1, span - 2 * padding), max(1, span - 2 * padding) + 3))
    layer = {"op": f"conv{ndim}d", "input": [channels] + [length] * ndim, "kernel": kernel,
             "stride": stride, "padding": padding, "dilation": dilation, "filters": filters,
             "groups": groups, "bias": True, "values": {"seed": draw(st.integers(0, 10**6))}}
    indexing = draw(st.sampled_from([0, 1]))
    parts = [{"id": f"p{i}", "of": of, **({"wrt": wrt} if wrt else {}), "ask": ["value", "numeric"]}
             for i, (of, wrt) in enumerate(SUBJECTS)]
    return {"id": "random", "indexing": indexing, "parts": [{"id": "x", "layer": layer, "parts": parts}]}


@settings(max_examples=60, deadline=None)
@given(conv_specs())
def test_value_and_numeric_agree(spec):
    key = build_key(problem_from_data(spec))
    for part_key in key.parts:
        value, numeric = part_key.answer("value"), part_key.answer("numeric").array
        equation = parse_equation(value.to_data())        # through the printed text, as a grader reads it
        tensors = {name: part_key.part.layer.values[name] for name, _ in value.tensors}
        ranges = {name: (lo, hi) for name, lo, hi in value.ranges}
        lhs = equation.lhs_indices
        for position in itertools.product(*(range(n) for n in numeric.shape)):
            env = {}
            for index, offset in zip(lhs, position):
                if index.is_Symbol:
                    env[index] = offset + value.base
                else:
                    assert int(index) == offset + value.base      # a constant axis has one value
            assert set(s.name for s in env) <= set(ranges)
            got = evaluate(equation.rhs, tensors, base=value.base, env=env)
            np.testing.assert_allclose(got, numeric[position], rtol=1e-10, atol=1e-10)
