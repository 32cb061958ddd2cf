"""The published JSON Schema is up to date, accepts every spec the loader accepts and refuses
the broken ones.

Valid specs: the bundled ones, hand-written ones for each accepted form, and
hypothesis-generated ones (layers PyTorch accepts, written in the spec's
alternative forms). Each is loaded by the solver first, so a spec the schema
refuses is really a valid one.
"""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.errors import SpecError
from solver.spec.loading import problem_from_data
from solver.spec.schema import spec_schema
from test_shapes_torch import OPS, valid_layer

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(spec_schema())


def _spec(layer: dict, **part) -> dict:
    return {"id": "q", "parts": [{"id": "a", "layer": layer, "ask": ["shape"], **part}]}


def _assert_valid(spec: dict) -> None:
    problem_from_data(spec)                    # the loader accepts it...
    errors = [e.message for e in VALIDATOR.iter_errors(spec)]
    assert not errors, errors                  # ...so the schema must


def test_published_schema_is_regenerated():
    published = json.loads((ROOT / "docs" / "spec.schema.json").read_text())
    assert published == spec_schema(), "run: python -m solver.spec.schema > docs/spec.schema.json"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(spec_schema())


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_bundled_specs_validate(spec):
    _assert_valid(yaml.safe_load(spec.read_text()))


CONV = {"op": "conv2d", "input": [3, 8, 8], "kernel": 3, "filters": 4}
VALID_FORMS = {
    "padding same": _spec({**CONV, "padding": "same"}),
    "padding valid": _spec({**CONV, "padding": "valid"}),
    "padding formula": _spec({**CONV, "input": [3, "H", "W"], "padding": "P"}),
    "kernel as text": _spec({**CONV, "kernel": "3 x 2"}),
    "input as text": _spec({**CONV, "input": "3 x 8 x 8"}),
    "null stride and padding": _spec({**CONV, "stride": None, "padding": None}),
    "ask as one item": _spec(CONV, ask="params"),
    "one assumption as text": _spec({**CONV, "input": [3, "H", "W"]}, assumptions="H >= 3"),
    "network wrt_layer": {"id": "q", "parts": [{
        "id": "a", "layers": [CONV, {"op": "maxpool2d", "kernel": 2}], "of": "jacobian",
        "wrt": "weight", "wrt_layer": 1, "ask": ["shape"]}]},
    "seeded values and names": _spec({**CONV, "names": {"input": "u"}, "values": {"seed": 1}},
                                     ask=["numeric"]),
}


@pytest.mark.parametrize("spec", VALID_FORMS.values(), ids=VALID_FORMS.keys())
def test_each_accepted_form_validates(spec):
    _assert_valid(spec)


def _as_text(value):
    """A per-axis list written as the text '3 x 2'."""
    return " x ".join(map(str, value)) if isinstance(value, list) else value


@st.composite
def generated_specs(draw) -> dict:
    layer = dict(draw(st.sampled_from(OPS).flatmap(valid_layer)))
    for field in ("kernel", "stride", "dilation", "padding", "output_padding"):
        if field in layer and draw(st.booleans()):
            layer[field] = _as_text(layer[field])
    if draw(st.booleans()):
        layer["input"] = _as_text(layer["input"])
    part = {"id": draw(st.sampled_from(["a", 1])), "layer": layer,
            "ask": draw(st.sampled_from([["shape"], "shape", ["shape", "params"], ["summary"]]))}
    if draw(st.booleans()):
        part["points"] = draw(st.one_of(st.integers(0, 5), st.floats(0, 5, allow_nan=False)))
    if draw(st.booleans()):
        part["options"] = {"allow_squeeze": draw(st.booleans()), "rtol": 1e-3}
    spec = {"id": "q", "parts": [part]}
    if draw(st.booleans()):
        spec["indexing"] = draw(st.sampled_from([0, 1]))
    return spec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_specs())
def test_generated_valid_specs_validate(spec):
    _assert_valid(spec)


INVALID = {
    "unknown top field": {"id": "q", "titel": "x", "parts": [{"id": "a", "layer": CONV, "ask": ["shape"]}]},
    "no parts": {"id": "q", "parts": []},
    "unknown op": _spec({**CONV, "op": "conv4d"}),
    "unknown layer field": _spec({**CONV, "kernal": 3}),
    "ask inside the layer": _spec({**CONV, "ask": ["shape"]}),
    "padding mode not known": _spec({**CONV, "padding": ""}),
    "kernel a float list": _spec({**CONV, "kernel": [1.5, 2]}),
    "kernel empty list": _spec({**CONV, "kernel": []}),
    "bias not a bool": _spec({**CONV, "bias": "yes"}),
    "unknown ask": _spec(CONV, ask=["shapes"]),
    "empty ask": _spec(CONV, ask=[]),
    "unknown of": _spec(CONV, of="gradient"),
    "negative points": _spec(CONV, points=-1),
    "bad indexing": {"id": "q", "indexing": 2, "parts": [{"id": "a", "layer": CONV, "ask": ["shape"]}]},
    "wrt_layer zero": _spec(CONV, of="jacobian", wrt="weight", wrt_layer=0),
    "unknown option": _spec(CONV, options={"rtoll": 1}),
    "unknown role in names": _spec({**CONV, "names": {"weights": "V"}}),
    "part without id": {"id": "q", "parts": [{"layer": CONV, "ask": ["shape"]}]},
}


@pytest.mark.parametrize("spec", INVALID.values(), ids=INVALID.keys())
def test_invalid_specs_fail_the_schema_and_the_loader(spec):
    with pytest.raises(SpecError):
        problem_from_data(spec)
    assert list(VALIDATOR.iter_errors(spec)), "the schema accepts a spec the loader refuses"
