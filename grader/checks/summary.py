"""Network summary tables, graded cell by cell with partial credit.

A table is a list of rows (mappings with the key's column names, as the key
prints it) or a mapping from the layer number (or ``total``) to a row. Each
cell of the key is compared with the student's: output shapes as shapes,
counts as numbers or formulas over the part's domain, op names as text. The
score is the fraction of correct cells; a missing row or cell counts as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.checks.count import judge_count, prepare_count, read_count
from grader.checks.shape import judge_shape, prepare_shape, read_shape_answer
from grader.results import CORRECT, INCORRECT, MISSING, PARTIAL, UNPARSEABLE, Check
from solver.answers import ShapeAnswer

_ACCEPTED = ("give a list of rows such as {layer: 1, op: conv2d, output_shape: 16 x 32 x 32, "
             "params: 448, ...}, or a mapping from the layer number (and total) to its row")
#: Wrong cells named in the feedback at most.
_SHOWN = 4


def read_summary(part_key, raw):
    """(row id, column, reading or Check) for every cell of the key, or a MISSING/UNPARSEABLE Check."""
    if raw is None:
        return Check(MISSING, "no summary table given")
    rows = _rows(raw)
    if rows is None:
        return Check(UNPARSEABLE, f"cannot read the table; {_ACCEPTED}")
    expected = part_key.answer("summary")
    cells = []
    for key_row in expected.cells:
        row_id = key_row[0]
        given = rows.get(str(row_id))
        for column, want in zip(expected.columns[1:], key_row[1:]):
            if want is None or (column == "op" and row_id == "total"):
                continue
            raw_cell = None if given is None else given.get(column)
            cells.append((str(row_id), column, _read_cell(part_key, want, raw_cell)))
    return tuple(cells)


def judge_summary(part_key, expected, cells, context) -> Check:
    """The fraction of correct cells; the first wrong ones named in the feedback."""
    wants = {(str(row[0]), column): want for row in expected.cells
             for column, want in zip(expected.columns[1:], row[1:])}
    wrong = []
    for row_id, column, reading in cells:
        check = _judge_cell(part_key, wants[(row_id, column)], reading, context)
        if check.verdict != CORRECT:
            wrong.append(f"row {row_id} {column}: {check.feedback or check.verdict}")
    if not wrong:
        return Check(CORRECT)
    right = len(cells) - len(wrong)
    shown = "; ".join(wrong[:_SHOWN]) + ("; ..." if len(wrong) > _SHOWN else "")
    feedback = f"{right} of {len(cells)} cells are right; {shown}"
    if right == 0:
        return Check(INCORRECT, feedback)
    return Check(PARTIAL, feedback, credit=right / len(cells))


def prepare_summary(part_key, expected) -> None:
    """The key cells' trees and domain samples, computed once."""
    for row in expected.cells:
        for want in row[2:]:
            if isinstance(want, ShapeAnswer):
                prepare_shape(part_key, want)
            elif want is not None:
                prepare_count(part_key, want)


def _rows(raw) -> dict | None:
    if isinstance(raw, Mapping):
        items = [(key, row) for key, row in raw.items()]
    elif isinstance(raw, list):
        items = [(row.get("layer") if isinstance(row, Mapping) else None, row) for row in raw]
    else:
        return None
    rows = {}
    for key, row in items:
        if not isinstance(row, Mapping) or isinstance(key, (bool, float)) or key is None:
            return None
        rows[str(key).strip().lower()] = row
    return rows


def _read_cell(part_key, want, raw):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "missing")
    if isinstance(want, str):
        return raw.strip().lower() if isinstance(raw, str) else Check(INCORRECT, "expected a name")
    if isinstance(want, ShapeAnswer):
        return read_shape_answer(part_key, raw)
    return read_count(part_key, raw)


def _judge_cell(part_key, want, reading, context) -> Check:
    if isinstance(reading, Check):
        return reading
    if isinstance(want, str):
        return Check(CORRECT) if reading == want.lower() else Check(INCORRECT, f"not {reading}")
    judge = judge_shape if isinstance(want, ShapeAnswer) else judge_count
    return judge(part_key, want, reading, context)
