"""Batch mode (issue 13): a class graded in parallel, every file once, broken ones isolated.

The reference for "graded as one by one" is the non-batch path: one Grader
grading the files in turn with its caches off (each answer judged afresh).
A worker is killed by replacing the task the pool runs (``_grade_chunk``) with
one that SIGKILLs its own process on marked files; the workers are forked, so
they run the replacement.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import random
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml

import grader.batch as batch
from grader.cli import main
from grader.feedback.levels import DEFAULT_LEVEL
from grader.grading import Grader
from grader.sandbox import Sandbox
from grader.shards import parse_shard, ShardError, shard_of, submission_paths
from solver.key import build_key
from solver.spec.loading import load_problem
from synthetic_class import answers_for, write_class

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "problems" / "cnn" / "q1_1.yaml")
TIME_LIMIT = 0.5
#: About 1 s of summing (10^6 iterations): past TIME_LIMIT on any machine.
SLOW_VALUE = "f[1,j] = sum_{a=1}^{1000} sum_{b=1}^{999} x[1,1]"
GOOD = 480


def _sandbox_works() -> int:
    with Sandbox(time_limit=5) as sandbox:
        return sandbox.run(abs, -7)


def test_process_pool_executor_can_host_the_sandbox_and_pool_cannot():
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as executor:
        assert executor.submit(_sandbox_works).result() == 7
    with multiprocessing.get_context("fork").Pool(1) as pool:
        with pytest.raises(AssertionError, match="daemonic processes are not allowed to have children"):
            pool.apply(_sandbox_works)


def _killing_chunk(chunk):
    """The pool's task, dying on files named kill-always (every time) or kill-once (while a marker lasts)."""
    for _, path in chunk:
        name = os.path.basename(path)
        marker = path + ".marker"
        if "kill-always" in name or ("kill-once" in name and os.path.exists(marker)):
            if os.path.exists(marker):
                os.unlink(marker)
            os.kill(os.getpid(), signal.SIGKILL)
    return _ORIGINAL_CHUNK(chunk)


_ORIGINAL_CHUNK = batch._grade_chunk


def _yaml(student: str, answers: dict) -> str:
    return yaml.safe_dump({"problem": "q1.1", "student": student, "answers": answers}, sort_keys=False)


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """480 good submissions (2 of them kill their worker once) and 20 broken ones, in one directory."""
    directory = tmp_path_factory.mktemp("class")
    rng, serial = random.Random(500), [0]
    good = []
    for number in range(GOOD):
        name = f"good{number:03d}.yaml" if number not in (100, 300) else f"good{number:03d}-kill-once.yaml"
        (directory / name).write_text(_yaml(f"s{number}", answers_for(rng, serial)), encoding="utf-8")
        good.append(str(directory / name))
    broken = {}
    for number in range(5):
        broken[f"bad-yaml{number}.yaml"] = f"problem: q1.1\nanswers: {{a: [1, {number}\n"
    for number in range(4):
        broken[f"binary{number}.yaml"] = bytes(random.Random(number).randrange(256) for _ in range(300))
    for number in range(3):
        broken[f"slow{number}.yaml"] = _yaml(f"slow{number}", {"c.i": {"shape": "1 x 2", "value": SLOW_VALUE}})
    for number in range(2):
        broken[f"kill-always{number}.yaml"] = _yaml(f"killer{number}", {"a": "4 x 5"})
        broken[f"huge{number}.yaml"] = "problem: q1.1\nanswers:\n  a: '" + "4 x 5 " * 1_750_000 + "'\n"
    broken["list.yaml"] = "- a\n- b\n"
    broken["empty.yaml"] = ""
    broken["not-q1.json"] = '{"problem": "q9", "answers": {}}'
    for name, content in broken.items():
        path = directory / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    os.mkfifo(directory / "fifo.yaml")
    (directory / "notes.txt").write_text("not a submission: not walked")
    assert len(broken) + 1 == 20
    return directory, good


def _marks(good):
    for path in good:
        if "kill-once" in path:
            Path(path + ".marker").touch()


def _one_by_one(paths):
    # the command line's feedback level, which batch mode applies too
    with Grader(build_key(load_problem(SEED)), time_limit=TIME_LIMIT, cache=False, feedback=DEFAULT_LEVEL) as grader:
        return {path: grader.grade_path(path).to_data() for path in paths}


