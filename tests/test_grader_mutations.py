"""Mutation tests: machine-made wrong answers must be graded incorrect.

For every answer key under problems/, every shape, index-expression and
count answer is mutated (grader.mutations). A mutant is kept only when an
independent check written here proves it differs from the key:

* index equations: both right-hand sides are expanded with explicit Python
  loops over every sum at every left-hand-side index value in range, entries
  outside a tensor (or at a non-integer index) replaced by 0, and the
  difference expanded exactly as a polynomial in the tensor entries;
* formulas (symbolic shape entries, counts): exact rational evaluation with
  numpy int64 pairs on the whole grid of assignments with every symbol in
  0..GRID_TOP that satisfies the part's domain relations;
* numbers: plain comparison.

Mutants are trees (solver.notation.tree); for these proofs they are turned
into sympy with ``to_sympy`` (the test is an edge) and compared with the
key's own sympy form. Each kept mutant is printed with the project's
printers and graded as a student's text; a separate test checks that every
mutant of every key prints and reads back to an equal tree.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy

from grader import mutations
from grader.grading import Grader
from grader.mutations import Mutant, answer_mutants, equation_mutants, expression_mutants, shape_mutants
from grader.results import INCORRECT
from grader.submission import submission_from_data
from solver.answers import CountAnswer, IndexAnswer, ShapeAnswer, TextAnswer
from solver.key import build_key
from solver.notation import (equation_to_latex, equation_to_text, index_symbol, read_equation, read_expression,
                             read_shape, shape_to_latex, shape_to_text, to_latex, to_sympy, to_text, tree)
from solver.spec.loading import load_problem

PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
SPECS = sorted(PROBLEMS.rglob("*.yaml"))
GRID_TOP = 4                     # every symbol takes the values 0..GRID_TOP
MIN_PER_ANSWER = 20              # index expressions and shapes with symbols
MIN_PER_NUMERIC_SHAPE = 8
#: A one-axis answer (a jump, a padding, a vector's length) has fewer possible mistakes.
MIN_PER_ONE_AXIS_FORMULA = 8
MIN_PER_ONE_AXIS_NUMBER = 3
MIN_PER_KEY = 20
#: A bias Jacobian delta(o, p) has three local mistakes: the delta dropped, p shifted by +-1.
MIN_PER_LONE_DELTA = 3
#: Size assignments at which a symbolic-size index expression's mutants are proven wrong, and
#: the tensor entries each may have (the explicit expansion below is slow).
ORACLE_SIZE_POINTS = 4
ORACLE_MAX_ENTRIES = 60
#: Truly wrong mutants per spec when the engine rewrote sympy objects (e7ab392); the tree engine
#: must find at least as many.
MIN_TRULY_WRONG = {"conv_numeric": 375, "network_summary": 72, "q1_1": 335}


# --- the engine on hand-written inputs ------------------------------------------------------

def E(text: str) -> tree.Expr:
    """A hand-written expected tree, read from its text."""
    return read_expression(text)


def _values(mutants: list[Mutant]) -> dict:
    return {m.value: m.kind for m in mutants}


def test_expression_mutants_contain_the_classic_shape_mistakes():
    formula = E("floor((H - K)/S) + 1")
    found = _values(expression_mutants(formula))
    expected = {
        E("floor((H - K)/S)"): "drop_term",                  # forgot the +1
        E("(H - K)/S + 1"): "floor_to_plain",
        E("ceil((H - K)/S) + 1"): "floor_to_ceil",
        E("floor(H - K) + 1"): "drop_divisor",               # stride ignored
        E("floor((H - K)/S) + 2"): "constant",
        E("floor((H - K + 1)/S) + 1"): "constant",
        E("floor((H + K)/S) + 1"): "sign",
        E("floor((H - 2*K)/S) + 1"): "coefficient",
        E("floor((2*H - K)/S) + 1"): "coefficient",
        E("floor(H/S) + 1"): "drop_term",
    }
    for value, kind in expected.items():
        assert found.get(value) == kind, (value, kind, found.get(value))
    assert formula not in found


def test_expression_mutants_are_built_from_explicit_nodes():
    # floor((H - K)/S) + 1 written node by node, so that this test does not rest on the parser.
    H, K, S = tree.Sym("H"), tree.Sym("K"), tree.Sym("S")
    difference = tree.Add((H, tree.Neg(K)))
    formula = tree.Add((tree.Floor(tree.Div(difference, S)), tree.Num(1)))
    found = _values(expression_mutants(formula))
    assert found[tree.Add((tree.Floor(tree.Div(difference, S)), tree.Num(2)))] == "constant"
    assert found[tree.Floor(tree.Div(difference, S))] == "drop_term"
    assert found[tree.Add((tree.Floor(tree.Div(tree.Add((H, tree.Neg(K), tree.Num(1))), S)),
                           tree.Num(1)))] == "constant"
    assert found[tree.Add((tree.Floor(tree.Div(tree.Add((H, tree.Neg(tree.Mul((tree.Num(2), K))))), S)),
                           tree.Num(1)))] == "coefficient"
    assert found[tree.Add((tree.Floor(difference), tree.Num(1)))] == "drop_divisor"


def test_expression_mutants_are_deterministic_and_unique():
    formula = E("floor((H + 2*P - K)/S) + 1")
    first, second = expression_mutants(formula), expression_mutants(formula)
    assert first == second
    values = [m.value for m in first]
    assert len(values) == len(set(values))
    assert all(isinstance(v, tree.Expr) for v in values)
    # P taken as 0 is the forgotten padding, folded to a clean formula; S = 0 divides by zero, so is left out.
    found = _values(first)
    assert found[E("floor((H - K)/S) + 1")] == "drop_term"       # also P = 0; the first rule keeps it
    assert found[E("floor((H - K + 2)/S) + 1")] == "drop_factor"  # also P = 1; the constant goes last
    # H = 0, K = 0, P = 0 repeat a dropped term, P = 1 a dropped factor, S = 1 the dropped division;
    # S = 0 divides by zero.
    assert [m.description for m in first if m.kind == "ignored_symbol"] == ["took H = 1 (left H out)",
                                                                            "took K = 1 (left K out)"]
    assert not any(isinstance(n, tree.Div) and n.denominator == tree.Num(0)
                   for v in values for n in tree.walk(v))


def test_expression_mutants_fold_what_they_build():
    found = _values(expression_mutants(E("D*(K - 1) + 1")))
    assert found[E("K")] == "drop_factor"                        # D dropped: (K - 1) + 1 is K
    assert found[E("D + 1")] == "drop_factor"
    assert found[E("D*K + 1")] == "drop_term"
    assert found[E("-D + 1")] == "drop_term"                     # K dropped: D*(-1) + 1 is -D + 1
    assert found[E("D*(K - 2) + 1")] == "constant"
    assert found[E("D*(K - 1) + 2")] == "constant"
    assert found[E("1")] == "drop_term"
    assert found[E("D*(-K - 1) + 1")] == "sign"
    assert found[E("D*(2*K - 1) + 1")] == "coefficient"
    assert len(found) == 11                                       # D or K taken as 0 or 1 repeats these


def test_expression_mutants_take_a_symbol_as_one_or_zero():
    found = _values(expression_mutants(E("floor((H + 2*P - D*(K - 1) - 1)/S) + 1")))
    assert found[E("floor((2*P - D*(K - 1))/S) + 1")] == "ignored_symbol"      # H = 1: 1 - 1 folds away
    assert found[E("floor((H - D*(K - 1) - 1)/S) + 1")] == "drop_term"         # also P = 0
    assert found[E("floor((H + 2*P - 1)/S) + 1")] == "drop_term"               # also D = 0 or K = 1


def test_expression_mutants_never_repeat_a_reordering():
    formula = E("x[j + k - 1]")
    values = [m.value for m in expression_mutants(formula)]
    assert E("x[k + j - 1]") not in values                       # j and k exchanged: the same index
    assert E("x[k + k - 1]") in values and E("x[j + j - 1]") in values


def test_expression_mutants_of_a_number():
    assert [m.value for m in expression_mutants(tree.Num(40))] == [tree.Num(41), tree.Num(39)]


def test_equation_mutants_change_sums_and_indices():
    eq = read_equation("f[j] = Sum(W[k]*x[j + k - 1], (k, 1, 3))")
    mutants = equation_mutants(eq, ranges=(("j", 1, 3),))
    assert all(isinstance(m.value, tree.Equation) for m in mutants)
    assert all(m.value.of == eq.of and m.value.wrt is None for m in mutants)
    found = {m.value.rhs: m.kind for m in mutants}
    expected = {
        "Sum(W[k]*x[j + k - 1], (k, 2, 3))": "sum_bounds",
        "Sum(W[k]*x[j + k - 1], (k, 1, 2))": "sum_bounds",
        "Sum(W[k]*x[j + k - 1], (k, 1, 4))": "sum_bounds",
        "W[1]*x[j]": "drop_sum",                                       # j + 1 - 1 folds to j
        "Sum(W[4 - k]*x[j + k - 1], (k, 1, 3))": "flip_kernel",       # convolution
        "Sum(W[k]*x[j - k + 3], (k, 1, 3))": "flip_kernel",           # j + (4 - k) - 1
        "Sum(W[k]*x[j + k], (k, 1, 3))": "off_by_one",
        "Sum(W[k]*x[j + k - 2], (k, 1, 3))": "off_by_one",
        "Sum(W[k]*x[k - 1], (k, 1, 3))": "drop_term",
        "Sum(x[j + k - 1], (k, 1, 3))": "drop_factor",
        "Sum(W[k]*x[k + k - 1], (k, 1, 3))": "wrong_index",
        "Sum(W[k]*x[j + 2*k - 1], (k, 1, 3))": "coefficient",
        "Sum(W[k]*x[-j + k + 3], (k, 1, 3))": "flip_kernel",          # free index j flipped: 4 - j
    }
    for text, kind in expected.items():
        assert found.get(E(text)) == kind, (text, kind, found.get(E(text)))
    assert eq.rhs not in found
    assert len(found) == len(mutants)


def test_equation_mutants_swap_different_indices_of_one_entry():
    eq = read_equation("f[c, j] = x[c, 2*j]")
    found = {m.value.rhs: m.kind for m in equation_mutants(eq)}
    assert found[E("x[2*j, c]")] == "swap_indices"
    assert found[E("x[j, 2*c]")] == "swap_indices"


def test_shape_mutants_of_a_numeric_shape_by_hand():
    found = _values(shape_mutants((tree.Num(4), tree.Num(5))))
    as_ints = {tuple(e.value for e in shape) for shape in found}
    assert as_ints == {
        (5, 5), (3, 5), (6, 5), (2, 5), (4, 6), (4, 4), (4, 7), (4, 3),   # entries +-1, +-2
        (5, 4),                                                           # swapped
        (5,), (4,),                                                       # an axis dropped
        (1, 4, 5), (4, 1, 5), (4, 5, 1),                                  # an axis of 1 added
        (4, 4, 5), (4, 5, 5),                                             # an axis repeated
        (20,),                                                            # axes merged
    }
    assert len(as_ints) == len(found)
    assert all(isinstance(e, tree.Num) and isinstance(e.value, int) for shape in found for e in shape)


def test_shape_mutants_of_a_symbolic_shape_by_hand():
    found = _values(shape_mutants((E("F"), E("H - K + 1"))))
    assert found[(E("F"), E("H - K + 2"))] == "constant"
    assert found[(E("F"), E("H - K + 3"))] == "off_by_two"
    assert found[(E("F + 1"), E("H - K + 1"))] == "off_by_one"
    assert found[(E("H - K + 1"), E("F"))] == "swap_axes"
    assert found[(E("F*(H - K + 1)"),)] == "merge_axes"
    assert found[(E("F"), E("1"), E("H - K + 1"))] == "add_axis"
    assert found[(E("0"), E("H - K + 1"))] == "ignored_symbol"       # F = 0: an axis of size 0


def test_shape_mutants_keep_numeric_entries_positive():
    assert all(all(e.value >= 1 for e in m.value) for m in shape_mutants((tree.Num(1), tree.Num(2))))


def test_answer_mutants_dispatch_on_the_answer_type():
    assert [m.value for m in answer_mutants(CountAnswer(40))] == [tree.Num(41), tree.Num(39)]
    assert answer_mutants(TextAnswer("why")) == []
    assert _values(answer_mutants(ShapeAnswer((4, 5)))) == _values(shape_mutants((tree.Num(4), tree.Num(5))))


def test_the_engine_builds_no_sympy_object(monkeypatch):
    answers = [answer for spec in SPECS for part_key in build_key(load_problem(spec)).parts
               for _, answer in part_key.answers
               if isinstance(answer, (ShapeAnswer, IndexAnswer, CountAnswer))]
    for answer in answers:                      # the answers convert their sympy keys once, here
        getattr(answer, "trees" if isinstance(answer, ShapeAnswer) else "tree")
        if isinstance(answer, IndexAnswer):
            answer.range_trees
    built = []
    original = sympy.Basic.__new__

    def counting(cls, *args, **kwargs):
        built.append(cls.__name__)
        return original(cls, *args, **kwargs)
    monkeypatch.setattr(sympy.Basic, "__new__", counting)
    total = sum(len(answer_mutants(answer)) for answer in answers)
    monkeypatch.undo()
    assert total > 0 and built == []
    source = Path(mutations.__file__).read_text()
    assert "sympy" not in "".join(line for line in source.splitlines() if "import" in line)


# --- independent oracles --------------------------------------------------------------------

def _explicit(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` (no free index left) with every Sum written out by a Python loop (empty -> 0)."""
    if isinstance(expr, sympy.Sum):
        body, limits = expr.function, expr.limits
        var, lo, hi = limits[-1]                    # the last limit is the outermost sum
        inner = limits[:-1]
        total = sympy.Integer(0)
        for value in range(int(lo), int(hi) + 1):
            term = body.xreplace({var: value})
            inner_here = [(s, a.xreplace({var: value}), b.xreplace({var: value}))
                          for s, a, b in inner]
            total += _explicit(sympy.Sum(term, *inner_here) if inner_here else term)
        return total
    if isinstance(expr, (sympy.Atom, sympy.IndexedBase)) or not expr.args:
        return expr
    return expr.func(*(_explicit(arg) for arg in expr.args))


