"""Recursive-descent parser: tokens of the plain grammar -> explicitly built sympy objects.

Grammar (lowest precedence first; ``^``/``**`` is right-associative)::

    expression  := disjunction ['if' disjunction 'else' expression]
    disjunction := conjunction ('or' conjunction)*
    conjunction := comparison ('and' comparison)*
    comparison  := additive (('<' | '<=' | '>' | '>=' | '==' | '=' | '!=') additive)*
    additive    := term (('+' | '-') term)*
    term        := unary (('*' | '/' | '//' | '%') unary | <juxtaposed> unary)*
    unary       := ('+' | '-')* power        (a leading sign of a term multiplies the whole term)
    power       := primary ('^' ('+' | '-')* primary)*
    primary     := number | name | name '[' indices ']' | name '_{' indices '}'
                 | function '(' args ')' | '(' expression ')' | '{' expression '}'
                 | '⌊' expression '⌋' | '⌈' expression '⌉' | '[' condition ']'
                 | 'sum_{' name '=' expression '}^' bound term | 'Sum(' expression (',' limit)+ ')'
                 | derivative such as dl/df[1, j]

Meaning of each form (see solver.notation.equation for the shared conventions):

* names are ``Symbol(name, integer=True)``; ``S N E I O Q e pi x`` are plain symbols too;
  a name that is not in ``names``, not a function, and whose letters are all
  one-letter ``names`` is split into their product (``HW`` -> ``H*W``);
* ``NAME_{...}`` is a tensor entry, except that a single identifier of two or more
  characters, or any single identifier/number whose joined name ``NAME_sub`` is in
  ``names``, makes the symbol ``NAME_sub`` (``H_{in}`` -> ``H_in``, ``x_{l}`` -> ``x[l]``);
* a ``[`` right after a name indexes it unless the brackets hold a comparison,
  in which case (and anywhere else) it is an Iverson bracket ``Piecewise((1, cond), (0, True))``;
* ``a / b`` is ``a * b**-1`` (exact); ``a // b`` is ``floor(a/b)``; ``a % b`` is ``Mod(a, b)``;
  ``max``, ``min``, ``%``, ``floor`` and ``ceil`` with symbolic arguments are built
  unevaluated (sympy's evaluation of them is slow on large arguments, and its
  ``Mod`` evaluation is wrong on some symbolic forms: ``Mod(-2*K, 7*K)`` gives
  ``-2*K``). To evaluate a parsed expression, substitute every symbol at once
  (``xreplace``), not one by one with ``subs``;
* a prefix sum's body is the product that follows it (up to the next ``+``/``-``
  at the same bracket level); nested sums are merged into one ``Sum`` whose limits
  are innermost first (sympy's order): ``sum_{c=1}^{2} sum_{k=1}^{3} B`` and
  ``Sum(Sum(B, (k, 1, 3)), (c, 1, 2))`` are both ``Sum(B, (k, 1, 3), (c, 1, 2))``;
* a derivative ``dA/dB[...]`` (or ``∂A/∂B[...]``) in an expression is the entry named
  ``aliases.get('dA/dB', 'dA/dB')`` at B's indices (the upstream gradient ``dl/df``);
  the ``d`` forms are off when ``d`` itself is in ``names`` (then only ``∂`` marks a derivative).

Nothing here evaluates text: no eval/exec, no sympify, no sympy parsers, and no
simplify/expand/doit.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Collection, Mapping

import sympy
from sympy.logic.boolalg import Boolean

from solver.notation.equation import IndexEquation, TensorRef, index_symbol, tensor_entry
from solver.notation.errors import NotationError
from solver.notation.latex import translate
from solver.notation.limits import (MAX_DEPTH, MAX_FUNCTION_ARGS, check_mod_operand, check_number_size,
                                    check_power, check_sum_terms)
from solver.notation.tokens import Token, tokenize

#: Function names accepted before '(' (compared in lower case).
FUNCTIONS = ("floor", "ceil", "ceiling", "max", "min", "abs", "delta", "kroneckerdelta", "sum")
_FUNCTION_SET = frozenset(FUNCTIONS)
_FUNCTIONS_HINT = ("accepted functions: floor, ceil, ceiling, max, min, abs, delta, KroneckerDelta, Sum; "
                   "a name before '(' without commas multiplies, e.g. D(K-1)")
KEYWORDS = frozenset({"if", "else", "and", "or"})

_RELATIONS = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge,
              "==": sympy.Eq, "=": sympy.Eq, "!=": sympy.Ne}
_CLOSERS = {"(": ")", "[": "]", "{": "}", "lfloor": "rfloor", "lceil": "rceil"}
_CLOSER_SET = frozenset(_CLOSERS.values())
_FACTOR_OPS = frozenset({"(", "{", "[", "lfloor", "lceil", "partial"})
_SHOWN = {"lfloor": "\u230a", "rfloor": "\u230b", "lceil": "\u2308", "rceil": "\u2309", "partial": "\u2202"}

_OPERAND_HINT = "expected a number, a name, an entry like x[c, l], '(' or a function such as floor(...)"
_SUM_HINT = "give the bounds as sum_{k=1}^{3} BODY or Sum(BODY, (k, 1, 3))"
_LHS_HINT = "the left-hand side is an entry like f[1, j] or a derivative like df[1, j]/dW[1, c, k] or dl/dW[1, c, k]"
_NO_ALIASES: Mapping[str, str] = MappingProxyType({})


def _floor(value: sympy.Expr) -> sympy.Expr:
    """floor(value); left unevaluated when symbolic, because sympy's simplification
    of floor runs assumption queries that cost milliseconds (comparisons sample it)."""
    return sympy.floor(value, evaluate=_cheap_to_evaluate(value))


def _ceiling(value: sympy.Expr) -> sympy.Expr:
    """ceiling(value), unevaluated when symbolic (see :func:`_floor`)."""
    return sympy.ceiling(value, evaluate=_cheap_to_evaluate(value))


def _cheap_to_evaluate(value: sympy.Expr) -> bool:
    """Numbers and lone symbols simplify at once (floor(7/2) -> 3, ceil(x) -> x for an integer x)."""
    return not value.free_symbols or isinstance(value, sympy.Symbol)


def is_condition(value) -> bool:
    """True for sympy conditions (relationals, And/Or, true/false); symbols are expressions here."""
    return isinstance(value, Boolean) and not isinstance(value, sympy.Expr)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of input"
    return f"'{_SHOWN.get(tok.value, tok.text or tok.value)}'"


#: Largest ``offset`` passed to ``_Parser.peek``.
_LOOKAHEAD = 2


class _Parser:
    """One parse over a token list (ending with an ``end`` token) of ``text``."""

    def __init__(self, tokens: list[Token], text: str, names: frozenset[str],
                 aliases: Mapping[str, str] = _NO_ALIASES, *, evaluate: bool = True):
        # Padded with copies of the final 'end' token so that peek() needs no bounds check.
        self.tokens = tokens + tokens[-1:] * _LOOKAHEAD
        self.evaluate = evaluate
        self.text = text
        self.names = names
        self.aliases = aliases
        self.i = 0
        self.depth = 0
        self.match = match_brackets(tokens, text)

    # ---- token helpers -------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[self.i + offset]

    def at(self, value: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok.kind == "op" and tok.value == value

    def at_keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "name" and tok.value == word

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def expect(self, value: str, hint: str | None = None) -> Token:
        if not self.at(value):
            shown = _SHOWN.get(value, value)
            raise self.error(f"expected '{shown}' but found {_describe(self.peek())}", self.peek(), hint)
        return self.advance()

    def error(self, message: str, tok: Token | None = None, hint: str | None = None) -> NotationError:
        tok = tok or self.peek()
        return NotationError(message, text=self.text, position=tok.pos, hint=hint)

    def number_of(self, value, tok: Token):
        """``value`` when it is an expression; NotationError when it is a condition."""
        if is_condition(value):
            raise self.error("found a condition where a number is expected", tok,
                             "use [cond] or (expr if cond else 0) to turn a condition into a number")
        return value

    def condition_of(self, value, tok: Token):
        """``value`` when it is a condition (comparison, and/or); NotationError otherwise."""
        if not is_condition(value):
            raise self.error("expected a condition", tok, "a condition is a comparison such as 1 <= m <= 3")
        return value

    def parse_all(self):
        """Parse the whole token list as one expression or condition."""
        value = self.expression()
        if self.peek().kind != "end":
            tok = self.peek()
            hint = "write abs(...) for absolute values" if tok.value == "|" else None
            raise self.error(f"unexpected {_describe(tok)}", tok, hint)
        return value

    # ---- grammar -------------------------------------------------------------------------
    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression is nested too deeply", hint=f"at most {MAX_DEPTH} levels are accepted")
        first = self.peek()
        value = self.disjunction()
        if self.at_keyword("if"):
            if_tok = self.advance()
            condition = self.condition_of(self.disjunction(), if_tok)
            if not self.at_keyword("else"):
                raise self.error("'if' needs 'else'", hint="write EXPR if COND else 0")
            else_tok = self.advance()
            other = self.number_of(self.expression(), else_tok)
            value = sympy.Piecewise((self.number_of(value, first), condition), (other, True))
        self.depth -= 1
        return value

    def disjunction(self):
        first = self.peek()
        parts = [self.conjunction()]
        while self.at_keyword("or"):
            self.advance()
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        return sympy.Or(*(self.condition_of(p, first) for p in parts))

    def conjunction(self):
        first = self.peek()
        parts = [self.comparison()]
        while self.at_keyword("and"):
            self.advance()
            parts.append(self.comparison())
        if len(parts) == 1:
            return parts[0]
        return sympy.And(*(self.condition_of(p, first) for p in parts))

    def comparison(self):
        left_tok = self.peek()
        left = self.additive()
        relations = []
        while self.peek().kind == "op" and self.peek().value in _RELATIONS:
            op = self.advance()
            right = self.additive()
            relation = _RELATIONS[op.value]
            relations.append(relation(self.number_of(left, left_tok), self.number_of(right, op)))
            left, left_tok = right, op
        if not relations:
            return left
        return relations[0] if len(relations) == 1 else sympy.And(*relations)

    def additive(self):
        first = self.peek()
        terms = [self.term()]
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            op = self.advance()
            value = self.number_of(self.term(), op)
            terms.append(self.negated(value) if op.value == "-" else value)
        if len(terms) == 1:
            return terms[0]
        self.number_of(terms[0], first)
        return sympy.Add(*terms, evaluate=self.evaluates(terms))

    def term(self):
        # A leading sign is the factor -1 of the whole product, so '-(H - K)/S' stays Mul(-1, H - K, 1/S)
        # (sympy would distribute -(H - K) on its own); the value is the same either way.
        negative = self.signs()
        first = self.peek()
        value = self.power()
        factors = [sympy.Integer(-1), self.number_of(value, first)] if negative else [value]
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value in ("*", "/", "//", "%"):
                self.advance()
                operand = self.number_of(self.unary(), tok)
                if tok.value == "*":
                    factors.append(operand)
                    continue
                if operand == 0:
                    raise self.error("division by zero", tok)
                if tok.value == "/":
                    factors.append(sympy.Pow(operand, -1, evaluate=self.evaluates([operand])))
                    continue
                dividend = self.product(factors, first)
                if tok.value == "//":
                    factors = [_floor(sympy.Mul(dividend, sympy.Pow(operand, -1)))]
                else:
                    factors = [self.modulo(dividend, operand, tok)]
            elif self.starts_factor(tok):
                if tok.kind == "num" and self.tokens[self.i - 1].kind == "num":
                    raise self.error("two numbers in a row", tok, "write '*' between numbers")
                factors.append(self.number_of(self.unary(), tok))
            else:
                break
        return factors[0] if len(factors) == 1 else self.product(factors, first)

    def product(self, factors: list, tok: Token):
        for factor in factors:
            self.number_of(factor, tok)
        value = sympy.Mul(*factors, evaluate=self.evaluates(factors))
        check_number_size(value, text=self.text, position=tok.pos)
        return value

    def evaluates(self, args) -> bool:
        """Whether to let sympy combine ``args``: always for numbers (so the size limits
        see the values); for symbolic ones only when the caller asked for evaluation."""
        return self.evaluate or all(arg.is_number for arg in args)

    def negated(self, value):
        return -value if self.evaluates([value]) else sympy.Mul(-1, value, evaluate=False)

    def modulo(self, dividend, divisor, tok: Token):
        if dividend.is_Number and divisor.is_Number:
            return sympy.Mod(dividend, divisor)
        check_mod_operand(dividend, text=self.text, position=tok.pos)
        check_mod_operand(divisor, text=self.text, position=tok.pos)
        return sympy.Mod(dividend, divisor, evaluate=False)

    def starts_factor(self, tok: Token) -> bool:
        if tok.kind == "num":
            return True
        if tok.kind == "name":
            return tok.value not in KEYWORDS
        return tok.kind == "op" and tok.value in _FACTOR_OPS

    def signs(self) -> bool:
        """Consume a run of '+'/'-'; True when it negates."""
        negative = False
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            negative ^= self.advance().value == "-"
        return negative

    def unary(self):
        negative = self.signs()
        tok = self.peek()
        value = self.power()
        return self.negated(self.number_of(value, tok)) if negative else value

    def power(self):
        base_tok = self.peek()
        base = self.primary()
        if not self.at("^"):
            return base
        chain = []   # (negated, operand, caret token) for each '^ operand'
        while self.at("^"):
            caret = self.advance()
            negated = self.signs()
            operand_tok = self.peek()
            chain.append((negated, self.number_of(self.primary(), operand_tok), caret))
        negated, exponent, _ = chain[-1]
        exponent = -exponent if negated else exponent
        for k in range(len(chain) - 2, -1, -1):     # right-associative: a^b^c = a^(b^c)
            negated, operand, _ = chain[k]
            exponent = self.raise_to(operand, exponent, chain[k + 1][2])
            exponent = -exponent if negated else exponent
        return self.raise_to(self.number_of(base, base_tok), exponent, chain[0][2])

    def raise_to(self, base, exponent, tok: Token):
        if base == 0 and exponent.is_Number and exponent.is_negative:
            raise self.error("division by zero", tok)
        check_power(base, exponent, text=self.text, position=tok.pos)
        return sympy.Pow(base, exponent)

    def primary(self):
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            return number_from_text(tok.value)
        if tok.kind == "name":
            return self.name_primary()
        if tok.kind == "op":
            if tok.value in ("(", "{"):
                return self.group()
            if tok.value == "lfloor":
                return _floor(self.number_of(self.group(), tok))
            if tok.value == "lceil":
                return _ceiling(self.number_of(self.group(), tok))
            if tok.value == "[":
                return self.iverson()
            if tok.value == "partial":
                derivative = self.try_derivative()
                if derivative is None:
                    raise self.error("'\u2202' must start a derivative", tok, "write e.g. \u2202l/\u2202f[1, j]")
                return derivative
            if tok.value == "|":
                raise self.error("unexpected '|'", tok, "write abs(...) for absolute values")
        if tok.kind == "end":
            raise self.error("expression ended early", tok, _OPERAND_HINT)
        if tok.kind == "sep":
            raise self.error("unexpected axis separator 'x'", tok, "'x' separates axes only in shapes")
        raise self.error(f"unexpected {_describe(tok)}", tok, _OPERAND_HINT)

    def group(self):
        opener = self.advance()
        value = self.expression()
        self.expect(_CLOSERS[opener.value])
        return value

    def iverson(self):
        opener = self.advance()
        value = self.expression()
        self.expect("]")
        if not is_condition(value):
            raise self.error("square brackets hold a condition or follow a tensor name", opener,
                             "write [1 <= m <= 3] for a condition, x[c, l] for an entry, ( ) for grouping")
        return sympy.Piecewise((sympy.Integer(1), value), (sympy.Integer(0), True))

    def name_primary(self):
        tok = self.peek()
        name = tok.value
        if name in KEYWORDS:
            raise self.error(f"unexpected '{name}'", tok,
                             "'if' and 'else' write EXPR if COND else 0; 'and'/'or' join conditions")
        if name.startswith("d"):
            derivative = self.try_derivative()
            if derivative is not None:
                return derivative
        lower = name.lower()
        if name not in self.names:
            if lower == "sum" or lower.startswith("sum_"):
                return self.prefix_or_call_sum()
            if lower in _FUNCTION_SET:
                return self.call()
        self.advance()
        if self.at("_") and self.at("{", 1):
            return self.subscript(tok)
        if self.at("[") and not self.holds_condition(self.i):
            self.advance()
            return tensor_entry(name, *self.index_list("]"))
        if self.at("(") and self.looks_like_call(self.i):
            raise self.error(f"unknown function '{name}'", tok, _FUNCTIONS_HINT)
        return self.symbol(name)

    def symbol(self, name: str):
        """The symbol ``name``, or the product of its letters when they are all one-letter names."""
        names = self.names
        if (name not in names and len(name) > 1 and name.isalpha()
                and all(letter in names for letter in name)):
            return sympy.Mul(*(index_symbol(letter) for letter in name))
        return index_symbol(name)

    def subscript(self, name_tok: Token):
        self.advance()                                 # '_'
        opener = self.i
        inner = self.tokens[opener + 1:self.match[opener]]
        if len(inner) == 1 and inner[0].kind in ("name", "num"):
            joined = f"{name_tok.value}_{inner[0].value}"
            if joined in self.names or (inner[0].kind == "name" and len(inner[0].value) > 1):
                self.i = self.match[opener] + 1
                return index_symbol(joined)
        self.advance()                                 # '{'
        return tensor_entry(name_tok.value, *self.index_list("}"))

    def index_list(self, closer: str) -> list:
        """Comma-separated expressions up to ``closer`` (consumed); at least one."""
        if self.at(closer):
            raise self.error("empty index", hint="write indices such as x[c, l]")
        indices = []
        while True:
            tok = self.peek()
            indices.append(self.number_of(self.expression(), tok))
            if self.at(","):
                self.advance()
                continue
            self.expect(closer)
            return indices

    def scan_top_level(self, opener: int):
        """Tokens strictly inside the bracket at ``opener`` that are not inside a nested bracket."""
        k, end = opener + 1, self.match[opener]
        while k < end:
            tok = self.tokens[k]
            if tok.kind == "op" and tok.value in _CLOSERS:
                k = self.match[k] + 1
                continue
            yield tok
            k += 1

    def holds_condition(self, opener: int) -> bool:
        return any((t.kind == "op" and t.value in _RELATIONS) or (t.kind == "name" and t.value in ("and", "or"))
                   for t in self.scan_top_level(opener))

    def looks_like_call(self, opener: int) -> bool:
        """True for '()' and for parentheses holding a top-level comma, i.e. ``foo(a, b)``."""
        if self.match[opener] == opener + 1:
            return True
        return any(t.kind == "op" and t.value == "," for t in self.scan_top_level(opener))

    def call(self):
        tok = self.advance()
        function = tok.value.lower()
        if function in ("delta", "kroneckerdelta") and self.at("_") and self.at("{", 1):
            self.advance()
            self.advance()
            args = self.index_list("}")
        elif self.at("("):
            self.advance()
            args = self.index_list(")") if not self.at(")") else []
        else:
            raise self.error(f"'{tok.value}' needs parentheses", self.peek(), "write e.g. floor((n - 1)/2)")
        return self.apply(function, args, tok)

    def apply(self, function: str, args: list, tok: Token):
        def arity(low: int, high: int) -> None:
            if not low <= len(args) <= high:
                count = f"{low}" if low == high else f"{low} to {high}"
                raise self.error(f"{tok.value}(...) takes {count} arguments, got {len(args)}", tok)

        if function == "floor":
            arity(1, 1)
            return _floor(args[0])
        if function in ("ceil", "ceiling"):
            arity(1, 1)
            return _ceiling(args[0])
        if function == "abs":
            arity(1, 1)
            return sympy.Abs(args[0])
        if function in ("max", "min"):
            arity(2, MAX_FUNCTION_ARGS)
            lattice = sympy.Max if function == "max" else sympy.Min
            return lattice(*args, evaluate=all(a.is_Number for a in args))
        arity(2, 2)
        return sympy.KroneckerDelta(args[0], args[1])

    def prefix_or_call_sum(self):
        tok = self.advance()
        if tok.value.lower() == "sum" and self.at("("):
            return self.call_sum(tok)
        if tok.value.lower() != "sum" or not (self.at("_") and self.at("{", 1)):
            raise self.error("a sum needs its bounds", tok, _SUM_HINT)
        self.advance()
        self.advance()
        variable = self.bound_variable()
        self.expect("=", _SUM_HINT)
        lower = self.number_of(self.expression(), tok)
        self.expect("}", _SUM_HINT)
        self.expect("^", _SUM_HINT)
        upper_tok = self.peek()
        if self.at("{") or self.at("("):
            upper = self.group()
        elif upper_tok.kind == "num":
            upper = number_from_text(self.advance().value)
        elif upper_tok.kind == "name" and upper_tok.value not in KEYWORDS:
            upper = self.symbol(self.advance().value)
        else:
            raise self.error("expected the upper bound of the sum", upper_tok, _SUM_HINT)
        self.number_of(upper, upper_tok)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression is nested too deeply", hint=f"at most {MAX_DEPTH} levels are accepted")
        body_tok = self.peek()
        body = self.number_of(self.term(), body_tok)
        self.depth -= 1
        return self.make_sum(body, [(variable, lower, upper)], tok)

    def call_sum(self, tok: Token):
        self.advance()                                 # '('
        body_tok = self.peek()
        body = self.number_of(self.expression(), body_tok)
        limits = []
        while self.at(","):
            self.advance()
            self.expect("(", "write each limit as (k, 1, 3)")
            variable = self.bound_variable()
            self.expect(",", "write each limit as (k, 1, 3)")
            lower = self.number_of(self.expression(), tok)
            self.expect(",", "write each limit as (k, 1, 3)")
            upper = self.number_of(self.expression(), tok)
            self.expect(")", "write each limit as (k, 1, 3)")
            limits.append((variable, lower, upper))
        self.expect(")")
        if not limits:
            raise self.error("Sum(...) needs its limits", tok, _SUM_HINT)
        return self.make_sum(body, limits, tok)

    def bound_variable(self):
        tok = self.peek()
        if tok.kind != "name" or tok.value in KEYWORDS or tok.value.lower() in _FUNCTION_SET:
            raise self.error("expected the summation index", tok, _SUM_HINT)
        self.advance()
        return index_symbol(tok.value)

    def make_sum(self, body, limits: list, tok: Token):
        for _, lower, upper in limits:
            check_sum_terms(lower, upper, text=self.text, position=tok.pos)
        if isinstance(body, sympy.Sum):
            return sympy.Sum(body.function, *body.limits, *limits)
        return sympy.Sum(body, *limits)

    # ---- derivatives ---------------------------------------------------------------------
    def derivative_operand(self):
        """Parse ``∂NAME``, ``d NAME`` or ``dNAME``, optionally indexed; return (name, indices) or None.

        Leaves the position unchanged when the tokens do not start a derivative operand.
        """
        tok = self.peek()
        if tok.kind == "op" and tok.value == "partial":
            target = self.peek(1)
            if target.kind != "name" or target.value in KEYWORDS:
                return None
            self.i += 2
            name = target.value
        elif (tok.kind == "name" and tok.value.startswith("d") and "d" not in self.names
              and tok.value not in self.names and tok.value.lower() not in _FUNCTION_SET):
            if tok.value == "d":
                target = self.peek(1)
                if target.kind != "name" or target.value in KEYWORDS:
                    return None
                self.i += 2
                name = target.value
            else:
                name = tok.value[1:]
                if not name[0].isalpha():
                    return None
                self.i += 1
        else:
            return None
        indices = None
        if self.at("["):
            self.advance()
            indices = tuple(self.index_list("]"))
        elif self.at("_") and self.at("{", 1):
            self.advance()
            self.advance()
            indices = tuple(self.index_list("}"))
        return name, indices

    def try_derivative(self):
        """A derivative ``dA/dB[...]`` in an expression -> the aliased entry; None (position unchanged) otherwise."""
        start = self.i
        numerator = self.derivative_operand()
        if numerator is None or not self.at("/"):
            self.i = start
            return None
        self.advance()
        denominator = self.derivative_operand()
        if denominator is None:
            self.i = start
            return None
        if numerator[1] is not None:
            raise self.error("a derivative of an entry is accepted only on the left-hand side",
                             self.tokens[start], "in a right-hand side write e.g. dl/df[1, j]")
        key = f"d{numerator[0]}/d{denominator[0]}"
        name = self.aliases.get(key, key)
        if denominator[1] is None:
            return index_symbol(name)
        return tensor_entry(name, *denominator[1])

    def equation_lhs(self) -> tuple[TensorRef, TensorRef | None]:
        """Parse the whole token list as a left-hand side; return (of, wrt)."""
        numerator = self.derivative_operand()
        if numerator is not None and self.at("/"):
            self.advance()
            denominator = self.derivative_operand()
            if denominator is None:
                raise self.error("expected d or \u2202 and a tensor name after '/'", hint=_LHS_HINT)
            self.expect_end(_LHS_HINT)
            return (TensorRef(numerator[0], numerator[1] or ()), TensorRef(denominator[0], denominator[1] or ()))
        self.i = 0
        tok = self.peek()
        if tok.kind != "name" or tok.value in KEYWORDS:
            raise self.error(f"unexpected {_describe(tok)} on the left-hand side", tok, _LHS_HINT)
        self.advance()
        name = tok.value
        if self.at("("):                               # f_W(x)[1, j] means f[1, j]
            self.i = self.match[self.i] + 1
            name = name.split("_")[0]
        indices: list = []
        if self.at("["):
            self.advance()
            indices = self.index_list("]")
        elif self.at("_") and self.at("{", 1):
            self.advance()
            self.advance()
            indices = self.index_list("}")
        self.expect_end(_LHS_HINT)
        return TensorRef(name, tuple(indices)), None

    def expect_end(self, hint: str) -> None:
        if self.peek().kind != "end":
            raise self.error(f"unexpected {_describe(self.peek())}", self.peek(), hint)


def match_brackets(tokens: list[Token], text: str) -> dict[int, int]:
    """Map the index of each opening bracket to its closing one; NotationError when unbalanced or too deep.

    Pairs: ( ), [ ], { }, ⌊ ⌋, ⌈ ⌉. Nesting deeper than MAX_DEPTH is refused here.
    """
    match: dict[int, int] = {}
    stack: list[int] = []
    for index, tok in enumerate(tokens):
        if tok.kind != "op":
            continue
        if tok.value in _CLOSERS:
            stack.append(index)
            if len(stack) > MAX_DEPTH:
                raise NotationError("brackets are nested too deeply", text=text, position=tok.pos,
                                    hint=f"at most {MAX_DEPTH} levels are accepted")
        elif tok.value in _CLOSER_SET:
            if not stack or _CLOSERS[tokens[stack[-1]].value] != tok.value:
                expected = (f"; expected '{_SHOWN.get(_CLOSERS[tokens[stack[-1]].value], _CLOSERS[tokens[stack[-1]].value])}'"
                            if stack else "")
                raise NotationError(f"unbalanced {_describe(tok)}{expected}", text=text, position=tok.pos,
                                    hint="brackets must pair up: ( ), [ ], { }, \u230a \u230b, \u2308 \u2309")
            match[stack.pop()] = index
    if stack:
        tok = tokens[stack[-1]]
        raise NotationError(f"{_describe(tok)} is never closed", text=text, position=tok.pos,
                            hint="brackets must pair up: ( ), [ ], { }, \u230a \u230b, \u2308 \u2309")
    return match


def number_from_text(literal: str) -> sympy.Rational:
    """The exact value of a decimal literal: '12' -> 12, '0.5' -> 1/2, '.25' -> 1/4 (int of the digits / 10**decimals)."""
    whole, _, fraction = literal.partition(".")
    if not fraction:
        return sympy.Integer(int(whole))
    return sympy.Rational(int((whole or "0") + fraction), 10 ** len(fraction))


# ---- public entry points -------------------------------------------------------------------

def _as_text(value) -> str:
    """Text of an answer: str as is; int and finite float as their decimal text; anything else refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotationError(f"expected text, got {type(value).__name__}",
                            hint="answers are strings such as '2*P + 1' (int and float are accepted as numbers)")
    if isinstance(value, int):
        if value.bit_length() > 128:
            raise NotationError("number has too many digits", hint="numbers of at most 30 digits are accepted")
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise NotationError(f"{value} is not a number", hint="give a finite number")
    return format(Decimal(repr(value)), "f")