@pytest.mark.parametrize("jobs", [1, 3])
def test_hostile_batch_every_file_once_good_ones_as_alone(hostile_class, tmp_path, monkeypatch, jobs):
    directory, good = hostile_class
    monkeypatch.setattr(batch, "_grade_chunk", _killing_chunk)
    _marks(good)
    out = tmp_path / "out"
    assert main([SEED, str(directory), "-o", str(out), "--jobs", str(jobs), "--time-limit", str(TIME_LIMIT)]) == 0
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500
    assert sorted(r["submission"] for r in rows) == sorted(submission_paths([str(directory)]))
    results = {r["submission"]: r for r in json.loads((out / "results.json").read_text())["results"]}
    assert len(results) == 500
    assert not any(Path(p + ".marker").exists() for p in good)     # both kill-once files did kill a worker
    expected = _one_by_one(good)
    for path in good:
        assert results[path] == expected[path], path
    by_name = {os.path.basename(p): r for p, r in results.items()}
    for name, result in by_name.items():
        if name.startswith(("bad-yaml", "binary", "huge", "list", "empty", "not-q1", "fifo")):
            assert result["error"] and result["score"] == 0 and result["parts"] == [], name
    assert "died" in by_name["kill-always0.yaml"]["error"] and "alone" in by_name["kill-always1.yaml"]["error"]
    assert "not a regular file" in by_name["fifo.yaml"]["error"] or "FIFO" in by_name["fifo.yaml"]["error"]
    for number in range(3):
        value = {p["id"]: p for p in by_name[f"slow{number}.yaml"]["parts"]}["c.i"]["answers"]["value"]
        assert value["verdict"] == "unparseable" and "too long" in value["feedback"]
        assert by_name[f"slow{number}.yaml"]["score"] == 0.5      # its right shape still counts


def test_rerun_and_other_jobs_give_the_same_bytes(tmp_path):
    paths = write_class(str(tmp_path / "class"), 120, seed=5, broken=0.05)
    outputs = []
    for jobs in (1, 2, 2):
        out = tmp_path / f"out{len(outputs)}"
        assert main([SEED, str(tmp_path / "class"), "-o", str(out), "--jobs", str(jobs), "--format", "junit"]) == 0
        outputs.append({name: (out / name).read_bytes() for name in ("results.json", "gradebook.csv", "junit.xml")})
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0]["results.json"])["results"]) == len(paths)
    assert sorted(os.listdir(tmp_path / "out0")) == ["gradebook.csv", "junit.xml", "results.json"]  # no temp left


def test_shards_merged_equal_the_unsharded_run(tmp_path, capsys):
    class_dir = str(tmp_path / "class")
    paths = write_class(class_dir, 90, seed=7, broken=0.05)
    assert main([SEED, class_dir, "-o", str(tmp_path / "all"), "--jobs", "2"]) == 0
    shard_results = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}"
        assert main([SEED, class_dir, "-o", str(out), "--shard", f"{index}/3", "--jobs", "2"]) == 0
        data = json.loads((out / "results.json").read_text())
        assert data["run"]["shard"] == f"{index}/3"
        assert all(shard_of(r["submission"], 3) == index for r in data["results"])
        shard_results.append(data["results"])
    assert all(shard_results) and sum(map(len, shard_results)) == len(paths)
    files = [str(tmp_path / f"shard{i}" / "results.json") for i in (3, 1, 2)]      # any order
    assert main(["merge", *files, "-o", str(tmp_path / "merged")]) == 0
    for name in ("results.json", "gradebook.csv"):
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()
    capsys.readouterr()
    assert main(["merge", *files[:2], "-o", str(tmp_path / "incomplete")]) == 2
    assert "a shard is missing" in capsys.readouterr().err
    assert not (tmp_path / "incomplete").exists()
    assert main(["merge", files[0], files[0], "-o", str(tmp_path / "twice")]) == 2
    assert "given twice" in capsys.readouterr().err


def test_shard_hash_is_stable_and_spread():
    # SHA-256 of b"subs/a.yaml": its first 8 bytes, big-endian, modulo 3, plus 1 (computed independently)
    import hashlib
    digest = hashlib.sha256(b"subs/a.yaml").digest()
    assert shard_of("subs/a.yaml", 3) == int(digest[:8].hex(), 16) % 3 + 1
    counts = [0, 0, 0]
    for number in range(3000):
        counts[shard_of(f"subs/s{number}.yaml", 3) - 1] += 1
    assert all(900 < count < 1100 for count in counts)
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "3", "a/b", "-1/2"):
        with pytest.raises(ShardError):
            parse_shard(bad)


