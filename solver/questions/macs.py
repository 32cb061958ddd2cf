"""``macs``: multiply-accumulates of one forward pass of the part's layers, in total.

conv: prod(output shape) * C/groups * prod(K); conv_transpose: prod(input shape)
* F/groups * prod(K); linear: prod(output shape) * C; other layers 0 (bias
additions, pooling and activations are not counted). Per layer: ``summary``.
"""

from __future__ import annotations

from solver.answers import CountAnswer
from solver.questions.base import Question
from solver.stack import layer_macs, total


class MacsQuestion(Question):
    name = "macs"

    def answer(self, part) -> CountAnswer:
        return CountAnswer(total(layer_macs(layer) for layer in part.layers))
