"""Size limits that keep parsing hostile text fast and free of heavy sympy work.

Every check raises :class:`NotationError` with what was too big and the limit.
The numbers are generous for homework answers (the longest expected answer is
a few hundred characters) and small enough that the worst accepted input
parses in well under a second.
"""

from __future__ import annotations

import math

import sympy

from solver.notation.errors import NotationError

#: Longest accepted text, in characters (checked before anything else).
MAX_TEXT_LENGTH = 2000
#: Most tokens in one text.
MAX_TOKENS = 1000
#: Deepest nesting of brackets, function arguments, sums and conditionals.
MAX_DEPTH = 50
#: Most digits in one number literal (integer and decimal parts together).
MAX_NUMBER_DIGITS = 30
#: Largest |exponent| of a power whose exponent is a number.
MAX_EXPONENT = 64
#: Largest number (in decimal digits) that the parser lets sympy compute.
MAX_RESULT_DIGITS = 1000
#: Most terms of a sum whose bounds are both numbers (the grader loops over them).
MAX_SUM_TERMS = 10**6
#: Most arguments of max(...) / min(...).
MAX_FUNCTION_ARGS = 10
#: Most expression-tree nodes in each operand of '%' (sympy's Mod is very slow on big sums).
MAX_MOD_OPERAND_NODES = 40

_LOG10_2 = math.log10(2)


def check_text_length(text: str) -> None:
    """Refuse ``text`` longer than MAX_TEXT_LENGTH characters."""
    if len(text) > MAX_TEXT_LENGTH:
        raise NotationError(f"text is too long ({len(text)} characters)",
                            hint=f"at most {MAX_TEXT_LENGTH} characters are accepted")


def number_digits(value: sympy.Rational) -> float:
    """Approximate decimal digits of the larger of numerator and denominator of ``value``.

    digits ~= bit_length * log10(2), computed without converting to a string.
    """
    p, q = int(value.p), int(value.q)
    return max(abs(p).bit_length(), q.bit_length()) * _LOG10_2


def check_power(base: sympy.Expr, exponent: sympy.Expr, *, text: str, position: int) -> None:
    """Refuse a power that would make sympy compute a huge number, before it is built.

    A numeric exponent must be a rational with |exponent| <= MAX_EXPONENT; when
    the numeric coefficient c of the base is not 1, the result's size is
    estimated as digits(c) * |exponent| <= MAX_RESULT_DIGITS; a fractional
    exponent of a number needs a number of at most MAX_NUMBER_DIGITS digits
    (sympy factors it to find exact roots). A symbolic exponent may not itself
    contain a power with a symbolic exponent (no towers such as 2^(2^H)).
    """
    if exponent.is_Number:
        if not exponent.is_Rational or abs(exponent) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
            raise NotationError(f"exponent {exponent} is too large", text=text, position=position,
                                hint=f"numeric exponents must be rationals with |exponent| <= {MAX_EXPONENT}")
        coefficient = base.as_coeff_Mul()[0] if isinstance(base, sympy.Expr) else sympy.Integer(1)
        if not coefficient.is_Rational:
            return
        digits = number_digits(coefficient)
        if digits * abs(exponent) > MAX_RESULT_DIGITS:
            raise NotationError("power is too large to compute", text=text, position=position,
                                hint=f"results of at most {MAX_RESULT_DIGITS} digits are accepted")
        if not exponent.is_Integer and base.is_Number and digits > MAX_NUMBER_DIGITS:
            raise NotationError("root of a number that is too large", text=text, position=position,
                                hint=f"fractional powers need a base of at most {MAX_NUMBER_DIGITS} digits")
        return
    if any(isinstance(node, sympy.Pow) and not node.exp.is_Number
           for node in sympy.preorder_traversal(exponent)):
        raise NotationError("power towers with symbolic exponents are not accepted",
                            text=text, position=position, hint="write a single power such as 2^H")


def check_number_size(value: sympy.Expr, *, text: str, position: int) -> None:
    """Refuse an expression whose numeric coefficient has more than MAX_RESULT_DIGITS digits."""
    coefficient = value.as_coeff_Mul()[0] if isinstance(value, sympy.Expr) else None
    if coefficient is not None and coefficient.is_Rational and number_digits(coefficient) > MAX_RESULT_DIGITS:
        raise NotationError("number is too large", text=text, position=position,
                            hint=f"numbers of at most {MAX_RESULT_DIGITS} digits are accepted")


def check_sum_terms(lower: sympy.Expr, upper: sympy.Expr, *, text: str, position: int) -> None:
    """Refuse a sum with numeric bounds over more than MAX_SUM_TERMS terms (upper - lower + 1)."""
    for bound in (lower, upper):
        if bound.is_Number and not bound.is_Integer:
            raise NotationError(f"sum bound {bound} is not an integer", text=text, position=position,
                                hint="sum bounds are integers, e.g. sum_{k=1}^{3}")
    if lower.is_Integer and upper.is_Integer and int(upper) - int(lower) + 1 > MAX_SUM_TERMS:
        raise NotationError(f"sum has {int(upper) - int(lower) + 1} terms", text=text, position=position,
                            hint=f"sums with numeric bounds may have at most {MAX_SUM_TERMS} terms")


def check_mod_operand(operand: sympy.Expr, *, text: str, position: int) -> None:
    """Refuse a '%' operand with more than MAX_MOD_OPERAND_NODES expression-tree nodes."""
    nodes = 0
    for _ in sympy.preorder_traversal(operand):
        nodes += 1
        if nodes > MAX_MOD_OPERAND_NODES:
            raise NotationError("operand of '%' is too large", text=text, position=position,
                                hint=f"'%' operands may have at most {MAX_MOD_OPERAND_NODES} parts")
