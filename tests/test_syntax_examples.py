"""Syntax examples shown to students (web page placeholders, checkers' 'write it like' hints) are
never an answer of a bundled problem: an example must not give a key away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checks import index_expression, numeric, shape
from grader.web import pages
from solver.key import build_key
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))
EXAMPLES = [*pages._EXAMPLES.values(), shape._ACCEPTED, index_expression._ACCEPTED, numeric._ACCEPTED]


def _answer_texts(key) -> set[str]:
    texts = set()
    for part_key in key.parts:
        for item, answer in part_key.answers:
            if item == "explanation":
                continue
            data = answer.to_data()
            for text in (json.dumps(data, separators=(", ", ": ")), json.dumps(data, separators=(",", ":")),
                         str(data)):
                texts.add(text)
            if isinstance(data, list) and all(isinstance(d, (int, str)) for d in data):
                texts |= {" x ".join(map(str, data)), "x".join(map(str, data))}
    return {t for t in texts if len(t) > 2}      # '1' or '4' occur in any sentence


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_no_syntax_example_is_a_key_answer(spec):
    texts = _answer_texts(build_key(load_problem(spec)))
    leaks = [(text, example) for example in EXAMPLES for text in texts if text in example]
    assert leaks == []


def test_the_examples_used_to_leak_the_seed_and_are_checked():
    # the old placeholders: the seed's (a) answer and conv_numeric's (a.i) numbers
    seed = _answer_texts(build_key(load_problem(ROOT / "problems" / "cnn" / "q1_1.yaml")))
    numbers = _answer_texts(build_key(load_problem(ROOT / "problems" / "cnn" / "conv_numeric.yaml")))
    assert any(text in "e.g. 4 x 5, (4, 5) or R^{4x5}" for text in seed)
    assert any(text in "e.g. [[17, 23]]" for text in numbers)
