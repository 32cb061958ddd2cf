"""Element-wise answers (``f[1,j] = ...``): equal when both sides agree at every index.

Both right-hand sides are evaluated exactly, with random integer tensors whose
entries are drawn from (-2**31, 2**31), at every assignment of the
left-hand-side indices (a random subset when there are very many). Index
names, summation forms and the declared index base of the student are free;
only the values count. For a layer given with symbolic sizes the expression
may use the size symbols (``sum_{c=1}^{C}``, ``S(j-1)``) and is checked so at
several valid assignments of the sizes (:mod:`grader.checks.size_cases`), each
at every index as above.

Why wide values: at one index assignment both sides are functions of the
tensor entries. When the student's answer is wrong there, its difference from
the key is, for the answers students write (sums of products of entries), a
non-zero polynomial of degree d (1 or 2 here) in the entries, and by the
Schwartz-Zippel lemma a random point of a set of size 2**32 - 1 makes it vanish
with probability at most d / (2**32 - 1). With TRIALS independent draws, a
wrong answer is missed at that index with probability at most
(d / (2**32 - 1)) ** TRIALS (below 1e-18 for d = 2). Small values such as
-9..9 make coincidences common (x^2 and |x|*x agree on half of them). Answers
that are not polynomials in the entries (floor, max, comparisons of entries)
are not covered by this bound. For them (a key that compares tensor entries, as
max pooling's maximum and its argmax routing do) TIE_TRIALS further draws take
entries from -TIE_RANGE .. TIE_RANGE, where equal entries are common, so that
the rule for ties is checked too. For a layer with symbolic sizes each size
case has CASE_TRIALS draws (one: a wrong answer is then missed at an index with
probability at most d / (2**32 - 1), below 5e-10, and it has the other cases
and indices to show at).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import numpy as np

from grader.checks.memo import memo
from grader.checks.size_cases import NoSizeCase, SizeCase, size_cases
from grader.feedback.expand import entries_of, expand, show_entry, show_polynomial
from grader.results import CORRECT, INCORRECT, MANUAL, MISSING, UNPARSEABLE, Check
from solver.notation import (Budget, DivisionByZero, EvaluationError, NotationError, compile_tree, equation_to_text, lhs_text,
                             read_equation, tree)

#: Index assignments checked at most (all of them when there are fewer).
MAX_POINTS = 600
#: Index assignments checked at most in each size case of a layer with symbolic sizes, and the
#: draws of tensor values there (each case is a further chance for a wrong answer to show).
CASE_POINTS = 20
CASE_TRIALS = 1
#: Independent draws of random tensor values.
TRIALS = 2
#: Tensor entries are drawn from -VALUE_RANGE .. VALUE_RANGE.
VALUE_RANGE = 2**31 - 1
#: Extra draws with entries in -TIE_RANGE .. TIE_RANGE for keys that compare entries (ties).
TIE_TRIALS = 8
TIE_RANGE = 2
#: A student's answer may loop this many times the key's own iterations (at least MIN_ITERATIONS).
WORK_FACTOR = 8
MIN_ITERATIONS = 10**6
# The examples in feedback must never be an answer of a bundled problem.
_ACCEPTED = "write it like y[i] = sum_{k=1}^{3} a[i, k] b[k] or y[i] = Sum(a[i, k]*b[k], (k, 1, 3))"


class _Reject(Exception):
    def __init__(self, verdict: str, feedback: str, reveal: str = ""):
        super().__init__(feedback)
        self.check = Check(verdict, feedback, reveal=reveal)


@dataclass(frozen=True)
class _Binding:
    """How the student's left-hand side maps onto the key's, position by position."""

    key_items: tuple
    student_items: tuple


def read_index_expression(part_key, raw):
    """The student's equation as a tree, or a MISSING/UNPARSEABLE Check."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no expression given")
    if not isinstance(raw, str):
        return Check(UNPARSEABLE, f"an expression is text; {_ACCEPTED}")
    names = part_key.domain.symbol_names
    aliases = equation_aliases(part_key)
    try:
        found = read_equation(raw, names=names, aliases=aliases)
        # ``Sj`` is S*j only once j is known as an index: read again with the answer's own indices
        indices = _index_names(found)
        if indices and _splittable(found, set(names) | indices):
            found = read_equation(raw, names=(*names, *sorted(indices)), aliases=aliases)
        return found
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the expression: {error}; {_ACCEPTED}")


