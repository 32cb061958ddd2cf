"""Batch normalisation: batchnorm1d, batchnorm2d, batchnorm3d.

``torch.nn.BatchNormNd(C, eps=eps, affine=affine)``. Shape: output = input ([N], C, *L)
with 0 or 1 spatial axes for batchnorm1d, 2 for batchnorm2d, 3 for batchnorm3d.
Parameters: weight gamma (C,) and bias beta (C,) when ``affine`` (2C), else none
(gamma = 1, beta = 0); the running mean and variance are buffers, not parameters.

Numbers need ``mode`` (the module's ``.train()`` or ``.eval()``). Per channel c,
with the statistics taken over the batch and spatial axes (M = N * prod(L) values):

* train: mu[c] = (1/M) sum x[., c, .], var[c] = (1/M) sum (x[., c, .] - mu[c])^2
  (biased, as torch normalises in training);
* eval: mu = running_mean, var = running_var (given under ``values:``, (C,));
* xhat = (x - mu[c]) / sqrt(var[c] + eps), f = gamma[c] * xhat + beta[c].

Gradients, given g = dl/df:

* dl/dgamma[c] = sum g * xhat, dl/dbeta[c] = sum g (sums over batch and positions);
* eval: dl/dx = g * gamma[c] / sqrt(var[c] + eps);
* train (mu and var depend on x): dl/dx = gamma[c] / sqrt(var[c] + eps)
  * (g - mean(g) - xhat * mean(g * xhat)), means per channel over the M values.
"""

from __future__ import annotations

import math

import numpy as np

from solver.constraints import Constraint
from solver.errors import SpecError
from solver.layers import Dim, Layer
from solver.ops.base import OpFamily, positive
from solver.ops.conv import bias_gradient
from solver.ops.linear import PLAIN_FIELDS

_SPATIAL_AXES = {"batchnorm1d": (0, 1), "batchnorm2d": (2,), "batchnorm3d": (3,)}
#: the values of ``mode`` and what each means
MODES = {"train": "batch statistics, biased variance, as torch in training",
         "eval": "running statistics running_mean and running_var, given under values"}
RUNNING_MEAN, RUNNING_VAR = "running_mean", "running_var"


def mode_hint() -> str:
    """'give mode: train (...) or mode: eval (...)' for the spec errors."""
    return " or ".join(f"mode: {mode} ({meaning})" for mode, meaning in MODES.items())


class BatchNorm(OpFamily):
    __doc__ = __doc__
    name = "batchnorm"
    fields = PLAIN_FIELDS | {"affine", "mode", "eps"}
    has_weights = True
    has_kernel = False
    receptive = "same"
    positive_buffers = frozenset({RUNNING_VAR})

    def ops(self) -> dict[str, int | None]:
        return {op: None for op in _SPATIAL_AXES}

    def read_fields(self, raw, read) -> dict:
        affine = read.flag("affine", True)
        mode = raw.get("mode")
        if mode is not None and mode not in MODES:
            raise SpecError(f"expected train or eval; found {mode!r}: give {mode_hint()}",
                            field="mode")
        eps = raw.get("eps", 1e-5)
        if (isinstance(eps, bool) or not isinstance(eps, (int, float)) or not math.isfinite(eps)
                or eps <= 0):
            raise SpecError(f"expected a number above 0 (torch's default is 1e-5); found {eps!r}",
                            field="eps")
        return {"bias": affine, "filters": read.layer.channels, "mode": mode, "eps": float(eps)}

    def variables(self, layer: Layer) -> tuple[str, ...]:
        return ("input", "weight", "bias") if layer.bias else ("input",)

    def weight_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        return (layer.channels,) if layer.bias else None

    def spec_bias_shape(self, layer: Layer) -> tuple[Dim, ...] | None:
        return (layer.channels,) if layer.bias else None

    def param_count(self, layer: Layer, *, with_bias: bool | None = None) -> Dim:
        if not layer.bias:
            return 0
        return 2 * layer.channels if with_bias is not False else layer.channels

    def buffers(self, layer: Layer) -> dict[str, tuple[Dim, ...]]:
        """running_mean and running_var, (C,) each, in eval mode; none otherwise."""
        if layer.mode != "eval":
            return {}
        return {RUNNING_MEAN: (layer.channels,), RUNNING_VAR: (layer.channels,)}

    def numeric_support(self, layer: Layer) -> str | None:
        if layer.mode is None:
            return (f"the numbers of {layer.op} depend on training or evaluation mode: give "
                    f"{mode_hint()} in the layer")
        if layer.mode == "train" and not layer.is_symbolic and self._count(layer) == 1:
            return (f"in training mode {layer.op} needs more than one value per channel (batch "
                    f"x positions is 1; torch refuses it): give a batch or more positions, or "
                    f"mode: eval")
        return None

    def element_support(self, layer: Layer, of: str, wrt: str | None) -> str | None:
        return (f"{layer.op} divides by sqrt(var + eps), which index expressions cannot write; "
                f"ask numeric (with {mode_hint()}) for its numbers instead")

    def extra_constraints(self, layer: Layer) -> list[Constraint]:
        allowed = _SPATIAL_AXES[layer.op]
        shape = "[C]/[C, L]" if layer.op == "batchnorm1d" else f"[C, {len(allowed) and allowed[0]} sizes]"
        return [Constraint(layer.ndim, "==" if len(allowed) == 1 else "<=", allowed[-1], "input",
                           f"{layer.op} takes channels and {' or '.join(map(str, allowed))} "
                           f"spatial axes ({shape})", failure="the input has {lhs} spatial axes"),
                positive(layer.channels, "input", "the number of channels")]

    # --- numeric: x (N, C, *L), every per-channel tensor broadcast as (1, C, 1, ...) ---

    @staticmethod
    def _count(layer: Layer) -> int:
        """M = N * prod(L): the values per channel the batch statistics average."""
        return (layer.batch or 1) * math.prod(layer.spatial)

    def _normalised(self, layer: Layer, x, params):
        """(xhat, 1/sqrt(var + eps), axes): the normalised input (module docstring)."""
        axes = (0, *range(2, x.ndim))
        shape = _channel_shape(x)
        if layer.mode == "train":
            mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
        else:
            mean = params[RUNNING_MEAN].reshape(shape)
            var = params[RUNNING_VAR].reshape(shape)
        inv_std = 1.0 / np.sqrt(var + layer.eps)
        return (x - mean) * inv_std, inv_std, axes

    def _gamma(self, x, params):
        weight = params.get("weight")
        return 1.0 if weight is None else weight.reshape(_channel_shape(x))

    def forward(self, layer: Layer, x, params):
        """f = gamma[c] * xhat + beta[c]."""
        xhat, _, _ = self._normalised(layer, x, params)
        out = self._gamma(x, params) * xhat
        if params.get("bias") is not None:
            out = out + params["bias"].reshape(_channel_shape(x))
        return out

    def backward(self, layer: Layer, x, params, g, wrt: str):
        """dl/dgamma, dl/dbeta or dl/dx (module docstring; train mode with the statistics' terms)."""
        xhat, inv_std, axes = self._normalised(layer, x, params)
        if wrt == "weight":
            return (g * xhat).sum(axis=axes)
        if wrt == "bias":
            return bias_gradient(g)
        scale = self._gamma(x, params) * inv_std
        if layer.mode == "eval":
            return g * scale
        return scale * (g - g.mean(axis=axes, keepdims=True)
                        - xhat * (g * xhat).mean(axis=axes, keepdims=True))


def _channel_shape(x) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel tensor broadcast against x (N, C, *L)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)