def _tokens(text: str, *, shape: bool = False) -> list[Token]:
    return translate(tokenize(text, shape=shape), text, shape=shape)


def _run(parse, text: str):
    """Call ``parse()``; a RecursionError (never expected: depth is limited) or an error raised by a
    sympy constructor becomes a NotationError."""
    try:
        return parse()
    except NotationError:
        raise
    except RecursionError:
        raise NotationError("expression is nested too deeply", text=text,
                            hint=f"at most {MAX_DEPTH} levels are accepted") from None
    except (ValueError, TypeError, ArithmeticError, NotImplementedError) as error:
        # sympy refuses some well-formed input (e.g. max of non-comparable values)
        raise NotationError(f"cannot build this expression ({type(error).__name__}: {error})", text=text,
                            hint="simplify the answer or write it differently") from None


def parse_expression(text: str, *, names: Collection[str] = (), evaluate: bool = True) -> sympy.Expr:
    """Parse math text (plain, unicode or the LaTeX subset) into a sympy expression.

    ``names`` are the known size/index names (used to split ``HW`` into H*W and
    to decide subscripts). int and finite float input is read as its decimal
    text (0.5 -> 1/2); bool and other types are refused. ``evaluate=False``
    leaves symbolic sums and products as written (numbers are still combined):
    about twice as fast, for callers that only evaluate the result at points,
    such as the grader. Raises NotationError.
    """
    text = _as_text(text)

    def parse():
        parser = _Parser(_tokens(text), text, frozenset(names), evaluate=evaluate)
        value = parser.parse_all()
        if is_condition(value):
            raise NotationError("expected an expression but found a condition", text=text, position=0,
                                hint="an expression is e.g. floor((n - 1)/2) + 1")
        return value
    return _run(parse, text)


