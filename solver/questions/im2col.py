"""``im2col``: the dimensions of a convolution's im2col matrix, rows x columns.

Rows C/groups * prod(K) (one per weight tap of a filter), columns prod(L_out)
(one per output position), per sample and group: f = W_matrix (F/groups x rows)
times this matrix, as ``torch.nn.functional.unfold`` lays it out (groups 1).
"""

from __future__ import annotations

from solver.answers import ShapeAnswer
from solver.arith import floor_div, normalize, product
from solver.errors import SpecError
from solver.layers import CONV
from solver.questions.base import Question
from solver.shapes import output_spatial


class Im2colQuestion(Question):
    name = "im2col"

    def check(self, part) -> None:
        if len(part.layers) != 1 or part.layer.family != CONV:
            raise SpecError(f"im2col is asked about one convolution layer; this part has "
                            f"{', '.join(layer.op for layer in part.layers)}", field="ask")

    def answer(self, part) -> ShapeAnswer:
        layer = part.layer
        channels = layer.channels if layer.channels is not None else 1
        rows = normalize(floor_div(channels, layer.groups) * product(layer.kernel))
        return ShapeAnswer((rows, normalize(product(output_spatial(layer)))))
