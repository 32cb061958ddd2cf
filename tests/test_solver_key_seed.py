"""The seed's answer key, checked against answers derived by hand (not copied from the solver)."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import sympy

from solver.elementwise.evaluate import evaluate
from solver.notation import parse_equation, parse_expression

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
H, W, K, P, S, D, C, F = (sympy.Symbol(n, integer=True) for n in "HWKPSDCF")


def _key(fmt="json"):
    run = subprocess.run([sys.executable, "-m", "solver", str(SEED), "--format", fmt],
                         capture_output=True, text=True, check=True)
    return run.stdout


def _parts():
    data = json.loads(_key())
    assert data["problem"] == "q1.1" and data["indexing"] == 1
    return {p["id"]: p for p in data["parts"]}


def test_key_lists_answerable_parts_in_spec_order():
    data = json.loads(_key())
    assert [p["id"] for p in data["parts"]] == ["a", "b", "c.i", "c.ii", "c.iii", "c.iv"]
    assert data["title"] == "Q1.1 Convolutional Neural Networks"


def test_part_a_by_hand():
    # floor((10 - 3)/2) + 1 = 4 and floor((11 - 3)/2) + 1 = 5
    assert _parts()["a"]["answers"] == {"shape": [4, 5]}


def test_part_b_formula_by_hand():
    shape = _parts()["b"]["answers"]["shape"]
    assert len(shape) == 3
    names = list("HWKPSDCF")
    expected = [F, sympy.floor((H + 2 * P - D * (K - 1) - 1) / S) + 1,
                sympy.floor((W + 2 * P - D * (K - 1) - 1) / S) + 1]
    found = [parse_expression(str(entry), names=names) for entry in shape]
    rng = np.random.default_rng(0)
    for _ in range(300):
        values = {H: int(rng.integers(1, 30)), W: int(rng.integers(1, 30)), K: int(rng.integers(1, 6)),
                  P: int(rng.integers(0, 4)), S: int(rng.integers(1, 5)), D: int(rng.integers(1, 4)),
                  F: int(rng.integers(1, 9)), C: int(rng.integers(1, 4))}
        for want, got in zip(expected, found):
            assert want.subs(values) == got.subs(values)


def test_part_c_shapes_by_hand():
    parts = _parts()
    # output: floor((5 - 3)/2) + 1 = 2 positions, 1 filter; W is 1 x 2 x 3; x is 2 x 5
    assert parts["c.i"]["answers"]["shape"] == [1, 2]
    assert parts["c.ii"]["answers"]["shape"] == [1, 2, 1, 2, 3]
    assert parts["c.iii"]["answers"]["shape"] == [1, 2, 2, 5]
    assert parts["c.iv"]["answers"]["shape"] == [1, 2, 3]
    assert "cross-correlation" in parts["c.iv"]["answers"]["explanation"]


def _hand_value(part_id, tensors, env):
    """The seed's answers worked out by hand, 1-based: x[c, l], W[1, c, k], g[1, j]."""
    x, w, g = tensors["x"], tensors["W"], tensors["g"]
    def X(c, l):
        return x[c - 1, l - 1] if 1 <= l <= 5 else 0
    def Wt(c, k):
        return w[0, c - 1, k - 1] if 1 <= k <= 3 else 0
    j = env.get("j")
    if part_id == "c.i":
        return sum(Wt(c, k) * X(c, 2 * (j - 1) + k) for c in (1, 2) for k in (1, 2, 3))
    if part_id == "c.ii":
        return X(env["c"], 2 * (j - 1) + env["k"])
    if part_id == "c.iii":
        return Wt(env["c"], env["l"] - 2 * (j - 1))
    return sum(g[0, jj - 1] * X(env["c"], 2 * (jj - 1) + env["k"]) for jj in (1, 2))


def test_part_c_values_by_hand():
    parts = _parts()
    rng = np.random.default_rng(1)
    tensors = {"x": rng.integers(-9, 10, (2, 5)).astype(object),
               "W": rng.integers(-9, 10, (1, 2, 3)).astype(object),
               "g": rng.integers(-9, 10, (1, 2)).astype(object)}
    ranges = {"c.i": {"j": (1, 2)}, "c.ii": {"j": (1, 2), "c": (1, 2), "k": (1, 3)},
              "c.iii": {"j": (1, 2), "c": (1, 2), "l": (1, 5)}, "c.iv": {"c": (1, 2), "k": (1, 3)}}
    lhs = {"c.i": ("f", None), "c.ii": ("f", "W"), "c.iii": ("f", "x"), "c.iv": ("l", "W")}
    for part_id, index_ranges in ranges.items():
        equation = parse_equation(parts[part_id]["answers"]["value"])
        assert (equation.of.name, equation.wrt.name if equation.wrt else None) == lhs[part_id]
        names = list(index_ranges)
        for values in itertools.product(*(range(lo, hi + 1) for lo, hi in index_ranges.values())):
            env = dict(zip(names, values))
            # the key's left-hand side uses the constant 1 for the single filter
            symbols = {s.name: s for s in equation.rhs.free_symbols}
            got = evaluate(equation.rhs, tensors, base=1,
                           env={symbols[n]: v for n, v in env.items() if n in symbols})
            assert got == _hand_value(part_id, tensors, env), (part_id, env)


def test_markdown_key_has_latex():
    text = _key("markdown")
    assert text.startswith("# Q1.1 Convolutional Neural Networks")
    assert "\\mathbb{R}^{4 \\times 5}" in text
    assert "\\sum_{" in text and "W_{1,c,k}" in text
    assert "\\left\\lfloor" in text


def test_yaml_key_is_the_default_and_round_trips(tmp_path):
    import yaml
    out = tmp_path / "key.yaml"
    subprocess.run([sys.executable, "-m", "solver", str(SEED), "-o", str(out)], check=True)
    assert yaml.safe_load(out.read_text()) == json.loads(_key())


def test_markdown_key_writes_assumptions_in_latex():
    # the seed's part b assumes H >= K and W >= K
    text = _key("markdown")
    assert "Assumptions: $H \\ge K$, $W \\ge K$" in text
    assert "$H >= K$" not in text
