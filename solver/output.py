"""Write a command's report to stdout or a file (shared by the solver and grader CLIs)."""

from __future__ import annotations

import sys


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
