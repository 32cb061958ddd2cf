"""Machine-made wrong variants ("mutants") of a correct answer.

Each mutant changes one thing a student plausibly gets wrong: a constant or
a coefficient off by one, a dropped term or factor, ``floor`` written as a
plain division, two indices swapped in a tensor entry, the bounds of a sum,
a dropped sum, a flipped kernel index, a size taken as 0 or 1, a shape axis
dropped, added or swapped. The ``kind`` names the rule and the
``description`` says in words what changed, so later feedback can name the
student's mistake when a wrong answer matches a mutant.

Mutants are built structurally from sympy objects (no text is parsed). They
are candidates: a few can still equal the correct answer (widening a sum
over entries that lie outside the tensor, so are 0); callers that need truly
wrong variants check that themselves. Order is deterministic and every
value appears once, never equal to the original.

Local rules are registered per node type in ``_RULES`` (one function each);
adding a mistake means one rule function and one registration line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import sympy

from solver.answers import CountAnswer, IndexAnswer, ShapeAnswer
from solver.notation import to_text
from solver.notation.equation import IndexEquation


@dataclass(frozen=True)
class Mutant:
    """One wrong variant: the rule that made it, what changed in words, and the mutated value.

    ``value`` has the type of the original: a sympy expression (or an int for
    a numeric count), an :class:`IndexEquation`, or a shape tuple.
    """

    kind: str
    description: str
    value: object


#: A candidate rewrite of one node: (kind, description, new node).
_Rewrite = tuple[str, str, sympy.Basic]
_Rule = Callable[[sympy.Basic], Iterable[_Rewrite]]
_BAD_VALUES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


# --- public API -----------------------------------------------------------------------------

def expression_mutants(expr: sympy.Basic) -> list[Mutant]:
    """Wrong variants of a formula such as ``floor((H + 2*P - D*(K - 1) - 1)/S) + 1``.

    Takes a sympy expression (or an int); returns mutants whose values are
    sympy expressions: every local rule at every node (constants and
    coefficients +-1, a term dropped or its sign flipped, a factor or a
    division dropped, floor(a) -> a or ceil(a), ceil(a) -> a or floor(a),
    integer exponents +-1, tensor-entry and sum rules), then the whole
    formula +-1 and each size symbol taken as 1 or as 0 (a forgotten stride,
    dilation or padding).
    """
    expr = sympy.Integer(expr) if isinstance(expr, int) else expr
    rewrites = list(_rewrites_everywhere(expr))
    rewrites += [("off_by_one", f"added {step:+d} to the whole formula", expr + step)
                 for step in (1, -1)]
    rewrites += _ignored_symbols(expr)
    return _unique(expr, (Mutant(kind, text, value) for kind, text, value in rewrites
                          if not _is_bad(value)))


def equation_mutants(eq: IndexEquation,
                     ranges: Sequence[tuple[str, int, int]] = ()) -> list[Mutant]:
    """Wrong variants of an index equation; only the right-hand side changes.

    Takes the equation and optionally the inclusive ranges of its free
    left-hand-side indices as ``(name, first, last)`` (the ``ranges`` of an
    :class:`IndexAnswer`). Returns mutants whose values are IndexEquations:
    every local rule at every node of the rhs (index offsets and
    coefficients, two different indices of an entry swapped, sum bounds
    lo+1 / hi-1 / hi+1, a sum dropped with its index fixed at lo, a summed
    index flipped in one entry ``k -> lo + hi - k``, terms and factors
    dropped), plus each free index flipped the same way in one entry.
    """
    rewrites = list(_rewrites_everywhere(eq.rhs))
    rewrites += _free_index_flips(eq.rhs, ranges)
    return _unique(eq, (Mutant(kind, text, IndexEquation(eq.of, eq.wrt, rhs))
                        for kind, text, rhs in rewrites if not _is_bad(rhs)))


def shape_mutants(shape: tuple) -> list[Mutant]:
    """Wrong variants of a shape such as ``(4, 5)`` or ``(F, floor(...) + 1, ...)``.

    Takes a tuple of ints and sympy expressions; returns mutants whose values
    are tuples (numbers as ints): an entry +-1 or +-2 (numeric entries stay
    >= 1), two different entries swapped, an axis dropped, an axis of 1 added
    at each position, an axis repeated, two neighbouring axes merged into one
    (their product), and every :func:`expression_mutants` variant of each
    symbolic entry.
    """
    entries = tuple(_plain(d) for d in shape)
    mutants: list[Mutant] = []
    # Formula rules first: where a value repeats, their description is the more specific one.
    for axis, entry in enumerate(entries):
        if isinstance(entry, sympy.Basic):
            for inner in expression_mutants(entry):
                mutants.append(Mutant(inner.kind, f"axis {axis + 1}: {inner.description}",
                                      _with_entry(entries, axis, _plain(inner.value))))
    for axis, entry in enumerate(entries):
        for step in (1, -1, 2, -2):
            changed = _plain(entry + step)
            if isinstance(changed, int) and changed < 1:
                continue
            kind = "off_by_one" if abs(step) == 1 else "off_by_two"
            mutants.append(Mutant(kind, f"axis {axis + 1}: {_show(entry)} -> {_show(changed)}",
                                  _with_entry(entries, axis, changed)))
    for first in range(len(entries)):
        for second in range(first + 1, len(entries)):
            if entries[first] != entries[second]:
                swapped = list(entries)
                swapped[first], swapped[second] = entries[second], entries[first]
                mutants.append(Mutant("swap_axes", f"swapped axes {first + 1} and {second + 1} "
                                                   f"({_show(entries[first])} and "
                                                   f"{_show(entries[second])})", tuple(swapped)))
    for axis, entry in enumerate(entries):
        mutants.append(Mutant("drop_axis", f"dropped axis {axis + 1} ({_show(entry)})",
                              entries[:axis] + entries[axis + 1:]))
    for axis in range(len(entries) + 1):
        mutants.append(Mutant("add_axis", f"added an axis of size 1 at position {axis + 1}",
                              entries[:axis] + (1,) + entries[axis:]))
    for axis, entry in enumerate(entries):
        mutants.append(Mutant("repeat_axis", f"repeated axis {axis + 1} ({_show(entry)})",
                              entries[:axis + 1] + (entry,) + entries[axis + 1:]))
    for axis in range(len(entries) - 1):
        merged = _plain(entries[axis] * entries[axis + 1])
        mutants.append(Mutant("merge_axes", f"merged axes {axis + 1} and {axis + 2} into one of "
                                            f"size {_show(merged)}",
                              entries[:axis] + (merged,) + entries[axis + 2:]))
    return _unique(entries, mutants)


def answer_mutants(answer) -> list[Mutant]:
    """Wrong variants of a solver answer, by its type.

    ShapeAnswer -> :func:`shape_mutants` of its shape; IndexAnswer ->
    :func:`equation_mutants` with its index ranges; CountAnswer ->
    :func:`expression_mutants` of its value (ints stay ints). Answer types
    without mutation rules (numbers, explanations, tables) give ``[]``.
    """
    for answer_type, mutate in _BY_ANSWER_TYPE:
        if isinstance(answer, answer_type):
            return mutate(answer)
    return []


def _count_mutants(answer: CountAnswer) -> list[Mutant]:
    return [Mutant(m.kind, m.description, _plain(m.value))
            for m in expression_mutants(answer.value)]


_BY_ANSWER_TYPE: tuple[tuple[type, Callable[..., list[Mutant]]], ...] = (
    (ShapeAnswer, lambda answer: shape_mutants(answer.shape)),
    (IndexAnswer, lambda answer: equation_mutants(answer.equation, answer.ranges)),
    (CountAnswer, _count_mutants),
)


# --- walking the tree -----------------------------------------------------------------------

def _rewrites_everywhere(root: sympy.Basic) -> Iterator[_Rewrite]:
    """Every local rule at every node of ``root``, as rewrites of the whole of ``root``."""
    for path, node in _positions(root):
        for node_type, rule in _RULES:
            if isinstance(node, node_type):
                for kind, text, new_node in rule(node):
                    yield kind, text, _replace_at(root, path, new_node)


def _positions(node: sympy.Basic, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple, sympy.Basic]]:
    """(path, node) pairs in pre-order; a path is the argument positions from the root."""
    yield path, node
    for index in _mutable_args(node):
        yield from _positions(node.args[index], path + (index,))


def _mutable_args(node: sympy.Basic) -> Sequence[int]:
    """Argument positions to descend into: not tensor names, sum limits or exponents."""
    if isinstance(node, sympy.Sum):
        return (0,)                              # limits are changed by the Sum rule
    if isinstance(node, sympy.Indexed):
        return range(1, len(node.args))          # the indices, not the tensor's name
    if isinstance(node, sympy.Pow):
        return (0,)                              # exponents are changed by the Pow rule
    if isinstance(node, (sympy.IndexedBase, sympy.Atom)):
        return ()
    return range(len(node.args))


def _replace_at(root: sympy.Basic, path: tuple[int, ...], new: sympy.Basic) -> sympy.Basic:
    """``root`` with the node at ``path`` replaced by ``new`` (rebuilt, so sympy re-evaluates)."""
    if not path:
        return new
    args = list(root.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    return root.func(*args)


# --- local rules, one per mistake family ----------------------------------------------------

def _add_rules(node: sympy.Add) -> Iterator[_Rewrite]:
    """Drop a term, change the constant by +-1 (or add one), flip a term's sign, k -> 2*k."""
    terms = node.args
    where = to_text(node)
    for index, term in enumerate(terms):
        rest = terms[:index] + terms[index + 1:]
        yield "drop_term", f"dropped the {_signed(term)} in {where}", sympy.Add(*rest)
    constant = next((t for t in terms if t.is_Number), None)
    for step in (1, -1):
        if constant is not None:
            yield ("constant", f"changed {to_text(constant)} to {to_text(constant + step)} in "
                               f"{where}", node + step)
        else:
            yield "constant", f"added {step:+d} to {where}", node + step
    for index, term in enumerate(terms):
        if not term.is_Number:
            rest = terms[:index] + terms[index + 1:]
            yield ("sign", f"changed the sign of {to_text(term)} in {where}",
                   sympy.Add(*rest, -term))
            if isinstance(term, sympy.Symbol):
                yield ("coefficient", f"wrote 2*{term} instead of {term} in {where}",
                       sympy.Add(*rest, 2 * term))