def _zero_outside(expr: sympy.Basic, shapes: dict, base: int) -> sympy.Basic:
    """Entries at a non-integer index or outside their tensor replaced by 0."""
    zero = {}
    for entry in expr.atoms(sympy.Indexed):
        shape = shapes[entry.base.label.name]
        assert len(entry.indices) == len(shape), entry
        inside = all(i.is_Integer and base <= int(i) <= base + n - 1
                     for i, n in zip(entry.indices, shape))
        if not inside:
            zero[entry] = 0
    return expr.xreplace(zero)


class IndexOracle:
    """Exact values of right-hand sides of one IndexAnswer at every left-hand-side point."""

    def __init__(self, answer: IndexAnswer):
        self.shapes = dict(answer.tensors)
        self.base = answer.base
        names = [name for name, _, _ in answer.ranges]
        grids = [range(lo, hi + 1) for _, lo, hi in answer.ranges]
        self.points = [{index_symbol(n): sympy.Integer(v) for n, v in zip(names, values)}
                       for values in itertools.product(*grids)]
        self.bound = {index_symbol(n) for n in names}
        self.key_values = [self._value(answer.equation.rhs, p) for p in self.points]

    def _value(self, rhs: sympy.Basic, point: dict) -> sympy.Expr:
        value = _zero_outside(_explicit(rhs.xreplace(point)), self.shapes, self.base)
        value = sympy.expand(value)
        entries = value.atoms(sympy.Indexed)
        loose = value.free_symbols - entries - {e.base.label for e in entries}
        loose -= {sympy.Symbol(n, integer=True) for n, shape in self.shapes.items() if shape == ()}
        assert not loose, f"{rhs} leaves {loose} free"
        return value

    def differs(self, rhs: sympy.Basic) -> bool:
        return any(sympy.expand(self._value(rhs, p) - want) != 0
                   for p, want in zip(self.points, self.key_values))


