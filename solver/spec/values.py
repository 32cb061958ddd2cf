"""Concrete tensor values of a layer: explicit nested lists or a seed for random integers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from solver.arith import product
from solver.errors import SpecError
from solver.layers import Layer
from solver.ops import family_of
from solver.shapes import tensor_shapes

#: Random values drawn for ``values: {seed: N}`` are integers in this closed range.
RANDOM_LOW, RANDOM_HIGH = -3, 3
#: Most entries of any one numeric tensor (x, W, b, g, the output, the work arrays of
#: numeric answers): 10,000,000 float64 entries are 80 MB. Jacobians have the same limit.
MAX_TENSOR_ENTRIES = 10_000_000


def check_tensor_size(what: str, shape: tuple[int, ...], field: str) -> None:
    """SpecError when a tensor of ``shape`` would have more than MAX_TENSOR_ENTRIES entries."""
    entries = product(shape)
    if entries > MAX_TENSOR_ENTRIES:
        raise SpecError(f"{what} would have {entries:,} entries ({_text(shape)}); the limit is "
                        f"{MAX_TENSOR_ENTRIES:,}: use smaller sizes", field=field)


def tensor_roles(layer: Layer) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape for every tensor that can carry values (x, W, b, g and the
    family's buffers, such as batch norm's running_mean and running_var in eval mode)."""
    shapes = tensor_shapes(layer)
    roles = {layer.names.input: shapes.input, layer.names.upstream: shapes.output}
    if shapes.weight is not None:
        roles[layer.names.weight] = shapes.weight
    if shapes.bias is not None:
        roles[layer.names.bias] = shapes.bias
    roles.update(family_of(layer.family).buffers(layer))
    return roles


def read_values(layer: Layer, raw: object) -> dict[str, np.ndarray]:
    """Tensor name -> float64 array from a spec's ``values:`` mapping.

    Accepts explicit nested lists keyed by tensor name and/or ``seed: N``
    (with optional ``low``/``high``), which fills every tensor not given with
    random integers in [low, high] (default [-3, 3]); a buffer that must be
    positive (a variance) gets integers in [1, max(high, 1)] and, given
    explicitly, must be >= 0. Shapes must match the layout of :mod:`solver.shapes`.
    """
    if not isinstance(raw, Mapping):
        raise SpecError("expected a mapping of tensor names to nested lists, or seed: N",
                        field="values")
    shapes = tensor_roles(layer)
    control = {"seed", "low", "high"}
    unknown = sorted(set(map(str, raw)) - set(shapes) - control)
    if unknown:
        raise SpecError(f"unknown tensor {unknown[0]!r}; this layer's tensors are "
                        f"{', '.join(shapes)} (and seed, low, high)", field="values")
    for name, shape in shapes.items():  # before anything is allocated
        check_tensor_size(f"tensor {name}", shape, "values")
    positive = family_of(layer.family).positive_buffers
    values = {}
    for name, shape in shapes.items():
        if name in raw:
            values[name] = _array(raw[name], shape, f"values.{name}")
            if name in positive and np.any(values[name] < 0):
                raise SpecError("is a variance, so its entries must be >= 0; found "
                                f"{values[name].min():g}", field=f"values.{name}")
    if "seed" in raw:
        seed, low, high = (_integer(raw, key, default) for key, default in
                           (("seed", None), ("low", RANDOM_LOW), ("high", RANDOM_HIGH)))
        if low > high:
            raise SpecError(f"low {low} is above high {high}", field="values.low")
        generator = np.random.default_rng(seed)
        for name, shape in shapes.items():
            if name not in values:
                lo, hi = (1, max(high, 1)) if name in positive else (low, high)
                values[name] = generator.integers(lo, hi + 1, size=shape).astype(np.float64)
    return values


def _array(raw: object, shape: tuple[int, ...], field: str) -> np.ndarray:
    try:
        array = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(f"expected nested lists of numbers with shape {_text(shape)}",
                        field=field) from None
    if array.shape != tuple(shape):
        raise SpecError(f"has shape {_text(array.shape) or 'scalar'}; expected {_text(shape)}",
                        field=field)
    if not np.all(np.isfinite(array)):
        raise SpecError("contains inf or nan; give finite numbers", field=field)
    return array


def _integer(raw: Mapping, key: str, default: int | None) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"expected an integer; found {value!r}", field=f"values.{key}")
    return value


def _text(shape) -> str:
    return " x ".join(str(d) for d in shape)
