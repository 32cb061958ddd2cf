"""Size limits that keep parsing and evaluating hostile text fast.

The numbers are generous for homework answers (the longest expected answer is
a few hundred characters) and small enough that the worst accepted input
parses in a few milliseconds and evaluates at one point in well under a
millisecond of arithmetic: every bound is checked on the tree while it is
built, before any work that depends on it.
"""

from __future__ import annotations

import math
from fractions import Fraction

from solver.notation.errors import NotationError

#: Longest accepted text, in characters (checked before anything else).
MAX_TEXT_LENGTH = 2000
#: Most tokens in one text.
MAX_TOKENS = 1000
#: Deepest nesting of brackets, function arguments, sums, conditionals and power chains.
MAX_DEPTH = 50
#: Most digits in one number literal (integer and decimal parts together).
MAX_NUMBER_DIGITS = 30
#: Largest |exponent| of a power whose exponent is a number.
MAX_EXPONENT = 64
#: Largest number (in decimal digits) that folding constants may produce.
MAX_RESULT_DIGITS = 1000
#: Most terms of a sum whose bounds are both numbers (the grader loops over them).
MAX_SUM_TERMS = 10**6
#: Most arguments of max(...) / min(...).
MAX_FUNCTION_ARGS = 10
#: Largest estimated size, in bits, of any value of an expression when every symbol is below
#: 2**SYMBOL_BITS (H^64 is 2,048 bits; (H^64)^64 would be 131,072 and is refused). Python
#: multiplies numbers of this size in microseconds.
MAX_VALUE_BITS = 16384
#: The bits assumed for a symbol's value when estimating sizes (sample points stay far below).
SYMBOL_BITS = 32

_LOG10_2 = math.log10(2)


def check_text_length(text: str) -> None:
    """Refuse ``text`` longer than MAX_TEXT_LENGTH characters."""
    if len(text) > MAX_TEXT_LENGTH:
        raise NotationError(f"text is too long ({len(text)} characters)",
                            hint=f"at most {MAX_TEXT_LENGTH} characters are accepted")


def value_bits(value: int | Fraction) -> int:
    """Bits of the larger of numerator and denominator of ``value``."""
    if isinstance(value, int):
        return abs(value).bit_length()
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length())


def check_number_size(value: int | Fraction, *, text: str | None, position: int | None) -> None:
    """Refuse a folded constant of more than MAX_RESULT_DIGITS decimal digits."""
    if value_bits(value) * _LOG10_2 > MAX_RESULT_DIGITS:
        raise NotationError("number is too large", text=text, position=position,
                            hint=f"numbers of at most {MAX_RESULT_DIGITS} digits are accepted")


def check_exponent(exponent: int | Fraction, *, text: str | None, position: int | None) -> None:
    """Refuse a numeric exponent that is not a whole number of at most MAX_EXPONENT in size."""
    if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
        raise NotationError(f"exponent {exponent} is not accepted", text=text, position=position,
                            hint=f"exponents are whole numbers with |exponent| <= {MAX_EXPONENT} "
                                 f"(a fractional power is accepted only of a number with an exact root)")


def check_sum_terms(lower: int | None, upper: int | None, *, text: str | None, position: int | None) -> None:
    """Refuse a sum with numeric bounds over more than MAX_SUM_TERMS terms (upper - lower + 1)."""
    if lower is not None and upper is not None and upper - lower + 1 > MAX_SUM_TERMS:
        raise NotationError(f"sum has {upper - lower + 1} terms", text=text, position=position,
                            hint=f"sums with numeric bounds may have at most {MAX_SUM_TERMS} terms")
