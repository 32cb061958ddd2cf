"""``flops``: floating-point operations of one forward pass, counted as 2 * MACs.

(One multiplication and one addition per multiply-accumulate; see :mod:`solver.questions.macs`.)
"""

from __future__ import annotations

from solver.answers import CountAnswer
from solver.arith import normalize
from solver.questions.base import Question
from solver.stack import layer_macs, total


class FlopsQuestion(Question):
    name = "flops"

    def answer(self, part) -> CountAnswer:
        return CountAnswer(normalize(2 * total(layer_macs(layer) for layer in part.layers)))
