"""Feedback levels: at verdict and hint nothing of the key leaks; the spec caps what a report shows.

Over every bundled spec, every machine-made mutant of every shape, index and
count answer (grader.mutations) is checked as a student's answer and its
feedback rendered at each level. At ``verdict`` and ``hint`` it must not
contain the key's answer, the key's value at the counterexample shown (worked
out here with sympy from the key's own formula) or the instructor's reference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy

from grader.checks import CHECKERS, prepare_key, run_check
from grader.checks.context import CheckContext
from grader.feedback.levels import effective_level, shown_feedback, shown_reference
from grader.grading import Grader
from grader.mutations import answer_mutants
from grader.results import INCORRECT
from grader.submission import Submission
from solver.answers import CountAnswer, IndexAnswer, ShapeAnswer
from solver.errors import SpecError
from solver.key import build_key
from solver.notation import equation_to_text, shape_to_text, to_text
from solver.spec.loading import load_problem, problem_from_data

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))
#: What feedback says about the student's own answer (which may contain the key as a substring).
_STUDENTS_OWN = re.compile(r"with ([\w]+=-?\d+(, )?)+|it gives [^;]+|axis \d+ of \d+|shape [^;]* has \d+ axes"
                           r"|there yours is [^;]*|it uses [^;]*")


def _printed(answer, value) -> str:
    if isinstance(answer, ShapeAnswer):
        return shape_to_text(value)
    if isinstance(answer, IndexAnswer):
        return equation_to_text(value)
    return to_text(value)


def _key_texts(part_key) -> list[str]:
    texts = []
    for item, answer in part_key.answers:
        if isinstance(answer, ShapeAnswer):
            # a text of a few characters (a one-axis shape '1') occurs in any sentence: as for the
            # entries and counts, only longer texts can be looked for
            whole = shape_to_text(answer.trees)
            texts += [whole] if len(whole) > 3 else []
            texts += [to_text(t) for t in answer.trees if len(to_text(t)) > 3]
        elif isinstance(answer, IndexAnswer):
            texts += [equation_to_text(answer.tree), to_text(answer.tree.rhs)]
        elif isinstance(answer, CountAnswer) and len(str(answer.to_data())) > 2:
            texts.append(str(answer.to_data()))
    if part_key.part.reference:
        texts.append(part_key.part.reference.strip()[:40])
    return texts


def _expected_at_point(answer, feedback: str):
    """The key's value at the counterexample the feedback shows, by sympy substitution."""
    found = re.search(r"(?:axis (\d+) of \d+ is wrong: )?with ((?:\w+=-?\d+(?:, )?)+) it gives", feedback)
    if not found:
        return None
    point = {sympy.Symbol(k): int(v) for k, v in (pair.split("=") for pair in found.group(2).split(", "))}
    formula = answer.shape[int(found.group(1)) - 1] if found.group(1) else answer.value
    return sympy.sympify(formula).subs(point)


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_no_key_answer_value_or_reference_below_full(spec):
    key = build_key(load_problem(spec))
    prepare_key(key)
    context = CheckContext(indexing=key.problem.indexing)
    checked = 0
    for part_key in key.parts:
        secrets = _key_texts(part_key)
        for item, answer in part_key.answers:
            for mutant in answer_mutants(answer)[:60]:
                check = run_check(part_key, item, _printed(answer, mutant.value), context)
                if check.verdict != INCORRECT:
                    continue
                checked += 1
                full = shown_feedback(check, "full")
                for level in ("verdict", "hint"):
                    text = shown_feedback(check, level)
                    assert shown_reference(check, level) is None
                    rest = _STUDENTS_OWN.sub("", text)
                    for secret in secrets:
                        assert secret not in rest, (part_key.id, item, level, secret, text)
                    assert "the answer is" not in text and "correct one there is" not in text
                    expected = _expected_at_point(answer, full) if item in ("shape", "params") else None
                    if expected is not None:
                        assert not re.search(rf"(?<![\w.]){re.escape(str(expected))}(?![\w.])", rest), (
                            part_key.id, expected, text)
                if check.reveal:
                    assert check.reveal in full
    assert checked > 50


def test_verdict_says_right_or_wrong_only():
    key = build_key(load_problem(ROOT / "problems" / "cnn" / "q1_1.yaml"))
    answers = {"a": "3 x 4", "c.iv": {"shape": "1 x 2 x 3", "explanation": "both correlate"}}
    with Grader(key, feedback="verdict") as grader:
        result = grader.grade(Submission("s.yaml", "q1.1", None, None, answers))
    parts = {p.id: p for p in result.parts}
    [a] = parts["a"].answers
    assert a.verdict == "incorrect" and a.feedback == "" and a.mistake is None
    assert all(answer.reference is None for answer in parts["c.iv"].answers)
    with Grader(key, feedback="full") as grader:
        result = grader.grade(Submission("s.yaml", "q1.1", None, None, answers))
    explanation = next(a for p in result.parts if p.id == "c.iv" for a in p.answers if a.item == "explanation")
    assert explanation.reference.startswith("Both are cross-correlations")


def _spec(feedback_problem=None, feedback_part=None) -> dict:
    part = {"id": "a", "layer": {"op": "conv1d", "input": [9], "kernel": 3}, "ask": ["shape"]}
    if feedback_part:
        part["feedback"] = feedback_part
    spec = {"id": "q", "parts": [part]}
    if feedback_problem:
        spec["feedback"] = feedback_problem
    return spec


def test_the_spec_level_caps_the_report():
    # conv1d of 9 with kernel 3: 7; "6" is the kernel not subtracted... no: 9 - 3 = 6 is the forgotten +1
    for spec, asked, shown in ((_spec("verdict"), "full", ""), (_spec(None, "hint"), "full", "looks like"),
                               (_spec("verdict", "full"), "full", "there the answer is 7")):
        key = build_key(problem_from_data(spec))
        with Grader(key, feedback=asked) as grader:
            [part] = grader.grade(Submission("s.yaml", "q", None, None, {"a": "6"})).parts
        [answer] = part.answers
        assert answer.verdict == "incorrect"
        assert (shown in answer.feedback) if shown else answer.feedback == "", answer
    assert effective_level("hint", None) == "hint" and effective_level("full", "hint") == "hint"
    assert effective_level("verdict", "full") == "verdict"


def test_a_bad_feedback_level_names_file_part_and_field():
    with pytest.raises(SpecError) as raised:
        problem_from_data(_spec(None, "everything"), source="s.yaml")
    assert str(raised.value).startswith("s.yaml: part a, feedback: unknown value 'everything'; accepted: "
                                        "verdict, hint, full"), str(raised.value)
    with pytest.raises(SpecError) as raised:
        problem_from_data(_spec("all"), source="s.yaml")
    assert str(raised.value).startswith("s.yaml: feedback: unknown value 'all'"), str(raised.value)


def test_every_checker_that_names_mistakes_echoes_the_reading():
    assert all((c.matches is None) == (c.echo is None) for c in CHECKERS.values())
    key = build_key(load_problem(ROOT / "problems" / "cnn" / "q1_1.yaml"))
    with Grader(key, feedback="verdict") as grader:
        result = grader.grade(Submission("s.yaml", "q1.1", None, None, {"a": "4×5", "b": "CK^2"}))
    parts = {p.id: p.answers[0] for p in result.parts}
    assert parts["a"].read_as == "4 x 5" and parts["a"].verdict == "correct"
    assert parts["b"].read_as == "(C*K^2,)"     # one axis        # CK^2 read as C·K², shown before wondering why it is wrong
