"""Network summary tables: routed to manual grading for now, with the key's table as reference."""

from __future__ import annotations

from grader.results import MANUAL, MISSING, Check


def read_summary(part_key, raw):
    """The answer itself (graded by hand), or a MISSING Check."""
    if raw is None:
        return Check(MISSING, "no summary table given")
    return raw


def judge_summary(part_key, expected, raw, context) -> Check:
    """``manual`` with the key's table shown to graders."""
    return Check(MANUAL, "summary tables are graded by hand for now", reference=expected.to_text())
