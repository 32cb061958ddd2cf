"""Independent oracle for tests/data/symbolic_transpose_pool_corpus.yaml.

Run: python tests/data/symbolic_transpose_pool_corpus_oracle.py

Imports nothing from the project (solver/, grader/). For every parseable entry of the corpus
it holds, below, a Python function that implements exactly the formula the entry's answer
states (the answer text is repeated next to it and must equal the corpus's, so a function can
never drift from its answer). Each function is evaluated at every index of its left-hand side
for 40 random valid size assignments per layer with random float64 tensors and compared with
PyTorch:

  t_out       torch.nn.functional.conv_transpose1d(x, W, b, stride=S, padding=P, dilation=D)
  t_grad_x    backward of (f * g).sum() for a random upstream gradient g, w.r.t. x
  p_out       torch.nn.functional.avg_pool1d(x, K, S, P, ceil_mode=False, count_include_pad=True)
  p_grad_x    backward of (f * g).sum() of that layer, w.r.t. x
  p_out_excl  avg_pool1d with count_include_pad=False

An entry is correct iff its function matches torch everywhere within 1e-9. The script asserts
that this agrees with every entry's label and prints the counts per part and label.

Conventions the functions follow (docs/notation.md): indices are 1-based; a tensor entry at
an index outside its range is 0 (which is also the zero padding of x), and so is an entry at
an index that is not a whole number (divisions are exact rationals, fractions.Fraction, so
x[(j-1)/2] at j = 2 reads 0); sums are inclusive and an empty range is 0; `a // b` is
floor(a/b) and `a % b` has the divisor's sign (Python's own integer // and %); delta(a, b) is
1 when a == b else 0; an Iverson bracket is 1 where its condition holds else 0. A sum variable
named like a left-hand-side index shadows it inside the sum.
"""
from __future__ import annotations

import itertools
import math
import pathlib
import random
import sys
from collections import Counter
from fractions import Fraction
from types import SimpleNamespace

import torch
import yaml

torch.set_default_dtype(torch.float64)
CORPUS = pathlib.Path(__file__).with_name("symbolic_transpose_pool_corpus.yaml")
TOL = 1e-9
N_CONFIGS = 40

# ----------------------------------------------------------------------------- helpers


def sm(lo, hi, body):
    """sum_{v=lo}^{hi} body(v), inclusive; empty when hi < lo. Bounds must be whole numbers."""
    lo, hi = _whole(lo), _whole(hi)
    assert lo is not None and hi is not None, "a sum bound that is not a whole number"
    return sum((body(v) for v in range(lo, hi + 1)), 0.0)


def _whole(v):
    """int(v) when v is a whole number (int or Fraction), else None."""
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else None
    raise TypeError(f"index of type {type(v)}: {v!r}")


def q(a, b):
    """The exact quotient a / b."""
    return Fraction(a, b)


def dl(a, b):
    return 1.0 if a == b else 0.0


def iv(cond):
    return 1.0 if cond else 0.0


def fl(v):
    return math.floor(v)


def ce(v):
    return math.ceil(v)


class Tensors:
    """1-based entries, 0 outside the index range or at an index that is not whole."""

    def __init__(self, **arrays):
        self._a = arrays

    def _at(self, name, idx):
        arr = self._a[name]
        assert len(idx) == arr.ndim, (name, idx)
        pos = []
        for i, n in zip(idx, arr.shape):
            w = _whole(i)
            if w is None or not 1 <= w <= n:
                return 0.0
            pos.append(w - 1)
        return float(arr[tuple(pos)])

    def x(self, *i):
        return self._at("x", i)

    def W(self, *i):
        return self._at("W", i)

    def b(self, *i):
        return self._at("b", i)

    def g(self, *i):
        return self._at("g", i)


def LT(s):
    """conv_transpose1d output length (L-1)S - 2P + D(K-1) + 1."""
    return (s.L - 1) * s.S - 2 * s.P + s.D * (s.K - 1) + 1


def LP(s):
    """avg_pool1d output length floor((L + 2P - K)/S) + 1."""
    return (s.L + 2 * s.P - s.K) // s.S + 1


# ----------------------------------------------------------------------------- the entries
# R(id, answer, fn): fn(s, t, *lhs_indices), s the sizes, t the tensors. Left-hand sides:
#   t_out (n,o,j); t_grad_x (n,c,l); p_out (c,j); p_grad_x (c,l); p_out_excl (c,j)

FORMULAS: dict[str, tuple[str, object]] = {}


def R(eid, answer, fn):
    assert eid not in FORMULAS, eid
    FORMULAS[eid] = (answer, fn)


# ---- t_out: f[n,o,j], sizes N C L F K S P D; x N x C x L, W C x F x K, b F
def _pos(s, l, k):  # where x[., ., l] lands through tap k
    return s.S*(l-1) + s.D*(k-1) + 1 - s.P


R("to-01", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-02", r"f[n,o,j] = sum_{k=1}^{K} sum_{l=1}^{L} sum_{c=1}^{C} W[c,o,k] x[n,c,l] delta(j, S(l-1)+D(k-1)+1-P) + b[o]",
  lambda s, t, n, o, j: sm(1, s.K, lambda k: sm(1, s.L, lambda l: sm(1, s.C, lambda c:
      t.W(c, o, k) * t.x(n, c, l) * dl(j, s.S*(l-1) + s.D*(k-1) + 1 - s.P)))) + t.b(o))
R("to-03", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[c,o,k] x[n,c,(j-1+P-D(k-1))/S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, q(j - 1 + s.P - s.D*(k-1), s.S) + 1))))
R("to-04", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} [(j-1+P-D(k-1)) % S = 0] W[c,o,k] x[n,c,(j-1+P-D(k-1))//S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      iv((j - 1 + s.P - s.D*(k-1)) % s.S == 0) * t.W(c, o, k)
      * t.x(n, c, (j - 1 + s.P - s.D*(k-1)) // s.S + 1))))
R("to-05", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} x[n,c,l] W[c,o,(j-1+P-S(l-1))/D + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l:
      t.x(n, c, l) * t.W(c, o, q(j - 1 + s.P - s.S*(l-1), s.D) + 1))))
