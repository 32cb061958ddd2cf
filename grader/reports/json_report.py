"""Results as JSON: ``{"results": [...]}``, one entry per submission."""

from __future__ import annotations

import json

from grader.results import SubmissionResult


def render_json(results: list[SubmissionResult]) -> str:
    """The results as indented JSON text (the format documented in the README)."""
    return json.dumps({"results": [r.to_data() for r in results]}, indent=2, ensure_ascii=False) + "\n"
