"""HTML keys and sheets: standalone pages whose every formula is MathML (no raw LaTeX left)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from solver.key import build_key
from solver.render import RENDERERS, SHEET_RENDERERS
from solver.spec.loading import load_problem, load_problem_text

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))
#: What LaTeX looks like when it is left as text: a command or a dollar (the instructors' prompts
#: write plain-text math such as R^{1x2x3}, which is their text, not a formula of the key).
RAW_LATEX = re.compile(r"\\[A-Za-z]+|\$")


class _Page(HTMLParser):
    """Collects the text outside <math>, the number of <math> elements, external references."""

    def __init__(self):
        super().__init__()
        self.depth, self.maths, self.outside, self.external = 0, 0, [], []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "math":
            self.maths += 1
            self.depth += 1
        for name, value in attrs:
            if name in ("src", "href") and value and "//" in value:
                self.external.append(value)

    def handle_endtag(self, tag):
        if tag == "math":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0:
            self.outside.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", ["key", "sheet"])
def test_every_formula_is_mathml(spec, kind):
    key = build_key(load_problem(spec))
    markdown = (RENDERERS if kind == "key" else SHEET_RENDERERS)["markdown"](key)
    text = (RENDERERS if kind == "key" else SHEET_RENDERERS)["html"](key)
    page = _parse(text)
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text and page.external == []
    assert page.maths == markdown.count("$$") // 2 + (markdown.count("$") - markdown.count("$$") * 2) // 2
    leftover = [chunk for chunk in page.outside if RAW_LATEX.search(chunk)]
    assert leftover == []
    assert "merror" not in text


def test_the_seed_key_shows_the_worked_steps_and_the_sheet_no_answer():
    key = build_key(load_problem(ROOT / "problems/cnn/q1_1.yaml"))
    text = RENDERERS["html"](key)
    assert "<mn>4</mn><mo>&#x000D7;</mo><mn>5</mn>" in text          # (a)'s 4 x 5, as MathML
    page = _parse(text)
    words = "".join(page.outside)
    assert "Worked (shape)" in words and "uses x[c, 1..3]" in words
    sheet = SHEET_RENDERERS["html"](key)
    assert "Worked" not in sheet and "reference" not in sheet and "4 \\times 5" not in sheet
    assert "<mn>4</mn><mo>&#x000D7;</mo><mn>5</mn>" not in sheet and "Cross-correlation".lower() in sheet.lower()


def test_a_formula_that_cannot_convert_is_an_error_not_raw_latex():
    from solver.render.html import MathConversionError, page_html
    with pytest.raises(MathConversionError):
        page_html("bad: $\\frac{1}{$", "t")
    assert "<math" in page_html("good: $x_{1}$", "t")
