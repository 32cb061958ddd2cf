"""``activations``: output values of all the part's layers, sum of prod(output shape).

(The memory column of a VGG table, counted in values; per layer: ``summary``.)
"""

from __future__ import annotations

from solver.answers import CountAnswer
from solver.questions.base import Question
from solver.stack import layer_activations, total


class ActivationsQuestion(Question):
    name = "activations"

    def answer(self, part) -> CountAnswer:
        return CountAnswer(total(layer_activations(layer) for layer in part.layers))
