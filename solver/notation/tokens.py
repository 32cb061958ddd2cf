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

from dataclasses import dataclass

from solver.notation.errors import NotationError
from solver.notation.limits import MAX_NUMBER_DIGITS, MAX_TOKENS, check_text_length


@dataclass(frozen=True, slots=True)
class Token:
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

#: Zero-width characters treated as spaces (str.isspace() misses them).
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

_ACCEPTED = ("accepted: letters, digits, + - * / // % ^ ( ) [ ] { } , _ = < > & and "
             "\u00d7 \u00b7 \u2212 \u03a3 \u03b4 \u230a \u230b \u2308 \u2309 \u2202 \u2264 \u2265 \u2260 \u2208 \u00b2, "
             "LaTeX commands")


def _is_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_alnum(ch: str) -> bool:
    return _is_letter(ch) or _is_digit(ch)


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
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n\r$" or ch in _ZERO_WIDTH or (ch >= "\u00a0" and ch.isspace()):
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise NotationError("too many tokens", text=text, position=i,
                                hint=f"at most {MAX_TOKENS} tokens are accepted")
        start = i
        if _is_letter(ch):
            if shape and ch == "x" and _shape_separator(text, i):
                append(Token("sep", "x", i, "x"))
                i += 1
                continue
            i += 1
            while i < n:
                c = text[i]
                if shape and c == "x" and i + 1 < n and _is_digit(text[i + 1]):
                    break
                if _is_alnum(c) or (c == "_" and i + 1 < n and _is_alnum(text[i + 1])):
                    i += 1
                else:
                    break
            append(Token("name", text[start:i], start, text[start:i]))
        elif _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            i = _scan_number(text, i)
            literal = text[start:i]
            if sum(_is_digit(c) for c in literal) > MAX_NUMBER_DIGITS:
                raise NotationError("number has too many digits", text=text, position=start,
                                    hint=f"numbers of at most {MAX_NUMBER_DIGITS} digits are accepted")
            append(Token("num", literal, start, literal))
        elif ch == "\\":
            i = _scan_command(text, i)
            append(Token("cmd", text[start + 1:i], start, text[start:i]))
        elif text[i:i + 2] in _PAIRS:
            append(Token("op", _PAIRS[text[i:i + 2]], start, text[i:i + 2]))
            i += 2
        elif ch in _SUPERSCRIPTS:
            i = _scan_superscript(text, i, append)
        elif ch in _SINGLE:
            kind, value = _SINGLE[ch]
            if shape and ch == "\u00d7":
                kind, value = "sep", "x"
            append(Token(kind, value, start, ch))
            i += 1
        else:
            what = "control character" if not ch.isprintable() else f"character '{ch}'"
            raise NotationError(f"unsupported {what}", text=text, position=i, hint=_ACCEPTED)
    tokens.append(Token("end", "", n, ""))
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


def _shape_separator(text: str, i: int) -> bool:
    """True when the 'x' at ``i`` separates axes: alone, after a digit, or before a digit."""
    after = text[i + 1] if i + 1 < len(text) else ""
    before = text[i - 1] if i > 0 else ""
    alone = not (_is_alnum(after) or after == "_")
    return alone or _is_digit(before) or _is_digit(after)


def _scan_number(text: str, i: int) -> int:
    """End offset of the number literal starting at ``i``: digits, optionally '.' and digits."""
    n = len(text)
    while i < n and _is_digit(text[i]):
        i += 1
    if i < n and text[i] == "." and i + 1 < n and _is_digit(text[i + 1]):
        i += 1
        while i < n and _is_digit(text[i]):
            i += 1
    return i


def _scan_command(text: str, i: int) -> int:
    """End offset of the LaTeX command starting at the backslash ``i``: letters, or one other character."""
    n = len(text)
    j = i + 1
    if j < n and _is_letter(text[j]):
        while j < n and _is_letter(text[j]):
            j += 1
        return j
    if j < n and text[j].isprintable() and not text[j].isspace():
        return j + 1
    if j < n and text[j] == " ":
        return j + 1
    raise NotationError("a backslash must start a LaTeX command", text=text, position=i,
                        hint="LaTeX commands look like \\frac, \\cdot, \\lfloor")