def parse_relation(text: str, *, names: Collection[str] = ()) -> sympy.Basic:
    """Parse a condition: a comparison ('H >= K', 'P >= 0'), a chain ('1 <= m <= 3' -> And), and/or.

    '==' and '=' both mean equality, '!=' inequality. Returns a sympy Boolean
    (a relational, And/Or, or true/false when it evaluates). Raises NotationError.
    """
    text = _as_text(text)

    def parse():
        parser = _Parser(_tokens(text), text, frozenset(names))
        value = parser.parse_all()
        if not is_condition(value):
            raise NotationError("expected a condition such as H >= K", text=text, position=0,
                                hint="conditions use < <= > >= == != and, or")
        return value
    return _run(parse, text)


def parse_equation(text: str, *, names: Collection[str] = (),
                   aliases: Mapping[str, str] = _NO_ALIASES, evaluate: bool = True) -> IndexEquation:
    """Parse ``LHS = RHS`` (or just an RHS) into an IndexEquation.

    LHS forms: ``f[1,j]``, ``f_{1,j}``, ``f_W(x)[1,j]``, ``df[1,j]/dW[1,c,k]``,
    ``∂f[1,j]/∂x[c,l]``, ``dl/dW[1,c,k]``, ``d l / d W [1, c, k]`` and the LaTeX
    ``\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}}``. In the RHS ``dl/df[1,j]``
    is the entry named ``aliases.get('dl/df', 'dl/df')``. ``evaluate`` as in
    :func:`parse_expression`. Raises NotationError.
    """
    text = _as_text(text)

    def parse():
        tokens = _tokens(text)
        frozen_names = frozenset(names)
        split = _top_level_equals(tokens, text)
        if split is None:
            rhs = _Parser(tokens, text, frozen_names, aliases, evaluate=evaluate).parse_all()
            of = wrt = None
        else:
            equals = tokens[split]
            if split == 0:
                raise NotationError("missing left-hand side before '='", text=text, position=equals.pos,
                                    hint=_LHS_HINT)
            lhs_tokens = tokens[:split] + [Token("end", "", equals.pos, "")]
            of, wrt = _Parser(lhs_tokens, text, frozen_names, aliases).equation_lhs()
            rhs = _Parser(tokens[split + 1:], text, frozen_names, aliases, evaluate=evaluate).parse_all()
        if is_condition(rhs):
            raise NotationError("the right-hand side is a condition, not an expression", text=text, position=0,
                                hint="write e.g. y[i] = Sum(a[i, k]*b[k], (k, 1, 3))")
        return IndexEquation(of=of, wrt=wrt, rhs=rhs)
    return _run(parse, text)


