"""Feedback levels: how much of a structured :class:`~grader.results.Check` a report shows.

* ``verdict``: right or wrong only (plus why an answer could not be read, which is
  about the student's own text and gives nothing of the key away);
* ``hint``: also the named mistake with its teaching hint and where the answer
  goes wrong, never an expected value, the key's formula or expression, or the
  instructor's reference;
* ``full``: also the expected values, the expansions of the correct expression
  and the reference.

A spec or part may set ``feedback:`` as the most its reports show; the command
line asks for a level (``--feedback``, default ``hint``) and gets the lower of the two.
"""

from __future__ import annotations

from grader.results import MISSING, UNPARSEABLE, Check

VERDICT, HINT, FULL = "verdict", "hint", "full"
LEVELS = (VERDICT, HINT, FULL)
#: What a student's self-check shows unless asked otherwise.
DEFAULT_LEVEL = HINT


def effective_level(requested: str, allowed: str | None) -> str:
    """The lower of the level asked for and the level the spec allows (None: no limit)."""
    if allowed is None:
        return requested
    return min(requested, allowed, key=LEVELS.index)


def shown_feedback(check: Check, level: str) -> str:
    """The feedback text of ``check`` at ``level``."""
    if level == VERDICT:
        return check.feedback if check.verdict in (UNPARSEABLE, MISSING) else ""
    pieces = []
    if check.mistake:
        pieces.append(f"looks like {check.mistake}" + (f": {check.hint}" if check.hint else ""))
    elif check.hint:                 # an instructor's hint: their own words
        pieces.append(check.hint.rstrip(".") if check.feedback else check.hint)
    if check.feedback:
        pieces.append(check.feedback)
    if level == FULL and check.reveal:
        pieces.append(check.reveal)
    return "; ".join(pieces)


def shown_reference(check: Check, level: str) -> str | None:
    """The instructor's reference, at ``full`` only."""
    return check.reference if level == FULL else None


def shown_mistake(check: Check, level: str) -> str | None:
    """The name of the recognised mistake, from ``hint`` up."""
    return check.mistake if level != VERDICT else None
