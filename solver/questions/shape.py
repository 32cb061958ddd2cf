"""``shape``: the dimension of the output, a Jacobian or a loss gradient."""

from __future__ import annotations

from solver.answers import ShapeAnswer
from solver.questions.base import Question
from solver.questions.subject import subject_shape


class ShapeQuestion(Question):
    name = "shape"

    def check(self, part) -> None:
        subject_shape(part)

    def answer(self, part) -> ShapeAnswer:
        return ShapeAnswer(tuple(subject_shape(part)))
