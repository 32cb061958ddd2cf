"""Shapes: the number of axes, then every entry (symbolic entries over the domain)."""

from __future__ import annotations

from grader.checks.formulas import first_mismatch, key_values, unknown_symbols
from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import NotationError, PointwiseError, read_shape, shape_to_text, tree

_ACCEPTED = "write it like 7 x 9, (7, 9), [7, 9] or R^{7x9}"


def read_shape_answer(part_key, raw):
    """The student's shape as a tuple of trees, or a MISSING/UNPARSEABLE Check."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no shape given")
    try:
        return read_shape(raw, names=part_key.domain.symbol_names)
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the shape: {error}; {_ACCEPTED}")


def judge_shape(part_key, expected, found, context) -> Check:
    """Compare a parsed shape (tuple of trees) with the key's ``ShapeAnswer``."""
    domain = part_key.domain
    want = expected.trees
    unknown = sorted({n for entry in found for n in unknown_symbols(entry, domain)})
    if unknown:
        known = ", ".join(domain.symbol_names) or "none: the sizes are numbers"
        return Check(INCORRECT, f"uses {', '.join(unknown)}, which this part does not define "
                                f"(its symbols: {known})")
    if len(found) != len(want):
        return _axis_count_feedback(part_key, found, want)
    return _entries_feedback(found, want, domain)


def _entries_feedback(found, want, domain) -> Check:
    for axis, (entry, target) in enumerate(zip(found, want), start=1):
        try:
            mismatch = first_mismatch(target, entry, domain)
        except PointwiseError as error:
            return Check(UNPARSEABLE, f"axis {axis}: {error}")
        if mismatch is not None:
            return Check(INCORRECT, f"axis {axis} of {len(want)} is wrong: {mismatch.where()}",
                         reveal=f"there {mismatch.expected_text()}")
    return Check(CORRECT)


def _axis_count_feedback(part_key, found, want) -> Check:
    squeezed = tuple(d for d in want if d != tree.num(1))
    if len(found) == len(squeezed) and len(squeezed) < len(want):
        if _entries_feedback(found, squeezed, part_key.domain).verdict == CORRECT:
            if part_key.part.options.allow_squeeze:
                return Check(CORRECT, "accepted without the singleton axes")
            return Check(INCORRECT, "has the right sizes but drops the axes of size 1",
                         mistake="size-1 axes dropped",
                         hint="every axis counts, even one of size 1: keep it in the shape",
                         reveal=f"this part expects all {len(want)} axes ({shape_to_text(want)})")
    what = {"jacobian": "the full Jacobian: the output's axes followed by the variable's",
            "loss_gradient": "the gradient, which has the variable's shape"}.get(part_key.part.of, "")
    expects = f"; this part expects {what}" if what else ""
    return Check(INCORRECT, f"shape {_shown(found)} has {len(found)} axes{expects}",
                 reveal=f"it has {len(want)} axes ({shape_to_text(want)})")


def _shown(found) -> str:
    """The student's shape as read, shortened when it has very many axes."""
    if len(found) <= 12:
        return shape_to_text(found)
    return f"{shape_to_text(found[:6])} x ... ({len(found)} axes)"


def prepare_shape(part_key, expected) -> None:
    """The key's shape as trees and its domain sample, computed once."""
    for size in expected.trees:
        key_values(size, part_key.domain)


def matches_shape(part_key, other: tuple, found: tuple, context) -> bool:
    """Whether the shape ``found`` equals ``other`` (a tuple of trees) entry by entry over the domain."""
    return len(found) == len(other) and all(
        first_mismatch(want, entry, part_key.domain) is None for want, entry in zip(other, found))


def echo_shape(found: tuple) -> str:
    """The shape as it was read: ``1 x 2 x 3``."""
    return _shown(found)
