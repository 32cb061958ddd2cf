"""Grading results: plain immutable data that the reporters format."""

from __future__ import annotations

from dataclasses import dataclass

CORRECT, PARTIAL, INCORRECT = "correct", "partial", "incorrect"
UNPARSEABLE, MISSING, MANUAL = "unparseable", "missing", "manual"
VERDICTS = (CORRECT, PARTIAL, INCORRECT, UNPARSEABLE, MISSING, MANUAL)


@dataclass(frozen=True)
class Check:
    """The outcome of comparing one answer with the key, before points are attached.

    The parts are kept apart so that a report can show as much as its feedback
    level allows (:mod:`grader.feedback.levels`): ``feedback`` says where the
    answer goes wrong without giving the key away (shown at ``hint``);
    ``mistake`` and ``hint`` name a recognised mistake and teach about it
    (``hint``; a ``hint`` without ``mistake`` is an instructor's own message for an
    anticipated answer); ``reveal`` holds expected values, expansions and the key's own
    expression (``full`` only); ``reference`` is the instructor's text (``full``
    only); ``read_as`` is the answer as the grader read it, in canonical text.
    ``credit`` is the fraction of the points a ``partial`` answer earns (a table graded cell by cell).
    """

    verdict: str
    feedback: str = ""
    reference: str | None = None
    mistake: str | None = None
    hint: str = ""
    reveal: str = ""
    read_as: str = ""
    credit: float = 0.0


@dataclass(frozen=True)
class AnswerResult:
    """One asked item of a part (``shape``, ``value``, ...), scored."""

    item: str
    verdict: str
    score: float
    max_score: float
    feedback: str = ""
    reference: str | None = None
    mistake: str | None = None
    read_as: str = ""

    def to_data(self) -> dict:
        data = {"verdict": self.verdict, "score": _number(self.score),
                "max_score": _number(self.max_score), "feedback": self.feedback}
        if self.reference is not None:
            data["reference"] = self.reference
        if self.mistake is not None:
            data["mistake"] = self.mistake
        if self.read_as:
            data["read_as"] = self.read_as
        return data


@dataclass(frozen=True)
class PartResult:
    """One part: its verdict, score and the results of its asked items."""

    id: str
    verdict: str
    score: float
    max_score: float
    answers: tuple[AnswerResult, ...]

    def to_data(self) -> dict:
        return {"id": self.id, "verdict": self.verdict, "score": _number(self.score),
                "max_score": _number(self.max_score),
                "answers": {a.item: a.to_data() for a in self.answers}}


@dataclass(frozen=True)
class SubmissionResult:
    """A whole submission. ``error`` is set (and ``parts`` empty) when the file could not be read.

    ``notes`` lists what was in the submission but not graded (unknown part ids, ...).
    """

    submission: str
    problem: str | None
    student: str | None
    score: float
    max_score: float
    parts: tuple[PartResult, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def pending_manual(self) -> float:
        """Points of answers routed to manual grading (not in ``score``)."""
        return sum(a.max_score for p in self.parts for a in p.answers if a.verdict == MANUAL)

    def to_data(self) -> dict:
        return {"submission": self.submission, "problem": self.problem, "student": self.student,
                "score": _number(self.score), "max_score": _number(self.max_score),
                "pending_manual": _number(self.pending_manual), "error": self.error,
                "notes": list(self.notes), "parts": [p.to_data() for p in self.parts]}


def score_number(value: float) -> int | float:
    """A score as written in results: rounded to 6 decimals, an int when whole (6.0 -> 6)."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


_number = score_number
