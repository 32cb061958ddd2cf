"""Read a student's submission file (YAML or JSON) into plain, checked data.

Format (a stable public interface, documented in the README)::

    problem: q1.1            # must match the spec's id
    student: alice           # optional; with variants, the id the student's variant comes from
    seed: 3                  # optional: the assignment seed of the student's variant
    indexing: 1              # optional: the student's index base (0 or 1)
    answers:
      a: 4 x 5               # a bare value answers the part's first asked item
      c.i:
        shape: 1 x 2
        value: f[1,j] = ...
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from solver.plain_data import is_huge_int, plain_text
from solver.yaml_loading import YamlLoadError, load_yaml_file

_FIELDS = {"problem", "student", "seed", "indexing", "answers"}
#: Largest submission file, in bytes, checked before it is parsed (a homework's answers
#: take a few kilobytes).
MAX_SUBMISSION_BYTES = 1024 * 1024


class SubmissionError(ValueError):
    """A submission file that cannot be graded; the message says why and what is accepted."""


@dataclass(frozen=True)
class Submission:
    """A read submission: ``answers`` maps part id -> {item: raw answer} (raw YAML values)."""

    path: str
    problem: str
    student: str | None
    indexing: int | None
    answers: dict
    seed: int | None = None


def load_submission(path: str | os.PathLike) -> Submission:
    """Read the submission at ``path`` (at most MAX_SUBMISSION_BYTES, 1 MiB).

    Raises SubmissionError naming what is wrong.
    """
    source = os.fspath(path)
    try:
        raw = load_yaml_file(source, max_bytes=MAX_SUBMISSION_BYTES)
    except YamlLoadError as error:
        raise SubmissionError(f"not a readable YAML/JSON file: {error}") from None
    return submission_from_data(raw, path=source)


def submission_from_data(raw: object, *, path: str = "<submission>") -> Submission:
    """Check already-loaded data (a mapping) and return a Submission."""
    if not isinstance(raw, Mapping):
        found = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise SubmissionError(f"a submission is a mapping with problem and answers; found {found}")
    unknown = sorted(plain_text(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise SubmissionError(f"unknown field {unknown[0][:60]!r}; accepted: {', '.join(sorted(_FIELDS))}")
    problem = raw.get("problem")
    if problem is None or isinstance(problem, (bool, list, dict)):
        raise SubmissionError("field 'problem' is missing: give the problem id, e.g. problem: q1.1")
    _refuse_huge_or_nested(problem, "problem", "the problem id, e.g. problem: q1.1")
    student = raw.get("student")
    if student is not None and (isinstance(student, (list, dict)) or isinstance(student, bool)):
        raise SubmissionError("field 'student' must be a name or an id")
    if student is not None:
        _refuse_huge_or_nested(student, "student", "a name or an id")
    indexing = raw.get("indexing")
    if indexing is not None and (isinstance(indexing, bool) or indexing not in (0, 1)):
        raise SubmissionError(f"field 'indexing' must be 0 or 1 (the first index of every tensor); "
                              f"found {plain_text(indexing)[:60]}")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0
                             or is_huge_int(seed)):
        raise SubmissionError(f"field 'seed' must be an integer >= 0 (the assignment seed of the "
                              f"student's variant); found {plain_text(seed)[:60]}")
    answers = raw.get("answers")
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise SubmissionError("field 'answers' must map part ids (a, b, c.i, ...) to answers")
    return Submission(path=path, problem=str(problem), student=None if student is None else str(student),
                      indexing=indexing, answers={plain_text(k): v for k, v in answers.items()},
                      seed=seed)


def _refuse_huge_or_nested(value: object, field: str, accepted: str) -> None:
    """SubmissionError for a value whose text cannot be formed (a huge integer) or is a collection."""
    if is_huge_int(value):
        raise SubmissionError(f"field {field!r} is {plain_text(value)}; give {accepted}")
    if isinstance(value, (tuple, set, frozenset, Mapping)):
        raise SubmissionError(f"field {field!r} is a {type(value).__name__}; give {accepted}")
