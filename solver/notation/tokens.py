"""The tokenizer: math text -> a list of :class:`Token`, in one pass.

Token kinds:

* ``num``  -- an unsigned integer or decimal literal, value is its digit text ('12', '0.5');
* ``name`` -- an identifier: an ASCII letter, then letters, digits, and underscores
  that are followed by a letter or digit (``H_in``, ``k2``); ``x_{`` is ``x``, ``_``, ``{``;
* ``op``   -- an operator or bracket, value normalised (``**`` -> ``^``, ``×`` -> ``*``,
  ``≤`` -> ``<=``, ``⌊`` -> ``lfloor``, ``∂`` -> ``partial``);
* ``cmd``  -- a LaTeX command such as ``\\frac`` (value ``frac``) or ``\\,`` (value ``,``),
  translated away by :mod:`solver.notation.latex` before parsing;
* ``sep``  -- in shape mode only, an axis separator ``x``/``×``;
* superscript digits are a power: ``K²`` is ``K``, ``^``, ``2`` (``⁻¹`` gives ``^``, ``-``, ``1``);
* ``end``  -- appended once at the end.

Unicode accepted: ``× · ⋅ ∗`` (times), ``− – —`` (minus), ``÷``, ``Σ ∑`` (the name
``sum``), ``δ`` (the name ``delta``), ``ℝ`` (the name ``R``), ``⌊ ⌋ ⌈ ⌉``, ``∂``,
``≤ ≥ ≠``, ``∧ ∨`` (``and``/``or``), ``∈`` (the ``in`` of ``f ∈ R^{2x3}``), ``&`` (a
column of ``\\begin{cases}``), superscript digits, and any unicode space. ``$`` is ignored.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from solver.notation.errors import NotationError
from solver.notation.limits import MAX_NUMBER_DIGITS, MAX_TOKENS, check_text_length


class Token(NamedTuple):
    """One token: ``kind`` (see module doc), normalised ``value``, ``pos`` (char offset) and source ``text``."""

    kind: str
    value: str
    pos: int
    text: str


#: Two-character operators, tried before single characters.
_PAIRS = {"**": "^", "//": "//", "==": "==", "!=": "!=", "<=": "<=", ">=": ">="}

#: Single characters -> (kind, value).
_SINGLE = {
    "+": ("op", "+"), "-": ("op", "-"), "*": ("op", "*"), "/": ("op", "/"), "%": ("op", "%"),
    "^": ("op", "^"), "(": ("op", "("), ")": ("op", ")"), "[": ("op", "["), "]": ("op", "]"),
    "{": ("op", "{"), "}": ("op", "}"), ",": ("op", ","), "_": ("op", "_"), "=": ("op", "="),
    "<": ("op", "<"), ">": ("op", ">"), "|": ("op", "|"),
    "\u00d7": ("op", "*"), "\u00b7": ("op", "*"), "\u22c5": ("op", "*"), "\u2217": ("op", "*"),
    "\u2212": ("op", "-"), "\u2013": ("op", "-"), "\u2014": ("op", "-"), "\u00f7": ("op", "/"),
    "\u2264": ("op", "<="), "\u2a7d": ("op", "<="), "\u2265": ("op", ">="), "\u2a7e": ("op", ">="),
    "\u2260": ("op", "!="), "\u2208": ("op", "in"), "&": ("op", "&"),
    "\u230a": ("op", "lfloor"), "\u230b": ("op", "rfloor"),
    "\u2308": ("op", "lceil"), "\u2309": ("op", "rceil"), "\u2202": ("op", "partial"),
    "\u03a3": ("name", "sum"), "\u2211": ("name", "sum"), "\u03b4": ("name", "delta"),
    "\u211d": ("name", "R"), "\u2227": ("name", "and"), "\u2228": ("name", "or"),
}

#: Superscript characters -> the digit or sign they raise.
_SUPERSCRIPTS = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4", "\u2075": "5",
                 "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9", "\u207b": "-"}


_ACCEPTED = ("accepted: letters, digits, + - * / // % ^ ( ) [ ] { } , _ = < > & and "
             "\u00d7 \u00b7 \u2212 \u03a3 \u03b4 \u230a \u230b \u2308 \u2309 \u2202 \u2264 \u2265 \u2260 \u2208 \u00b2, "
             "LaTeX commands")


_NAME = r"[A-Za-z](?:[A-Za-z0-9]|_(?=[A-Za-z0-9]))*"
#: In shape mode a name stops before an 'x' that precedes a digit ('ax2' is 'a', 'x', '2').
_SHAPE_NAME = r"[A-Za-z](?:(?!x[0-9])[A-Za-z0-9]|_(?=[A-Za-z0-9]))*"
#: In shape mode an 'x' that stands alone, follows a digit or precedes a digit separates axes.
_SEPARATOR = r"x(?![A-Za-z0-9_])|(?<=[0-9])x|x(?=[0-9])"
#: One alternative per token kind, tried in order; 'bad' catches any other character.
_MASTER = (r"(?P<space>[ \t\n\r$\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+)"
           r"|(?P<sep>{separator})"
           r"|(?P<name>{name})"
           r"|(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
           r"|(?P<cmd>\\(?:[A-Za-z]+|[^\s]| ))"
           r"|(?P<pair>\*\*|//|==|!=|<=|>=)"
           r"|(?P<sup>[" + "".join(_SUPERSCRIPTS) + r"]+)"
           r"|(?P<single>[" + "".join(re.escape(ch) for ch in _SINGLE) + r"])"
           r"|(?P<bad>[\s\S])")
_TOKENS = {False: re.compile(_MASTER.replace("{separator}", "(?!)").replace("{name}", _NAME)),
           True: re.compile(_MASTER.replace("{separator}", _SEPARATOR).replace("{name}", _SHAPE_NAME))}


def tokenize(text: str, *, shape: bool = False) -> list[Token]:
    """Split ``text`` into tokens, ending with one ``end`` token.

    In shape mode an ``x`` that stands alone, follows a digit or precedes a digit
    (``4 x 5``, ``4x5``, ``1x2x3``) and ``×`` become ``sep`` tokens.
    Raises NotationError for unsupported characters, too-long numbers, too many
    tokens or too-long text.
    """
    check_text_length(text)
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKENS[shape].finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        i, piece = match.start(), match.group()
        if len(tokens) >= MAX_TOKENS:
            raise NotationError("too many tokens", text=text, position=i,
                                hint=f"at most {MAX_TOKENS} tokens are accepted")
        if kind == "name":
            append(Token("name", piece, i, piece))
        elif kind == "sep":
            append(Token("sep", "x", i, "x"))
        elif kind == "num":
            if len(piece) - ("." in piece) > MAX_NUMBER_DIGITS:
                raise NotationError("number has too many digits", text=text, position=i,
                                    hint=f"numbers of at most {MAX_NUMBER_DIGITS} digits are accepted")
            append(Token("num", piece, i, piece))
        elif kind == "cmd":
            if not piece[1].isprintable():
                raise NotationError("a backslash must start a LaTeX command", text=text, position=i,
                                    hint="LaTeX commands look like \\frac, \\cdot, \\lfloor")
            append(Token("cmd", piece[1:], i, piece))
        elif kind == "pair":
            append(Token("op", _PAIRS[piece], i, piece))
        elif kind == "sup":
            if _scan_superscript(text, i, append) != match.end():
                raise NotationError("a superscript minus must come first (e.g. K\u207b\u00b9)", text=text,
                                    position=i, hint="write K^-1")
        elif kind == "single":
            token_kind, value = _SINGLE[piece]
            if shape and piece == "\u00d7":
                token_kind, value = "sep", "x"
            append(Token(token_kind, value, i, piece))
        elif piece == "\\":
            raise NotationError("a backslash must start a LaTeX command", text=text, position=i,
                                hint="LaTeX commands look like \\frac, \\cdot, \\lfloor")
        else:
            what = "control character" if not piece.isprintable() else f"character '{piece}'"
            raise NotationError(f"unsupported {what}", text=text, position=i, hint=_ACCEPTED)
    tokens.append(Token("end", "", len(text), ""))
    return tokens


def _scan_superscript(text: str, i: int, append) -> int:
    """Append '^', an optional '-' and the digits of the superscript run at ``i``; return its end."""
    start, n = i, len(text)
    append(Token("op", "^", i, text[i]))
    if text[i] == "\u207b":
        append(Token("op", "-", i, text[i]))
        i += 1
    digits_start = i
    while i < n and text[i] in _SUPERSCRIPTS and text[i] != "\u207b":
        i += 1
    if i == digits_start or i - digits_start > MAX_NUMBER_DIGITS:
        raise NotationError("a superscript needs digits (e.g. K\u00b2)", text=text, position=start,
                            hint=f"write K^2; superscripts of at most {MAX_NUMBER_DIGITS} digits are accepted")
    digits = "".join(_SUPERSCRIPTS[c] for c in text[digits_start:i])
    append(Token("num", digits, digits_start, text[digits_start:i]))
    return i
