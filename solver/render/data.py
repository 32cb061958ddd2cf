"""The key as YAML or JSON (the machine-readable form)."""

from __future__ import annotations

import json

import yaml

from solver.key import AnswerKey


def render_json(key: AnswerKey) -> str:
    """The key's plain data as indented JSON text."""
    return json.dumps(key.to_data(), indent=2, ensure_ascii=False) + "\n"


class _KeyDumper(yaml.SafeDumper):
    """Writes lists of plain values (shapes, tensor rows) on one line: ``[4, 5]``."""


def _represent_list(dumper: yaml.SafeDumper, data: list):
    flat = all(not isinstance(item, (list, dict)) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_KeyDumper.add_representer(list, _represent_list)


def render_yaml(key: AnswerKey) -> str:
    """The key's plain data as YAML text (key order kept)."""
    return yaml.dump(key.to_data(), Dumper=_KeyDumper, sort_keys=False, allow_unicode=True, width=10_000)
