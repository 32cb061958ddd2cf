"""Recursive-descent parser for expressions and conditions: tokens -> the project's tree.

Grammar (lowest precedence first; ``^``/``**`` is right-associative)::

    expression  := disjunction ['if' disjunction 'else' expression]
    disjunction := conjunction ('or' conjunction)*
    conjunction := comparison ('and' comparison)*
    comparison  := additive (('<' | '<=' | '>' | '>=' | '==' | '=' | '!=') additive)*
    additive    := term (('+' | '-') term)*
    term        := unary (('*' | '/' | '//' | '%') unary | <juxtaposed> unary)*
    unary       := ('+' | '-')* power        (a leading sign of a term negates the whole term)
    power       := primary ('^' ('+' | '-')* primary)*
    primary     := number | name | name '[' indices ']' ('[' indices ']')* | name '_{' indices '}'
                 | function '(' args ')' | '(' expression ')' | '{' expression '}'
                 | '⌊' expression '⌋' | '⌈' expression '⌉' | '[' condition ']'
                 | 'sum_{' name '=' expression '}^' bound term | 'Sum(' expression (',' limit)+ ')'
                 | derivative such as dl/df[1, j]

Meaning of each form (the node types are those of :mod:`solver.notation.tree`):

* names are symbols; ``S N E I O Q e pi x`` are plain symbols too. A name that is
  not in ``names``, not a function, and whose letters are all one-letter ``names``
  is the product of its letters (``HW`` -> H*W); a power after such a name binds
  to its last letter only, as in print (``CK^2`` -> C*K^2, ``2HW^2`` -> 2*H*W^2);
* ``NAME_{...}`` is a tensor entry, except that a single identifier of two or more
  characters, or any single identifier/number whose joined name ``NAME_sub`` is in
  ``names``, makes the symbol ``NAME_sub`` (``H_{in}`` -> ``H_in``, ``x_{l}`` -> ``x[l]``);
* a ``[`` right after a name (or after an entry: ``x[c][l]`` is ``x[c, l]``) indexes
  it unless the brackets hold a comparison, in which case (and anywhere else) it is
  an Iverson bracket;
* ``a // b`` is ``floor(a/b)``; ``a % b`` is ``Mod(a, b)``; numbers fold
  (``2^2`` is 4, ``0.5`` is 1/2) and nothing else is rearranged;
* a prefix sum's body is the product that follows it (up to the next ``+``/``-``
  at the same bracket level); ``Sum(B, (k, 1, 3), (c, 1, 2))`` is the sum over c of
  the sum over k, like ``sum_{c=1}^{2} sum_{k=1}^{3} B``;
* a derivative ``dA/dB[...]`` (or ``∂A/∂B[...]``) in an expression is the entry named
  ``aliases.get('dA/dB', 'dA/dB')`` at B's indices (the upstream gradient ``dl/df``);
  ``f_W(x)`` in a derivative is the tensor ``f``; the ``d`` forms are off when ``d``
  itself is in ``names`` (then only ``∂`` marks a derivative).

Nothing here evaluates text: no eval/exec, no sympy.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Collection, Mapping

from solver.notation import build
from solver.notation.errors import NotationError
from solver.notation.latex import translate
from solver.notation.limits import MAX_DEPTH, MAX_FUNCTION_ARGS
from solver.notation.tokens import Token, tokenize
from solver.notation.tree import (And, Condition, Cond, Entry, Expr, Iverson, Max, Min, Mul, Node, Not, Num,
                                  Or, Rel, Sym, num)

#: Function names accepted before '(' (compared in lower case).
FUNCTIONS = ("floor", "ceil", "ceiling", "max", "min", "abs", "delta", "kroneckerdelta", "sum")
_FUNCTION_SET = frozenset(FUNCTIONS)
_FUNCTIONS_HINT = ("accepted functions: floor, ceil, ceiling, max, min, abs, delta, KroneckerDelta, Sum; "
                   "a name before '(' without commas multiplies, e.g. D(K-1)")
KEYWORDS = frozenset({"if", "else", "and", "or", "not"})

_RELATIONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "=": "==", "!=": "!="}
CLOSERS = {"(": ")", "[": "]", "{": "}", "lfloor": "rfloor", "lceil": "rceil"}
_CLOSER_SET = frozenset(CLOSERS.values())
_FACTOR_OPS = frozenset({"(", "{", "[", "lfloor", "lceil", "partial"})
_SHOWN = {"lfloor": "\u230a", "rfloor": "\u230b", "lceil": "\u2308", "rceil": "\u2309", "partial": "\u2202",
          "in": "\u2208"}

_OPERAND_HINT = "expected a number, a name, an entry like x[c, l], '(' or a function such as floor(...)"
_SUM_HINT = "give the bounds as sum_{k=1}^{3} BODY or Sum(BODY, (k, 1, 3))"
NO_ALIASES: Mapping[str, str] = MappingProxyType({})


def describe(tok: Token) -> str:
    """A token as shown in messages: 'end of input' or the quoted source text."""
    if tok.kind == "end":
        return "end of input"
    return f"'{_SHOWN.get(tok.value, tok.text or tok.value)}'"


#: Largest ``offset`` passed to ``ExpressionParser.peek``.
_LOOKAHEAD = 2


class ExpressionParser:
    """One parse over a token list (ending with an ``end`` token) of ``text``."""

    def __init__(self, tokens: list[Token], text: str, names: frozenset[str],
                 aliases: Mapping[str, str] = NO_ALIASES):
        # Padded with copies of the final 'end' token so that peek() needs no bounds check.
        self.tokens = tokens + tokens[-1:] * _LOOKAHEAD
        self.text = text
        self.names = names
        self.aliases = aliases
        self.i = 0
        self.depth = 0
        self.match = match_brackets(tokens, text)
        # Products made by splitting a name (HW -> H*W), by id; kept alive so that no id is reused.
        self.split_names: dict[int, Mul] = {}

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
            raise self.error(f"expected '{shown}' but found {describe(self.peek())}", self.peek(), hint)
        return self.advance()

    def error(self, message: str, tok: Token | None = None, hint: str | None = None) -> NotationError:
        tok = tok or self.peek()
        return NotationError(message, text=self.text, position=tok.pos, hint=hint)

    def fold(self, tok: Token, constructor, *args):
        """``constructor(*args)`` from :mod:`solver.notation.build`, its errors placed at ``tok``."""
        try:
            return constructor(*args)
        except NotationError as error:
            if error.position is not None:
                raise
            raise NotationError(error.message, text=self.text, position=tok.pos, hint=error.hint) from None

    def number_of(self, value: Node, tok: Token) -> Expr:
        """``value`` when it is an expression; NotationError when it is a condition."""
        if isinstance(value, Condition):
            raise self.error("found a condition where a number is expected", tok,
                             "use [cond] or (expr if cond else 0) to turn a condition into a number")
        return value

    def condition_of(self, value: Node, tok: Token) -> Condition:
        """``value`` when it is a condition (comparison, and/or); NotationError otherwise."""
        if not isinstance(value, Condition):
            raise self.error("expected a condition", tok, "a condition is a comparison such as 1 <= m <= 3")
        return value

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression is nested too deeply", hint=f"at most {MAX_DEPTH} levels are accepted")

    def parse_all(self) -> Node:
        """Parse the whole token list as one expression or condition."""
        value = self.expression()
        if self.peek().kind != "end":
            tok = self.peek()
            hint = "write abs(...) for absolute values" if tok.value == "|" else None
            raise self.error(f"unexpected {describe(tok)}", tok, hint)
        self.fold(self.tokens[0], build.value_size_bits, value)
        return value

    # ---- grammar -------------------------------------------------------------------------
    def expression(self) -> Node:
        self.nest()
        first = self.peek()
        value = self.disjunction()
        if self.at_keyword("if"):
            if_tok = self.advance()
            condition = self.condition_of(self.disjunction(), if_tok)
            if not self.at_keyword("else"):
                raise self.error("'if' needs 'else'", hint="write EXPR if COND else 0")
            else_tok = self.advance()
            other = self.number_of(self.expression(), else_tok)
            value = Cond(self.number_of(value, first), condition, other)
        self.depth -= 1
        return value

    def disjunction(self) -> Node:
        first = self.peek()
        parts = [self.conjunction()]
        while self.at_keyword("or"):
            self.advance()
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        return Or(tuple(self.condition_of(p, first) for p in parts))

    def conjunction(self) -> Node:
        first = self.peek()
        parts = [self.negation()]
        while self.at_keyword("and"):
            self.advance()
            parts.append(self.negation())
        if len(parts) == 1:
            return parts[0]
        return And(tuple(self.condition_of(p, first) for p in parts))

    def negation(self) -> Node:
        if self.at_keyword("not"):
            tok = self.advance()
            self.nest()
            value = Not(self.condition_of(self.negation(), tok))
            self.depth -= 1
            return value
        return self.comparison()

    def comparison(self) -> Node:
        left_tok = self.peek()
        left = self.additive()
        relations = []
        while self.peek().kind == "op" and self.peek().value in _RELATIONS:
            op = self.advance()
            right = self.additive()
            relations.append(Rel(_RELATIONS[op.value], self.number_of(left, left_tok), self.number_of(right, op)))
            left, left_tok = right, op
        if not relations:
            return left
        return relations[0] if len(relations) == 1 else And(tuple(relations))

    def additive(self) -> Node:
        first = self.peek()
        terms = [self.term()]
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            op = self.advance()
            value = self.number_of(self.term(), op)
            terms.append(build.neg(value) if op.value == "-" else value)
        if len(terms) == 1:
            return terms[0]
        self.number_of(terms[0], first)
        return self.fold(first, build.add, terms)

    def term(self) -> Node:
        negative = self.signs()
        first = self.peek()
        value = self.power()
        if negative:
            self.number_of(value, first)
        factors = [value]
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value in ("*", "/", "//", "%"):
                self.advance()
                operand = self.number_of(self.unary(), tok)
                if tok.value == "*":
                    factors.append(operand)
                    continue
                dividend = self.product(factors, first)
                if tok.value == "/":
                    factors = [self.fold(tok, build.div, dividend, operand)]
                elif tok.value == "//":
                    factors = [build.floor(self.fold(tok, build.div, dividend, operand))]
                else:
                    factors = [self.fold(tok, build.mod, dividend, operand)]
            elif self.starts_factor(tok):
                if tok.kind == "num" and self.tokens[self.i - 1].kind == "num":
                    raise self.error("two numbers in a row", tok, "write '*' between numbers")
                factors.append(self.number_of(self.unary(), tok))
            else:
                break
        value = factors[0] if len(factors) == 1 else self.product(factors, first)
        return build.neg(value) if negative else value

    def product(self, factors: list, tok: Token) -> Expr:
        for factor in factors:
            self.number_of(factor, tok)
        return self.fold(tok, build.mul, _flatten_split(factors, self.split_names))

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

    def unary(self) -> Node:
        negative = self.signs()
        tok = self.peek()
        value = self.power()
        return build.neg(self.number_of(value, tok)) if negative else value

    def power(self) -> Node:
        base_tok = self.peek()
        base = self.primary()
        if not self.at("^"):
            return base
        chain = []   # (negated, operand, caret token) for each '^ operand'
        while self.at("^"):
            caret = self.advance()
            if len(chain) >= MAX_DEPTH:
                raise self.error("too many powers in a row", caret, f"at most {MAX_DEPTH} are accepted")
            negated = self.signs()
            operand_tok = self.peek()
            chain.append((negated, self.number_of(self.primary(), operand_tok), caret))
        negated, exponent, _ = chain[-1]
        exponent = build.neg(exponent) if negated else exponent
        for k in range(len(chain) - 2, -1, -1):     # right-associative: a^b^c = a^(b^c)
            negated, operand, _ = chain[k]
            exponent = self.fold(chain[k + 1][2], build.power, operand, exponent)
            exponent = build.neg(exponent) if negated else exponent
        base = self.number_of(base, base_tok)
        if id(base) in self.split_names:
            # CK^2 is C*K^2: the power binds to the last letter, as it reads
            *head, last = base.factors
            product = Mul((*head, self.fold(chain[0][2], build.power, last, exponent)))
            self.split_names[id(product)] = product
            return product
        return self.fold(chain[0][2], build.power, base, exponent)

    def primary(self) -> Node:
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
                return build.floor(self.number_of(self.group(), tok))
            if tok.value == "lceil":
                return build.ceil(self.number_of(self.group(), tok))
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
        raise self.error(f"unexpected {describe(tok)}", tok, _OPERAND_HINT)

    def group(self) -> Node:
        opener = self.advance()
        value = self.expression()
        self.expect(CLOSERS[opener.value])
        if id(value) in self.split_names:
            value = Mul(value.factors)      # (CK)^2 squares the whole product
        return value

    def iverson(self) -> Expr:
        opener = self.advance()
        value = self.expression()
        self.expect("]")
        if not isinstance(value, Condition):
            raise self.error("square brackets hold a condition or follow a tensor name", opener,
                             "write [1 <= m <= 3] for a condition, x[c, l] for an entry, ( ) for grouping")
        return Iverson(value)

    def name_primary(self) -> Node:
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
            return Entry(name, self.chained_indices())
        if self.at("(") and self.looks_like_call(self.i):
            raise self.error(f"unknown function '{name}'", tok, _FUNCTIONS_HINT)
        return self.symbol(name)

    def chained_indices(self) -> tuple[Expr, ...]:
        """``[a, b][c]...`` -> (a, b, c): chained brackets index one entry (``x[c][l]`` is ``x[c, l]``)."""
        indices: list[Expr] = []
        while self.at("[") and not self.holds_condition(self.i):
            self.advance()
            indices += self.index_list("]")
        return tuple(indices)

    def symbol(self, name: str) -> Expr:
        """The symbol ``name``, or the product of its letters when they are all one-letter names."""
        names = self.names
        if (name not in names and len(name) > 1 and name.isalpha()
                and all(letter in names for letter in name)):
            product = Mul(tuple(Sym(letter) for letter in name))
            self.split_names[id(product)] = product
            return product
        return Sym(name)

    def subscript(self, name_tok: Token) -> Expr:
        self.advance()                                 # '_'
        opener = self.i
        inner = self.tokens[opener + 1:self.match[opener]]
        if len(inner) == 1 and inner[0].kind in ("name", "num"):
            joined = f"{name_tok.value}_{inner[0].value}"
            if joined in self.names or (inner[0].kind == "name" and len(inner[0].value) > 1):
                self.i = self.match[opener] + 1
                return Sym(joined)
        self.advance()                                 # '{'
        return Entry(name_tok.value, tuple(self.index_list("}")))

    def index_list(self, closer: str) -> list[Expr]:
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
            if tok.kind == "op" and tok.value in CLOSERS:
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

    def call(self) -> Expr:
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

    def apply(self, function: str, args: list, tok: Token) -> Expr:
        def arity(low: int, high: int) -> None:
            if not low <= len(args) <= high:
                count = f"{low}" if low == high else f"{low} to {high}"
                raise self.error(f"{tok.value}(...) takes {count} arguments, got {len(args)}", tok)

        if function == "floor":
            arity(1, 1)
            return build.floor(args[0])
        if function in ("ceil", "ceiling"):
            arity(1, 1)
            return build.ceil(args[0])
        if function == "abs":
            arity(1, 1)
            return build.absolute(args[0])
        if function in ("max", "min"):
            arity(2, MAX_FUNCTION_ARGS)
            return build.extremum(Max if function == "max" else Min, args)
        arity(2, 2)
        return build.delta(args[0], args[1])

    def prefix_or_call_sum(self) -> Expr:
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
        self.nest()
        body_tok = self.peek()
        body = self.number_of(self.term(), body_tok)
        self.depth -= 1
        return self.fold(tok, build.summation, body, variable, lower, upper)

    def call_sum(self, tok: Token) -> Expr:
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
        for variable, lower, upper in limits:       # the first limit is the innermost sum
            body = self.fold(tok, build.summation, body, variable, lower, upper)
        return body

    def bound_variable(self) -> str:
        tok = self.peek()
        if tok.kind != "name" or tok.value in KEYWORDS or tok.value.lower() in _FUNCTION_SET:
            raise self.error("expected the summation index", tok, _SUM_HINT)
        self.advance()
        return tok.value

    # ---- derivatives ---------------------------------------------------------------------
    def derivative_operand(self) -> tuple[str, tuple | None] | None:
        """Parse ``∂NAME``, ``d NAME`` or ``dNAME``, optionally applied (``f_W(x)``) and indexed;
        return (name, indices) or None, leaving the position unchanged when the tokens do not
        start a derivative operand."""
        tok = self.peek()
        start = self.i
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
        name = self.skip_application(name)
        if name is None:
            self.i = start
            return None
        indices = None
        if self.at("["):
            indices = self.chained_indices() if not self.holds_condition(self.i) else None
        elif self.at("_") and self.at("{", 1):
            self.advance()
            self.advance()
            indices = tuple(self.index_list("}"))
        return name, indices

    def skip_application(self, name: str) -> str | None:
        """After a tensor name: skip a function application such as ``_W(x)``, ``_{W}(x)`` or ``(x)``
        (``f_W(x)[1, j]`` is the entry ``f[1, j]``) and return the tensor's name; None when a
        subscript that is not followed by an application makes this no derivative operand."""
        if self.at("_") and self.at("{", 1):
            closing = self.match[self.i + 1]
            if not (self.tokens[closing + 1].kind == "op" and self.tokens[closing + 1].value == "("):
                return name
            self.i = closing + 1
            name = name.split("_")[0]
        if self.at("(") and not self.looks_like_call(self.i):
            after = self.tokens[self.match[self.i] + 1]
            if after.kind == "end" or (after.kind == "op" and after.value in ("[", "/", "_", "=")):
                self.i = self.match[self.i] + 1
                return name.split("_")[0]
        return name

    def try_derivative(self) -> Expr | None:
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
            return Sym(name)
        return Entry(name, tuple(denominator[1]))


def _flatten_split(factors: list, split: dict[int, Mul]) -> list:
    """Factors with each split-name product (HW -> H*W) spliced in, so 2HW is Mul(2, H, W)."""
    if not split:
        return factors
    out = []
    for factor in factors:
        if id(factor) in split:
            out.extend(factor.factors)
        else:
            out.append(factor)
    return out


def match_brackets(tokens: list[Token], text: str) -> dict[int, int]:
    """Map the index of each opening bracket to its closing one; NotationError when unbalanced or too deep.

    Pairs: ( ), [ ], { }, ⌊ ⌋, ⌈ ⌉. Nesting deeper than MAX_DEPTH is refused here.
    """
    match: dict[int, int] = {}
    stack: list[int] = []
    for index, tok in enumerate(tokens):
        if tok.kind != "op":
            continue
        if tok.value in CLOSERS:
            stack.append(index)
            if len(stack) > MAX_DEPTH:
                raise NotationError("brackets are nested too deeply", text=text, position=tok.pos,
                                    hint=f"at most {MAX_DEPTH} levels are accepted")
        elif tok.value in _CLOSER_SET:
            if not stack or CLOSERS[tokens[stack[-1]].value] != tok.value:
                expected = ""
                if stack:
                    closer = CLOSERS[tokens[stack[-1]].value]
                    expected = f"; expected '{_SHOWN.get(closer, closer)}'"
                raise NotationError(f"unbalanced {describe(tok)}{expected}", text=text, position=tok.pos,
                                    hint="brackets must pair up: ( ), [ ], { }, \u230a \u230b, \u2308 \u2309")
            match[stack.pop()] = index
    if stack:
        tok = tokens[stack[-1]]
        raise NotationError(f"{describe(tok)} is never closed", text=text, position=tok.pos,
                            hint="brackets must pair up: ( ), [ ], { }, \u230a \u230b, \u2308 \u2309")
    return match


def number_from_text(literal: str) -> Num:
    """The exact value of a decimal literal: '12' -> 12, '0.5' -> 1/2, '.25' -> 1/4."""
    whole, _, fraction = literal.partition(".")
    if not fraction:
        return num(int(whole))
    return num(Fraction(int((whole or "0") + fraction), 10 ** len(fraction)))


# ---- shared by the entry points --------------------------------------------------------------

def as_text(value) -> str:
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


def tokens_of(text: str, *, shape: bool = False) -> list[Token]:
    """The plain-grammar tokens of ``text`` (LaTeX translated)."""
    return translate(tokenize(text, shape=shape), text, shape=shape)


def guarded(parse, text: str):
    """Call ``parse()``; a RecursionError (never expected: depth is limited) becomes a NotationError."""
    try:
        return parse()
    except RecursionError:
        raise NotationError("expression is nested too deeply", text=text,
                            hint=f"at most {MAX_DEPTH} levels are accepted") from None


def read_expression(text, *, names: Collection[str] = ()) -> Expr:
    """Parse math text (plain, unicode or the LaTeX subset) into an expression tree.

    ``names`` are the known size/index names (used to split ``HW`` into H*W and
    to decide subscripts). int and finite float input is read as its decimal
    text (0.5 -> 1/2); bool and other types are refused. Raises NotationError.
    """
    text = as_text(text)

    def parse():
        value = ExpressionParser(tokens_of(text), text, frozenset(names)).parse_all()
        if isinstance(value, Condition):
            raise NotationError("expected an expression but found a condition", text=text, position=0,
                                hint="an expression is e.g. floor((n - 1)/2) + 1")
        return value
    return guarded(parse, text)


def read_relation(text, *, names: Collection[str] = ()) -> Condition:
    """Parse a condition: a comparison ('H >= K'), a chain ('1 <= m <= 3' -> And), and/or/not.

    '==' and '=' both mean equality, '!=' inequality. Raises NotationError.
    """
    text = as_text(text)

    def parse():
        value = ExpressionParser(tokens_of(text), text, frozenset(names)).parse_all()
        if not isinstance(value, Condition):
            raise NotationError("expected a condition such as H >= K", text=text, position=0,
                                hint="conditions use < <= > >= == != and, or")
        return value
    return guarded(parse, text)

