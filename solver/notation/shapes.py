"""Shapes: '4 x 5', 'R^{1x2x3}', 'f_W(x) ∈ R^{1×2}', '(1×2)×(1×2×3)' -> a tuple of size trees.

Rules, in order:

1. A name for the tensor before a membership sign is dropped: ``f_W(x) ∈ R^{1x2}``,
   ``dl/dW in R^{1x2x3}``, ``\\in \\mathbb{R}^{1 \\times 2}`` are all the shape 1 x 2.
2. A leading ``R^`` (``ℝ^``, ``\\mathbb{R}^``) and its braces, then one pair of
   enclosing ( ) or [ ], are removed.
3. The text is split into axes at ``x``, ``×``, ``\\times`` and ``,`` outside brackets;
   when none occurs there, at ``*`` outside brackets.
4. An axis that is a bracketed group holding separators of its own is a group of
   axes and is spliced in: ``(1×2)×(1×2×3)`` is the five axes 1 x 2 x 1 x 2 x 3 (the
   output's axes, then the variable's, as a Jacobian is written). A bracketed group
   without separators is one size, so ``(2*3) x 4`` is 6 x 4 and ``(H-K+1) x W`` is
   two axes.
"""

from __future__ import annotations

from typing import Collection

from solver.notation.errors import NotationError
from solver.notation.expressions import (CLOSERS, ExpressionParser, guarded, match_brackets, read_expression,
                                         tokens_of)
from solver.notation.tokens import Token
from solver.notation.tree import Expr

_SHAPE_HINT = "write a shape such as 2 x 3 or (2, 3)"


