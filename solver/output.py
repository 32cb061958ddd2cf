"""Write a command's report to stdout or a file (shared by the solver and grader CLIs)."""

from __future__ import annotations

import sys


def emit(text: str, path: str | None) -> int:
    """Write ``text`` to ``path`` (stdout when None); return 0, or 2 with one error line."""
    if not path:
        sys.stdout.write(text)
        return 0
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"error: cannot write {path}: {error.strerror}", file=sys.stderr)
        return 2
    return 0
