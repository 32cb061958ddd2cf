"""A JSON Schema of the spec format, built from the registries so it never drifts.

``python -m solver.spec.schema > docs/spec.schema.json`` regenerates the
published file (a test checks that it is up to date).
"""

from __future__ import annotations

import json

from solver.layers import TensorNames
from solver.ops import OPS
from solver.spec.model import OF_CHOICES, VISIBILITIES, WRT_CHOICES

# anyOf, not oneOf: a string such as "same" is both a size formula and a padding mode.
_SIZE = {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 1}],
         "description": "an integer, or a symbol/formula such as K or 2*P"}
_PER_AXIS = {"anyOf": [_SIZE, {"type": "array", "items": _SIZE, "minItems": 1, "maxItems": 3}],
             "description": "one size for all axes, a list [3, 2] or text such as '3 x 2'"}


def _or_null(schema: dict) -> dict:
    """``schema`` or null: the loader reads a null optional field as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def spec_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a problem spec, as a dict."""
    from solver.questions import QUESTIONS

    layer = {
        "type": "object",
        "required": ["op", "kernel"],
        "additionalProperties": False,
        "properties": {
            "op": {"enum": list(OPS)},
            "input": {"anyOf": [{"type": "array", "items": _SIZE, "minItems": 1, "maxItems": 5},
                                {"type": "string", "minLength": 1}]},
            "kernel": _PER_AXIS, "stride": _or_null(_PER_AXIS), "dilation": _or_null(_PER_AXIS),
            "output_padding": _or_null(_PER_AXIS),
            "padding": _or_null({"anyOf": [{"enum": ["same", "valid"]}, _PER_AXIS]}),
            "filters": _or_null(_SIZE), "groups": _SIZE,
            "bias": {"type": "boolean"}, "ceil_mode": {"type": "boolean"},
            "names": _or_null({"type": "object", "additionalProperties": False, "properties": {
                role: {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
                for role in TensorNames.__dataclass_fields__}}),
            "values": _or_null({"type": "object",
                                "description": "tensor name -> nested lists, or seed/low/high"}),
        },
    }
    options = {"type": "object", "additionalProperties": False, "properties": {
        "allow_squeeze": {"type": "boolean"}, "rtol": {"type": "number", "minimum": 0},
        "atol": {"type": "number", "minimum": 0},
        "weights": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "visibility": {"enum": list(VISIBILITIES)}}}
    part = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": ["string", "integer"]},
            "points": {"type": "number", "minimum": 0},
            "prompt": {"type": "string"},
            "layer": {"$ref": "#/$defs/layer"},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}, "minItems": 1},
            "ask": {"anyOf": [{"enum": list(QUESTIONS)},
                              {"type": "array", "items": {"enum": list(QUESTIONS)}, "minItems": 1}]},
            "of": {"enum": list(OF_CHOICES)},
            "wrt": {"enum": list(WRT_CHOICES)},
            "wrt_layer": {"type": "integer", "minimum": 1,
                          "description": "which layer's weight or bias wrt means, counted from 1"},
            "assumptions": {"anyOf": [{"type": "string"},
                                      {"type": "array", "items": {"type": "string"}}]},
            "reference": {"type": "string"},
            "options": {"$ref": "#/$defs/options"},
            "indexing": {"enum": [0, 1]},
            "parts": {"type": "array", "items": {"$ref": "#/$defs/part"}, "minItems": 1},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "CNN homework problem spec",
        "type": "object",
        "required": ["id", "parts"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": ["string", "number"]},
            "title": {"type": "string"},
            "version": {"type": ["string", "number"]},
            "intro": {"type": "string"},
            "indexing": {"enum": [0, 1]},
            "options": {"$ref": "#/$defs/options"},
            "parts": {"type": "array", "items": {"$ref": "#/$defs/part"}, "minItems": 1},
        },
        "$defs": {"layer": layer, "part": part, "options": options},
    }


if __name__ == "__main__":
    print(json.dumps(spec_schema(), indent=2))
