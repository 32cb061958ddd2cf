"""Benchmark: the grader's checkers against a naive sympy checker, on the seed problem Q1.1.

Run as a script: ``python tests/benchmarks/bench_grader.py [distinct answers per kind]``.
Prints:

1. the median time to check one DISTINCT answer of each kind (numeric shape,
   symbolic shape, index expression), through ``grader.checks.run_check``
   in-process (domain sample warm, and cold: its cache cleared before each
   answer) and through ``Grader.grade`` (with the sandbox round trip);
2. the naive checker on the same answers, and the ratio naive/ours per
   distinct symbolic answer (target >= 50x);
3. both checkers' verdicts on the labelled corpus tests/data/seed_corpus.yaml:
   how often each is right, where the naive one is right and ours is wrong
   (target: zero), and how often the naive one cannot parse an answer;
4. the wall time of ``python -m grader SPEC SUBMISSION`` on a full correct
   submission against ``python -c 'import sympy'`` (median of 5 runs each).

The naive checker is ``simplify(parse_expr(answer) - parse_expr(key)) == 0``,
made as fair as a few lines allow: sympy's implicit-multiplication and ``^``
transformations, the part's size symbols as integer symbols (so ``S``, ``N``
are not sympy's singletons), ``ceil`` and ``delta`` mapped to sympy, shape
containers (``R^{...}``, brackets, ``x``/``×``/``,`` separators) split before
parsing, tensors as IndexedBase, left-hand-side index names mapped onto the
key's by position, sums ``.doit()``-expanded before simplifying. It knows
nothing of out-of-range entries or the declared index base. This script is
the only place in the project that calls ``parse_expr``, and only on this
trusted corpus and on answers generated here.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sympy
import yaml
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application,
                                        parse_expr, standard_transformations)

from grader.checks import run_check
from grader.checks.context import CheckContext
from grader.grading import Grader
from grader.submission import submission_from_data
from solver.answers import dim_data
from solver.key import build_key
from solver.notation import equation_to_text, shape_to_text
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "problems" / "cnn" / "q1_1.yaml"
CORPUS = ROOT / "tests" / "data" / "seed_corpus.yaml"
NAIVE_TIME_LIMIT = 20          # seconds for one naive check before it counts as a time-out
CLI_RUNS = 5
_TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
_FUNCTIONS = {"floor": sympy.floor, "ceil": sympy.ceiling, "ceiling": sympy.ceiling,
              "delta": sympy.KroneckerDelta, "KroneckerDelta": sympy.KroneckerDelta,
              "Sum": sympy.Sum, "Max": sympy.Max, "Min": sympy.Min}
_ENTRY = re.compile(r"([A-Za-z]\w*)\s*\[([^\]]*)\]")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")


# --- distinct answers of each kind ------------------------------------------------------------

def numeric_shapes(count: int) -> list[str]:
    """Distinct texts equal to 4 x 5 (part a): ``(4+i) - i x 5``."""
    return [f"{4 + i} - {i} x {5 + 2 * i} - {2 * i}" for i in range(1, count + 1)]


def symbolic_shapes(count: int) -> list[str]:
    """Distinct texts equal to part b's key: floor forms shifted by i*S, and ceil forms."""
    answers = []
    for i in range(1, count + 1):
        if i % 2:
            answers.append(f"F x floor((H+2P-D(K-1)-1+{i}S)/S)+1-{i} x "
                           f"floor((W+2P-D(K-1)-1)/S)+1")
        else:
            answers.append(f"F x ceil((H+2P-D(K-1)+{i}S)/S)-{i} x floor((W+2P-D(K-1)-1)/S)+1")
    return answers


