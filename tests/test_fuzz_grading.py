"""Fuzzing the parser and the grader: grammar-based answers, byte-level answers and files.

Every generated answer is graded through a :class:`Grader` with a 1 s limit
per answer, and must end in one of the documented verdicts (never an internal
error, never an exception) within the limit plus the sandbox's hard-deadline
grace. Generated files must give a result (graded, or an ``error``), never an
exception, and the reports must render them. The run is bounded (hypothesis
``max_examples``) to well under a minute; set ``FUZZ_SCALE=10`` for a longer
run and ``-s`` to see the slowest inputs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.grading import Grader
from grader.reports import REPORTERS
from grader.results import VERDICTS
from grader.sandbox import HARD_DEADLINE_GRACE, Sandbox, SandboxTimeout
from grader.submission import submission_from_data
from solver.key import build_key
from solver.notation import NotationError, parse_equation, parse_expression, parse_shape
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
NUMERIC = ROOT / "problems" / "cnn" / "conv_numeric.yaml"
TIME_LIMIT = 1.0
#: An answer may take the limit, the grace before the worker is killed, and a restart.
WALL_LIMIT = TIME_LIMIT + HARD_DEADLINE_GRACE + 1.5
#: Seconds one direct parse may take in the parser fuzz before it is stopped and recorded.
PARSE_LIMIT = 0.5
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
SEED_TARGETS = [("a", "shape"), ("b", "shape"), ("c.i", "shape"), ("c.i", "value"),
                ("c.ii", "value"), ("c.iii", "value"), ("c.iv", "value"), ("c.iv", "explanation")]
NUMERIC_TARGETS = [("a.i", "numeric"), ("a.iv", "numeric"), ("b.iii", "params"), ("a.i", "shape")]

SLOWEST: list[tuple[float, str, object]] = []


def _fuzz_settings(examples: int):
    # derandomized: CI runs the same examples every time; FUZZ_SCALE > 1 explores further
    return settings(max_examples=examples * SCALE, deadline=None, database=None,
                    derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def graders():
    seed = Grader(build_key(load_problem(SEED)), time_limit=TIME_LIMIT)
    numeric = Grader(build_key(load_problem(NUMERIC)), time_limit=TIME_LIMIT)
    yield {"q1.1": seed, "conv-numeric": numeric}
    seed.close()
    numeric.close()


@pytest.fixture(scope="module", autouse=True)
def _show_slowest():
    yield
    print("\nslowest fuzz inputs:")
    for seconds, where, answer in SLOWEST[-8:]:
        print(f"  {seconds:.2f} s  {where}  {answer!r:.300}")


def _record(seconds: float, where: str, answer) -> None:
    SLOWEST.append((seconds, where, answer))
    SLOWEST.sort(key=lambda entry: entry[0])
    del SLOWEST[:-20]


# --- the grammar -------------------------------------------------------------------------

SYMBOLS = list("HKPSDWFCjkcl") + ["N", "E", "x", "g"]
TENSORS = ["x", "W", "g", "f", "b"]
OPERATORS = [" + ", " - ", "*", " * ", "/", "^", "**", "·", "×", " x ", "−", "%", "//", ""]


def _number() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-3, 99).map(str), st.integers(0, 10 ** 35).map(str),
                     st.sampled_from(["0", "1", "2.5", "1e308", "1e-9", "10^30", "2^64", "9**9", "oo"]))


def _wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One grammar step around already generated expressions."""
    pair = st.tuples(inner, inner)
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"floor({e})"), inner.map(lambda e: f"ceil({e})"),
        inner.map(lambda e: f"⌊{e}⌋"), inner.map(lambda e: f"\\left\\lceil {e} \\right\\rceil"),
        st.tuples(inner, st.sampled_from(["2", "3", "64", "-1", "1/2", "H", "(H+1)"])).map(
            lambda t: f"({t[0]})^{t[1]}"),
        pair.map(lambda t: f"\\frac{{{t[0]}}}{{{t[1]}}}"),
        pair.map(lambda t: f"max({t[0]}, {t[1]})"),
        pair.map(lambda t: f"delta({t[0]}, {t[1]})"),
        st.tuples(inner, st.sampled_from(["3", "9", "10^6", "j", "H", "10^{30}"])).map(
            lambda t: f"sum_{{k=1}}^{{{t[1]}}} {t[0]}"),
        st.tuples(inner, st.sampled_from(["3", "1000", "10^6"])).map(
            lambda t: f"Sum({t[0]}, (k, 1, {t[1]}))"),
        inner.map(lambda e: f"{e} if 1 <= {e} <= 3 else 0"),
        inner.map(lambda e: f"[1 <= {e} <= 3] {e}"),
        st.tuples(st.sampled_from(TENSORS), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}[{', '.join(t[1])}]"),
        st.tuples(st.sampled_from(TENSORS), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}_{{{','.join(t[1])}}}"),
    )


