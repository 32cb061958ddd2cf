"""Which key a submission is graded against, for specs that declare per-student variants.

The rule (documented in the README):

* A spec without choices has one key, whatever the submission says.
* The seed in force is ``--seed`` on the command line, else the spec's ``variants.seed``.
  A submission may carry ``seed:``; it must agree with the seed in force (when there is
  one), and otherwise it asks for its variant under that seed.
* With no seed at all, the spec's base values are graded (the original homework: how the
  seed problem q1_1.yaml is graded unless a submission asks for a variant).
* With a seed, the variant comes from the submission's ``student``. A submission without
  one is an error result ("its variant cannot be determined") and is never graded against
  another student's key.

Keys are built once per variant in a run (``VariantKeys`` caches them), and
``VariantGrader`` keeps one :class:`~grader.grading.Grader` per key on one shared worker.
"""

from __future__ import annotations

import os
from dataclasses import replace

from grader.grading import DEFAULT_TIME_LIMIT, Grader
from grader.results import SubmissionResult
from grader.sandbox import Sandbox
from grader.submission import Submission, SubmissionError, load_submission
from solver.errors import SpecError
from solver.key import AnswerKey, build_key
from solver.spec.per_student import SpecVariants, Variant


class VariantError(ValueError):
    """A submission whose variant cannot be determined; the message says why and what to add."""


class VariantKeys:
    """The answer keys of a spec's variants, built on demand and cached for the run."""

    def __init__(self, spec: str | os.PathLike, *, seed: int | None = None):
        self.variants = SpecVariants(spec)
        self.seed = seed if seed is not None else self.variants.seed
        self._keys: dict[tuple, AnswerKey] = {}
        self.builds = 0
        self.base = self._key(self.variants.base())

    def batch_chooser(self):
        """A key chooser for batch grading, ``(submission, run key) -> key``; None when the spec
        declares no freedom (every submission has the base key)."""
        if not self.variants.declares_freedom:
            return None
        return self._choose

    def _choose(self, submission: Submission, key: AnswerKey) -> AnswerKey:
        return self.key_for(submission)

    def key_for(self, submission: Submission) -> AnswerKey:
        """The key ``submission`` is graded against; VariantError when it cannot be determined."""
        if not self.variants.declares_freedom:
            return self.base
        seed = self.seed
        if submission.seed is not None:
            if seed is not None and submission.seed != seed:
                raise VariantError(f"the submission says seed {submission.seed}, but the variants "
                                   f"are graded with seed {seed}; its variant cannot be "
                                   f"determined: fix or drop its 'seed' field")
            seed = submission.seed
        if seed is None:
            return self.base
        student = submission.student
        if student is None or not str(student).strip():
            raise VariantError(f"this problem gives every student their own variant (seed {seed}); "
                               f"the submission has no 'student' field, so its variant cannot be "
                               f"determined: add student: <your id, as on the roster>")
        try:
            return self._key(self.variants.for_student(student, seed))
        except SpecError as error:
            raise VariantError(f"the variant of student {student!r} cannot be built: {error}") from None

    def _key(self, variant: Variant) -> AnswerKey:
        choice = variant.assignment.choice if variant.assignment is not None else ()
        key = self._keys.get(choice)
        if key is None:
            key = build_key(variant.problem)
            self.builds += 1
            if variant.assignment is not None and variant.assignment.student is not None:
                key = _with_variant(key, variant)
            self._keys[choice] = key
        return key


def _with_variant(key: AnswerKey, variant: Variant) -> AnswerKey:
    data = variant.assignment.to_data()
    data["student"] = None           # the key is shared by every student of this variant
    return replace(key, variant=data)


class VariantGrader:
    """Grades each submission against its own variant's key; the interface of Grader.

    Raises SpecError at construction for a bad spec. Use as a context manager.
    """

    def __init__(self, spec: str | os.PathLike, *, seed: int | None = None,
                 time_limit: float = DEFAULT_TIME_LIMIT, feedback: str | None = None):
        self.keys = VariantKeys(spec, seed=seed)
        self.feedback = feedback
        self._sandbox = Sandbox(time_limit=time_limit)
        self._graders: dict[int, Grader] = {}

    def __enter__(self) -> "VariantGrader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every grader and the shared worker."""
        for grader in self._graders.values():
            grader.close()
        self._sandbox.close()

    def grader_for(self, key: AnswerKey) -> Grader:
        """The grader of ``key`` (one per key, all on the shared worker)."""
        grader = self._graders.get(id(key))
        if grader is None:
            options = {} if self.feedback is None else {"feedback": self.feedback}
            grader = self._graders[id(key)] = Grader(key, sandbox=self._sandbox, **options)
        return grader

    def grade_path(self, path: str) -> SubmissionResult:
        """Grade the submission file at ``path``; unreadable or undeterminable gives ``error``."""
        try:
            submission = load_submission(path)
        except SubmissionError as error:
            return self.grader_for(self.keys.base)._failed(path, str(error))
        return self.grade(submission)

    def grade(self, submission: Submission) -> SubmissionResult:
        """Grade a loaded submission against the key of its variant."""
        try:
            key = self.keys.key_for(submission)
        except VariantError as error:
            return self.grader_for(self.keys.base)._failed(submission.path, str(error), submission)
        result = self.grader_for(key).grade(submission)
        if key.variant is not None and result.error is None:
            note = f"graded against {_describe(key.variant)}"
            result = _with_note(result, note)
        return result


def _describe(variant: dict) -> str:
    number = (f"variant {variant['number']} of {variant['count']}"
              if variant.get("number") is not None else "a drawn variant")
    values = ", ".join(f"{k}={v}" for k, v in variant["values"].items())
    return f"{number} (seed {variant['seed']}): {values}"


def _with_note(result: SubmissionResult, note: str) -> SubmissionResult:
    return replace(result, notes=(*result.notes, note))
