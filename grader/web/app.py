"""The self-check web application, independent of the HTTP server: ``App.handle(request) -> Response``.

Routes::

    GET  /                      the problems
    GET  /p/<id>                a problem's form
    POST /p/<id>/check          grade the form (the page again, with verdicts, points, feedback, total)
    POST /p/<id>/download       the form as a submission YAML (an attachment)
    POST /p/<id>/upload         fill the form from a submission file (multipart/form-data)
    POST /api/preview           how one field's text was read: {"html": ...}
    GET  /static/app.js, /static/style.css

Everything a request holds is hostile: the body is refused past MAX_BODY_BYTES before it is
read, a check is graded from the submission YAML the form gives, read by the command line's
loader (1 MiB, the value/depth/integer limits), by a :class:`~grader.grading.Grader` whose
worker has the command line's time and memory limits per answer; previews are read in a
worker of their own with the same limits. Nothing is kept between requests (the Graders'
verdict caches are keyed on the exact answer and never change a verdict) unless ``save_dir``
is given: then each check is written there as a submission file, atomically.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from grader.checks.index_expression import equation_aliases
from grader.feedback.levels import DEFAULT_LEVEL
from grader.grading import DEFAULT_TIME_LIMIT, Grader
from grader.sandbox import Sandbox, SandboxError
from grader.submission import MAX_SUBMISSION_BYTES, SubmissionError
from grader.web import pages
from grader.web.forms import (FormAnswers, checked_student, field_name, filled_form, form_answers, read_submission,
                              submission_yaml)
from grader.web.preview import MATH_ITEMS, Unreadable, read_for_preview
from solver.key import AnswerKey

#: Largest request body, in bytes: a form whose answers fit a 1 MiB submission, percent-encoded.
MAX_BODY_BYTES = 4 * MAX_SUBMISSION_BYTES
#: Fields read from one form (a problem has a few dozen).
MAX_FORM_FIELDS = 1000
#: Longest text previewed at once, in characters (the parser refuses formulas over 2,000).
MAX_PREVIEW_CHARS = 10_000
STATIC = Path(__file__).with_name("static")
_STATIC_TYPES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}

#: Sent with every response. No source outside this server, no inline script or style.
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),     # "no-referrer" would make form posts send Origin: null
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: dict            # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: tuple = ()

    def all_headers(self) -> list[tuple[str, str]]:
        return [("Content-Type", self.content_type), ("Content-Length", str(len(self.body))),
                *SECURITY_HEADERS, *self.headers]


@dataclass(frozen=True)
class ProblemEntry:
    """A loaded problem: its id, title, spec file and answer key."""

    id: str
    title: str
    path: str
    key: AnswerKey


def spec_key(entry: ProblemEntry, student: str | None) -> AnswerKey:
    """The answer key a student's answers are graded against: the spec's own key.

    The hook for per-student variants: a key picker ``(entry, student id or None) -> AnswerKey``
    is passed to :class:`App`; the same key object should be returned for the same variant,
    since each distinct key gets a Grader (a worker process) of its own.
    """
    return entry.key


KeyPicker = Callable[[ProblemEntry, "str | None"], AnswerKey]


@dataclass
class App:
    """The application: problems, feedback level, limits, where checks are saved (None: nowhere)."""

    problems: list[ProblemEntry]
    failed: list = field(default_factory=list)            # (spec file, error) of specs that did not load
    feedback: str = DEFAULT_LEVEL
    time_limit: float = DEFAULT_TIME_LIMIT
    save_dir: str | None = None
    key_for: KeyPicker = spec_key
    allowed_hosts: frozenset | None = None                 # Host values accepted (None: any)

    def __post_init__(self):
        self._by_id = {entry.id: entry for entry in self.problems}
        self._graders: dict[int, tuple[AnswerKey, Grader]] = {}
        self._lock = threading.Lock()
        self._previews = Sandbox(time_limit=self.time_limit)

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            for _, grader in self._graders.values():
                grader.close()
            self._graders.clear()
        self._previews.close()

    def grader(self, key: AnswerKey) -> Grader:
        """The Grader of ``key`` (started on first use, kept while the app runs)."""
        with self._lock:
            held = self._graders.get(id(key))
            if held is None:
                held = self._graders[id(key)] = (key, Grader(key, time_limit=self.time_limit,
                                                             feedback=self.feedback))
            return held[1]

    # ---- dispatch --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The response to ``request``; never raises for anything a client sends."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        path = urlsplit(request.target).path
        try:
            if request.method == "GET":
                return self._get(path)
            if request.method == "POST":
                return self._post(path, request)
        except _BadRequest as error:
            return _text(400, str(error))
        return _text(405, "only GET and POST are served")

    def _refused(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return _text(421, "this server answers only to its own address (Host header refused)")
        origin = request.headers.get("origin")
        if request.method == "POST" and origin is not None and origin != f"http://{host}":
            return _text(403, "a form from another site cannot post here")
        return None

    def _get(self, path: str) -> Response:
        if path == "/":
            return _html(pages.index_page([(e.id, e.title) for e in self.problems], self.failed))
        if path.startswith("/static/"):
            name = path[len("/static/"):]
            if name in _STATIC_TYPES:
                return Response(200, (STATIC / name).read_bytes(), _STATIC_TYPES[name])
        entry = self._entry(path, "")
        if entry is not None:
            key = self.key_for(entry, None)
            return _html(pages.problem_page(key, FormAnswers()))
        return _text(404, "no such page")

    def _post(self, path: str, request: Request) -> Response:
        if path == "/api/preview":
            return self._preview(_form_fields(request))
        for action, run in (("check", self._check), ("download", self._download), ("upload", self._upload)):
            entry = self._entry(path, action)
            if entry is not None:
                return run(entry, request)
        return _text(404, "no such page")

    def _entry(self, path: str, action: str) -> ProblemEntry | None:
        if not path.startswith("/p/"):
            return None
        rest = path[3:]
        if action:
            if not rest.endswith("/" + action):
                return None
            rest = rest[:-len(action) - 1]
        if "/" in rest:
            return None
        return self._by_id.get(unquote(rest, errors="strict") if _decodable(rest) else None)

    # ---- actions ---------------------------------------------------------------------------

    def _form(self, entry: ProblemEntry, request: Request) -> tuple[AnswerKey, FormAnswers]:
        fields = _form_fields(request)
        key = self.key_for(entry, fields.get("student", "").strip() or None)
        return key, form_answers(fields, key)

    def _check(self, entry: ProblemEntry, request: Request) -> Response:
        key, form = self._form(entry, request)
        problem = checked_student(form)
        text = submission_yaml(form, key)
        try:
            if problem is not None:
                raise SubmissionError(problem)
            submission = read_submission(text, key)
        except SubmissionError as error:
            return _html(pages.problem_page(key, form, previews=self._previews_of(key, form),
                                            messages=[f"could not be checked: {error}"]))
        result = self.grader(key).grade(submission)
        saved = self.save_dir is not None and self._save(key, form, text)
        return _html(pages.problem_page(key, form, previews=self._previews_of(key, form), result=result,
                                        saved=saved))

    def _download(self, entry: ProblemEntry, request: Request) -> Response:
        key, form = self._form(entry, request)
        name = _safe_name(key.problem.id) + "-answers.yaml"
        return Response(200, submission_yaml(form, key).encode("utf-8"), "application/yaml; charset=utf-8",
                        (("Content-Disposition", f"attachment; filename=\"{name}\""),))

    def _upload(self, entry: ProblemEntry, request: Request) -> Response:
        key = self.key_for(entry, None)
        try:
            data = _uploaded_file(request)
            submission = read_submission(data, key, path="<uploaded file>")
        except SubmissionError as error:
            return _html(pages.problem_page(key, FormAnswers(), messages=[f"could not read the file: {error}"]))
        if submission.student:
            key = self.key_for(entry, submission.student)
        form, notes = filled_form(submission, key)
        return _html(pages.problem_page(key, form, previews=self._previews_of(key, form),
                                        messages=["the form now holds the answers of the uploaded file", *notes]))

    def _preview(self, fields: dict) -> Response:
        entry = self._by_id.get(fields.get("problem", ""))
        if entry is None:
            return _text(404, "no such problem")
        key = self.key_for(entry, fields.get("student", "").strip() or None)
        wanted = fields.get("field", "")
        for part_key in key.parts:
            for item in part_key.part.ask:
                if field_name(part_key.id, item) == wanted:
                    reading = self.preview(part_key, item, fields.get("text", ""))
                    body = json.dumps({"html": pages.preview_html(reading)}, ensure_ascii=True)
                    return Response(200, body.encode("ascii"), "application/json")
        return _text(404, "no such field")

    def preview(self, part_key, item: str, text: str):
        """How ``text`` is read as ``item`` of ``part_key`` (a Reading, an Unreadable or None), in the worker."""
        if item not in MATH_ITEMS and item != "numeric":
            return None
        if len(text) > MAX_PREVIEW_CHARS:
            return Unreadable(f"the answer has {len(text):,} characters; a formula may have at most 2,000")
        aliases = tuple(equation_aliases(part_key).items()) if item == "value" else ()
        try:
            return self._previews.run(read_for_preview, item, text, part_key.domain.symbol_names, aliases)
        except SandboxError as error:
            return Unreadable(f"this answer could not be read in time or memory: {error}")
        except Exception as error:  # noqa: BLE001 - a preview must never break the page
            return Unreadable(f"this answer could not be read ({type(error).__name__})")

    def _previews_of(self, key: AnswerKey, form: FormAnswers) -> dict:
        return {(part_key.id, item): self.preview(part_key, item, form.values.get((part_key.id, item), ""))
                for part_key in key.parts for item in part_key.part.ask}

    def _save(self, key: AnswerKey, form: FormAnswers, text: str) -> bool:
        """Write ``text`` into save_dir under a new name, atomically (a temporary file, then a rename)."""
        folder = Path(self.save_dir)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        unique = uuid.uuid4().hex[:12]
        name = f"{_safe_name(key.problem.id)}-{_safe_name(form.student or 'anonymous')}-{stamp}-{unique}.yaml"
        temporary = folder / f".{unique}.tmp"
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / name)
        return True


class _BadRequest(ValueError):
    """A request body that cannot be read; the message says why."""


def _decodable(text: str) -> bool:
    try:
        unquote(text, errors="strict")
        return True
    except UnicodeDecodeError:
        return False


def _form_fields(request: Request) -> dict[str, str]:
    """The first value of each field of an urlencoded body (at most MAX_FORM_FIELDS fields)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise _BadRequest("expected a form (application/x-www-form-urlencoded)")
    try:
        text = request.body.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise _BadRequest(f"the form cannot be read: {str(error)[:200]}") from None
    return {name: values[0] for name, values in parsed.items()}


def _uploaded_file(request: Request) -> bytes:
    """The ``file`` field of a multipart/form-data body; SubmissionError when there is none or it is too large."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise SubmissionError("expected a file upload (multipart/form-data)")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + request.body)
    if not message.is_multipart():
        raise SubmissionError("expected a file upload (multipart/form-data)")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            data = part.get_payload(decode=True) or b""
            if len(data) > MAX_SUBMISSION_BYTES:
                raise SubmissionError(f"the file has {len(data):,} bytes; a submission may have at most "
                                      f"{MAX_SUBMISSION_BYTES:,}")
            return data
    raise SubmissionError("no file was sent; choose a submission file first")


def _safe_name(text: str) -> str:
    """``text`` as part of a file name: letters, digits, '.', '-', '_' (others become '_'), at most 60."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "_" for ch in text)[:60].lstrip(".") or "_"


def _html(text: str) -> Response:
    return Response(200, text.encode("utf-8"))


def _text(status: int, message: str) -> Response:
    return Response(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")
