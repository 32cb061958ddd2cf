"""Equivalence of symbolic formulas over the integers of a part's domain.

Two formulas are taken as equal when they agree, exactly, at every point
of a fixed sample of integer assignments that satisfy the domain (sizes
>= 1, padding >= 0, the kernel fits, the spec's assumptions). Small values
dominate the sample, where floor/ceil off-by-one mistakes show. A formula
that differs is reported with a counterexample.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

from grader.checks.pointwise import UNDEFINED, PointwiseError, values_at
from grader.checks.rational_arrays import Rationals, TooLarge, Unsupported, evaluate_rationals
from solver.domain import Domain

SAMPLE_SIZE = 96
_CANDIDATES = 6000
_SCALES = np.array([1, 2, 3, 4, 6, 8, 12, 20, 40])


@dataclass(frozen=True, eq=False)
class Sample:
    """Integer points of a domain: ``columns[symbol][i]`` is the symbol's value at point i."""

    symbols: tuple[sympy.Symbol, ...]
    columns: dict
    size: int

    def point(self, index: int, only=None) -> dict[str, int]:
        """Point ``index`` as {symbol name: value}, restricted to the symbols in ``only`` if given."""
        return {s.name: int(self.columns[s][index]) for s in self.symbols
                if only is None or s in only}


@lru_cache(maxsize=256)
def domain_sample(domain: Domain, *, seed: int = 0) -> Sample:
    """Up to SAMPLE_SIZE distinct valid points of ``domain`` (deterministic for a seed)."""
    symbols = domain.symbols
    if not symbols:
        return Sample((), {}, 1)
    rng = np.random.default_rng(seed)
    scales = rng.choice(_SCALES, size=(_CANDIDATES, 1))
    lows = np.array([domain.lower_bound(s) for s in symbols])
    raw = lows + (rng.random((_CANDIDATES, len(symbols))) * (scales + 1)).astype(np.int64)
    raw = np.unique(raw, axis=0)
    rng.shuffle(raw)
    columns = {s: raw[:, i] for i, s in enumerate(symbols)}
    valid = np.ones(len(raw), dtype=bool)
    for relation in domain.relations():
        holds = values_at(relation, columns, len(raw))
        valid &= np.array([h is not UNDEFINED and bool(h) for h in holds])
    chosen = raw[valid][:SAMPLE_SIZE]
    # Small points first, so that the counterexample shown is the simplest one found.
    chosen = chosen[np.lexsort(chosen.T[::-1])]
    chosen = chosen[np.argsort(chosen.sum(axis=1), kind="stable")]
    return Sample(symbols, {s: chosen[:, i] for i, s in enumerate(symbols)}, len(chosen))


@dataclass(frozen=True)
class Mismatch:
    """Where two formulas differ: the point and both values (None where undefined)."""

    point: dict
    expected: object
    found: object

    def describe(self) -> str:
        """``with H=3, K=2, S=2 it gives 1, but the answer is 2``."""
        where = ", ".join(f"{k}={v}" for k, v in self.point.items())
        found = "undefined (division by zero)" if self.found is UNDEFINED else _show(self.found)
        prefix = f"with {where} " if where else ""
        return f"{prefix}it gives {found}, but the answer is {_show(self.expected)}"


def unknown_symbols(student: sympy.Basic, domain: Domain) -> list[str]:
    """Names of symbols in ``student`` that the part does not define."""
    known = set(domain.symbols)
    return sorted(s.name for s in student.free_symbols if s not in known)


def first_mismatch(expected: sympy.Basic, student: sympy.Basic, domain: Domain) -> Mismatch | None:
    """None when the formulas agree on the domain sample, else the first point where they differ.

    Raises PointwiseError when a formula cannot be evaluated at integer points.
    """
    sample = domain_sample(domain)
    if sample.size == 0:
        equal = sympy.expand(expected - student) == 0
        return None if equal else Mismatch({}, expected, student)
    index = _first_difference_fast(expected, student, domain, sample)
    if index is None:
        return None
    want = _key_values(expected, domain)
    got = values_at(student, sample.columns, sample.size)
    if index == _UNDECIDED:
        differs = [w is not UNDEFINED and (g is UNDEFINED or g != w) for w, g in zip(want, got)]
        if not any(differs):
            return None
        index = differs.index(True)
    used = (expected.free_symbols if isinstance(expected, sympy.Basic) else set()) | student.free_symbols
    return Mismatch(sample.point(index, only=used), want[index], got[index])


_UNDECIDED = -1


def _first_difference_fast(expected, student, domain: Domain, sample: Sample) -> int | None:
    """Index of the first differing point, with int64 rationals; None when all agree;
    _UNDECIDED when this fast path cannot tell (too large, unsupported node)."""
    try:
        want = _key_rationals(expected, domain)
        got = evaluate_rationals(student, sample.columns, sample.size)
    except (TooLarge, Unsupported):
        return _UNDECIDED
    same = got.ok & (got.num == want.num) & (got.den == want.den)
    bad = want.ok & ~same
    return int(np.argmax(bad)) if bad.any() else None


@lru_cache(maxsize=1024)
def _key_rationals(expected: sympy.Basic, domain: Domain) -> Rationals:
    sample = domain_sample(domain)
    return evaluate_rationals(expected, sample.columns, sample.size)


@lru_cache(maxsize=1024)
def _key_values(expected: sympy.Basic, domain: Domain) -> np.ndarray:
    """The key's values on the domain sample (the same for every student)."""
    sample = domain_sample(domain)
    return values_at(expected, sample.columns, sample.size)


def _show(value) -> str:
    if hasattr(value, "denominator") and value.denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    return str(int(value)) if hasattr(value, "denominator") else str(value)