def _top_level_equals(tokens: list[Token], text: str) -> int | None:
    """Index of the single '=' outside all brackets, None when there is none."""
    depth = 0
    found = None
    for index, tok in enumerate(tokens):
        if tok.kind != "op":
            continue
        if tok.value in _CLOSERS:
            depth += 1
        elif tok.value in _CLOSER_SET:
            depth -= 1
        elif tok.value == "=" and depth == 0:
            if found is not None:
                raise NotationError("more than one '='", text=text, position=tok.pos,
                                    hint="an equation is LHS = RHS")
            found = index
    return found


def parse_shape(value, *, names: Collection[str] = (), evaluate: bool = True) -> tuple[sympy.Expr, ...]:
    """Parse a tensor shape into a tuple of sizes.

    Accepts an int, a list/tuple of ints, strings and sympy expressions, or text:
    '4 x 5', '4×5', '4x5', '4 * 5', '(4, 5)', '[4, 5]', 'R^{4x5}', 'R^(4x5)', 'ℝ^{4×5}',
    '\\mathbb{R}^{4 \\times 5}', 'F x (floor((H-K)/S)+1) x ...'. Text is split into axes at
    'x', '×', '\\times' and ',' outside brackets; when none occurs there, at '*'
    outside brackets. A leading 'R^' and one pair of enclosing ( ) or [ ] are
    removed first. '()' and '[]' give the empty shape. ``evaluate`` as in
    :func:`parse_expression`. Raises NotationError.
    """
    frozen_names = frozenset(names)
    if isinstance(value, (list, tuple)):
        return tuple(_shape_entry(item, frozen_names, evaluate) for item in value)
    if isinstance(value, sympy.Expr) or (isinstance(value, int) and not isinstance(value, bool)):
        return (_shape_entry(value, frozen_names, evaluate),)
    if not isinstance(value, str):
        raise NotationError(f"expected a shape, got {type(value).__name__}",
                            hint="a shape is text such as '2 x 3', an int, or a list such as [2, 3]")
    text = value
    return _run(lambda: _parse_shape_text(text, frozen_names, evaluate), text)


