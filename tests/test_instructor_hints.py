"""Instructor hints (matched by equivalence, before named mistakes, shown at hint and full only)
and question tests (python -m solver --check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader
from grader.submission import Submission
from solver.cli import main as solver_main
from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import load_problem_text

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))

SPEC = """
id: h
parts:
  - id: a
    layer: {op: conv2d, input: [10, 11], kernel: 3, stride: 2}
    ask: [shape]
    hints:
      - {answer: 4 x 4, feedback: "Not square: do each axis."}
      - {answer: "[3, 4]", feedback: "Count the first window too."}
  - id: c
    layer: {op: conv1d, input: [2, 5], kernel: 3, stride: 2, filters: 1, bias: false}
    of: loss_gradient
    wrt: weight
    ask: [shape, value]
    hints:
      - item: value
        answer: "dl/dW[1,u,v] = sum_{d=1}^{2} sum_{t=1}^{2} g[1,t] x[d, 2(t-1)+v]"
        feedback: "No sum over the channels here."
"""


def _grade(spec_text, answers, level):
    key = build_key(load_problem_text(spec_text))
    with Grader(key, feedback=level) as grader:
        result = grader.grade(Submission("s", key.problem.id, None, None, answers))
    return {p.id: {a.item: a for a in p.answers} for p in result.parts}


@pytest.mark.parametrize("level, shown", [("verdict", False), ("hint", True), ("full", True)])
def test_a_hint_shows_from_hint_up_for_an_equivalent_answer(level, shown):
    # "(4, 4)" is written differently from the hint's "4 x 4" but reads the same.
    found = _grade(SPEC, {"a": "(4, 4)"}, level)["a"]["shape"]
    assert found.verdict == "incorrect"
    assert ("Not square: do each axis" in found.feedback) is shown
    assert found.mistake is None


def test_the_hint_comes_before_the_derived_mistake():
    # 3 x 4 is also the catalogue's "forgot the +1"; the instructor's text wins.
    found = _grade(SPEC, {"a": "3 x 4"}, "hint")["a"]["shape"]
    assert found.feedback.startswith("Count the first window too")
    assert "looks like" not in found.feedback and found.mistake is None
    other = _grade(SPEC, {"a": "8 x 9"}, "hint")["a"]["shape"]      # stride ignored: no hint written
    assert other.mistake == "stride ignored"


def test_an_index_expression_hint_matches_in_other_index_names_and_not_the_key():
    hinted = "dl/dW[1,c,k] = sum_{e=1}^{2} sum_{j=1}^{2} g[1,j] x[e, 2(j-1)+k]"
    found = _grade(SPEC, {"c": {"value": hinted}}, "hint")["c"]["value"]
    assert found.verdict == "incorrect" and found.feedback.startswith("No sum over the channels here")
    right = _grade(SPEC, {"c": {"value": "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c, 2(j-1)+k]"}}, "full")["c"]["value"]
    assert right.verdict == "correct" and right.feedback == ""


def test_check_passes_for_every_bundled_spec(capsys):
    for spec in SPECS:
        assert solver_main(["--check", str(spec)]) == 0, capsys.readouterr().err


def test_the_test_verdicts_are_the_graders():
    from grader.results import VERDICTS
    from solver.spec.model import TEST_VERDICTS
    assert TEST_VERDICTS == VERDICTS


def test_check_of_the_seed_counts_its_tests(capsys):
    assert solver_main(["--check", str(ROOT / "problems/cnn/q1_1.yaml")]) == 0
    assert capsys.readouterr().out == "q1.1: 17 question tests, 2 hints: all pass\n"


def test_check_fails_naming_the_part_and_the_answer(tmp_path, capsys):
    spec = tmp_path / "wrong.yaml"
    spec.write_text(SPEC + """    tests:
      - {answer: {shape: 1 x 2 x 3, value: "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c, 2(j-1)+k]"}, verdict: correct}
      - {item: shape, answer: 1 x 2, verdict: correct}
  - id: d
    layer: {op: conv2d, input: [10, 11], kernel: 3, stride: 2}
    ask: [shape]
    hints: [{answer: 4 x 5, feedback: "never shown"}]
""")
    assert solver_main(["--check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "h c: test 2 (shape) (answer '1 x 2'): expected correct, got incorrect" in err
    assert "test 1" not in err
    assert "h d: hint 1 (answer '4 x 5'): its answer is the key's own (correct) answer" in err
    assert err.strip().endswith("2 failed")


@pytest.mark.parametrize("fragment, field, words", [
    ("hints: {answer: 4}", "hints", "expected a list"),
    ("hints: [{answer: 4 x 4}]", "hints[0].feedback", "missing or empty"),
    ("hints: [{answer: 4 x 4, feedback: x, item: value}]", "hints[0].item", "this part asks shape"),
    ("tests: [{answer: 4 x 5, verdict: right}]", "tests[0].verdict", "expected one of correct"),
    ("tests: [{verdict: correct}]", "tests[0].answer", "missing"),
    ("tests: [{answer: 1, verdict: correct, points: 2}]", "tests[0].points", "unknown field"),
])
def test_bad_hints_and_tests_name_file_part_and_field(fragment, field, words):
    text = f"""
id: bad
parts:
  - id: a
    layer: {{op: conv2d, input: [10, 11], kernel: 3, stride: 2}}
    ask: [shape]
    {fragment}
"""
    with pytest.raises(SpecError) as error:
        load_problem_text(text, source="bad.yaml")
    message = str(error.value)
    assert "bad.yaml" in message and "part a" in message and field in message and words in message
