"""Reproducers of issue 9: hostile files and API data next to a good submission.

Each case ends in a clear verdict or error, fast, and the good submission of
the same run is graded exactly as when it is graded alone. Expected numbers
are derived by hand in the comments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.cli import main
from grader.grading import MAX_FEEDBACK_CHARS, Grader
from grader.reports import REPORTERS
from grader.sandbox import Sandbox
from grader.submission import MAX_SUBMISSION_BYTES, SubmissionError, submission_from_data
from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import load_problem, problem_from_data

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "problems" / "cnn" / "q1_1.yaml")
NUMERIC = str(ROOT / "problems" / "cnn" / "conv_numeric.yaml")
GOOD = "problem: q1.1\nstudent: bob\nanswers:\n  a: 4 x 5\n  c.i: {shape: 1 x 2}\n"
HEX = "0x" + "f" * 5000   # 16**5000 - 1: about 6,021 decimal digits


@pytest.fixture(scope="module")
def seed_grader():
    with Grader(build_key(load_problem(SEED)), time_limit=2.0) as grader:
        yield grader


def _write(tmp_path, name, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def _json_run(paths, capsys, spec=SEED):
    assert main([spec, *paths, "--format", "json", "--time-limit", "2"]) == 0
    return json.loads(capsys.readouterr().out)["results"]


def _good_alone(tmp_path, capsys):
    [alone] = _json_run([_write(tmp_path, "good-alone.yaml", GOOD)], capsys)
    # by hand: a (1 point) and c.i's shape (half of c.i's point) are right
    assert alone["score"] == 1.5 and alone["error"] is None
    return alone


# --- item 2: integers over 4,300 digits --------------------------------------------------

HUGE_INTEGER_FILES = {
    "problem.yaml": f"problem: {HEX}\nanswers:\n  a: 4 x 5\n",
    "student.yaml": f"problem: q1.1\nstudent: {HEX}\nanswers:\n  a: 4 x 5\n",
    "indexing.yaml": f"problem: q1.1\nindexing: {HEX}\nanswers:\n  a: 4 x 5\n",
    "part-id.yaml": f"problem: q1.1\nanswers:\n  ? {HEX}\n  : 4 x 5\n",
    "item-key.yaml": f"problem: q1.1\nanswers:\n  a:\n    ? {HEX}\n    : 4 x 5\n",
    "in-a-list.yaml": f"problem: q1.1\nanswers:\n  a: [4, {HEX}]\n",
    "in-a-set.yaml": f"problem: q1.1\nanswers:\n  a: !!set {{{HEX}}}\n",
    "sexagesimal.yaml": "problem: q1.1\nanswers:\n  a: [4, 1" + ":0" * 100_000 + "]\n",
}


def test_huge_integer_files_are_reported_and_the_good_file_is_unchanged(tmp_path, capsys):
    alone = _good_alone(tmp_path, capsys)
    paths = [_write(tmp_path, name, text) for name, text in HUGE_INTEGER_FILES.items()]
    start = time.monotonic()
    *hostile, good = _json_run(paths + [_write(tmp_path, "good.yaml", GOOD)], capsys)
    assert time.monotonic() - start < 20
    for name, result in zip(HUGE_INTEGER_FILES, hostile):
        assert result["error"] and "4,300" in result["error"] and result["parts"] == [], name
    assert {k: v for k, v in good.items() if k != "submission"} == \
        {k: v for k, v in alone.items() if k != "submission"}


@pytest.mark.parametrize("data", [
    {"problem": 10 ** 5000, "answers": {}},
    {"problem": "q1.1", "student": 10 ** 5000, "answers": {}},
    {"problem": "q1.1", "indexing": 10 ** 5000, "answers": {}},
    {"problem": "q1.1", 10 ** 5000: 1, "answers": {}},
], ids=["problem", "student", "indexing", "field name"])
def test_huge_integers_in_submission_fields_through_the_api(data):
    with pytest.raises(SubmissionError, match="5,000 digits"):
        submission_from_data(data)


def test_huge_integers_in_answers_through_the_api_are_unparseable(seed_grader):
    submission = submission_from_data({"problem": "q1.1", "answers": {
        10 ** 5000: "4 x 5", "a": [4, 10 ** 5000], "b": {10 ** 5000: "x"},
        "c.i": {"shape": {10 ** 5000}}, "c.ii": {"shape": "1 x 2 x 1 x 2 x 3"}}})
    result = seed_grader.grade(submission)
    verdicts = {(p.id, a.item): (a.verdict, a.feedback) for p in result.parts for a in p.answers}
    assert verdicts[("a", "shape")][0] == "unparseable" and "4,300 digits" in verdicts[("a", "shape")][1]
    assert verdicts[("c.i", "shape")][0] == "unparseable"
    assert verdicts[("c.ii", "shape")][0] == "correct"          # the others are still graded
    assert verdicts[("b", "shape")][0] == "missing"             # the huge key is noted, not graded
    assert any("5,000 digits" in note for note in result.notes)


def test_huge_spec_id_is_a_spec_error(tmp_path):
    path = _write(tmp_path, "spec.yaml", f"id: {HEX}\nparts: [{{id: a, layer: {{op: conv1d, "
                                         f"input: [5], kernel: 3}}, ask: [shape]}}]\n")
    with pytest.raises(SpecError, match="4,300"):
        load_problem(path)
    with pytest.raises(SpecError, match=r"parts\[0\]\.layer\.kernel: .*4,300 digits"):
        problem_from_data({"id": "q", "parts": [{"id": "a", "layer": {"op": "conv1d", "input": [5],
                                                                      "kernel": 10 ** 5000}}]})
    done = subprocess.run([sys.executable, "-m", "solver", path], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "4,300" in done.stderr


# --- items 3 and 4: student names and file names in reports -------------------------------

FORGED = "m\n  problem q1.1: 6.5 / 6.5 points\x1b[2J\u202e\u2028"


def test_forged_student_name_adds_no_line_and_no_escape(tmp_path, capsys):
    plain = _write(tmp_path, "plain.json", json.dumps({"problem": "q1.1", "student": "m",
                                                       "answers": {"a": "4 x 5"}}))
    forged = _write(tmp_path, "forged.json", json.dumps({"problem": "q1.1", "student": FORGED,
                                                         "answers": {"a": "4 x 5"}}))
    assert main([SEED, plain, forged, "--time-limit", "2"]) == 0
    report = capsys.readouterr().out
    blocks = report.split("\n\n")
    assert len(blocks[0].splitlines()) == len(blocks[1].splitlines())
    score_lines = [line for line in report.splitlines() if line.startswith("  problem ")]
    assert score_lines == ["  problem q1.1: 1 / 6.5 points"] * 2   # one real score line each
    assert "6.5 / 6.5" in report and "1 / 6.5 points" in report
    assert "\x1b" not in report and "\u202e" not in report and "\u2028" not in report
    assert "(m\\n  problem q1.1: 6.5 / 6.5 points\\x1b[2J\\u202e\\u2028)" in report


def test_lone_surrogate_name_and_undecodable_file_name(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9-\xff.json")                 # not UTF-8: os.fsdecode keeps the bytes
    path = _write(tmp_path, name, '{"problem": "q1.1", "student": "\\ud800", "answers": {"a": "4 x 5"}}')
    good = _write(tmp_path, "good.yaml", GOOD)
    for report_format in ("text", "json"):
        output = tmp_path / f"report.{report_format}"
        assert main([SEED, path, good, "--format", report_format, "-o", str(output)]) == 0
        text = output.read_bytes().decode("utf-8")           # valid UTF-8, whole
        if report_format == "json":
            first, second = json.loads(text)["results"]
            assert first["student"] == "\\ud800" and first["score"] == 1
            assert first["submission"].endswith("caf\\xe9-\\xff.json") and second["score"] == 1.5
        else:
            assert "caf\\xe9-\\xff.json (\\ud800)" in text
            assert "1 / 6.5 points" in text and "1.5 / 6.5 points" in text
    assert main([SEED, path, "--format", "json"]) == 0         # and to stdout
    assert "\\\\ud800" in capsys.readouterr().out


# --- item 5: FIFOs as paths -------------------------------------------------------------

def test_fifo_paths_neither_hang_the_grader_nor_the_solver(tmp_path):
    fifo = tmp_path / "sub.yaml"
    os.mkfifo(fifo)
    good = _write(tmp_path, "good.yaml", GOOD)
    command = [sys.executable, "-m", "grader", SEED, str(fifo), good, "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    first, second = json.loads(done.stdout)["results"]
    assert "not a regular file" in first["error"] and second["score"] == 1.5
    spec = subprocess.run([sys.executable, "-m", "grader", str(fifo), good], capture_output=True,
                          text=True, timeout=60)
    assert spec.returncode == 2 and "not a regular file" in spec.stderr


# --- item 7: numbers beyond int64 and float64 in numeric answers --------------------------

@pytest.fixture(scope="module")
def numeric_grader():
    with Grader(build_key(load_problem(NUMERIC)), time_limit=2.0) as grader:
        yield grader


def _numeric(grader, answer):
    result = grader.grade(submission_from_data({"problem": "conv-numeric",
                                                "answers": {"a.i": {"numeric": answer}}}))
    [part] = [p for p in result.parts if p.id == "a.i"]
    [graded] = [a for a in part.answers if a.item == "numeric"]
    return graded.verdict, graded.feedback


@pytest.mark.parametrize("answer", ["[[99999999999999999999, 23]]", [[99999999999999999999, 23]]])
def test_integer_beyond_int64_is_an_ordinary_wrong_entry(numeric_grader, answer):
    # f = conv1d(x, W), stride 2: f[1] = (1 - 3) + (12 + 7) = 17, f[2] = (3 - 5) + (16 + 9) = 23
    assert _numeric(numeric_grader, "[[17, 23]]")[0] == "correct"
    verdict, feedback = _numeric(numeric_grader, answer)
    assert verdict == "incorrect" and "1 of 2 entries" in feedback and "[1, 1]" in feedback


@pytest.mark.parametrize("answer", [[[10 ** 400, 23]], "[[" + "9" * 400 + ", 23]]", [[float("inf"), 23]]])
def test_number_beyond_float64_is_unparseable_with_the_reason(numeric_grader, answer):
    verdict, feedback = _numeric(numeric_grader, answer)
    assert verdict == "unparseable" and "float64" in feedback and "internal error" not in feedback


# --- item 8: size of numeric tensors ---------------------------------------------------

def _numeric_spec(layer: str) -> str:
    return f"id: big\nparts:\n  - id: a\n    layer: {layer}\n    of: output\n    ask: [numeric]\n"


@pytest.mark.parametrize("layer,message", [
    # x is 10^9 x 10^9 = 10^18 entries; 3 * 10^4 squared is 9 * 10^8
    ("{op: conv1d, input: [1000000000, 1000000000], kernel: 3, filters: 1, values: {seed: 1}}",
     "tensor x would have 1,000,000,000,000,000,000 entries"),
    ("{op: conv1d, input: [30000, 30000], kernel: 3, filters: 1, values: {seed: 1}}",
     "tensor x would have 900,000,000 entries"),
    # output 2992 x 2992 positions, 81 kernel entries: 81 * 2992**2 = 725,117,184
    ("{op: conv2d, input: [1, 3000, 3000], kernel: 9, filters: 1, values: {seed: 1}}",
     "the im2col matrix would have 725,117,184 entries"),
    # padding 5000 on each side of 3: (3 + 10000)**2 = 100,060,009
    ("{op: conv2d, input: [1, 3, 3], kernel: 1, padding: 5000, stride: 5000, filters: 1, values: {seed: 1}}",
     "the padded input would have 100,060,009 entries"),
])
def test_oversized_numeric_tensors_are_refused_at_load_time(tmp_path, layer, message):
    path = _write(tmp_path, "spec.yaml", _numeric_spec(layer))
    # in a memory-limited worker, so that a regression fails this test instead of the machine
    with Sandbox(time_limit=20, memory_limit_mb=1024) as sandbox:
        error = sandbox.run(_spec_error, path)
    assert error is not None and message in error and "10,000,000" in error


def _spec_error(path: str) -> str | None:
    """The SpecError text of building the key of ``path``, or None (run in a Sandbox)."""
    try:
        build_key(load_problem(path))
    except SpecError as error:
        return str(error)
    return None


def test_tensor_limit_boundary(tmp_path, monkeypatch):
    from solver.spec import values
    # conv1d on 2 x 5, kernel 3, stride 2, one filter: x has 10 entries, W 6, b 1, the output 2;
    # the im2col matrix has 1 x (2 * 3) x 2 = 12 entries
    spec = _write(tmp_path, "s.yaml", _numeric_spec(
        "{op: conv1d, input: [2, 5], kernel: 3, stride: 2, filters: 1, values: {seed: 3}}"))
    monkeypatch.setattr(values, "MAX_TENSOR_ENTRIES", 12)
    build_key(load_problem(spec))
    monkeypatch.setattr(values, "MAX_TENSOR_ENTRIES", 11)
    with pytest.raises(SpecError, match="im2col matrix would have 12 entries"):
        build_key(load_problem(spec))
    monkeypatch.setattr(values, "MAX_TENSOR_ENTRIES", 9)
    with pytest.raises(SpecError, match="tensor x would have 10 entries"):
        load_problem(spec)


# --- items 9 and 10: file size, feedback length, unknown parts, deep answers ---------------

def test_submission_byte_limit_is_checked_before_parsing(tmp_path, seed_grader):
    # "a: '" + filler + "'\n" plus the header: exactly one byte over the limit
    header = "problem: q1.1\nanswers:\n  a: '"
    filler = "4" * (MAX_SUBMISSION_BYTES + 1 - len(header) - 2)
    path = _write(tmp_path, "big.yaml", header + filler + "'\n")
    result = seed_grader.grade_path(path)
    assert result.error and f"{MAX_SUBMISSION_BYTES + 1:,} bytes" in result.error and "1 MB" in result.error


def test_feedback_is_bounded(seed_grader):
    axes = " x ".join(["7"] * 99_000)      # under the YAML value limit, far over any answer
    result = seed_grader.grade(submission_from_data({"problem": "q1.1", "answers": {
        "a": list(range(99_000)), "b": axes}}))
    for part in result.parts[:2]:
        [answer] = part.answers
        assert answer.verdict in ("unparseable", "incorrect")
        assert len(answer.feedback) <= MAX_FEEDBACK_CHARS + 60
    assert len(REPORTERS["text"]([result])) < 20_000


def test_many_unknown_part_ids_make_one_short_note_fast(tmp_path, seed_grader):
    text = "problem: q1.1\nanswers:\n  a: 4 x 5\n" + "".join(f"  zz{n}: 1\n" for n in range(45_000))
    path = _write(tmp_path, "unknown.yaml", text)
    start = time.monotonic()
    result = seed_grader.grade_path(path)
    assert time.monotonic() - start < 3
    [note] = result.notes
    assert "45,000 answers to unknown parts" in note and "'zz0'" in note and "44,995 more" in note
    assert result.parts[0].verdict == "correct" and len(note) < 500


def test_deep_answer_through_the_api_is_unparseable_not_a_worker_error(seed_grader):
    deep: list = [4, 5]
    for _ in range(5000):
        deep = [deep]
    result = seed_grader.grade(submission_from_data({"problem": "q1.1", "answers": {
        "a": deep, "c.i": {"shape": "1 x 2"}}}))
    verdicts = {p.id: p for p in result.parts}
    [answer] = verdicts["a"].answers
    assert answer.verdict == "unparseable" and "100 levels" in answer.feedback
    assert "worker" not in answer.feedback
    assert verdicts["c.i"].answers[0].verdict == "correct"


@pytest.mark.parametrize("entry", [
    # found by the fuzz test: a sum of numbers stays an unevaluated Sum, which Float() refused
    "sum_{k=1}^{3} 5 + 2",        # 3 * 5 + 2 = 17
    "max(1, sum_{k=1}^{17} 1)",   # 17 ones
])
def test_sums_of_numbers_in_numeric_answers_are_evaluated(numeric_grader, entry):
    assert _numeric(numeric_grader, [[entry, 23]])[0] == "correct"
    assert _numeric(numeric_grader, [["sum_{k=1}^{3} 0", 23]])[0] == "incorrect"
    assert _numeric(numeric_grader, "(sum_{k=1}^{3} 0)")[0] == "incorrect"   # a single number
