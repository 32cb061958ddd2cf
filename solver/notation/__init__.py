"""The project's own safe math notation: parsing (text -> sympy) and printing (sympy -> text/LaTeX).

Nothing here evaluates text: a hand-written tokenizer and recursive-descent
parser build sympy objects explicitly. See :mod:`solver.notation.parser` for
the accepted syntax and :mod:`solver.notation.limits` for the size limits.
"""

from solver.notation.errors import NotationError
from solver.notation.parser import parse_equation, parse_expression, parse_relation, parse_shape
from solver.notation.printing import (equation_to_latex, equation_to_text, shape_to_latex, shape_to_text,
                                      to_latex, to_text)

__all__ = [
    "NotationError",
    "parse_expression", "parse_relation", "parse_shape", "parse_equation",
    "to_text", "to_latex", "shape_to_text", "shape_to_latex", "equation_to_text", "equation_to_latex",
]
