"""The independently labelled corpus of answers to a general conv1d layer (symbolic sizes).

tests/data/symbolic_conv_corpus.yaml was written and labelled by hand without reading the
solver or the grader, and its labels are confirmed against PyTorch by
tests/data/symbolic_conv_corpus_oracle.py (each answer's formula written in Python, compared
with conv1d, autograd Jacobians and backward at 40 valid size assignments). Here every answer
is graded against the key of problems/cnn/conv_general_index.yaml, which asks the same parts.
"""

from __future__ import annotations

import runpy
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "cnn" / "conv_general_index.yaml"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = yaml.safe_load((DATA / "symbolic_conv_corpus.yaml").read_text(encoding="utf-8"))
#: The corpus's part names -> the spec's part ids (same questions, read off the spec's prompts).
PART_IDS = {"out": "a.i", "jac_w": "a.ii", "jac_x": "a.iii", "jac_b": "a.iv",
            "grad_w": "a.v", "grad_x": "a.vi", "grad_b": "a.vii"}


@pytest.fixture(scope="module")
def graded():
    """{entry id: (verdict, feedback)} for every corpus entry, each in its own submission."""
    from grader.grading import Grader
    from grader.submission import submission_from_data
    from solver.key import build_key
    from solver.spec.loading import load_problem

    key = build_key(load_problem(SPEC))
    found = {}
    with Grader(key) as grader:
        for entry in CORPUS:
            part = PART_IDS[entry["part"]]
            result = grader.grade(submission_from_data(
                {"problem": key.problem.id, "answers": {part: {"value": entry["answer"]}}}))
            answer = next(a for p in result.parts if p.id == part for a in p.answers)
            found[entry["id"]] = (answer.verdict, answer.feedback)
    return found


def test_the_corpus_covers_every_part_with_both_labels():
    counts = Counter((entry["part"], entry["label"]) for entry in CORPUS)
    for part in PART_IDS:
        assert counts[(part, "correct")] >= 5 and counts[(part, "incorrect")] >= 5, part
    assert len(CORPUS) >= 150


def test_every_corpus_answer_gets_its_label(graded):
    wrong = [f"{entry['id']} ({entry['why']}): labelled {entry['label']}, graded {graded[entry['id']][0]}: "
             f"{graded[entry['id']][1]}\n    {entry['answer']}"
             for entry in CORPUS if graded[entry["id"]][0] != entry["label"]]
    assert not wrong, f"{len(wrong)} of {len(CORPUS)} entries:\n" + "\n".join(wrong)


#: The second corpus (general conv_transpose1d and avgpool1d answers) -> the bundled parts
#: (problems/transposed/conv_transpose.yaml d, problems/pooling/average_pool_divisors.yaml d).
SECOND = yaml.safe_load((DATA / "symbolic_transpose_pool_corpus.yaml").read_text(encoding="utf-8"))
SECOND_PARTS = {"t_out": ("transposed/conv_transpose.yaml", "d.i"),
                "t_grad_x": ("transposed/conv_transpose.yaml", "d.ii"),
                "p_out": ("pooling/average_pool_divisors.yaml", "d.i"),
                "p_grad_x": ("pooling/average_pool_divisors.yaml", "d.ii"),
                "p_out_excl": ("pooling/average_pool_divisors.yaml", "d.iii")}


def test_every_answer_of_the_second_corpus_gets_its_label():
    from grader.grading import Grader
    from grader.submission import submission_from_data
    from solver.key import build_key
    from solver.spec.loading import load_problem

    wrong = []
    for spec in sorted({spec for spec, _ in SECOND_PARTS.values()}):
        key = build_key(load_problem(ROOT / "problems" / spec))
        with Grader(key) as grader:
            for entry in SECOND:
                entry_spec, part = SECOND_PARTS[entry["part"]]
                if entry_spec != spec:
                    continue
                result = grader.grade(submission_from_data(
                    {"problem": key.problem.id, "answers": {part: {"value": entry["answer"]}}}))
                answer = next(a for p in result.parts if p.id == part for a in p.answers)
                if answer.verdict != entry["label"]:
                    wrong.append(f"{entry['id']} ({entry['why']}): labelled {entry['label']}, graded "
                                 f"{answer.verdict}: {answer.feedback}\n    {entry['answer']}")
    assert len(SECOND) >= 100
    assert not wrong, f"{len(wrong)} of {len(SECOND)} entries:\n" + "\n".join(wrong)


def test_the_second_corpus_labels_still_agree_with_torch():
    oracle = runpy.run_path(str(DATA / "symbolic_transpose_pool_corpus_oracle.py"), run_name="corpus_oracle")
    assert oracle["main"]() == 0


def test_the_labels_still_agree_with_torch():
    # The corpus's own oracle asserts every label against PyTorch; it imports nothing of ours.
    oracle = runpy.run_path(str(DATA / "symbolic_conv_corpus_oracle.py"), run_name="corpus_oracle")
    assert oracle["main"]() == 0
