"""Hostile submissions: each ends with a clear verdict or a submission error, fast, with no side effect.

Every answer below is graded through one :class:`Grader` with a 2 s limit per
answer (the sandbox kills its worker 1 s later), so 10 s per case leaves a
wide margin. Injection attempts try to create files in a directory that the
test owns; the test checks that nothing appears there. A few files also go
through the command line, which must exit 0 without a traceback.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
TIME_LIMIT = 2.0
WALL_LIMIT = 10.0
#: Placeholder replaced by a path inside the test's own directory.
PWN = "PWNED_PATH"

UNPARSEABLE, INCORRECT, MISSING, MANUAL = "unparseable", "incorrect", "missing", "manual"
REJECTED = frozenset({UNPARSEABLE, INCORRECT})
CORRECT_I = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k]"


@dataclass(frozen=True)
class Hostile:
    """One hostile answer to ``part``/``item`` and the verdicts that count as handled."""

    name: str
    part: str
    item: str
    answer: object
    allowed: frozenset = REJECTED


def _nested_list(depth: int) -> list:
    inner: list = [4, 5]
    for _ in range(depth):
        inner = [inner]
    return inner


_JUNK = bytes(range(256)).decode("latin-1")
_MEGABYTE = 1 << 20

HOSTILE = [
    # --- code injection: the answer text must never reach eval/exec or a shell
    Hostile("import-os-system value", "c.i", "value",
            f"__import__('os').system('touch {PWN}')"),
    Hostile("import-os-system shape", "a", "shape",
            f"__import__('os').system('touch {PWN}') x 5"),
    Hostile("import-os-system in a symbolic shape", "b", "shape",
            f"F x __import__('os').system('touch {PWN}') x W"),
    Hostile("relative touch", "a", "shape", "__import__('os').system('touch PWNED_FILE')"),
    Hostile("eval", "c.i", "value", f"f[1,j] = eval(\"__import__('os').system('touch {PWN}')\")"),
    Hostile("exec", "a", "shape", f"exec('open(\"{PWN}\", \"w\")') x 5"),
    Hostile("lambda", "c.i", "value", f"(lambda: __import__('os').system('touch {PWN}'))()"),
    Hostile("open-write", "c.ii", "value", f"df[1,j]/dW[1,c,k] = open('{PWN}', 'w').write('x')"),
    Hostile("dunder subclasses", "c.i", "value", "().__class__.__bases__[0].__subclasses__()"),
    Hostile("dunder globals", "a", "shape", "x.__class__.__init__.__globals__ x 5"),
    Hostile("builtins", "c.i", "value", "f[1,j] = __builtins__"),
    Hostile("sympify call", "c.iii", "value", f"df[1,j]/dx[c,l] = sympify(\"__import__('os').system('touch {PWN}')\")"),
    Hostile("shell substitution", "a", "shape", f"$(touch {PWN}) x `touch {PWN}`"),
    Hostile("format-string attribute", "a", "shape", "{0.__class__.__mro__} x 5"),
    Hostile("python yaml tag inside text", "a", "shape",
            f"!!python/object/apply:os.system ['touch {PWN}']"),
    Hostile("import statement", "c.iv", "value", "import os; os.system('true')"),
    # --- huge numbers and work
    Hostile("power tower 9**9**9**9", "a", "shape", "9**9**9**9 x 5"),
    Hostile("power tower 10**10**10", "a", "shape", "10**10**10 x 5"),
    Hostile("power tower in a value", "c.i", "value", "f[1,j] = 10**10**10"),
    Hostile("power tower as an index", "c.i", "value", "f[1,j] = x[1, 10**10**10]"),
    Hostile("caret tower 2^2^2^2^2^2^2", "b", "shape", "F x 2^2^2^2^2^2^2 x W"),
    Hostile("floor of a tower", "a", "shape", "floor(10**10**10/3) x 5"),
    Hostile("factorial(10**9) shape", "a", "shape", "factorial(10**9) x 5"),
    Hostile("factorial(10**9) value", "c.i", "value", "f[1,j] = factorial(10**9) x[1,j]"),
    Hostile("5000-digit integer text", "a", "shape", "9" * 5000 + " x 5"),
    Hostile("5000-digit integer in a value", "c.i", "value", "f[1,j] = " + "9" * 5000 + " x[1,j]"),
    Hostile("100-digit YAML int", "a", "shape", [10 ** 100, 5]),
    Hostile("5000-digit YAML int", "a", "shape", [10 ** 5000, 5]),
    Hostile("overflowing float literal", "a", "shape", "1e308*10 x 5"),
    Hostile("infinity words", "a", "shape", "oo x inf"),
    Hostile("nan word", "a", "shape", "nan x 5"),
    Hostile("division by zero in a shape", "a", "shape", "1/0 x 5"),
    Hostile("zero to a negative power", "a", "shape", "0**-1 x 5"),
    Hostile("division by zero in a value", "c.i", "value", "f[1,j] = x[1,j]/0"),
    Hostile("Sum to 10**12", "c.i", "value", "Sum(x[1,k], (k, 1, 10**12))"),
    Hostile("sum to 10^9", "c.i", "value", "f[1,j] = sum_{k=1}^{10^9} x[1,k]"),
    Hostile("sum to a tower", "c.i", "value", "f[1,j] = sum_{k=1}^{10^{10^{10}}} x[1,k]"),
    Hostile("LaTeX sum to 10^{100}", "c.iv", "value", "dl/dW[1,c,k] = \\sum_{j=1}^{10^{100}} g_{1,j}"),
    Hostile("Sum to infinity", "c.i", "value", "f[1,j] = Sum(x[1,k], (k, 1, oo))"),
    Hostile("three nested sums of 1000", "c.i", "value",
            "f[1,j] = sum_{a=1}^{1000} sum_{b=1}^{1000} sum_{q=1}^{1000} x[1,1]"),
    Hostile("3000 nested sums", "c.i", "value", "f[1,j] = " + "sum_{k=1}^{3} " * 3000 + "x[1,k]"),
    # --- deep nesting and long inputs
    Hostile("parentheses 10^4 deep (shape)", "a", "shape", "(" * 10 ** 4 + "3" + ")" * 10 ** 4 + " x 5"),
    Hostile("parentheses 10^5 deep (shape)", "a", "shape", "(" * 10 ** 5 + "3" + ")" * 10 ** 5 + " x 5"),
    Hostile("parentheses 10^4 deep (value)", "c.i", "value",
            "f[1,j] = " + "(" * 10 ** 4 + "x[1,j]" + ")" * 10 ** 4),
    Hostile("parentheses 10^5 deep (value)", "c.i", "value",
            "f[1,j] = " + "(" * 10 ** 5 + "x[1,j]" + ")" * 10 ** 5),
    Hostile("10^5 open brackets", "c.i", "value", "[" * 10 ** 5),
    Hostile("frac nested 5000 deep", "a", "shape", "\\frac{1}{" * 5000 + "2" + "}" * 5000 + " x 5"),
    Hostile("floor nested 10^4 deep", "a", "shape", "floor(" * 10 ** 4 + "4" + ")" * 10 ** 4 + " x 6"),
    # under the parser's length cap, so that these reach the parser and the evaluator
    Hostile("parentheses 995 deep (shape)", "a", "shape", "(" * 995 + "3" + ")" * 995 + " x 5"),
    Hostile("parentheses 990 deep (value)", "c.i", "value",
            "f[1,j] = " + "(" * 990 + "x[1,j]" + ")" * 990),
    Hostile("brackets 330 deep", "c.i", "value", "f[1,j] = " + "x[" * 330 + "1" + "]" * 330),
    Hostile("floor nested 280 deep", "a", "shape", "floor(" * 280 + "3" + ")" * 280 + " x 5"),
    Hostile("LaTeX frac nested 180 deep", "a", "shape", "\\frac{1}{" * 180 + "2" + "}" * 180 + " x 5"),
    Hostile("140 nested sums of 9 terms", "c.i", "value", "f[1,j] = " + "sum_{k=1}^{9} " * 140 + "x[1,k]"),
    # just inside the parser's token and nesting limits: the evaluator's work limit must stop these
    Hostile("45 nested sums of 9 terms", "c.i", "value", "f[1,j] = " + "sum_{k=1}^{9} " * 45 + "x[1,k]"),
    Hostile("45 nested sums in a value with LHS indices", "c.iv", "value",
            "dl/dW[1,c,k] = " + "".join(f"sum_{{q{n}=1}}^{{9}} " for n in range(45)) + "g[1,1] x[c,k]"),
    Hostile("parentheses 45 deep", "a", "shape", "(" * 45 + "3" + ")" * 45 + " x 5"),
    Hostile("sum bound growing with j", "c.i", "value", "f[1,j] = sum_{k=1}^{j*10^30} x[1,1]"),
    Hostile("power of powers (each exponent small)", "a", "shape", "((((((2^64)^64)^64)^64)^64)^64) x 5"),
    Hostile("power of powers in a value", "c.i", "value", "f[1,j] = ((((((9^64)^64)^64)^64)^64)^64) x[1,j]"),
    Hostile("product of 240 big numbers", "b", "shape", "F x (" + "*".join(["(10^30)"] * 240) + ") x W"),
    Hostile("1900 implicit factors", "c.i", "value", "f[1,j] = " + "j" * 1900),
    Hostile("x+ 50000 times then x", "c.i", "value", "x+" * 50000 + "x"),
    Hostile("x+ 50000 times (trailing +)", "c.i", "value", "x+" * 50000),
    Hostile("x+ 50000 times as a shape", "a", "shape", "x+" * 50000),
    Hostile("100000-letter implicit product", "c.i", "value", "f[1,j] = " + "j" * 100000),
    Hostile("1 MB of digits", "a", "shape", "1" * _MEGABYTE),
    Hostile("1 MB sum of entries", "c.i", "value",
            "f[1,j] = " + "x[1,1] + " * (_MEGABYTE // 9) + "x[1,1]"),
    Hostile("1 MB of letters", "c.iii", "value", "a" * _MEGABYTE),
    # --- bytes and characters
    Hostile("NUL byte in a shape", "a", "shape", "4 x 5\x00"),
    Hostile("NUL byte in a value", "c.i", "value", "f[1,j] = \x00x[1,j]"),
    Hostile("binary junk shape", "a", "shape", _JUNK),
    Hostile("binary junk value", "c.ii", "value", _JUNK * 4),
    Hostile("lone surrogate", "a", "shape", "4 x 5\ud800"),
    Hostile("Cyrillic x as separator", "a", "shape", "4 \u0445 5"),
    Hostile("Cyrillic x as the input tensor", "c.i", "value",
            "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] \u0445[c,2(j-1)+k]"),
    Hostile("Cyrillic s in sum", "c.i", "value",
            "f[1,j] = \u0455um_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k]"),
    Hostile("right-to-left override", "a", "shape", "\u202e5 x 4"),
    # --- answers of the wrong type
    Hostile("shape as a mapping", "a", "shape", {"rows": 4, "cols": 5}),
    Hostile("shape nested list", "a", "shape", [[4, 5]]),
    Hostile("shape of booleans", "a", "shape", [True, False]),
    Hostile("shape with null", "a", "shape", [None, 5]),
    Hostile("shape with a fraction", "a", "shape", [4.5, 5]),
    Hostile("shape with nan", "a", "shape", [float("nan"), 5]),
    Hostile("shape with infinity", "a", "shape", [float("inf"), 5]),
    Hostile("shape with a mapping inside", "a", "shape", [4, {"y": None}]),
    Hostile("shape list of 10^5 numbers", "a", "shape", list(range(10 ** 5))),
    Hostile("shape list of 10^6 numbers", "a", "shape", [7] * 10 ** 6),
    Hostile("shape list nested 10^4 deep", "a", "shape", _nested_list(10 ** 4)),
    Hostile("value as a mapping", "c.i", "value", {"lhs": "f[1,j]", "rhs": "x[1,j]"}),
    Hostile("value as a list", "c.i", "value", [CORRECT_I]),
    Hostile("value as bytes", "c.i", "value", CORRECT_I.encode()),
    Hostile("value as a set", "c.i", "value", {1, 2}),
    Hostile("value as a date", "c.i", "value", datetime.date(2024, 1, 31)),
    Hostile("value as a huge int", "c.i", "value", 10 ** 5000),
    Hostile("explanation as a mapping", "c.iv", "explanation", {"text": "both correlate"},
            frozenset({UNPARSEABLE})),
    Hostile("explanation as a list", "c.iv", "explanation", ["both", "correlate"],
            frozenset({UNPARSEABLE})),
    Hostile("explanation of 1 MB", "c.iv", "explanation", "because " * (_MEGABYTE // 8),
            frozenset({MANUAL, UNPARSEABLE})),
]


@pytest.fixture(scope="module")
def sandbox_dir(tmp_path_factory):
    """An empty directory that is the working directory while the module's grader runs."""
    directory = tmp_path_factory.mktemp("adversarial-cwd")
    previous = os.getcwd()
    os.chdir(directory)
    yield directory
    os.chdir(previous)