class SymbolicIndexOracle:
    """For an IndexAnswer of a layer with symbolic sizes: an :class:`IndexOracle` at each of
    ORACLE_SIZE_POINTS assignments of the sizes, drawn from the whole grid of assignments with
    every symbol in 0..GRID_TOP that satisfies the part's domain (not from the grader's choice of
    cases) and whose tensors have at most ORACLE_MAX_ENTRIES entries."""

    def __init__(self, answer: IndexAnswer, domain):
        grid = FormulaGrid(domain)
        names = [symbol.name for symbol in grid.symbols]
        self.oracles = []
        for row in np.random.default_rng(0).permutation(grid.size):        # a random order of the grid
            sizes = {name: int(grid.columns[symbol][row]) for name, symbol in zip(names, grid.symbols)}
            concrete = _concrete(answer, sizes)
            if concrete is not None and sum(int(np.prod(shape)) for _, shape in concrete.tensors) \
                    <= ORACLE_MAX_ENTRIES:
                self.oracles.append((sizes, IndexOracle(concrete)))
                if len(self.oracles) == ORACLE_SIZE_POINTS:
                    break
        assert self.oracles, "no small valid size assignment"

    def differs(self, rhs: sympy.Basic) -> bool:
        return any(oracle.differs(_put(rhs, sizes)) for sizes, oracle in self.oracles)


