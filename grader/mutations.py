"""Machine-made wrong variants ("mutants") of a correct answer.

Each mutant changes one thing a student plausibly gets wrong: a constant or
a coefficient off by one, a dropped term or factor, ``floor`` written as a
plain division, two indices swapped in a tensor entry, the bounds of a sum,
a dropped sum, a flipped kernel index, a size taken as 0 or 1, a max written
as one of its arguments or as a min, a comparison with its equal case on the
other side (``[x >= 0]`` for relu's ``[x > 0]``) or reversed, a shape axis
dropped, added or swapped. The ``kind`` names the rule and the
``description`` says in words what changed, so later feedback can name the
student's mistake when a wrong answer matches a mutant.

Mutants are built structurally on the project's expression tree
(:mod:`solver.notation.tree`; no text is parsed and no sympy object is
made). Rewritten nodes are put together by the folding constructors of
:mod:`solver.notation.build` plus a light tidy-up (nested sums and products
flattened, their numbers combined, zero terms and unit factors dropped), so
``H - K + 1`` shifted by +1 is ``H - K + 2`` and ``P`` taken as 0 in
``H + 2*P - K`` is ``H - K``; every mutant prints and reads back to an equal
tree. Mutants are candidates: a few can still equal the correct answer
(widening a sum over entries that lie outside the tensor, so are 0); callers
that need truly wrong variants check that themselves. Order is deterministic
and every value appears once, never equal to the original. A rewrite that
would divide by zero (a size taken as 0 in a denominator) is left out.

Local rules are registered per node type in ``_RULES`` (one function each);
adding a mistake means one rule function and one registration line. The
walk over positions is generic (``children()``/``rebuild``); ``_OWNED``
names the children that a rule changes itself (sum bounds, exponents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from solver.answers import CountAnswer, IndexAnswer, ShapeAnswer
from solver.notation import NotationError, build, to_text
from solver.notation.tree import (ONE, ZERO, Abs, Add, Ceil, Delta, Div, Entry, Equation, Expr, Floor, Iverson,
                                  Max, Min, Mod, Mul, Neg, Node, Num, Pow, Rel, Sum, Sym, num, symbols_in)


@dataclass(frozen=True)
class Mutant:
    """One wrong variant: the rule that made it, what changed in words, and the mutated value.

    ``value`` has the type of the original: an expression tree
    (:class:`~solver.notation.tree.Expr`), a tree
    :class:`~solver.notation.tree.Equation`, or a shape tuple of trees.
    """

    kind: str
    description: str
    value: object


#: A candidate rewrite of one node: (kind, description, new node, or None when it cannot be built).
_Rewrite = tuple[str, str, Expr | None]
_Rule = Callable[[Node], Iterable[_Rewrite]]


# --- public API -----------------------------------------------------------------------------

def expression_mutants(expr: Expr) -> list[Mutant]:
    """Wrong variants of a formula such as ``floor((H + 2*P - D*(K - 1) - 1)/S) + 1``.

    Takes an expression tree; returns mutants whose values are trees: every
    local rule at every node (constants and coefficients +-1, a term dropped
    or its sign flipped, a factor or a division dropped, a numeric divisor
    +-1, floor(a) -> a or ceil(a), ceil(a) -> a or floor(a), integer
    exponents +-1, tensor-entry and sum rules), then the whole formula +-1
    and each size symbol taken as 1 or as 0 (a forgotten stride, dilation or
    padding).
    """
    rewrites = list(_rewrites_everywhere(expr))
    rewrites += [("off_by_one", f"added {step:+d} to the whole formula", _plus(expr, step))
                 for step in (1, -1)]
    rewrites += _ignored_symbols(expr)
    return _unique(expr, (Mutant(kind, text, value) for kind, text, value in rewrites))


def equation_mutants(eq: Equation, ranges: Sequence[tuple[str, int, int | Expr]] = ()) -> list[Mutant]:
    """Wrong variants of an index equation; only the right-hand side changes.

    Takes the equation and optionally the inclusive ranges of its free
    left-hand-side indices as ``(name, first, last)`` (the ``range_trees`` of an
    :class:`IndexAnswer`: ints, or trees for symbolic sizes). Returns mutants whose values are Equations: every
    local rule at every node of the rhs (index offsets and coefficients, two
    different indices of an entry swapped, sum bounds lo+1 / hi-1 / hi+1, a
    sum dropped with its index fixed at lo, a summed index flipped in one
    entry ``k -> lo + hi - k``, terms and factors dropped), plus each free
    index flipped the same way in one entry.
    """
    rewrites = list(_rewrites_everywhere(eq.rhs))
    rewrites += _free_index_flips(eq.rhs, ranges)
    return _unique(eq, (Mutant(kind, text, Equation(eq.of, eq.wrt, rhs)) for kind, text, rhs in rewrites))


def shape_mutants(shape: Sequence[Expr]) -> list[Mutant]:
    """Wrong variants of a shape such as ``(4, 5)`` or ``(F, floor(...) + 1, ...)``.

    Takes a tuple of size trees; returns mutants whose values are tuples of
    trees: an entry +-1 or +-2 (numeric entries stay >= 1), two different
    entries swapped, an axis dropped, an axis of 1 added at each position, an
    axis repeated, two neighbouring axes merged into one (their product), and
    every :func:`expression_mutants` variant of each symbolic entry.
    """
    entries = tuple(shape)
    mutants: list[Mutant] = []
    # Formula rules first: where a value repeats, their description is the more specific one.
    for axis, entry in enumerate(entries):
        if not isinstance(entry, Num):
            for inner in expression_mutants(entry):
                mutants.append(Mutant(inner.kind, f"axis {axis + 1}: {inner.description}",
                                      _with_item(entries, axis, inner.value)))
    for axis, entry in enumerate(entries):
        for step in (1, -1, 2, -2):
            changed = _plus(entry, step)
            if isinstance(changed, Num) and changed.value < 1:
                continue
            kind = "off_by_one" if abs(step) == 1 else "off_by_two"
            mutants.append(Mutant(kind, f"axis {axis + 1}: {to_text(entry)} -> {to_text(changed)}",
                                  _with_item(entries, axis, changed)))
    for first in range(len(entries)):
        for second in range(first + 1, len(entries)):
            if entries[first] != entries[second]:
                swapped = list(entries)
                swapped[first], swapped[second] = entries[second], entries[first]
                mutants.append(Mutant("swap_axes", f"swapped axes {first + 1} and {second + 1} "
                                                   f"({to_text(entries[first])} and "
                                                   f"{to_text(entries[second])})", tuple(swapped)))
    for axis, entry in enumerate(entries):
        mutants.append(Mutant("drop_axis", f"dropped axis {axis + 1} ({to_text(entry)})",
                              entries[:axis] + entries[axis + 1:]))
    for axis in range(len(entries) + 1):
        mutants.append(Mutant("add_axis", f"added an axis of size 1 at position {axis + 1}",
                              entries[:axis] + (ONE,) + entries[axis:]))
    for axis, entry in enumerate(entries):
        mutants.append(Mutant("repeat_axis", f"repeated axis {axis + 1} ({to_text(entry)})",
                              entries[:axis + 1] + (entry,) + entries[axis + 1:]))
    for axis in range(len(entries) - 1):
        merged = _product((entries[axis], entries[axis + 1]))
        mutants.append(Mutant("merge_axes", f"merged axes {axis + 1} and {axis + 2} into one of "
                                            f"size {to_text(merged)}",
                              entries[:axis] + (merged,) + entries[axis + 2:]))
    return _unique(entries, mutants)


def answer_mutants(answer) -> list[Mutant]:
    """Wrong variants of a solver answer, by its type, from the answer's trees.

    ShapeAnswer -> :func:`shape_mutants` of ``trees``; IndexAnswer ->
    :func:`equation_mutants` of ``tree`` with its index ranges; CountAnswer
    -> :func:`expression_mutants` of ``tree``. Answer types without mutation
    rules (numbers, explanations, tables) give ``[]``.
    """
    for answer_type, mutate in _BY_ANSWER_TYPE:
        if isinstance(answer, answer_type):
            return mutate(answer)
    return []


_BY_ANSWER_TYPE: tuple[tuple[type, Callable[..., list[Mutant]]], ...] = (
    (ShapeAnswer, lambda answer: shape_mutants(answer.trees)),
    (IndexAnswer, lambda answer: equation_mutants(answer.tree, answer.range_trees)),
    (CountAnswer, lambda answer: expression_mutants(answer.tree)),
)


# --- walking the tree -----------------------------------------------------------------------

#: Child positions not descended into, because the node's own rule changes them.
_OWNED: dict[type, frozenset[int]] = {
    Sum: frozenset({1, 2}),         # the bounds: the Sum rule shifts them
    Pow: frozenset({1}),            # the exponent: the Pow rule changes it
}


def _rewrites_everywhere(root: Expr) -> Iterator[_Rewrite]:
    """Every local rule at every node of ``root``, as rewrites of the whole of ``root``.

    A rewrite that cannot be built (a division by zero, a number past the size
    limits; a rule gives None for it) is left out.
    """
    for path, node in _positions(root):
        rule = _RULES.get(type(node))
        if rule is None:
            continue
        for kind, text, new_node in rule(node):
            if new_node is None:
                continue
            try:
                yield kind, text, _replace_at(root, path, new_node)
            except NotationError:
                continue


def _positions(node: Node, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Node]]:
    """(path, node) pairs in pre-order; a path is the child positions from the root."""
    yield path, node
    owned = _OWNED.get(type(node), frozenset())
    for position, child in enumerate(node.children()):
        if position not in owned:
            yield from _positions(child, path + (position,))


def _replace_at(root: Node, path: tuple[int, ...], new: Node) -> Node:
    """``root`` with the node at ``path`` replaced by ``new``; the parents are rebuilt tidily."""
    if not path:
        return new
    children = list(root.children())
    children[path[0]] = _replace_at(children[path[0]], path[1:], new)
    return _rebuild(root, tuple(children))


# --- local rules, one per mistake family ----------------------------------------------------

def _add_rules(node: Add) -> Iterator[_Rewrite]:
    """Drop a term, change the constant by +-1 (or add one), flip a term's sign, k -> 2*k."""
    terms = node.terms
    where = to_text(node)
    for index, term in enumerate(terms):
        yield "drop_term", f"dropped the {_signed(term)} in {where}", _sum(_without(terms, index))
    constant = next((t for t in terms if isinstance(t, Num)), None)
    for step in (1, -1):
        if constant is not None:
            changed = num(constant.value + step)
            yield ("constant", f"changed {to_text(constant)} to {to_text(changed)} in {where}",
                   _plus(node, step))
        else:
            yield "constant", f"added {step:+d} to {where}", _plus(node, step)
    for index, term in enumerate(terms):
        if not isinstance(term, Num):
            yield ("sign", f"changed the sign of {to_text(term)} in {where}",
                   _sum(_with_item(terms, index, _negated(term))))
            if isinstance(term, Sym):
                yield ("coefficient", f"wrote 2*{term.name} instead of {term.name} in {where}",
                       _sum(_with_item(terms, index, _product((num(2), term)))))