def _mul_rules(node: sympy.Mul) -> Iterator[_Rewrite]:
    """Change the numeric coefficient by +-1, drop a factor (or a division)."""
    coefficient, factors = node.as_coeff_mul()
    where = to_text(node)
    if coefficient != 1:
        for step in (1, -1):
            changed = coefficient + step
            if changed != 0:
                yield ("coefficient", f"changed the coefficient {to_text(coefficient)} to "
                                      f"{to_text(changed)} in {where}",
                       sympy.Mul(changed, *factors))
    for index, factor in enumerate(node.args):
        rest = node.args[:index] + node.args[index + 1:]
        if isinstance(factor, sympy.Pow) and factor.exp == -1:
            yield ("drop_divisor", f"dropped the division by {to_text(factor.base)} in {where}",
                   sympy.Mul(*rest))
        elif not factor.is_Number:
            yield "drop_factor", f"dropped the factor {to_text(factor)} in {where}", sympy.Mul(*rest)


def _pow_rules(node: sympy.Pow) -> Iterator[_Rewrite]:
    """An integer exponent n >= 2 becomes n + 1 or n - 1."""
    if node.exp.is_Integer and node.exp >= 2:
        for step in (1, -1):
            yield ("exponent", f"changed the power {to_text(node)} to "
                               f"{to_text(node.base ** (node.exp + step))}",
                   node.base ** (node.exp + step))


