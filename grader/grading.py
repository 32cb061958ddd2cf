"""Grade submissions against an answer key: checks, points, verdicts.

Each answer is read and judged inside a sandboxed worker process (time and
memory limits). Verdicts are cached twice: here by the exact raw answer (the
same data to the character), and in the worker by the answer's reading (its
tree), so a class that submits the same answer many times, in whatever
spelling, pays for it once, and two answers never share a verdict unless they
are the same data or read the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.answer_keys import raw_answer_key
from grader.checks import (CHECKERS, UnknownKey, check_registered, forget_key, install_key, prepare_key,
                           register_key, run_check)
from grader.checks.context import CheckContext
from grader.feedback.levels import FULL, effective_level, shown_feedback, shown_mistake, shown_reference
from grader.results import (CORRECT, INCORRECT, MANUAL, MISSING, PARTIAL, UNPARSEABLE, AnswerResult,
                            Check, PartResult, SubmissionResult)
from grader.sandbox import Sandbox, SandboxCrashed, SandboxError, SandboxTimeout
from grader.submission import Submission, SubmissionError, load_submission
from solver.key import AnswerKey, PartKey
from solver.plain_data import data_problem, plain_text

#: Seconds one answer may take to check before it is stopped.
DEFAULT_TIME_LIMIT = 5.0
#: Longest feedback kept for one answer, in characters (feedback may echo the answer).
MAX_FEEDBACK_CHARS = 1000
#: Unknown part ids or item keys named in one note (the rest are counted).
MAX_NAMED_KEYS = 5
#: The verdict cache of a Grader is emptied when it holds this many entries (a long-running
#: server grades without end; the worker's cache has the same kind of bound).
MAX_CACHED_CHECKS = 100_000


class Grader:
    """Grades submissions of one problem. Use as a context manager (it owns a worker process)."""

    def __init__(self, key: AnswerKey, *, time_limit: float = DEFAULT_TIME_LIMIT,
                 sandbox: Sandbox | None = None, cache: bool = True, feedback: str = FULL):
        self.key = key
        self.cache = cache
        self.feedback = feedback
        prepare_key(key)
        self._token = register_key(key)
        self._sandbox = sandbox or Sandbox(time_limit=time_limit)
        self._owns_sandbox = sandbox is None
        self._cache: dict[tuple, Check] = {}

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker process (when this grader started it)."""
        forget_key(self._token)
        if self._owns_sandbox:
            self._sandbox.close()

    def grade_path(self, path: str) -> SubmissionResult:
        """Grade the submission file at ``path``; an unreadable file gives a result with ``error``."""
        try:
            submission = load_submission(path)
        except SubmissionError as error:
            return self._failed(path, str(error))
        return self.grade(submission)

    def grade(self, submission: Submission) -> SubmissionResult:
        """Grade a loaded submission: a result per part, in key order."""
        problem = self.key.problem
        if submission.problem != problem.id:
            return self._failed(submission.path, f"the submission is for problem "
                                                 f"{submission.problem!r}; this key is for "
                                                 f"{problem.id!r}", submission)
        answers, notes = _flatten(submission.answers, self.key)
        indexing = submission.indexing if submission.indexing is not None else problem.indexing
        context = CheckContext(indexing=indexing)
        parts = tuple(self._grade_part(pk, answers.get(pk.id), context, notes) for pk in self.key.parts)
        return SubmissionResult(
            submission=submission.path, problem=submission.problem, student=submission.student,
            score=sum(p.score for p in parts), max_score=sum(p.max_score for p in parts),
            parts=parts, notes=tuple(notes))

    def _grade_part(self, part_key: PartKey, raw: object, context, notes: list[str]) -> PartResult:
        part = part_key.part
        by_item = _by_item(part, raw, notes)
        weights = {item: part.options.weight_of(item) for item in part.ask}
        total_weight = sum(weights.values()) or 1.0
        results = []
        for item in part.ask:
            check = self._check(part_key, item, by_item.get(item), context)
            max_score = part.points * weights[item] / total_weight
            score = max_score if check.verdict == CORRECT else (
                max_score * check.credit if check.verdict == PARTIAL else 0.0)
            level = effective_level(self.feedback, part.feedback)
            results.append(AnswerResult(item, check.verdict, score, max_score,
                                        _bounded_feedback(shown_feedback(check, level)),
                                        shown_reference(check, level), shown_mistake(check, level),
                                        _bounded_feedback(check.read_as)))
        return PartResult(part.id, _part_verdict(results), sum(r.score for r in results),
                          part.points, tuple(results))

    def _check(self, part_key: PartKey, item: str, raw: object, context: CheckContext) -> Check:
        checker = CHECKERS[item]
        if raw is None or not checker.sandboxed:
            return _guarded(run_check, part_key, item, raw, context)
        too_big = data_problem(raw)  # before the cache key and the worker, which would choke on it
        if too_big is not None:
            where, what = too_big
            return Check(UNPARSEABLE, f"this answer{f' (at {where})' if where else ''} has {what}")
        raw_key = raw_answer_key(raw) if self.cache else None
        if raw_key is None:
            return self._judge(part_key, item, raw, context)
        cache_key = (part_key.id, item, context.indexing if checker.uses_indexing else None, raw_key)
        cached = self._cache.get(cache_key)
        if cached is None:
            if len(self._cache) >= MAX_CACHED_CHECKS:
                self._cache.clear()
            cached = self._cache[cache_key] = self._judge(part_key, item, raw, context)
        return cached

    def _judge(self, part_key, item, raw, context) -> Check:
        call = (check_registered, self._token, part_key.id, item, raw, context, self.cache)
        try:
            try:
                return self._sandbox.run(*call)
            except UnknownKey:              # a worker started before this key was registered
                self._sandbox.run(install_key, self._token, self.key)
                return self._sandbox.run(*call)
        except SandboxTimeout:
            return Check(UNPARSEABLE, "this answer took too long to check; write it in a simpler form")
        except SandboxCrashed:
            return Check(UNPARSEABLE, "this answer needed too much memory to check; write it in a simpler form")
        except (SandboxError, RecursionError) as error:
            return Check(UNPARSEABLE, f"this answer could not be checked: {error}")
        except Exception as error:  # noqa: BLE001 - one bad answer must never stop a class
            return _internal_error(error)

    def _failed(self, path: str, message: str, submission: Submission | None = None) -> SubmissionResult:
        return SubmissionResult(
            submission=path, problem=submission.problem if submission else None,
            student=submission.student if submission else None, score=0.0,
            max_score=sum(pk.part.points for pk in self.key.parts), error=message)