def _put(expr, sizes: dict):
    """``expr`` with the size symbols (by name) replaced by their values."""
    if isinstance(expr, int):
        return sympy.Integer(expr)
    return expr.xreplace({s: sympy.Integer(sizes[s.name]) for s in expr.free_symbols
                          if isinstance(s, sympy.Symbol) and s.name in sizes})


def _concrete(answer: IndexAnswer, sizes: dict) -> IndexAnswer | None:
    """``answer`` with the sizes put in (None where a range or shape is not a positive integer)."""
    from dataclasses import replace
    from solver.notation import IndexEquation, TensorRef
    ranges = tuple((name, lo, _put(hi, sizes)) for name, lo, hi in answer.ranges)
    tensors = tuple((name, tuple(_put(d, sizes) for d in shape)) for name, shape in answer.tensors)
    numbers = [hi for _, _, hi in ranges] + [d for _, shape in tensors for d in shape]
    if not all(n.is_Integer for n in numbers) or any(int(d) < 1 for _, shape in tensors for d in shape) \
            or any(int(hi) < lo for _, lo, hi in ranges):
        return None
    eq = answer.equation
    refs = [None if r is None else TensorRef(r.name, tuple(_put(i, sizes) for i in r.indices))
            for r in (eq.of, eq.wrt)]
    equation = IndexEquation(refs[0], refs[1], _put(eq.rhs, sizes))
    return replace(answer, equation=equation, sizes=(),
                   ranges=tuple((name, lo, int(hi)) for name, lo, hi in ranges),
                   tensors=tuple((name, tuple(int(d) for d in shape)) for name, shape in tensors))


