"""Symbolic output shapes and parameter counts, checked at integer points against the numeric
solver and PyTorch.

Each case is a spec layer whose sizes are symbol strings ('H', 'K', '2*P'). The
solver's sympy answer is evaluated at hypothesis-drawn integers that PyTorch
accepts (the conditions are written by hand below) and must equal the numeric
solver's answer for the same layer with numbers and the torch module's output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pytest
import sympy
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.notation.equation import index_symbol
from solver.shapes import output_shape, param_count
from solver.spec.layer_fields import parse_layer
from torch_oracle import split_op, torch_outcome, torch_param_count

torch.set_num_threads(1)

EXAMPLES_PER_CASE = 30  # 13 cases: about 400 points per run


@dataclass(frozen=True)
class Size:
    """A size written in a spec as ``text`` (``'2*P'``), worth ``value(symbol values)``."""

    text: str
    value: Callable[[Mapping[str, int]], int]


def sym(name: str) -> Size:
    """The size named by one symbol, e.g. ``K``."""
    return Size(name, lambda v: v[name])


def scaled(factor: int, name: str, offset: int = 0) -> Size:
    """``factor*name + offset``, e.g. ``2*K+1``."""
    text = f"{factor}*{name}" + (f"+{offset}" if offset else "")
    return Size(text, lambda v: factor * v[name] + offset)


def product_of(a: str, b: str) -> Size:
    """``a*b``, e.g. ``G*A`` channels split into G groups of A."""
    return Size(f"{a}*{b}", lambda v: v[a] * v[b])


def _fill(template, leaf):
    if isinstance(template, Size):
        return leaf(template)
    if isinstance(template, list):
        return [_fill(item, leaf) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, leaf) for key, value in template.items()}
    return template


def symbolic_spec(template: dict) -> dict:
    """The spec mapping with every size written as its symbol string."""
    return _fill(template, lambda size: size.text)


def numeric_spec(template: dict, values: Mapping[str, int]) -> dict:
    """The spec mapping with every size replaced by its integer value."""
    return _fill(template, lambda size: size.value(values))


Range = tuple[int, int] | Callable[[Mapping[str, int]], tuple[int, int]]


@dataclass(frozen=True)
class SymbolicCase:
    """A symbolic spec layer and the ranges of its non-spatial symbols, drawn in order
    (a range may depend on symbols drawn before it); spatial symbols are drawn last."""

    name: str
    template: dict
    ranges: tuple[tuple[str, Range], ...] = field(default=())


def _up_to_half_kernel(v):
    return 0, v["K"] // 2


def _below_max_stride_dilation(v):
    return 0, max(v["S"], v.get("D", 1)) - 1


CONV_RANGES = (("C", (1, 3)), ("F", (1, 3)), ("K", (1, 4)), ("S", (1, 3)), ("P", (0, 2)),
               ("D", (1, 3)))

CASES = [
    SymbolicCase("conv1d", {"op": "conv1d", "input": [sym("C"), sym("L")], "kernel": sym("K"),
                            "stride": sym("S"), "padding": sym("P"), "dilation": sym("D"),
                            "filters": sym("F")}, CONV_RANGES),
    SymbolicCase("conv2d seed b", {"op": "conv2d", "input": [sym("C"), sym("H"), sym("W")],
                                   "kernel": sym("K"), "stride": sym("S"), "padding": sym("P"),
                                   "dilation": sym("D"), "filters": sym("F")}, CONV_RANGES),
    SymbolicCase("conv3d batch 2P", {"op": "conv3d",
                                     "input": [sym("N"), sym("C"), sym("T"), sym("H"), sym("W")],
                                     "kernel": [sym("K"), sym("J"), sym("K")],
                                     "stride": sym("S"), "padding": scaled(2, "P"),
                                     "filters": sym("F")},
                 (("N", (1, 2)), ("C", (1, 2)), ("F", (1, 2)), ("K", (1, 4)), ("J", (1, 4)),
                  ("S", (1, 3)), ("P", (0, 1)))),
    SymbolicCase("conv2d same", {"op": "conv2d", "input": [sym("C"), sym("H"), sym("W")],
                                 "kernel": sym("K"), "padding": "same", "dilation": sym("D"),
                                 "filters": sym("F")},
                 (("C", (1, 2)), ("F", (1, 2)), ("K", (1, 5)), ("D", (1, 3)))),
    SymbolicCase("conv2d odd kernel groups", {"op": "conv2d",
                                              "input": [product_of("G", "A"), sym("H"), sym("W")],
                                              "kernel": scaled(2, "K", 1), "padding": sym("K"),
                                              "stride": sym("S"), "groups": sym("G"),
                                              "filters": product_of("G", "B"), "bias": False},
                 (("G", (1, 3)), ("A", (1, 2)), ("B", (1, 2)), ("K", (0, 2)), ("S", (1, 3)))),
    SymbolicCase("conv_transpose1d", {"op": "conv_transpose1d", "input": [sym("C"), sym("L")],
                                      "kernel": sym("K"), "stride": sym("S"),
                                      "padding": sym("P"), "dilation": sym("D"),
                                      "output_padding": sym("O"), "filters": sym("F")},
                 CONV_RANGES + (("O", _below_max_stride_dilation),)),
    SymbolicCase("conv_transpose2d groups", {"op": "conv_transpose2d",
                                             "input": [product_of("G", "A"), sym("H"), sym("W")],
                                             "kernel": sym("K"), "stride": sym("S"),
                                             "padding": sym("P"), "groups": sym("G"),
                                             "filters": product_of("G", "B")},
                 (("G", (1, 3)), ("A", (1, 2)), ("B", (1, 2)), ("K", (1, 4)), ("S", (1, 3)),
                  ("P", (0, 2)))),
    SymbolicCase("conv_transpose3d", {"op": "conv_transpose3d",
                                      "input": [sym("T"), sym("H"), sym("W")],
                                      "kernel": sym("K"), "stride": sym("S"),
                                      "padding": sym("P"), "dilation": sym("D"),
                                      "output_padding": sym("O")},
                 (("K", (1, 3)), ("S", (1, 3)), ("P", (0, 2)), ("D", (1, 2)),
                  ("O", _below_max_stride_dilation))),
    SymbolicCase("maxpool2d ceil", {"op": "maxpool2d", "input": [sym("C"), sym("H"), sym("W")],
                                    "kernel": sym("K"), "stride": sym("S"), "padding": sym("P"),
                                    "dilation": sym("D"), "ceil_mode": True},
                 (("C", (1, 3)), ("K", (1, 4)), ("S", (1, 3)), ("P", _up_to_half_kernel),
                  ("D", (1, 3)))),
    SymbolicCase("maxpool1d default stride", {"op": "maxpool1d", "input": [sym("L")],
                                              "kernel": sym("K"), "padding": sym("P")},
                 (("K", (1, 4)), ("P", _up_to_half_kernel))),
    SymbolicCase("maxpool3d ceil per-axis kernel", {"op": "maxpool3d",
                                                    "input": [sym("T"), sym("H"), sym("W")],
                                                    "kernel": [sym("K"), sym("J"), sym("K")],
                                                    "stride": sym("S"), "padding": sym("P"),
                                                    "ceil_mode": True},
                 (("K", (1, 4)), ("J", (1, 4)), ("S", (1, 3)),
                  ("P", lambda v: (0, min(v["K"], v["J"]) // 2)))),
    SymbolicCase("avgpool2d ceil batch", {"op": "avgpool2d",
                                          "input": [sym("N"), sym("C"), sym("H"), sym("W")],
                                          "kernel": sym("K"), "stride": sym("S"),
                                          "padding": sym("P"), "ceil_mode": True},
                 (("N", (1, 2)), ("C", (1, 2)), ("K", (1, 4)), ("S", (1, 3)),
                  ("P", _up_to_half_kernel))),
    SymbolicCase("avgpool3d", {"op": "avgpool3d", "input": [sym("T"), sym("H"), sym("W")],
                               "kernel": sym("K"), "stride": sym("S"), "padding": sym("P")},
                 (("K", (1, 3)), ("S", (1, 3)), ("P", _up_to_half_kernel))),
]


def _per_axis(value, ndim: int, default) -> tuple:
    if value is None:
        return tuple(default)
    return tuple(value) if isinstance(value, list) else (value,) * ndim


def least_length(spec: dict, axis: int) -> int:
    """The smallest input length along ``axis`` that PyTorch accepts for the numeric ``spec``.

    conv: L + 2P >= D*(K-1)+1 (any L for 'same'); conv_transpose:
    (L-1)*S - 2P + D*(K-1) + O + 1 >= 1; pooling: L + 2P >= D*(K-1)+1, less S-1
    in ceil mode; avg_pool3d also needs L >= K.
    """
    family, ndim = split_op(spec["op"])
    kernel = _per_axis(spec["kernel"], ndim, ())[axis]
    pooling = family in ("maxpool", "avgpool")
    stride = _per_axis(spec.get("stride"), ndim, (kernel if pooling else 1,) * ndim)[axis]
    dilation = _per_axis(spec.get("dilation"), ndim, (1,) * ndim)[axis]
    if spec.get("padding") == "same":
        return 1
    padding = _per_axis(spec.get("padding"), ndim, (0,) * ndim)[axis]
    span = dilation * (kernel - 1) + 1
    if family == "conv":
        return max(1, span - 2 * padding)
    if family == "conv_transpose":
        extra = _per_axis(spec.get("output_padding"), ndim, (0,) * ndim)[axis]
        shortfall = 2 * padding - (span - 1) - extra
        return max(1, 1 + -(-shortfall // stride))
    least = span - 2 * padding - (stride - 1 if spec.get("ceil_mode") else 0)
    if family == "avgpool" and ndim == 3:
        least = max(least, kernel)
    return max(1, least)


@st.composite
def symbol_values(draw, case: SymbolicCase) -> dict[str, int]:
    """Integer values for every symbol of ``case`` at which PyTorch accepts the layer."""
    values: dict[str, int] = {}
    for name, bounds in case.ranges:
        low, high = bounds(values) if callable(bounds) else bounds
        values[name] = draw(st.integers(low, high))
    _, ndim = split_op(case.template["op"])
    spatial = case.template["input"][-ndim:]
    placeholder = dict(values, **{size.text: 1 for size in spatial})
    spec = numeric_spec(case.template, placeholder)
    for axis, size in enumerate(spatial):
        least = least_length(spec, axis)
        values[size.text] = draw(st.integers(least, least + 5))
    return values


@lru_cache(maxsize=None)
def symbolic_answers(case_name: str):
    """(output shape, parameter count) of the symbolic layer, parsed once per case."""
    case = next(c for c in CASES if c.name == case_name)
    layer = parse_layer(symbolic_spec(case.template))
    return output_shape(layer), param_count(layer)


def evaluate(dim, values: Mapping[str, int]) -> int:
    """A shape entry (int or sympy expression in integer symbols) at the given symbol values."""
    if isinstance(dim, int):
        return dim
    point = {index_symbol(name): value for name, value in values.items()}
    assert dim.free_symbols <= set(point), f"{dim}: unexpected symbols (not integer=True?)"
    result = dim.subs(point)
    assert result.is_Integer, f"{dim} at {values} is {result}"
    return int(result)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_symbolic_shape_is_an_expression(case):
    shape, _ = symbolic_answers(case.name)
    _, ndim = split_op(case.template["op"])
    assert all(isinstance(dim, sympy.Basic) for dim in shape[-ndim:]), shape


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_symbolic_shape_agrees_with_numeric_solver_and_torch(case):
    shape, params = symbolic_answers(case.name)

    @settings(max_examples=EXAMPLES_PER_CASE, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(symbol_values(case))
    def check(values):
        spec = numeric_spec(case.template, values)
        outcome = torch_outcome(spec)
        assert outcome.accepted, f"strategy bug or torch quirk: {spec}: {outcome.error}"
        from_symbols = tuple(evaluate(dim, values) for dim in shape)
        numeric_layer = parse_layer(spec)
        assert from_symbols == output_shape(numeric_layer) == outcome.shape, (values, shape)
        assert evaluate(params, values) == param_count(numeric_layer) == torch_param_count(spec)

    check()
