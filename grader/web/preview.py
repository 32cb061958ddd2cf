"""How an answer was read, for the live preview: the parsed tree printed as MathML, or the parse
error with its position.

The answer text is read by the same readers, with the same names, as the grader's checkers
(``read_shape`` with the part's size symbols, ``read_equation`` with the upstream alias,
``read_expression``); the tree is printed as LaTeX by the project's printer and converted to
MathML by latex2mathml. latex2mathml copies ``\\text{...}`` contents without escaping them, so
its output is parsed and rebuilt from a list of MathML elements and attributes
(:func:`clean_mathml`); anything else is dropped and every text is escaped again.

:func:`read_for_preview` runs in the grader's sandbox worker (time and memory limits);
it takes and returns plain data only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from grader.checks.numeric import read_numeric
from grader.results import Check
from solver.notation import (NotationError, equation_to_latex, equation_to_text, read_equation, read_expression,
                             read_shape, shape_to_latex, shape_to_text, to_latex, to_text)

#: Items whose answer is a formula that the preview prints as math.
MATH_ITEMS = ("shape", "value", "params")
_MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_ELEMENTS = frozenset({"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot",
                       "msub", "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd",
                       "mstyle", "mpadded", "mphantom", "menclose", "mfenced"})
_ATTRIBUTES = frozenset({"display", "stretchy", "fence", "form", "separator", "mathvariant", "lspace", "rspace",
                         "width", "height", "depth", "columnalign", "rowalign", "columnspacing", "rowspacing",
                         "accent", "accentunder", "movablelimits", "largeop", "symmetric", "minsize", "maxsize",
                         "linethickness", "displaystyle", "scriptlevel", "notation", "open", "close",
                         "separators"})


@dataclass(frozen=True)
class Reading:
    """A read answer: ``mathml`` (cleaned; '' when there is none) and ``text``, the canonical echo."""

    mathml: str
    text: str


@dataclass(frozen=True)
class Unreadable:
    """An answer the parser refused: ``message``, ``position`` (a character offset in ``source``, the
    answer text, or None), ``hint``."""

    message: str
    position: int | None = None
    hint: str | None = None
    source: str | None = None


def read_for_preview(item: str, text: str, names: tuple[str, ...], aliases: tuple[tuple[str, str], ...]):
    """A Reading or an Unreadable for the answer ``text`` to ``item``; None when it is empty.

    ``names`` are the part's size symbols, ``aliases`` the equation aliases (as the checkers use).
    """
    if not text.strip():
        return None
    try:
        if item == "shape":
            shape = read_shape(text, names=names)
            return Reading(to_mathml(shape_to_latex(shape)), shape_to_text(shape))
        if item == "value":
            equation = read_equation(text, aliases=dict(aliases))
            return Reading(to_mathml(equation_to_latex(equation)), equation_to_text(equation))
        if item == "params":
            expression = read_expression(text, names=names)
            return Reading(to_mathml(to_latex(expression)), to_text(expression))
    except NotationError as error:
        return Unreadable(error.message, error.position if error.text == text else None, error.hint, text)
    if item == "numeric":
        reading = read_numeric(None, text)
        if isinstance(reading, Check):
            return Unreadable(reading.feedback)
        shape, values = reading
        size = " x ".join(map(str, shape)) if shape else "a single number"
        return Reading("", f"{size}: {len(values)} number{'s' if len(values) != 1 else ''}")
    return None


def to_mathml(latex: str) -> str:
    """The MathML of ``latex`` (the project's printer's output), cleaned; '' when it cannot be converted."""
    from latex2mathml.converter import convert
    try:
        return clean_mathml(convert(latex))
    except Exception:  # noqa: BLE001 - the canonical text is shown instead
        return ""


def clean_mathml(markup: str) -> str:
    """``markup`` rebuilt from MathML elements and presentation attributes only, with every text
    escaped; '' when it is not well-formed XML or not a ``<math>`` element."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return ""
    if _local(root.tag) != "math":
        return ""
    clean = _rebuilt(root)
    clean.set("xmlns", _MATHML_NS)
    return ET.tostring(clean, encoding="unicode", short_empty_elements=True)


def _rebuilt(node: ET.Element) -> ET.Element:
    tag = _local(node.tag)
    copy = ET.Element(tag if tag in _ELEMENTS else "mrow")
    for name, value in node.attrib.items():
        if _local(name) in _ATTRIBUTES:
            copy.set(_local(name), value)
    copy.text = node.text
    for child in node:
        rebuilt = _rebuilt(child)
        rebuilt.tail = child.tail
        copy.append(rebuilt)
    return copy


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