R("to-06", r"f[n,o,j] = b_{o} + \sum_{c=1}^{C} \sum_{l=1}^{L} \sum_{k=1}^{K} x_{n,c,l} W_{c,o,k} \delta_{j, S(l-1)+D(k-1)+1-P}",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * dl(j, s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-07", r"f[i,q,t] = b[q] + Sum(x[i,r,m]*W[r,q,u]*delta(t, S*m - S + D*u - D + 1 - P), (u, 1, K), (m, 1, L), (r, 1, C))",
  lambda s, T, i, q_, t_: T.b(q_) + sm(1, s.C, lambda r: sm(1, s.L, lambda m: sm(1, s.K, lambda u:
      T.x(i, r, m) * T.W(r, q_, u) * dl(t_, s.S*m - s.S + s.D*u - s.D + 1 - s.P)))))
R("to-08", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=0}^{L+1} sum_{k=0}^{K+1} x[n,c,l] W[c,o,k] [j == S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(0, s.L + 1, lambda l: sm(0, s.K + 1, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-09", r"f[n,o,j] = b_{o} + \sum_{c=1}^{C} \sum_{l=1}^{L} \sum_{k=1}^{K} \begin{cases} x_{n,c,l} W_{c,o,k} & \text{if } j = S(l-1)+D(k-1)+1-P \\ 0 & \text{otherwise} \end{cases}",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      (t.x(n, c, l) * t.W(c, o, k)) if j == s.S*(l-1) + s.D*(k-1) + 1 - s.P else 0.0))))
R("to-10", r"f[n,o,j] = b[o] + sum_{c=0}^{C-1} sum_{l=0}^{L-1} sum_{k=0}^{K-1} x[n,c+1,l+1] W[c+1,o,k+1] [j = S*l + D*k + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(0, s.C - 1, lambda c: sm(0, s.L - 1, lambda l: sm(0, s.K - 1, lambda k:
      t.x(n, c+1, l+1) * t.W(c+1, o, k+1) * iv(j == s.S*l + s.D*k + 1 - s.P)))))
R("to-11", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} delta(S floor((j-1+P-D(k-1))/S), j-1+P-D(k-1)) W[c,o,k] x[n,c,floor((j-1+P-D(k-1))/S)+1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      dl(s.S * fl(q(j - 1 + s.P - s.D*(k-1), s.S)), j - 1 + s.P - s.D*(k-1)) * t.W(c, o, k)
      * t.x(n, c, fl(q(j - 1 + s.P - s.D*(k-1), s.S)) + 1))))
R("to-12", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{min(L, j+P)} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [S(l-1) + D(k-1) = j - 1 + P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, min(s.L, j + s.P), lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(s.S*(l-1) + s.D*(k-1) == j - 1 + s.P)))))
R("to-13", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} [j + P > D(k-1)] W[c,o,k] x[n,c,(j+P-1-D(k-1))/S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      iv(j + s.P > s.D*(k-1)) * t.W(c, o, k) * t.x(n, c, q(j + s.P - 1 - s.D*(k-1), s.S) + 1))))
R("to-14", r"f[n,o,j] = b[o] + sum_{k=1}^{K} sum_{c=1}^{C} x[n,c,(j+P-1)/S - D(k-1)/S + 1] W[c,o,k]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.K, lambda k: sm(1, s.C, lambda c:
      t.x(n, c, q(j + s.P - 1, s.S) - q(s.D*(k-1), s.S) + 1) * t.W(c, o, k))))
R("to-15", r"f[n,o,j] = b[o] + Σ_{c=1}^{C} Σ_{l=1}^{L} Σ_{k=1}^{K} x[n,c,l]·W[c,o,k]·[j = S·(l−1) + D·(k−1) + 1 − P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-16", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} (W[c,o,k] x[n,c,(j-1+P-D(k-1))//S + 1] if (j-1+P-D(k-1)) % S == 0 else 0)",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      (t.W(c, o, k) * t.x(n, c, (j - 1 + s.P - s.D*(k-1)) // s.S + 1))
      if (j - 1 + s.P - s.D*(k-1)) % s.S == 0 else 0.0)))
R("to-17", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} sum_{l=1}^{L} W[c,o,k] x[n,c,l] delta(S(l-1), j-1+P-D(k-1))",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k: sm(1, s.L, lambda l:
      t.W(c, o, k) * t.x(n, c, l) * dl(s.S*(l-1), j - 1 + s.P - s.D*(k-1))))))
# incorrect ones
R("to-20", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[o,c,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(o, c, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-21", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 + P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 + s.P)))))
R("to-22", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1)))))
R("to-23", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + k - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + k - s.P)))))
R("to-24", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = l + S*D*(k-1) - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == l + s.S*s.D*(k-1) - s.P)))))
R("to-25", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[c,o,k] x[n,c,S(j-1)+D(k-1)+1-P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, s.S*(j-1) + s.D*(k-1) + 1 - s.P))))
R("to-26", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[c,o,k] x[n,c,floor((j-1+P-D(k-1))/S) + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, fl(q(j - 1 + s.P - s.D*(k-1), s.S)) + 1))))
R("to-27", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[c,o,k] x[n,c,(j+P-D(k-1))/S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, q(j + s.P - s.D*(k-1), s.S) + 1))))
R("to-28", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} [(j+P-D(k-1)) % S = 1] W[c,o,k] x[n,c,(j-1+P-D(k-1))//S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      iv((j + s.P - s.D*(k-1)) % s.S == 1) * t.W(c, o, k)
      * t.x(n, c, (j - 1 + s.P - s.D*(k-1)) // s.S + 1))))
R("to-29", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} W[c,o,k] x[n,c,j+P-D(k-1)]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, j + s.P - s.D*(k-1)))))
R("to-30", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L-1} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L - 1, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-31", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{min(L, j)} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, min(s.L, j), lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-32", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{k=1}^{K} [j > D(k-1)] W[c,o,k] x[n,c,(j+P-1-D(k-1))/S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      iv(j > s.D*(k-1)) * t.W(c, o, k) * t.x(n, c, q(j + s.P - 1 - s.D*(k-1), s.S) + 1))))
R("to-33", r"f[n,o,j] = sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-34", r"f[n,o,j] = sum_{c=1}^{C} sum_{k=1}^{K} (W[c,o,k] x[n,c,(j-1+P-D(k-1))/S + 1] + b[o])",
  lambda s, t, n, o, j: sm(1, s.C, lambda c: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.x(n, c, q(j - 1 + s.P - s.D*(k-1), s.S) + 1) + t.b(o))))
