"""Hand-labelled answers in the notation forms of issue 7, graded through the public API.

Every expected verdict in tests/data/notation_forms_corpus.yaml was derived by hand from the
mathematics (see the header of that file), never by running the solver or the grader.
Each entry names its spec, is graded as a submission of its own, and must get its verdict.
The forms (1-7) are those of issue 7, section 3 and item 4; each is covered with correct
answers and wrong twins, over at least two specs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "notation_forms_corpus.yaml"

FORMS = {
    1: "powers bind to the last factor of an implicit product",
    2: "shape answers naming the tensor and its space",
    3: "grouped Jacobian shapes",
    4: "left-hand sides with the layer function's name",
    5: "cases, superscript digits, chained indices",
    6: "counts given as YAML floats",
    7: "index expressions equal to the key on many small integers only",
}
VERDICTS = ("correct", "incorrect")
ENTRY_FIELDS = {"spec", "form", "part", "item", "answer", "verdict", "why", "indexing"}
#: Hand-derived from the spec files: problem id and, per part, its asked items.
SPECS = {
    "problems/cnn/q1_1.yaml": ("q1.1", {
        "a": ("shape",), "b": ("shape",), "c.i": ("shape", "value"), "c.ii": ("shape", "value"),
        "c.iii": ("shape", "value"), "c.iv": ("shape", "value", "explanation")}),
    "problems/cnn/conv_numeric.yaml": ("conv-numeric", {
        "a.i": ("shape", "value", "numeric"), "a.ii": ("shape", "numeric"),
        "a.iii": ("shape", "value", "numeric"), "a.iv": ("shape", "value", "numeric"),
        "b.i": ("shape", "value", "numeric"), "b.ii": ("shape", "value", "numeric"),
        "b.iii": ("params",)}),
    "problems/cnn/network_summary.yaml": ("net-summary", {
        "a": ("shape", "params", "summary"), "b": ("shape", "params")}),
    "tests/data/notation_forms_params.yaml": ("forms-params", {
        "a": ("params",), "b": ("params",), "c": ("params",), "d": ("params",), "e": ("params",),
        "f": ("shape",), "g.i": ("shape",), "g.ii": ("shape",), "g.iii": ("shape",)}),
    "tests/data/notation_forms_conv2d.yaml": ("forms-conv2d", {
        "a.i": ("shape", "value"), "a.ii": ("shape", "value"), "a.iii": ("shape", "value"),
        "a.iv": ("shape", "value"), "a.v": ("shape", "value"), "p": ("shape", "params"),
        "s": ("shape", "params")}),
}
SHORT = {"problems/cnn/q1_1.yaml": "q1_1", "problems/cnn/conv_numeric.yaml": "numeric",
         "problems/cnn/network_summary.yaml": "netsum",
         "tests/data/notation_forms_params.yaml": "params",
         "tests/data/notation_forms_conv2d.yaml": "conv2d"}


def _load_corpus() -> list[dict]:
    with open(CORPUS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["entries"]


CORPUS = _load_corpus()


def _forms(entry: dict) -> list[int]:
    form = entry["form"]
    return list(form) if isinstance(form, list) else [form]


def _entry_id(number: int, entry: dict) -> str:
    forms = "+".join(str(f) for f in _forms(entry))
    return (f"{number:03d}-form{forms}-{SHORT.get(entry['spec'], entry['spec'])}-{entry['part']}-"
            f"{entry['item']}-{entry['verdict']}")


# --- the corpus itself ----------------------------------------------------------------------

def test_corpus_entries_are_well_formed():
    for number, entry in enumerate(CORPUS):
        where = f"entry {number}: {entry}"
        assert set(entry) <= ENTRY_FIELDS, where
        assert {"spec", "form", "part", "item", "answer", "verdict", "why"} <= set(entry), where
        assert entry["spec"] in SPECS, where
        parts = SPECS[entry["spec"]][1]
        assert entry["part"] in parts and entry["item"] in parts[entry["part"]], where
        assert entry["verdict"] in VERDICTS and str(entry["why"]).strip(), where
        assert _forms(entry) and set(_forms(entry)) <= set(FORMS), where
        assert entry.get("indexing", 1) in (0, 1), where


def test_corpus_has_no_duplicate_cases():
    seen = Counter((e["spec"], e["part"], e["item"], type(e["answer"]).__name__, repr(e["answer"]),
                    e.get("indexing")) for e in CORPUS)
    assert [case for case, n in seen.items() if n > 1] == []


def test_corpus_covers_each_form_with_both_verdicts_over_two_specs():
    verdicts, specs = defaultdict(set), defaultdict(set)
    for entry in CORPUS:
        for form in _forms(entry):
            verdicts[form].add(entry["verdict"])
            specs[(form, entry["verdict"])].add(entry["spec"])
    for form, name in FORMS.items():
        assert verdicts[form] == set(VERDICTS), (form, name, verdicts[form])
        for verdict in VERDICTS:
            assert len(specs[(form, verdict)]) >= 2, (form, name, verdict, specs[(form, verdict)])
    assert 150 <= len(CORPUS) <= 400


def test_corpus_float_counts_are_floats():
    """Form 6 is about YAML floats: most of its entries must really load as Python floats."""
    floats = [e for e in CORPUS if 6 in _forms(e) and isinstance(e["answer"], float)]
    assert {e["verdict"] for e in floats} == set(VERDICTS)
    assert any(e["answer"] == int(e["answer"]) and e["verdict"] == "correct" for e in floats)
    assert any(e["answer"] != int(e["answer"]) and e["verdict"] == "incorrect" for e in floats)


# --- grading -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graders():
    from grader.grading import Grader
    from solver.key import build_key
    from solver.spec.loading import load_problem
    opened: dict[str, Grader] = {}

    def get(spec: str) -> Grader:
        if spec not in opened:
            opened[spec] = Grader(build_key(load_problem(ROOT / spec)))
        return opened[spec]

    yield get
    for instance in opened.values():
        instance.close()


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_spec_keys_have_the_hand_derived_parts(graders, spec):
    problem_id, parts = SPECS[spec]
    key = graders(spec).key
    assert key.problem.id == problem_id
    assert {pk.id: tuple(pk.part.ask) for pk in key.parts} == parts


def _submit(problem_id: str, answers: dict, indexing: int | None = None):
    from grader.submission import submission_from_data
    return submission_from_data({"problem": problem_id, "answers": answers, "indexing": indexing})


def _item(result, part_id: str, item: str):
    [part] = [p for p in result.parts if p.id == part_id]
    [answer] = [a for a in part.answers if a.item == item]
    return answer


@pytest.mark.parametrize("entry", CORPUS, ids=[_entry_id(n, e) for n, e in enumerate(CORPUS)])
def test_notation_form_answer_gets_its_verdict(graders, entry):
    spec, part, item = entry["spec"], entry["part"], entry["item"]
    grader = graders(spec)
    result = grader.grade(_submit(SPECS[spec][0], {part: {item: entry["answer"]}},
                                  entry.get("indexing")))
    assert result.error is None, result.error
    assert result.notes == (), result.notes
    graded = _item(result, part, item)
    assert graded.verdict == entry["verdict"], (
        f"form {entry['form']} ({', '.join(FORMS[f] for f in _forms(entry))}), {spec} {part} "
        f"{item}: answer {entry['answer']!r} expected {entry['verdict']} because {entry['why']}; "
        f"got {graded.verdict} with feedback {graded.feedback!r}")
    if entry["verdict"] == "correct":
        assert graded.score == pytest.approx(graded.max_score) and graded.score > 0
    else:
        assert graded.score == 0
