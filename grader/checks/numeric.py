"""Concrete tensors: shape first, then every entry within the part's tolerance."""

from __future__ import annotations

import math

import numpy as np
import sympy

from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import NotationError, parse_expression
from solver.plain_data import plain_text
from solver.yaml_loading import YamlLoadError, load_yaml_text

_ACCEPTED = "give nested lists of numbers such as [[17, 23]]"


class _BadTensor(ValueError):
    pass


def check_numeric(part_key, expected, raw, context) -> Check:
    """Compare nested lists with the key's array: |a - b| <= atol + rtol*|b| entry by entry."""
    if raw is None:
        return Check(MISSING, "no numbers given")
    try:
        array = _read_tensor(raw)
    except _BadTensor as error:
        return Check(UNPARSEABLE, f"{error}; {_ACCEPTED}")
    target = expected.array
    if array.shape != target.shape:
        return Check(INCORRECT, f"has shape {_shape(array.shape)}; this part expects "
                                f"{_shape(target.shape)}")
    options = part_key.part.options
    close = np.isclose(array, target, rtol=options.rtol, atol=options.atol)
    if close.all():
        return Check(CORRECT)
    wrong = np.argwhere(~close)
    first = tuple(int(i) + part_key.part.indexing for i in wrong[0])
    return Check(INCORRECT, f"{len(wrong)} of {array.size} entries differ from the key, the first "
                            f"at index {list(first)} (indices from {part_key.part.indexing})")


def _read_tensor(raw: object) -> np.ndarray:
    if isinstance(raw, str):
        try:
            raw = load_yaml_text(raw)
        except YamlLoadError as error:
            raise _BadTensor(f"cannot read the numbers: {error}") from None
    values = _numbers(raw, depth=0)
    try:
        array = np.array(values, dtype=np.float64)
    except ValueError:
        raise _BadTensor("the rows have different lengths") from None
    return array


def _numbers(raw: object, depth: int):
    if depth > 16:
        raise _BadTensor("the lists are nested too deeply")
    if isinstance(raw, bool) or raw is None:
        raise _BadTensor(f"{raw!r} is not a number")
    if isinstance(raw, (int, float)):
        return _finite(raw, raw)
    if isinstance(raw, str):
        try:
            value = parse_expression(raw)
        except NotationError as error:
            raise _BadTensor(f"cannot read {raw!r}: {error}") from None
        if not (value.is_number and value.is_finite and value.is_real):
            raise _BadTensor(f"{raw!r} is not a number")
        try:
            number = sympy.Float(value, 30)
        except (TypeError, ValueError):  # an unevaluated Sum or Max of numbers: evaluate it
            number = value.evalf(30)
            if not number.is_Number:
                raise _BadTensor(f"{raw!r} is not a number") from None
        return _finite(number, raw)
    if isinstance(raw, list):
        return [_numbers(item, depth + 1) for item in raw]
    raise _BadTensor(f"found {type(raw).__name__}")


def _finite(number, shown) -> float:
    """``number`` as a float64; a number beyond float64's range (about 1.8e308) is refused.

    Integers of any size are converted exactly up to that range (numpy would
    make an integer beyond int64 an object array).
    """
    try:
        value = float(number)
    except OverflowError:
        value = float("inf")
    if not math.isfinite(value):
        text = shown if isinstance(shown, str) else plain_text(shown)
        raise _BadTensor(f"{text[:40]!r} is not a finite number within float64's range "
                         f"(|x| < 1.8e308)")
    return value


def _shape(shape) -> str:
    return " x ".join(map(str, shape)) if shape else "a single number"
