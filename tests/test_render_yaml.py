"""The YAML key uses libyaml's C emitter when PyYAML has it, with the same text as the pure-Python one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from solver.key import build_key
from solver.render import data
from solver.spec.loading import load_problem, problem_from_data

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))

JACOBIAN = {"id": "q", "parts": [{"id": "a", "of": "jacobian", "wrt": "input", "ask": ["numeric"],
                                  "layer": {"op": "conv2d", "input": [2, 6, 6], "kernel": 3,
                                            "filters": 2, "values": {"seed": 5}}}]}
FRACTIONS = {"id": "q", "parts": [{"id": "a", "ask": ["numeric"], "layer": {
    "op": "conv1d", "input": [4], "kernel": 2, "bias": False,
    "values": {"x": [0.5, -1.25, 3, 1e-7], "W": [2.5, -0.1]}}}]}


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_the_key_dumper_is_libyamls_c_emitter():
    assert issubclass(data._KeyDumper, yaml.CSafeDumper)


class _Reference(yaml.SafeDumper):
    """PyYAML's pure-Python path, lists of plain values in flow style (the key's documented look)."""


_Reference.add_representer(list, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value,
    flow_style=all(not isinstance(item, (list, dict)) for item in value)))


def _pure_python(key) -> str:
    return yaml.dump(key.to_data(), Dumper=_Reference, sort_keys=False, allow_unicode=True,
                     width=10_000)


@pytest.mark.parametrize("key", [*(build_key(load_problem(s)) for s in SPECS),
                                 build_key(problem_from_data(JACOBIAN)),
                                 build_key(problem_from_data(FRACTIONS))],
                         ids=[*(s.name for s in SPECS), "jacobian", "fractions"])
def test_same_text_as_the_pure_python_emitter_and_round_trips(key):
    text = data.render_yaml(key)
    assert text == _pure_python(key)
    assert yaml.safe_load(text) == key.to_data()
