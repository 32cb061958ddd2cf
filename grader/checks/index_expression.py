"""Element-wise answers (``f[1,j] = ...``): equal when both sides agree at every index.

Both right-hand sides are evaluated exactly, with random integer tensors,
at every assignment of the left-hand-side indices (a random subset when
there are very many). Index names, summation forms and the declared index
base of the student are free; only the values count.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

from grader.results import CORRECT, INCORRECT, MISSING, UNPARSEABLE, Check
from solver.elementwise.evaluate import EvaluationError, compile_expression
from solver.notation import NotationError, equation_to_text, parse_equation
from solver.notation.equation import IndexEquation

#: Index assignments checked at most (all of them when there are fewer).
MAX_POINTS = 600
#: Independent draws of random tensor values.
TRIALS = 2
_VALUE_RANGE = 9
# The examples in feedback must never be an answer of a bundled problem.
_ACCEPTED = "write it like y[i] = sum_{k=1}^{3} a[i, k] b[k] or y[i] = Sum(a[i, k]*b[k], (k, 1, 3))"


class _Reject(Exception):
    def __init__(self, verdict: str, feedback: str):
        super().__init__(feedback)
        self.check = Check(verdict, feedback)


@dataclass(frozen=True)
class _Binding:
    """How the student's left-hand side maps onto the key's, position by position."""

    key_items: tuple
    student_items: tuple


def check_index_expression(part_key, expected, raw, context) -> Check:
    """Compare a student's index equation with the key's ``IndexAnswer``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Check(MISSING, "no expression given")
    if not isinstance(raw, str):
        return Check(UNPARSEABLE, f"an expression is text; {_ACCEPTED}")
    key_eq = expected.equation
    names = part_key.part.layer.names
    aliases = {f"d{names.loss}/d{names.output}": names.upstream}
    try:
        student = parse_equation(raw, aliases=aliases, evaluate=False)
        binding = _bind(key_eq, student)
        _check_names(student, binding, dict(expected.tensors))
        return _compare(part_key, expected, student, binding, context.indexing)
    except NotationError as error:
        return Check(UNPARSEABLE, f"cannot read the expression: {error}; {_ACCEPTED}")
    except _Reject as rejection:
        return rejection.check
    except EvaluationError as error:
        return Check(UNPARSEABLE, f"cannot evaluate the expression: {error}")


def _bind(key: IndexEquation, student: IndexEquation) -> _Binding:
    if student.of is None:
        # Only a right-hand side: its free indices are read with the key's names
        # (constant positions need no binding).
        return _Binding(key.lhs_indices, tuple(i if isinstance(i, sympy.Symbol) else None
                                               for i in key.lhs_indices))
    expected_lhs = _lhs_text(key)
    if student.of.name != key.of.name or (student.wrt is None) != (key.wrt is None) or (
            key.wrt is not None and student.wrt.name != key.wrt.name):
        raise _Reject(INCORRECT, f"the left-hand side {_lhs_text(student)} is not what this part "
                                 f"asks; it asks for {expected_lhs}")
    for mine, theirs, tensor in ((student.of, key.of, key.of.name),
                                 (student.wrt, key.wrt, key.wrt.name if key.wrt else "")):
        if mine is not None and len(mine.indices) != len(theirs.indices):
            raise _Reject(INCORRECT, f"{tensor} has {len(theirs.indices)} indices in this part "
                                     f"({expected_lhs}); the answer gives {len(mine.indices)}")
    for item in student.lhs_indices:
        if not (isinstance(item, sympy.Symbol) or item.is_Integer):
            raise _Reject(UNPARSEABLE, f"left-hand-side indices must be names or whole numbers; "
                                       f"found {item}")
    seen = [s for s in student.lhs_indices if isinstance(s, sympy.Symbol)]
    if len(seen) != len(set(seen)):
        raise _Reject(INCORRECT, "an index name appears twice on the left-hand side; give each "
                                 "axis its own index")
    return _Binding(key.lhs_indices, student.lhs_indices)


def _check_names(student: IndexEquation, binding: _Binding, tensors: dict) -> None:
    used, free = set(), set()
    _collect_names(student.rhs, frozenset(), used, free)
    unknown = sorted(used - set(tensors))
    if unknown:
        raise _Reject(INCORRECT, f"uses a tensor {unknown[0]!r} that this part does not have; its "
                                 f"tensors are {', '.join(tensors)}")
    bound = {s.name for s in binding.student_items if isinstance(s, sympy.Symbol)}
    bound |= {name for name, shape in tensors.items() if shape == ()}     # scalar tensors
    loose = sorted(free - bound)
    if loose:
        # b_o is one name; an entry of the tensor b needs braces or brackets
        hint = next((f"; for an entry of {tensor} write {tensor}_{{{index}}} or {tensor}[{index}]"
                     for tensor, _, index in (name.partition("_") for name in loose)
                     if index and tensor in tensors), "")
        raise _Reject(INCORRECT, f"uses {', '.join(loose)}, which is neither an index of the "
                                 f"left-hand side nor a summation index{hint}")


