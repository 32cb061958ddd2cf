"""Answer keys: every asked item of every part, derived from the problem."""

from __future__ import annotations

from dataclasses import dataclass

from solver.domain import Domain, part_domain
from solver.answers import NumericAnswer
from solver.questions import answer, given_tensors
from solver.spec.model import Part, Problem


@dataclass(frozen=True)
class PartKey:
    """The answers of one part, keyed by asked item, with the part it came from."""

    part: Part
    answers: tuple[tuple[str, object], ...]
    domain: Domain

    @property
    def id(self) -> str:
        return self.part.id

    def answer(self, item: str):
        """The answer object of asked ``item``; KeyError when the part does not ask it."""
        return dict(self.answers)[item]

    def given(self) -> tuple[tuple[str, NumericAnswer], ...]:
        """The tensor values the answers are computed from (x, W, ...), e.g. for a seed."""
        return tuple((name, NumericAnswer(array)) for name, array in given_tensors(self.part))

    def to_data(self) -> dict:
        """{id, points, tensors (when some answer uses values), answers} as plain data."""
        data = {"id": self.id, "points": _number(self.part.points)}
        tensors = {name: value.to_data() for name, value in self.given()}
        if tensors:
            data["tensors"] = tensors
        data["answers"] = {item: ans.to_data() for item, ans in self.answers}
        return data


@dataclass(frozen=True)
class AnswerKey:
    """The answer key of a problem: its parts' keys in spec order."""

    problem: Problem
    parts: tuple[PartKey, ...]
    #: Which variant of a spec with choices this key is for ({student, seed, number, count,
    #: values}, from solver/spec/variants.py); None for a spec's own (base) key.
    variant: dict | None = None

    def part(self, part_id: str) -> PartKey:
        """The key of the part with dotted id ``part_id``; KeyError when absent."""
        for part_key in self.parts:
            if part_key.id == part_id:
                return part_key
        raise KeyError(part_id)

    def to_data(self) -> dict:
        """The key as plain data: {problem, title, indexing, parts: [{id, points, [tensors,] answers}]}."""
        data = {
            "problem": self.problem.id,
            "title": self.problem.title,
            "indexing": self.problem.indexing,
        }
        if self.variant is not None:
            data["variant"] = self.variant
        data["parts"] = [pk.to_data() for pk in self.parts]
        return data


def build_key(problem: Problem) -> AnswerKey:
    """Derive every asked answer of ``problem`` (takes a validated Problem, returns its key)."""
    return AnswerKey(problem, tuple(
        PartKey(part, tuple((item, answer(part, item)) for item in part.ask), part_domain(part))
        for part in problem.parts))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
