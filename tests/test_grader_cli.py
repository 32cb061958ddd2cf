"""The grader's command line, scoring and reports on hand-made submissions of the seed."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "problems" / "cnn" / "q1_1.yaml")

FULL = """\
problem: q1.1
student: alice
answers:
  a: 4 x 5
  b: F x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)
  c.i:
    shape: 1 x 2
    value: f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]
  c.ii:
    shape: 1 x 2 x 1 x 2 x 3
    value: df[1,j]/dW[1,c,k] = x[c,2(j-1)+k]
  c.iii:
    shape: 1 x 2 x 2 x 5
    value: df[1,j]/dx[c,l] = W[1,c,l-2(j-1)]
  c.iv:
    shape: R^{1x2x3}
    value: dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,2(j-1)+k]
    explanation: Both are cross-correlations with x.
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _grade_json(paths, capsys, *options):
    assert main([SEED, *paths, "--format", "json", *options]) == 0
    return json.loads(capsys.readouterr().out)["results"]


def test_full_marks_and_manual_explanation(tmp_path, capsys):
    [hinted] = _grade_json([_write(tmp_path, "alice.yaml", FULL)], capsys)
    assert "reference" not in hinted["parts"][-1]["answers"]["explanation"]     # the default is hint
    [result] = _grade_json([_write(tmp_path, "alice.yaml", FULL)], capsys, "--feedback", "full")
    assert result["student"] == "alice" and result["error"] is None
    # points by hand: a 1, b 1, c.i..c.iii 1 each, c.iv 1.5 split in three (0.5 each)
    assert result["max_score"] == 6.5
    assert result["score"] == 6.0 and result["pending_manual"] == 0.5
    verdicts = {p["id"]: p["verdict"] for p in result["parts"]}
    assert verdicts == {"a": "correct", "b": "correct", "c.i": "correct", "c.ii": "correct",
                        "c.iii": "correct", "c.iv": "manual"}
    explanation = result["parts"][-1]["answers"]["explanation"]
    assert explanation["verdict"] == "manual" and "cross-correlation" in explanation["reference"]


def test_partial_credit_and_feedback(tmp_path, capsys):
    text = FULL.replace("shape: 1 x 2\n", "shape: 2\n").replace("  a: 4 x 5", "  a: 5 x 4")
    text = text.replace("(floor((W+2P-D(K-1)-1)/S)+1)", "((W+2P-D(K-1)-1)/S+1)")
    [result] = _grade_json([_write(tmp_path, "bob.yaml", text)], capsys)
    parts = {p["id"]: p for p in result["parts"]}
    assert parts["a"]["verdict"] == "incorrect"
    assert "axis 1" in parts["a"]["answers"]["shape"]["feedback"]
    assert parts["b"]["verdict"] == "incorrect"
    assert "with " in parts["b"]["answers"]["shape"]["feedback"]   # a counterexample
    assert parts["c.i"]["verdict"] == "partial" and parts["c.i"]["score"] == 0.5
    assert "axes of size 1" in parts["c.i"]["answers"]["shape"]["feedback"]
    assert result["score"] == 3.5   # c.i value 0.5, c.ii 1, c.iii 1, c.iv shape+value 1


def test_broken_files_do_not_stop_the_others(tmp_path, capsys):
    good = _write(tmp_path, "good.yaml", FULL)
    paths = [_write(tmp_path, "junk.yaml", "answers: [1, 2\n"),
             _write(tmp_path, "other.yaml", "problem: q9\nanswers: {a: 1}\n"),
             str(tmp_path / "missing.yaml"), good]
    results = _grade_json(paths, capsys)
    assert [r["error"] is None for r in results] == [False, False, False, True]
    assert "q9" in results[1]["error"]
    assert results[3]["score"] == 6.0


