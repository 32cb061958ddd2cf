"""The labelled corpus of answers to the seed problem, graded one answer per submission.

Every expected verdict in tests/data/seed_corpus.yaml was worked out by hand
from the grading rules of the issue (see the header of that file), never by
running the grader. Part-level verdicts (``partial`` among them) and scores
are checked below on submissions with several items, also by hand.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "seed_corpus.yaml"

VERDICT_KINDS = ("correct", "partial", "incorrect", "unparseable", "missing", "manual")
ITEM_VERDICTS = ("correct", "incorrect", "unparseable", "missing", "manual")
ENTRY_FIELDS = {"part", "item", "answer", "verdict", "why", "indexing"}
#: Hand-derived from the seed spec: parts in spec order, their points and asked items.
SEED_PARTS = {"a": (1, ("shape",)), "b": (1, ("shape",)),
              "c.i": (1, ("shape", "value")), "c.ii": (1, ("shape", "value")),
              "c.iii": (1, ("shape", "value")), "c.iv": (1.5, ("shape", "value", "explanation"))}


def _load_corpus() -> list[dict]:
    with open(CORPUS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["entries"]


CORPUS = _load_corpus()


def _entry_id(number: int, entry: dict) -> str:
    base = f"-idx{entry['indexing']}" if "indexing" in entry else ""
    return f"{number:03d}-{entry['part']}-{entry['item']}-{entry['verdict']}{base}"


@pytest.fixture(scope="module")
def seed_key():
    from solver.key import build_key
    from solver.spec.loading import load_problem
    return build_key(load_problem(SEED))


@pytest.fixture(scope="module")
def grader(seed_key):
    from grader.grading import Grader
    instance = Grader(seed_key)
    yield instance
    instance.close()


def _submit(answers: dict, indexing: int | None = None):
    from grader.submission import submission_from_data
    return submission_from_data({"problem": "q1.1", "answers": answers, "indexing": indexing})


def _part(result, part_id: str):
    [part] = [p for p in result.parts if p.id == part_id]
    return part


def _item(result, part_id: str, item: str):
    [answer] = [a for a in _part(result, part_id).answers if a.item == item]
    return answer


# --- the corpus itself ----------------------------------------------------------------------

def test_corpus_is_large_and_covers_every_item_verdict():
    assert len(CORPUS) >= 150
    counts = Counter(entry["verdict"] for entry in CORPUS)
    assert set(counts) == set(ITEM_VERDICTS), counts
    # partial is a part-level verdict: it comes from the part tests below
    assert set(ITEM_VERDICTS) | {p["verdict"] for p in PART_CASES} == set(VERDICT_KINDS)


def test_corpus_entries_are_well_formed():
    for number, entry in enumerate(CORPUS):
        where = f"entry {number}: {entry}"
        assert set(entry) <= ENTRY_FIELDS, where
        assert {"part", "item", "verdict", "why"} <= set(entry), where
        assert entry["part"] in SEED_PARTS and entry["item"] in SEED_PARTS[entry["part"]][1], where
        assert entry["verdict"] in ITEM_VERDICTS and str(entry["why"]).strip(), where
        assert entry.get("indexing", 0) in (0, 1), where


def test_corpus_has_no_duplicate_cases():
    seen = Counter((e["part"], e["item"], repr(e.get("answer", "<absent>")), e.get("indexing"))
                   for e in CORPUS)
    assert [case for case, n in seen.items() if n > 1] == []


def test_seed_key_has_the_hand_derived_parts(seed_key):
    found = {pk.id: (pk.part.points, tuple(pk.part.ask)) for pk in seed_key.parts}
    assert found == SEED_PARTS
    assert [pk.id for pk in seed_key.parts] == list(SEED_PARTS)


@pytest.mark.parametrize("entry", CORPUS, ids=[_entry_id(n, e) for n, e in enumerate(CORPUS)])
def test_corpus_answer_gets_its_verdict(grader, entry):
    part, item = entry["part"], entry["item"]
    answers = {part: {item: entry["answer"]}} if "answer" in entry else {}
    result = grader.grade(_submit(answers, entry.get("indexing")))
    assert result.error is None, result.error
    graded = _item(result, part, item)
    assert graded.verdict == entry["verdict"], (
        f"{part} {item} answer {entry.get('answer', '<absent>')!r} "
        f"(indexing {entry.get('indexing', 'not declared')}): expected {entry['verdict']} "
        f"because {entry['why']}; got {graded.verdict} with feedback {graded.feedback!r}")
    if entry["verdict"] == "correct":
        assert graded.score == pytest.approx(graded.max_score) and graded.score > 0
    else:
        assert graded.score == 0


# --- part-level verdicts and scores (by hand: c.i..c.iii 1 point, 0.5 per item; c.iv 1.5, 0.5 each)

KEY_I = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k]"
KEY_II = "df[1,j]/dW[1,c,k] = x[c,2(j-1)+k]"
KEY_III = "df[1,j]/dx[c,l] = W[1,c,l-2(j-1)]"
KEY_IV = "dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,2(j-1)+k]"
EXPLANATION = "Both correlate x with something: W in (i), the upstream gradient g here."

PART_CASES = [
    {"name": "shape right, value wrong", "part": "c.i",
     "answer": {"shape": "1 x 2", "value": "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,4-k] x[c,2(j-1)+k]"},
     "verdict": "partial", "score": 0.5},
    {"name": "shape missing, value right", "part": "c.i", "answer": {"value": KEY_I},
     "verdict": "partial", "score": 0.5},
    {"name": "both right", "part": "c.i", "answer": {"shape": "(1, 2)", "value": KEY_I},
     "verdict": "correct", "score": 1.0},
    {"name": "bare value answers the first asked item (shape)", "part": "c.ii",
     "answer": "1 x 2 x 1 x 2 x 3", "verdict": "partial", "score": 0.5},
    {"name": "shape dropped singletons, value right", "part": "c.ii",
     "answer": {"shape": "2 x 2 x 3", "value": KEY_II}, "verdict": "partial", "score": 0.5},
    {"name": "both wrong", "part": "c.ii",
     "answer": {"shape": "2 x 6", "value": "df[1,j]/dW[1,c,k] = x[c,j+k-1]"},
     "verdict": "incorrect", "score": 0.0},
    {"name": "nothing answered", "part": "c.ii", "answer": None, "verdict": "missing", "score": 0.0},
    {"name": "shape unreadable, value missing", "part": "c.iii", "answer": {"shape": "1 x 2 x (2"},
     "verdict": "unparseable", "score": 0.0},
    {"name": "shape wrong, value unreadable", "part": "c.iii",
     "answer": {"shape": "2 x 5 x 1 x 2", "value": "df[1,j]/dx[c,l] = W[1,c,l-2(j-1)"},
     "verdict": "incorrect", "score": 0.0},
    {"name": "0-based pair declared indexing 0", "part": "c.iii", "indexing": 0,
     "answer": {"shape": "1 x 2 x 2 x 5", "value": "df[0,j]/dx[c,l] = W[0,c,l-2j]"},
     "verdict": "correct", "score": 1.0},
    {"name": "all automatic items right, explanation pending", "part": "c.iv",
     "answer": {"shape": "1 x 2 x 3", "value": KEY_IV, "explanation": EXPLANATION},
     "verdict": "manual", "score": 1.0},
    {"name": "value wrong with an explanation", "part": "c.iv",
     "answer": {"shape": "1 x 2 x 3", "value": "dl/dW[1,c,k] = g[1,j] x[c,2(j-1)+k]",
                "explanation": EXPLANATION},
     "verdict": "partial", "score": 0.5},
    {"name": "automatic items right, explanation missing", "part": "c.iv",
     "answer": {"shape": "1 x 2 x 3", "value": KEY_IV}, "verdict": "partial", "score": 1.0},
]


@pytest.mark.parametrize("case", PART_CASES, ids=[f"{c['part']}-{c['name']}" for c in PART_CASES])
def test_part_verdict_and_score(grader, case):
    answers = {} if case["answer"] is None else {case["part"]: case["answer"]}
    result = grader.grade(_submit(answers, case.get("indexing")))
    part = _part(result, case["part"])
    detail = [(a.item, a.verdict, a.feedback) for a in part.answers]
    assert part.verdict == case["verdict"], (case["name"], detail)
    assert part.score == pytest.approx(case["score"]), (case["name"], detail)
    assert part.max_score == pytest.approx(SEED_PARTS[case["part"]][0])


def test_full_submission_in_nested_form(grader):
    answers = {
        "a": [4, 5],
        "b": {"shape": "F x ⌈(H+2P-D(K-1))/S⌉ x ⌈(W+2P-D(K-1))/S⌉"},
        "c": {"i": {"shape": "R^{1x2}", "value": KEY_I},
              "ii": {"shape": "1 x 2 x 1 x 2 x 3", "value": KEY_II},
              "iii": {"shape": "1 x 2 x 2 x 5", "value": KEY_III},
              "iv": {"shape": "1 x 2 x 3", "value": KEY_IV, "explanation": EXPLANATION}},
    }
    result = grader.grade(_submit(answers))
    assert result.error is None and result.notes == ()
    verdicts = {p.id: p.verdict for p in result.parts}
    assert verdicts == {"a": "correct", "b": "correct", "c.i": "correct", "c.ii": "correct",
                        "c.iii": "correct", "c.iv": "manual"}, [
        (p.id, a.item, a.verdict, a.feedback) for p in result.parts for a in p.answers]
    # 1 + 1 + 1 + 1 + 1 + 1.5 = 6.5 points; the explanation's 0.5 waits for a human
    assert result.max_score == pytest.approx(6.5)
    assert result.score == pytest.approx(6.0)
    assert result.pending_manual == pytest.approx(0.5)


def test_empty_submission_is_all_missing(grader):
    result = grader.grade(_submit({}))
    assert result.error is None
    assert {p.id: p.verdict for p in result.parts} == {pid: "missing" for pid in SEED_PARTS}
    assert result.score == 0 and result.max_score == pytest.approx(6.5)


def test_same_answer_twice_gets_the_same_verdict(grader):
    first = grader.grade(_submit({"c.i": {"value": KEY_I}}))
    spaced = grader.grade(_submit({"c.i": {"value": KEY_I.replace(" ", "  ")}}))
    assert _item(first, "c.i", "value").verdict == _item(spaced, "c.i", "value").verdict == "correct"