def _neg_rules(node: Neg) -> Iterator[_Rewrite]:
    """The implicit coefficient -1 of ``-a`` becomes -2 (a numeric coefficient is the Mul rule's)."""
    if isinstance(node.operand, Mul) and _coefficient_position(node.operand) is not None:
        return
    changed = Neg(_product((num(2), node.operand)))
    yield ("coefficient", f"changed the coefficient -1 to -2 in {to_text(node)}", changed)


def _mul_rules(node: Mul) -> Iterator[_Rewrite]:
    """Change the numeric coefficient by +-1 (never to 0), drop a factor."""
    factors = node.factors
    where = to_text(node)
    position = _coefficient_position(node)
    if position is not None:
        coefficient = factors[position].value
        for step in (1, -1):
            changed = coefficient + step
            if changed != 0:
                yield ("coefficient", f"changed the coefficient {to_text(num(coefficient))} to "
                                      f"{to_text(num(changed))} in {where}",
                       _product(_with_item(factors, position, num(changed))))
    for index, factor in enumerate(factors):
        if not isinstance(factor, Num):
            yield ("drop_factor", f"dropped the factor {to_text(factor)} in {where}",
                   _product(_without(factors, index)))


def _div_rules(node: Div) -> Iterator[_Rewrite]:
    """Drop the division (or one factor of a product divisor); a numeric divisor +-1 (never 0);
    drop the numerator as a factor (``a/S`` -> ``1/S``; factors of a product numerator are the
    Mul rule's)."""
    numerator, denominator = node.numerator, node.denominator
    where = to_text(node)
    yield "drop_divisor", f"dropped the division by {to_text(denominator)} in {where}", numerator
    if not isinstance(numerator, (Num, Mul)):
        yield ("drop_factor", f"dropped the factor {to_text(numerator)} in {where}",
               _built(_quotient, ONE, denominator))
    if isinstance(denominator, Mul):
        for index, factor in enumerate(denominator.factors):
            if not isinstance(factor, Num):
                yield ("drop_divisor", f"dropped the division by {to_text(factor)} in {where}",
                       _built(_quotient, numerator, _product(_without(denominator.factors, index))))
    if isinstance(denominator, Num):
        for step in (1, -1):
            changed = denominator.value + step
            if changed != 0:
                yield ("coefficient", f"divided by {to_text(num(changed))} instead of "
                                      f"{to_text(denominator)} in {where}",
                       _quotient(numerator, num(changed)))


