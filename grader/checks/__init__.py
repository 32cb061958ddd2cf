"""Registry of checkers: asked item name -> function comparing a raw answer with the key.

A checker takes ``(part_key, expected, raw, context)`` and returns a
:class:`~grader.results.Check`. Adding a question kind means one checker
module and one line here.
"""

from __future__ import annotations

from grader.checks.context import CheckContext
from grader.checks.count import check_count
from grader.checks.explanation import check_explanation
from grader.checks.index_expression import check_index_expression
from grader.checks.numeric import check_numeric
from grader.checks.shape import check_shape
from grader.checks.summary import check_summary
from grader.results import Check

CHECKERS = {
    "shape": check_shape,
    "value": check_index_expression,
    "numeric": check_numeric,
    "explanation": check_explanation,
    "params": check_count,
    "summary": check_summary,
}


def run_check(part_key, item: str, raw: object, context: CheckContext) -> Check:
    """Check the raw answer to ``item`` of ``part_key`` (run inside the sandbox worker)."""
    return CHECKERS[item](part_key, part_key.answer(item), raw, context)
