"""What is added to a checker's verdict: the name of a recognised mistake and the echo of the reading.

Runs where the verdict is computed (in the sandbox worker), on the reading
only, so the result is cached with the verdict like the rest of the Check.
"""

from __future__ import annotations

from dataclasses import replace

from grader.mistakes import candidates, name_mistake
from grader.mistakes.instructor import instructor_hint, read_hints
from grader.results import INCORRECT, Check


def annotate(part_key, item: str, checker, reading, context, check: Check) -> Check:
    """``check`` with ``read_as`` set (when the checker echoes) and, for a wrong answer equal to
    an instructor's hint, that hint (and no derived name); else, for one that equals a named
    mistake, ``mistake`` and ``hint``."""
    changes = {}
    if checker.echo is not None:
        changes["read_as"] = checker.echo(reading)
    written = instructor_hint(part_key, item, checker, reading, context) if check.verdict == INCORRECT else None
    if written is not None:
        changes.update(mistake=None, hint=written)
    elif check.verdict == INCORRECT and check.mistake is None and checker.matches is not None:
        mistake = name_mistake(part_key, item, reading, context, checker.matches)
        if mistake is not None:
            changes.update(mistake=mistake.name, hint=mistake.hint)
    return replace(check, **changes) if changes else check


def prepare_annotations(part_key, item: str, checker) -> None:
    """Build the part's named mistakes and read its hints now (in the parent, so that workers
    inherit them)."""
    read_hints(part_key, item, checker)
    if checker.matches is not None:
        candidates(part_key, item, checker.matches)
