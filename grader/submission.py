"""Read a student's submission file (YAML or JSON) into plain, checked data.

Format (a stable public interface, documented in the README)::

    problem: q1.1            # must match the spec's id
    student: alice           # optional
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

from solver.yaml_loading import YamlLoadError, load_yaml_file

_FIELDS = {"problem", "student", "indexing", "answers"}


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


def load_submission(path: str | os.PathLike) -> Submission:
    """Read the submission at ``path``; raise SubmissionError naming what is wrong."""
    source = os.fspath(path)
    try:
        raw = load_yaml_file(source)
    except YamlLoadError as error:
        raise SubmissionError(f"not a readable YAML/JSON file: {error}") from None
    return submission_from_data(raw, path=source)


def submission_from_data(raw: object, *, path: str = "<submission>") -> Submission:
    """Check already-loaded data (a mapping) and return a Submission."""
    if not isinstance(raw, Mapping):
        found = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise SubmissionError(f"a submission is a mapping with problem and answers; found {found}")
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise SubmissionError(f"unknown field {unknown[0]!r}; accepted: {', '.join(sorted(_FIELDS))}")
    problem = raw.get("problem")
    if problem is None or isinstance(problem, (bool, list, dict)):
        raise SubmissionError("field 'problem' is missing: give the problem id, e.g. problem: q1.1")
    student = raw.get("student")
    if student is not None and (isinstance(student, (list, dict)) or isinstance(student, bool)):
        raise SubmissionError("field 'student' must be a name or an id")
    indexing = raw.get("indexing")
    if indexing is not None and (isinstance(indexing, bool) or indexing not in (0, 1)):
        raise SubmissionError(f"field 'indexing' must be 0 or 1 (the first index of every tensor); "
                              f"found {indexing!r}")
    answers = raw.get("answers")
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise SubmissionError("field 'answers' must map part ids (a, b, c.i, ...) to answers")
    return Submission(path=path, problem=str(problem), student=None if student is None else str(student),
                      indexing=indexing, answers={str(k): v for k, v in answers.items()})