class FormulaGrid:
    """Every assignment of the part's symbols in 0..GRID_TOP satisfying its domain relations."""

    def __init__(self, domain):
        self.symbols = tuple(domain.symbols)
        if self.symbols:
            axes = np.indices((GRID_TOP + 1,) * len(self.symbols)).reshape(len(self.symbols), -1)
            columns = {s: axes[i].astype(np.int64) for i, s in enumerate(self.symbols)}
            keep = np.ones(axes.shape[1], dtype=bool)
            for relation in domain.relations():
                holds, undefined = _truth(relation, columns)
                keep &= holds & ~undefined
            self.columns = {s: col[keep] for s, col in columns.items()}
            self.size = int(keep.sum())
        else:
            self.columns, self.size = {}, 1
        assert self.size > 0

    def differs(self, expected, found) -> bool:
        n1, d1, bad1 = _rational(sympy.Integer(expected) if isinstance(expected, int) else expected,
                                 self.columns, self.size)
        n2, d2, bad2 = _rational(sympy.Integer(found) if isinstance(found, int) else found,
                                 self.columns, self.size)
        assert not bad1.any(), f"the key {expected} is undefined on its own domain"
        return bool((bad2 | (n1 * d2 != n2 * d1)).any())


def _rational(expr, cols, size):
    """(numerator, denominator > 0, undefined mask) of ``expr`` at every grid point, exactly."""
    ones = np.ones(size, dtype=np.int64)
    clean = np.zeros(size, dtype=bool)
    if expr.is_Integer:
        return int(expr) * ones, ones, clean
    if expr.is_Rational:
        return int(expr.p) * ones, int(expr.q) * ones, clean
    if isinstance(expr, sympy.Symbol):
        return cols[expr].copy(), ones, clean
    if isinstance(expr, (sympy.Add, sympy.Mul)):
        num, den, bad = _rational(expr.args[0], cols, size)
        for arg in expr.args[1:]:
            n, d, b = _rational(arg, cols, size)
            if isinstance(expr, sympy.Add):
                num, den = num * d + n * den, den * d
            else:
                num, den = num * n, den * d
            num, den, bad = *_reduce(num, den), bad | b
        return num, den, bad
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        n, d, bad = _rational(expr.base, cols, size)
        e = int(expr.exp)
        if e < 0:
            n, d, e = d, n, -e
            bad = bad | (d == 0)
            d = np.where(d == 0, 1, d)
            n, d = np.where(d < 0, -n, n), np.abs(d)
        return n ** e, d ** e, bad
    if isinstance(expr, (sympy.floor, sympy.ceiling)):
        n, d, bad = _rational(expr.args[0], cols, size)
        value = n // d if isinstance(expr, sympy.floor) else -((-n) // d)
        return value, ones, bad
    if isinstance(expr, (sympy.Max, sympy.Min)):
        num, den, bad = _rational(expr.args[0], cols, size)
        for arg in expr.args[1:]:
            n, d, b = _rational(arg, cols, size)
            take = (n * den > num * d) if isinstance(expr, sympy.Max) else (n * den < num * d)
            num, den, bad = np.where(take, n, num), np.where(take, d, den), bad | b
        return num, den, bad
    raise TypeError(f"the test's evaluator does not handle {type(expr).__name__}: {expr}")