@pytest.fixture(scope="module")
def seed_key():
    from solver.key import build_key
    from solver.spec.loading import load_problem
    return build_key(load_problem(SEED))


@pytest.fixture(scope="module")
def grader(seed_key, sandbox_dir):
    from grader.grading import Grader
    instance = Grader(seed_key, time_limit=TIME_LIMIT)  # its worker starts inside sandbox_dir
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def pwn_path(tmp_path_factory):
    return tmp_path_factory.mktemp("adversarial-target") / "PWNED"


def _with_path(value, path: str):
    return value.replace(PWN, path) if isinstance(value, str) else value


def _submit(answers, indexing=None):
    from grader.submission import submission_from_data
    return submission_from_data({"problem": "q1.1", "answers": answers, "indexing": indexing})


def _timed(fn, *args):
    start = time.monotonic()
    value = fn(*args)
    return value, time.monotonic() - start


def test_there_are_enough_hostile_cases():
    assert len(HOSTILE) >= 35


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_answer_gets_a_clear_verdict(grader, sandbox_dir, pwn_path, case):
    answer = _with_path(case.answer, str(pwn_path))
    result, elapsed = _timed(grader.grade, _submit({case.part: {case.item: answer}}))
    assert elapsed < WALL_LIMIT, f"{case.name}: took {elapsed:.1f} s"
    assert result.error is None, result.error
    [part] = [p for p in result.parts if p.id == case.part]
    [graded] = [a for a in part.answers if a.item == case.item]
    assert graded.verdict in case.allowed, (case.name, graded.verdict, graded.feedback)
    assert graded.score == 0
    assert isinstance(graded.feedback, str) and graded.feedback.strip()
    assert "Traceback" not in graded.feedback
    assert not pwn_path.exists(), f"{case.name} created {pwn_path}"
    assert os.listdir(sandbox_dir) == [], f"{case.name} wrote {os.listdir(sandbox_dir)}"