R("to-35", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,K+1-k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, s.K + 1 - k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-36", r"f[n,o,j] = b[o] + sum_{c=1}^{F} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.F, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-37", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[1,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(1, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - s.P)))))
R("to-38", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) - P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) - s.P)))))
R("to-39", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} x[n,c,l] W[c,o,floor((j-1+P-S(l-1))/D) + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l:
      t.x(n, c, l) * t.W(c, o, fl(q(j - 1 + s.P - s.S*(l-1), s.D)) + 1))))
R("to-40", r"f[n,o,j] = b[o] + sum_{c=1}^{C} sum_{l=1}^{L} sum_{k=1}^{K} x[n,c,l] W[c,o,k] [j = S(l-1) + D(k-1) + 1 - 2P]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(n, c, l) * t.W(c, o, k) * iv(j == s.S*(l-1) + s.D*(k-1) + 1 - 2*s.P)))))
R("to-41", r"f[n,o,j] = b[o] + sum_{c=1}^{C} W[c,o,1] x[n,c,(j-1+P)/S + 1]",
  lambda s, t, n, o, j: t.b(o) + sm(1, s.C, lambda c: t.W(c, o, 1) * t.x(n, c, q(j - 1 + s.P, s.S) + 1)))

# ---- t_grad_x: dl/dx[n,c,l]
R("tg-01", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k: t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-02", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S-2P+D(K-1)+1} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, LT(s), lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-03", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S+D(K-1)+1} sum_{k=1}^{K} g[n,o,j] W[c,o,k] [j = S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, (s.L-1)*s.S + s.D*(s.K-1) + 1, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * iv(j == _pos(s, l, k))))))
R("tg-04", r"dl/dx[n,c,l] = sum_{k=1}^{K} sum_{o=1}^{F} sum_{j=1}^{LS+DK} [S(l-1)+D(k-1)+1-P = j] W[c,o,k] g[n,o,j]",
  lambda s, t, n, c, l: sm(1, s.K, lambda k: sm(1, s.F, lambda o: sm(1, s.L*s.S + s.D*s.K, lambda j:
      iv(_pos(s, l, k) == j) * t.W(c, o, k) * t.g(n, o, j)))))
R("tg-05", r"dl/dx[n,c,l] = sum_{k=1}^{K} sum_{o=1}^{F} dl/df[n,o,S(l-1)+D(k-1)+1-P] W[c,o,k]",
  lambda s, t, n, c, l: sm(1, s.K, lambda k: sm(1, s.F, lambda o: t.g(n, o, _pos(s, l, k)) * t.W(c, o, k))))
R("tg-06", r"dl/dx[a,b,t] = sum_{q=1}^{F} sum_{u=1}^{K} W[b,q,u] g[a,q,S*t - S + D*u - D + 1 - P]",
  lambda s, T, a, b_, t_: sm(1, s.F, lambda q_: sm(1, s.K, lambda u:
      T.W(b_, q_, u) * T.g(a, q_, s.S*t_ - s.S + s.D*u - s.D + 1 - s.P))))
R("tg-07", r"dl/dx[n,c,l] = \sum_{o=1}^{F} \sum_{k=1}^{K} W_{c,o,k} \cdot g_{n,o,S(l-1)+D(k-1)+1-P}",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k: t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-08", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} [1 <= S(l-1)+D(k-1)+1-P <= (L-1)S-2P+D(K-1)+1] W[c,o,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      iv(1 <= _pos(s, l, k) <= LT(s)) * t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-09", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=0}^{K-1} W[c,o,k+1] g[n,o,S(l-1)+D k+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(0, s.K - 1, lambda k:
      t.W(c, o, k+1) * t.g(n, o, s.S*(l-1) + s.D*k + 1 - s.P))))
R("tg-10", r"dl/dx[n,c,l] = Sum(W[c,o,k]*g[n,o,S*(l - 1) + D*(k - 1) + 1 - P], (k, 1, K), (o, 1, F))",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k: t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-11", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{S L + D K} g[n,o,j] sum_{k=1}^{K} W[c,o,k] [S(l-1)+D(k-1)+1-P = j]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.S*s.L + s.D*s.K, lambda j: t.g(n, o, j) * sm(1, s.K, lambda k:
      t.W(c, o, k) * iv(_pos(s, l, k) == j)))))
R("tg-12", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S-2P+D(K-1)+1} g[n,o,j] W[c,o,(j-1+P-S(l-1))/D + 1]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, LT(s), lambda j:
      t.g(n, o, j) * t.W(c, o, q(j - 1 + s.P - s.S*(l-1), s.D) + 1))))
R("tg-13", r"dl/dx[n,c,l] = \sum_{o=1}^{F} \sum_{k=1}^{K} \begin{cases} W_{c,o,k} g_{n,o,S(l-1)+D(k-1)+1-P} & \text{if } S(l-1)+D(k-1)+1-P >= 1 \\ 0 & \text{otherwise} \end{cases}",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      (t.W(c, o, k) * t.g(n, o, _pos(s, l, k))) if _pos(s, l, k) >= 1 else 0.0)))
R("tg-14", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} g[n,o,(l-1)S + (k-1)D - (P-1)] W[c,o,k]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.g(n, o, (l-1)*s.S + (k-1)*s.D - (s.P-1)) * t.W(c, o, k))))
# incorrect ones
R("tg-20", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[o,c,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k: t.W(o, c, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-21", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,(l-1+P-D(k-1))/S + 1]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, q(l - 1 + s.P - s.D*(k-1), s.S) + 1))))
R("tg-22", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1+P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, s.S*(l-1) + s.D*(k-1) + 1 + s.P))))
R("tg-23", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, s.S*(l-1) + s.D*(k-1) + 1))))
R("tg-24", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+k-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, s.S*(l-1) + k - s.P))))
R("tg-25", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,l + S*D*(k-1) - P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, l + s.S*s.D*(k-1) - s.P))))
R("tg-26", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,K+1-k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, s.K + 1 - k) * t.g(n, o, _pos(s, l, k)))))
R("tg-27", r"dl/dx[n,c,l] = sum_{n=1}^{N} sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.N, lambda n: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, _pos(s, l, k))))))
R("tg-28", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{L} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.L, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-29", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{L+2P} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.L + 2*s.P, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-30", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S-2P+K} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, (s.L-1)*s.S - 2*s.P + s.K, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-31", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S+K} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, (s.L-1)*s.S + s.K, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-32", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{(L-1)S-2P+D(K-1)} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, LT(s) - 1, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))
R("tg-33", r"dl/dx[n,c,l] = sum_{k=1}^{K} W[c,1,k] g[n,1,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.K, lambda k: t.W(c, 1, k) * t.g(n, 1, _pos(s, l, k))))
R("tg-34", r"dl/dx[n,c,l] = sum_{o=1}^{C} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.C, lambda o: sm(1, s.K, lambda k: t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-35", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S*l+D(k-1)+1-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, s.S*l + s.D*(k-1) + 1 - s.P))))
R("tg-36", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)-P]",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, s.S*(l-1) + s.D*(k-1) - s.P))))
R("tg-37", r"dl/dx[n,c,l] = (1/S) sum_{o=1}^{F} sum_{k=1}^{K} W[c,o,k] g[n,o,S(l-1)+D(k-1)+1-P]",
  lambda s, t, n, c, l: (1 / s.S) * sm(1, s.F, lambda o: sm(1, s.K, lambda k:
      t.W(c, o, k) * t.g(n, o, _pos(s, l, k)))))