def _pow_rules(node: Pow) -> Iterator[_Rewrite]:
    """An integer exponent n >= 2 becomes n + 1 or n - 1."""
    exponent = node.exponent
    if isinstance(exponent, Num) and isinstance(exponent.value, int) and exponent.value >= 2:
        for step in (1, -1):
            changed = exponent.value + step
            value = node.base if changed == 1 else _built(build.power, node.base, num(changed))
            if value is not None:
                yield "exponent", f"changed the power {to_text(node)} to {to_text(value)}", value


def _floor_rules(node: Floor) -> Iterator[_Rewrite]:
    """floor(a) -> a (exact division assumed), floor(a) -> ceil(a)."""
    inner = node.arg
    yield "floor_to_plain", f"wrote {to_text(inner)} without the floor", inner
    yield "floor_to_ceil", f"rounded {to_text(inner)} up instead of down", build.ceil(inner)


def _ceil_rules(node: Ceil) -> Iterator[_Rewrite]:
    """ceil(a) -> a, ceil(a) -> floor(a)."""
    inner = node.arg
    yield "ceil_to_plain", f"wrote {to_text(inner)} without the ceiling", inner
    yield "ceil_to_floor", f"rounded {to_text(inner)} down instead of up", build.floor(inner)


def _entry_rules(node: Entry) -> Iterator[_Rewrite]:
    """One index +-1; two different indices swapped; two index names exchanged or confused."""
    indices = node.indices
    where = to_text(node)
    for position, index in enumerate(indices):
        for step in (1, -1):
            yield ("off_by_one", f"shifted the index {to_text(index)} of {where} by {step:+d}",
                   Entry(node.name, _with_item(indices, position, _plus(index, step))))
    for first in range(len(indices)):
        for second in range(first + 1, len(indices)):
            if indices[first] != indices[second]:
                swapped = list(indices)
                swapped[first], swapped[second] = indices[second], indices[first]
                yield ("swap_indices", f"swapped the indices {to_text(indices[first])} and "
                                       f"{to_text(indices[second])} in {where}",
                       Entry(node.name, tuple(swapped)))
    names = sorted(set().union(*(symbols_in(index) for index in indices)))
    for a in names:
        for b in names:
            if a < b:
                yield ("swap_indices", f"exchanged the indices {a} and {b} in {where}",
                       _built(_substitute, node, {a: Sym(b), b: Sym(a)}))
    for a in names:
        for b in names:
            if a != b:
                yield ("wrong_index", f"wrote {b} instead of {a} in {where}",
                       _built(_substitute, node, {a: Sym(b)}))


