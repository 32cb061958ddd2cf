"""Feedback and spec messages that say what is wrong in the spec's or the student's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader
from grader.submission import Submission
from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import load_problem, problem_from_data

ROOT = Path(__file__).resolve().parents[1]


def _feedback(spec: str, part_id: str, value: str) -> tuple[str, str]:
    key = build_key(load_problem(ROOT / "problems" / "cnn" / spec))
    submission = Submission(path="s.yaml", problem=key.problem.id, student=None, indexing=None,
                            answers={part_id: {"value": value}})
    with Grader(key) as grader:
        result = grader.grade(submission)
    answer = next(a for p in result.parts if p.id == part_id for a in p.answers if a.item == "value")
    return answer.verdict, answer.feedback


def test_unknown_tensor_lists_only_the_parts_tensors():
    # seed c.i is the output of a conv without bias: its tensors are x and W; g is not one of them
    verdict, feedback = _feedback("q1_1.yaml", "c.i", "f[1,j] = h[1,j]")
    assert verdict == "incorrect"
    assert set(feedback.split("its tensors are ")[1].split(", ")) == {"x", "W"}, feedback


def test_a_loss_gradient_part_still_has_g():
    verdict, feedback = _feedback("q1_1.yaml", "c.iv", "dl/dW[1,c,k] = h[1,k]")
    assert verdict == "incorrect", feedback
    assert set(feedback.split("its tensors are ")[1].split(", ")) == {"x", "W", "g"}, feedback


def test_a_missing_brace_in_a_subscript_gets_a_hint():
    # conv_numeric b.i: f[o, i, j] = b[o] + ...; b_o is a single name, b_{o} the entry
    verdict, feedback = _feedback("conv_numeric.yaml", "b.i",
                                  "f[o,i,j] = b_o + sum_{u=1}^{3} sum_{v=1}^{3} W[o,1,u,v] x[1,i,j]")
    assert verdict == "incorrect"
    assert "uses b_o, which is neither an index" in feedback
    assert "for an entry of b write b_{o} or b[o]" in feedback


def test_no_hint_for_a_free_name_that_is_no_tensor():
    verdict, feedback = _feedback("q1_1.yaml", "c.i", "f[1,j] = W[1,1,1] * q_j")
    assert verdict == "incorrect" and "uses q_j" in feedback and "entry of" not in feedback


@pytest.mark.parametrize("layer, field, message", [
    ({"op": "maxpool1d", "input": [5], "kernel": 2, "padding": 2}, "layer.padding",
     "padding 2 is more than half the kernel 2; pooling padding must be at most half"),
    ({"op": "maxpool2d", "input": [5, 5], "kernel": [4, 3], "padding": [2, 2]}, "layer.padding",
     "padding 2 is more than half the kernel 3"),
    ({"op": "conv1d", "input": [2], "kernel": 3, "dilation": 2}, "layer.kernel",
     "the dilated kernel 5 is longer than the padded input 2"),          # 2*(3-1)+1 = 5
    ({"op": "conv1d", "input": [3, 8], "kernel": 3, "filters": 4, "groups": 2}, "layer.groups",
     "groups 2 does not divide the 3 input channels"),
    ({"op": "conv_transpose1d", "input": [4], "kernel": 3, "stride": 2, "output_padding": 2},
     "layer.output_padding", "output_padding 2 is not smaller than the stride 2 or the dilation 1"),
])
def test_impossible_layers_say_what_is_wrong_with_names(layer, field, message):
    with pytest.raises(SpecError) as raised:
        problem_from_data({"id": "q", "parts": [{"id": "a", "layer": layer, "ask": ["shape"]}]},
                          source="s.yaml")
    text = str(raised.value)
    assert text.startswith(f"s.yaml: part a, {field}: ") and message in text, text
    assert "is false" not in text


@pytest.mark.parametrize("spec, where", [
    ({"id": "q", "colour": 1, "parts": [{"id": "a", "ask": ["shape"]}]}, "colour: unknown field in the problem;"),
    ({"id": "q", "parts": [{"id": "a", "colour": 1}]}, "part a, colour: unknown field in a part;"),
    ({"id": "q", "options": {"rtoll": 1}, "parts": [{"id": "a"}]}, "options.rtoll: unknown field in options;"),
])
def test_unknown_fields_are_named_in_plain_words(spec, where):
    with pytest.raises(SpecError) as raised:
        problem_from_data(spec, source="s.yaml")
    assert str(raised.value).startswith(f"s.yaml: {where}"), str(raised.value)
