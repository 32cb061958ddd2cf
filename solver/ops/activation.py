"""Element-wise layers that keep the shape: relu, sigmoid, tanh, dropout.

Shape: output = input ([N], [C], *L). No parameters. Numbers: ReLU's
derivative at 0 is 0 (as PyTorch's); dropout is the identity (evaluation
mode, ``model.eval()``: in training mode its output is random).
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


class Sigmoid(Activation):
    """``torch.nn.Sigmoid``: 1 / (1 + exp(-x)); derivative s(1 - s)."""

    name = "sigmoid"

    def phi(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def derivative(self, x):
        s = self.phi(x)
        return s * (1.0 - s)


class Tanh(Activation):
    """``torch.nn.Tanh``: tanh(x); derivative 1 - tanh(x)^2."""

    name = "tanh"

    def phi(self, x):
        return np.tanh(x)

    def derivative(self, x):
        return 1.0 - np.tanh(x) ** 2


class Dropout(Activation):
    """``torch.nn.Dropout(p)``: the identity in evaluation mode (no parameters)."""

    name = "dropout"
    fields = PLAIN_FIELDS | {"p"}

    def read_fields(self, raw, read) -> dict:
        p = raw.get("p", 0.5)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            from solver.errors import SpecError
            raise SpecError(f"expected a probability from 0 to 1; found {p!r}", field="p")
        return {}

    def phi(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)
