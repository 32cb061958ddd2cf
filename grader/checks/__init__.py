"""Registry of checkers: asked item name -> how to read a raw answer and how to judge it.

A checker has two steps. ``read(part_key, raw)`` parses the raw answer with the
project's own bounded parser into a hashable reading (a tree, a tuple of
trees, an equation, a tuple of numbers) or returns a ``Check`` right away
(missing, unparseable). ``judge(part_key, expected, reading, context)`` compares
a reading with the key and returns a :class:`~grader.results.Check`; it is a
function of the reading alone, which is why verdicts are cached on readings.
Adding a question kind means one checker module and one line here.

Both steps run in the sandbox worker (time and memory limits), which finds the
answer key by a token (:func:`register_key`) instead of receiving it with every
answer, and caches verdicts on the reading, so answers spelled differently that
read the same are judged once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable

from grader.checks.context import CheckContext
from grader.checks.count import echo_count, judge_count, matches_count, prepare_count, read_count
from grader.checks.explanation import judge_explanation, read_explanation
from grader.checks.index_expression import (echo_index_expression, judge_index_expression,
                                            matches_index_expression, prepare_index_expression,
                                            read_index_expression)
from grader.checks.numeric import judge_numeric, read_numeric
from grader.checks.shape import echo_shape, judge_shape, matches_shape, prepare_shape, read_shape_answer
from grader.checks.summary import judge_summary, prepare_summary, read_summary
from grader.feedback.annotate import annotate, prepare_annotations
from grader.results import Check


@dataclass(frozen=True)
class Checker:
    """``read`` and ``judge`` of one item; ``prepare(part_key, expected)`` computes the key's side
    once, before grading; ``uses_indexing``: the verdict depends on the declared index base;
    ``sandboxed``: judging evaluates the answer (else it runs in-process, uncached);
    ``matches(part_key, value, reading, context)``: whether a reading equals another answer in
    reading form (used to name mistakes); ``echo(reading)``: the reading as canonical text."""

    read: Callable
    judge: Callable
    prepare: Callable | None = None
    uses_indexing: bool = False
    sandboxed: bool = True
    matches: Callable | None = None
    echo: Callable | None = None


CHECKERS = {
    "shape": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
    "value": Checker(read_index_expression, judge_index_expression, prepare_index_expression, uses_indexing=True,
                     matches=matches_index_expression, echo=echo_index_expression),
    "numeric": Checker(read_numeric, judge_numeric),
    "explanation": Checker(read_explanation, judge_explanation, sandboxed=False),
    "params": Checker(read_count, judge_count, prepare_count, matches=matches_count, echo=echo_count),
    "summary": Checker(read_summary, judge_summary, prepare_summary),
    "receptive_field": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
    "jump": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
    "macs": Checker(read_count, judge_count, prepare_count, matches=matches_count, echo=echo_count),
    "flops": Checker(read_count, judge_count, prepare_count, matches=matches_count, echo=echo_count),
    "activations": Checker(read_count, judge_count, prepare_count, matches=matches_count, echo=echo_count),
    "im2col": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
    "effective_kernel": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
    "padding_for_same": Checker(read_shape_answer, judge_shape, prepare_shape, matches=matches_shape, echo=echo_shape),
}


def prepare_key(key) -> None:
    """Compute the key's side of every check of ``key`` now (in the parent, before a worker is
    forked): key answers as trees, domain samples, key tables. Workers inherit them."""
    for part_key in key.parts:
        for item, expected in part_key.answers:
            prepare = CHECKERS[item].prepare
            if prepare is not None:
                prepare(part_key, expected)
            prepare_annotations(part_key, item, CHECKERS[item])


def run_check(part_key, item: str, raw: object, context: CheckContext) -> Check:
    """Read and judge the raw answer to ``item`` of ``part_key`` in this process."""
    checker = CHECKERS[item]
    reading = checker.read(part_key, raw)
    if isinstance(reading, Check):
        return reading
    return _judged(checker, part_key, item, part_key.answer(item), reading, context)


def _judged(checker: Checker, part_key, item: str, expected, reading, context: CheckContext) -> Check:
    """The checker's verdict with the named mistake and the echo of the reading added."""
    check = checker.judge(part_key, expected, reading, context)
    return annotate(part_key, item, checker, reading, context, check)


# ---- answer keys known to the worker ---------------------------------------------------------

_KEYS: dict[int, object] = {}
_TOKENS = itertools.count(1)


class UnknownKey(LookupError):
    """The worker does not hold the key of this token (it was started before the key was registered)."""


def register_key(key) -> int:
    """Make ``key`` known to workers started from now on; returns its token (never reused)."""
    token = next(_TOKENS)
    _KEYS[token] = key
    return token


def install_key(token: int, key) -> None:
    """Hold ``key`` under ``token`` in this process (sent once to a worker that lacks it)."""
    _KEYS[token] = key


def forget_key(token: int) -> None:
    """Drop the key of ``token`` from this process."""
    _KEYS.pop(token, None)


#: Verdicts by (token, part, item, index base where it matters, reading), in the worker.
_VERDICTS: dict[tuple, Check] = {}
#: The verdict cache is emptied when it holds this many entries.
MAX_CACHED_VERDICTS = 200_000


def check_registered(token: int, part_id: str, item: str, raw, context: CheckContext, cached: bool = True) -> Check:
    """Read and judge ``raw`` against the registered key's part ``part_id`` (runs inside the worker);
    with ``cached``, a reading judged before gets its verdict from the cache."""
    key = _KEYS.get(token)
    if key is None:
        raise UnknownKey(token)
    part_key = key.part(part_id)
    checker = CHECKERS[item]
    reading = checker.read(part_key, raw)
    if isinstance(reading, Check):
        return reading
    expected = part_key.answer(item)
    if not cached:
        return _judged(checker, part_key, item, expected, reading, context)
    cache_key = (token, part_id, item, context.indexing if checker.uses_indexing else None, reading)
    try:
        verdict = _VERDICTS.get(cache_key)
    except TypeError:                       # an unhashable reading is judged, just not shared
        return _judged(checker, part_key, item, expected, reading, context)
    if verdict is None:
        if len(_VERDICTS) >= MAX_CACHED_VERDICTS:
            _VERDICTS.clear()
        verdict = _VERDICTS[cache_key] = _judged(checker, part_key, item, expected, reading, context)
    return verdict