R("tg-38", r"dl/dx[n,c,l] = sum_{o=1}^{F} sum_{j=1}^{LS} sum_{k=1}^{K} g[n,o,j] W[c,o,k] delta(j, S(l-1)+D(k-1)+1-P)",
  lambda s, t, n, c, l: sm(1, s.F, lambda o: sm(1, s.L*s.S, lambda j: sm(1, s.K, lambda k:
      t.g(n, o, j) * t.W(c, o, k) * dl(j, _pos(s, l, k))))))

# ---- p_out: f[c,j], sizes C L K S P; x C x L (count_include_pad True: divisor K)
R("po-01", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-02", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P]/K",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P) / s.K))
R("po-03", r"f[c,j] = sum_{k=1}^{K} (1/K) x[c, S*j - S + k - P]",
  lambda s, t, c, j: sm(1, s.K, lambda k: (1 / s.K) * t.x(c, s.S*j - s.S + k - s.P)))
R("po-04", r"f[c,j] = (1/K) sum_{l=1}^{L} [S(j-1) + 1 - P <= l <= S(j-1) + K - P] x[c,l]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.L, lambda l:
      iv(s.S*(j-1) + 1 - s.P <= l <= s.S*(j-1) + s.K - s.P) * t.x(c, l)))
R("po-05", r"f[c,j] = (1/K) sum_{l=max(1, S(j-1)+1-P)}^{min(L, S(j-1)+K-P)} x[c,l]",
  lambda s, t, c, j: (1 / s.K) * sm(max(1, s.S*(j-1) + 1 - s.P), min(s.L, s.S*(j-1) + s.K - s.P),
      lambda l: t.x(c, l)))
R("po-06", r"f[c,j] = (1/K) sum_{k=0}^{K-1} x[c, S(j-1) + k + 1 - P]",
  lambda s, t, c, j: (1 / s.K) * sm(0, s.K - 1, lambda k: t.x(c, s.S*(j-1) + k + 1 - s.P)))
R("po-07", r"f[c,j] = \frac{1}{K} \sum_{k=1}^{K} x_{c, S(j-1)+k-P}",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-08", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / min(K, L + 2P)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P) / min(s.K, s.L + 2*s.P)))
R("po-09", r"f[c,j] = (1/K) sum_{l=1}^{L} sum_{k=1}^{K} x[c,l] delta(l, S(j-1)+k-P)",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.L, lambda l: sm(1, s.K, lambda k:
      t.x(c, l) * dl(l, s.S*(j-1) + k - s.P))))
R("po-10", r"f[a,t] = Sum(x[a, S*(t - 1) + m - P], (m, 1, K))/K",
  lambda s, T, a, t_: sm(1, s.K, lambda m: T.x(a, s.S*(t_-1) + m - s.P)) / s.K)
R("po-11", r"f[c,j] = (1/K) Σ_{k=1}^{K} x[c, S·(j−1) + k − P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-12", r"f[c,j] = (1/K) sum_{k=1-P}^{K+P} [1 <= k <= K] x[c, S(j-1)+k-P]",
  lambda s, t, c, j: (1 / s.K) * sm(1 - s.P, s.K + s.P, lambda k:
      iv(1 <= k <= s.K) * t.x(c, s.S*(j-1) + k - s.P)))
R("po-13", r"f[c,j] = (1/K) sum_{l=S(j-1)+1-P}^{S(j-1)+K-P} x[c,l]",
  lambda s, t, c, j: (1 / s.K) * sm(s.S*(j-1) + 1 - s.P, s.S*(j-1) + s.K - s.P, lambda l: t.x(c, l)))
R("po-14", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, (j-1)S + k - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, (j-1)*s.S + k - s.P)))
# incorrect ones
R("po-20", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-21", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S(j-1) + k]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k)))
R("po-22", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S(j-1) + k + P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k + s.P)))
R("po-23", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, j + S(k-1) - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, j + s.S*(k-1) - s.P)))
R("po-24", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S*j + k - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*j + k - s.P)))
R("po-25", r"f[c,j] = (1/S) sum_{k=1}^{K} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: (1 / s.S) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-26", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / (min(S(j-1) + K - P, L) - max(S(j-1) - P, 0))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))))
R("po-27", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / min(K, L)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P) / min(s.K, s.L)))
R("po-28", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, j + k - 1 - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, j + k - 1 - s.P)))
R("po-29", r"f[c,j] = x[c, S(j-1) + 1 - P]",
  lambda s, t, c, j: t.x(c, s.S*(j-1) + 1 - s.P))
R("po-30", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / (K - P)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P) / (s.K - s.P)))
R("po-31", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S(j-1) + k - P - 1]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P - 1)))
R("po-32", r"f[c,j] = (1/K) sum_{l=1}^{L} [S(j-1) + 1 - P <= l < S(j-1) + K - P] x[c,l]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.L, lambda l:
      iv(s.S*(j-1) + 1 - s.P <= l < s.S*(j-1) + s.K - s.P) * t.x(c, l)))
R("po-33", r"f[c,j] = (1/K) sum_{k=1}^{K-1} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K - 1, lambda k: t.x(c, s.S*(j-1) + k - s.P)))
R("po-34", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / min(K, L + P)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P) / min(s.K, s.L + s.P)))
R("po-35", r"f[c,j] = (1/K) sum_{l=S(j-1)+1}^{S(j-1)+K} x[c,l-P]",
  lambda s, t, c, j: (1 / s.K) * sm(s.S*(j-1) + 1, s.S*(j-1) + s.K, lambda l: t.x(c, l - s.P)))
