"""Index expressions of (transposed) convolutions, average pooling and linear layers with symbolic
sizes, against PyTorch at random valid sizes.

A layer is drawn with numbers (sizes, kernel, stride, padding, dilation, groups, bias, batch),
then written as a spec layer where every one of those numbers is a symbol (N, C, L, F, K, S, P,
D, G). The solver's general answer for the symbolic layer is evaluated with the drawn numbers
put in for the symbols, at every index of its left-hand side, in both index bases, and compared
with torch's output, Jacobians (torch.autograd.functional.jacobian) and loss gradients
(backward) for the numeric layer. The answer's index ranges and tensor shapes, evaluated at the
numbers, must equal torch's tensors' shapes too.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

from solver.key import build_key
from solver.notation import Budget, compile_tree, evaluate_tree, tree
from solver.spec.loading import problem_from_data
from tests.test_numeric_ops_torch import SETTINGS, _layer, conv_transpose_mappings, pooling_mappings, torch_answers

MAX_ENTRIES = 1500
_SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("T", "H", "W")}


@st.composite
def conv_configs(draw):
    """(numeric layer mapping, the same layer with symbols, {symbol: number}, index base)."""
    ndim = draw(st.sampled_from([1, 1, 1, 2, 2, 3]))
    top = 3 if ndim < 3 else 2
    groups = draw(st.integers(1, 2))
    channels, filters = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([None, 1, 2]))
    kernel = [draw(st.integers(1, top)) for _ in range(ndim)]
    stride = [draw(st.integers(1, top)) for _ in range(ndim)]
    padding = [draw(st.integers(0, 2)) for _ in range(ndim)]
    dilation = [draw(st.integers(1, 2)) for _ in range(ndim)]
    lengths = [max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, top))
               for k, p, d in zip(kernel, padding, dilation)]
    bias = draw(st.booleans())
    numbers = {"C": channels, "F": filters, "G": groups}
    axes = _SPATIAL[ndim]
    for axis, name in enumerate(axes):
        numbers.update({name: lengths[axis], f"K{axis + 1}": kernel[axis], f"S{axis + 1}": stride[axis],
                        f"P{axis + 1}": padding[axis], f"D{axis + 1}": dilation[axis]})
    leading = [] if batch is None else [batch]
    if batch is not None:
        numbers["N"] = batch
    numeric = {"op": f"conv{ndim}d", "input": [*leading, channels, *lengths], "kernel": kernel,
               "stride": stride, "padding": padding, "dilation": dilation, "filters": filters,
               "groups": groups, "bias": bias}
    per_axis = lambda letter: [f"{letter}{axis + 1}" for axis in range(ndim)]   # noqa: E731
    symbolic = {"op": f"conv{ndim}d", "input": [*(["N"] if batch is not None else []), "C", *axes],
                "kernel": per_axis("K"), "stride": per_axis("S"), "padding": per_axis("P"),
                "dilation": per_axis("D"), "filters": "F", "groups": "G", "bias": bias}
    return numeric, symbolic, numbers, draw(st.sampled_from([0, 1]))


@st.composite
def conv_transpose_configs(draw):
    """As :func:`conv_configs`, for a transposed convolution (output padding Q too)."""
    numeric = draw(conv_transpose_mappings())
    ndim = len(numeric["kernel"])
    has_batch = len(numeric["input"]) == ndim + 2
    axes = _SPATIAL[ndim]
    numbers = {"C": numeric["input"][-ndim - 1], "F": numeric["filters"], "G": numeric["groups"]}
    if has_batch:
        numbers["N"] = numeric["input"][0]
    symbolic = {"op": numeric["op"], "input": [*(["N"] if has_batch else []), "C", *axes],
                "filters": "F", "groups": "G", "bias": numeric["bias"]}
    for field, letter in (("kernel", "K"), ("stride", "S"), ("padding", "P"), ("dilation", "D"),
                          ("output_padding", "Q")):
        symbolic[field] = [f"{letter}{axis + 1}" for axis in range(ndim)]
        numbers.update({f"{letter}{axis + 1}": value for axis, value in enumerate(numeric[field])})
    numbers.update(dict(zip(axes, numeric["input"][-ndim:])))
    return numeric, symbolic, numbers, draw(st.sampled_from([0, 1]))


@st.composite
def avgpool_configs(draw):
    """As :func:`conv_configs`, for average pooling (count_include_pad, ceil_mode and
    divisor_override as drawn; the divisor override a symbol V too)."""
    numeric = draw(pooling_mappings().filter(lambda mapping: mapping["op"].startswith("avgpool")))
    ndim = len(numeric["kernel"])
    extra = len(numeric["input"]) - ndim
    axes = _SPATIAL[ndim]
    leading = ["N", "C"][2 - extra:] if extra else []
    numbers = dict(zip(leading, numeric["input"][:extra]))
    numbers.update(dict(zip(axes, numeric["input"][extra:])))
    symbolic = {**numeric, "input": [*leading, *axes]}
    for field, letter in (("kernel", "K"), ("stride", "S"), ("padding", "P")):
        symbolic[field] = [f"{letter}{axis + 1}" for axis in range(ndim)]
        numbers.update({f"{letter}{axis + 1}": value for axis, value in enumerate(numeric[field])})
    if "divisor_override" in numeric:
        symbolic["divisor_override"], numbers["V"] = "V", numeric["divisor_override"]
    return numeric, symbolic, numbers, draw(st.sampled_from([0, 1]))


def _general_answers(symbolic: dict, base: int) -> dict:
    """(of, wrt) -> the solver's IndexAnswer for the symbolic layer."""
    has_weights = "filters" in symbolic or "features" in symbolic
    weights = () if not has_weights else ("weight", "bias") if symbolic["bias"] else ("weight",)
    asked = [("output", None)] + [(of, wrt) for of in ("jacobian", "loss_gradient")
                                  for wrt in ("input", *weights)]
    parts = [{"id": f"p{number}", "layer": symbolic, "of": of, **({"wrt": wrt} if wrt else {}), "ask": ["value"]}
             for number, (of, wrt) in enumerate(asked)]
    key = build_key(problem_from_data({"id": "general", "indexing": base, "parts": parts}))
    return {pair: part_key.answer("value") for pair, part_key in zip(asked, key.parts)}


