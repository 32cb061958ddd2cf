"""Reporters: format grading results, nothing else (``text`` for people, ``json`` for machines)."""

from __future__ import annotations

from grader.reports.json_report import render_json
from grader.reports.text import render_text

REPORTERS = {"text": render_text, "json": render_json}
