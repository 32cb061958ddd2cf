"""The LaTeX subset: translate ``cmd`` tokens into the token stream of the plain grammar.

Translations (everything else is an error naming the accepted commands):

* ``\\frac{a}{b}``, ``\\dfrac``, ``\\tfrac``, ``\\cfrac`` -> ``((a)/(b))``; a derivative
  ``\\frac{\\partial f_{1,j}}{\\partial W_{1,c,k}}`` (numerator and denominator start with
  ``\\partial``/``d``) -> ``∂ f_{1,j} / ∂ W_{1,c,k}`` so the parser sees the derivative;
* ``\\left``, ``\\right``, ``\\big``..., ``\\limits``, ``\\,`` ``\\;`` ``\\!`` ``\\:`` ``\\ `` ``\\quad``
  ``\\qquad``, ``\\displaystyle`` -> nothing; ``\\left| a \\right|`` and ``\\lvert a \\rvert`` -> ``abs(a)``;
* ``\\mathbb{R}``, ``\\mathrm{..}``, ``\\operatorname{..}``, ``\\text{..}`` (and other font
  commands) -> their contents (``\\operatorname{floor}`` is the name ``floor``);
* ``\\cdot \\times \\ast`` -> ``*``, ``\\div`` -> ``/``, ``\\bmod \\mod`` -> ``%``;
  ``\\lfloor \\rfloor \\lceil \\rceil \\partial``; ``\\le \\leq \\ge \\geq \\ne \\neq \\lt \\gt``;
  ``\\land \\wedge \\lor \\vee`` -> ``and``/``or``; ``\\{ \\}`` -> ``( )``;
* ``\\sum \\delta \\max \\min`` -> the names ``sum delta max min``.

In shape mode ``\\times`` is an axis separator.
"""

from __future__ import annotations

from solver.notation.errors import NotationError
from solver.notation.tokens import Token

_IGNORED = frozenset({",", ";", "!", ":", " ", "quad", "qquad", "left", "right", "big", "Big",
                      "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
                      "limits", "displaystyle", "textstyle"})

_REPLACED = {
    "cdot": ("op", "*"), "times": ("op", "*"), "ast": ("op", "*"), "div": ("op", "/"),
    "bmod": ("op", "%"), "mod": ("op", "%"),
    "lfloor": ("op", "lfloor"), "rfloor": ("op", "rfloor"),
    "lceil": ("op", "lceil"), "rceil": ("op", "rceil"), "partial": ("op", "partial"),
    "le": ("op", "<="), "leq": ("op", "<="), "leqslant": ("op", "<="),
    "ge": ("op", ">="), "geq": ("op", ">="), "geqslant": ("op", ">="),
    "ne": ("op", "!="), "neq": ("op", "!="), "lt": ("op", "<"), "gt": ("op", ">"),
    "{": ("op", "("), "}": ("op", ")"),
    "sum": ("name", "sum"), "delta": ("name", "delta"), "max": ("name", "max"), "min": ("name", "min"),
    "land": ("name", "and"), "wedge": ("name", "and"), "lor": ("name", "or"), "vee": ("name", "or"),
}

_FONTS = frozenset({"mathbb", "mathrm", "operatorname", "text", "textrm", "textit", "mathit",
                    "mathbf", "boldsymbol", "mathsf", "mbox"})
_FRACS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})

_ACCEPTED = ("accepted LaTeX: \\frac, \\left, \\right, \\lfloor, \\rfloor, \\lceil, \\rceil, \\cdot, "
             "\\times, \\sum, \\delta, \\partial, \\le, \\ge, \\ne, \\land, \\lor, \\mathbb, "
             "\\mathrm, \\operatorname, \\text, \\max, \\min, \\bmod, spacing such as \\, and \\quad")


