"""Explanations: never scored automatically; routed to manual grading with the reference."""

from __future__ import annotations

from grader.results import MANUAL, MISSING, UNPARSEABLE, Check


def read_explanation(part_key, raw):
    """The explanation text, or a MISSING/UNPARSEABLE Check (both carry the reference)."""
    reference = part_key.answer("explanation").text
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no explanation given", reference=reference)
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return Check(UNPARSEABLE, "an explanation is text; write it as a string", reference=reference)
    return str(raw)


def judge_explanation(part_key, expected, text, context) -> Check:
    """``manual`` with the instructor's reference."""
    return Check(MANUAL, "graded by hand against the reference", reference=expected.text)
