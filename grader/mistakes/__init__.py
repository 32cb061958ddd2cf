"""Named mistakes derived from the key: each a wrong answer built by transforming the correct one.

For each asked item a catalogue module builds, from a part's key, the answers a
student gets by one known mistake (the +1 forgotten, the stride ignored, the
kernel flipped, the bias left out, ...), each with the mistake's name and a
hint that teaches without giving the answer away. When a wrong answer is
equivalent, by the grader's own check, to one of them, the feedback names it.
Candidates equal to the key are left out, so a correct answer never matches.

Catalogues are registered per item in ``_CATALOGUES``; adding a mistake is
one entry in its module. They are built once per part (in the parent, before
the sandbox worker forks) and hold trees only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from grader.checks.memo import memo


@dataclass(frozen=True)
class Mistake:
    """A kind of mistake: a short ``name`` ("forgot the +1") and a ``hint`` that teaches."""

    name: str
    hint: str


@dataclass(frozen=True)
class Candidate:
    """The answer that ``mistake`` gives for one part: ``value`` in the checker's reading form
    (a shape tuple, a formula tree, or an answer-like object for index expressions), or, when
    ``test`` is set, a predicate on the reading instead."""

    mistake: Mistake
    value: object = None
    test: Callable | None = None


def _catalogues() -> dict[str, Callable]:
    from grader.mistakes.counts import count_candidates
    from grader.mistakes.indices import index_candidates
    from grader.mistakes.shapes import shape_candidates
    return {"shape": shape_candidates, "params": count_candidates, "value": index_candidates}


def candidates(part_key, item: str, matches: Callable) -> tuple[Candidate, ...]:
    """The named mistakes of ``item`` in ``part_key`` that differ from the key, once per part.

    ``matches(part_key, value, reading, context)`` is the checker's equivalence test; a
    candidate it finds equal to the key's own answer is dropped.
    """
    def build() -> tuple[Candidate, ...]:
        make = _catalogues().get(item)
        if make is None:
            return ()
        try:
            found = make(part_key)
        except Exception:  # noqa: BLE001 - a catalogue that cannot handle a part names nothing
            return ()
        return tuple(c for c in found if c.test is not None or not _equals_key(part_key, item, c, matches))
    return memo(part_key, f"_mistakes_{item}", build)


def name_mistake(part_key, item: str, reading, context, matches: Callable) -> Mistake | None:
    """The named mistake whose answer the reading equals, or None; when several mistakes give
    the same answer, one Mistake naming them all ("stride ignored or kernel not subtracted")."""
    found: list[Mistake] = []
    for candidate in candidates(part_key, item, matches):
        if candidate.mistake in found:
            continue
        try:
            if candidate.test is not None:
                hit = candidate.test(reading)
            else:
                hit = matches(part_key, candidate.value, reading, context)
        except Exception:  # noqa: BLE001 - a candidate that cannot be compared names nothing
            hit = False
        if hit:
            found.append(candidate.mistake)
    if len(found) <= 1:
        return found[0] if found else None
    return Mistake(" or ".join(m.name for m in found), "; ".join(m.hint for m in found))


def _equals_key(part_key, item, candidate: Candidate, matches) -> bool:
    from grader.checks.context import CheckContext
    key_reading = key_reading_of(part_key, item)
    context = CheckContext(indexing=part_key.part.indexing)
    try:
        return bool(matches(part_key, candidate.value, key_reading, context))
    except Exception:  # noqa: BLE001 - what cannot be compared is not offered
        return True


def key_reading_of(part_key, item: str):
    """The key's own answer in the reading form a student's answer has."""
    answer = part_key.answer(item)
    if item == "shape":
        return answer.trees
    if item == "params":
        return answer.tree
    return answer.tree          # value: the key's Equation