def _guarded(step, *args):
    """``step(*args)`` with any unexpected exception turned into a verdict (one answer never stops a class)."""
    try:
        return step(*args)
    except RecursionError:
        return Check(UNPARSEABLE, "this answer is nested too deeply to check; write it in a simpler form")
    except Exception as error:  # noqa: BLE001 - a bug must cost one answer, not the run
        return _internal_error(error)


def _internal_error(error: Exception) -> Check:
    first_line = str(error).splitlines()[0] if str(error) else ""
    return Check(UNPARSEABLE, f"this answer could not be checked (internal error: {type(error).__name__}: "
                              f"{first_line[:200]}); please report it with the answer")


def answers_by_item(submission: Submission, key: AnswerKey) -> tuple[dict, list[str]]:
    """{part id: {item: raw answer}} as grading reads ``submission`` (nested sub-parts, bare
    values for the first asked item), and the notes on what would not be graded."""
    answers, notes = _flatten(submission.answers, key)
    by_part = {pk.id: _by_item(pk.part, answers.get(pk.id), notes) for pk in key.parts}
    return by_part, notes


def _flatten(answers: Mapping, key: AnswerKey) -> tuple[dict, list[str]]:
    """Part id -> raw answer; nested sub-parts (c: {i: ...}) are accepted as c.i."""
    known = {pk.id for pk in key.parts}
    flat, unknown = {}, []
    _collect(answers, known, flat, unknown)
    notes = []
    if unknown:
        notes.append(f"{_named('answer to unknown part', 'answers to unknown parts', unknown)} "
                     f"not graded; this problem's parts are {', '.join(pk.id for pk in key.parts)}")
    return flat, notes


def _collect(answers: Mapping, known: set, flat: dict, unknown: list) -> None:
    for part_id, raw in answers.items():
        if part_id in known:
            flat[part_id] = raw
        elif isinstance(raw, Mapping) and any(f"{part_id}.{plain_text(sub)}" in known for sub in raw):
            _collect({f"{part_id}.{plain_text(sub)}": v for sub, v in raw.items()}, known, flat, unknown)
        else:
            unknown.append(part_id)


def _by_item(part, raw: object, notes: list[str]) -> dict:
    """Item -> raw answer for one part; a bare value answers the part's first asked item.

    A mapping is read as item -> answer; keys that are not asked items are
    reported in ``notes`` (never silently dropped).
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return {part.ask[0]: raw}
    chosen, not_asked, unknown = {}, [], []
    for key, value in raw.items():
        item = plain_text(key)
        if item in part.ask:
            chosen[item] = value
        elif item in CHECKERS:
            not_asked.append(item)
        else:
            unknown.append(item)
    asked = ", ".join(part.ask)
    if not_asked:
        notes.append(f"part {part.id}: {_named('item', 'items', not_asked)} not asked in this part "
                     f"and not graded (it asks {asked})")
    if unknown:
        notes.append(f"part {part.id}: {_named('unknown key', 'unknown keys', unknown)} not graded; "
                     f"answer with {asked}")
    return chosen


def _named(singular: str, plural: str, names: list[str]) -> str:
    """The subject of a note: ``unknown key 'z' was``, or ``5 unknown keys ('a', ... and 3 more) were``.

    At most MAX_NAMED_KEYS names are shown, each cut to 40 characters.
    """
    shown = [repr(name if len(name) <= 40 else name[:40] + "...") for name in names[:MAX_NAMED_KEYS]]
    if len(names) == 1:
        return f"{singular} {shown[0]} was"
    more = len(names) - len(shown)
    listed = ", ".join(shown) + (f" and {more:,} more" if more else "")
    return f"{len(names):,} {plural} ({listed}) were"


def _bounded_feedback(feedback: str) -> str:
    """``feedback`` cut to MAX_FEEDBACK_CHARS characters, saying how much was left out."""
    if len(feedback) <= MAX_FEEDBACK_CHARS:
        return feedback
    left_out = len(feedback) - MAX_FEEDBACK_CHARS
    return f"{feedback[:MAX_FEEDBACK_CHARS]}... ({left_out:,} more characters not shown)"


def _part_verdict(results: list[AnswerResult]) -> str:
    verdicts = [r.verdict for r in results]
    if all(v == CORRECT for v in verdicts):
        return CORRECT
    if all(v == MISSING for v in verdicts):
        return MISSING
    automatic = [v for v in verdicts if v != MANUAL]
    if MANUAL in verdicts and all(v == CORRECT for v in automatic):
        return MANUAL
    if any(v in (CORRECT, PARTIAL) for v in verdicts):
        return PARTIAL
    if all(v in (UNPARSEABLE, MISSING) for v in automatic) and UNPARSEABLE in automatic:
        return UNPARSEABLE
    return INCORRECT
