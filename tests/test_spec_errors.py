"""Broken spec files: each prints one clear error line naming file, part and field, and exits 2."""

import subprocess
import sys

import pytest

from solver.cli import main

GOOD_LAYER = "{op: conv2d, input: [10, 11], kernel: 3, stride: 2}"

# (name, file content, fragments the single error line must contain)
BROKEN_SPECS = [
    ("not yaml", "id: q\nparts: [\n  - a: : :\n", ["not a readable YAML file", "line"]),
    ("empty file", "", ["a spec is a mapping", "empty file"]),
    ("a list", "- 1\n- 2\n", ["a spec is a mapping", "list"]),
    ("missing id", f"parts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n", ["id", "missing"]),
    ("missing parts", "id: q\n", ["parts", "non-empty list"]),
    ("unknown top field", f"id: q\ntitel: x\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["titel", "unknown field", "accepted"]),
    ("unknown op", "id: q\nparts:\n  - {id: a, layer: {op: conv4d, input: [3], kernel: 1}, ask: [shape]}\n",
     ["part a", "layer.op", "conv4d", "accepted: conv1d"]),
    ("missing op", "id: q\nparts:\n  - {id: a, layer: {input: [3], kernel: 1}, ask: [shape]}\n",
     ["part a", "layer.op", "missing"]),
    ("missing layer", "id: q\nparts:\n  - {id: a, ask: [shape]}\n", ["part a", "layer", "missing"]),
    ("missing kernel", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [5, 5]}, ask: [shape]}\n",
     ["part a", "layer.kernel", "missing"]),
    ("kernel wrong type", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [5, 5], kernel: true}, ask: [shape]}\n",
     ["layer.kernel", "expected an integer"]),
    ("stride zero", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [5, 5], kernel: 3, stride: 0}, ask: [shape]}\n",
     ["layer.stride", ">= 1"]),
    ("negative padding", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [5], kernel: 3, padding: -1}, ask: [shape]}\n",
     ["layer.padding", ">= 0"]),
    ("kernel too large", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [2, 2], kernel: 3}, ask: [shape]}\n",
     ["layer.kernel", "padded input"]),
    ("same with stride", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [8, 8], kernel: 3, stride: 2, padding: same}, ask: [shape]}\n",
     ["layer.padding", "'same' needs stride 1"]),
    ("groups not dividing", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [3, 8, 8], kernel: 3, filters: 4, groups: 2}, ask: [shape]}\n",
     ["layer.groups", "divide"]),
    ("unknown ask", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shapes]}}\n",
     ["part a", "ask", "shapes", "accepted: shape"]),
    ("ask not a list", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: 3}}\n", ["ask", "list"]),
    ("wrong input rank", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [1, 2, 3, 4, 5], kernel: 1}, ask: [shape]}\n",
     ["layer.input", "5 dims"]),
    ("bad symbol text", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: ['H +* 2'], kernel: 1}, ask: [shape]}\n",
     ["layer.input[0]", "cannot read"]),
    ("bad assumption", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, assumptions: ['H >>= K'], ask: [shape]}}\n",
     ["assumptions[0]", "cannot read"]),
    ("injection in a formula", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [\"__import__('os').system('true')\"], kernel: 1}, ask: [shape]}\n",
     ["layer.input[0]", "cannot read"]),
    ("duplicate key", "id: q\nid: r\nparts: []\n", ["duplicate", "id"]),
    ("python tag", "id: !!python/object/apply:os.system ['true']\nparts: []\n", ["not allowed"]),
    ("wrt without of", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, wrt: weight, ask: [shape]}}\n",
     ["wrt", "of: jacobian"]),
    ("explanation without reference", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [explanation]}}\n",
     ["part a", "reference"]),
    ("value for a network", "id: q\nparts:\n  - {id: a, layers: [{op: maxpool1d, input: [4], kernel: 2}, {op: conv1d, kernel: 2}], of: output, ask: [value]}\n",
     ["part a", "about one layer", "ask numeric for a network"]),
    ("numeric without values", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [4], kernel: 2}, of: output, ask: [numeric]}\n",
     ["part a", "values"]),
    ("values wrong shape", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [4], kernel: 2, bias: false, values: {x: [1, 2, 3]}}, ask: [shape]}\n",
     ["layer.values.x", "shape 3", "expected 4"]),
    ("duplicate part ids", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "unique"]),
    ("bad indexing", f"id: q\nindexing: 2\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["indexing", "0 or 1"]),
    ("field of another op", "id: q\nparts:\n  - {id: a, layer: {op: maxpool2d, input: [4, 4], kernel: 2, filters: 3}, ask: [shape]}\n",
     ["layer.filters", "maxpool2d does not take filters"]),
    ("layer and layers", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, layers: [{GOOD_LAYER}], ask: [shape]}}\n",
     ["part a", "layers", "not both"]),
    ("huge jacobian", "id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [3, 64, 64], kernel: 3, filters: 16, values: {seed: 1}}, of: jacobian, wrt: input, ask: [numeric]}\n",
     ["part a", "entries", "limit"]),
    ("conv without filters", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [3, 5], kernel: 3}, ask: [shape]}\n",
     ["part a", "layer.filters", "missing", "out_channels"]),
    ("conv_transpose without filters", "id: q\nparts:\n  - {id: a, layer: {op: conv_transpose1d, input: [3, 5], kernel: 3}, ask: [shape, params]}\n",
     ["part a", "layer.filters", "missing", "conv_transpose1d", "out_channels"]),
    ("conv_transpose3d without filters in a network", "id: q\nparts:\n  - id: a\n    layers:\n      - {op: conv3d, input: [1, 4, 4, 4], kernel: 1, filters: 2}\n      - {op: conv_transpose3d, kernel: 2}\n    ask: [shape]\n",
     ["part a", "layers[1].filters", "missing"]),
    ("per-axis text with the wrong axis count", "id: q\nparts:\n  - {id: a, layer: {op: conv3d, input: [5, 5, 5], kernel: '3 x 3'}, ask: [shape]}\n",
     ["part a", "layer.kernel", "'3 x 3' has 2 axes", "exactly 3"]),
    ("x as a size symbol", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [x], kernel: 2}, ask: [shape]}\n",
     ["part a", "layer.input", "x is the default name of the input tensor", "cannot be a size symbol", "'3 x 3'"]),
    ("a default tensor name as a size", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [C, L], kernel: 3, filters: f}, ask: [shape]}\n",
     ["part a", "layer.filters", "f is the default name of the output tensor", "rename the tensor under names"]),
    ("a chosen tensor name as a size", "id: q\nparts:\n  - {id: a, layer: {op: conv1d, input: [C, L], kernel: K, filters: F, names: {weight: K}}, ask: [shape]}\n",
     ["part a", "layer.kernel", "K is the name given to the weight tensor (names.weight)"]),
    ("points nan", f"id: q\nparts:\n  - {{id: a, points: .nan, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "points", "finite number >= 0", "nan"]),
    ("points inf", f"id: q\nparts:\n  - {{id: a, points: .inf, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "points", "finite number >= 0", "inf"]),
    ("points negative", f"id: q\nparts:\n  - {{id: a, points: -1, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "points", "finite number >= 0"]),
    ("rtol nan", f"id: q\noptions: {{rtol: .nan}}\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["options.rtol", "finite number >= 0"]),
    ("weight inf", f"id: q\nparts:\n  - {{id: a, options: {{weights: {{shape: .inf}}}}, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "options.weights.shape", "finite number >= 0"]),
    ("visibility unknown", f"id: q\nparts:\n  - {{id: a, options: {{visibility: secret}}, layer: {GOOD_LAYER}, ask: [shape]}}\n",
     ["part a", "options.visibility", "visible, hidden, after_due_date, after_published", "secret"]),
    ("part without ask", f"id: q\nparts:\n  - {{id: a, layer: {GOOD_LAYER}, ask: [shape]}}\n  - {{id: b, layer: {GOOD_LAYER}}}\n",
     ["part b", "ask", "must ask something"]),
    ("ask inside the layer", "id: q\nparts:\n  - id: a\n    layer:\n      op: conv1d\n      input: [5]\n      kernel: 3\n      ask: [shape]\n",
     ["part a", "layer.ask", "ask belongs to the part, not to its layer"]),
    ("ask inside a layers entry", "id: q\nparts:\n  - id: a\n    layers:\n      - {op: conv1d, input: [5], kernel: 3}\n      - {op: maxpool1d, kernel: 2, ask: [shape]}\n    ask: [shape]\n",
     ["part a", "layers[1].ask", "belongs to the part"]),
]


@pytest.mark.parametrize("name, text, fragments", BROKEN_SPECS, ids=[b[0] for b in BROKEN_SPECS])
def test_broken_spec_gives_one_clear_error_line(tmp_path, capsys, name, text, fragments):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    status = main([str(path)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert line.startswith(f"error: {path}:"), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "Traceback" not in captured.err


def test_broken_spec_count_meets_the_issue():
    assert len(BROKEN_SPECS) >= 15


def test_missing_file_and_not_utf8(tmp_path, capsys):
    assert main([str(tmp_path / "nope.yaml")]) == 2
    assert "No such file" in capsys.readouterr().err
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    assert main([str(path)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_subprocess_exit_status_and_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: q\nparts:\n  - {id: a, layer: {op: conv2d, input: [2, 2], kernel: 3}, ask: [shape]}\n")
    run = subprocess.run([sys.executable, "-m", "solver", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
