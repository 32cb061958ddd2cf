"""The answer form as data: fields -> submission YAML (the file `python -m grader` reads) and back.

A check is graded from the very text a download gives: the form's answers are written as a
submission YAML, then read by the command line's loader (``load_yaml_text`` with the 1 MiB
submission limit, then ``submission_from_data``). So a downloaded file grades as the check did,
and the form meets every bound a file meets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from grader.grading import answers_by_item
from grader.submission import MAX_SUBMISSION_BYTES, Submission, SubmissionError, submission_from_data
from solver.key import AnswerKey
from solver.yaml_loading import YamlLoadError, load_yaml_text

#: Longest student id accepted from the form, in characters.
MAX_STUDENT_CHARS = 200


@dataclass(frozen=True)
class FormAnswers:
    """What the form holds: the student id, the declared index base ('' for the spec's) and the
    text of each field, keyed by (part id, item)."""

    student: str = ""
    indexing: str = ""
    values: dict = field(default_factory=dict)


def field_name(part_id: str, item: str) -> str:
    """The form field of ``item`` of part ``part_id``: ``c.i:shape`` (part ids hold no ':')."""
    return f"{part_id}:{item}"


def form_answers(fields: dict[str, str], key: AnswerKey) -> FormAnswers:
    """The known fields of a posted form (others are ignored); text newlines made ``\\n``."""
    values = {}
    for part_key in key.parts:
        for item in part_key.part.ask:
            text = fields.get(field_name(part_key.id, item), "")
            values[part_key.id, item] = text.replace("\r\n", "\n").replace("\r", "\n")
    indexing = fields.get("indexing", "")
    return FormAnswers(fields.get("student", "").strip(), indexing if indexing in ("0", "1") else "", values)


def submission_yaml(form: FormAnswers, key: AnswerKey) -> str:
    """The form as a submission file: problem, student and indexing when given, every non-empty answer."""
    data: dict = {"problem": key.problem.id}
    if form.student:
        data["student"] = form.student
    if form.indexing:
        data["indexing"] = int(form.indexing)
    answers = {}
    for part_key in key.parts:
        items = {item: form.values[part_key.id, item] for item in part_key.part.ask
                 if form.values.get((part_key.id, item), "").strip()}
        if items:
            answers[part_key.id] = items
    data["answers"] = answers
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def read_submission(text: str | bytes, key: AnswerKey, *, path: str = "<web form>") -> Submission:
    """The submission in ``text`` read as the command line reads a file; SubmissionError says why not
    (too large, unreadable, another problem's)."""
    try:
        raw = load_yaml_text(text, max_bytes=MAX_SUBMISSION_BYTES)
    except YamlLoadError as error:
        raise SubmissionError(f"not a readable YAML/JSON file: {error}") from None
    submission = submission_from_data(raw, path=path)
    if submission.problem != key.problem.id:
        raise SubmissionError(f"this file is for problem {submission.problem[:60]!r}; "
                              f"this page is problem {key.problem.id!r}")
    return submission


def checked_student(form: FormAnswers) -> str | None:
    """Why the student id cannot be used, or None."""
    if len(form.student) > MAX_STUDENT_CHARS:
        return f"the student id has {len(form.student):,} characters; at most {MAX_STUDENT_CHARS} are accepted"
    return None


def filled_form(submission: Submission, key: AnswerKey) -> tuple[FormAnswers, list[str]]:
    """The form holding an uploaded submission, and the notes on what it holds that the form cannot."""
    by_part, notes = answers_by_item(submission, key)
    values = {(part_id, item): field_text(raw) for part_id, items in by_part.items() for item, raw in items.items()}
    indexing = "" if submission.indexing is None else str(submission.indexing)
    return FormAnswers(submission.student or "", indexing, values), notes


def field_text(raw: object) -> str:
    """A raw answer as the text of a field that reads the same: lists as ``[a, b]``, numbers as written."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        return "[" + ", ".join(field_text(item) for item in raw) + "]"
    if raw is None:
        return ""
    if isinstance(raw, (bool, int, float)):
        return yaml.safe_dump(raw, default_flow_style=True).strip().removesuffix("...").strip()
    return yaml.safe_dump(raw, default_flow_style=True, allow_unicode=True, width=1_000_000).strip()
