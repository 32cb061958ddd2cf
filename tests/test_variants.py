"""Per-student variants: declared freedom, the stable hash, uniformity, round trips checked
against PyTorch, grading against the student's own numbers, the commands.

Expectations are independent of the solver: admissibility by hand-written predicates,
shapes, values, gradients and parameter counts by PyTorch (float64 autograd), the chi-square
critical values from tables, byte identity between separate processes.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import yaml
from torch import nn

from grader.grading import Grader
from grader.results import CORRECT, INCORRECT, MANUAL
from grader.sandbox import Sandbox
from grader.submission import submission_from_data
from grader.variants import VariantGrader, VariantKeys
from solver.errors import SpecError
from solver.key import build_key
from solver.spec.loading import load_problem, load_spec_data, problem_from_data
from solver.spec.per_student import SpecVariants
from solver.spec.variants import variant_space

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))
FREE_SPECS = [s for s in SPECS if variant_space(load_spec_data(s)) is not None]
IDS = [f"student{i:04d}@uni.edu" for i in range(1000)]

#: chi-square critical values at alpha = 0.001 (standard tables): df -> value.
CHI2_001 = {2: 13.816, 21: 46.797}

SMALL = """
id: small
constraints: ["K <= H", "(H - K) % S == 0"]
variants: {seed: 3}
parts:
  - id: a
    prompt: "An input of {H} x {H}, kernel {K}, stride {S}: {= (H - K)/S + 1} per side; {{H}}."
    layer: {op: conv2d, input: [{name: H, range: [4, 9]}, "{H}"], kernel: {name: K, choose: [2, 3]},
            stride: {name: S, choose: [1, 2, 3]}}
    ask: [shape]
