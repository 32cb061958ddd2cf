"""Index equations: 'df[1,j]/dW[1,c,k] = x[c, 2*j+k-2]' -> :class:`~solver.notation.tree.Equation`.

Left-hand sides: ``f[1,j]``, ``f_{1,j}``, ``f[1][j]``, ``f_W(x)[1,j]``, ``df[1,j]/dW[1,c,k]``,
``df_W(x)[1,j]/dx[c,l]``, ``∂f[1,j]/∂x[c,l]``, ``dl/dW[1,c,k]``, ``d l / d W [1, c, k]`` and the
LaTeX ``\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}}``. The layer function's name and argument
(``f_W(x)``) stand for its output tensor ``f``.
"""

from __future__ import annotations

from typing import Collection, Mapping

from solver.notation.errors import NotationError
from solver.notation.expressions import (CLOSERS, KEYWORDS, NO_ALIASES, ExpressionParser, as_text, describe,
                                         guarded, tokens_of)
from solver.notation.tokens import Token
from solver.notation.tree import Condition, Equation, Ref

LHS_HINT = ("the left-hand side is an entry like f[1, j] or a derivative like df[1, j]/dW[1, c, k] "
            "or dl/dW[1, c, k]")
_CLOSER_SET = frozenset(CLOSERS.values())


class _LeftHandSide(ExpressionParser):
    """The parser of a left-hand side: an entry or a derivative of entries."""

    def equation_lhs(self) -> tuple[Ref, Ref | None]:
        """Parse the whole token list as a left-hand side; return (of, wrt)."""
        numerator = self.derivative_operand()
        if numerator is not None and self.at("/"):
            self.advance()
            denominator = self.derivative_operand()
            if denominator is None:
                raise self.error("expected d or \u2202 and a tensor name after '/'", hint=LHS_HINT)
            self.expect_end()
            return Ref(numerator[0], numerator[1] or ()), Ref(denominator[0], denominator[1] or ())
        self.i = 0
        tok = self.peek()
        if tok.kind != "name" or tok.value in KEYWORDS:
            raise self.error(f"unexpected {describe(tok)} on the left-hand side", tok, LHS_HINT)
        self.advance()
        name = self.skip_application(tok.value)
        indices: tuple = ()
        if self.at("["):
            indices = self.chained_indices()
        elif self.at("_") and self.at("{", 1):
            self.advance()
            self.advance()
            indices = tuple(self.index_list("}"))
        self.expect_end()
        return Ref(name, indices), None

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            raise self.error(f"unexpected {describe(self.peek())}", self.peek(), LHS_HINT)


def read_equation(text, *, names: Collection[str] = (), aliases: Mapping[str, str] = NO_ALIASES) -> Equation:
    """Parse ``LHS = RHS`` (or just an RHS) into an Equation (see the module doc for the LHS forms).

    In the RHS ``dl/df[1,j]`` is the entry named ``aliases.get('dl/df', 'dl/df')``.
    Raises NotationError.
    """
    text = as_text(text)

    def parse():
        tokens = tokens_of(text)
        frozen_names = frozenset(names)
        split = _top_level_equals(tokens, text)
        if split is None:
            rhs = ExpressionParser(tokens, text, frozen_names, aliases).parse_all()
            of = wrt = None
        else:
            equals = tokens[split]
            if split == 0:
                raise NotationError("missing left-hand side before '='", text=text, position=equals.pos,
                                    hint=LHS_HINT)
            lhs_tokens = tokens[:split] + [Token("end", "", equals.pos, "")]
            of, wrt = _LeftHandSide(lhs_tokens, text, frozen_names, aliases).equation_lhs()
            rhs = ExpressionParser(tokens[split + 1:], text, frozen_names, aliases).parse_all()
        if isinstance(rhs, Condition):
            raise NotationError("the right-hand side is a condition, not an expression", text=text, position=0,
                                hint="write e.g. y[i] = Sum(a[i, k]*b[k], (k, 1, 3))")
        return Equation(of=of, wrt=wrt, rhs=rhs)
    return guarded(parse, text)


def _top_level_equals(tokens: list[Token], text: str) -> int | None:
    """Index of the single '=' outside all brackets, None when there is none."""
    depth = 0
    found = None
    for index, tok in enumerate(tokens):
        if tok.kind != "op":
            continue
        if tok.value in CLOSERS:
            depth += 1
        elif tok.value in _CLOSER_SET:
            depth -= 1
        elif tok.value == "=" and depth == 0:
            if found is not None:
                raise NotationError("more than one '='", text=text, position=tok.pos,
                                    hint="an equation is LHS = RHS")
            found = index
    return found
