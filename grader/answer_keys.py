"""Cache keys for raw answers: identical answers must share one verdict, distinct ones never."""

from __future__ import annotations

import json

from solver.notation import NotationError
from solver.notation.tokens import tokenize


def answer_cache_key(raw: object) -> str:
    """A string identifying ``raw`` for the verdict cache.

    Text answers are keyed on their token stream, so spacing does not
    matter but ``/ /`` and ``//`` stay different (keying on text with the
    spaces stripped would merge them). Text the tokenizer refuses is keyed
    on itself; other values on their canonical JSON form.
    """
    if isinstance(raw, str):
        try:
            tokens = tokenize(raw)
        except NotationError:
            return "r:" + raw
        return "t:" + "\x1f".join(f"{t.kind}\x1e{t.value}" for t in tokens)
    return "j:" + json.dumps(raw, sort_keys=True, default=repr)
