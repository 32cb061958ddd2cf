"""Which submissions a batch run grades: directories walked in sorted order, and shards.

``--shard I/N`` grades the submissions whose path hashes to shard I of N. The
hash is SHA-256 of the path as it appears in the results (UTF-8, undecodable
bytes of a file name kept as they are), so every machine of a CI matrix that
is given the same arguments picks the same files, in any Python version and
whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import hashlib
import os

#: File name endings of submissions found by walking a directory.
SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")


class ShardError(ValueError):
    """A --shard that is not I/N with 1 <= I <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; raises ShardError naming what is accepted."""
    index, slash, count = text.partition("/")
    if slash and index.strip().isdigit() and count.strip().isdigit():
        i, n = int(index), int(count)
        if 1 <= i <= n:
            return i, n
    raise ShardError(f"expected I/N with 1 <= I <= N, e.g. 2/3; found {text!r}")


def shard_of(path: str, count: int) -> int:
    """The shard (1..count) of ``path``: SHA-256 of its bytes, modulo ``count``, plus 1."""
    digest = hashlib.sha256(os.fsencode(path)).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def submission_paths(arguments: list[str]) -> list[str]:
    """The submission files named by ``arguments``, each once, in order.

    A directory stands for the files under it ending in SUBMISSION_SUFFIXES,
    walked in sorted order (names compared as strings, sub-directories where
    they sort); any other argument is taken as it is, so a missing file or a
    FIFO becomes that submission's error instead of vanishing. A path named
    twice (after normalization) is graded once, where it first appears.
    """
    paths, seen = [], set()
    for argument in arguments:
        for path in _expand(argument):
            normal = os.path.normpath(path)
            if normal not in seen:
                seen.add(normal)
                paths.append(path)
    return paths


def _expand(argument: str):
    if not os.path.isdir(argument):
        yield argument
        return
    for entry in sorted(os.scandir(argument), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            yield from _expand(entry.path)
        elif entry.name.lower().endswith(SUBMISSION_SUFFIXES) and not entry.name.startswith("."):
            yield entry.path


def select_shard(paths: list[str], shard: tuple[int, int] | None) -> list[int]:
    """Positions in ``paths`` of the submissions in ``shard`` (all of them when None)."""
    if shard is None:
        return list(range(len(paths)))
    index, count = shard
    return [position for position, path in enumerate(paths) if shard_of(path, count) == index]
