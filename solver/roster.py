"""Read a class roster (CSV) into student ids: Canvas, Gradescope and plain exports as they are.

The id column is ``--id-column NAME`` or, by default, the first of ``id``, ``sid``,
``student``, ``email`` (compared case-insensitively, spaces trimmed) that the header has.
Rows with an empty id (Canvas's "Points Possible" row) are skipped and counted; an id given
twice is kept once and counted. The file is bounded: MAX_ROSTER_BYTES, MAX_ROSTER_ROWS.
"""

from __future__ import annotations

import csv
import io
import os
import stat

#: The id columns looked for, in this order, when none is named.
DEFAULT_ID_COLUMNS = ("id", "sid", "student", "email")
#: Largest roster file: 5 MiB (a class of 100,000 has rows of 50 bytes).
MAX_ROSTER_BYTES = 5 * 1024 * 1024
#: Most rows of a roster.
MAX_ROSTER_ROWS = 100_000


class RosterError(ValueError):
    """A roster that cannot be read; the message names the file and what is accepted."""


def read_roster(path: str | os.PathLike, id_column: str | None = None) -> tuple[list[str], list[str]]:
    """(ids in file order, notes about skipped rows) from the CSV roster at ``path``."""
    source = os.fspath(path)
    text = _read_text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise RosterError(f"{source}: not a CSV file: {error}") from None
    if not header:
        raise RosterError(f"{source}: empty; expected a header row with an id column "
                          f"({', '.join(DEFAULT_ID_COLUMNS)})")
    column = _id_column(header, id_column, source)
    ids, seen, empty, twice = [], set(), [], 0
    try:
        for line, row in enumerate(reader, start=2):
            if line > MAX_ROSTER_ROWS + 1:
                raise RosterError(f"{source}: more than {MAX_ROSTER_ROWS:,} rows")
            if not any(cell.strip() for cell in row):
                continue                         # a blank line
            value = row[column].strip() if column < len(row) else ""
            if not value:
                empty.append(line)
            elif value in seen:
                twice += 1
            else:
                seen.add(value)
                ids.append(value)
    except csv.Error as error:
        raise RosterError(f"{source}: not a CSV file: {error}") from None
    notes = []
    if empty:
        shown = ", ".join(map(str, empty[:5])) + (" ..." if len(empty) > 5 else "")
        notes.append(f"{source}: skipped {len(empty)} row(s) with an empty {header[column].strip()!r} "
                     f"(line {shown})")
    if twice:
        notes.append(f"{source}: {twice} id(s) given more than once were kept once")
    if not ids:
        raise RosterError(f"{source}: no student ids in column {header[column].strip()!r}")
    return ids, notes


def _read_text(source: str) -> str:
    try:
        info = os.stat(source)
        if not stat.S_ISREG(info.st_mode):
            raise RosterError(f"{source}: not a regular file")
        if info.st_size > MAX_ROSTER_BYTES:
            raise RosterError(f"{source}: {info.st_size:,} bytes; a roster may have at most "
                              f"{MAX_ROSTER_BYTES:,}")
        with open(source, "rb") as handle:
            data = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as error:
        raise RosterError(f"{source}: cannot read: {error.strerror}") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError(f"{source}: more than {MAX_ROSTER_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")          # Excel and Canvas write a byte-order mark
    except UnicodeDecodeError as error:
        raise RosterError(f"{source}: not UTF-8 text (byte {error.start})") from None


def _id_column(header: list[str], wanted: str | None, source: str) -> int:
    names = [cell.strip().casefold() for cell in header]
    candidates = (wanted,) if wanted is not None else DEFAULT_ID_COLUMNS
    for candidate in candidates:
        if candidate.strip().casefold() in names:
            return names.index(candidate.strip().casefold())
    found = ", ".join(repr(cell.strip()) for cell in header[:12])
    asked = (f"no column {wanted!r}" if wanted is not None
             else f"none of the columns {', '.join(DEFAULT_ID_COLUMNS)}")
    raise RosterError(f"{source}: {asked} in the header ({found}); name the id column with "
                      f"--id-column NAME")
