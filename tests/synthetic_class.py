"""A synthetic class of seed (Q1.1) submissions with student-like repetition.

Used by tests/test_batch.py and tests/benchmarks/bench_batch.py. Per asked
item, answers are drawn from a pool of correct forms in several spellings,
named mistakes and malformed answers, with weights falling like a class's
(many identical answers), and with probability ``TAIL`` from a long tail of
distinct spellings (each drawn at most a few times). A share ``BROKEN`` of the
files are malformed (bad YAML, binary junk, not a mapping).
"""

from __future__ import annotations

import os
import random

import yaml

#: Share of answers taken from the long tail of distinct spellings.
TAIL = 0.08
#: Share of files that are malformed.
BROKEN = 0.01

_I = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k]"
#: (part, item) -> [(answer, weight)]: correct forms first, then named mistakes, then malformed.
POOLS = {
    ("a", "shape"): [("4 x 5", 50), ("4×5", 15), ("[4, 5]", 10), ("(4, 5)", 5), ("5 x 4", 8),
                     ("4 x 4", 5), ("20", 3), ("4 x 5 x 1", 2), ("4 x", 2)],
    ("b", "shape"): [("F x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)", 40),
                     ("F x ceil((H+2P-D(K-1))/S) x ceil((W+2P-D(K-1))/S)", 10),
                     ("F x ((H+2P-D(K-1)-1)/S+1) x ((W+2P-D(K-1)-1)/S+1)", 15),
                     ("F x (floor((H+2P-K)/S)+1) x (floor((W+2P-K)/S)+1)", 12),
                     ("C x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)", 5),
                     ("F x floor((H+2P-D(K-1)-1/S)+1", 3)],
    ("c.i", "shape"): [("1 x 2", 50), ("R^{1x2}", 10), ("2", 10), ("1 x 3", 5), ("[1, 2", 2)],
    ("c.i", "value"): [(_I, 40), ("f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2j+k-2]", 10),
                       ("f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2j+k]", 10),
                       ("f[1,j] = sum_{k=1}^{3} W[1,1,k] x[1,2(j-1)+k]", 8),
                       ("f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,j+k-1]", 6),
                       ("f[1,j] = sum W x", 3)],
    ("c.ii", "shape"): [("1 x 2 x 1 x 2 x 3", 40), ("(1×2)×(1×2×3)", 10), ("1 x 2 x 3", 12), ("2 x 6", 6)],
    ("c.ii", "value"): [("df[1,j]/dW[1,c,k] = x[c,2(j-1)+k]", 40), ("df[1,j]/dW[1,c,k] = x[c,2j+k]", 10),
                        ("df[1,j]/dW[1,c,k] = W[1,c,k]", 5)],
    ("c.iii", "shape"): [("1 x 2 x 2 x 5", 40), ("1 x 2 x 5", 10), ("2 x 5", 6)],
    ("c.iii", "value"): [("df[1,j]/dx[c,l] = W[1,c,l-2(j-1)]", 35), ("df[1,j]/dx[c,l] = W[1,c,l-2j]", 10),
                         ("df[1,j]/dx[c,l] = x[c,l]", 5)],
    ("c.iv", "shape"): [("R^{1x2x3}", 30), ("1 x 2 x 3", 20), ("1 x 2", 8)],
    ("c.iv", "value"): [("dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,2(j-1)+k]", 35),
                        ("dl/dW[1,c,k] = g[1,1] x[c,k]", 8),
                        ("dl/dW[1,c,k] = sum_{j=1}^{2} g[1,j] x[c,2j+k]", 8)],
    ("c.iv", "explanation"): [("Both are cross-correlations with x.", 30), ("They are the same.", 10)],
}
_BROKEN_FILES = [b"answers: [1, 2\n", b"\x00\x01\x02\xff\xfe binary junk", b"- just\n- a list\n",
                 b"problem: q1.1\nanswers: 5\n"]


def _tail(part: str, item: str, serial: int) -> object:
    """A distinct spelling (serial-th) of a plausible answer: right or wrong by serial's parity."""
    if item == "shape" and part == "a":
        return f"{4 + serial} - {serial} x {5 + serial % 2}"
    if item == "shape":
        return f"{' ' * (serial % 5)}{POOLS[(part, item)][serial % 2][0]}{' ' * (serial // 5 % 7)}"
    if item == "value":
        answer = POOLS[(part, item)][serial % 2][0]
        return f"{answer} + {serial} - {serial}"
    return f"An explanation, version {serial}."


def answers_for(rng: random.Random, serial: list[int]) -> dict:
    """One student's answers: part -> {item: answer}, some parts left out."""
    answers: dict = {}
    for (part, item), pool in POOLS.items():
        if rng.random() < 0.03:
            continue                                   # unanswered
        if rng.random() < TAIL:
            serial[0] += 1
            value = _tail(part, item, serial[0])
        else:
            value = rng.choices([a for a, _ in pool], weights=[w for _, w in pool])[0]
        answers.setdefault(part, {})[item] = value
    return answers


def write_class(directory: str, count: int, *, seed: int = 13, broken: float = BROKEN) -> list[str]:
    """Write ``count`` submission files into ``directory`` (sorted names); return their paths."""
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    serial = [0]
    paths = []
    for number in range(count):
        path = os.path.join(directory, f"student{number:06d}.yaml")
        if rng.random() < broken:
            data = rng.choice(_BROKEN_FILES)
        else:
            submission = {"problem": "q1.1", "student": f"s{number:06d}", "answers": answers_for(rng, serial)}
            data = yaml.safe_dump(submission, allow_unicode=True, sort_keys=False).encode("utf-8")
        with open(path, "wb") as handle:
            handle.write(data)
        paths.append(path)
    return paths