def test_unknown_parts_and_items_become_notes(tmp_path, capsys):
    text = "problem: q1.1\nanswers:\n  z: 3\n  a: {shape: 4 x 5, value: 3}\n"
    [result] = _grade_json([_write(tmp_path, "notes.yaml", text)], capsys)
    assert any("'z'" in note for note in result["notes"])
    assert any("'value'" in note for note in result["notes"])
    assert result["parts"][0]["verdict"] == "correct"


def test_nested_sub_parts_and_json_submission(tmp_path, capsys):
    submission = {"problem": "q1.1", "answers": {"c": {"i": {"shape": [1, 2]}}}}
    [result] = _grade_json([_write(tmp_path, "s.json", json.dumps(submission))], capsys)
    parts = {p["id"]: p for p in result["parts"]}
    assert parts["c.i"]["answers"]["shape"]["verdict"] == "correct"
    assert parts["c.i"]["answers"]["value"]["verdict"] == "missing"
    assert parts["a"]["verdict"] == "missing"


def test_text_report_and_output_file(tmp_path):
    path = _write(tmp_path, "alice.yaml", FULL)
    out = tmp_path / "report.txt"
    run = subprocess.run([sys.executable, "-m", "grader", SEED, path, "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == ""
    report = out.read_text()
    assert "6 / 6.5 points, 0.5 more to be graded by hand" in report
    assert "(c.iv)" in report and "reference:" not in report      # hint: no reference


def test_bad_spec_exits_2(tmp_path):
    spec = _write(tmp_path, "bad.yaml", "id: q\n")
    run = subprocess.run([sys.executable, "-m", "grader", spec, spec], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.startswith("error: ")
    assert "Traceback" not in run.stderr


def test_unreadable_answers_get_hints_that_do_not_give_the_answer(tmp_path, capsys):
    """Syntax hints use neutral examples: none may be a key answer of the seed."""
    junk = {"a": "4 x", "b": "F x (", "c.i": {"shape": "1 x", "value": "f[1,j] = sum_k"},
            "c.ii": {"shape": "[1, 2", "value": "df[1,j]/dW[1,c,k] = x[c,"},
            "c.iv": {"value": "dl/dW[1,c,k] = )"}}
    submission = {"problem": "q1.1", "answers": junk}
    [result] = _grade_json([_write(tmp_path, "junk.json", json.dumps(submission))], capsys)
    feedback = " ".join(a["feedback"] for p in result["parts"] for a in p["answers"].values())
    assert "unparseable" in json.dumps(result)
    for answer in ("4 x 5", "(4, 5)", "R^{4x5}", "[4, 5]", "2(j-1)+k", "2*j + k - 2", "W[1, c, k]",
                   "floor((H", "1 x 2"):
        assert answer not in feedback, answer


def test_a_misspelled_item_does_not_lose_the_others(tmp_path, capsys):
    text = "problem: q1.1\nanswers:\n  c.i: {shape: 1 x 2, valeu: 'f[1,j] = 0'}\n"
    [result] = _grade_json([_write(tmp_path, "typo.yaml", text)], capsys)
    part = next(p for p in result["parts"] if p["id"] == "c.i")
    assert part["answers"]["shape"]["verdict"] == "correct"
    assert part["answers"]["value"]["verdict"] == "missing"
    assert any("'valeu'" in note for note in result["notes"])


@pytest.mark.parametrize("limit", ["1e7", "inf", "-inf", "nan", "0", "-1", "600.5", "five", ""])
def test_time_limit_out_of_range_exits_2_with_a_message(tmp_path, capsys, limit):
    path = _write(tmp_path, "alice.yaml", FULL)
    with pytest.raises(SystemExit) as exited:
        main([SEED, path, f"--time-limit={limit}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--time-limit" in err and "at most 600" in err and repr(limit) in err


def test_time_limit_at_the_documented_maximum_grades(tmp_path, capsys):
    [result] = _grade_json([_write(tmp_path, "alice.yaml", FULL), "--time-limit", "600"], capsys)
    assert result["score"] == 6.0
