"""Equivalence of symbolic formulas over the integers of a part's domain.

Two formulas are taken as equal when they agree, exactly, at every point
of a fixed sample of integer assignments that satisfy the domain (sizes
>= 1, padding >= 0, the kernel fits, the spec's assumptions). Small values
dominate the sample, where floor/ceil off-by-one mistakes show. A formula
that differs is reported with a counterexample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.checks.memo import memo
from solver.domain import Domain
from solver.notation import UNDEFINED, PointwiseError, rationals_at, same_values, tree, values_at

SAMPLE_SIZE = 96
_CANDIDATES = 6000
_SCALES = np.array([1, 2, 3, 4, 6, 8, 12, 20, 40])
#: Numbers with more digits than this are shown by their size in feedback, not digit by digit.
_SHOWN_DIGITS = 40


@dataclass(frozen=True, eq=False)
class Sample:
    """Integer points of a domain: ``columns[name][i]`` is the symbol's value at point i."""

    names: tuple[str, ...]
    columns: dict
    size: int

    def point(self, index: int, only=None) -> dict[str, int]:
        """Point ``index`` as {symbol name: value}, restricted to the names in ``only`` if given."""
        return {name: int(self.columns[name][index]) for name in self.names if only is None or name in only}


def domain_sample(domain: Domain) -> Sample:
    """Up to SAMPLE_SIZE distinct valid points of ``domain`` (deterministic), computed once per domain."""
    return memo(domain, "_grader_sample", lambda: _draw_sample(domain, seed=0, scales=_SCALES, size=SAMPLE_SIZE))


def small_sample(domain: Domain) -> Sample:
    """Up to SMALL_SAMPLE_SIZE distinct valid points of ``domain`` whose values lie within 4 of
    each symbol's lower bound (deterministic, smallest first), computed once per domain: sizes at
    which a layer's tensors are small enough to be written out entry by entry (a wide pool, from
    which :mod:`grader.checks.size_cases` picks the boundary cases)."""
    return memo(domain, "_grader_small_sample",
                lambda: _draw_sample(domain, seed=1, scales=_SMALL_SCALES, size=SMALL_SAMPLE_SIZE))


_SMALL_SCALES = np.array([1, 2, 3, 4])
SMALL_SAMPLE_SIZE = 400


def _draw_sample(domain: Domain, *, seed: int, scales: np.ndarray, size: int) -> Sample:
    names = domain.symbol_names
    if not names:
        return Sample((), {}, 1)
    rng = np.random.default_rng(seed)
    scales = rng.choice(scales, size=(_CANDIDATES, 1))
    lows = np.array([domain.lower_bound(s) for s in domain.symbols])
    raw = lows + (rng.random((_CANDIDATES, len(names))) * (scales + 1)).astype(np.int64)
    raw = np.unique(raw, axis=0)
    rng.shuffle(raw)
    columns = {name: raw[:, i] for i, name in enumerate(names)}
    valid = np.ones(len(raw), dtype=bool)
    for relation in domain.relation_trees:
        holds = rationals_at(relation, columns, len(raw))
        if holds is None:                        # beyond int64: point by point, exactly
            values = values_at(relation, columns, len(raw))
            valid &= np.array([h is not UNDEFINED and bool(h) for h in values])
        else:
            valid &= (holds.num != 0) & holds.oks()
    chosen = raw[valid][:size]
    # Small points first, so that the counterexample shown is the simplest one found.
    chosen = chosen[np.lexsort(chosen.T[::-1])]
    chosen = chosen[np.argsort(chosen.sum(axis=1), kind="stable")]
    return Sample(names, {name: chosen[:, i] for i, name in enumerate(names)}, len(chosen))


@dataclass(frozen=True)
class Mismatch:
    """Where two formulas differ: the point and both values (UNDEFINED where undefined)."""

    point: dict
    expected: object
    found: object

    def describe(self) -> str:
        """``with H=3, K=2, S=2 it gives 1, but the answer is 2``."""
        return f"{self.where()}, but {self.expected_text()}"

    def where(self) -> str:
        """``with H=3, K=2, S=2 it gives 1``: the point and the student's value, nothing of the key."""
        where = ", ".join(f"{k}={v}" for k, v in self.point.items())
        found = "undefined (division by zero)" if self.found is UNDEFINED else show_number(self.found)
        prefix = f"with {where} " if where else ""
        return f"{prefix}it gives {found}"

    def expected_text(self) -> str:
        """``the answer is 2``: the key's value at the point (for ``full`` feedback only)."""
        return f"the answer is {show_number(self.expected)}"


def unknown_symbols(student: tree.Node, domain: Domain) -> list[str]:
    """Names of symbols in ``student`` that the part does not define."""
    return sorted(tree.symbols_in(student) - set(domain.symbol_names))


def first_mismatch(expected: tree.Expr, student: tree.Expr, domain: Domain) -> Mismatch | None:
    """None when the formulas agree on the domain sample, else the first point where they differ.

    Both are trees. Raises PointwiseError when a formula cannot be evaluated at integer points.
    """
    sample = domain_sample(domain)
    if sample.size == 0:
        raise PointwiseError("this part's domain has no valid integer point to compare at (check the "
                             "spec's assumptions)")
    index = _first_difference_fast(expected, student, domain, sample)
    if index is None:
        return None
    want = key_values(expected, domain)
    got = values_at(student, sample.columns, sample.size)
    if index == _UNDECIDED:
        differs = [w is not UNDEFINED and (g is UNDEFINED or g != w) for w, g in zip(want, got)]
        if not any(differs):
            return None
        index = differs.index(True)
    used = tree.symbols_in(expected) | tree.symbols_in(student)
    return Mismatch(sample.point(index, only=used), want[index], got[index])


_UNDECIDED = -1


def _first_difference_fast(expected, student, domain: Domain, sample: Sample) -> int | None:
    """Index of the first differing point, with int64 rationals; None when all agree;
    _UNDECIDED when this fast path cannot tell (too large, unsupported node)."""
    want = _key_rationals(expected, domain)
    got = rationals_at(student, sample.columns, sample.size)
    if want is None or got is None:
        return _UNDECIDED
    bad = ~same_values(got, want) if want.ok is None else want.ok & ~same_values(got, want)
    return int(np.argmax(bad)) if bad.any() else None


def _key_rationals(expected: tree.Expr, domain: Domain):
    table = memo(domain, "_grader_key_rationals", dict)
    if expected not in table:
        sample = domain_sample(domain)
        table[expected] = rationals_at(expected, sample.columns, sample.size)
    return table[expected]


def key_values(expected: tree.Expr, domain: Domain) -> np.ndarray:
    """The key's values on the domain sample (the same for every student), computed once each."""
    table = memo(domain, "_grader_key_values", dict)
    if expected not in table:
        sample = domain_sample(domain)
        _key_rationals(expected, domain)
        table[expected] = values_at(expected, sample.columns, sample.size)
    return table[expected]


def show_number(value) -> str:
    """An exact number as text: '7', '7/2', or 'a 412-digit number' when it is very long."""
    if hasattr(value, "denominator") and value.denominator != 1:
        return f"{show_number(value.numerator)}/{show_number(value.denominator)}"
    value = int(value)
    digits = len(str(abs(value))) if value.bit_length() < 10_000 else int(value.bit_length() * 0.30103) + 1
    if digits > _SHOWN_DIGITS:
        return f"{'-' if value < 0 else ''}a {digits}-digit number"
    return str(value)
