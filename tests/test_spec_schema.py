"""The published JSON Schema is up to date and accepts every bundled spec."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from solver.spec.schema import spec_schema

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))


def test_published_schema_is_regenerated():
    published = json.loads((ROOT / "docs" / "spec.schema.json").read_text())
    assert published == spec_schema(), "run: python -m solver.spec.schema > docs/spec.schema.json"


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_bundled_specs_validate(spec):
    jsonschema.validate(yaml.safe_load(spec.read_text()), spec_schema())


def test_schema_rejects_an_unknown_op():
    bad = {"id": "q", "parts": [{"id": "a", "layer": {"op": "conv4d", "kernel": 3}, "ask": ["shape"]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, spec_schema())
