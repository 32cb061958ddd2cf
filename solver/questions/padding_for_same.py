"""``padding_for_same``: the padding P per axis that keeps the length of a stride-1 convolution.

L_out = L + 2P - D*(K - 1) = L gives P = D*(K - 1)/2 (a whole number when D*(K - 1)
is even; otherwise no symmetric padding keeps the size, and PyTorch's 'same'
pads floor(D*(K - 1)/2) before and the rest after).
"""

from __future__ import annotations

import sympy

from solver.answers import ShapeAnswer
from solver.arith import as_int, normalize
from solver.errors import SpecError
from solver.layers import CONV
from solver.questions.base import Question


class PaddingForSameQuestion(Question):
    name = "padding_for_same"

    def check(self, part) -> None:
        layer = part.layer
        if len(part.layers) != 1 or layer.family != CONV:
            raise SpecError("padding_for_same is asked about one convolution layer", field="ask")
        if any(s != 1 for s in layer.stride):
            raise SpecError("padding_for_same needs stride 1 (a strided convolution cannot keep "
                            "the size)", field="layer.stride")
        for k, d in zip(layer.kernel, layer.dilation):
            span = as_int(d * (k - 1))
            if span is not None and span % 2:
                raise SpecError(f"D*(K-1) = {span} is odd, so no symmetric padding keeps the size "
                                f"(PyTorch's 'same' pads {span // 2} before and {span - span // 2} "
                                f"after); choose an odd dilated kernel", field="layer.kernel")

    def answer(self, part) -> ShapeAnswer:
        layer = part.layer
        return ShapeAnswer(tuple(normalize(sympy.Rational(1, 2) * d * (k - 1)
                                           if isinstance(d * (k - 1), sympy.Basic)
                                           else d * (k - 1) // 2)
                                 for k, d in zip(layer.kernel, layer.dilation)))
