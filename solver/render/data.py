"""The key as YAML or JSON (the machine-readable form)."""

from __future__ import annotations

import json

import yaml

from solver.key import AnswerKey


def render_json(key: AnswerKey) -> str:
    """The key's plain data as indented JSON text."""
    return json.dumps(key.to_data(), indent=2, ensure_ascii=False) + "\n"


_SEQ, _INT = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:int"


def _represent_list(dumper: yaml.SafeDumper, data: list):
    if all(type(item) is int for item in data):
        # Tensor rows: build the int nodes directly; the generic path costs more than emitting.
        return yaml.SequenceNode(_SEQ, [yaml.ScalarNode(_INT, str(item)) for item in data],
                                 flow_style=True)
    flat = all(not isinstance(item, (list, dict)) for item in data)
    return dumper.represent_sequence(_SEQ, data, flow_style=flat)


def _key_dumper(base: type) -> type:
    """A dumper on ``base`` that writes lists of plain values (shapes, tensor rows) on one line."""
    dumper = type(f"Key{base.__name__}", (base,), {})
    dumper.add_representer(list, _represent_list)
    return dumper


#: libyaml's C emitter when PyYAML was built with it (ten times faster on large numeric keys).
_KeyDumper = _key_dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def sheet_data(key: AnswerKey) -> dict:
    """The problem sheet as plain data: {problem, title, indexing, parts: [{id, points, [context,]
    prompt, [tensors,] ask}]}; no answers."""
    parts = []
    for part_key in key.parts:
        part = part_key.part
        entry = {"id": part.id, "points": part_key.to_data()["points"]}
        if part.context:
            entry["context"] = list(part.context)
        entry["prompt"] = part.prompt
        tensors = {name: value.to_data() for name, value in part_key.given()}
        if tensors:
            entry["tensors"] = tensors
        entry["ask"] = list(part.ask)
        parts.append(entry)
    return {"problem": key.problem.id, "title": key.problem.title, "indexing": key.problem.indexing,
            "parts": parts}


def render_sheet_json(key: AnswerKey) -> str:
    """The sheet's plain data as indented JSON text."""
    return json.dumps(sheet_data(key), indent=2, ensure_ascii=False) + "\n"


def render_sheet_yaml(key: AnswerKey) -> str:
    """The sheet's plain data as YAML text."""
    return yaml.dump(sheet_data(key), Dumper=_KeyDumper, sort_keys=False, allow_unicode=True, width=10_000)


def render_yaml(key: AnswerKey) -> str:
    """The key's plain data as YAML text (key order kept)."""
    return yaml.dump(key.to_data(), Dumper=_KeyDumper, sort_keys=False, allow_unicode=True, width=10_000)