def test_grader_still_grades_after_the_hostile_cases(grader):
    result = grader.grade(_submit({"a": "4 x 5", "c.i": {"shape": "1 x 2", "value": CORRECT_I}}))
    verdicts = {p.id: p.verdict for p in result.parts}
    assert verdicts["a"] == "correct" and verdicts["c.i"] == "correct"


def test_odd_part_and_item_keys_are_noted_not_graded(grader):
    answers = {"__class__": "x", "a": {"__init__": 1}, "c.i": {1: "1 x 2"},
               **{f"zz{n}": "1" for n in range(10 ** 4)}}
    result, elapsed = _timed(grader.grade, _submit(answers))
    assert elapsed < WALL_LIMIT
    assert result.error is None and result.notes
    verdicts = {p.id: p.verdict for p in result.parts}
    assert verdicts["a"] == MISSING and verdicts["c.i"] == MISSING


def test_whole_part_given_as_a_list(grader):
    result = grader.grade(_submit({"c.i": ["1 x 2", CORRECT_I]}))
    assert result.error is None
    [part] = [p for p in result.parts if p.id == "c.i"]
    # a bare value answers the first asked item (shape): two axes, the second is not a size
    assert {a.item: a.verdict for a in part.answers}["shape"] in REJECTED


# --- submissions that are not submissions ---------------------------------------------------