def _index_names(equation: tree.Equation) -> set[str]:
    """The one-letter index names of ``equation``: its left-hand side's and its summation indices."""
    found = {i.name for i in equation.lhs_indices if isinstance(i, tree.Sym)}
    found |= {n.index for n in tree.walk(equation.rhs) if isinstance(n, tree.Sum)}
    return {name for name in found if len(name) == 1}


def _splittable(equation: tree.Equation, names: set[str]) -> bool:
    """Whether a symbol of the right-hand side is a run of known one-letter names (``Sj``)."""
    return any(len(name) > 1 and name.isalpha() and name not in names and all(letter in names for letter in name)
               for name in tree.symbols_in(equation.rhs))


def equation_aliases(part_key) -> dict[str, str]:
    """How the part's equations name the upstream gradient: ``{'dl/df': 'g'}`` with the layer's names."""
    names = part_key.part.layer.names
    return {f"d{names.loss}/d{names.output}": names.upstream}


def judge_index_expression(part_key, expected, student: tree.Equation, context) -> Check:
    """Compare a parsed equation with the key's ``IndexAnswer``."""
    key_eq = expected.tree
    try:
        binding = _bind(key_eq, student)
        _check_names(student, binding, dict(expected.tensors), expected.sizes)
        return _compare(expected, student, binding, context.indexing, part_key.domain)
    except _Reject as rejection:
        return rejection.check
    except EvaluationError as error:
        return Check(UNPARSEABLE, f"cannot evaluate the expression: {error}")
    except NoSizeCase as error:
        return Check(MANUAL, f"this answer cannot be checked automatically: {error}")


def _is_integer(node) -> bool:
    return isinstance(node, tree.Num) and isinstance(node.value, int)


def _bind(key: tree.Equation, student: tree.Equation) -> _Binding:
    if student.of is None:
        # Only a right-hand side: its free indices are read with the key's names
        # (constant positions need no binding).
        return _Binding(key.lhs_indices, tuple(i if isinstance(i, tree.Sym) else None for i in key.lhs_indices))
    expected_lhs = lhs_text(key)
    if student.of.name != key.of.name or (student.wrt is None) != (key.wrt is None) or (
            key.wrt is not None and student.wrt.name != key.wrt.name):
        raise _Reject(INCORRECT, f"the left-hand side {lhs_text(student)} is not what this part asks",
                      reveal=f"it asks for {expected_lhs}")
    for mine, theirs, tensor in ((student.of, key.of, key.of.name),
                                 (student.wrt, key.wrt, key.wrt.name if key.wrt else "")):
        if mine is not None and len(mine.indices) != len(theirs.indices):
            raise _Reject(INCORRECT, f"the answer gives {tensor} {len(mine.indices)} indices, not as "
                                     f"many as it has in this part",
                          reveal=f"{tensor} has {len(theirs.indices)} indices in this part ({expected_lhs})")
    for item in student.lhs_indices:
        if not (isinstance(item, tree.Sym) or _is_integer(item)):
            raise _Reject(UNPARSEABLE, "left-hand-side indices must be names or whole numbers")
    seen = [s.name for s in student.lhs_indices if isinstance(s, tree.Sym)]
    if len(seen) != len(set(seen)):
        raise _Reject(INCORRECT, "an index name appears twice on the left-hand side; give each axis its own index")
    return _Binding(key.lhs_indices, student.lhs_indices)


def _check_names(student: tree.Equation, binding: _Binding, tensors: dict, sizes: tuple[str, ...]) -> None:
    unknown = sorted(tree.tensors_in(student.rhs) - set(tensors))
    if unknown:
        raise _Reject(INCORRECT, f"uses a tensor {unknown[0]!r} that this part does not have; its "
                                 f"tensors are {', '.join(tensors)}")
    bound = {s.name for s in binding.student_items if isinstance(s, tree.Sym)}
    bound |= {name for name, shape in tensors.items() if shape == ()}     # scalar tensors
    bound |= set(sizes)
    loose = sorted(tree.symbols_in(student.rhs) - bound)
    if loose:
        # b_o is one name; an entry of the tensor b needs braces or brackets
        hint = next((f"; for an entry of {tensor} write {tensor}_{{{index}}} or {tensor}[{index}]"
                     for tensor, _, index in (name.partition("_") for name in loose)
                     if index and tensor in tensors), "")
        what = "an index of the left-hand side, a summation index nor a size of the layer" if sizes else \
            "an index of the left-hand side nor a summation index"
        raise _Reject(INCORRECT, f"uses {', '.join(loose)}, which is neither {what}{hint}")


