"""Concrete tensors: shape first, then every entry within the part's tolerance."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import EvaluationError, NotationError, evaluate_tree, read_expression, tree
from solver.yaml_loading import YamlLoadError, load_yaml_text

_ACCEPTED = "give nested lists of numbers such as [[1.5, -2], [0, 4]]"
_MAX_DEPTH = 16


class _BadTensor(ValueError):
    pass


def read_numeric(part_key, raw):
    """The student's tensor as (shape, flat tuple of floats), or a MISSING/UNPARSEABLE Check.

    Text is read as YAML/JSON; each entry is a number or a formula of numbers ('7/2').
    """
    if raw is None:
        return Check(MISSING, "no numbers given")
    try:
        array = np.array(_numbers(_loaded(raw), 0), dtype=np.float64)
    except _BadTensor as error:
        return Check(UNPARSEABLE, f"{error}; {_ACCEPTED}")
    except ValueError:
        return Check(UNPARSEABLE, f"the rows have different lengths; {_ACCEPTED}")
    return array.shape, tuple(array.ravel().tolist())


def judge_numeric(part_key, expected, reading, context) -> Check:
    """Compare the tensor with the key's array: |a - b| <= atol + rtol*|b| entry by entry."""
    shape, values = reading
    target = expected.array
    if tuple(shape) != target.shape:
        return Check(INCORRECT, f"has shape {_shape(shape)}, not the shape of this part's tensor",
                     reveal=f"this part expects {_shape(target.shape)}")
    array = np.array(values, dtype=np.float64).reshape(shape)
    options = part_key.part.options
    close = np.isclose(array, target, rtol=options.rtol, atol=options.atol)
    if close.all():
        return Check(CORRECT)
    wrong = np.argwhere(~close)
    first = tuple(int(i) + part_key.part.indexing for i in wrong[0])
    return Check(INCORRECT, f"{len(wrong)} of {array.size} entries differ from the key, the first "
                            f"at index {list(first)} (indices from {part_key.part.indexing})",
                 reveal=f"there the key has {target[tuple(wrong[0])]:g}, the answer {array[tuple(wrong[0])]:g}")


def _loaded(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    try:
        return load_yaml_text(raw)
    except YamlLoadError as error:
        raise _BadTensor(f"cannot read the numbers: {error}") from None


def _numbers(raw: object, depth: int):
    if depth > _MAX_DEPTH:
        raise _BadTensor("the lists are nested too deeply")
    if isinstance(raw, list):
        return [_numbers(item, depth + 1) for item in raw]
    return _float(_number(raw))


def _number(raw: object) -> int | float | Fraction:
    if isinstance(raw, bool) or raw is None:
        raise _BadTensor(f"{raw!r} is not a number")
    if isinstance(raw, (int, float)):
        return raw
    if isinstance(raw, str):
        try:
            value = read_expression(raw)
        except NotationError as error:
            raise _BadTensor(f"cannot read {_short(raw)}: {error}") from None
        if tree.symbols_in(value) or tree.tensors_in(value):
            raise _BadTensor(f"{_short(raw)} is not a number")
        try:
            return evaluate_tree(value)
        except EvaluationError as error:
            raise _BadTensor(f"cannot compute {_short(raw)}: {error}") from None
    raise _BadTensor(f"found {type(raw).__name__}")


def _float(value: int | float | Fraction) -> float:
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise _BadTensor("an entry is not a finite number within float64's range (|x| < 1.8e308)")
    return result


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _shape(shape) -> str:
    return " x ".join(map(str, shape)) if shape else "a single number"
