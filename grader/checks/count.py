"""Single numbers or formulas, such as parameter counts."""

from __future__ import annotations

from grader.checks.formulas import first_mismatch, key_values, unknown_symbols
from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.notation import NotationError, PointwiseError, read_expression, to_text


def read_count(part_key, raw):
    """The student's number or formula as a tree, or a MISSING/UNPARSEABLE Check.

    A YAML/JSON float is its exact value: 13248.0 is the integer 13248, 13248.5 a (wrong) fraction.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no answer given")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return Check(UNPARSEABLE, "give a whole number or a formula such as 2*n + 1")
    try:
        return read_expression(raw, names=part_key.domain.symbol_names)
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the answer: {error}")


def judge_count(part_key, expected, found, context) -> Check:
    """Compare a parsed number or formula with the key's ``CountAnswer`` over the part's domain."""
    domain = part_key.domain
    unknown = unknown_symbols(found, domain)
    if unknown:
        return Check(INCORRECT, f"uses {', '.join(unknown)}, which this part does not define")
    try:
        mismatch = first_mismatch(expected.tree, found, domain)
    except PointwiseError as error:
        return Check(UNPARSEABLE, str(error))
    if mismatch is None:
        return Check(CORRECT)
    return Check(INCORRECT, mismatch.where(), reveal=f"there {mismatch.expected_text()}")


def prepare_count(part_key, expected) -> None:
    """The key's value as a tree and its values on the domain sample, computed once."""
    key_values(expected.tree, part_key.domain)


def matches_count(part_key, other, found, context) -> bool:
    """Whether the formula ``found`` equals the tree ``other`` over the part's domain."""
    return not unknown_symbols(found, part_key.domain) and first_mismatch(other, found, part_key.domain) is None


def echo_count(found) -> str:
    """The number or formula as it was read, in canonical text: ``C*K^2``."""
    return to_text(found)
