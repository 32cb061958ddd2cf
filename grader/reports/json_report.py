"""Results as JSON: ``{"results": [...]}``, one entry per submission."""

from __future__ import annotations

import json

from grader.reports.visible import encodable
from grader.results import SubmissionResult


def render_json(results: list[SubmissionResult]) -> str:
    """The results as indented JSON text (the format documented in the README).

    json escapes control characters itself; lone surrogates (which UTF-8
    cannot encode) are replaced by their escapes as text, e.g. ``\\ud800``.
    """
    return render_json_data([r.to_data() for r in results])


def render_json_data(results: list[dict], **extra) -> str:
    """``{"results": [...], **extra}`` as indented JSON text, from result data (``to_data()``)."""
    data = _encodable({"results": results, **extra})
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _encodable(data):
    """``data`` (dicts, lists, scalars from ``to_data``) with every string made encodable."""
    if isinstance(data, str):
        return encodable(data)
    if isinstance(data, dict):
        return {_encodable(key): _encodable(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_encodable(item) for item in data]
    return data
