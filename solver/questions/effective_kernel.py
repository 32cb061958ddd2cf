"""``effective_kernel``: the span of the dilated kernel, per axis: D*(K - 1) + 1."""

from __future__ import annotations

from solver.answers import ShapeAnswer
from solver.arith import normalize
from solver.errors import SpecError
from solver.ops import family_of
from solver.ops.base import effective_kernel
from solver.questions.base import Question


class EffectiveKernelQuestion(Question):
    name = "effective_kernel"

    def check(self, part) -> None:
        if len(part.layers) != 1 or not family_of(part.layer.family).has_kernel:
            raise SpecError("effective_kernel is asked about one layer with a kernel (conv, "
                            "conv_transpose, pooling)", field="ask")

    def answer(self, part) -> ShapeAnswer:
        layer = part.layer
        return ShapeAnswer(tuple(normalize(effective_kernel(layer, a)) for a in range(layer.ndim)))