def index_values(count: int) -> list[str]:
    """Distinct texts equal to part c.i's key: the Sum() form with renamed indices."""
    pool = "abcehijkmnopqrstuvyz"
    answers = []
    for a in pool:
        for b in pool:
            for c in pool:
                if len({a, b, c}) == 3 and len(answers) < count:
                    answers.append(f"f[1,{a}] = Sum(W[1,{b},{c}]*x[{b},2*({a}-1)+{c}], "
                                   f"({c},1,3), ({b},1,2))")
    return answers


# --- the naive checker ------------------------------------------------------------------------

class NaiveUnparseable(Exception):
    """parse_expr (or what it produced) failed on an answer."""


class NaiveTimeout(Exception):
    """simplify took longer than NAIVE_TIME_LIMIT."""


def _alarm(signum, frame):
    raise NaiveTimeout()


def _parse(text: str, symbols: dict) -> sympy.Expr:
    names = dict(_FUNCTIONS)
    for name in _IDENTIFIER.findall(text):
        if name not in names:
            names[name] = sympy.Symbol(name, integer=True)
    names.update(symbols)
    try:
        return parse_expr(text, local_dict=names, transformations=_TRANSFORMS)
    except Exception as error:          # noqa: BLE001 - the baseline fails in many ways
        raise NaiveUnparseable(f"{type(error).__name__}: {error}") from None


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    try:
        return sympy.simplify(a - b) == 0
    except NaiveTimeout:
        raise
    except Exception as error:          # noqa: BLE001
        raise NaiveUnparseable(f"simplify failed: {type(error).__name__}") from None


def naive_shape(raw, key_shape, size_symbols: dict) -> str:
    """Verdict of the naive checker on a shape answer."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "missing"
    if isinstance(raw, list):
        entries = [str(e) for e in raw]
    elif isinstance(raw, str):
        text = raw.strip()
        for prefix in ("\\mathbb{R}^{", "R^{"):
            if text.startswith(prefix) and text.endswith("}"):
                text = text[len(prefix):-1]
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        entries = re.split(r"\s*(?:,|×|\\times|(?<![A-Za-z])x(?![A-Za-z]))\s*", text)
    else:
        return "unparseable"
    found = [_parse(e, size_symbols) for e in entries]
    want = [_parse(str(dim_data(d)), size_symbols) for d in key_shape]
    if len(found) != len(want):
        return "incorrect"
    return "correct" if all(_equal(a, b) for a, b in zip(found, want)) else "incorrect"


def naive_value(raw, key_equation, tensors) -> str:
    """Verdict of the naive checker on an index equation (left-hand side by position)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "missing"
    if not isinstance(raw, str):
        return "unparseable"
    bases = {name: sympy.IndexedBase(name) for name in tensors}
    key_lhs, key_rhs = _EQUALS.split(equation_to_text(key_equation), maxsplit=1)
    parts = _EQUALS.split(raw, maxsplit=1)
    rename = {}
    if len(parts) == 2:
        lhs, rhs = parts
        mine, theirs = _ENTRY.findall(lhs), _ENTRY.findall(key_lhs)
        if [n for n, _ in mine] != [n for n, _ in theirs]:
            return "incorrect"
        for (_, mine_idx), (_, their_idx) in zip(mine, theirs):
            a, b = [s.strip() for s in mine_idx.split(",")], [s.strip() for s in their_idx.split(",")]
            if len(a) != len(b):
                return "incorrect"
            for x, y in zip(a, b):
                if x.isidentifier() and y.isidentifier():
                    rename[sympy.Symbol(x, integer=True)] = sympy.Symbol(y, integer=True)
                elif x != y:
                    return "incorrect"
    else:
        rhs = parts[0]
    student = _parse(rhs, bases).xreplace(rename)
    key = _parse(key_rhs, bases)
    try:
        return "correct" if _equal(student.doit(), key.doit()) else "incorrect"
    except NaiveTimeout:
        raise
    except Exception as error:          # noqa: BLE001
        raise NaiveUnparseable(f"doit failed: {type(error).__name__}") from None