"""


def _write(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _small_admissible():
    """By hand: (H, K, S) with K <= H and S dividing H - K (every such conv2d is valid)."""
    return {(h, k, s) for h in range(4, 10) for k in (2, 3) for s in (1, 2, 3)
            if k <= h and (h - k) % s == 0}


# ---- declared freedom and its errors -------------------------------------------------------

def test_small_space_is_the_hand_enumeration_with_the_base_first(tmp_path):
    variants = SpecVariants(_write(tmp_path, SMALL))
    found = [tuple(dict(variants.numbered(n).assignment.values)[k] for k in "HKS")
             for n in range(variants.space.count)]
    assert set(found) == _small_admissible() and len(found) == len(_small_admissible()) == 22
    assert found[0] == (4, 2, 1)                     # the base: each choice's first value
    base = variants.base().problem.parts[0]
    assert base.prompt == "An input of 4 x 4, kernel 2, stride 1: 3 per side; {H}."
    assert base.layers[0].spatial == (4, 4)


ERRORS = {
    "unknown key in a choice": ("{name: K, choose: [2, 3], default: 2}", "kernel: unknown key 'default'"),
    "step 0": ("{range: [2, 4], step: 0}", "kernel.step: expected an integer >= 1; found 0, which never advances"),
    "range upside down": ("{range: [4, 2]}", "kernel.range: lo 4 is above hi 2"),
    "base not a value": ("{choose: [2, 3], base: 5}", "kernel.base: base 5 is not one of"),
    "empty choose": ("{choose: []}", "kernel.choose: expected a non-empty list"),
    "choose and range": ("{choose: [2], range: [1, 2]}", "give either choose"),
    "nested choice": ("{choose: [{choose: [1]}]}", "kernel.choose[0]: expected a number"),
    "duplicate value": ("{choose: [2, 2]}", "kernel.choose[1]: 2 is listed twice"),
}


@pytest.mark.parametrize("kernel,message", ERRORS.values(), ids=ERRORS.keys())
def test_a_bad_choice_is_an_error_naming_file_part_and_field(tmp_path, kernel, message):
    path = _write(tmp_path, f"id: q\nparts:\n  - id: a\n    layer: {{op: conv1d, input: [8], "
                            f"kernel: {kernel}}}\n    ask: [shape]\n")
    with pytest.raises(SpecError) as error:
        load_problem(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)


SPEC_ERRORS = {
    "a name used but not declared": (
        SMALL.replace("{= (H - K)/S + 1}", "{Q}"), "parts[0].prompt: {Q} names Q, which is not declared"),
    "a constraint naming an unknown name": (
        SMALL.replace('"K <= H"', '"K <= Z"'), "constraints[0]: 'K <= Z' uses Z, which is not declared"),
    "a formula naming an unknown name": (
        SMALL.replace("{= (H - K)/S + 1}", "{= H + Z}"), "'H + Z' uses Z, which is not declared"),
    "a name declared twice": (
        SMALL.replace("name: S", "name: K"), "K is declared twice"),
    "constraints admitting none": (
        SMALL.replace('"K <= H"', '"K > H"'),
        "no assignment of the 36 the choices allow is admissible (constraints: K > H; (H - K) % S == 0"),
    "fewer variants than asked": (
        SMALL.replace("{seed: 3}", "{seed: 3, diversity: 30}"),
        "variants.diversity: asks for at least 30 variants but the choices and constraints admit only 22"),
    "base values not admissible": (
        SMALL.replace("range: [4, 9]}", "range: [4, 9], base: 5}").replace("[1, 2, 3]", "[2, 1, 3]"),
        "the base values (H=5, K=2, S=2) are not admissible: constraint '(H - K) % S == 0' fails"),
    "unknown variants key": (SMALL.replace("{seed: 3}", "{seed: 3, sead: 4}"), "variants.sead: unknown key"),
    "constraints without choices": (
        "id: q\nconstraints: ['1 < 2']\nparts: [{id: a, layer: {op: conv1d, input: [5], kernel: 3}, "
        "ask: [shape]}]\n", "constraints: this spec declares no choice"),
    "a constraint with a tensor entry": (
        SMALL.replace('"K <= H"', '"K <= x[1]"'), "cannot hold a sum or a tensor entry"),
}


@pytest.mark.parametrize("text,message", SPEC_ERRORS.values(), ids=SPEC_ERRORS.keys())
def test_a_bad_declaration_is_an_error(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(SpecError) as error:
        SpecVariants(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_the_layer_validity_rules_out_variants_with_no_constraint(tmp_path):
    # kernel 5 on an input of 3 or 4 is refused (PyTorch's rule), so only L = 5, 6 remain with K = 5
    path = _write(tmp_path, "id: q\nparts:\n  - id: a\n    layer: {op: conv1d, input: [{name: L, "
                            "range: [3, 6]}], kernel: {name: K, choose: [3, 5]}}\n    ask: [shape]\n")
    space = SpecVariants(path).space
    found = {tuple(dict(space.numbered(n).values).values()) for n in range(space.count)}
    assert found == {(3, 3), (4, 3), (5, 3), (6, 3), (5, 5), (6, 5)}


# ---- the seed homework ---------------------------------------------------------------------

def test_the_seed_homework_is_variant_0_and_its_base_key():
    variants = SpecVariants(SEED)
    base = build_key(load_problem(SEED)).to_data()
    zero = build_key(variants.numbered(0).problem).to_data()
    assert zero == base
    assert dict(variants.numbered(0).assignment.values) == {
        "H": 10, "W": 11, "K": 3, "S": 2, "C": 2, "L": 5, "K_c": 3, "T": 2}
    # H, W in 8..12 (5 each), K 3 values, S 3, C 3, L 5..8, K_c 2, T 2; K <= 5 <= H, K_c <= 3 <= L
    assert variants.space.count == 5 * 5 * 3 * 3 * 3 * 4 * 2 * 2
    assert variants.seed is None                   # graded on its base values unless asked


def test_over_1000_ids_no_invalid_variant_every_choice_covered_and_uniform_marginals():
    space = SpecVariants(SEED).space
    seen = {label: Counter() for label in "HWKSCLT"}
    for student in IDS:
        values = dict(space.for_student(student, 5).values)
        h, w, k, s, c, length, kc, t = (values[n] for n in ("H", "W", "K", "S", "C", "L", "K_c", "T"))
        assert k <= min(h, w) and kc <= length and (h - k) // s + 1 >= 1
        for label, value in zip("HWKSCLT", (h, w, k, s, c, length, t)):
            seen[label][value] += 1
    assert set(seen["K"]) == {2, 3, 5} and set(seen["H"]) == set(range(8, 13))
    assert set(seen["L"]) == set(range(5, 9)) and set(seen["C"]) == {1, 2, 3}
    for label in "KSC":                              # every combination is admissible: 1/3 each
        statistic = sum((n - 1000 / 3) ** 2 / (1000 / 3) for n in seen[label].values())
        assert statistic < CHI2_001[2], (label, seen[label])


def test_chi_square_over_the_admissible_variants_does_not_reject_uniformity(tmp_path):
    variants = SpecVariants(_write(tmp_path, SMALL))
    counts = Counter()
    for student in IDS:
        values = dict(variants.space.for_student(student, 3).values)
        triple = (values["H"], values["K"], values["S"])
        assert triple in _small_admissible()
        counts[triple] += 1
    assert set(counts) == _small_admissible()         # every variant occurs
    expected = len(IDS) / len(_small_admissible())
    statistic = sum((counts[t] - expected) ** 2 / expected for t in _small_admissible())
    assert statistic < CHI2_001[len(_small_admissible()) - 1], statistic


def test_the_variant_depends_on_seed_and_student_but_not_on_case_or_spaces(tmp_path):
    space = SpecVariants(_write(tmp_path, SMALL)).space
    alice = space.for_student("alice@uni.edu", 3).choice
    assert space.for_student("  Alice@Uni.edu ", 3).choice == alice
    assert len({space.for_student(s, 3).choice for s in IDS[:50]}) > 10
    assert [space.for_student("alice", seed).number for seed in range(8)] != [alice] * 8


# ---- byte identity across processes ----------------------------------------------------------

def _run(args, hashseed, cwd=ROOT):
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "solver", *args], capture_output=True, cwd=cwd,
                          env=env, check=True).stdout


def test_same_student_and_seed_give_byte_identical_output_in_separate_processes(tmp_path):
    args = [str(ROOT / "problems" / "cnn" / "variant_exact_fit.yaml"), "--student", "alice", "--seed", "9"]
    first, second = _run(args, 0), _run(args, 4242)
    assert first == second and b"student alice, seed 9" in first
    assert _run(args[:-3] + ["bob", "--seed", "9"], 1) != first
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID,Email\nA,alice,a@x\nB,bob,b@x\n")
    for hashseed, out in ((1, "one"), (777, "two")):
        _run([str(SEED), "--students", str(roster), "--seed", "2", "-o", str(tmp_path / out)], hashseed)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == ["alice.key.yaml", "alice.sheet.txt", "bob.key.yaml", "bob.sheet.txt", "variants.csv"]
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# ---- round trips, checked against PyTorch -----------------------------------------------------

_TORCH = {"conv": (nn.Conv1d, nn.Conv2d), "conv_transpose": (nn.ConvTranspose1d, nn.ConvTranspose2d),
          "maxpool": (nn.MaxPool1d, nn.MaxPool2d), "avgpool": (nn.AvgPool1d, nn.AvgPool2d)}


def _module(layer) -> nn.Module:
    cls = _TORCH[layer.family][layer.ndim - 1]
    padding = tuple(before for before, _ in layer.padding)
    assert all(before == after for before, after in layer.padding)
    if layer.family in ("conv", "conv_transpose"):
        extra = {"output_padding": layer.output_padding} if layer.family == "conv_transpose" else {}
        return cls(layer.channels or 1, layer.filters or 1, layer.kernel, stride=layer.stride,
                   padding=padding, dilation=layer.dilation, groups=layer.groups, bias=layer.bias,
                   **extra).double()
    if layer.family == "maxpool":
        return cls(layer.kernel, layer.stride, padding, layer.dilation, ceil_mode=layer.ceil_mode)
    return cls(layer.kernel, layer.stride, padding, ceil_mode=layer.ceil_mode)


def _torch_shape(part) -> list[int]:
    first, last = part.layers[0], part.layers[-1]
    out = torch.zeros((first.batch or 1, first.channels or 1, *first.spatial), dtype=torch.float64)
    for layer in part.layers:
        out = _module(layer)(out)
    keep_channels = last.filters is not None if last.family in ("conv", "conv_transpose") \
        else last.channels is not None
    shape = ([out.shape[0]] if first.batch is not None else []) + \
            ([out.shape[1]] if keep_channels else []) + list(out.shape[2:])
    return shape


def _torch_numeric(part):
    layer = part.layer
    values = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in layer.values.items()}
    x, w = values["x"], values["W"]
    conv = {1: F.conv1d, 2: F.conv2d}[layer.ndim]
    padding = tuple(before for before, _ in layer.padding)
    def forward(x_, w_, b_=values.get("b")):
        return conv(x_.unsqueeze(0), w_, b_, layer.stride, padding, layer.dilation, layer.groups)[0]
    out = forward(x, w)
    if part.of == "output":
        return out.detach().numpy()
    if part.of == "jacobian":
        return torch.autograd.functional.jacobian(lambda w_: forward(x.detach(), w_), w.detach()).numpy()
    (out * values["g"]).sum().backward()
    return {"weight": w, "input": x, "bias": values.get("b")}[part.wrt].grad.numpy()


def _variants(spec, count=50):
    variants = SpecVariants(spec)
    if variants.space.count is not None and variants.space.count <= count:
        return [variants.numbered(n) for n in range(variants.space.count)]
    return [variants.for_student(f"s{i}", variants.seed or 0) for i in range(count)]


def test_at_least_five_bundled_specs_declare_variants_including_the_seed():
    assert len(FREE_SPECS) >= 5 and SEED in FREE_SPECS


@pytest.mark.parametrize("spec", FREE_SPECS, ids=[s.name for s in FREE_SPECS])
def test_every_variant_round_trips_and_its_numbers_match_pytorch(spec):
    checked = Counter()
    with Sandbox() as sandbox:
        for variant in _variants(spec):
            key = build_key(variant.problem)
            data = key.to_data()
            submission = submission_from_data({"problem": data["problem"], "answers": {
                part["id"]: part["answers"] for part in data["parts"]}})
            with Grader(key, sandbox=sandbox) as grader:
                result = grader.grade(submission)
            assert result.error is None
            for part in result.parts:
                for answer in part.answers:
                    assert answer.verdict in (CORRECT, MANUAL), (variant.assignment, part.id, answer)
            for part_key in key.parts:
                part = part_key.part
                if part.layer.is_symbolic:
                    continue
                if "shape" in part.ask and part.of == "output":
                    assert part_key.answer("shape").to_data() == _torch_shape(part)
                    checked["shape"] += 1
                if "numeric" in part.ask:
                    np.testing.assert_allclose(np.array(part_key.answer("numeric").to_data()),
                                               _torch_numeric(part), rtol=1e-10, atol=1e-12)
                    checked["numeric"] += 1
                if "params" in part.ask:
                    expected = sum(p.numel() for layer in part.layers for p in _module(layer).parameters())
                    assert part_key.answer("params").to_data() == expected
                    checked["params"] += 1
    assert checked["shape"] > 0



# ---- grading against the student's own numbers -------------------------------------------

def _part_a_shape(values):
    """By hand: floor((H - K)/S) + 1 and floor((W - K)/S) + 1 (no padding)."""
    return [(values["H"] - values["K"]) // values["S"] + 1, (values["W"] - values["K"]) // values["S"] + 1]


def _c_length(values):
    return (values["L"] - values["K_c"]) // values["T"] + 1


def _c_params(values):
    return values["C"], values["K_c"], values["T"], _c_length(values)


def test_a_student_graded_against_another_students_variant_gets_the_expected_verdicts():
    space = SpecVariants(SEED).space
    values = {s: dict(space.for_student(s, 11).values) for s in IDS[:60]}
    pairs = [(a, b) for a in values for b in values if a < b]
    # 1. part a differs (by hand), part c is the same: only a is wrong
    same_c = next((a, b) for a, b in pairs if _part_a_shape(values[a]) != _part_a_shape(values[b])
                  and _c_params(values[a]) == _c_params(values[b]))
    # 2. the Jacobian df/dW (1 x n x 1 x C x K_c) differs in C or K_c: its shape is wrong
    other_c = next((a, b) for a, b in pairs if _part_a_shape(values[a]) == _part_a_shape(values[b])
                   and (values[a]["C"], values[a]["K_c"]) != (values[b]["C"], values[b]["K_c"]))
    keys = VariantKeys(SEED, seed=11)
    with VariantGrader(SEED, seed=11) as grader:
        for (alice, bob), wrong in ((same_c, {("a", "shape")}), (other_c, {("c.ii", "shape")})):
            key = keys.key_for(submission_from_data({"problem": "q1.1", "student": alice}))
            answers = {p["id"]: p["answers"] for p in key.to_data()["parts"]}
            own = grader.grade(submission_from_data({"problem": "q1.1", "student": alice,
                                                     "answers": answers}))
            other = grader.grade(submission_from_data({"problem": "q1.1", "student": bob,
                                                       "answers": answers}))
            assert own.score + own.pending_manual == pytest.approx(own.max_score)
            verdicts = {(p.id, a.item): a.verdict for p in other.parts for a in p.answers}
            for item in wrong:
                assert verdicts[item] == INCORRECT, (alice, bob, item)
            if wrong == {("a", "shape")}:
                assert all(v in (CORRECT, MANUAL) for k, v in verdicts.items() if k not in wrong)
            assert verdicts[("b", "shape")] == CORRECT           # symbolic: the same for everyone
            number = keys.variants.for_student(bob, 11).assignment.number
            assert any(f"graded against variant {number} of" in note for note in other.notes)


def test_the_variant_of_a_submission_must_be_determinable(tmp_path):
    path = _write(tmp_path, SMALL)                  # seed 3 in the spec
    with VariantGrader(path) as grader:
        nobody = grader.grade(submission_from_data({"problem": "small", "answers": {"a": "3 x 3"}}))
        wrong_seed = grader.grade(submission_from_data({"problem": "small", "student": "alice",
                                                        "seed": 4, "answers": {"a": "3 x 3"}}))
    assert "has no 'student' field, so its variant cannot be determined" in nobody.error
    assert nobody.parts == () and nobody.score == 0
    assert "says seed 4, but the variants are graded with seed 3" in wrong_seed.error


def test_without_a_seed_the_base_values_are_graded_unless_a_submission_asks_for_a_variant():
    keys = VariantKeys(SEED)
    assert keys.key_for(submission_from_data({"problem": "q1.1", "student": "alice"})) is keys.base
    asked = keys.key_for(submission_from_data({"problem": "q1.1", "student": "alice", "seed": 4}))
    assert asked.variant["values"] == dict(SpecVariants(SEED).for_student("alice", 4).assignment.values)


def test_keys_are_built_once_per_variant_in_a_run(tmp_path):
    keys = VariantKeys(_write(tmp_path, SMALL))
    students = IDS[:60]
    for student in students * 2:
        keys.key_for(submission_from_data({"problem": "small", "student": student}))
    distinct = {SpecVariants(tmp_path / "spec.yaml").space.for_student(s, 3).choice for s in students}
    assert keys.builds == len(distinct | {keys.variants.base().assignment.choice})


def test_grader_command_grades_each_student_against_their_variant(tmp_path):
    spec = _write(tmp_path, SMALL)
    for student in ("alice", "bob"):
        shape = {(h, k, s): f"{(h - k) // s + 1} x {(h - k) // s + 1}" for h, k, s in _small_admissible()}
        values = dict(SpecVariants(spec).for_student(student, 3).assignment.values)
        answer = shape[(values["H"], values["K"], values["S"])]
        (tmp_path / f"{student}.yaml").write_text(yaml.safe_dump(
            {"problem": "small", "student": student, "answers": {"a": answer}}))
    run = subprocess.run([sys.executable, "-m", "grader", str(spec), str(tmp_path / "alice.yaml"),
                          str(tmp_path / "bob.yaml"), "--format", "json"], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    import json
    results = json.loads(run.stdout)["results"]
    assert [r["score"] for r in results] == [1.0, 1.0]


# ---- rosters ---------------------------------------------------------------------------

def _solver(args):
    return subprocess.run([sys.executable, "-m", "solver", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_canvas_export_works_as_it_is(tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_bytes(b"\xef\xbb\xbfStudent,ID,SIS User ID,Section\n    Points Possible,,,\n"
                       b'"Doe, Jane",1001,jd1,S1\n"Roe, R",1002,rr2,S1\n')
    run = _solver([_write(tmp_path, SMALL), "--students", roster, "-o", tmp_path / "out"])
    assert run.returncode == 0, run.stderr
    assert "skipped 1 row(s) with an empty 'ID' (line 2)" in run.stderr
    with open(tmp_path / "out" / "variants.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == ["1001", "1002"]
    sheet = (tmp_path / "out" / "1001.sheet.txt").read_text()
    values = dict(SpecVariants(tmp_path / "spec.yaml").for_student("1001", 3).assignment.values)
    assert f"An input of {values['H']} x {values['H']}, kernel {values['K']}" in sheet
    key = yaml.safe_load((tmp_path / "out" / "1001.key.yaml").read_text())
    assert key["variant"]["student"] == "1001" and key["variant"]["values"] == values


def test_a_gradescope_export_uses_sid_and_id_column_chooses_another(tmp_path):
    roster = tmp_path / "gs.csv"
    roster.write_text("Full Name,Email,SID\nJane,jane@x.edu,77\n")
    spec = _write(tmp_path, SMALL)
    assert _solver([spec, "--students", roster, "-o", tmp_path / "a"]).returncode == 0
    assert (tmp_path / "a" / "77.key.yaml").exists()
    assert _solver([spec, "--students", roster, "-o", tmp_path / "b", "--id-column", "email"]).returncode == 0
    assert (tmp_path / "b" / "jane@x.edu.key.yaml").exists()
    missing = _solver([spec, "--students", roster, "-o", tmp_path / "c", "--id-column", "netid"])
    assert missing.returncode == 2 and "no column 'netid' in the header" in missing.stderr


def test_student_without_a_seed_anywhere_is_a_clear_error():
    run = _solver([SEED, "--student", "alice"])
    assert run.returncode == 2 and "sets no variants.seed; give the assignment seed (--seed N)" in run.stderr


def test_problem_from_data_still_takes_specs_without_freedom_unchanged():
    raw = {"id": "q", "parts": [{"id": "a", "prompt": "R^{1x2} {K}", "layer": {"op": "conv1d",
           "input": [5], "kernel": 3}, "ask": ["shape"]}]}
    assert problem_from_data(raw).parts[0].prompt == "R^{1x2} {K}"


def test_a_space_too_large_to_enumerate_is_sampled_and_stays_admissible(tmp_path):
    path = _write(tmp_path, "id: big\nconstraints: ['K <= L', 'L % 7 == 0']\nparts:\n  - id: a\n"
                            "    layer: {op: conv1d, input: [{name: L, range: [1, 10000], base: 7}], "
                            "kernel: {name: K, range: [1, 20]}}\n    ask: [shape]\n")
    space = SpecVariants(path).space
    assert space.product == 200_000 and space.count is None        # above MAX_ENUMERATED
    chosen = [dict(space.for_student(s, 1).values) for s in IDS[:100]]
    assert all(v["K"] <= v["L"] and v["L"] % 7 == 0 for v in chosen)
    assert len({(v["L"], v["K"]) for v in chosen}) > 90


def test_an_unquoted_yaml_reference_is_the_value_itself(tmp_path):
    path = _write(tmp_path, "id: q\nparts:\n  - id: a\n    layer: {op: conv2d, input: "
                            "[{name: H, choose: [6, 7]}, {H}], kernel: {H}}\n    ask: [shape]\n")
    layers = [SpecVariants(path).numbered(n).problem.parts[0].layers[0] for n in (0, 1)]
    assert [(l.spatial, l.kernel) for l in layers] == [((6, 6), (6, 6)), ((7, 7), (7, 7))]


def test_the_square_image_hint_speaks_of_each_students_own_image():
    # Part a's hint is for the height's output size on both axes; its text names the student's
    # own H x W (a fixed "10 x 11" would mislead every other variant). By hand for each student.
    space = SpecVariants(SEED).space
    students = [s for s in IDS[:80] if dict(space.for_student(s, 11).values)["H"]
                != dict(space.for_student(s, 11).values)["W"]][:6]
    with VariantGrader(SEED, seed=11) as grader:
        for student in students:
            values = dict(space.for_student(student, 11).values)
            height = (values["H"] - values["K"]) // values["S"] + 1
            if height == _part_a_shape(values)[1]:
                continue                                 # square output: the hint never shows
            result = grader.grade(submission_from_data({"problem": "q1.1", "student": student,
                                                        "answers": {"a": f"{height} x {height}"}}))
            answer = next(a for p in result.parts if p.id == "a" for a in p.answers)
            assert answer.verdict == INCORRECT
            assert f"The image is {values['H']} x {values['W']}, not square" in answer.feedback, (student, answer)


def test_the_channel_sum_hint_of_c_iv_shows_in_every_variant():
    # The anticipated mistake (a sum over c in dl/dW[1,c,k]) written by hand with each student's
    # own C, output length and stride T gets the instructor's hint, not only in variant 0.
    space = SpecVariants(SEED).space
    with VariantGrader(SEED, seed=11) as grader:
        for student in IDS[:6]:
            values = dict(space.for_student(student, 11).values)
            outputs = (values["L"] - values["K_c"]) // values["T"] + 1
            mistake = (f"dl/dW[1,c,k] = sum_{{c=1}}^{{{values['C']}}} sum_{{j=1}}^{{{outputs}}} "
                       f"g[1,j] x[c, {values['T']}(j-1)+k]")
            result = grader.grade(submission_from_data({"problem": "q1.1", "student": student,
                                                        "answers": {"c.iv": {"value": mistake}}}))
            answer = next(a for p in result.parts if p.id == "c.iv" for a in p.answers if a.item == "value")
            if values["C"] == 1:
                continue                     # one channel: the sum over c is harmless, the answer right
            assert answer.verdict == INCORRECT
            assert "Each channel of W gets its own gradient entry" in answer.feedback, (student, values, answer)