def _floor_rules(node: sympy.floor) -> Iterator[_Rewrite]:
    """floor(a) -> a (exact division assumed), floor(a) -> ceil(a)."""
    inner = node.args[0]
    yield "floor_to_plain", f"wrote {to_text(inner)} without the floor", inner
    yield "floor_to_ceil", f"rounded {to_text(inner)} up instead of down", sympy.ceiling(inner)


def _ceiling_rules(node: sympy.ceiling) -> Iterator[_Rewrite]:
    """ceil(a) -> a, ceil(a) -> floor(a)."""
    inner = node.args[0]
    yield "ceil_to_plain", f"wrote {to_text(inner)} without the ceiling", inner
    yield "ceil_to_floor", f"rounded {to_text(inner)} down instead of up", sympy.floor(inner)


def _indexed_rules(node: sympy.Indexed) -> Iterator[_Rewrite]:
    """One index +-1; two different indices swapped; two index names exchanged or confused."""
    indices = node.indices
    where = to_text(node)
    for position, index in enumerate(indices):
        for step in (1, -1):
            yield ("off_by_one", f"shifted the index {to_text(index)} of {where} by {step:+d}",
                   _entry(node, _with_entry(indices, position, index + step)))
    for first in range(len(indices)):
        for second in range(first + 1, len(indices)):
            if indices[first] != indices[second]:
                swapped = list(indices)
                swapped[first], swapped[second] = indices[second], indices[first]
                yield ("swap_indices", f"swapped the indices {to_text(indices[first])} and "
                                       f"{to_text(indices[second])} in {where}",
                       _entry(node, swapped))
    names = sorted({s for index in indices for s in index.free_symbols}, key=lambda s: s.name)
    for a in names:
        for b in names:
            if a.name < b.name:
                yield ("swap_indices", f"exchanged the indices {a} and {b} in {where}",
                       node.xreplace({a: b, b: a}))
    for a in names:
        for b in names:
            if a != b:
                yield ("wrong_index", f"wrote {b} instead of {a} in {where}",
                       node.xreplace({a: b}))