def _at_sizes(node: tree.Expr, numbers: dict) -> int:
    return int(evaluate_tree(node, env=numbers))


def _evaluate_everywhere(answer, numbers: dict, tensors: dict) -> np.ndarray:
    """The answer's right-hand side at every left-hand-side index (row-major), sizes put in.

    A left-hand-side index runs over its range evaluated at the sizes; a constant index (an axis
    of one value) stays; the tensors' shapes evaluated at the sizes must be the given tensors'.
    """
    eq = answer.tree
    for name, shape in answer.shape_trees:
        assert tuple(_at_sizes(d, numbers) for d in shape) == tensors[name].shape, name
    ranges = {name: range(first, _at_sizes(last, numbers) + 1) for name, first, last in answer.range_trees}
    axes = [ranges[i.name] if isinstance(i, tree.Sym) else [i.value] for i in eq.lhs_indices]
    names = [i.name if isinstance(i, tree.Sym) else None for i in eq.lhs_indices]
    compiled = compile_tree(eq.rhs, answer.base)
    values = []
    for point in itertools.product(*axes):
        env = {**numbers, **{name: value for name, value in zip(names, point) if name is not None}}
        values.append(float(compiled.call_prepared(tensors, env, Budget(10**7))))
    return np.array(values)


@SETTINGS
@given(conv_configs(), st.integers(0, 10**6))
def test_general_conv_expressions_match_torch_at_random_sizes(config, seed):
    _check_general(*config, seed)


@SETTINGS
@given(conv_transpose_configs(), st.integers(0, 10**6))
def test_general_conv_transpose_expressions_match_torch_at_random_sizes(config, seed):
    _check_general(*config, seed)


@SETTINGS
@given(avgpool_configs(), st.integers(0, 10**6))
def test_general_avgpool_expressions_match_torch_at_random_sizes(config, seed):
    _check_general(*config, seed)


@pytest.mark.parametrize("inputs, features, bias", [(1, 1, True), (3, 2, True), (4, 3, False), (2, 5, True)])
@pytest.mark.parametrize("base", [0, 1])
def test_general_linear_expressions_match_torch(inputs, features, bias, base):
    numeric = {"op": "linear", "input": [inputs], "features": features, "bias": bias}
    symbolic = {"op": "linear", "input": ["C"], "features": "F", "bias": bias}
    _check_general(numeric, symbolic, {"C": inputs, "F": features}, base, 7)


def _check_general(numeric, symbolic, numbers, base, seed):
    layer = _layer(numeric, seed)
    tensors = {name: value.astype(np.int64).astype(object) for name, value in layer.values.items()}
    answers = _general_answers(symbolic, base)
    for (of, wrt), expected in torch_answers(numeric, layer, MAX_ENTRIES).items():
        answer = answers[(of, wrt)]
        assert answer.sizes, "the answer should be the general (symbolic) one"
        found = _evaluate_everywhere(answer, numbers, tensors)
        assert found.shape == expected.shape, (of, wrt)
        np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12, err_msg=f"{of} {wrt} base {base} {numbers}")


def test_the_issue_example_reads_as_written():
    # f[n, o, j] = b[o] + sum_c sum_k W[o, c, k] x[n, c, S(j - 1) + D(k - 1) + 1 - P], by hand,
    # for the layer given as N, C, L, K, S, P, D (issue 11's example).
    from solver.notation import read_equation
    layer = {"op": "conv1d", "input": ["N", "C", "L"], "kernel": "K", "stride": "S", "padding": "P",
             "dilation": "D", "filters": "F"}
    spec = {"id": "t", "indexing": 1, "parts": [{"id": "a", "layer": layer, "of": "output", "ask": ["value"]}]}
    answer = build_key(problem_from_data(spec)).parts[0].answer("value")
    by_hand = read_equation("f[n, o, j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[o, c, k] x[n, c, S(j-1) + D(k-1) + 1 - P]")
    numbers = {"N": 2, "C": 2, "L": 7, "F": 2, "K": 3, "S": 2, "P": 1, "D": 2}
    rng = np.random.default_rng(0)
    tensors = {"x": rng.integers(-9, 10, (2, 2, 7)).astype(object), "W": rng.integers(-9, 10, (2, 2, 3)).astype(object),
               "b": rng.integers(-9, 10, (2,)).astype(object)}
    outputs = (7 + 2 * 1 - 2 * (3 - 1) - 1) // 2 + 1                 # = 3
    assert [(name, first, _at_sizes(last, numbers)) for name, first, last in answer.range_trees] == \
        [("n", 1, 2), ("o", 1, 2), ("j", 1, outputs)]
    for n, o, j in itertools.product((1, 2), (1, 2), range(1, outputs + 1)):
        env = {**numbers, "n": n, "o": o, "j": j}
        assert evaluate_tree(answer.tree.rhs, tensors, base=1, env=env) == \
            evaluate_tree(by_hand.rhs, tensors, base=1, env=env)
