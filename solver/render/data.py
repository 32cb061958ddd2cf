"""The key as YAML or JSON (the machine-readable form)."""

from __future__ import annotations

import json

import yaml

from solver.key import AnswerKey


def render_json(key: AnswerKey) -> str:
    """The key's plain data as indented JSON text."""
    return json.dumps(key.to_data(), indent=2, ensure_ascii=False) + "\n"


def render_yaml(key: AnswerKey) -> str:
    """The key's plain data as YAML text (key order kept)."""
    return yaml.safe_dump(key.to_data(), sort_keys=False, allow_unicode=True, width=100)