BAD_DATA = [
    ("a list", ["a", "b"]),
    ("a number", 42),
    ("nothing", None),
    ("a string", "problem: q1.1"),
    ("problem as a list", {"problem": ["q1.1"], "answers": {}}),
    ("problem missing", {"answers": {"a": "4 x 5"}}),
    ("answers as a string", {"problem": "q1.1", "answers": "4 x 5"}),
    ("answers as a list", {"problem": "q1.1", "answers": ["4 x 5"]}),
    ("indexing as a word", {"problem": "q1.1", "indexing": "zero", "answers": {}}),
    ("indexing as a boolean", {"problem": "q1.1", "indexing": True, "answers": {}}),
    ("indexing 2", {"problem": "q1.1", "indexing": 2, "answers": {}}),
    ("student as a mapping", {"problem": "q1.1", "student": {"name": "x"}, "answers": {}}),
    ("unknown field", {"problem": "q1.1", "answers": {}, "__class__": "x"}),
]


@pytest.mark.parametrize("name,data", BAD_DATA, ids=[n for n, _ in BAD_DATA])
def test_bad_submission_data_is_a_submission_error(name, data):
    from grader.submission import SubmissionError, submission_from_data
    with pytest.raises(SubmissionError) as raised:
        submission_from_data(data)
    assert str(raised.value).strip()


