"""What the solver and grader command lines share: their program name and writing the report."""

from __future__ import annotations

import os
import sys


def program_name(package: str) -> str:
    """The command as the user typed it: ``python -m solver`` or the script name (``cnn-solve``)."""
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if script in ("", "__main__.py", "-c"):
        return f"python -m {package}"
    return script


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
