"""Element-wise layers that keep the shape: relu, sigmoid, tanh, dropout.

Shape: output = input ([N], [C], *L). No parameters. Numbers: ReLU's
derivative at 0 is 0 (as PyTorch's); dropout is the identity (evaluation
mode, ``model.eval()``, the default ``mode: eval``; ``mode: train`` is
refused for numbers and index expressions, as its output is random).
Index expressions (:mod:`solver.elementwise.activation`): relu and dropout;
sigmoid and tanh need exp, which the index notation does not write.
"""

from __future__ import annotations

import numpy as np

from solver.constraints import Constraint
from solver.layers import Layer
from solver.ops.linear import PLAIN_FIELDS
from solver.ops.base import OpFamily


class Activation(OpFamily):
    """A shape-preserving element-wise function f = phi(x) (module docstring)."""

    fields = PLAIN_FIELDS
    has_kernel = False
    receptive = "same"
    element_module = "solver.elementwise.activation"

    def ops(self) -> dict[str, int | None]:
        return {self.name: None}

    def forward(self, layer: Layer, x, params):
        return self.phi(x)

    def backward(self, layer: Layer, x, params, g, wrt: str):
        return g * self.derivative(x)

    def phi(self, x):
        raise NotImplementedError

    def derivative(self, x):
        raise NotImplementedError


class ReLU(Activation):
    """``torch.nn.ReLU``: max(x, 0); derivative [x > 0]."""

    name = "relu"

    def phi(self, x):
        return np.maximum(x, 0.0)

    def derivative(self, x):
        return (x > 0).astype(np.float64)


class _NeedsExp(Activation):
    """An activation written with exp, which index expressions cannot write."""

    def element_support(self, layer: Layer, of: str, wrt: str | None) -> str | None:
        return (f"{layer.op} is written with exp, which index expressions cannot write; ask "
                f"numeric (with values) for its numbers instead")


class Sigmoid(_NeedsExp):
    """``torch.nn.Sigmoid``: 1 / (1 + exp(-x)); derivative s(1 - s)."""

    name = "sigmoid"

    def phi(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def derivative(self, x):
        s = self.phi(x)
        return s * (1.0 - s)


class Tanh(_NeedsExp):
    """``torch.nn.Tanh``: tanh(x); derivative 1 - tanh(x)^2."""

    name = "tanh"

    def phi(self, x):
        return np.tanh(x)

    def derivative(self, x):
        return 1.0 - np.tanh(x) ** 2


class Dropout(Activation):
    """``torch.nn.Dropout(p)``: the identity in evaluation mode (no parameters)."""

    name = "dropout"
    fields = PLAIN_FIELDS | {"p", "mode"}

    def read_fields(self, raw, read) -> dict:
        from solver.errors import SpecError
        p = raw.get("p", 0.5)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise SpecError(f"expected a probability from 0 to 1; found {p!r}", field="p")
        mode = raw.get("mode", "eval")
        if mode not in ("train", "eval"):
            raise SpecError(f"expected train or eval; found {mode!r} (eval: the identity, as "
                            f"model.eval(); train: random zeros)", field="mode")
        return {"mode": mode}

    def numeric_support(self, layer: Layer) -> str | None:
        if layer.mode == "train":
            return ("dropout in training mode is random (each entry is zeroed with probability "
                    "p, the others scaled by 1/(1 - p)), so it has no answer: give mode: eval "
                    "(the identity)")
        return None

    def phi(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)
