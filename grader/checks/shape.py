"""Shapes: the number of axes, then every entry (symbolic entries over the domain)."""

from __future__ import annotations

from grader.checks.formulas import first_mismatch, unknown_symbols
from grader.checks.pointwise import PointwiseError
from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import NotationError, parse_shape, shape_to_text

_ACCEPTED = "write it like 2 x 3, (2, 3), [2, 3] or R^{2x3}"


def check_shape(part_key, expected, raw, context) -> Check:
    """Compare a student's shape with the key's ``ShapeAnswer``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no shape given")
    domain = part_key.domain
    try:
        found = parse_shape(raw, names=[s.name for s in domain.symbols], evaluate=False)
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the shape: {error}; {_ACCEPTED}")
    want = tuple(expected.shape)
    unknown = sorted({n for entry in found for n in unknown_symbols(entry, domain)})
    if unknown:
        known = ", ".join(s.name for s in domain.symbols) or "none: the sizes are numbers"
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
            return Check(INCORRECT, f"axis {axis} of {len(want)} is wrong: {mismatch.describe()}")
    return Check(CORRECT)


def _axis_count_feedback(part_key, found, want) -> Check:
    squeezed = tuple(d for d in want if d != 1)
    if len(found) == len(squeezed) and len(squeezed) < len(want):
        if _entries_feedback(found, squeezed, part_key.domain).verdict == CORRECT:
            if part_key.part.options.allow_squeeze:
                return Check(CORRECT, "accepted without the singleton axes")
            return Check(INCORRECT, f"has the right sizes but drops the axes of size 1: this part "
                                    f"expects all {len(want)} axes ({shape_to_text(want)})")
    what = {"jacobian": "the full Jacobian: the output's axes followed by the variable's",
            "loss_gradient": "the gradient, which has the variable's shape"}.get(part_key.part.of, "")
    expects = f"{what}, {len(want)} axes" if what else f"{len(want)} axes"
    return Check(INCORRECT, f"shape {shape_to_text(found)} has {len(found)} axes; this part expects "
                            f"{expects} ({shape_to_text(want)})")