EXPRESSIONS = st.recursive(st.one_of(_number(), st.sampled_from(SYMBOLS)), _wrap, max_leaves=12)
LHS = ["f[1,j]", "df[1,j]/dW[1,c,k]", "df[1,j]/dx[c,l]", "dl/dW[1,c,k]", "∂f[1,j]/∂x[c,l]",
       "dl/dx[c,l]", "f_{1,j}", "f[j]", ""]
SHAPES = st.tuples(st.lists(EXPRESSIONS, min_size=1, max_size=6),
                   st.sampled_from([" x ", "×", " * ", ", ", " \\times "]),
                   st.sampled_from(["{}", "({})", "[{}]", "R^{{{}}}", "\\mathbb{{R}}^{{{}}}"])).map(
    lambda t: t[2].format(t[1].join(t[0])))
EQUATIONS = st.tuples(st.sampled_from(LHS), EXPRESSIONS).map(
    lambda t: f"{t[0]} = {t[1]}" if t[0] else t[1])
NUMBER_LISTS = st.recursive(
    st.one_of(_number(), EXPRESSIONS, st.integers(), st.floats(allow_nan=True)),
    lambda inner: st.lists(inner, max_size=4), max_leaves=10)
NUMERIC_TEXTS = NUMBER_LISTS.map(lambda v: str(v) if isinstance(v, list) else f"[[{v}]]")
GRAMMAR_ANSWERS = st.one_of(SHAPES, EQUATIONS, EXPRESSIONS, NUMERIC_TEXTS)

#: Byte-level answers: any bytes, read as text the way a file could hold them.
BYTE_ANSWERS = st.one_of(
    st.binary(max_size=200).map(lambda data: data.decode("latin-1")),
    st.binary(max_size=200).map(lambda data: data.decode("utf-8", "replace")),
    st.text(max_size=120),
    st.binary(max_size=100).map(lambda data: data.decode("utf-8", "surrogateescape")))


# --- the checks --------------------------------------------------------------------------

def _grade_one(graders, problem: str, part: str, item: str, answer) -> None:
    grader = graders[problem]
    start = time.monotonic()
    result = grader.grade(submission_from_data({"problem": problem, "answers": {part: {item: answer}}}))
    seconds = time.monotonic() - start
    _record(seconds, f"{problem} {part} {item}", answer)
    assert seconds < WALL_LIMIT, (seconds, part, item, answer)
    _assert_well_formed(result)
    [graded] = [a for p in result.parts if p.id == part for a in p.answers if a.item == item]
    assert graded.verdict != "missing" or not str(answer).strip(), (answer, graded)


def _assert_well_formed(result) -> None:
    """No internal error, only documented verdicts, and both reports render."""
    assert result.error is None or (isinstance(result.error, str) and result.error.strip())
    for part in result.parts:
        assert part.verdict in VERDICTS
        for answer in part.answers:
            assert answer.verdict in VERDICTS, answer
            assert "internal error" not in answer.feedback, answer.feedback
            assert "Traceback" not in answer.feedback
    for render in REPORTERS.values():
        render([result]).encode("utf-8")


