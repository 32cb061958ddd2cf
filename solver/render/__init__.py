"""Renderers of an answer key (``yaml``, ``json``, ``markdown``, ``html``) and of the problem
sheet alone (``SHEET_RENDERERS``, the same formats without answers)."""

from __future__ import annotations

from solver.render.data import render_json, render_sheet_json, render_sheet_yaml, render_yaml
from solver.render.markdown import render_markdown, render_sheet_markdown


def render_html(key) -> str:
    """The key as a standalone HTML page (markdown-it-py and latex2mathml are imported only here)."""
    from solver.render.html import render_html as render
    return render(key)


def render_sheet_html(key) -> str:
    """The sheet as a standalone HTML page."""
    from solver.render.html import render_sheet_html as render
    return render(key)


RENDERERS = {"yaml": render_yaml, "json": render_json, "markdown": render_markdown, "html": render_html}
SHEET_RENDERERS = {"yaml": render_sheet_yaml, "json": render_sheet_json, "markdown": render_sheet_markdown,
                   "html": render_sheet_html}