def _collect_names(expr, bound: frozenset, tensors: set, free: set) -> None:
    """Tensor names in ``expr`` into ``tensors``; names of symbols not bound by a sum into ``free``.

    One walk instead of sympy's atoms() and free_symbols (a tenth of a check's time).
    """
    if isinstance(expr, sympy.Symbol):
        if expr.name not in bound:
            free.add(expr.name)
    elif isinstance(expr, sympy.Indexed):
        tensors.add(expr.base.label.name)
        for index in expr.indices:
            _collect_names(index, bound, tensors, free)
    elif isinstance(expr, sympy.Sum):
        names = [limit[0].name for limit in expr.limits]     # innermost first
        for position, (_, low, high) in enumerate(expr.limits):
            scope = bound | set(names[position + 1:])          # bounds may use outer indices
            _collect_names(low, scope, tensors, free)
            _collect_names(high, scope, tensors, free)
        _collect_names(expr.function, bound | set(names), tensors, free)
    else:
        for arg in expr.args:
            _collect_names(arg, bound, tensors, free)


@dataclass(frozen=True)
class _KeyTable:
    """The key's side of every comparison, computed once per answer key entry.

    ``trials`` holds, per draw of random integer tensors, the tensors and the
    key's value at each point (an assignment of ``symbols``).
    """

    symbols: tuple[sympy.Symbol, ...]
    points: tuple[tuple[int, ...], ...]
    trials: tuple[tuple[dict, tuple], ...]


@lru_cache(maxsize=256)
def _key_table(expected) -> _KeyTable:
    ranges = {name: range(lo, hi + 1) for name, lo, hi in expected.ranges}
    symbols = tuple(s for s in expected.equation.lhs_indices if isinstance(s, sympy.Symbol))
    points = tuple(_points([ranges[s.name] for s in symbols]))
    key_rhs = compile_expression(expected.equation.rhs, base=expected.base)
    trials = []
    for trial in range(TRIALS):
        rng = np.random.default_rng(1000 + trial)
        tensors = {name: rng.integers(-_VALUE_RANGE, _VALUE_RANGE + 1, size=shape).astype(object)
                   for name, shape in expected.tensors}
        values = tuple(key_rhs(tensors, dict(zip(symbols, point))) for point in points)
        trials.append((tensors, values))
    return _KeyTable(symbols, points, tuple(trials))


def _compare(part_key, expected, student, binding, student_base) -> Check:
    table = _key_table(expected)
    mismatch = _first_mismatch(table, student.rhs, binding, expected.base, student_base)
    if mismatch is None:
        return Check(CORRECT)
    other = 1 - student_base
    if _first_mismatch(table, student.rhs, binding, expected.base, other, quiet=True) is None:
        return Check(INCORRECT, f"this is right if indices start at {other}, but the submission "
                                f"uses indices from {student_base}: declare 'indexing: {other}' in "
                                f"the submission, or shift the indices")
    return Check(INCORRECT, mismatch)


def _points(ranges: list[range]) -> list[tuple[int, ...]]:
    total = 1
    for r in ranges:
        total *= len(r)
    if total <= MAX_POINTS:
        return list(itertools.product(*ranges))
    chooser = random.Random(0)
    corners = [tuple(r[0] for r in ranges), tuple(r[-1] for r in ranges)]
    return corners + [tuple(chooser.choice(r) for r in ranges) for _ in range(MAX_POINTS - 2)]


def _first_mismatch(table: _KeyTable, student_expr, binding, key_base, student_base,
                    quiet=False) -> str | None:
    shift = student_base - key_base
    student_rhs = compile_expression(student_expr, base=student_base)
    for tensors, values in table.trials:
        for point, want in zip(table.points, values):
            student_env, problem = _student_env(binding, dict(zip(table.symbols, point)), shift)
            if problem is not None:
                return problem
            if student_rhs(tensors, student_env) != want:
                if quiet:
                    return "differs"
                where = ", ".join(f"{s.name}={v}" for s, v in student_env.items())
                return (f"the expression differs from the correct one at {where}"
                        if where else "the expression differs from the correct one")
    return None


def _student_env(binding, key_env, shift) -> tuple[dict, str | None]:
    env = {}
    for key_item, student_item in zip(binding.key_items, binding.student_items):
        value = (key_env[key_item] if isinstance(key_item, sympy.Symbol) else int(key_item)) + shift
        if student_item is None:
            continue
        if isinstance(student_item, sympy.Symbol):
            env[student_item] = value
        elif int(student_item) != value:
            if isinstance(key_item, sympy.Symbol):
                return env, (f"the left-hand side fixes an index to {int(student_item)}, but it "
                             f"ranges over several values: use an index name for it")
            return env, (f"the left-hand side has index {int(student_item)} where this part has "
                         f"{value}")
    return env, None


def _lhs_text(eq: IndexEquation) -> str:
    text = equation_to_text(IndexEquation(eq.of, eq.wrt, sympy.Integer(0)))
    return text.rsplit("=", 1)[0].strip() if "=" in text else text