def naive_check(part_key, item: str, raw) -> str:
    """The naive verdict, 'unparseable' when parse_expr fails, 'timeout' past the limit."""
    answer = part_key.answer(item)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(NAIVE_TIME_LIMIT)
    try:
        if item == "shape":
            sizes = {s.name: s for s in part_key.domain.symbols}
            return naive_shape(raw, answer.shape, sizes)
        if item == "value":
            return naive_value(raw, answer.equation, dict(answer.tensors))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return "missing"
        return "manual"                 # explanations are graded by hand by both
    except NaiveUnparseable:
        return "unparseable"
    except NaiveTimeout:
        return "timeout"
    finally:
        signal.alarm(0)


# --- timing -----------------------------------------------------------------------------------

def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


class Raised:
    """Stands for a check or grade that raised (a grader bug): verdict 'raised'."""

    verdict = "raised"

    def __init__(self, error: Exception):
        self.feedback = f"{type(error).__name__}: {error}".splitlines()[0]


def guarded(function, *args):
    """``function(*args)``, or a Raised when it raises."""
    try:
        return function(*args)
    except Exception as error:          # noqa: BLE001 - reported in the printout
        return Raised(error)


def ours_in_process(part_key, item, raw, *, cold: bool):
    if cold:   # the domain's sample and the key's values on it, memoised on the domain, computed again
        for name in [n for n in vars(part_key.domain) if n.startswith("_grader_")]:
            del vars(part_key.domain)[name]
    return timed(guarded, run_check, part_key, item, raw, CheckContext(indexing=1))


def ours_through_grader(grader, key, part_id, item, raw):
    submission = submission_from_data({"problem": key.problem.id,
                                       "answers": {part_id: {item: raw}}})
    return timed(guarded, grader.grade, submission)


def bench_kinds(key, count: int) -> None:
    kinds = [("shape numeric", "a", "shape", numeric_shapes(count)),
             ("shape symbolic", "b", "shape", symbolic_shapes(count)),
             ("index value", "c.i", "value", index_values(count))]
    print(f"\n== time per DISTINCT answer, median of {count} ==")
    print(f"{'kind':16} {'ours warm':>11} {'ours cold':>11} {'Grader.grade':>13} {'naive':>11}  "
          f"verdicts ours / naive")
    ratios = []
    with Grader(key) as grader:
        grader.grade(submission_from_data({"problem": key.problem.id, "answers": {}}))
        for name, part_id, item, answers in kinds:
            part_key = key.part(part_id)
            guarded(run_check, part_key, item, "1", CheckContext(indexing=1))  # imports, no cache
            warm, cold, graded, naive = [], [], [], []
            ours_verdicts, naive_verdicts = Counter(), Counter()
            for raw in answers:
                seconds, check = ours_in_process(part_key, item, raw, cold=False)
                warm.append(seconds)
                ours_verdicts[check.verdict] += 1
                cold.append(ours_in_process(part_key, item, raw + " ", cold=True)[0])
                graded.append(ours_through_grader(grader, key, part_id, item, raw)[0])
                seconds, verdict = timed(naive_check, part_key, item, raw)
                naive.append(seconds)
                naive_verdicts[verdict] += 1
                if name != "shape numeric":
                    ratios.append((name, raw, seconds / warm[-1], seconds, warm[-1]))
            print(f"{name:16} {_ms(warm):>11} {_ms(cold):>11} {_ms(graded):>13} {_ms(naive):>11}  "
                  f"{dict(ours_verdicts)} / {dict(naive_verdicts)}")
    print("\n== ratio naive / ours (warm, in-process) per distinct symbolic answer; target >= 50x ==")
    for name, raw, ratio, naive_s, ours_s in ratios:
        print(f"{ratio:9.1f}x  naive {naive_s * 1e3:8.1f} ms  ours {ours_s * 1e3:6.2f} ms  "
              f"[{name}] {raw}")
    for name in ("shape symbolic", "index value"):
        values = [r for n, _, r, _, _ in ratios if n == name]
        print(f"{name}: min {min(values):.1f}x, median {statistics.median(values):.1f}x, "
              f"max {max(values):.1f}x over {len(values)} answers")


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1e3:.2f} ms"