R("po-36", r"f[c,j] = (1/K) sum_{l=max(1, S(j-1)+1)}^{min(L, S(j-1)+K-P)} x[c,l]",
  lambda s, t, c, j: (1 / s.K) * sm(max(1, s.S*(j-1) + 1), min(s.L, s.S*(j-1) + s.K - s.P),
      lambda l: t.x(c, l)))

# ---- p_grad_x: dl/dx[c,l] (count_include_pad True); g C x L_out
R("pg-01", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+2P-K)/S)+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, LP(s), lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-02", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, (l+P-k)/S + 1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, q(l + s.P - k, s.S) + 1)))
R("pg-03", r"dl/dx[c,l] = sum_{j=1}^{floor((L+2P-K)/S)+1} g[c,j] [S(j-1)+1-P <= l <= S(j-1)+K-P] / K",
  lambda s, t, c, l: sm(1, LP(s), lambda j:
      t.g(c, j) * iv(s.S*(j-1) + 1 - s.P <= l <= s.S*(j-1) + s.K - s.P) / s.K))
R("pg-04", r"dl/dx[c,l] = (1/K) sum_{j=1}^{L+2P} sum_{k=1}^{K} g[c,j] delta(l, S(j-1)+k-P)",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.L + 2*s.P, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * dl(l, s.S*(j-1) + k - s.P))))
R("pg-05", r"dl/dx[c,l] = (1/K) sum_{j=ceil((l+P-K)/S)+1}^{floor((l+P-1)/S)+1} g[c,j]",
  lambda s, t, c, l: (1 / s.K) * sm(ce(q(l + s.P - s.K, s.S)) + 1, fl(q(l + s.P - 1, s.S)) + 1,
      lambda j: t.g(c, j)))
R("pg-06", r"dl/dx[c,l] = sum_{j=max(1, ceil((l+P-K)/S)+1)}^{min(floor((L+2P-K)/S)+1, floor((l+P-1)/S)+1)} g[c,j] / K",
  lambda s, t, c, l: sm(max(1, ce(q(l + s.P - s.K, s.S)) + 1), min(LP(s), fl(q(l + s.P - 1, s.S)) + 1),
      lambda j: t.g(c, j) / s.K))
R("pg-07", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} sum_{j=1}^{(L+2P-K)//S+1} delta(S(j-1)+k-P, l) g[c,j]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: sm(1, (s.L + 2*s.P - s.K) // s.S + 1, lambda j:
      dl(s.S*(j-1) + k - s.P, l) * t.g(c, j))))
R("pg-08", r"dl/dx[c,l] = (1/K) sum_{j=1}^{ceil((L+2P-K+1)/S)} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, ce(q(s.L + 2*s.P - s.K + 1, s.S)), lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-09", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} [(l+P-k) % S = 0] g[c, (l+P-k)//S + 1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k:
      iv((l + s.P - k) % s.S == 0) * t.g(c, (l + s.P - k) // s.S + 1)))
R("pg-10", r"dl/dx[c,l] = sum_{k=1}^{K} dl/df[c,(l+P-k)/S+1] / K",
  lambda s, t, c, l: sm(1, s.K, lambda k: t.g(c, q(l + s.P - k, s.S) + 1) / s.K))
R("pg-11", r"dl/dx[c,l] = \frac{1}{K} \sum_{j=1}^{\left\lfloor \frac{L+2P-K}{S} \right\rfloor + 1} \sum_{k=1}^{K} g_{c,j} \delta_{l, S(j-1)+k-P}",
  lambda s, t, c, l: (1 / s.K) * sm(1, LP(s), lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * dl(l, s.S*(j-1) + k - s.P))))
R("pg-12", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+2P-K+1)/S)+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, fl(q(s.L + 2*s.P - s.K + 1, s.S)) + 1, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-13", r"dl/dx[c,l] = (1/K) sum_{j=1}^{L+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.L + 1, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-14", r"dl/dx[a,t] = Sum(g[a,m]*delta(t, S*m - S + u - P), (u, 1, K), (m, 1, L + 2*P))/K",
  lambda s, T, a, t_: sm(1, s.L + 2*s.P, lambda m: sm(1, s.K, lambda u:
      T.g(a, m) * dl(t_, s.S*m - s.S + u - s.P))) / s.K)
# incorrect ones
R("pg-20", r"dl/dx[c,l] = sum_{k=1}^{K} g[c, (l+P-k)/S + 1]",
  lambda s, t, c, l: sm(1, s.K, lambda k: t.g(c, q(l + s.P - k, s.S) + 1)))
R("pg-21", r"dl/dx[c,l] = (1/K) sum_{j=1}^{L} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.L, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-22", r"dl/dx[c,l] = (1/K) sum_{j=1}^{ceil(L/S)} g[c,j] [S(j-1)+1-P <= l <= S(j-1)+K-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, ce(q(s.L, s.S)), lambda j:
      t.g(c, j) * iv(s.S*(j-1) + 1 - s.P <= l <= s.S*(j-1) + s.K - s.P)))
R("pg-23", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+P-K)/S)+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, fl(q(s.L + s.P - s.K, s.S)) + 1, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-24", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L-K)/S)+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, fl(q(s.L - s.K, s.S)) + 1, lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-25", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+2P-K)/S)} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, fl(q(s.L + 2*s.P - s.K, s.S)), lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k - s.P))))
R("pg-26", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, floor((l+P-k)/S) + 1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, fl(q(l + s.P - k, s.S)) + 1)))
R("pg-27", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, (l-P-k)/S + 1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, q(l - s.P - k, s.S) + 1)))
R("pg-28", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, S(l-1) + k - P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, s.S*(l-1) + k - s.P)))
R("pg-29", r"dl/dx[c,l] = sum_{j=1}^{floor((L+2P-K)/S)+1} g[c,j] [S(j-1)+1-P <= l <= S(j-1)+K-P] / (min(S(j-1)+K-P, L) - max(S(j-1)-P, 0))",
  lambda s, t, c, l: sm(1, LP(s), lambda j:
      t.g(c, j) * iv(s.S*(j-1) + 1 - s.P <= l <= s.S*(j-1) + s.K - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))))
