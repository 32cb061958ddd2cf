"""Question tests: the verdicts an instructor pins on a part (``tests: [{answer, verdict}]``).

Like STACK's question tests: before a problem is released, ``python -m solver --check SPEC``
grades every test answer with the grader itself (sandbox and all) and names each one whose
verdict differs, so a change to the spec, the solver or the grader that moves a verdict is seen.
The same run reports instructor hints that can never be shown (an answer that cannot be read,
or one equal to the key's own answer, which is correct and so gets no hint).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.checks import CHECKERS
from grader.checks.context import CheckContext
from grader.grading import Grader
from grader.mistakes import key_reading_of
from grader.mistakes.instructor import read_hints
from grader.submission import Submission
from solver.key import AnswerKey


@dataclass(frozen=True)
class Finding:
    """One test whose verdict differs, or one hint that is never shown: ``part``, ``what``
    (``test 2``, ``hint 1``), the answer as written and what is wrong."""

    part: str
    what: str
    answer: object
    message: str

    def text(self, problem: str) -> str:
        return f"{problem} {self.part}: {self.what} (answer {self.answer!r}): {self.message}"


def check_key(key: AnswerKey, *, time_limit: float = 5.0) -> tuple[int, list[Finding]]:
    """Grade every question test of ``key``'s parts; returns (tests run, findings)."""
    findings: list[Finding] = []
    count = 0
    with Grader(key, time_limit=time_limit) as grader:
        for part_key in key.parts:
            part = part_key.part
            for index, test in enumerate(part.tests, start=1):
                count += 1
                answer = test.answer if test.item is None else {test.item: test.answer}
                result = grader.grade(Submission(f"<test {index}>", key.problem.id, None, None,
                                                 {part.id: answer}))
                (graded,) = [p for p in result.parts if p.id == part.id]
                got = graded.verdict
                if test.item is not None:
                    got = next(a.verdict for a in graded.answers if a.item == test.item)
                if got != test.verdict:
                    what = f"test {index}" + (f" ({test.item})" if test.item else "")
                    why = "; ".join(f"{a.item}: {a.verdict}" + (f" ({a.feedback})" if a.feedback else "")
                                    for a in graded.answers if test.item in (None, a.item))
                    findings.append(Finding(part.id, what, test.answer,
                                            f"expected {test.verdict}, got {got} — {why}"))
            findings += _hint_findings(part_key)
    return count, findings


def _hint_findings(part_key) -> list[Finding]:
    found = []
    part = part_key.part
    context = CheckContext(indexing=part.indexing)
    for item in dict.fromkeys(h.item for h in part.hints):
        checker = CHECKERS[item]
        for hint in read_hints(part_key, item, checker):
            raw = part.hints[hint.index].answer
            if hint.value is None:
                found.append(Finding(part.id, f"hint {hint.index + 1}", raw, hint.problem))
            elif checker.matches(part_key, hint.value, key_reading_of(part_key, item), context):
                found.append(Finding(part.id, f"hint {hint.index + 1}", raw, "its answer is the key's own "
                                     "(correct) answer; hints are shown for wrong answers only"))
    return found