def _reduce(num, den):
    g = np.gcd(num, den)
    g = np.where(g == 0, 1, g)
    return num // g, den // g


def _truth(relation, cols):
    """(holds, undefined) boolean arrays of a relational or And at every grid point."""
    size = len(next(iter(cols.values())))
    if isinstance(relation, sympy.And):
        holds, undefined = np.ones(size, dtype=bool), np.zeros(size, dtype=bool)
        for arg in relation.args:
            h, u = _truth(arg, cols)
            holds, undefined = holds & h, undefined | u
        return holds, undefined
    if relation is sympy.true or relation is sympy.false:
        return np.full(size, bool(relation)), np.zeros(size, dtype=bool)
    if isinstance(relation, sympy.Eq) and isinstance(relation.lhs, sympy.Mod):
        assert relation.rhs == 0, relation
        # a mod b == 0 for a = n/d, b = m/e exactly when (n*e) / (d*m) is an integer.
        n, d, bad = _rational(relation.lhs.args[0], cols, size)
        m, e, bad2 = _rational(relation.lhs.args[1], cols, size)
        q = d * m
        divides = (q != 0) & ((n * e) % np.where(q == 0, 1, q) == 0)
        return divides, bad | bad2 | (m == 0)
    n1, d1, b1 = _rational(relation.lhs, cols, size)
    n2, d2, b2 = _rational(relation.rhs, cols, size)
    left, right = n1 * d2, n2 * d1
    compare = {sympy.Ge: np.greater_equal, sympy.Gt: np.greater, sympy.Le: np.less_equal,
               sympy.Lt: np.less, sympy.Eq: np.equal, sympy.Ne: np.not_equal}[type(relation)]
    return compare(left, right), b1 | b2


def _truly_wrong(answer, mutant: Mutant, oracle) -> bool:
    """True when the independent check proves the mutant differs from the answer."""
    if isinstance(answer, IndexAnswer):
        return oracle.differs(to_sympy(mutant.value.rhs))
    if isinstance(answer, ShapeAnswer):
        want, got = answer.shape, mutant.value
        if len(want) != len(got):
            return True
        return any(oracle.differs(a, to_sympy(b)) for a, key_tree, b in zip(want, answer.trees, got)
                   if key_tree != b)
    return oracle.differs(answer.value, to_sympy(mutant.value))


def _render(answer, value, latex: bool = False) -> str:
    if isinstance(answer, IndexAnswer):
        return (equation_to_latex if latex else equation_to_text)(value)
    if isinstance(answer, ShapeAnswer):
        return (shape_to_latex if latex else shape_to_text)(value)
    return (to_latex if latex else to_text)(value)


