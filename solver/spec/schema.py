"""A JSON Schema of the spec format, built from the registries so it never drifts.

``python -m solver.spec.schema > docs/spec.schema.json`` regenerates the
published file (a test checks that it is up to date).
"""

from __future__ import annotations

import json

from solver.layers import TensorNames
from solver.ops import OPS
from solver.spec.model import FEEDBACK_LEVELS, OF_CHOICES, TEST_VERDICTS, VISIBILITIES, WRT_CHOICES

# Declared freedom (solver/spec/variants.py): a choice, a range, or the YAML form {K} of a reference.
_VALUE = {"type": ["integer", "number", "string", "boolean", "array", "null"]}
_CHOICE = {"type": "object", "additionalProperties": False,
           "properties": {"choose": {"type": "array", "items": _VALUE, "minItems": 1},
                          "range": {"type": "array", "items": {"type": "integer"},
                                    "minItems": 2, "maxItems": 2},
                          "step": {"type": "integer", "minimum": 1},
                          "name": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
                          "base": _VALUE},
           "anyOf": [{"required": ["choose"]}, {"required": ["range"]}],
           "description": "a declared choice: {choose: [...]} or {range: [lo, hi], step}, "
                          "optionally named and with a base value"}
_REFERENCE = {"type": "object", "minProperties": 1, "maxProperties": 1,
              "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
              "additionalProperties": {"type": "null"},
              "description": "{K} in YAML: the value of the declared name K"}
_FREE = [{"$ref": "#/$defs/choice"}, {"$ref": "#/$defs/reference"}]
# anyOf, not oneOf: a string such as "same" is both a size formula and a padding mode.
_SIZE = {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 1}, *_FREE],
         "description": "an integer, or a symbol/formula such as K or 2*P, or a declared choice"}
_PER_AXIS = {"anyOf": [_SIZE, {"type": "array", "items": _SIZE, "minItems": 1, "maxItems": 3}],
             "description": "one size for all axes, a list [3, 2] or text such as '3 x 2'"}

_FEEDBACK = {"enum": list(FEEDBACK_LEVELS),
             "description": "the most a grading report shows: verdict, hint or full (inherited)"}


def _or_null(schema: dict) -> dict:
    """``schema`` or null: the loader reads a null optional field as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def spec_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a problem spec, as a dict."""
    from solver.questions import QUESTIONS

    layer = {
        "type": "object",
        "required": ["op"],
        "additionalProperties": False,
        "properties": {
            "op": {"enum": list(OPS)},
            "input": {"anyOf": [{"type": "array", "items": _SIZE, "minItems": 1, "maxItems": 5},
                                {"type": "string", "minLength": 1}]},
            "kernel": _PER_AXIS, "stride": _or_null(_PER_AXIS), "dilation": _or_null(_PER_AXIS),
            "output_padding": _or_null(_PER_AXIS),
            "padding": _or_null({"anyOf": [{"enum": ["same", "valid"]}, _PER_AXIS]}),
            "filters": _or_null(_SIZE), "groups": _SIZE,
            "bias": {"anyOf": [{"type": "boolean"}, *_FREE]},
            "ceil_mode": {"anyOf": [{"type": "boolean"}, *_FREE]},
            "count_include_pad": {"type": "boolean"}, "divisor_override": _or_null(_SIZE),
            "features": _SIZE, "affine": {"type": "boolean"},
            "p": {"type": "number", "minimum": 0, "maximum": 1},
            "output_size": _PER_AXIS, "scale_factor": _PER_AXIS, "mode": {"enum": ["nearest", "train", "eval"],
                     "description": "upsample: nearest; batchnorm: train (batch statistics) or "
                                    "eval (running statistics), needed for numbers"},
            "eps": {"type": "number", "exclusiveMinimum": 0,
                    "description": "batchnorm: added to the variance (default 1e-5)"},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}, "minItems": 1,
                       "description": "the inner layers of a residual block"},
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
            "wrt_layer": {"anyOf": [{"type": "integer", "minimum": 1},
                                    {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5}))*$"}],
                          "description": "which layer's weight or bias wrt means, counted from 1 as in "
                          "the summary table; a layer inside a residual block by its dotted number as "
                          "text: \"3.2\" is the second inner layer of block 3 (\"3.2.1\" nested)"},
            "assumptions": {"anyOf": [{"type": "string"},
                                      {"type": "array", "items": {"type": "string"}}]},
            "reference": {"type": "string"},
            "options": {"$ref": "#/$defs/options"},
            "indexing": {"enum": [0, 1]},
            "parts": {"type": "array", "items": {"$ref": "#/$defs/part"}, "minItems": 1},
            "feedback": _FEEDBACK,
            "hints": {"type": "array", "description": "instructor messages for anticipated answers, "
                      "matched by the grader's check, shown at hint and full", "items": {
                          "type": "object", "required": ["answer", "feedback"], "additionalProperties": False,
                          "properties": {"answer": {}, "feedback": {"type": "string", "minLength": 1},
                                         "item": {"enum": list(QUESTIONS)}}}},
            "tests": {"type": "array", "description": "verdicts python -m solver --check expects", "items": {
                "type": "object", "required": ["answer", "verdict"], "additionalProperties": False,
                "properties": {"answer": {}, "verdict": {"enum": list(TEST_VERDICTS)},
                               "item": {"enum": list(QUESTIONS)}}}},
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
            "feedback": _FEEDBACK,
            "constraints": {"anyOf": [{"type": "string"},
                                      {"type": "array", "items": {"type": "string"}}],
                            "description": "relations between declared names, e.g. K <= H"},
            "variants": {"type": "object", "additionalProperties": False, "properties": {
                "seed": {"type": "integer", "minimum": 0},
                "diversity": {"type": "integer", "minimum": 1}}},
        },
        "$defs": {"layer": layer, "part": part, "options": options, "choice": _CHOICE,
                  "reference": _REFERENCE},
    }


if __name__ == "__main__":
    print(json.dumps(spec_schema(), indent=2))
