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
* ``\\sum \\delta \\max \\min`` -> the names ``sum delta max min``; ``\\in`` -> ``∈``;
* ``\\begin{cases} a & \\text{if } c \\\\ b & \\text{otherwise} \\end{cases}`` ->
  ``(a if c else b)``: rows are split at ``\\\\``, each row's value and condition at ``&``;
  a row whose condition is empty, ``otherwise`` or ``else`` gives the value elsewhere
  (0 when no row does); the words ``if``, ``for`` and ``when`` before a condition are
  dropped, in ``\\text{...}`` or not, and so is a comma after a value.

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
    "in": ("op", "in"), "lnot": ("name", "not"), "neg": ("name", "not"),
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
    if any(t.kind == "cmd" and t.value == "begin" for t in tokens):
        tokens = _expand_cases(tokens, text)
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


# ---- \\begin{cases} ... \\end{cases} --------------------------------------------------------------

_CONDITION_WORDS = frozenset({"if", "for", "when"})
_DEFAULT_WORDS = frozenset({"otherwise", "else"})


def _environment(tokens: list[Token], i: int, command: str) -> str | None:
    """The name of ``\\begin{name}``/``\\end{name}`` at ``i`` (``command`` is begin or end), else None."""
    if not (tokens[i].kind == "cmd" and tokens[i].value == command and i + 3 < len(tokens)):
        return None
    opener, name, closer = tokens[i + 1:i + 4]
    if opener.value == "{" and name.kind == "name" and closer.value == "}":
        return name.value
    return None


def _expand_cases(tokens: list[Token], text: str) -> list[Token]:
    """Replace each ``\\begin{cases} ... \\end{cases}`` (nested ones too) by plain ``(a if c else b)`` tokens."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        name = _environment(tokens, i, "begin")
        if name is None:
            if _environment(tokens, i, "end") is not None:
                raise NotationError("\\end without \\begin", text=text, position=tokens[i].pos)
            out.append(tokens[i])
            i += 1
            continue
        if name != "cases":
            raise NotationError(f"unknown LaTeX environment '{name}'", text=text, position=tokens[i].pos,
                                hint="\\begin{cases} ... \\end{cases} is the one environment accepted")
        end = _matching_end(tokens, i, text)
        out += _cases_tokens(tokens[i + 4:end], tokens[i], text)
        i = end + 4
    return out


def _matching_end(tokens: list[Token], begin: int, text: str) -> int:
    depth = 0
    for k in range(begin, len(tokens)):
        if _environment(tokens, k, "begin") is not None:
            depth += 1
        elif _environment(tokens, k, "end") is not None:
            depth -= 1
            if depth == 0:
                return k
    raise NotationError("\\begin{cases} needs \\end{cases}", text=text, position=tokens[begin].pos,
                        hint="write \\begin{cases} a & \\text{if } c \\\\ 0 & \\text{otherwise} \\end{cases}")


def _top_level_split(tokens: list[Token], is_separator) -> list[list[Token]]:
    """``tokens`` split at the separators that are not inside a nested environment."""
    parts, current, depth = [], [], 0
    for k, tok in enumerate(tokens):
        if _environment(tokens, k, "begin") is not None:
            depth += 1
        elif _environment(tokens, k, "end") is not None:
            depth -= 1
        if depth == 0 and is_separator(tok):
            parts.append(current)
            current = []
        else:
            current.append(tok)
    parts.append(current)
    return parts


def _cases_tokens(body: list[Token], begin: Token, text: str) -> list[Token]:
    rows = _top_level_split(body, lambda t: t.kind == "cmd" and t.value == "\\")
    pieces, default = [], None
    for row in (r for r in rows if r):
        columns = _top_level_split(row, lambda t: t.kind == "op" and t.value == "&")
        if len(columns) != 2:
            raise NotationError("each row of cases needs one '&' between its value and its condition", text=text,
                                position=row[0].pos, hint="write a & \\text{if } c")
        value, condition = _expand_cases(columns[0], text), _expand_cases(_condition_part(columns[1]), text)
        while value and value[-1].kind == "op" and value[-1].value == ",":
            value = value[:-1]
        if not value:
            raise NotationError("a row of cases has no value", text=text, position=row[0].pos)
        if not condition or (len(condition) == 1 and condition[0].value in _DEFAULT_WORDS):
            default = value
        else:
            pieces.append((value, condition))
    out: list[Token] = []
    for value, condition in pieces:
        out += [_op("(", begin), _op("(", begin), *value, _op(")", begin), _name("if", begin),
                _op("(", begin), *condition, _op(")", begin), _name("else", begin)]
    out += [_op("(", begin), *(default or [Token("num", "0", begin.pos, "0")]), _op(")", begin)]
    out += [_op(")", begin)] * len(pieces)
    return out


def _condition_part(tokens: list[Token]) -> list[Token]:
    """A row's condition without leading 'if'/'for'/'when' (bare or in \\text{...}) and trailing ',' or '.'."""
    while tokens:
        head = tokens[0]
        if head.kind == "name" and head.value in _CONDITION_WORDS:
            tokens = tokens[1:]
        elif (head.kind == "cmd" and head.value in _FONTS and len(tokens) >= 4 and tokens[1].value == "{"
              and tokens[3].value == "}" and tokens[2].kind == "name"
              and tokens[2].value in _CONDITION_WORDS | _DEFAULT_WORDS):
            if tokens[2].value in _DEFAULT_WORDS:
                return [tokens[2]]
            tokens = tokens[4:]
        elif head.kind == "cmd" and head.value in _IGNORED:
            tokens = tokens[1:]
        else:
            break
    while tokens and tokens[-1].kind == "op" and tokens[-1].value in (",", "."):
        tokens = tokens[:-1]
    return tokens


def _name(value: str, source: Token) -> Token:
    return Token("name", value, source.pos, source.text)