def test_submission_for_another_problem_is_an_error(grader):
    from grader.submission import submission_from_data
    result = grader.grade(submission_from_data({"problem": "q9.9", "answers": {"a": "4 x 5"}}))
    assert result.error and "q9.9" in result.error and result.parts == ()


BILLION_LAUGHS = "\n".join(
    ["problem: q1.1", 'l0: &l0 "lol"']
    + [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 10)]
    + ["answers:", "  a: *l9", ""])

BAD_FILES = [
    ("billion-laughs.yaml", BILLION_LAUGHS.encode()),
    ("list.yaml", b"- a\n- b\n"),
    ("number.yaml", b"42\n"),
    ("empty.yaml", b""),
    ("not-utf8.yaml", b"problem: q1.1\nanswers:\n  a: \xff\xfe\x80 x 5\n"),
    ("junk.yaml", bytes(range(256)) * 64),
    ("python-tag.yaml", f"problem: q1.1\nanswers:\n  a: !!python/object/apply:os.system ['touch {PWN}']\n".encode()),
    ("deep.yaml", b"problem: q1.1\nanswers:\n  a: " + b"[" * 10 ** 5 + b"]" * 10 ** 5 + b"\n"),
    ("duplicate-keys.yaml", b"problem: q1.1\nanswers:\n  a: 4 x 5\n  a: 5 x 4\n"),
    ("too-big.yaml", b"problem: q1.1\nanswers:\n  a: '" + b"4" * (6 * _MEGABYTE) + b"'\n"),
    ("wrong-types.json", b'{"problem": 1.5, "answers": [1, 2]}'),
    ("truncated.json", b'{"problem": "q1.1", "answers": {"a": "4 x 5"'),
    ("huge-int.yaml", b"problem: q1.1\nanswers:\n  a: [" + b"9" * 5000 + b", 5]\n"),
    ("huge-int.json", b'{"problem": "q1.1", "answers": {"a": [' + b"9" * 5000 + b', 5]}}'),
]


