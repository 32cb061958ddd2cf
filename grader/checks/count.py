"""Single numbers or formulas, such as parameter counts."""

from __future__ import annotations

from grader.checks.formulas import first_mismatch, unknown_symbols
from grader.checks.pointwise import PointwiseError
from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import NotationError, parse_expression


def check_count(part_key, expected, raw, context) -> Check:
    """Compare a number or formula with the key's ``CountAnswer`` over the part's domain."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no answer given")
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return Check(UNPARSEABLE, "give a whole number or a formula such as 2*n + 1")
    domain = part_key.domain
    try:
        found = parse_expression(str(raw), names=[s.name for s in domain.symbols], evaluate=False)
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the answer: {error}")
    unknown = unknown_symbols(found, domain)
    if unknown:
        return Check(INCORRECT, f"uses {', '.join(unknown)}, which this part does not define")
    try:
        mismatch = first_mismatch(expected.value, found, domain)
    except PointwiseError as error:
        return Check(UNPARSEABLE, str(error))
    return Check(CORRECT) if mismatch is None else Check(INCORRECT, mismatch.describe())