def _sum_rules(node: Sum) -> Iterator[_Rewrite]:
    """Bounds lo+1, hi-1, hi+1; the sum dropped (index fixed at lo); the index flipped in one entry."""
    body, var, lo, hi = node.body, node.index, node.lower, node.upper
    first, before_last, after_last = _plus(lo, 1), _plus(hi, -1), _plus(hi, 1)
    for new_lo, new_hi, text in ((first, hi, f"started the sum over {var} at {to_text(first)} instead of "
                                             f"{to_text(lo)}"),
                                 (lo, before_last, f"ended the sum over {var} at {to_text(before_last)} "
                                                   f"instead of {to_text(hi)}"),
                                 (lo, after_last, f"ended the sum over {var} at {to_text(after_last)} "
                                                  f"instead of {to_text(hi)}")):
        yield "sum_bounds", text, _built(build.summation, body, var, new_lo, new_hi)
    yield ("drop_sum", f"dropped the sum over {var} (kept only {var} = {to_text(lo)})",
           _built(_substitute, body, {var: lo}))
    flip = _flip(var, lo, hi)
    for entry, flipped in _flips_in_entries(body, var, flip):
        yield ("flip_kernel", f"flipped {var} in {to_text(entry)}: {var} -> {to_text(flip)}",
               _built(lambda: Sum(_replace_entry(body, entry, flipped, var), var, lo, hi)))