@_fuzz_settings(250)
@given(answer=GRAMMAR_ANSWERS, target=st.sampled_from(SEED_TARGETS))
@example(answer="floor(Sum(k^64, (k, 1, 1000000))/3)", target=("a", "shape"))
@example(answer="f[1,j] = sum_{k=1}^{10^6} sum_{c=1}^{3} x[c, k]", target=("c.i", "value"))
@example(answer="F x (((H+1)^64)^64)^64 x W", target=("b", "shape"))
@example(answer="F x (H+1)^64 x W", target=("b", "shape"))      # a counterexample beyond int64
@example(answer="(ceil(ceil(Sum(61, (k, 1, 10^6)))))", target=("a", "shape"))
def test_grammar_answers_get_a_documented_verdict_in_time(graders, answer, target):
    _grade_one(graders, "q1.1", *target, answer)


@_fuzz_settings(50)
@given(answer=st.one_of(NUMERIC_TEXTS, NUMBER_LISTS, EXPRESSIONS), target=st.sampled_from(NUMERIC_TARGETS))
@example(answer="[[99999999999999999999, 23]]", target=("a.i", "numeric"))
@example(answer=[[10 ** 400, 23]], target=("a.i", "numeric"))
@example(answer="(sum_{k=1}^{3} 0)", target=("a.i", "numeric"))   # found by a FUZZ_SCALE=6 run
def test_numeric_answers_get_a_documented_verdict_in_time(graders, answer, target):
    _grade_one(graders, "conv-numeric", *target, answer)


@_fuzz_settings(200)
@given(answer=BYTE_ANSWERS, target=st.sampled_from(SEED_TARGETS))
def test_byte_level_answers_get_a_documented_verdict_in_time(graders, answer, target):
    _grade_one(graders, "q1.1", *target, answer)


def _parse_all(text: str) -> list[tuple[float, str]]:
    """Run the three parsers on ``text`` (in the sandbox worker); (seconds, parser) for each.

    Any exception but NotationError escapes, and fails the test.
    """
    timings = []
    for parse in (parse_expression, parse_shape, parse_equation):
        start = time.perf_counter()
        try:
            parse(text)
        except NotationError as error:
            assert str(error).strip()
        timings.append((time.perf_counter() - start, parse.__name__))
    return timings


@pytest.fixture(scope="module")
def parser_sandbox():
    # parsing is not time-limited by the parser itself yet (issue 9 item 6, being rewritten):
    # a slow input is recorded, and the sandbox keeps the run short
    with Sandbox(time_limit=PARSE_LIMIT) as sandbox:
        yield sandbox


@_fuzz_settings(150)
@given(text=st.one_of(GRAMMAR_ANSWERS, BYTE_ANSWERS))
def test_parser_raises_only_notation_error(parser_sandbox, text):
    try:
        timings = parser_sandbox.run(_parse_all, text)
    except SandboxTimeout:
        _record(PARSE_LIMIT, "parser (stopped at the limit)", text)
        return
    for seconds, parser in timings:
        _record(seconds, f"parser {parser}", text)


GOOD_FILE = (b"problem: q1.1\nstudent: fuzz\nanswers:\n  a: 4 x 5\n  c.i:\n    shape: 1 x 2\n"
             b"    value: f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]\n")
#: Byte edits of a good file: (position, replacement bytes); positions wrap around the file.
EDITS = st.lists(st.tuples(st.integers(0, 10 ** 6), st.binary(max_size=6)), min_size=1, max_size=6)


def _edited(data: bytes, edits) -> bytes:
    for position, replacement in edits:
        at = position % (len(data) + 1)
        data = data[:at] + replacement + data[at + (1 if replacement else 2):]
    return data


@_fuzz_settings(150)
@given(content=st.one_of(EDITS.map(lambda edits: _edited(GOOD_FILE, edits)), st.binary(max_size=300)),
       suffix=st.sampled_from([".yaml", ".json"]))
def test_byte_level_files_give_a_result(graders, tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"submission{suffix}"
    path.write_bytes(content)
    start = time.monotonic()
    result = graders["q1.1"].grade_path(str(path))
    seconds = time.monotonic() - start
    # a file holds at most the key's 8 graded answers, each bounded by WALL_LIMIT
    assert seconds < 8 * WALL_LIMIT, (seconds, content)
    _assert_well_formed(result)
    assert result.error is not None or result.parts