# --- the labelled corpus ----------------------------------------------------------------------

def bench_corpus(key) -> None:
    if not CORPUS.exists():
        print(f"\n== corpus: {CORPUS} not found; skipped ==")
        return
    with open(CORPUS, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["entries"]
    rows = []                                   # (entry, our AnswerResult, naive verdict)
    with Grader(key) as grader:
        for entry in entries:
            part_id, item = entry["part"], entry["item"]
            answers = {part_id: {item: entry["answer"]}} if "answer" in entry else {}
            data = {"problem": key.problem.id, "answers": answers}
            if "indexing" in entry:
                data["indexing"] = entry["indexing"]
            result = guarded(grader.grade, submission_from_data(data))
            ours = result if isinstance(result, Raised) else next(
                a for p in result.parts if p.id == part_id for a in p.answers if a.item == item)
            rows.append((entry, ours, naive_check(key.part(part_id), item, entry.get("answer"))))
    total = len(rows)
    ours_right = [r for r in rows if r[1].verdict == r[0]["verdict"]]
    naive_right = [r for r in rows if r[2] == r[0]["verdict"]]
    naive_only = [r for r in naive_right if r[1].verdict != r[0]["verdict"]]
    ours_only = [r for r in ours_right if r[2] != r[0]["verdict"]]
    failed = Counter(r[2] for r in rows if r[2] in ("unparseable", "timeout")
                     and r[0]["verdict"] != "unparseable")
    print(f"\n== labelled corpus {CORPUS.relative_to(ROOT)}: {total} entries ==")
    print(f"ours right:  {len(ours_right)}/{total}")
    print(f"naive right: {len(naive_right)}/{total}")
    print(f"naive could not parse (label not unparseable): {failed['unparseable']}; "
          f"naive time-outs ({NAIVE_TIME_LIMIT} s): {failed['timeout']}")
    print(f"ours right where naive is wrong: {len(ours_only)}")
    print(f"naive right where ours is wrong (target 0): {len(naive_only)}")
    for entry, ours, _ in naive_only:
        print(f"   {entry['part']} {entry['item']} {entry.get('answer')!r}: label "
              f"{entry['verdict']}, ours {ours.verdict} ({ours.feedback})")
    ours_wrong = [r for r in rows if r[1].verdict != r[0]["verdict"]]
    print(f"ours wrong, all {len(ours_wrong)}:")
    for entry, ours, naive in ours_wrong:
        print(f"   {entry['part']} {entry['item']} {entry.get('answer')!r}: label "
              f"{entry['verdict']}, ours {ours.verdict}, naive {naive} ({ours.feedback})")
    by_label = Counter((r[0]["verdict"], r[2]) for r in rows)
    print("naive verdict by label: " + ", ".join(f"{label}->{naive}: {n}"
                                                 for (label, naive), n in sorted(by_label.items())))


# --- the command line -------------------------------------------------------------------------

def full_submission(key) -> dict:
    """A correct answer to every asked item, printed with the project's printers."""
    answers = {}
    for part_key in key.parts:
        items = {}
        for item, answer in part_key.answers:
            if item == "shape":
                items[item] = shape_to_text(answer.shape)
            elif item == "value":
                items[item] = equation_to_text(answer.equation)
            else:
                items[item] = answer.to_data()
        answers[part_key.id] = items
    return {"problem": key.problem.id, "student": "bench", "answers": answers}


def bench_cli(key) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "submission.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(full_submission(key), handle, allow_unicode=True)
        grade = [sys.executable, "-m", "grader", str(SPEC), path]
        baseline = [sys.executable, "-c", "import sympy"]
        grade_times, import_times = [], []
        for _ in range(CLI_RUNS):
            seconds, done = timed(_run, grade, {"capture_output": True})
            grade_times.append(seconds)
            import_times.append(timed(_run, baseline, {})[0])
    if done.returncode == 0:
        output = done.stdout.decode().splitlines()
        outcome = next((line.strip() for line in output if "points" in line),
                       output[0] if output else "")
    else:
        errors = done.stderr.decode().strip().splitlines()
        outcome = f"exit status {done.returncode}: {errors[-1] if errors else ''}"
    print(f"\n== command line, median of {CLI_RUNS} runs ==")
    print(f"python -m grader q1_1.yaml <full correct submission>: "
          f"{statistics.median(grade_times):.2f} s   ({outcome})")
    print(f"python -c 'import sympy':                            "
          f"{statistics.median(import_times):.2f} s")
    print(f"ratio: {statistics.median(grade_times) / statistics.median(import_times):.2f}x")


def class_submissions(key, count: int) -> list[dict]:
    """``count`` submissions whose every automatic answer is distinct (texts equal to the key in
    varied spellings: shifted floor forms, renamed indices, offset numbers)."""
    numeric, symbolic, values = numeric_shapes(count), symbolic_shapes(count), index_values(count * 4)
    submissions = []
    for i in range(count):
        answers = full_submission(key)["answers"]
        answers["a"] = numeric[i]
        answers["b"] = symbolic[i]
        for offset, part_id in enumerate(("c.i", "c.ii", "c.iii", "c.iv")):
            items = dict(answers[part_id])
            items["shape"] = _shifted_shape(items["shape"], i)
            if part_id == "c.i":
                items["value"] = values[i]
            else:
                items["value"] = items["value"] + f" + {i}*0*x[1, 1]"
            answers[part_id] = items
        submissions.append({"problem": key.problem.id, "student": f"s{i}", "answers": answers})
    return submissions


def _shifted_shape(text: str, i: int) -> str:
    """The same shape with its first axis written as (n + i) - i."""
    first, _, rest = text.partition(" x ")
    return f"({first} + {i}) - {i} x {rest}" if rest else f"({first} + {i}) - {i}"


def bench_cli_class(key, count: int) -> None:
    """Per distinct answer, with every cost included: one run over ``count`` submissions whose
    answers are all distinct, minus one run over a single submission, divided by the answers."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, submission in enumerate(class_submissions(key, count)):
            path = os.path.join(folder, f"s{number:04d}.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                yaml.safe_dump(submission, handle, allow_unicode=True)
            paths.append(path)
        out = os.path.join(folder, "results.json")
        many = [sys.executable, "-m", "grader", str(SPEC), *paths, "--format", "json", "-o", out]
        one = [sys.executable, "-m", "grader", str(SPEC), paths[0], "--format", "json", "-o", out]
        many_times = [timed(_run, many, {"capture_output": True})[0] for _ in range(3)]
        one_times = [timed(_run, one, {"capture_output": True})[0] for _ in range(3)]
    automatic = sum(1 for pk in key.parts for item, _ in pk.answers if item != "explanation")
    distinct = automatic * (count - 1)
    cost = (statistics.median(many_times) - statistics.median(one_times)) / distinct
    print(f"\n== command line, {count} submissions, {automatic} distinct answers each ==")
    print(f"{count} submissions: {statistics.median(many_times):.2f} s; one: {statistics.median(one_times):.2f} s")
    print(f"per distinct answer, every cost included: {cost * 1e3:.3f} ms (target <= 1 ms)")


def _run(command, options):
    return subprocess.run(command, cwd=ROOT, check=False, **options)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    key = build_key(load_problem(SPEC))
    bench_kinds(key, count)
    bench_corpus(key)
    bench_cli(key)
    bench_cli_class(key, int(sys.argv[2]) if len(sys.argv) > 2 else 300)


if __name__ == "__main__":
    main()
