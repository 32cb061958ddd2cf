"""Exact keys for raw answers: the parent's cache of verdicts by raw answer.

Two raw answers share an entry only when they are the same data (the same
text to the character, the same numbers of the same types), so the cache can
never give one answer another's verdict; answers that are spelled differently
but read the same share the worker's verdict cache, which keys on the reading.
"""

from __future__ import annotations

#: Raw answers nested deeper than this are not cached (they are checked, just not shared).
_MAX_DEPTH = 40


def raw_answer_key(raw: object) -> str | None:
    """A string identifying ``raw`` exactly, or None when it is not worth caching.

    Integers are written in hex (a decimal conversion of a huge integer would
    raise); every value carries its type, so 5, 5.0 and '5' are three keys.
    """
    parts: list[str] = []
    return "".join(parts) if _canonical(raw, parts, 0) else None


def _canonical(value: object, out: list[str], depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, bool) or value is None:
        out.append(repr(value))
    elif isinstance(value, int):
        out.append("i" + hex(value))
    elif isinstance(value, (float, str)):
        out.append(type(value).__name__[0] + repr(value))
    elif isinstance(value, list):
        out.append("[")
        for item in value:
            if not _canonical(item, out, depth + 1):
                return False
            out.append(",")
        out.append("]")
    elif isinstance(value, dict):
        entries = []
        for key, item in value.items():
            key_parts: list[str] = []
            item_parts: list[str] = []
            if not (_canonical(key, key_parts, depth + 1) and _canonical(item, item_parts, depth + 1)):
                return False
            entries.append(("".join(key_parts), "".join(item_parts)))
        out.append("{" + ",".join(f"{k}:{v}" for k, v in sorted(entries)) + "}")
    else:
        return False                     # other types (sets, dates) are checked, just not shared
    return True
