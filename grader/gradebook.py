"""The gradebook: one CSV row per submission, a column per part, the total and the error.

Columns: ``submission, student, problem, <part ids...>, total, max_score,
pending_manual, error``. A submission that could not be graded has empty part
cells, a total of 0 and its error. Text from outside (file and student names,
errors echoing them) is shown through :func:`~grader.reports.visible.visible`
(one line, no control characters), and a cell a spreadsheet would run as a
formula (starting with ``= + - @``) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io

from grader.reports.visible import visible

_FORMULA_STARTS = ("=", "+", "-", "@")


def render_gradebook(results: list[dict], part_ids: list[str]) -> str:
    """The CSV text of ``results`` (result data as in results.json), parts in ``part_ids`` order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission", "student", "problem", *part_ids, "total", "max_score",
                     "pending_manual", "error"])
    for result in results:
        scores = {part["id"]: part["score"] for part in result.get("parts", ())}
        writer.writerow([_text(result.get("submission")), _text(result.get("student")),
                         _text(result.get("problem")), *(scores.get(pid, "") for pid in part_ids),
                         result["score"], result["max_score"], result.get("pending_manual", 0),
                         _text(result.get("error"))])
    return out.getvalue()


def _text(value) -> str:
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
