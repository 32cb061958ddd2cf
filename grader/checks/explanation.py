"""Explanations: never scored automatically; routed to manual grading with the reference."""

from __future__ import annotations

from grader.results import MANUAL, MISSING, UNPARSEABLE, Check


def check_explanation(part_key, expected, raw, context) -> Check:
    """``manual`` with the instructor's reference (``missing`` when empty)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no explanation given", reference=expected.text)
    if not isinstance(raw, (str, int, float)):
        return Check(UNPARSEABLE, "an explanation is text; write it as a string",
                     reference=expected.text)
    return Check(MANUAL, "graded by hand against the reference", reference=expected.text)
