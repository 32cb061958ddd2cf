"""Every key format shows the tensor values the numeric answers were computed from.

The tensors are read back from each format and the numeric answers recomputed
from them with PyTorch: the key is only usable by students when these agree.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
import yaml

from solver.key import build_key
from solver.render import RENDERERS
from solver.spec.loading import problem_from_data

SPEC = {"id": "q", "parts": [{
    "id": "a", "layer": {"op": "conv1d", "input": [2, 5], "kernel": 3, "filters": 2,
                         "values": {"seed": 3}},
    "parts": [{"id": "i", "of": "output", "ask": ["shape", "numeric"]},
              {"id": "ii", "of": "loss_gradient", "wrt": "weight", "ask": ["numeric"]},
              {"id": "iii", "ask": ["shape"]}]}]}


def _read_back(fmt: str, text: str) -> dict[str, dict]:
    """part id -> {"tensors": {...}, "numeric": ...} from the rendered key."""
    if fmt in ("yaml", "json"):
        data = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
        return {p["id"]: {"tensors": p.get("tensors", {}), "numeric": p["answers"].get("numeric")}
                for p in data["parts"]}
    parts = {}
    html = fmt == "html"
    heading, entry, answer = ((r"^<h2>\(", r"^<li><code>(\w+) = (\[.*\])</code></li>$",
                               r"^<p><strong>numeric:</strong> <code>(.*)</code></p>$") if html else
                              (r"^## \(", r"^- `(\w+) = (\[.*\])`$", r"^\*\*numeric:\*\* `(.*)`$"))
    for section in re.split(heading, text, flags=re.M)[1:]:
        part_id = section.split(")", 1)[0]
        tensors = {name: json.loads(value) for name, value in re.findall(entry, section, flags=re.M)}
        numeric = re.search(answer, section, flags=re.M)
        parts[part_id] = {"tensors": tensors, "numeric": json.loads(numeric.group(1)) if numeric else None}
    return parts


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_shows_the_tensors_behind_the_numbers(fmt):
    parts = _read_back(fmt, RENDERERS[fmt](build_key(problem_from_data(SPEC))))
    assert set(parts["a.i"]["tensors"]) == {"x", "W", "b"}
    assert set(parts["a.ii"]["tensors"]) == {"x", "W", "g"}
    assert parts["a.iii"]["tensors"] == {}         # asks nothing computed from values
    x, w, b = (torch.tensor(parts["a.i"]["tensors"][n], dtype=torch.float64) for n in ("x", "W", "b"))
    assert x.shape == (2, 5) and w.shape == (2, 2, 3) and b.shape == (2,)
    for tensor in (x, w, b):        # seeded values: integers in the documented [-3, 3]
        assert torch.all(tensor == tensor.round()) and tensor.abs().max() <= 3
    output = torch.nn.functional.conv1d(x, w, b)
    np.testing.assert_array_equal(parts["a.i"]["numeric"], output.numpy())

    given = parts["a.ii"]["tensors"]
    assert given["x"] == parts["a.i"]["tensors"]["x"] and given["W"] == parts["a.i"]["tensors"]["W"]
    weight = torch.tensor(given["W"], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv1d(x, weight, b).backward(torch.tensor(given["g"], dtype=torch.float64))
    np.testing.assert_array_equal(parts["a.ii"]["numeric"], weight.grad.numpy())
