"""Every answer key in problems/ graded against itself gets every automatic point."""

from pathlib import Path

import pytest

from grader.grading import Grader
from grader.results import CORRECT, MANUAL
from grader.submission import submission_from_data
from solver.key import build_key
from solver.spec.loading import load_problem

SPECS = sorted((Path(__file__).resolve().parents[1] / "problems").rglob("*.yaml"))


def test_there_are_specs():
    assert len(SPECS) >= 3


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_key_graded_against_itself_gets_full_marks(spec):
    key = build_key(load_problem(spec))
    data = key.to_data()
    submission = submission_from_data({
        "problem": data["problem"],
        "answers": {part["id"]: part["answers"] for part in data["parts"]}})
    with Grader(key) as grader:
        result = grader.grade(submission)
    assert result.error is None and result.notes == ()
    for part in result.parts:
        for answer in part.answers:
            assert answer.verdict in (CORRECT, MANUAL), (part.id, answer.item, answer.feedback)
    assert result.score + result.pending_manual == pytest.approx(result.max_score)
