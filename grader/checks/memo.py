"""Per-object memos for the key's side of the checks.

A key answer or a domain holds sympy objects; caching on them through a dict or
``lru_cache`` would hash and compare them, and comparing two equal sympy objects
runs sympy code. The memo lives in the object's own ``__dict__`` instead (as
``functools.cached_property`` does), so a lookup touches neither.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def memo(owner: object, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``owner`` (stored in its ``__dict__`` under ``name``), then the stored value."""
    store = vars(owner)
    if name not in store:
        store[name] = compute()
    return store[name]
