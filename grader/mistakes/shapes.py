"""Named mistakes in shapes: output-size formulas, channel axes, Jacobian and gradient layouts.

Output sizes of convolutions and pooling (PyTorch's formula, per spatial axis):

    L_out = floor((L + P_before + P_after - D*(K - 1) - 1) / S) + 1

Each mistake is that formula written wrongly, applied to every spatial axis of
every layer of that kind (a student who forgets the +1 forgets it throughout);
other layers keep their correct formula.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable

import sympy

from grader.mistakes import Candidate, Mistake
from solver.arith import ceil_div, floor_div, is_number, normalize, product
from solver.layers import AVGPOOL, CONV, MAXPOOL, Layer
from solver.notation import from_sympy
from solver.ops import family_of
from solver.questions.subject import part_variable_shape
from solver.shapes import tensor_shapes

NO_PLUS_ONE = Mistake("forgot the +1", "the first window counts too: the output has one position "
                                       "more than the number of whole strides that fit")
NO_FLOOR = Mistake("no floor", "a window that does not fit entirely is not computed: round the "
                               "division down")
CEIL_FOR_FLOOR = Mistake("ceil where floor belongs", "a last window that would hang over the end "
                                                     "is not computed: round down, not up")
DILATION_DROPPED = Mistake("dilation dropped", "a dilated kernel spans more of the input than K: "
                                               "its taps are D apart")
SPAN_D_TIMES_K = Mistake("(K − 1) without D", "the gaps of a dilated kernel lie between its taps: "
                                              "count the span as D gaps of K − 1 plus one tap")
ONE_PADDING = Mistake("P instead of 2P", "padding is added at both ends of the axis")
STRIDE_IGNORED = Mistake("stride ignored", "with stride S the window moves S positions at a time, "
                                           "so the count of positions is divided by S")
KERNEL_NOT_SUBTRACTED = Mistake("kernel not subtracted", "the last window must fit inside the input: "
                                                         "take the kernel's span off the length first")
AXES_SWAPPED_HW = Mistake("H and W swapped", "the output keeps the axes in the input's order: "
                                             "height before width")
C_FOR_F = Mistake("C instead of F", "a convolution has one output channel per filter, whatever the "
                                    "number of input channels")
FLATTENED = Mistake("Jacobian flattened", "the Jacobian keeps every axis: the output's axes followed "
                                          "by the variable's, not two axes of their sizes")
VARIABLE_FIRST = Mistake("the variable's axes before the output's", "a Jacobian df/dV lists the "
                                                                    "axes of f first, then those of V")
OUTPUT_SHAPE = Mistake("the output's shape for a gradient", "dl/dV has one entry per entry of V, "
                                                            "so it has V's shape")
WRONG_ORDER = Mistake("axes in the wrong order", "the sizes are right but not their order: keep "
                                                 "the layout of the tensor")

_FLOOR_FAMILIES = (CONV, MAXPOOL, AVGPOOL)


def _numerator(layer: Layer, axis: int, span=None):
    """L + P_before + P_after - span (span: the dilated kernel D*(K - 1) + 1 by default)."""
    before, after = layer.padding[axis]
    if span is None:
        span = layer.dilation[axis] * (layer.kernel[axis] - 1) + 1
    return layer.spatial[axis] + before + after - span


def _ratio(a, b):
    return sympy.Rational(a, b) if is_number(a) and is_number(b) else a / b


#: mistake -> (size of one axis written with that mistake, whether it applies to a layer's axis)
_SIZE_MISTAKES: tuple[tuple[Mistake, Callable, Callable], ...] = (
    (NO_PLUS_ONE, lambda l, a: floor_div(_numerator(l, a), l.stride[a]), lambda l, a: True),
    (NO_FLOOR, lambda l, a: _ratio(_numerator(l, a), l.stride[a]) + 1, lambda l, a: True),
    (CEIL_FOR_FLOOR, lambda l, a: ceil_div(_numerator(l, a), l.stride[a]) + 1, lambda l, a: True),
    (DILATION_DROPPED, lambda l, a: floor_div(_numerator(l, a, l.kernel[a]), l.stride[a]) + 1,
     lambda l, a: l.dilation[a] != 1),
    (SPAN_D_TIMES_K, lambda l, a: floor_div(_numerator(l, a, l.dilation[a] * l.kernel[a]), l.stride[a]) + 1,
     lambda l, a: l.dilation[a] != 1),
    (ONE_PADDING, lambda l, a: floor_div(_numerator(l, a) - l.padding[a][1], l.stride[a]) + 1,
     lambda l, a: l.padding[a][1] != 0),
    (STRIDE_IGNORED, lambda l, a: _numerator(l, a) + 1, lambda l, a: l.stride[a] != 1),
    (KERNEL_NOT_SUBTRACTED, lambda l, a: floor_div(_numerator(l, a, 1), l.stride[a]) + 1, lambda l, a: True),
    (KERNEL_NOT_SUBTRACTED, lambda l, a: floor_div(_numerator(l, a, 0), l.stride[a]) + 1, lambda l, a: True),
)


def shape_candidates(part_key) -> list[Candidate]:
    """The named wrong shapes of a part, most specific first."""
    part = part_key.part
    key = tuple(part_key.answer("shape").trees)
    found: list[Candidate] = []
    if part.of == "output":
        found += _size_candidates(part, key)
        found += _channel_candidates(part, key)
    else:
        output = _trees(tensor_shapes(part.layers[-1]).output)
        variable = _trees(part_variable_shape(part))
        if part.of == "jacobian":
            found.append(Candidate(FLATTENED, (_tree(product(tensor_shapes(part.layers[-1]).output)),
                                               _tree(product(part_variable_shape(part))))))
            found.append(Candidate(VARIABLE_FIRST, variable + output))
        else:
            found.append(Candidate(OUTPUT_SHAPE, output))
    # a partial of a module function, not a lambda: the key (memo included) may be pickled to a worker
    found.append(Candidate(WRONG_ORDER, test=partial(_reordered, key=key)))
    return found


def _size_candidates(part, key: tuple) -> list[Candidate]:
    found = []
    ndim = part.layers[-1].ndim
    for mistake, size, applies in _SIZE_MISTAKES:
        spatial = _chained(part.layers, size, applies)
        if spatial is not None:
            found.append(Candidate(mistake, key[:len(key) - ndim] + _trees(spatial)))
    if ndim >= 2:
        swapped = key[:-2] + (key[-1], key[-2])
        if swapped != key:
            found.append(Candidate(AXES_SWAPPED_HW, swapped))
    return found


def _chained(layers, size: Callable, applies: Callable):
    """The last layer's output sizes with ``size`` used wherever it applies; None if it applies nowhere."""
    current, used = tuple(layers[0].spatial), False
    for layer in layers:
        layer = replace(layer, spatial=current)
        family = family_of(layer.family)
        sizes = []
        for axis in range(layer.ndim):
            if layer.family in _FLOOR_FAMILIES and not layer.ceil_mode and applies(layer, axis):
                sizes.append(normalize(size(layer, axis)))
                used = True
            else:
                sizes.append(normalize(family.output_size(layer, axis)))
        current = tuple(sizes)
    return current if used else None


def _channel_candidates(part, key: tuple) -> list[Candidate]:
    layer = part.layers[-1]
    if layer.family != CONV or layer.filters is None or layer.channels is None or len(part.layers) != 1:
        return []
    position = 1 if layer.batch is not None else 0
    return [Candidate(C_FOR_F, key[:position] + (_tree(layer.channels),) + key[position + 1:])]


def _reordered(reading: tuple, key: tuple) -> bool:
    """Same sizes as the key (as trees), in another order."""
    return len(reading) == len(key) and tuple(reading) != key and sorted(map(repr, reading)) == sorted(
        map(repr, key))


def _tree(value):
    return from_sympy(normalize(value))


def _trees(values) -> tuple:
    return tuple(_tree(normalize(v)) for v in values)
