"""Instructor-written hints (``hints: [{answer, feedback}]`` on a part), matched like named mistakes.

Each hint's answer is read by the item's own checker, once per part (in the parent, before
the sandbox worker forks), into the reading form that ``checker.matches`` compares; a wrong
answer equivalent to it gets the instructor's text. Hints come before the derived catalogue
(:mod:`grader.mistakes`): the instructor knows their class.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.checks.memo import memo
from grader.mistakes.indices import like_key
from grader.mutations import substitute
from grader.results import Check
from solver.notation import tree


@dataclass(frozen=True)
class ReadHint:
    """A hint whose answer was read: ``value`` in the form ``matches`` takes as the other answer,
    or None with ``problem`` saying why the answer cannot be matched (``--check`` reports it)."""

    index: int
    feedback: str
    value: object = None
    problem: str = ""


def read_hints(part_key, item: str, checker) -> tuple[ReadHint, ...]:
    """The part's hints for ``item``, read once per part."""
    def build() -> tuple[ReadHint, ...]:
        found = []
        for index, hint in enumerate(part_key.part.hints):
            if hint.item != item:
                continue
            if checker.matches is None:
                found.append(ReadHint(index, hint.feedback, problem=f"answers to {item} are not "
                                      f"matched by equivalence, so this hint is never shown"))
                continue
            reading = checker.read(part_key, hint.answer)
            if isinstance(reading, Check):
                found.append(ReadHint(index, hint.feedback, problem=f"its answer cannot be read: "
                                                                    f"{reading.feedback}"))
                continue
            try:
                value = _as_other(part_key, item, reading)
            except Exception as error:  # noqa: BLE001 - a hint that cannot be compared is reported, not fatal
                found.append(ReadHint(index, hint.feedback, problem=f"its answer cannot be compared: {error}"))
                continue
            found.append(ReadHint(index, hint.feedback, value))
        return tuple(found)
    return memo(part_key, f"_instructor_hints_{item}", build)


def instructor_hint(part_key, item: str, checker, reading, context) -> str | None:
    """The text of the first hint whose answer the reading equals (by the checker's own test), or None."""
    for hint in read_hints(part_key, item, checker):
        if hint.value is None:
            continue
        try:
            if checker.matches(part_key, hint.value, reading, context):
                return hint.feedback
        except Exception:  # noqa: BLE001 - a hint that cannot be compared shows nothing
            continue
    return None


def _as_other(part_key, item: str, reading):
    """A reading as the ``other`` answer of ``matches``: shapes and formulas as they are; an
    equation as an answer-like object with the key's left-hand side, its indices renamed to the
    key's, in the spec's index base."""
    if item != "value":
        return reading
    key = part_key.answer("value")
    rhs = reading.rhs
    if reading.of is not None:
        mine, theirs = reading.lhs_indices, key.tree.lhs_indices
        if len(mine) != len(theirs):
            raise ValueError("its left-hand side has not as many indices as the key's")
        names = {a.name: b for a, b in zip(mine, theirs)
                 if isinstance(a, tree.Sym) and isinstance(b, tree.Sym) and a.name != b.name}
        rhs = substitute(rhs, names) if names else rhs
    return like_key(key, rhs, part_key.part.indexing)
