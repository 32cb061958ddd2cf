"""``jump``: the effective stride of the part's layers, per axis: J = prod of the strides.

(Adjacent output values start J input positions apart; see :mod:`solver.stack`.)
"""

from __future__ import annotations

from solver.answers import ShapeAnswer
from solver.questions.base import Question
from solver.stack import receptive_geometry


class JumpQuestion(Question):
    name = "jump"

    def check(self, part) -> None:
        receptive_geometry(part.layers)

    def answer(self, part) -> ShapeAnswer:
        return ShapeAnswer(receptive_geometry(part.layers)[1])
