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

Each kept mutant is printed with the project's printers and graded as a
student's text, which also exercises the printer/parser round trip.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy

from grader.grading import Grader
from grader.mutations import Mutant, answer_mutants, equation_mutants, expression_mutants, shape_mutants
from grader.results import INCORRECT
from grader.submission import submission_from_data
from solver.answers import CountAnswer, IndexAnswer, ShapeAnswer, TextAnswer
from solver.key import build_key
from solver.notation import equation_to_text, shape_to_text, to_text
from solver.notation.equation import IndexEquation, TensorRef, index_symbol
from solver.spec.loading import load_problem

PROBLEMS = Path(__file__).resolve().parent.parent / "problems"
SPECS = sorted(PROBLEMS.rglob("*.yaml"))
GRID_TOP = 4                     # every symbol takes the values 0..GRID_TOP
MIN_PER_ANSWER = 20              # index expressions and shapes with symbols
MIN_PER_NUMERIC_SHAPE = 8
MIN_PER_KEY = 20


# --- the engine on hand-written inputs ------------------------------------------------------

H, K, S, P = (index_symbol(n) for n in "HKSP")
j, k, c = (index_symbol(n) for n in "jkc")


def _values(mutants: list[Mutant]) -> dict:
    return {m.value: m.kind for m in mutants}


def test_expression_mutants_contain_the_classic_shape_mistakes():
    formula = sympy.floor((H - K) / S) + 1
    found = _values(expression_mutants(formula))
    expected = {
        sympy.floor((H - K) / S): "drop_term",                 # forgot the +1
        (H - K) / S + 1: "floor_to_plain",
        sympy.ceiling((H - K) / S) + 1: "floor_to_ceil",
        H - K + 1: "drop_divisor",                            # stride ignored
        sympy.floor((H - K) / S) + 2: "constant",
        sympy.floor((H - K + 1) / S) + 1: "constant",
        sympy.floor((H + K) / S) + 1: "sign",
        sympy.floor((H - 2 * K) / S) + 1: "coefficient",
        sympy.floor(H / S) + 1: "drop_term",
    }
    for value, kind in expected.items():
        assert found.get(value) == kind, (value, kind, found.get(value))
    assert formula not in found


def test_expression_mutants_are_deterministic_and_unique():
    formula = sympy.floor((H + 2 * P - K) / S) + 1
    first, second = expression_mutants(formula), expression_mutants(formula)
    assert first == second
    values = [m.value for m in first]
    assert len(values) == len(set(values))
    assert all(not v.has(sympy.zoo, sympy.nan) for v in values)
    # P taken as 0 is the forgotten padding.
    assert sympy.floor((H - K) / S) + 1 in values


def test_expression_mutants_of_a_number():
    assert sorted(m.value for m in expression_mutants(sympy.Integer(40))) == [39, 41]


def test_equation_mutants_change_sums_and_indices():
    x, W, f = (sympy.IndexedBase(n) for n in ("x", "W", "f"))
    rhs = sympy.Sum(W[k] * x[j + k - 1], (k, 1, 3))
    eq = IndexEquation(TensorRef("f", (j,)), None, rhs)
    mutants = equation_mutants(eq, ranges=(("j", 1, 3),))
    assert all(m.value.of == eq.of and m.value.wrt is None for m in mutants)
    found = {m.value.rhs: m.kind for m in mutants}
    expected = {
        sympy.Sum(W[k] * x[j + k - 1], (k, 2, 3)): "sum_bounds",
        sympy.Sum(W[k] * x[j + k - 1], (k, 1, 2)): "sum_bounds",
        sympy.Sum(W[k] * x[j + k - 1], (k, 1, 4)): "sum_bounds",
        W[1] * x[j]: "drop_sum",
        sympy.Sum(W[4 - k] * x[j + k - 1], (k, 1, 3)): "flip_kernel",    # convolution
        sympy.Sum(W[k] * x[j + k], (k, 1, 3)): "off_by_one",
        sympy.Sum(W[k] * x[j + k - 2], (k, 1, 3)): "off_by_one",
        sympy.Sum(W[k] * x[k - 1], (k, 1, 3)): "drop_term",
        sympy.Sum(x[j + k - 1], (k, 1, 3)): "drop_factor",
        sympy.Sum(W[k] * x[2 * k - 1], (k, 1, 3)): "wrong_index",
        sympy.Sum(W[k] * x[4 - j + k - 1], (k, 1, 3)): "flip_kernel",    # free index j flipped
    }
    for value, kind in expected.items():
        assert found.get(value) == kind, (value, kind, found.get(value))
    assert rhs not in found
    assert len(found) == len(mutants)