R("pg-30", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, (l+P-k)/S]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, q(l + s.P - k, s.S))))
R("pg-31", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, l+P-k+1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, l + s.P - k + 1)))
R("pg-32", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+2P-K)/S)+1} g[c,j] [S(j-1)+1-P <= l < S(j-1)+K-P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, LP(s), lambda j:
      t.g(c, j) * iv(s.S*(j-1) + 1 - s.P <= l < s.S*(j-1) + s.K - s.P)))
R("pg-33", r"dl/dx[c,l] = (1/S) sum_{k=1}^{K} g[c, (l+P-k)/S + 1]",
  lambda s, t, c, l: (1 / s.S) * sm(1, s.K, lambda k: t.g(c, q(l + s.P - k, s.S) + 1)))
R("pg-34", r"dl/dx[c,l] = (1/K) sum_{k=1}^{K} g[c, (l+P-k+1)/S + 1]",
  lambda s, t, c, l: (1 / s.K) * sm(1, s.K, lambda k: t.g(c, q(l + s.P - k + 1, s.S) + 1)))
R("pg-35", r"dl/dx[c,l] = (1/K) sum_{j=1}^{floor((L+2P-K)/S)+1} sum_{k=1}^{K} g[c,j] [l = S(j-1)+k+P]",
  lambda s, t, c, l: (1 / s.K) * sm(1, LP(s), lambda j: sm(1, s.K, lambda k:
      t.g(c, j) * iv(l == s.S*(j-1) + k + s.P))))


# ---- p_out_excl: f[c,j] (count_include_pad False)
def _start(s, j):  # first window position, 1-based, may be in the padding
    return s.S*(j-1) + 1 - s.P


def _wsum(s, t, c, j):
    return sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P))


R("pe-01", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / (min(S(j-1) + K - P, L) - max(S(j-1) - P, 0))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))))
R("pe-02", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (min(S(j-1)+K-P, L) - max(S(j-1)+1-P, 1) + 1)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) + 1 - s.P, 1) + 1)))
R("pe-03", r"f[c,j] = (sum_{k=1}^{K} x[c,S(j-1)+k-P]) / (sum_{k=1}^{K} [1 <= S(j-1)+k-P <= L])",
  lambda s, t, c, j: _wsum(s, t, c, j) / sm(1, s.K, lambda k: iv(1 <= s.S*(j-1) + k - s.P <= s.L)))
R("pe-04", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (K - max(0, P - S(j-1)) - max(0, S(j-1) + K - P - L))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (s.K - max(0, s.P - s.S*(j-1)) - max(0, s.S*(j-1) + s.K - s.P - s.L))))
R("pe-05", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (min(K, L + P - S(j-1)) - max(0, P - S(j-1)))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.K, s.L + s.P - s.S*(j-1)) - max(0, s.P - s.S*(j-1)))))
R("pe-06", r"f[c,j] = sum_{l=max(1,S(j-1)+1-P)}^{min(L,S(j-1)+K-P)} x[c,l] / (min(L,S(j-1)+K-P) - max(1,S(j-1)+1-P) + 1)",
  lambda s, t, c, j: sm(max(1, _start(s, j)), min(s.L, s.S*(j-1) + s.K - s.P), lambda l:
      t.x(c, l) / (min(s.L, s.S*(j-1) + s.K - s.P) - max(1, _start(s, j)) + 1)))
R("pe-07", r"f[c,j] = (1/(min(S(j-1)+K-P, L) - max(S(j-1)-P, 0))) sum_{k=1}^{K} x[c, S(j-1)+k-P]",
  lambda s, t, c, j: (1 / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))) * _wsum(s, t, c, j))
R("pe-08", r"f[c,j] = (sum_{l=1}^{L} [S(j-1)+1-P <= l <= S(j-1)+K-P] x[c,l]) / (sum_{l=1}^{L} [S(j-1)+1-P <= l <= S(j-1)+K-P])",
  lambda s, t, c, j: sm(1, s.L, lambda l: iv(_start(s, j) <= l <= s.S*(j-1) + s.K - s.P) * t.x(c, l))
      / sm(1, s.L, lambda l: iv(_start(s, j) <= l <= s.S*(j-1) + s.K - s.P)))
R("pe-09", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / min(L, K - max(0, P-S(j-1)) - max(0, S(j-1)+K-P-L))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / min(s.L, s.K - max(0, s.P - s.S*(j-1)) - max(0, s.S*(j-1) + s.K - s.P - s.L))))
R("pe-10", r"f[c,j] = \frac{\sum_{k=1}^{K} x_{c,S(j-1)+k-P}}{min(S(j-1)+K-P, L) - max(S(j-1)-P, 0)}",
  lambda s, t, c, j: _wsum(s, t, c, j) / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0)))
R("pe-11", r"f[a,t] = Sum(x[a, S*t - S + m - P], (m, 1, K)) / Sum([1 <= S*t - S + m - P <= L], (m, 1, K))",
  lambda s, T, a, t_: sm(1, s.K, lambda m: T.x(a, s.S*t_ - s.S + m - s.P))
      / sm(1, s.K, lambda m: iv(1 <= s.S*t_ - s.S + m - s.P <= s.L)))
R("pe-12", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (min(S(j-1)+K-P, L) - S(j-1) + min(S(j-1), P))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - s.S*(j-1) + min(s.S*(j-1), s.P))))
R("pe-13", r"f[c,j] = (sum_{k=1}^{K} x[c,S(j-1)+k-P]) / (K - sum_{k=1}^{K} [S(j-1)+k-P < 1] - sum_{k=1}^{K} [S(j-1)+k-P > L])",
  lambda s, t, c, j: _wsum(s, t, c, j) / (s.K - sm(1, s.K, lambda k: iv(s.S*(j-1) + k - s.P < 1))
                                           - sm(1, s.K, lambda k: iv(s.S*(j-1) + k - s.P > s.L))))
# incorrect ones
R("pe-20", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: (1 / s.K) * _wsum(s, t, c, j))
R("pe-21", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P]",
  lambda s, t, c, j: _wsum(s, t, c, j))