def _delta_rules(node: Delta) -> Iterator[_Rewrite]:
    """The delta dropped (taken as 1), and its second argument shifted by +-1 (when that is not an
    Add, whose constant the Add rule already changes)."""
    where = to_text(node)
    yield "drop_factor", f"took {where} as 1", ONE
    if not isinstance(node.right, Add):
        for step in (1, -1):
            shifted = _built(build.delta, node.left, _sum((node.right, num(step))))
            if shifted is not None:
                yield "constant", f"added {step:+d} to the second argument of {where}", shifted


def _max_rules(node: Max) -> Iterator[_Rewrite]:
    """max(a, b) -> a or b alone (the max forgotten), max -> min."""
    where = to_text(node)
    for index, arg in enumerate(node.args):
        rest = _without(node.args, index)
        kept = rest[0] if len(rest) == 1 else _built(build.extremum, Max, rest)
        yield "drop_max", f"dropped {to_text(arg)} from {where}", kept
    yield "max_to_min", f"took the minimum instead of the maximum in {where}", \
        _built(build.extremum, Min, node.args)


#: a strict comparison and its non-strict twin, each way
_RELAXED = {">": ">=", ">=": ">", "<": "<=", "<=": "<"}
_REVERSED = {">": "<", "<": ">", ">=": "<=", "<=": ">="}


def _rel_rules(node: Rel) -> Iterator[_Rewrite]:
    """a > b <-> a >= b (the boundary case on the wrong side, such as relu's slope at 0), and
    the comparison reversed (a > b -> a < b)."""
    where = to_text(Iverson(node))
    if node.op in _RELAXED:
        changed = Rel(_RELAXED[node.op], node.left, node.right)
        yield ("boundary", f"wrote {to_text(Iverson(changed))} instead of {where} (the equal "
                           f"case on the other side)", changed)
        reversed_ = Rel(_REVERSED[node.op], node.left, node.right)
        yield "reversed_relation", f"reversed the comparison in {where}", reversed_


_RULES: dict[type, _Rule] = {
    Add: _add_rules,
    Neg: _neg_rules,
    Mul: _mul_rules,
    Div: _div_rules,
    Pow: _pow_rules,
    Floor: _floor_rules,
    Ceil: _ceil_rules,
    Entry: _entry_rules,
    Sum: _sum_rules,
    Delta: _delta_rules,
    Max: _max_rules,
    Rel: _rel_rules,
}


# --- whole-expression rules -----------------------------------------------------------------

def _ignored_symbols(expr: Expr) -> list[_Rewrite]:
    """Each size symbol taken as 1 and as 0: a forgotten stride or dilation, padding, ...

    A value that divides by zero is left out.
    """
    rewrites = []
    for name in sorted(symbols_in(expr)):
        for value in (1, 0):
            changed = _built(_substitute, expr, {name: num(value)})
            if changed is not None:
                rewrites.append(("ignored_symbol", f"took {name} = {value} (left {name} out)", changed))
    return rewrites


def _free_index_flips(rhs: Expr, ranges: Sequence[tuple[str, int, int | Expr]]) -> list[_Rewrite]:
    """Each free index with a known range flipped (``l -> lo + hi - l``) in one entry of ``rhs``."""
    rewrites = []
    for name, lo, hi in ranges:
        flip = _flip(name, _node(lo), _node(hi))
        for entry, flipped in _flips_in_entries(rhs, name, flip):
            changed = _built(_replace_entry, rhs, entry, flipped, name)
            if changed is not None:
                rewrites.append(("flip_kernel", f"flipped {name} in {to_text(entry)}: {name} -> "
                                                f"{to_text(flip)}", changed))
    return rewrites


def _node(value) -> Expr:
    """A range bound as a tree (bounds are ints, or trees for symbolic sizes)."""
    return value if isinstance(value, Node) else num(value)


