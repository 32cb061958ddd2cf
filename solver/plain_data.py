"""Checks on data from outside (a loaded file or a Python caller) before anything formats it.

Files are bounded by :mod:`solver.yaml_loading` while they are read; data
handed over through the Python API gets the same limits here: at most
MAX_DEPTH levels of nesting, MAX_VALUES values and integers of at most
MAX_INT_DIGITS decimal digits (``str()`` of a larger integer raises, and
pickling very deep data fails).
"""

from __future__ import annotations

from collections.abc import Mapping

from solver import yaml_loading

_CONTAINERS = (list, tuple, set, frozenset)


def is_huge_int(value: object) -> bool:
    """True for an int (not bool) with more than MAX_INT_DIGITS decimal digits."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    digits = yaml_loading.MAX_INT_DIGITS
    # 10**digits has digits*log2(10) ~ 3.32*digits bits: only near that size is the exact test needed
    return value.bit_length() > 3.32 * digits and abs(value) >= 10 ** digits


def plain_text(value: object) -> str:
    """``str(value)`` that never raises: a huge integer becomes ``<an integer of N digits>``."""
    if is_huge_int(value):
        return f"<an integer of about {int(abs(value).bit_length() * 0.30103):,} digits>"
    try:
        return str(value)
    except (ValueError, RecursionError):  # e.g. a tuple holding a huge integer
        return f"<a {type(value).__name__} that cannot be shown>"


def data_problem(data: object) -> tuple[str, str] | None:
    """``(where, what)`` for the first reason ``data`` exceeds the limits, or None.

    ``where`` is a path such as ``answers.a[2]`` (empty for the top level);
    ``what`` says what was found and what is accepted, as a phrase to follow
    "has" or "found": ``an integer of more than 4,300 digits; integers of ...``. One pass, stopping at
    the first problem, so it costs at most MAX_VALUES steps.
    """
    max_values, max_depth = yaml_loading.MAX_VALUES, yaml_loading.MAX_DEPTH
    stack: list[tuple[object, tuple, int]] = [(data, (), 0)]
    counted = 1  # values popped or waiting on the stack: checked before a collection is expanded
    while stack:
        value, path, depth = stack.pop()
        if is_huge_int(value):
            return _where(path), (f"an integer of more than {yaml_loading.MAX_INT_DIGITS:,} digits; "
                                  f"integers of at most {yaml_loading.MAX_INT_DIGITS:,} digits are accepted")
        is_mapping = isinstance(value, (dict, Mapping))
        if not is_mapping and not isinstance(value, _CONTAINERS):
            continue
        if depth >= max_depth:
            return _where(path), (f"lists or mappings nested more than {max_depth} levels deep; "
                                  f"at most {max_depth} levels are accepted")
        counted += len(value) * (2 if is_mapping else 1)  # a mapping's keys are values too
        if counted > max_values:
            return _where(path), f"more than {max_values:,} values; at most {max_values:,} are accepted"
        items = value.items() if is_mapping else enumerate(value)
        for key, item in items:
            if is_mapping:
                stack.append((key, path + (key,), depth + 1))
                stack.append((item, path + (key,), depth + 1))
            else:
                stack.append((item, path + ([key],), depth + 1))
    return None


def _where(path: tuple) -> str:
    """('answers', 'a', [2]) -> 'answers.a[2]'."""
    text = ""
    for step in path:
        if isinstance(step, list):
            text += f"[{step[0]}]"
        else:
            text += ("." if text else "") + plain_text(step)[:60]
    return text