def test_equation_mutants_swap_different_indices_of_one_entry():
    x = sympy.IndexedBase("x")
    eq = IndexEquation(TensorRef("f", (c, j)), None, x[c, 2 * j])
    found = {m.value.rhs: m.kind for m in equation_mutants(eq)}
    assert found[x[2 * j, c]] == "swap_indices"
    assert found[x[j, 2 * c]] == "swap_indices"


def test_shape_mutants_of_a_numeric_shape_by_hand():
    found = _values(shape_mutants((4, 5)))
    assert set(found) == {
        (5, 5), (3, 5), (6, 5), (2, 5), (4, 6), (4, 4), (4, 7), (4, 3),   # entries +-1, +-2
        (5, 4),                                                           # swapped
        (5,), (4,),                                                       # an axis dropped
        (1, 4, 5), (4, 1, 5), (4, 5, 1),                                  # an axis of 1 added
        (4, 4, 5), (4, 5, 5),                                             # an axis repeated
        (20,),                                                            # axes merged
    }
    assert all(isinstance(e, int) for shape in found for e in shape)


def test_shape_mutants_keep_numeric_entries_positive():
    assert all(all(e >= 1 for e in m.value) for m in shape_mutants((1, 2)))


def test_answer_mutants_dispatch_on_the_answer_type():
    assert [m.value for m in answer_mutants(CountAnswer(40))] == [41, 39]
    assert answer_mutants(TextAnswer("why")) == []
    assert _values(answer_mutants(ShapeAnswer((4, 5)))) == _values(shape_mutants((4, 5)))


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
        return oracle.differs(mutant.value.rhs)
    if isinstance(answer, ShapeAnswer):
        want, got = answer.shape, mutant.value
        if len(want) != len(got):
            return True
        return any(oracle.differs(a, b) for a, b in zip(want, got) if a != b)
    return oracle.differs(answer.value, mutant.value)


def _render(answer, value) -> str:
    if isinstance(answer, IndexAnswer):
        return equation_to_text(value)
    if isinstance(answer, ShapeAnswer):
        return shape_to_text(value)
    return str(value) if isinstance(value, int) else to_text(value)


def _is_symbolic_shape(answer) -> bool:
    return isinstance(answer, ShapeAnswer) and any(isinstance(d, sympy.Basic) for d in answer.shape)


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
                oracle = IndexOracle(answer)
            else:
                oracle = grid = grid or FormulaGrid(part_key.domain)
            wrong = [m for m in answer_mutants(answer) if _truly_wrong(answer, m, oracle)]
            if isinstance(answer, IndexAnswer) or _is_symbolic_shape(answer):
                needed = MIN_PER_ANSWER
            elif isinstance(answer, ShapeAnswer):
                needed = MIN_PER_NUMERIC_SHAPE
            else:
                needed = 1
            if len(wrong) < needed:
                too_few.append(f"{part_key.id} {item}: {len(wrong)} truly wrong mutants, "
                               f"need {needed}")
            slots.append((part_key.id, item, [(m, _render(answer, m.value)) for m in wrong]))
    assert not too_few, too_few
    assert sum(len(mutants) for _, _, mutants in slots) >= MIN_PER_KEY

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