def _flip(name: str, lo: Expr, hi: Expr) -> Expr:
    """``lo + hi - name``, e.g. ``4 - k`` for k in 1..3."""
    ends = _sum((lo, hi))
    return build.add((*_terms(ends), Neg(Sym(name))))


def _flips_in_entries(expr: Expr, var: str, flip: Expr) -> list[tuple[Entry, Expr]]:
    """(entry, entry with var -> flip) for each distinct tensor entry of ``expr`` using ``var``
    freely, in reading order."""
    entries: list[Entry] = []
    _collect_entries(expr, var, entries)
    flips = [(entry, _built(_substitute, entry, {var: flip})) for entry in entries]
    return [(entry, flipped) for entry, flipped in flips if flipped is not None]


def _collect_entries(node: Node, var: str, found: list[Entry]) -> None:
    if isinstance(node, Entry):
        if var in symbols_in(node) and node not in found:
            found.append(node)
        return
    if isinstance(node, Sum) and node.index == var:          # var is another variable in there
        _collect_entries(node.lower, var, found)
        _collect_entries(node.upper, var, found)
        return
    for child in node.children():
        _collect_entries(child, var, found)


def _replace_entry(node: Node, entry: Entry, new: Expr, var: str) -> Node:
    """``node`` with every occurrence of ``entry`` where ``var`` is free replaced by ``new``."""
    if node == entry:
        return new
    if isinstance(node, Sum) and node.index == var:
        children = (node.body, _replace_entry(node.lower, entry, new, var),
                    _replace_entry(node.upper, entry, new, var))
    else:
        children = tuple(_replace_entry(child, entry, new, var) for child in node.children())
    return _rebuild_if_changed(node, children)


# --- tidy construction ----------------------------------------------------------------------

def substitute(node: Node, values: Mapping[str, Expr]) -> Node:
    """``node`` with the free symbols named in ``values`` replaced at once (sum indices stay
    bound), rebuilt tidily; raises NotationError when the result divides by a zero number."""
    return _substitute(node, values)


def _substitute(node: Node, values: Mapping[str, Expr]) -> Node:
    """``node`` with the free symbols named in ``values`` replaced at once, rebuilt tidily.

    Raises NotationError when the result divides by a zero number.
    """
    if isinstance(node, Sym):
        return values.get(node.name, node)
    if isinstance(node, Sum) and node.index in values:
        inner = {name: value for name, value in values.items() if name != node.index}
        children = (_substitute(node.body, inner) if inner else node.body,
                    _substitute(node.lower, values), _substitute(node.upper, values))
    else:
        children = tuple(_substitute(child, values) for child in node.children())
    return _rebuild_if_changed(node, children)


def _built(make: Callable[..., Node], *args) -> Node | None:
    """``make(*args)``, or None when it raises NotationError (a division by zero, a number too large)."""
    try:
        return make(*args)
    except NotationError:
        return None


def _rebuild_if_changed(node: Node, children: tuple[Node, ...]) -> Node:
    if all(new is old for new, old in zip(children, node.children())):
        return node
    return _rebuild(node, children)


def _rebuild(node: Node, children: tuple[Node, ...]) -> Node:
    """A node like ``node`` with new children, through the folding constructors."""
    construct = _TIDY.get(type(node))
    return construct(node, children) if construct else node.rebuild(children)


def _terms(expr: Expr) -> tuple[Expr, ...]:
    return expr.terms if isinstance(expr, Add) else (expr,)


def _sum(terms: Iterable[Expr]) -> Expr:
    """``t1 + t2 + ...`` with nested sums flattened and the numbers combined into one constant
    at the end (dropped when 0): ``2*j + (4 - k) - 2`` -> ``2*j - k + 2``."""
    flat = [term for t in terms for term in _terms(t)]
    numbers = [t for t in flat if isinstance(t, Num)]
    rest = [t for t in flat if not isinstance(t, Num)]
    if numbers:
        constant = build.add(numbers)
        if constant.value != 0 or not rest:
            rest.append(constant)
    return build.add(rest) if rest else ZERO


def _plus(expr: Expr, step: int) -> Expr:
    """``expr + step``, merged into the constant of a sum: ``H - K + 1`` + 1 -> ``H - K + 2``."""
    return _sum((expr, num(step)))