def _is_symbolic_shape(answer) -> bool:
    return isinstance(answer, ShapeAnswer) and any(not isinstance(d, int) for d in answer.shape)


def _read_back(part_key, answer, text: str):
    """``text`` read the way the grader reads a student's answer to this part."""
    if isinstance(answer, IndexAnswer):
        names = part_key.part.layer.names
        return read_equation(text, aliases={f"d{names.loss}/d{names.output}": names.upstream})
    if isinstance(answer, ShapeAnswer):
        return read_shape(text, names=part_key.domain.symbol_names)
    return read_expression(text, names=part_key.domain.symbol_names)


# --- the mutation test ----------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_truly_wrong_mutants_are_graded_incorrect(spec):
    key = build_key(load_problem(spec))
    slots = []                     # (part id, item, [(mutant, text)])
    too_few = []
    for part_key in key.parts:
        grid = None
        for item, answer in part_key.answers:
            if not isinstance(answer, (ShapeAnswer, IndexAnswer, CountAnswer)):
                continue
            if isinstance(answer, IndexAnswer):
                oracle = SymbolicIndexOracle(answer, part_key.domain) if answer.sizes else IndexOracle(answer)
            else:
                oracle = grid = grid or FormulaGrid(part_key.domain)
            wrong = [m for m in answer_mutants(answer) if _truly_wrong(answer, m, oracle)]
            one_axis = isinstance(answer, ShapeAnswer) and len(answer.shape) == 1
            if isinstance(answer, IndexAnswer) and isinstance(answer.tree.rhs, tree.Delta):
                needed = MIN_PER_LONE_DELTA
            elif isinstance(answer, IndexAnswer) or _is_symbolic_shape(answer):
                needed = MIN_PER_ONE_AXIS_FORMULA if one_axis else MIN_PER_ANSWER
            elif isinstance(answer, ShapeAnswer):
                needed = MIN_PER_ONE_AXIS_NUMBER if one_axis else MIN_PER_NUMERIC_SHAPE
            else:
                needed = 1
            if len(wrong) < needed:
                too_few.append(f"{part_key.id} {item}: {len(wrong)} truly wrong mutants, "
                               f"need {needed}")
            slots.append((part_key.id, item, [(m, _render(answer, m.value)) for m in wrong]))
    assert not too_few, too_few
    truly_wrong = sum(len(mutants) for _, _, mutants in slots)
    assert truly_wrong >= max(MIN_PER_KEY, MIN_TRULY_WRONG.get(spec.stem, 0)), truly_wrong

    graded_wrongly = []
    with Grader(key) as grader:
        for part_id, item, mutants in slots:
            for mutant, text in mutants:
                submission = submission_from_data({"problem": key.problem.id,
                                                   "answers": {part_id: {item: text}}})
                where = f"{part_id} {item} [{mutant.kind}: {mutant.description}] {text!r}"
                try:
                    result = grader.grade(submission)
                except Exception as error:      # a crash is reported with the others
                    graded_wrongly.append(f"{where} -> raised {type(error).__name__}: {error}")
                    continue
                got = next(a for p in result.parts if p.id == part_id for a in p.answers
                           if a.item == item)
                if got.verdict != INCORRECT:
                    graded_wrongly.append(f"{where} -> {got.verdict} ({got.feedback})")
    assert not graded_wrongly, "\n".join([f"{len(graded_wrongly)} mutants not graded "
                                          f"incorrect:"] + graded_wrongly)


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_mutant_prints_and_reads_back_to_an_equal_tree(spec):
    """Text and LaTeX of every mutant of every key, read as the grader reads a student's answer."""
    key = build_key(load_problem(spec))
    checked, broken = 0, []
    for part_key in key.parts:
        for item, answer in part_key.answers:
            for mutant in answer_mutants(answer):
                for latex in (False, True):
                    text = _render(answer, mutant.value, latex)
                    try:
                        back = _read_back(part_key, answer, text)
                    except Exception as error:      # reported with the others
                        back = f"{type(error).__name__}: {error}"
                    if back != mutant.value:
                        broken.append(f"{part_key.id} {item} [{mutant.kind}] {text!r}: {mutant.value} -> {back}")
                    checked += 1
    assert checked > 0
    assert not broken, "\n".join([f"{len(broken)} of {checked} mutants do not read back:"] + broken)
