"""``receptive_field``: input positions one output value sees, per axis, for the part's layers.

r_0 = 1; r_i = r_{i-1} + D*(K - 1)*J_{i-1} (see :mod:`solver.stack`).
"""

from __future__ import annotations

from solver.answers import ShapeAnswer
from solver.questions.base import Question
from solver.stack import receptive_geometry


class ReceptiveFieldQuestion(Question):
    name = "receptive_field"

    def check(self, part) -> None:
        receptive_geometry(part.layers)

    def answer(self, part) -> ShapeAnswer:
        return ShapeAnswer(receptive_geometry(part.layers)[0])