def translate(tokens: list[Token], text: str, *, shape: bool = False) -> list[Token]:
    """Return ``tokens`` with every ``cmd`` token replaced by plain-grammar tokens.

    Braces that belong to a command (\\frac, \\mathrm, ...) are consumed; other
    ``{ }`` pairs are kept as grouping for the parser. Raises NotationError
    for unknown commands, missing or unbalanced braces.
    """
    if not any(t.kind == "cmd" for t in tokens):
        return tokens
    match = _match_braces(tokens, text)
    on_close: dict[int, list[Token]] = {}   # index of a '}' -> tokens emitted instead of it
    dropped: set[int] = set()               # indices of '{' that a command consumed
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "op" and tok.value == "}" and i in on_close:
            out.extend(on_close.pop(i))
        elif tok.kind == "op" and tok.value == "{" and i in dropped:
            pass
        elif tok.kind != "cmd":
            out.append(tok)
        elif tok.value in _FRACS:
            numerator = _brace_after(tokens, i, match, text)
            denominator = _brace_after(tokens, match[numerator], match, text)
            dropped.update((numerator, denominator))
            if _starts_derivative(tokens[numerator + 1]) and _starts_derivative(tokens[denominator + 1]):
                on_close[match[numerator]] = [_op("/", tok)]
                on_close[match[denominator]] = []
            else:
                out += [_op("(", tok), _op("(", tok)]
                on_close[match[numerator]] = [_op(")", tok), _op("/", tok), _op("(", tok)]
                on_close[match[denominator]] = [_op(")", tok), _op(")", tok)]
        elif tok.value in _FONTS:
            group = _brace_after(tokens, i, match, text)
            dropped.add(group)
            on_close[match[group]] = []
        elif tok.value in ("left", "right", "lvert", "rvert") and _is_bar(tokens, i):
            opening = tok.value in ("left", "lvert")
            out += [Token("name", "abs", tok.pos, tok.text), _op("(", tok)] if opening else [_op(")", tok)]
            if tok.value in ("left", "right"):
                i += 1   # the '|' after \left / \right
        elif tok.value in _IGNORED:
            pass
        elif shape and tok.value == "times":
            out.append(Token("sep", "x", tok.pos, tok.text))
        elif tok.value in _REPLACED:
            kind, value = _REPLACED[tok.value]
            out.append(Token(kind, value, tok.pos, tok.text))
        else:
            raise NotationError(f"unknown LaTeX command '\\{tok.value}'", text=text, position=tok.pos,
                                hint=_ACCEPTED)
        i += 1
    return out


def _op(value: str, source: Token) -> Token:
    return Token("op", value, source.pos, source.text)


def _is_bar(tokens: list[Token], i: int) -> bool:
    """True for \\lvert / \\rvert, and for \\left / \\right followed by '|'."""
    if tokens[i].value in ("lvert", "rvert"):
        return True
    nxt = tokens[i + 1]
    return nxt.kind == "op" and nxt.value == "|"


def _starts_derivative(tok: Token) -> bool:
    """True when a \\frac group starts like a derivative: \\partial, ∂, 'd' or 'd<name>'."""
    if tok.value == "partial" and tok.kind in ("op", "cmd"):
        return True
    return tok.kind == "name" and tok.value.startswith("d") and tok.value not in ("delta",)


def _brace_after(tokens: list[Token], i: int, match: dict[int, int], text: str) -> int:
    """Index of the '{' right after token ``i``; NotationError when there is none."""
    nxt = tokens[i + 1]
    if nxt.kind == "op" and nxt.value == "{":
        return i + 1
    cmd = tokens[i] if tokens[i].kind == "cmd" else None
    what = f"'\\{cmd.value}'" if cmd else "\\frac"
    raise NotationError(f"{what} needs a group in braces here", text=text, position=nxt.pos,
                        hint="write e.g. \\frac{a}{b} or \\mathrm{in}")


def _match_braces(tokens: list[Token], text: str) -> dict[int, int]:
    """Map each '{' index to the index of its matching '}'; NotationError when unbalanced."""
    match: dict[int, int] = {}
    stack: list[int] = []
    for index, tok in enumerate(tokens):
        if tok.kind != "op":
            continue
        if tok.value == "{":
            stack.append(index)
        elif tok.value == "}":
            if not stack:
                raise NotationError("unbalanced '}'", text=text, position=tok.pos,
                                    hint="every '}' needs an opening '{'")
            match[stack.pop()] = index
    if stack:
        raise NotationError("unbalanced '{'", text=text, position=tokens[stack[-1]].pos,
                            hint="every '{' needs a closing '}'")
    return match
