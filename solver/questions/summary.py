"""``summary``: a model-summary table, one row per layer, and a total row.

Columns: layer (from 1), op, output shape, parameters with and without bias,
MACs and activations (output values) as in :mod:`solver.stack`. Graded cell
by cell (``grader/checks/summary.py``).
"""

from __future__ import annotations

from solver.answers import CountAnswer, ShapeAnswer, TableAnswer, dim_data
from solver.questions.base import Question
from solver.shapes import output_shape, param_count
from solver.stack import layer_activations, layer_macs, total

COLUMNS = ("layer", "op", "output_shape", "params", "params_without_bias", "macs", "activations")
#: The columns that hold numbers or formulas (totalled in the last row).
COUNTS = COLUMNS[3:]


class SummaryQuestion(Question):
    name = "summary"

    def answer(self, part) -> TableAnswer:
        rows, cells, columns = [], [], {name: [] for name in COUNTS}
        for index, layer in enumerate(part.layers, start=1):
            counts = dict(zip(COUNTS, (param_count(layer), param_count(layer, with_bias=False),
                                       layer_macs(layer), layer_activations(layer))))
            shape = output_shape(layer)
            rows.append((index, layer.op, [dim_data(d) for d in shape],
                         *(dim_data(counts[name]) for name in COUNTS)))
            cells.append((index, layer.op, ShapeAnswer(tuple(shape)),
                          *(CountAnswer(counts[name]) for name in COUNTS)))
            for name in COUNTS:
                columns[name].append(counts[name])
        totals = [total(columns[name]) for name in COUNTS]
        rows.append(("total", "", [], *(dim_data(t) for t in totals)))
        cells.append(("total", "", None, *(CountAnswer(t) for t in totals)))
        return TableAnswer(COLUMNS, tuple(rows), tuple(cells))
