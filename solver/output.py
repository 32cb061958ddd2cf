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
    """Write ``text`` to ``path`` (stdout when None) as UTF-8; return 0, or 2 with one error line.

    The text is encoded before the file is opened, and a lone surrogate (which
    UTF-8 cannot hold) is written as its escape, so encoding never fails half-way.
    """
    data = text.encode("utf-8", "backslashreplace")
    if not path:
        try:
            sys.stdout.write(data.decode("utf-8"))
        except UnicodeEncodeError:  # a terminal that is not UTF-8: write the bytes as they are
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        return 0
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        print(f"error: cannot write {path}: {error.strerror}", file=sys.stderr)
        return 2
    return 0