def read_shape(value, *, names: Collection[str] = ()) -> tuple[Expr, ...]:
    """Parse a tensor shape into a tuple of size trees.

    Accepts an int, a list/tuple of ints and strings, or text (see the module doc).
    '()' and '[]' give the empty shape. Raises NotationError.
    """
    frozen_names = frozenset(names)
    if isinstance(value, (list, tuple)):
        return tuple(_entry(item, frozen_names) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return (read_expression(value),)
    if not isinstance(value, str):
        raise NotationError(f"expected a shape, got {type(value).__name__}",
                            hint="a shape is text such as '2 x 3', an int, or a list such as [2, 3]")
    text = value
    return guarded(lambda: _shape_text(text, frozen_names), text)


def has_axis_separator(text: str) -> bool:
    """True when ``text`` names sizes per axis (an x, ×, \\times or comma between sizes): '3 x 3', '(3, 1)'."""
    try:
        tokens = tokens_of(text, shape=True)
    except NotationError:
        return False
    return any(t.kind == "sep" or (t.kind == "op" and t.value == ",") for t in tokens)


def _entry(item, names: frozenset[str]) -> Expr:
    if isinstance(item, bool):
        raise NotationError(f"axis size {item} is a bool", hint="axis sizes are integers or expressions")
    if isinstance(item, (int, str)):
        return read_expression(item, names=names)
    raise NotationError(f"axis size of type {type(item).__name__} is not accepted",
                        hint="axis sizes are integers or strings such as 'H - K + 1'")


def _shape_text(text: str, names: frozenset[str]) -> tuple[Expr, ...]:
    tokens = tokens_of(text, shape=True)
    body = _after_membership(tokens[:-1], text)
    if not body:
        raise NotationError("empty shape", text=text, position=0, hint=_SHAPE_HINT)
    return _axes(body, text, len(text), names)


def _after_membership(body: list[Token], text: str) -> list[Token]:
    """The tokens after a top-level membership sign ('∈', '\\in', or the word 'in' before R^ / a bracket)."""
    match = match_brackets(body + [Token("end", "", len(text), "")], text)
    k = 0
    while k < len(body):
        tok = body[k]
        if tok.kind == "op" and tok.value in CLOSERS:
            k = match[k] + 1
            continue
        word = tok.kind == "name" and tok.value == "in" and k > 0 and k + 1 < len(body) and (
            body[k + 1].value == "R" or body[k + 1].value in ("(", "["))
        if (tok.kind == "op" and tok.value == "in") or word:
            return body[k + 1:]
        k += 1
    return body


def _axes(body: list[Token], text: str, end: int, names: frozenset[str]) -> tuple[Expr, ...]:
    """The axes of the shape tokens ``body``, which end at offset ``end`` of ``text``."""
    start = body[0].pos
    match = match_brackets(body + [Token("end", "", end, "")], text)
    if (len(body) >= 2 and body[0].kind == "name" and body[0].value == "R"
            and body[1].kind == "op" and body[1].value == "^"):
        if len(body) > 3 and body[2].value in ("{", "(") and match.get(2) == len(body) - 1:
            start, end = _after(body[2]), body[-1].pos
            body = body[3:-1]
        else:
            start = _after(body[1])
            body = body[2:]
        match = match_brackets(body + [Token("end", "", end, "")], text)
    if body and body[0].kind == "op" and body[0].value in ("(", "[") and match.get(0) == len(body) - 1:
        start, end = _after(body[0]), body[-1].pos
        body = body[1:-1]
        match = match_brackets(body + [Token("end", "", end, "")], text)
    if not body:
        return ()
    cuts = _axis_separators(body, match)
    spans, left, first = [], start, 0
    for cut in cuts:
        spans.append((left, body[cut].pos, body[first:cut]))
        left, first = _after(body[cut]), cut + 1
    spans.append((left, end, body[first:]))
    if len(spans) > 1 and cuts[-1] == len(body) - 1 and body[-1].value == ",":
        spans.pop()                                    # trailing comma: (5,)
    sizes: list[Expr] = []
    for left, right, piece_tokens in spans:
        if not piece_tokens:
            raise NotationError("empty axis in shape", text=text, position=left, hint=_SHAPE_HINT)
        group = _axis_group(piece_tokens, text, right, names) if cuts else None
        sizes += group if group is not None else [_size(piece_tokens, text, left, right, names)]
    return tuple(sizes)


def _axis_group(tokens: list[Token], text: str, end: int, names: frozenset[str]) -> tuple[Expr, ...] | None:
    """The axes of one bracketed group '( ... )' / '[ ... ]' that holds top-level axis separators and
    reads as a shape of its own; None when it is a single size (such as '(x + 1)', whose 'x' is a name)."""
    if not (tokens[0].kind == "op" and tokens[0].value in ("(", "[")):
        return None
    match = match_brackets(tokens + [Token("end", "", end, "")], text)
    inner = tokens[1:-1]
    if match.get(0) != len(tokens) - 1 or not inner:
        return None
    inner_match = match_brackets(inner + [Token("end", "", end, "")], text)
    if not any(inner[k].kind == "sep" or (inner[k].kind == "op" and inner[k].value == ",")
               for k in _top_level(inner, inner_match)):
        return None
    try:
        return _axes(tokens, text, end, names)
    except NotationError:
        return None


def _size(tokens: list[Token], text: str, left: int, right: int, names: frozenset[str]) -> Expr:
    """One axis from its shape-mode ``tokens``; when they hold a separator inside brackets, from its
    own text re-tokenized in normal mode (there 'x2' is a name, '2 × 3' a product)."""
    if any(t.kind == "sep" for t in tokens):
        piece = [Token(t.kind, t.value, t.pos + left, t.text) for t in tokens_of(text[left:right])]
    else:
        piece = tokens + [Token("end", "", right, "")]
    if len(piece) == 1:
        raise NotationError("empty axis in shape", text=text, position=left, hint=_SHAPE_HINT)
    parser = ExpressionParser(piece, text, names)
    return parser.number_of(parser.parse_all(), piece[0])


def _after(tok: Token) -> int:
    """Offset in the text just after ``tok``."""
    return tok.pos + len(tok.text)


def _top_level(body: list[Token], match: dict[int, int]) -> list[int]:
    indices, k = [], 0
    while k < len(body):
        indices.append(k)
        k = match[k] + 1 if body[k].kind == "op" and body[k].value in CLOSERS else k + 1
    return indices


def _axis_separators(body: list[Token], match: dict[int, int]) -> list[int]:
    """Indices of the top-level separators ('x', '×', '\\times', ','), else of the top-level '*'."""
    top_level = _top_level(body, match)
    cuts = [k for k in top_level if body[k].kind == "sep" or (body[k].kind == "op" and body[k].value == ",")]
    if not cuts:
        cuts = [k for k in top_level if body[k].kind == "op" and body[k].value == "*"]
    return cuts