def _shape_entry(item, names: frozenset[str], evaluate: bool) -> sympy.Expr:
    if isinstance(item, bool):
        raise NotationError(f"axis size {item} is a bool", hint="axis sizes are integers or expressions")
    if isinstance(item, int):
        return parse_expression(item)
    if isinstance(item, str):
        return parse_expression(item, names=names, evaluate=evaluate)
    if isinstance(item, sympy.Expr):
        return item
    raise NotationError(f"axis size of type {type(item).__name__} is not accepted",
                        hint="axis sizes are integers, strings such as 'H - K + 1', or sympy expressions")


def _parse_shape_text(text: str, names: frozenset[str], evaluate: bool) -> tuple[sympy.Expr, ...]:
    """Find the axes with shape-mode tokens, then parse each axis's own text in normal mode.

    Re-tokenizing each axis keeps names such as 'xd' or 'x2' whole inside an axis;
    shape mode only decides where the axes are.
    """
    tokens = _tokens(text, shape=True)
    body = tokens[:-1]
    if not body:
        raise NotationError("empty shape", text=text, position=0, hint="write a shape such as 2 x 3")
    start, end = 0, len(text)
    match = match_brackets(tokens, text)
    if (len(body) >= 2 and body[0].kind == "name" and body[0].value == "R"
            and body[1].kind == "op" and body[1].value == "^"):
        if len(body) > 3 and body[2].value in ("{", "(") and match.get(2) == len(body) - 1:
            start, end = _after(body[2]), body[-1].pos
            body = body[3:-1]
        else:
            start = _after(body[1])
            body = body[2:]
        match = match_brackets(body + tokens[-1:], text)
    if body and body[0].kind == "op" and body[0].value in ("(", "[") and match.get(0) == len(body) - 1:
        start, end = _after(body[0]), body[-1].pos
        body = body[1:-1]
        match = match_brackets(body + tokens[-1:], text)
    if not body:
        return ()
    cuts = _axis_separators(body, match)
    spans, left = [], start
    for cut in cuts:
        spans.append((left, body[cut].pos))
        left = _after(body[cut])
    spans.append((left, end))
    if len(spans) > 1 and cuts[-1] == len(body) - 1 and body[-1].value == ",":
        spans.pop()                                    # trailing comma: (5,)
    sizes = []
    for left, right in spans:
        piece = [Token(t.kind, t.value, t.pos + left, t.text) for t in _tokens(text[left:right])]
        if len(piece) == 1:
            raise NotationError("empty axis in shape", text=text, position=left,
                                hint="write a shape such as 2 x 3 or (2, 3)")
        parser = _Parser(piece, text, names, evaluate=evaluate)
        sizes.append(parser.number_of(parser.parse_all(), piece[0]))
    return tuple(sizes)


def _after(tok: Token) -> int:
    """Offset in the text just after ``tok``."""
    return tok.pos + len(tok.text)


def _axis_separators(body: list[Token], match: dict[int, int]) -> list[int]:
    """Indices of the top-level separators ('x', '×', '\\times', ','), else of the top-level '*'."""
    top_level = []
    k = 0
    while k < len(body):
        top_level.append(k)
        k = match[k] + 1 if body[k].kind == "op" and body[k].value in _CLOSERS else k + 1
    cuts = [k for k in top_level if body[k].kind == "sep" or (body[k].kind == "op" and body[k].value == ",")]
    if not cuts:
        cuts = [k for k in top_level if body[k].kind == "op" and body[k].value == "*"]
    return cuts
