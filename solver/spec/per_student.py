"""The validated problem of one variant of a spec file: the base, a numbered one, a student's.

``SpecVariants(path)`` reads the file once; each variant's Problem is built (pre-pass of
:mod:`solver.spec.variants`, then the loader as for any spec) once per run and cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from solver.errors import SpecError
from solver.spec.loading import load_spec_data, problem_from_data
from solver.spec.model import Problem
from solver.spec.variants import Assignment, VariantSpace, check_limits, variant_space


@dataclass(frozen=True)
class Variant:
    """A problem and the assignment it was made from (None for a spec that declares no freedom)."""

    problem: Problem
    assignment: Assignment | None


class SpecVariants:
    """The variants of one spec file. SpecError (naming the file) for a bad spec or request."""

    def __init__(self, path: str | os.PathLike):
        self.source = os.fspath(path)
        raw = load_spec_data(self.source)
        try:
            self.space: VariantSpace | None = variant_space(raw)
        except SpecError as error:
            raise error.located(file=self.source) from None
        self._raw = raw
        self._problems: dict[tuple, Problem] = {}
        if self.space is not None:
            self._space()         # every variant error now, not at the first student

    @property
    def declares_freedom(self) -> bool:
        """True when the spec declares choices (and so has variants)."""
        return self.space is not None

    @property
    def seed(self) -> int | None:
        """The assignment seed the spec sets (``variants: {seed: N}``), or None."""
        return self.space.freedom.seed if self.space else None

    def base(self) -> Variant:
        """The original homework: every choice at its base value (variant 0)."""
        if self.space is None:
            return Variant(self._problem((), self._raw), None)
        return self._variant(self.space.base())

    def numbered(self, number: int) -> Variant:
        """Variant ``number`` of the enumeration (0 is the base)."""
        return self._variant(self._space().numbered(number))

    def for_student(self, student: object, seed: int | None = None) -> Variant:
        """``student``'s variant under ``seed`` (default: the spec's ``variants.seed``)."""
        space = self._space()
        seed = self.seed if seed is None else seed
        if seed is None:
            raise SpecError("this spec sets no variants.seed; give the assignment seed (--seed N)",
                            file=self.source)
        return self._variant(space.for_student(student, seed))

    def _space(self) -> VariantSpace:
        if self.space is None:
            raise SpecError("this spec declares no choices, so it has one variant: the spec itself; "
                            "declare some with {choose: [...]} or {range: [lo, hi]}", file=self.source)
        try:
            self.space.count          # enumerates once: no admissible variant, too few for diversity
        except SpecError as error:
            raise error.located(file=self.source) from None
        return self.space

    def _variant(self, assignment: Assignment) -> Variant:
        try:
            data = self.space.concrete(assignment)
            check_limits(data)
        except SpecError as error:
            raise error.located(file=self.source) from None
        return Variant(self._problem(assignment.choice, data), assignment)

    def _problem(self, choice: tuple, data: object) -> Problem:
        problem = self._problems.get(choice)
        if problem is None:
            problem = self._problems[choice] = problem_from_data(data, source=self.source)
        return problem