@dataclass(frozen=True)
class _CaseTable:
    """The key's values in one size case: per draw of random integer tensors, the tensors and the
    key's value at each point (an assignment of the key's index names)."""

    case: SizeCase
    points: tuple[tuple[int, ...], ...]
    trials: tuple[tuple[dict, tuple], ...]


@dataclass(frozen=True)
class _KeyTable:
    """The key's side of every comparison, computed once per answer key entry.

    ``cases`` holds one :class:`_CaseTable` per size case (one for a numeric layer);
    ``iterations`` is the sum loops the key itself needed for all of them.
    """

    names: tuple[str, ...]
    cases: tuple[_CaseTable, ...]
    iterations: int


def _key_table(expected, domain) -> _KeyTable:
    """The key's table, computed once per key answer."""
    return memo(expected, "_grader_key_table", lambda: _compute_key_table(expected, domain))


def _compute_key_table(expected, domain) -> _KeyTable:
    names = tuple(s.name for s in expected.tree.lhs_indices if isinstance(s, tree.Sym))
    cases = size_cases(expected, domain)
    limit = CASE_POINTS if expected.sizes else MAX_POINTS
    key_rhs = compile_tree(expected.tree.rhs, expected.base)
    budget = Budget(10**9)
    draws = [VALUE_RANGE] * (CASE_TRIALS if expected.sizes else TRIALS)
    if _compares_entries(expected.tree.rhs):
        draws += [TIE_RANGE] * TIE_TRIALS
    tables = []
    for number, case in enumerate(cases):
        ranges = dict(case.ranges)
        points = tuple(_points([ranges[name] for name in names], limit))
        sizes = dict(case.sizes)
        trials = []
        for trial, high in enumerate(draws):
            rng = np.random.default_rng(1000 + trial + 100 * number)
            tensors = {name: rng.integers(-high, high + 1, size=shape).astype(object)
                       for name, shape in case.shapes}
            values = tuple(key_rhs.call_prepared(tensors, {**sizes, **dict(zip(names, point))}, budget)
                           for point in points)
            trials.append((tensors, values))
        tables.append(_CaseTable(case, points, tuple(trials)))
    return _KeyTable(names, tuple(tables), budget.limit - budget.left)


def _compares_entries(node) -> bool:
    """Whether a comparison or a max/min of ``node`` involves a tensor entry."""
    return any(isinstance(n, (tree.Rel, tree.Max, tree.Min)) and tree.tensors_in(n)
               for n in tree.walk(node))


def _compare(expected, student, binding, student_base, domain) -> Check:
    table = _key_table(expected, domain)
    difference = _first_mismatch(table, student.rhs, binding, expected.base, student_base)
    if difference is None:
        return Check(CORRECT)
    other = 1 - student_base
    if _first_mismatch(table, student.rhs, binding, expected.base, other, quiet=True) is None:
        return Check(INCORRECT, f"this is right if indices start at {other}, but the submission "
                                f"uses indices from {student_base}: declare 'indexing: {other}' in "
                                f"the submission, or shift the indices",
                     mistake="an off-by-one index base",
                     hint="every index runs from the first index of its axis; the two bases differ by one")
    if isinstance(difference, str):
        return Check(INCORRECT, difference)
    return _difference_check(expected, student, difference, student_base)


@dataclass(frozen=True)
class _Difference:
    """The first index where the answer differs: the size case, the key's and the student's
    index values."""

    case: SizeCase
    key_env: dict
    student_env: dict


def _difference_check(expected, student, difference: _Difference, student_base: int) -> Check:
    """Where the answer differs, both sides written out there (the correct one only in ``reveal``)."""
    env = difference.student_env
    sizes = dict(difference.case.sizes)
    at = _where(difference.case, env)
    shapes = dict(difference.case.shapes)
    mine = expand(student.rhs, {**sizes, **env}, shapes, student_base)
    theirs = expand(expected.tree.rhs, {**sizes, **difference.key_env}, shapes, expected.base)
    if theirs is not None and student_base != expected.base:
        shift = student_base - expected.base
        theirs = {tuple((name, tuple(i + shift for i in idx)) for name, idx in monomial): c
                  for monomial, c in theirs.items()}
    feedback = f"the expression differs from the correct one{at}"
    if mine is None:
        return Check(INCORRECT, feedback)
    feedback += f": there yours is {show_polynomial(mine)}"
    if theirs is None:
        return Check(INCORRECT, feedback)
    extra = sorted(entries_of(mine) - entries_of(theirs))
    if extra:
        named = ", ".join(show_entry(e) for e in extra[:3]) + (" …" if len(extra) > 3 else "")
        feedback += f"; it uses {named}, which the correct one does not depend on there"
    return Check(INCORRECT, feedback, reveal=f"the correct one there is {show_polynomial(theirs)}")


