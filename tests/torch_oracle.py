"""PyTorch as the oracle for layer shapes: run a spec's layer mapping through the real torch op.

A spec mapping (``op``, ``input``, ``kernel``, ``stride``, ``padding``, ...) is
translated field by field into the matching ``torch.nn`` module and a zero
input tensor; the module's output shape, or the exception torch raises, is the
independent answer the solver is compared with.

Real (tiny) CPU tensors are used, not the 'meta' device: on 'meta' PyTorch 2.13
accepts convolutions it refuses on CPU (negative padding, kernel or dilation 0,
output_padding >= stride and dilation), so it is not a faithful oracle for
validity. Nothing here imports the solver.

An output with a spatial size 0 counts as a refusal: PyTorch's shape check
("Output size is too small") refuses it, but on CPU the oneDNN path taken by
transposed convolutions with batch > 1 or groups > 1 skips that check and
returns an empty tensor when the computed size is exactly 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

torch.set_num_threads(1)

#: Exceptions by which torch refuses a layer (module construction or forward).
TORCH_REFUSALS = (RuntimeError, ValueError, TypeError)

_MODULES = {
    "conv": (nn.Conv1d, nn.Conv2d, nn.Conv3d),
    "conv_transpose": (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d),
    "maxpool": (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d),
    "avgpool": (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d),
}

#: spec field -> torch keyword, per family (fields a family lacks are passed
#: through under their own name, so torch refuses them as unexpected keywords).
_KEYWORDS = {
    "conv": {"kernel": "kernel_size", "stride": "stride", "padding": "padding",
             "dilation": "dilation", "groups": "groups", "bias": "bias"},
    "conv_transpose": {"kernel": "kernel_size", "stride": "stride", "padding": "padding",
                       "dilation": "dilation", "groups": "groups", "bias": "bias",
                       "output_padding": "output_padding"},
    "maxpool": {"kernel": "kernel_size", "stride": "stride", "padding": "padding",
                "dilation": "dilation", "ceil_mode": "ceil_mode"},
    "avgpool": {"kernel": "kernel_size", "stride": "stride", "padding": "padding",
                "ceil_mode": "ceil_mode", "count_include_pad": "count_include_pad",
                "divisor_override": "divisor_override"},
}

_NOT_TORCH_FIELDS = {"op", "input", "filters", "names", "values"}


class EmptyOutputError(RuntimeError):
    """torch returned an output with a spatial size 0 instead of refusing the layer."""


@dataclass(frozen=True)
class TorchOutcome:
    """What torch did with a layer: the output shape in the spec layout, or the refusal."""

    shape: tuple[int, ...] | None
    error: Exception | None

    @property
    def accepted(self) -> bool:
        """True when torch built the module and ran the forward pass."""
        return self.error is None


def split_op(op: str) -> tuple[str, int]:
    """``'conv_transpose2d'`` -> ``('conv_transpose', 2)``."""
    return op[:-2], int(op[-2])


def _has_weights(family: str) -> bool:
    return family in ("conv", "conv_transpose")


def _as_torch_value(value):
    return tuple(value) if isinstance(value, list) else value


def torch_module(mapping: Mapping) -> nn.Module:
    """The ``torch.nn`` module for a numeric spec layer mapping (may raise like torch does).

    Channels and filters missing from the spec count as 1; a missing stride is
    not passed, so torch applies its own default (1 for convs, kernel for pooling).
    """
    family, ndim = split_op(mapping["op"])
    module_class = _MODULES[family][ndim - 1]
    keywords = _KEYWORDS[family]
    kwargs = {keywords.get(name, name): _as_torch_value(value)
              for name, value in mapping.items()
              if name not in _NOT_TORCH_FIELDS and value is not None}
    if _has_weights(family):
        _, channels, _ = input_axes(mapping)
        filters = mapping.get("filters")
        kwargs["in_channels"] = 1 if channels is None else channels
        kwargs["out_channels"] = 1 if filters is None else filters
    return module_class(**kwargs)


def input_axes(mapping: Mapping) -> tuple[int | None, int | None, tuple[int, ...]]:
    """(batch or None, channels or None, spatial sizes) of the spec's ``input`` list."""
    _, ndim = split_op(mapping["op"])
    dims = list(mapping["input"])
    extra = len(dims) - ndim
    batch = dims[0] if extra == 2 else None
    channels = dims[extra - 1] if extra >= 1 else None
    return batch, channels, tuple(dims[extra:])


def torch_input(mapping: Mapping) -> torch.Tensor:
    """A zero tensor (N or 1, C or 1, *spatial) for the spec's input."""
    batch, channels, spatial = input_axes(mapping)
    return torch.zeros((batch or 1, channels or 1, *spatial))


def spec_layout(mapping: Mapping, torch_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Torch's (N, C_out, *L_out) reduced to the spec layout ([N], [C_out], *L_out).

    The batch axis stays when the spec gave a batch; the channel axis stays
    when the spec gave filters (convs) or input channels (pooling).
    """
    family, _ = split_op(mapping["op"])
    batch, channels, _ = input_axes(mapping)
    has_channel_axis = (mapping.get("filters") is not None if _has_weights(family)
                        else channels is not None)
    kept = [torch_shape[0]] if batch is not None else []
    kept += [torch_shape[1]] if has_channel_axis else []
    return tuple(kept) + tuple(torch_shape[2:])


def torch_outcome(mapping: Mapping) -> TorchOutcome:
    """Build the module, run a zero input through it and report the shape or the refusal
    (an exception, or an empty output: see the module docstring)."""
    try:
        module = torch_module(mapping)
        with torch.no_grad():
            output = module(torch_input(mapping))
            # With batch > 1 torch's oneDNN path skips some checks that the batch-1 path makes
            # (e.g. conv_transpose2d with dilation 0 and kernel 1 is accepted for batch 2 and
            # refused for batch 1); the stricter, documented answer is the batch-1 one.
            module(torch_input(mapping)[:1])
    except TORCH_REFUSALS as error:
        return TorchOutcome(None, error)
    if 0 in output.shape[2:]:
        return TorchOutcome(None, EmptyOutputError(f"empty output {tuple(output.shape)}"))
    return TorchOutcome(spec_layout(mapping, tuple(output.shape)), None)


def torch_param_count(mapping: Mapping) -> int:
    """sum(p.numel() for p in module.parameters()) of the matching torch module."""
    return sum(p.numel() for p in torch_module(mapping).parameters())


def torch_weight_shapes(mapping: Mapping) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """(weight shape, bias shape or None) as the torch module stores them (convs only)."""
    module = torch_module(mapping)
    bias = None if module.bias is None else tuple(module.bias.shape)
    return tuple(module.weight.shape), bias
