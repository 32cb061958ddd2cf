"""Renderers of an answer key: ``yaml``, ``json`` and ``markdown``."""

from __future__ import annotations

from solver.render.data import render_json, render_yaml
from solver.render.markdown import render_markdown

RENDERERS = {"yaml": render_yaml, "json": render_json, "markdown": render_markdown}