def matches_index_expression(part_key, other, student: tree.Equation, context) -> bool:
    """Whether ``student`` equals ``other`` (an answer-like object with ``tree``, ``ranges``,
    ``tensors`` and ``base``, such as a named mistake) at every index, as the key is checked."""
    expected = part_key.answer("value")
    try:
        binding = _bind(expected.tree, student)
        _check_names(student, binding, dict(expected.tensors), expected.sizes)
        return _first_mismatch(_key_table(other, part_key.domain), student.rhs, binding, other.base,
                               context.indexing, quiet=True) is None
    except (_Reject, EvaluationError, NoSizeCase):
        return False


def _points(ranges: list[range], limit: int) -> list[tuple[int, ...]]:
    """Every assignment of the ranges, or ``limit`` of them (both corners and random ones)."""
    total = 1
    for r in ranges:
        total *= len(r)
    if total <= limit:
        return list(itertools.product(*ranges))
    chooser = random.Random(0)
    corners = [tuple(r[0] for r in ranges), tuple(r[-1] for r in ranges)]
    return corners + [tuple(chooser.choice(r) for r in ranges) for _ in range(limit - 2)]


def _first_mismatch(table: _KeyTable, student_rhs, binding, key_base, student_base, quiet=False):
    """None when the answer agrees everywhere; else a :class:`_Difference` (``"differs"`` when
    ``quiet``), or a message when the left-hand side cannot be matched."""
    shift = student_base - key_base
    compiled = compile_tree(student_rhs, student_base)
    budget = Budget(max(MIN_ITERATIONS, WORK_FACTOR * table.iterations))
    for case in table.cases:
        sizes = dict(case.case.sizes)
        for tensors, values in case.trials:
            for point, want in zip(case.points, values):
                key_env = dict(zip(table.names, point))
                student_env, problem = _student_env(binding, key_env, shift)
                if problem is not None:
                    return problem
                try:
                    found = compiled.call_prepared(tensors, {**sizes, **student_env}, budget)
                except DivisionByZero:
                    return "differs" if quiet else _undefined_at(case.case, student_env)
                if found != want:
                    return "differs" if quiet else _Difference(case.case, key_env, student_env)
    return None


def _undefined_at(case: SizeCase, env: dict) -> str:
    """Feedback for an answer that divides by zero where the correct one has a value."""
    return f"the expression divides by zero{_where(case, env)}, where the correct one has a value"


def _where(case: SizeCase, env: dict) -> str:
    """`` when C = 2, K = 3 at n = 1, j = 2`` (the sizes only for a layer with symbolic sizes)."""
    at = ", ".join(f"{name} = {v}" for name, v in env.items())
    sizes = ", ".join(f"{name} = {v}" for name, v in case.sizes)
    return (f" when {sizes}" if sizes else "") + (f" at {at}" if at else "")


def _student_env(binding, key_env, shift) -> tuple[dict, str | None]:
    env = {}
    for key_item, student_item in zip(binding.key_items, binding.student_items):
        value = (key_env[key_item.name] if isinstance(key_item, tree.Sym) else key_item.value) + shift
        if student_item is None:
            continue
        if isinstance(student_item, tree.Sym):
            env[student_item.name] = value
        elif student_item.value != value:
            if isinstance(key_item, tree.Sym):
                return env, (f"the left-hand side fixes an index to {student_item.value}, but it "
                             f"ranges over several values: use an index name for it")
            return env, f"the left-hand side has index {student_item.value} where this part has {value}"
    return env, None


def echo_index_expression(student: tree.Equation) -> str:
    """The equation as it was read, in canonical text (a bare right-hand side as it stands)."""
    if student.of is None:
        from solver.notation import to_text
        return to_text(student.rhs)
    return equation_to_text(student)


def prepare_index_expression(part_key, expected) -> None:
    """The key's values at every point, computed once (a key that cannot be checked is judged
    ``manual`` when an answer comes, with the reason)."""
    try:
        _key_table(expected, part_key.domain)
    except NoSizeCase:
        pass