def _sum_rules(node: sympy.Sum) -> Iterator[_Rewrite]:
    """Bounds lo+1, hi-1, hi+1; the sum dropped (index fixed at lo); the index flipped in one entry."""
    body, limits = node.function, node.limits
    for position, (var, lo, hi) in enumerate(limits):
        def with_limit(new_lo, new_hi):
            return sympy.Sum(body, *_with_entry(limits, position, (var, new_lo, new_hi)))
        yield ("sum_bounds", f"started the sum over {var} at {lo + 1} instead of {lo}",
               with_limit(lo + 1, hi))
        yield "sum_bounds", f"ended the sum over {var} at {hi - 1} instead of {hi}", with_limit(lo, hi - 1)
        yield "sum_bounds", f"ended the sum over {var} at {hi + 1} instead of {hi}", with_limit(lo, hi + 1)
        others = limits[:position] + limits[position + 1:]
        fixed = body.xreplace({var: lo})
        yield ("drop_sum", f"dropped the sum over {var} (kept only {var} = {lo})",
               sympy.Sum(fixed, *others) if others else fixed)
        for entry, flipped in _flips_in_entries(body, var, lo, hi):
            yield ("flip_kernel", f"flipped {var} in {to_text(entry)}: {var} -> "
                                  f"{to_text(lo + hi - var)}",
                   sympy.Sum(body.xreplace({entry: flipped}), *limits))


_RULES: tuple[tuple[type, _Rule], ...] = (
    (sympy.Add, _add_rules),
    (sympy.Mul, _mul_rules),
    (sympy.Pow, _pow_rules),
    (sympy.floor, _floor_rules),
    (sympy.ceiling, _ceiling_rules),
    (sympy.Indexed, _indexed_rules),
    (sympy.Sum, _sum_rules),
)


# --- whole-expression rules -----------------------------------------------------------------

def _ignored_symbols(expr: sympy.Basic) -> list[_Rewrite]:
    """Each size symbol taken as 1 and as 0: a forgotten stride or dilation, padding, ..."""
    rewrites = []
    for symbol in sorted(expr.free_symbols, key=lambda s: s.name):
        for value in (1, 0):
            rewrites.append(("ignored_symbol", f"took {symbol} = {value} (left {symbol} out)",
                             expr.xreplace({symbol: sympy.Integer(value)})))
    return rewrites


def _free_index_flips(rhs: sympy.Basic, ranges: Sequence[tuple[str, int, int]]) -> list[_Rewrite]:
    """Each free index with a known range flipped (``l -> lo + hi - l``) in one entry of ``rhs``."""
    rewrites = []
    for name, lo, hi in ranges:
        var = sympy.Symbol(name, integer=True)
        for entry, flipped in _flips_in_entries(rhs, var, lo, hi):
            rewrites.append(("flip_kernel", f"flipped {var} in {to_text(entry)}: {var} -> "
                                            f"{to_text(lo + hi - var)}",
                             rhs.xreplace({entry: flipped})))
    return rewrites


def _flips_in_entries(expr: sympy.Basic, var: sympy.Symbol, lo, hi) -> list[tuple]:
    """(entry, entry with var -> lo + hi - var) for each distinct tensor entry of expr using var."""
    entries = sorted((e for e in expr.atoms(sympy.Indexed) if var in e.free_symbols),
                     key=sympy.default_sort_key)
    return [(entry, entry.xreplace({var: lo + hi - var})) for entry in entries]


# --- small helpers --------------------------------------------------------------------------

def _unique(original, mutants: Iterable[Mutant]) -> list[Mutant]:
    """Mutants in order, the first of each value only, none equal to ``original``."""
    seen, kept = {original}, []
    for mutant in mutants:
        if mutant.value not in seen:
            seen.add(mutant.value)
            kept.append(mutant)
    return kept


def _is_bad(value: sympy.Basic) -> bool:
    """True when a rewrite produced infinity or nan (a symbol taken as 0 in a denominator)."""
    return isinstance(value, sympy.Basic) and value.has(*_BAD_VALUES)


def _entry(node: sympy.Indexed, indices: Sequence) -> sympy.Indexed:
    return node.base[tuple(indices)]


def _with_entry(items: Sequence, position: int, value) -> tuple:
    return tuple(items[:position]) + (value,) + tuple(items[position + 1:])


def _plain(value):
    """Python ints for whole numbers (shape entries, counts); other expressions unchanged."""
    if isinstance(value, sympy.Integer):
        return int(value)
    return value


def _show(value) -> str:
    return str(value) if isinstance(value, int) else to_text(value)


def _signed(term: sympy.Basic) -> str:
    """``+1``, ``-2*j``: a term as it appears in a sum."""
    if term.could_extract_minus_sign():
        return f"-{to_text(-term)}"
    return f"+{to_text(term)}"