def test_directories_walked_in_sorted_order_each_file_once(tmp_path):
    for name in ("b.yaml", "a.json", "c.txt", "sub/z.yml", "sub/a.yaml", ".hidden.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    root = str(tmp_path)
    assert submission_paths([root, os.path.join(root, "b.yaml"), root + "/./b.yaml"]) == [
        os.path.join(root, "a.json"), os.path.join(root, "b.yaml"),
        os.path.join(root, "sub", "a.yaml"), os.path.join(root, "sub", "z.yml")]
    assert submission_paths([os.path.join(root, "missing.yaml")]) == [os.path.join(root, "missing.yaml")]


def test_gradebook_columns_and_escaped_names(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "x.yaml").write_text(
        _yaml("=HYPERLINK(\"http://evil\")\nforged,row", {"a": "4 x 5", "c.i": {"shape": "2"}}))
    assert main([SEED, str(tmp_path / "subs"), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 0
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["submission", "student", "problem", "a", "b", "c.i", "c.ii", "c.iii", "c.iv",
                       "total", "max_score", "pending_manual", "error"]
    assert len(rows) == 2
    # by hand: a right (1), c.i's shape "2" is wrong without allow_squeeze, the rest missing
    assert rows[1][3:12] == ["1", "0", "0", "0", "0", "0", "1", "6.5", "0"]
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")\\nforged,row"


def test_fail_under_both_ways(tmp_path, capsys):
    from test_grader_cli import FULL
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "alice.yaml").write_text(FULL)
    # alice: 6 of the 6 automatic points (0.5 more by hand) -> 1.0
    assert main([SEED, str(tmp_path / "good"), "-o", str(tmp_path / "o1"), "--fail-under", "1"]) == 0
    (tmp_path / "good" / "bob.yaml").write_text(FULL.replace("a: 4 x 5", "a: 5 x 4"))
    # bob: 5 of 6 = 0.833 < 0.9
    assert main([SEED, str(tmp_path / "good"), "-o", str(tmp_path / "o2"), "--fail-under", "0.9"]) == 1
    assert "1 of 2 submissions scored below 0.9" in capsys.readouterr().err
    assert main([SEED, str(tmp_path / "good"), "-o", str(tmp_path / "o3"), "--fail-under", "0.8"]) == 0
    assert (tmp_path / "o2" / "gradebook.csv").exists()     # the gate fails after writing the outputs


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    write_class(str(tmp_path / "class"), 10, seed=1)
    assert main([SEED, str(tmp_path / "class"), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == ""


def test_batch_usage_errors(tmp_path, capsys):
    assert main([SEED, str(tmp_path), "--jobs", "2"]) == 2
    assert "batch mode needs -o OUT_DIR" in capsys.readouterr().err
    assert main([SEED, str(tmp_path), "-o", str(tmp_path / "o"), "--shard", "4/3"]) == 2
    assert "1 <= I <= N" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([SEED, str(tmp_path), "-o", str(tmp_path / "o"), "--fail-under", "1.5"])


def test_sandbox_worker_exits_when_its_parent_is_killed(tmp_path):
    import subprocess
    import sys
    import time
    script = ("import os, signal\nfrom grader.sandbox import Sandbox\n"
              "sandbox = Sandbox(time_limit=5)\nsandbox.run(abs, -1)\n"
              "print(sandbox.worker_pid, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the orphaned sandbox worker was still running 10 s after its parent died")


_VARIANTS: dict = {}


def _key_for(submission, key):
    """Issue 12's hook: student 'v' has a variant of the seed whose part a has a 12 x 11 input."""
    return _VARIANTS["v"] if submission.student == "v" else key


def test_key_for_hook_picks_a_key_per_submission(tmp_path):
    variant = tmp_path / "variant.yaml"
    seed_text = Path(SEED).read_text()
    assert "base: 10}" in seed_text                    # part a's H, 10 in the original homework
    variant.write_text(seed_text.replace("base: 10}", "base: 12}"))
    _VARIANTS["v"] = build_key(load_problem(str(variant)))
    from test_grader_cli import FULL
    paths = []
    for student in ("alice", "v"):
        path = tmp_path / f"{student}.yaml"
        path.write_text(FULL.replace("student: alice", f"student: {student}"))
        paths.append(str(path))
    results = batch.grade_batch(build_key(load_problem(SEED)), paths, jobs=2,
                                settings=batch.BatchSettings(key_for=_key_for))
    # a: floor((10-3)/2)+1 = 4 x 5 for the seed; floor((12-3)/2)+1 = 5 x 5 for the variant
    verdicts = [{p["id"]: p["verdict"] for p in r["parts"]}["a"] for r in results]
    assert verdicts == ["correct", "incorrect"]
    assert [r["score"] for r in results] == [6, 5]
