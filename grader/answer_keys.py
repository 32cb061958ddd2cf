"""Cache keys for raw answers: identical answers must share one verdict, distinct ones never."""

from __future__ import annotations

from solver.notation import NotationError
from solver.notation.tokens import tokenize

#: Raw answers nested deeper than this are not cached (they are checked, just not shared).
_MAX_DEPTH = 40


def answer_cache_key(raw: object) -> str | None:
    """A string identifying ``raw`` for the verdict cache, or None when it is not worth caching.

    Text answers are keyed on their token stream, so spacing does not
    matter but ``/ /`` and ``//`` stay different (keying on text with the
    spaces stripped would merge them). Text the tokenizer refuses is keyed
    on itself. Other YAML values are keyed on a canonical form in which
    integers are written in hex (a decimal conversion of a huge integer
    would raise).
    """
    if isinstance(raw, str):
        try:
            tokens = tokenize(raw)
        except NotationError:
            return "r:" + raw
        return "t:" + "\x1f".join(f"{t.kind}\x1e{t.value}" for t in tokens)
    parts: list[str] = []
    return "v:" + "".join(parts) if _canonical(raw, parts, 0) else None


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
        out.append("{")
        for key in sorted(value, key=repr):
            out.append(repr(key) + ":")
            if not _canonical(value[key], out, depth + 1):
                return False
            out.append(",")
        out.append("}")
    else:
        out.append(f"<{type(value).__name__}>{value!r}")
    return True