R("pe-22", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (min(S(j-1)+K-P, L) - (S(j-1) - P))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - (s.S*(j-1) - s.P))))
R("pe-23", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (S(j-1) + K - P - max(S(j-1) - P, 0))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (s.S*(j-1) + s.K - s.P - max(s.S*(j-1) - s.P, 0))))
R("pe-24", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (K - max(0, P - S(j-1), S(j-1) + K - P - L))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (s.K - max(0, s.P - s.S*(j-1), s.S*(j-1) + s.K - s.P - s.L))))
R("pe-25", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (K - P*[j = 1] - max(0, S(j-1) + K - P - L))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (s.K - s.P * iv(j == 1) - max(0, s.S*(j-1) + s.K - s.P - s.L))))
R("pe-26", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / (K - max(0, P - S(j-1)) - [j = floor((L+2P-K)/S)+1] max(0, S(j-1)+K-P-L))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (s.K - max(0, s.P - s.S*(j-1)) - iv(j == LP(s)) * max(0, s.S*(j-1) + s.K - s.P - s.L))))
R("pe-27", r"f[c,j] = sum_{k=1}^{K} x[c,j+k-1-P] / (min(j+K-1-P, L) - max(j-1-P, 0))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, j + k - 1 - s.P)
      / (min(j + s.K - 1 - s.P, s.L) - max(j - 1 - s.P, 0))))
R("pe-28", r"f[c,j] = (sum_{k=1}^{K} x[c,S(j-1)+k-P]) / (sum_{k=1}^{K} [0 <= S(j-1)+k-P <= L])",
  lambda s, t, c, j: _wsum(s, t, c, j) / sm(1, s.K, lambda k: iv(0 <= s.S*(j-1) + k - s.P <= s.L)))
R("pe-29", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / min(K, L)",
  lambda s, t, c, j: _wsum(s, t, c, j) / min(s.K, s.L))
R("pe-30", r"f[c,j] = sum_{k=1}^{K} x[c, S(j-1) + k - P] / (K - P)",
  lambda s, t, c, j: _wsum(s, t, c, j) / (s.K - s.P))
R("pe-31", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k] / (min(S(j-1)+K-P, L) - max(S(j-1)-P, 0))",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))))
R("pe-32", r"f[c,j] = sum_{k=1}^{K} x[c,S(j-1)+k-P] / min(K - max(0, P - S(j-1)), L)",
  lambda s, t, c, j: sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / min(s.K - max(0, s.P - s.S*(j-1)), s.L)))
R("pe-33", r"f[c,j] = (1/K) sum_{k=1}^{K} x[c,S(j-1)+k-P] / (min(S(j-1)+K-P, L) - max(S(j-1)-P, 0))",
  lambda s, t, c, j: (1 / s.K) * sm(1, s.K, lambda k: t.x(c, s.S*(j-1) + k - s.P)
      / (min(s.S*(j-1) + s.K - s.P, s.L) - max(s.S*(j-1) - s.P, 0))))


# ----------------------------------------------------------------------------- configs
T_NAMES = "N C L F K S P D".split()
P_NAMES = "C L K S P".split()


def t_valid(c):
    return (min(c[k] for k in "N C L F K S D".split()) >= 1 and c["P"] >= 0
            and (c["L"] - 1) * c["S"] - 2 * c["P"] + c["D"] * (c["K"] - 1) + 1 >= 1)


def p_valid(c):
    return (min(c["C"], c["L"], c["K"], c["S"]) >= 1 and c["P"] >= 0 and 2 * c["P"] <= c["K"]
            and c["L"] + 2 * c["P"] >= c["K"])


def t_configs():
    hand = [  # N C L F K S P D, chosen to separate the usual mistakes
        (1, 1, 1, 1, 1, 1, 0, 1),  # everything degenerate
        (2, 2, 3, 2, 3, 2, 1, 2),  # everything > 1
        (1, 2, 3, 3, 2, 1, 1, 1),  # P = S: input l = 2 reaches output j = 1 < l
        (1, 1, 1, 1, 2, 1, 0, 2),  # L = 1, D = 2, K = 2, P = 0: L_out = 3 > (L-1)S + K
        (2, 1, 2, 1, 3, 3, 2, 1),  # stride 3, wide padding
        (1, 1, 1, 1, 4, 1, 1, 1),  # L = 1, P > 0, K = 4
        (1, 2, 4, 1, 2, 2, 2, 2),  # P = S = D = 2
        (1, 1, 3, 1, 1, 3, 0, 1),  # K = 1, S = 3: gaps in the output
        (2, 3, 2, 2, 3, 1, 0, 3),  # D = 3, K = 3
        (1, 1, 1, 1, 2, 3, 1, 3),  # no tap lands in the output: f = b, dl/dx = 0
        (1, 3, 2, 1, 3, 2, 1, 1),  # C > 1, F = 1
        (2, 1, 2, 3, 2, 1, 1, 2),  # C = 1, F > 1
    ]
    out = [dict(zip(T_NAMES, h)) for h in hand]
    rng = random.Random(20250117)
    while len(out) < N_CONFIGS:
        c = {"N": rng.randint(1, 2), "C": rng.randint(1, 3), "L": rng.randint(1, 5),
             "F": rng.randint(1, 3), "K": rng.randint(1, 4), "S": rng.randint(1, 3),
             "P": rng.randint(0, 3), "D": rng.randint(1, 3)}
        if t_valid(c):
            out.append(c)
    for c in out:
        assert t_valid(c), c
    return out