@pytest.mark.parametrize("name,content", BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_bad_submission_file_is_reported(grader, tmp_path, pwn_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.replace(PWN.encode(), str(pwn_path).encode()))
    result, elapsed = _timed(grader.grade_path, str(path))
    assert elapsed < WALL_LIMIT, f"{name}: took {elapsed:.1f} s"
    assert result.error and result.error.strip() and result.parts == ()
    assert "Traceback" not in result.error
    assert result.score == 0 and result.max_score == pytest.approx(6.5)
    assert not pwn_path.exists()


# --- the command line -----------------------------------------------------------------------

def _run_cli(cwd: Path, *paths: str) -> tuple[subprocess.CompletedProcess, float]:
    command = [sys.executable, "-m", "grader", str(SEED), *paths, "--format", "json",
               "--time-limit", str(TIME_LIMIT)]
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - start


def test_cli_hostile_answers_file(tmp_path, pwn_path):
    hostile = {
        "problem": "q1.1",
        "answers": {
            "a": f"__import__('os').system('touch {pwn_path}')",
            "b": "F x eval('1') x W",
            "c.i": {"shape": "().__class__.__bases__[0]", "value": "(lambda: 0)()"},
            "c.ii": {"value": "f[1,j] = 9**9**9**9"},
            "c.iii": {"value": "x+" * 50000},
        },
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile), encoding="utf-8")
    done, elapsed = _run_cli(tmp_path, str(path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < WALL_LIMIT
    [result] = json.loads(done.stdout)["results"]
    assert result["error"] is None and result["score"] == 0
    verdicts = {(p["id"], item): a["verdict"] for p in result["parts"]
                for item, a in p["answers"].items()}
    for where in [("a", "shape"), ("b", "shape"), ("c.i", "shape"), ("c.i", "value"),
                  ("c.ii", "value"), ("c.iii", "value")]:
        assert verdicts[where] in REJECTED, (where, verdicts[where])
    assert not pwn_path.exists()
    assert sorted(os.listdir(tmp_path)) == ["hostile.json"]


def test_cli_broken_files(tmp_path, pwn_path):
    chosen = ["billion-laughs.yaml", "not-utf8.yaml", "list.yaml", "empty.yaml",
              "python-tag.yaml", "junk.yaml"]
    contents = dict(BAD_FILES)
    paths = []
    for name in chosen:
        path = tmp_path / name
        path.write_bytes(contents[name].replace(PWN.encode(), str(pwn_path).encode()))
        paths.append(str(path))
    done, elapsed = _run_cli(tmp_path, *paths)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < WALL_LIMIT
    results = json.loads(done.stdout)["results"]
    assert [Path(r["submission"]).name for r in results] == chosen
    for result in results:
        assert result["error"], result
        assert result["parts"] == [] and result["score"] == 0
    assert not pwn_path.exists()


def test_cli_json_with_a_huge_integer(tmp_path):
    path = tmp_path / "huge-int.json"
    path.write_bytes(dict(BAD_FILES)["huge-int.json"])
    done, elapsed = _run_cli(tmp_path, str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and elapsed < WALL_LIMIT
    [result] = json.loads(done.stdout)["results"]
    assert result["error"]


def test_cli_missing_file_is_reported(tmp_path):
    done, elapsed = _run_cli(tmp_path, str(tmp_path / "does-not-exist.yaml"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and elapsed < WALL_LIMIT
    [result] = json.loads(done.stdout)["results"]
    assert result["error"]
