"""CI formats and setups of issue 13: Gradescope results, JUnit XML, the Gradescope bundle run in a
Gradescope layout, the GitHub Actions workflow's commands, the summary and its plot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import junitparser
import pytest
import yaml

from grader.bundle import DEPENDENCIES
from grader.cli import main
from grader.summary import mistake_names, render_summary, summarize
from synthetic_class import write_class
from test_grader_cli import FULL

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "problems" / "cnn" / "q1_1.yaml")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
BOB = FULL.replace("a: 4 x 5", "a: 5 x 4").replace("student: alice", "student: bob")


def _spec_with_hidden_b(tmp_path) -> str:
    text = Path(SEED).read_text().replace("  - id: b\n    points: 1\n",
                                          "  - id: b\n    points: 1\n    options: {visibility: hidden}\n")
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return str(path)


def test_gradescope_results_fields(tmp_path):
    spec = _spec_with_hidden_b(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bob.yaml").write_text(BOB)
    assert main([spec, str(tmp_path / "sub"), "--format", "gradescope", "-o", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert set(data) == {"score", "output", "execution_time", "visibility", "stdout_visibility", "tests"}
    assert data["score"] == 5 and data["visibility"] == "visible"          # bob: all but a (1 point)
    assert isinstance(data["execution_time"], (int, float)) and "0.5 more to be graded by hand" in data["output"]
    tests = data["tests"]
    assert [t["name"] for t in tests] == ["Part a", "Part b", "Part c.i", "Part c.ii", "Part c.iii", "Part c.iv"]
    for test in tests:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output", "output_format",
                             "visibility"}
        assert test["output_format"] == "md" and test["status"] in ("passed", "failed")
    assert [t["visibility"] for t in tests] == ["visible", "hidden", "visible", "visible", "visible", "visible"]
    assert tests[0]["status"] == "failed" and tests[0]["score"] == 0 and "axis 1" in tests[0]["output"]
    assert tests[1]["status"] == "passed" and tests[1]["score"] == 1
    # c.iv: 1.5 points, 0.5 of them (the explanation) by hand -> the test is out of 1
    assert tests[5]["max_score"] == 1 and tests[5]["status"] == "passed" and "by hand" in tests[5]["output"]


@pytest.mark.parametrize("files, message", [([], "No submission file was found"),
                                            (["a.yaml", "b.yaml"], "found 2 submission files")])
def test_gradescope_needs_exactly_one_file(tmp_path, files, message):
    (tmp_path / "sub").mkdir()
    for name in files:
        (tmp_path / "sub" / name).write_text(FULL)
    assert main([SEED, str(tmp_path / "sub"), "--format", "gradescope", "-o", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["score"] == 0 and data["tests"] == [] and message in data["output"]


def test_gradescope_output_escapes_markdown_and_html(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.yaml").write_text("problem: q1.1\nanswers: {a: '<script>*x*</script>'}\n")
    assert main([SEED, str(tmp_path / "sub"), "--format", "gradescope", "-o", str(tmp_path / "out")]) == 0
    output = json.loads((tmp_path / "out" / "results.json").read_text())["tests"][0]["output"]
    assert "<script>" not in output and "&lt;script&gt;" in output and "\\*x\\*" in output


def test_junit_read_by_xml_parser_and_junitparser(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "alice.yaml").write_text(FULL)
    (tmp_path / "subs" / "bob.yaml").write_text(BOB)
    (tmp_path / "subs" / "junk.yaml").write_bytes(b"\x00\xff junk")
    assert main([SEED, str(tmp_path / "subs"), "--format", "junit", "-o", str(tmp_path / "out")]) == 0
    path = str(tmp_path / "out" / "junit.xml")
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    # 6 parts each for alice and bob, 1 error case for junk; bob fails a; c.iv is by hand for both
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("13", "1", "1", "2")
    suites = {Path(s.name).name: s for s in junitparser.JUnitXml.fromfile(path)}
    assert set(suites) == {"alice.yaml", "bob.yaml", "junk.yaml"}
    bob = {case.name: case for case in suites["bob.yaml"]}
    assert list(bob) == ["part a", "part b", "part c.i", "part c.ii", "part c.iii", "part c.iv"]
    [failure] = bob["part a"].result
    assert isinstance(failure, junitparser.Failure) and failure.message == "incorrect"
    assert "axis 1" in failure.text
    assert bob["part b"].is_passed and isinstance(bob["part c.iv"].result[0], junitparser.Skipped)
    properties = {p.name: p.value for p in suites["bob.yaml"].properties()}
    assert properties["score"] == "5" and properties["a.score"] == "0" and properties["c.iv.max_score"] == "1.5"
    [junk] = list(suites["junk.yaml"])
    assert isinstance(junk.result[0], junitparser.Error)


def test_bundle_runs_in_a_gradescope_layout(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert main(["gradescope-bundle", SEED, "-o", str(bundle), "--time-limit", "3"]) == 0
    again = tmp_path / "again.zip"
    assert main(["gradescope-bundle", SEED, "-o", str(again), "--time-limit", "3"]) == 0
    assert bundle.read_bytes() == again.read_bytes()
    root = tmp_path / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        archive.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "spec.yaml", "package/pyproject.toml",
            "package/grader/cli.py", "package/solver/key.py"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    (root / "submission" / "bob.yaml").write_text(BOB)
    (root / "submission" / "notes.pdf").write_bytes(b"%PDF not a submission")
    # the bundled copy of the package, not the repository, answers (as setup.sh installs it)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable,
           "PYTHONPATH": str(root / "source" / "package")}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 5 and len(data["tests"]) == 6


def test_bundle_dependencies_match_the_project():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert tuple(project["dependencies"]) == DEPENDENCIES


def _steps(workflow: dict, job: str) -> list[str]:
    """The shell commands of a job, installs left out (the grader is importable here)."""
    return [step["run"] for step in workflow["jobs"][job]["steps"]
            if "run" in step and not step.get("name", "").startswith("Install")]


def _bash(command: str, cwd, env: dict) -> None:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (command, done.stderr)


def test_workflow_shard_matrix_and_merge_run_locally(tmp_path):
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions-grading.yml").read_text())
    shards = workflow["jobs"]["grade-shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    repo = tmp_path / "repo"
    write_class(str(repo / "submissions"), 40, seed=3)
    shutil.copy(SEED, repo / "spec.yaml")
    env = {**ENV, **workflow["env"], "SPEC": "spec.yaml", "SUBMISSIONS": "submissions"}
    [pull_request] = _steps(workflow, "grade-pull-request")
    _bash(pull_request, repo, env)
    assert (repo / "grading" / "junit.xml").exists()
    merge_dir = tmp_path / "merge"
    for shard in shards:
        for command in _steps(workflow, "grade-shard"):
            _bash(command.replace("${{ matrix.shard }}", str(shard)), repo, env)
        shutil.copytree(repo / f"shard-{shard}", merge_dir / "shards" / f"shard-{shard}")  # the artifacts
    for command in _steps(workflow, "merge"):
        _bash(command, merge_dir, env)
    merged = json.loads((merge_dir / "gradebook" / "results.json").read_text())
    unsharded = json.loads((repo / "grading" / "results.json").read_text())
    assert merged == unsharded and len(merged["results"]) == 40
    ET.parse(merge_dir / "gradebook" / "junit.xml")


def _result(verdicts: dict, mistakes: dict | None = None, error=None) -> dict:
    parts = [{"id": pid, "verdict": verdict, "score": 0, "max_score": 1,
              "answers": {"shape": {"verdict": verdict, "score": 0, "max_score": 1, "feedback": "",
                                    **({"mistake": mistakes[pid]} if mistakes and pid in mistakes else {})}}}
             for pid, verdict in verdicts.items()]
    return {"submission": "x", "score": sum(v == "correct" for v in verdicts.values()),
            "max_score": 2, "error": error, "parts": [] if error else parts}


def test_summary_shares_and_named_mistakes():
    results = [_result({"a": "correct", "b": "incorrect"}, {"b": "swapped axes"}),
               _result({"a": "correct", "b": "incorrect"}, {"b": "swapped axes"}),
               _result({"a": "unparseable", "b": "partial"}, {"b": "off by one"}),
               _result({"a": "incorrect", "b": "correct"}),
               _result({}, error="not a readable file")]
    summary = summarize(results)
    assert (summary.graded, summary.errors) == (4, 1)
    text = render_summary(summary)
    # a: 2 of 4 correct, 1 unreadable, 1 wrong; b: 1 correct, 1 partial, 2 wrong
    assert "a          50.0%        0.0%       25.0%       25.0%" in text
    assert "b          25.0%       25.0%       50.0%        0.0%" in text
    assert "most common mistakes in part b:" in text
    assert text.index("2  shape: swapped axes") < text.index("1  shape: off by one")
    assert mistake_names({"mistakes": ["x", {"name": "y"}, 3]}) == ["x", "y"]


def test_summary_command_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    write_class(str(tmp_path / "class"), 30, seed=2)
    assert main([SEED, str(tmp_path / "class"), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 0
    plot = tmp_path / "plot.png"
    assert main(["summary", str(tmp_path / "out" / "results.json"), "--plot", str(plot)]) == 0
    assert "submissions graded" in capsys.readouterr().out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_install(tmp_path, capsys, monkeypatch):
    write_class(str(tmp_path / "class"), 3, seed=2, broken=0)
    monkeypatch.setitem(sys.modules, "matplotlib", None)         # import matplotlib raises ImportError
    assert main([SEED, str(tmp_path / "class"), "-o", str(tmp_path / "out"), "--plot",
                 str(tmp_path / "p.png")]) == 2
    assert "pip install 'cnn-homework[plot]'" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists() and (tmp_path / "out" / "gradebook.csv").exists()