def p_configs():
    hand = [  # C L K S P
        (1, 1, 1, 1, 0),  # everything degenerate
        (2, 4, 2, 1, 1),  # S = 1, K = 2P: L_out = L + 1
        (1, 4, 2, 2, 1),  # K = 2P and S | L: L_out = L/S + 1 > ceil(L/S)
        (2, 3, 4, 1, 2),  # P > S: the second window reaches the left padding too
        (1, 1, 3, 1, 1),  # L = 1 < K - P: one window clipped on both sides
        (3, 7, 3, 2, 1),  # generic
        (1, 2, 5, 3, 2),  # L = 2, K = 5, P = 2: clipped on both sides
        (2, 6, 3, 3, 0),  # P = 0, S = K
        (1, 5, 4, 2, 2),  # K = 2P, S = 2
        (2, 2, 2, 2, 1),  # L = S = K = 2P
        (1, 7, 5, 2, 2),  # long kernel, stride 2
        (2, 5, 3, 1, 1),  # S = 1, P = 1
        (1, 1, 2, 1, 1),  # L = 1, K = 2, P = 1: L_out = 2
        (1, 4, 5, 1, 2),  # P > S with several windows: windows 1-2 reach the left padding, 3-4 the right
        (2, 6, 4, 1, 2),  # K = 2P = 4, S = 1: L_out = L + 1
    ]
    out = [dict(zip(P_NAMES, h)) for h in hand]
    rng = random.Random(20250118)
    while len(out) < N_CONFIGS:
        K = rng.randint(1, 5)
        c = {"C": rng.randint(1, 3), "L": rng.randint(1, 7), "K": K, "S": rng.randint(1, 3),
             "P": rng.randint(0, K // 2)}
        if p_valid(c):
            out.append(c)
    for c in out:
        assert p_valid(c), c
    return out


# ----------------------------------------------------------------------------- torch references


def t_references(cfg, seed):
    s = SimpleNamespace(**cfg)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(s.N, s.C, s.L, generator=gen)
    W = torch.randn(s.C, s.F, s.K, generator=gen)
    b = torch.randn(s.F, generator=gen)
    xr = x.clone().requires_grad_(True)
    f = torch.nn.functional.conv_transpose1d(xr, W, b, stride=s.S, padding=s.P, dilation=s.D)
    assert tuple(f.shape) == (s.N, s.F, LT(s)), (f.shape, cfg)
    g = torch.randn(*f.shape, generator=gen)
    (f * g).sum().backward()
    ref = {"t_out": f.detach().numpy(), "t_grad_x": xr.grad.numpy()}
    return s, Tensors(x=x.numpy(), W=W.numpy(), b=b.numpy(), g=g.numpy()), ref


def p_references(cfg, seed):
    s = SimpleNamespace(**cfg)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(s.C, s.L, generator=gen)
    xr = x.clone().requires_grad_(True)
    pool = lambda x_, inc: torch.nn.functional.avg_pool1d(  # noqa: E731
        x_.unsqueeze(0), s.K, s.S, s.P, ceil_mode=False, count_include_pad=inc).squeeze(0)
    f = pool(xr, True)
    assert tuple(f.shape) == (s.C, LP(s)), (f.shape, cfg)
    g = torch.randn(*f.shape, generator=gen)
    (f * g).sum().backward()
    ref = {"p_out": f.detach().numpy(), "p_grad_x": xr.grad.numpy(),
           "p_out_excl": pool(x, False).numpy()}
    return s, Tensors(x=x.numpy(), g=g.numpy()), ref


def matches(fn, part, s, t, ref):
    """True iff fn agrees with the torch reference at every index of the part."""
    arr = ref[part]
    for idx in itertools.product(*(range(1, n + 1) for n in arr.shape)):
        val = fn(s, t, *idx)
        if not math.isclose(val, float(arr[tuple(i - 1 for i in idx)]), rel_tol=0, abs_tol=TOL):
            return False
    return True


PARTS = ["t_out", "t_grad_x", "p_out", "p_grad_x", "p_out_excl"]


def main():
    entries = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "duplicate ids"
    parsed = [e for e in entries if e["label"] != "unparseable"]
    for e in entries:
        assert set(e) == {"id", "part", "answer", "label", "why"}, e
        assert e["part"] in PARTS and e["label"] in {"correct", "incorrect", "unparseable"}, e
        if e["label"] == "unparseable":
            assert e["id"] not in FORMULAS, e["id"]
    assert {e["id"] for e in parsed} == set(FORMULAS), set(FORMULAS) ^ {e["id"] for e in parsed}
    for e in parsed:
        assert FORMULAS[e["id"]][0] == e["answer"], f"{e['id']}: answer text differs from the oracle's"

    fails = Counter()  # per entry: on how many size assignments it differs from torch
    witness = {}
    flags = Counter()
    runs = {"t": [], "p": []}
    for i, cfg in enumerate(t_configs()):
        s, t, ref = t_references(cfg, seed=1000 + i)
        runs["t"].append((cfg, s, t, ref))
        for k, v in {"S>1": s.S > 1, "P>0": s.P > 0, "D>1": s.D > 1, "K>1": s.K > 1, "L=1": s.L == 1,
                     "N>1": s.N > 1, "F>1": s.F > 1, "C>1": s.C > 1,
                     "P>0,L<=2": s.P > 0 and s.L <= 2}.items():
            flags["conv_t " + k] += v
    for i, cfg in enumerate(p_configs()):
        s, t, ref = p_references(cfg, seed=5000 + i)
        runs["p"].append((cfg, s, t, ref))
        for k, v in {"S>1": s.S > 1, "P>0": s.P > 0, "K>1": s.K > 1, "L=1": s.L == 1,
                     "C>1": s.C > 1, "P>0,L<=2": s.P > 0 and s.L <= 2, "K=2P>0": s.K == 2 * s.P > 0
                     }.items():
            flags["pool " + k] += v
    for e in parsed:
        for cfg, s, t, ref in runs[e["part"][0]]:
            if not matches(FORMULAS[e["id"]][1], e["part"], s, t, ref):
                fails[e["id"]] += 1
                witness.setdefault(e["id"], cfg)
    print(f"{N_CONFIGS} size assignments per layer; with " + ", ".join(f"{k}: {v}" for k, v in flags.items()))

    bad = []
    for e in parsed:
        found = "incorrect" if fails[e["id"]] else "correct"
        if found != e["label"]:
            bad.append(f"{e['id']}: labelled {e['label']}, oracle finds {found}"
                       + (f" (first mismatch at {witness[e['id']]})" if e["id"] in witness else ""))

    counts = Counter((e["part"], e["label"]) for e in entries)
    print(f"{'part':11} {'correct':>8} {'incorrect':>10} {'unparseable':>12} {'total':>6}")
    for p in PARTS:
        row = [counts[(p, lab)] for lab in ("correct", "incorrect", "unparseable")]
        print(f"{p:11} {row[0]:8} {row[1]:10} {row[2]:12} {sum(row):6}")
    tot = [sum(counts[(p, lab)] for p in PARTS) for lab in ("correct", "incorrect", "unparseable")]
    print(f"{'all':11} {tot[0]:8} {tot[1]:10} {tot[2]:12} {sum(tot):6}")
    rare = [f"{e['id']} ({fails[e['id']]}/{N_CONFIGS}, e.g. {witness[e['id']]})" for e in parsed
            if 0 < fails[e["id"]] < N_CONFIGS // 4]
    if rare:
        print("incorrect answers that differ from torch on fewer than a quarter of the size "
              "assignments (a grader's sample of sizes must include such points):\n  "
              + "\n  ".join(rare))
    if bad:
        print("\n".join(bad))
    assert not bad, f"{len(bad)} labels disagree with the oracle"
    print("every label agrees with the oracle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
