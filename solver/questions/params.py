"""``params``: the number of trainable parameters of the part's layers (with bias as specified)."""

from __future__ import annotations

from solver.answers import CountAnswer
from solver.arith import normalize
from solver.questions.base import Question
from solver.shapes import param_count


class ParamsQuestion(Question):
    name = "params"

    def answer(self, part) -> CountAnswer:
        total = 0
        for layer in part.layers:
            total = total + param_count(layer)
        return CountAnswer(normalize(total))
