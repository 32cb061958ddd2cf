"""The sizes at which an index expression is checked: one case for a numeric layer, several for
a layer given with symbolic sizes.

An index expression of a layer with symbolic sizes (``f[n, o, j] = b[o] + sum_{c=1}^{C} ...``)
must hold at every valid integer assignment of the sizes. It is checked at up to MAX_CASES
assignments from the part's domain (layer constraints and the spec's assumptions), each small
enough that its tensors have at most MAX_TENSOR_ENTRIES entries together, so that every index
can be compared exactly. The cases are chosen so that wrong general answers show:

* COVERING_CASES of them one after the other, each the assignment that exercises the most
  behaviours not yet exercised (the smallest of equals): every size's small values (stride 1
  and 2, padding 0, 1 and 2, ..., the degenerate sizes included), the order of every two of the
  layer's quantities, sizes and tensor lengths alike (P < S, P = S, P > S; the output longer
  than the input), and every layer constraint met with equality (K = 2P for pooling, the
  dilated kernel filling the padded input), since a wrong answer often differs only on one side
  of such a boundary;
* GENERIC_CASES "generic": as many sizes above their least value as possible (padding > 0,
  lengths and strides > 1), then as many distinct values and index assignments as possible, so
  that an answer that confuses two sizes (the stride with the dilation, C with F) or drops a
  term that vanishes only at a degenerate size (P = 0, D = 1, K = 1, L = 1) differs there;
* the rest a fixed random draw from the others, for the conditions no list names (output
  positions past L that still read the input: S = 1, K = 1, P > 0). An answer wrong only at
  assignments none of the cases meets is graded correct; the labelled corpora measure how
  rare that is.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from grader.checks.formulas import small_sample
from grader.checks.memo import memo
from solver.domain import Domain
from solver.notation import Budget, EvaluationError, evaluate_tree, tree

#: Size assignments checked at most for a layer with symbolic sizes: how many of them are chosen
#: to cover behaviours, how many as the most generic, the rest at random.
MAX_CASES = 32
COVERING_CASES = 12
GENERIC_CASES = 4
#: Tensor entries of one case at most (all the answer's tensors together).
MAX_TENSOR_ENTRIES = 600


@dataclass(frozen=True)
class SizeCase:
    """One assignment of the sizes: the size symbols' values (empty for a numeric layer), each
    free index's values and each tensor's shape there."""

    sizes: tuple[tuple[str, int], ...]
    ranges: tuple[tuple[str, range], ...]
    shapes: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def entries(self) -> int:
        """The number of tensor entries of the case."""
        total = 0
        for _, shape in self.shapes:
            count = 1
            for size in shape:
                count *= size
            total += count
        return total


class NoSizeCase(ValueError):
    """The domain has no valid assignment small enough to check an index expression at."""


def size_cases(expected, domain: Domain) -> tuple[SizeCase, ...]:
    """The cases at which ``expected`` (an IndexAnswer, or a named mistake shaped like one) is
    checked: its own ranges and shapes for a numeric layer; else up to MAX_CASES assignments of
    the ``domain`` (module docstring). Raises NoSizeCase when no small valid assignment exists."""
    if not expected.sizes:
        return (SizeCase((), tuple((name, range(first, last + 1)) for name, first, last in expected.ranges),
                         tuple((name, tuple(int(d) for d in shape)) for name, shape in expected.tensors)),)
    # a key and its named mistakes share ranges and shapes: their cases are found once
    known = memo(domain, "_grader_size_cases", dict)
    layout = (expected.sizes, expected.range_trees, expected.shape_trees)
    if layout not in known:
        known[layout] = _cases(expected, domain)
    return known[layout]


def _cases(expected, domain: Domain) -> tuple[SizeCase, ...]:
    sample = small_sample(domain)
    found = []
    for index in range(sample.size):
        case = _case_at(expected, sample.point(index))
        if case is not None and case.entries <= MAX_TENSOR_ENTRIES:
            found.append(case)
    if not found:
        raise NoSizeCase(f"no valid assignment of {', '.join(expected.sizes)} keeps this part's tensors "
                         f"under {MAX_TENSOR_ENTRIES} entries (check the spec's assumptions)")
    return _chosen(found, domain, expected)


def _case_at(expected, sizes: dict[str, int]) -> SizeCase | None:
    """The case at ``sizes``, or None where a shape or range is not a whole number >= 1."""
    try:
        shapes = tuple((name, tuple(_whole(d, sizes) for d in shape)) for name, shape in expected.shape_trees)
        ranges = tuple((name, range(first, _whole(last, sizes) + 1)) for name, first, last in expected.range_trees)
    except (EvaluationError, _NotWhole):
        return None
    if any(size < 1 for _, shape in shapes for size in shape) or any(not r for _, r in ranges):
        return None
    return SizeCase(tuple(sorted(sizes.items())), ranges, shapes)


class _NotWhole(Exception):
    pass


def _at(node: tree.Expr, sizes: dict[str, int]):
    """The exact value of a formula of the sizes at ``sizes``."""
    return evaluate_tree(node, env=sizes, budget=Budget(10**5))


def _whole(node: tree.Expr, sizes: dict[str, int]) -> int:
    value = _at(node, sizes)
    if value != int(value):
        raise _NotWhole(node)
    return int(value)


def _chosen(found: list[SizeCase], domain: Domain, expected) -> tuple[SizeCase, ...]:
    """Up to MAX_CASES of ``found`` (smallest first): COVERING_CASES that cover the most
    behaviours (:func:`_behaviours`) one after the other, then the most generic of the rest."""
    if len(found) <= MAX_CASES:
        return tuple(found)
    tight = _tight_relations(domain)
    derived = _derived_lengths(expected)
    covers = [_behaviours(case, tight, derived) for case in found]
    chosen: list[SizeCase] = []
    seen: set = set()
    # lazy greedy: a case's gain only shrinks as more is seen, so a stale gain is an upper bound
    # and only the top of the heap is recomputed (ties: the smaller case, earlier in ``found``)
    heap = [(-len(cover), position) for position, cover in enumerate(covers)]
    heapq.heapify(heap)
    while heap and len(chosen) < COVERING_CASES:
        _, position = heapq.heappop(heap)
        gain = len(covers[position] - seen)
        if gain == 0:
            continue
        if heap and (-gain, position) > heap[0]:
            heapq.heappush(heap, (-gain, position))
            continue
        chosen.append(found[position])
        seen |= covers[position]
    lows = {symbol.name: domain.lower_bound(symbol) for symbol in domain.symbols}
    rest = [case for case in found if case not in chosen]
    rest.sort(key=lambda case: _genericity(case, lows), reverse=True)   # stable: smaller first
    chosen += rest[:GENERIC_CASES]
    rest = rest[GENERIC_CASES:]
    # and a fixed random draw of the others: conditions no list of behaviours names (the output
    # positions past L reading real input, say) are met by a fair share of them
    draw = np.random.default_rng(0).permutation(len(rest))[:MAX_CASES - len(chosen)]
    chosen += [rest[i] for i in sorted(draw)]
    return tuple(chosen)


def _behaviours(case: SizeCase, tight, derived) -> set:
    """What a case exercises: each size's value, the order of each two of the layer's
    quantities (its sizes and the lengths derived from them: P < S, P = S, P > S, the output
    longer than the input, ...) and each layer constraint that holds with equality (K = 2P, the
    kernel filling the padded input exactly): wrong answers often differ only on one side of
    such a boundary."""
    sizes = dict(case.sizes)
    found = {("value", name, value) for name, value in case.sizes}
    quantities = sorted(sizes.items())
    quantities += [(f"~{number}", _at(length, sizes)) for number, length in enumerate(derived)]
    for position, (a, first) in enumerate(quantities):
        for b, second in quantities[position + 1:]:
            found.add(("order", a, b, (first > second) - (first < second)))
    found |= {("tight", number) for number, relation in enumerate(tight) if _equal_at(relation, sizes)}
    return found


def _derived_lengths(expected) -> list[tree.Expr]:
    """The answer's tensor lengths and index ranges that are formulas of the sizes (an output
    length floor((L + 2P - K)/S) + 1), each once; plain sizes and numbers are left out (they are
    the sizes themselves)."""
    trees = [d for _, shape in expected.shape_trees for d in shape]
    trees += [last for _, _, last in expected.range_trees]
    return list(dict.fromkeys(node for node in trees if not isinstance(node, (tree.Num, tree.Sym))))


def _tight_relations(domain: Domain) -> list[tree.Rel]:
    """The domain's inequalities (those that can hold with equality)."""
    return [r for r in domain.relation_trees if isinstance(r, tree.Rel) and r.op in ("<=", ">=")]


def _equal_at(relation: tree.Rel, sizes: dict) -> bool:
    try:
        return _at(relation.left, sizes) == _at(relation.right, sizes)
    except EvaluationError:
        return False


def _genericity(case: SizeCase, lows: dict[str, int]) -> tuple[int, int, int]:
    """(sizes above their least value, distinct values among the sizes, index assignments up to
    8): how unlikely a coincidence is there. A size at its least value (padding 0, a length of
    1, stride 1) makes terms vanish or windows collapse, so a wrong answer can agree there."""
    values = [value for _, value in case.sizes]
    above = sum(value > lows.get(name, 0) for name, value in case.sizes)
    points = 1
    for _, values_of_index in case.ranges:
        points *= len(values_of_index)
    return above, len(set(values)), min(points, 8)