def _product(factors: Iterable[Expr]) -> Expr:
    """``f1 * f2 * ...`` with nested products flattened and the numbers combined into a leading
    coefficient: 1 is dropped, 0 gives 0, a negative coefficient becomes a negation."""
    flat = [f for factor in factors for f in (factor.factors if isinstance(factor, Mul) else (factor,))]
    numbers = [f for f in flat if isinstance(f, Num)]
    rest = [f for f in flat if not isinstance(f, Num)]
    coefficient = build.mul(numbers).value if numbers else 1
    if coefficient == 0 or not rest:
        return num(coefficient)
    if coefficient < 0:
        return _negated(_product((num(-coefficient), *rest)))
    return build.mul(rest if coefficient == 1 else (num(coefficient), *rest))


def _quotient(numerator: Expr, denominator: Expr) -> Expr:
    """``numerator / denominator``; ``a/1`` is ``a``, ``0/b`` is 0. Raises NotationError for ``a/0``."""
    value = build.div(numerator, denominator)
    if denominator == ONE:
        return numerator
    if numerator == ZERO:
        return ZERO
    return value


def _negated(expr: Expr) -> Expr:
    """``-expr``, without a double negation: ``-(-a)`` is ``a``."""
    return expr.operand if isinstance(expr, Neg) else build.neg(expr)


_TIDY: dict[type, Callable[[Node, tuple], Node]] = {
    Add: lambda node, c: _sum(c),
    Mul: lambda node, c: _product(c),
    Neg: lambda node, c: _negated(c[0]),
    Div: lambda node, c: _quotient(*c),
    Pow: lambda node, c: build.power(*c),
    Floor: lambda node, c: build.floor(c[0]),
    Ceil: lambda node, c: build.ceil(c[0]),
    Abs: lambda node, c: build.absolute(c[0]),
    Mod: lambda node, c: build.mod(*c),
    Min: lambda node, c: build.extremum(Min, c),
    Max: lambda node, c: build.extremum(Max, c),
    Delta: lambda node, c: build.delta(*c),
    Sum: lambda node, c: build.summation(c[0], node.index, c[1], c[2]),
}


# --- small helpers --------------------------------------------------------------------------

def _unique(original, mutants: Iterable[Mutant]) -> list[Mutant]:
    """Mutants in order, the first of each value only, none equal to ``original``.

    Values are compared up to the order of the terms of a sum and the factors of a product
    (and the arguments of min/max), so ``x[k + j - 1]`` repeats ``x[j + k - 1]``.
    """
    seen, kept = {_order_free(original)}, []
    for mutant in mutants:
        key = _order_free(mutant.value)
        if key not in seen:
            seen.add(key)
            kept.append(mutant)
    return kept


_UNORDERED = (Add, Mul, Min, Max)


def _order_free(value):
    """A hashable key of a tree, an Equation or a shape tuple that ignores the order of the
    operands of sums, products, min and max: each node as its skeleton (the node with every
    child replaced by 0, which keeps names, indices and operators) and its children's keys."""
    if isinstance(value, tuple):
        return tuple(_order_free(item) for item in value)
    if isinstance(value, Equation):
        return value.of, value.wrt, _order_free(value.rhs)
    children = value.children()
    if not children:
        return value
    keys = tuple(_order_free(child) for child in children)
    if isinstance(value, _UNORDERED):
        keys = tuple(sorted(keys, key=repr))
    return value.rebuild(tuple(ZERO for _ in children)), keys


def _coefficient_position(node: Mul) -> int | None:
    """The position of the first number among the factors of ``node``, if any."""
    return next((i for i, f in enumerate(node.factors) if isinstance(f, Num)), None)


def _with_item(items: Sequence, position: int, value) -> tuple:
    return tuple(items[:position]) + (value,) + tuple(items[position + 1:])


def _without(items: Sequence, position: int) -> tuple:
    return tuple(items[:position]) + tuple(items[position + 1:])


def _signed(term: Expr) -> str:
    """``+1``, ``-2*j``: a term as it appears in a sum."""
    if isinstance(term, Neg):
        return f"-{to_text(term.operand)}"
    if isinstance(term, Num) and term.value < 0:
        return f"-{to_text(num(-term.value))}"
    return f"+{to_text(term)}"
