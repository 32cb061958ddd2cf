"""The grader and the solver's other modules use the notation through its one public API:
``solver.notation`` itself, plus ``solver.notation.tree`` (the node types, its data)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_grader_imports_only_the_public_notation_api():
    below = {}
    for path in sorted((ROOT / "grader").rglob("*.py")):
        found = {m for m in _imports(path)
                 if (m.startswith("solver.notation.") and m != "solver.notation.tree")
                 or m.startswith("solver.elementwise")}
        if found:
            below[str(path.relative_to(ROOT))] = sorted(found)
    assert below == {}


def test_solver_outside_the_notation_imports_only_its_public_api():
    allowed = {"solver.notation.tree", "solver.notation.exact"}   # the sympy-edge evaluator wraps the exact one
    below = {}
    for path in sorted((ROOT / "solver").rglob("*.py")):
        if "notation" in path.parts:
            continue
        found = {m for m in _imports(path) if m.startswith("solver.notation.")} - allowed
        if found:
            below[str(path.relative_to(ROOT))] = sorted(found)
    assert below == {}


#: Grader modules that derive from the key with the solver's sympy arithmetic, once per key while it
#: is prepared (never while an answer is checked: tests/test_grading_builds_no_sympy.py).
KEY_SIDE = {"grader/mistakes/shapes.py"}


def test_no_sympy_in_the_grader_outside_key_preparation():
    users = {str(p.relative_to(ROOT)) for p in sorted((ROOT / "grader").rglob("*.py"))
             if any(m == "sympy" or m.startswith("sympy.") for m in _imports(p))}
    assert users <= KEY_SIDE
