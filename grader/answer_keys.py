"""Cache keys for raw answers: identical answers must share one verdict, distinct ones never."""

from __future__ import annotations

import json

from solver.notation import NotationError, token_key


def answer_cache_key(raw: object) -> str:
    """A string identifying ``raw`` for the verdict cache.

    Text answers are keyed on their token stream (so spacing does not
    matter but ``/ /`` and ``//`` stay different); other values on their
    canonical JSON form.
    """
    if isinstance(raw, str):
        try:
            return "t:" + token_key(raw)
        except NotationError:
            return "r:" + raw
    return "j:" + json.dumps(raw, sort_keys=True, default=repr)
