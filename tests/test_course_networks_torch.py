"""LeNet-5, AlexNet and VGG-16 as built from torch.nn modules here (torchvision's layouts, no
downloads) against the bundled specs' keys: per-layer output shapes and parameters, and the
totals of parameters, MACs (torch's FlopCounterMode / 2) and activations.

The spec tables leave out the ReLU/tanh layers (no parameters, no MACs, same shape as the
layer before); torch's networks have them, and their outputs are not counted as activations.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from solver.key import build_key
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[1] / "problems" / "networks"
ELEMENTWISE = (nn.ReLU, nn.Tanh)


def lenet5() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(),
                         nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def alexnet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d(6), nn.Flatten(), nn.Dropout(), nn.Linear(256 * 36, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def vgg16() -> nn.Sequential:
    layers, channels = [], 3
    for width in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"]:
        if width == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
            channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(512 * 49, 4096),
                         nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
                         nn.Linear(4096, 1000))


CASES = {"lenet5": (lenet5, (1, 32, 32), 61706), "alexnet": (alexnet, (3, 224, 224), 61100840),
         "vgg16": (vgg16, (3, 224, 224), 138357544)}


@pytest.mark.parametrize("name", CASES)
def test_network_tables_match_torch(name):
    build, shape, published = CASES[name]
    network = build().to("meta")
    x = torch.zeros((1, *shape), device="meta")
    with FlopCounterMode(display=False) as counter:
        network(x)
    rows, value = [], x
    for module in network:
        value = module(value)
        if not isinstance(module, ELEMENTWISE):
            rows.append((tuple(value.shape[1:]), sum(p.numel() for p in module.parameters()),
                         value.numel()))
    key = build_key(load_problem(ROOT / f"{name}.yaml"))
    table = key.part("a.i").answer("summary").rows
    assert [(tuple(r[2]), r[3], r[6]) for r in table[:-1]] == rows
    params = sum(p.numel() for p in network.parameters())
    assert params == published          # the published count of the architecture
    totals = table[-1]
    assert totals[3] == params
    assert totals[5] == counter.get_total_flops() // 2
    assert totals[6] == sum(r[2] for r in rows)
