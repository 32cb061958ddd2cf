"""Named mistakes in parameter counts, applied to every layer with weights of the part.

Correct count of a convolution: F * (C / groups) * K_1 * ... * K_d + F (with bias);
a transposed convolution stores C * (F / groups) * K_1 * ... * K_d weights.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from grader.mistakes import Candidate, Mistake
from solver.arith import normalize, product
from solver.notation import from_sympy
from solver.ops import family_of
from solver.shapes import param_count

BIAS_FORGOTTEN = Mistake("bias forgotten", "each filter also has a bias: one more parameter per "
                                           "output channel")
BIAS_COUNTED = Mistake("bias counted", "this layer has no bias (bias: false), so it adds no parameter")
BIAS_PER_INPUT = Mistake("bias counted per input channel", "there is one bias per filter (output "
                                                           "channel), not per input channel")
GROUPS_IGNORED = Mistake("groups ignored", "with groups, each filter sees only C/groups input "
                                           "channels")
K_FOR_K_SQUARED = Mistake("K instead of K²", "a kernel has K entries along every spatial axis: "
                                             "K·K of them in 2d")


def _weights(layer) -> object:
    shape = family_of(layer.family).weight_shape(layer)
    return 0 if shape is None else product(shape)


def _bias(layer) -> object:
    return (layer.filters if layer.filters is not None else 1) if layer.bias else 0


def _one_kernel_axis(layer) -> object:
    """The weights counted with one kernel axis only: F * (C/groups) * K_1."""
    shape = family_of(layer.family).weight_shape(layer)
    return product(shape[:len(shape) - layer.ndim]) * layer.kernel[0]


def _has_weights(layer) -> bool:
    return family_of(layer.family).weight_shape(layer) is not None


#: mistake -> (a layer's count written with that mistake, whether the mistake applies to it)
_COUNT_MISTAKES: tuple[tuple[Mistake, Callable, Callable], ...] = (
    (BIAS_FORGOTTEN, lambda l: param_count(l, with_bias=False), lambda l: l.bias),
    (BIAS_COUNTED, lambda l: param_count(l, with_bias=True), lambda l: not l.bias),
    (BIAS_PER_INPUT, lambda l: _weights(l) + (l.channels if l.channels is not None else 1),
     lambda l: l.bias and l.channels != l.filters),
    (GROUPS_IGNORED, lambda l: param_count(replace(l, groups=1)), lambda l: l.groups != 1),
    (K_FOR_K_SQUARED, lambda l: _one_kernel_axis(l) + _bias(l), lambda l: l.ndim >= 2),
)


def count_candidates(part_key) -> list[Candidate]:
    """The named wrong parameter counts of a part (each mistake made in every layer it fits)."""
    found = []
    for mistake, count, applies in _COUNT_MISTAKES:
        total, used = 0, False
        for layer in part_key.part.layers:
            if _has_weights(layer) and applies(layer):
                total, used = total + count(layer), True
            else:
                total = total + param_count(layer)
        if used:
            found.append(Candidate(mistake, from_sympy(normalize(total))))
    return found
