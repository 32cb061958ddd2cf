"""``summary``: a model-summary table, one row per layer: output shape and parameter counts."""

from __future__ import annotations

from solver.answers import TableAnswer, dim_data
from solver.arith import normalize
from solver.questions.base import Question
from solver.shapes import output_shape, param_count

COLUMNS = ("layer", "op", "output_shape", "params", "params_without_bias")


class SummaryQuestion(Question):
    name = "summary"

    def answer(self, part) -> TableAnswer:
        rows, total, total_plain = [], 0, 0
        for index, layer in enumerate(part.layers, start=1):
            with_bias, without_bias = param_count(layer), param_count(layer, with_bias=False)
            shape = [dim_data(d) for d in output_shape(layer)]
            rows.append((index, layer.op, shape, dim_data(with_bias), dim_data(without_bias)))
            total, total_plain = total + with_bias, total_plain + without_bias
        rows.append(("total", "", [], dim_data(normalize(total)), dim_data(normalize(total_plain))))
        return TableAnswer(COLUMNS, tuple(rows))
