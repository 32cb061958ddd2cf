"""Keys and sheets as standalone HTML pages, with every formula as MathML (no script, no network).

The Markdown page (:mod:`solver.render.markdown`) is turned into HTML by markdown-it-py after
each ``$ ... $`` and ``$$ ... $$`` is set aside, and each formula is converted by latex2mathml;
both are imported only here, when HTML is asked for. A formula latex2mathml cannot convert is an
error (:class:`MathConversionError`) rather than raw LaTeX on the page.
"""

from __future__ import annotations

import html
import re

from solver.key import AnswerKey
from solver.render.markdown import render_markdown, render_sheet_markdown

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_PLACEHOLDER = "MATHPLACEHOLDER{}X"
_STYLE = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
code{background:#f3f3f3;padding:0 .2em}blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em;color:#333}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}math[display=block]{margin:.5em 0}"""


class MathConversionError(ValueError):
    """A formula of the page that latex2mathml could not convert."""


def render_html(key: AnswerKey) -> str:
    """The answer key (with worked steps) as a standalone HTML page."""
    return page_html(render_markdown(key), f"{key.problem.title} — answer key")


def render_sheet_html(key: AnswerKey) -> str:
    """The problem sheet as a standalone HTML page."""
    return page_html(render_sheet_markdown(key), key.problem.title)


def page_html(markdown: str, title: str) -> str:
    """Markdown with ``$``-delimited LaTeX as one HTML document, the LaTeX as MathML."""
    from markdown_it import MarkdownIt

    formulas: list[tuple[str, bool]] = []

    def set_aside(match: re.Match) -> str:
        display = match.group(1) is not None
        formulas.append(((match.group(1) if display else match.group(2)).strip(), display))
        return _PLACEHOLDER.format(len(formulas) - 1)

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(_MATH.sub(set_aside, markdown))
    for number in reversed(range(len(formulas))):
        latex, display = formulas[number]
        mathml = _mathml(latex, display)
        placeholder = _PLACEHOLDER.format(number)
        if display:
            body = body.replace(f"<p>{placeholder}</p>", mathml)
        body = body.replace(placeholder, mathml)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def _mathml(latex: str, display: bool) -> str:
    from latex2mathml.converter import convert
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001 - latex2mathml raises several kinds
        raise MathConversionError(f"cannot convert the formula {latex!r} to MathML: {error}") from None
    if "<merror" in mathml:
        raise MathConversionError(f"cannot convert the formula {latex!r} to MathML")
    return mathml
