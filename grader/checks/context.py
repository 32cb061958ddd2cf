"""What a checker knows about the submission besides the answer itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckContext:
    """``indexing``: the index base the student declared (or the spec's default)."""

    indexing: int
