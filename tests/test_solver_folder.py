"""``python -m solver FOLDER -o KEYS`` solves every spec and names each one that fails."""

from __future__ import annotations

import json
from pathlib import Path

from solver.cli import main

GOOD = "id: g{n}\nparts:\n  - {{id: a, layer: {{op: conv1d, input: [5], kernel: 3}}, ask: [shape]}}\n"
BAD = "id: bad\nparts:\n  - {id: a, layer: {op: conv1d, input: [5], kernel: 9}, ask: [shape]}\n"


def test_a_folder_is_solved_spec_by_spec(tmp_path: Path, capsys):
    specs = tmp_path / "specs"
    (specs / "topic").mkdir(parents=True)
    (specs / "one.yaml").write_text(GOOD.format(n=1))
    (specs / "topic" / "two.yaml").write_text(GOOD.format(n=2))
    (specs / "topic" / "broken.yaml").write_text(BAD)
    (specs / "a_broken_too.yaml").write_text("id: [\n")
    keys = tmp_path / "keys"
    assert main([str(specs), "-o", str(keys), "--format", "json"]) == 2
    written = sorted(p.relative_to(keys).as_posix() for p in keys.rglob("*") if p.is_file())
    assert written == ["one.json", "topic/two.json"]
    assert json.loads((keys / "topic" / "two.json").read_text())["parts"][0]["answers"] == \
        {"shape": [3]}
    err = capsys.readouterr().err
    assert "broken.yaml: part a, layer.kernel" in err      # named with the reason
    assert "a_broken_too.yaml" in err and "2 of 4 specs solved" in err


def test_a_folder_needs_an_output_folder(tmp_path: Path, capsys):
    (tmp_path / "one.yaml").write_text(GOOD.format(n=1))
    assert main([str(tmp_path)]) == 2
    assert "needs -o KEYS" in capsys.readouterr().err


def test_the_bundled_library_solves(tmp_path: Path):
    problems = Path(__file__).resolve().parents[1] / "problems"
    assert main([str(problems), "-o", str(tmp_path)]) == 0
    assert len(list(tmp_path.rglob("*.yaml"))) == len(list(problems.rglob("*.yaml"))) >= 15
