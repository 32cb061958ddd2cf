"""Typed answers held by an answer key; each knows its plain data form.

The grader compares a student's answer with the fields of these objects;
renderers print ``to_data()`` (plain data for YAML/JSON: ints, strings in the
notation the grader reads, nested lists) or ``to_latex()`` (Markdown).
Every answer class has both methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from solver.layers import Dim
from solver.notation import (IndexEquation, equation_from_sympy, equation_to_latex, equation_to_text, from_sympy,
                             shape_to_latex, to_latex, to_text, tree)


def dim_data(value: Dim) -> int | str:
    """An int stays an int; a sympy expression becomes its plain-text form."""
    return value if isinstance(value, int) else to_text(value)


@dataclass(frozen=True)
class ShapeAnswer:
    """A tensor dimension such as 4 x 5 or F x (floor(...) + 1) x ..."""

    shape: tuple[Dim, ...]

    @cached_property
    def trees(self) -> tuple[tree.Expr, ...]:
        """Each axis size as the project's tree (converted from sympy once)."""
        return tuple(from_sympy(d) for d in self.shape)

    def to_data(self) -> list:
        return [d if isinstance(d, int) else to_text(t) for d, t in zip(self.shape, self.trees)]

    def to_latex(self) -> str:
        return shape_to_latex(self.trees)


@dataclass(frozen=True)
class CountAnswer:
    """A single number or formula, e.g. a parameter count."""

    value: Dim

    @cached_property
    def tree(self) -> tree.Expr:
        """The value as the project's tree (converted from sympy once)."""
        return from_sympy(self.value)

    def to_data(self) -> int | str:
        return self.value if isinstance(self.value, int) else to_text(self.tree)

    def to_latex(self) -> str:
        return str(self.value) if isinstance(self.value, int) else to_latex(self.tree)


@dataclass(frozen=True)
class IndexAnswer:
    """An element-wise expression ``lhs = rhs`` with what is needed to check it.

    ``ranges`` maps each free left-hand-side index name to its inclusive
    (first, last) values; ``tensors`` maps tensor names to their shapes;
    ``base`` is the first index of every tensor. For a layer given with
    symbolic sizes, ``last`` and the shapes are sympy expressions in the
    ``sizes`` (the size symbols' names, which the expression may use too) and
    the answer holds at every valid integer assignment of them.
    """

    equation: IndexEquation
    ranges: tuple[tuple[str, int, Dim], ...]
    tensors: tuple[tuple[str, tuple[Dim, ...]], ...]
    base: int
    sizes: tuple[str, ...] = ()

    @cached_property
    def tree(self) -> tree.Equation:
        """The equation as the project's tree (converted from sympy once)."""
        return equation_from_sympy(self.equation)

    @cached_property
    def range_trees(self) -> tuple[tuple[str, int, tree.Expr], ...]:
        """``ranges`` with each last value as the project's tree."""
        return tuple((name, first, from_sympy(last)) for name, first, last in self.ranges)

    @cached_property
    def shape_trees(self) -> tuple[tuple[str, tuple[tree.Expr, ...]], ...]:
        """``tensors`` with each axis size as the project's tree."""
        return tuple((name, tuple(from_sympy(d) for d in shape)) for name, shape in self.tensors)

    def to_data(self) -> str:
        return equation_to_text(self.tree)

    def to_latex(self) -> str:
        return equation_to_latex(self.tree)


@dataclass(frozen=True, eq=False)
class NumericAnswer:
    """A concrete tensor (nested lists in the key)."""

    array: np.ndarray

    def to_data(self) -> list | float | int:
        return _plain(self.array)

    def to_latex(self) -> str:
        return f"`{self.to_data()}`"


@dataclass(frozen=True)
class TextAnswer:
    """A reference explanation written by the instructor (graded by hand)."""

    text: str

    def to_data(self) -> str:
        return self.text

    def to_latex(self) -> str:
        return self.text


@dataclass(frozen=True)
class TableAnswer:
    """A network summary: one row per layer (plain data cells) and a total row.

    ``cells`` holds the same rows with answer objects where the grader compares
    values (a ShapeAnswer or CountAnswer; None where the row has no such cell).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    cells: tuple[tuple, ...] = ()

    def to_data(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_latex(self) -> str:
        lines = ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(cells) + " |" for cells in self._cells()]
        return "\n".join(lines)

    def to_text(self) -> str:
        """The table as aligned plain-text columns, header first."""
        table = [list(self.columns), *self._cells()]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.columns))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                         for row in table)

    def _cells(self) -> list[list[str]]:
        return [[" x ".join(map(str, v)) if isinstance(v, list) else str(v) for v in row]
                for row in self.rows]


def _plain(array: np.ndarray):
    """Nested lists with integral floats shown as ints (exact keys for integer data)."""
    if array.ndim == 0:
        value = float(array)
        return int(value) if value.is_integer() else value
    return [_plain(item) for item in array]
