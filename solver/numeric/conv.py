"""Numeric convolution (cross-correlation, as ``torch.nn.functional.convNd``) in float64.

Every array here is batched: x (N, C, *L), w (F, C/groups, *K), b (F,),
output and upstream gradient g (N, F, *L_out), for any number of spatial
dims. Per spatial axis: stride S, dilation D, padding (P_before, P_after)
(asymmetric allowed), and

    L_out = floor((L + P_before + P_after - D*(K - 1) - 1) / S) + 1
    f[n, o, p] = b[o] + sum_{c, k} w[o, c, k] * x_pad[n, G(o)*C_g + c, S*p + D*k]

where C_g = C/groups, G(o) = o // (F/groups) is the group of filter o and
x_pad is x with zeros added before and after each spatial axis.

The im2col matrix ("cols", (N, groups, C_g*prod(K), prod(L_out))) holds
x_pad[n, G*C_g + c, S*p + D*k] at row (c, k) and column p, so the forward
pass and both gradients are batched matrix products per group.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from solver.numeric.windows import add_windows, padded_array, window_view

#: Names used in Jacobian messages for each ``wrt`` choice.
VARIABLE_NAMES = {"input": "x", "weight": "W", "bias": "b"}


class JacobianTooLarge(ValueError):
    """A requested Jacobian has more entries than the allowed maximum."""

    def __init__(self, of: str, wrt: str, shape: Sequence[int], limit: int):
        self.shape, self.limit = tuple(shape), limit
        self.entries = math.prod(self.shape)
        dims = " x ".join(str(d) for d in self.shape)
        super().__init__(f"the Jacobian d{of}/d{wrt} would have {self.entries:,} entries "
                         f"({dims}); the limit is {limit:,}")


@dataclass(frozen=True)
class ConvGradients:
    """dl/dx (x's shape), dl/dW (W's shape) and dl/db ((F,)) for one upstream gradient."""

    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class _Geometry:
    """Sizes of one convolution, checked against each other."""

    batch: int
    channels: int
    filters: int
    groups: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    out_spatial: tuple[int, ...]

    @property
    def padded(self) -> tuple[int, ...]:
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.spatial, self.padding))

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.batch, self.filters, *self.out_spatial)


def check_jacobian_size(of: str, wrt: str, shape: Sequence[int], max_entries: int) -> None:
    """Raise :class:`JacobianTooLarge` when prod(shape) > max_entries (call before allocating)."""
    if math.prod(shape) > max_entries:
        raise JacobianTooLarge(of, wrt, shape, max_entries)


def conv_forward(x, w, b, *, stride, padding, dilation, groups) -> np.ndarray:
    """The output f (N, F, *L_out) of x (N, C, *L) convolved with w (F, C/groups, *K), plus b (F,).

    ``b`` may be None (no bias).

    f[n, o, p] = b[o] + sum_{c, k} w[o, c, k] * x_pad[n, G(o)*C_g + c, S*p + D*k].
    ``stride``/``dilation`` have one int per spatial axis, ``padding`` one
    (before, after) pair per axis.
    """
    x, w = _float(x), _float(w)
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    out = np.matmul(_grouped_weight(w, geo), _im2col(x, geo))   # (N, G, F_g, P)
    out = out.reshape(geo.output_shape)
    if b is not None:
        out += _checked_bias(b, geo).reshape((geo.filters,) + (1,) * len(geo.spatial))
    return out


def conv_backward(x, w, g, *, stride, padding, dilation, groups) -> ConvGradients:
    """dl/dx, dl/dW and dl/db given the upstream gradient g = dl/df (N, F, *L_out).

    See :func:`conv_input_gradient`, :func:`conv_weight_gradient`;
    dl/db[o] = sum_{n, p} g[n, o, p].
    """
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = _float(g)
    return ConvGradients(input=conv_input_gradient(x, w, g, **geometry),
                         weight=conv_weight_gradient(x, w, g, **geometry),
                         bias=g.sum(axis=(0, *range(2, g.ndim))))


def conv_input_gradient(x, w, g, *, stride, padding, dilation, groups) -> np.ndarray:
    """dl/dx (x's shape) given g = dl/df; only x's shape is used, not its values.

    A scatter-add over kernel offsets k:
    dl/dx_pad[n, G*C_g + c, S*p + D*k] += sum_{o in group G} g[n, o, p] * w[o, c, k],
    then the padding is cropped off.
    """
    x, w, g = _float(x), _float(w), _float(g)
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    d_cols = np.matmul(_grouped_weight(w, geo).swapaxes(-1, -2), _grouped_upstream(g, geo))
    return _col2im(d_cols.reshape(geo.batch, geo.channels, *geo.kernel, *geo.out_spatial), geo)


def conv_weight_gradient(x, w, g, *, stride, padding, dilation, groups) -> np.ndarray:
    """dl/dW (w's shape) given g = dl/df; only w's shape is used, not its values.

    dl/dW[o, c, k] = sum_{n, p} g[n, o, p] * x_pad[n, G(o)*C_g + c, S*p + D*k]
    """
    x, w, g = _float(x), _float(w), _float(g)
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    cols = _im2col(x, geo)                                           # (N, G, C_g*prod(K), P)
    per_sample = np.matmul(_grouped_upstream(g, geo), cols.swapaxes(-1, -2))
    return per_sample.sum(axis=0).reshape(w.shape)


def conv_jacobian(x, w, b, *, wrt, stride, padding, dilation, groups,
                  max_entries=10_000_000) -> np.ndarray:
    """The full Jacobian of the output f with respect to one variable, shape f.shape + var.shape.

    wrt 'input':  df[n,o,p]/dx[n',c',i] = delta(n,n') * w[o, c'-G(o)*C_g, k]
                  when i + P_before = S*p + D*k for some k and c' is in o's group, else 0;
    wrt 'weight': df[n,o,p]/dW[o',c,k] = delta(o,o') * x_pad[n, G(o)*C_g + c, S*p + D*k];
    wrt 'bias':   df[n,o,p]/db[o'] = delta(o,o').
    Entries are copied from w or x (never summed), so the result is exact.
    Raises :class:`JacobianTooLarge` before allocating when it would exceed ``max_entries``.
    """
    if wrt not in VARIABLE_NAMES:
        raise ValueError(f"wrt must be one of {', '.join(VARIABLE_NAMES)}; found {wrt!r}")
    x, w = _float(x), _float(w)
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    if b is not None:
        _checked_bias(b, geo)
    elif wrt == "bias":
        raise ValueError("this convolution has no bias (b is None); there is no df/db")
    variable_shape = {"input": x.shape, "weight": w.shape, "bias": (geo.filters,)}[wrt]
    check_jacobian_size("f", VARIABLE_NAMES[wrt], geo.output_shape + variable_shape,
                        max_entries)
    if wrt == "input":
        return _input_jacobian(w, geo)
    if wrt == "weight":
        return _weight_jacobian(x, w, geo)
    jacobian = np.zeros((geo.batch, geo.filters, math.prod(geo.out_spatial), geo.filters))
    filters = np.arange(geo.filters)
    jacobian[:, filters, :, filters] = 1.0
    return jacobian.reshape(geo.output_shape + (geo.filters,))


def _input_jacobian(w: np.ndarray, geo: _Geometry) -> np.ndarray:
    # One sample's block J0[o, p, c', i]; the full Jacobian repeats it on the n = n' diagonal.
    per_group_f, per_group_c = geo.filters // geo.groups, geo.channels // geo.groups
    ndim = len(geo.spatial)
    block = np.zeros((geo.filters, *geo.out_spatial, geo.channels, *geo.spatial))
    span = 2 + ndim   # index arrays broadcast over (o, *p, c')

    def along(axis: int, values: np.ndarray) -> np.ndarray:
        shape = [1] * span
        shape[axis] = values.size
        return values.reshape(shape)

    for offset in itertools.product(*(range(k) for k in geo.kernel)):
        positions, inputs = [], []
        for axis, (k, s, d, (before, _), n, n_out) in enumerate(zip(
                offset, geo.stride, geo.dilation, geo.padding, geo.spatial, geo.out_spatial)):
            p = np.arange(n_out)
            i = s * p + d * k - before
            inside = (i >= 0) & (i < n)   # taps on the zero padding have no input entry
            # i is a function of p: both index arrays lie on p's axis (a diagonal).
            positions.append(along(1 + axis, p[inside]))
            inputs.append(along(1 + axis, i[inside]))
        for group in range(geo.groups):
            o = np.arange(group * per_group_f, (group + 1) * per_group_f)
            c = np.arange(group * per_group_c, (group + 1) * per_group_c)
            taps = w[o][(slice(None), slice(None), *offset)]   # (F_g, C_g)
            block[(along(0, o), *positions, along(1 + ndim, c), *inputs)] = \
                taps.reshape((per_group_f,) + (1,) * ndim + (per_group_c,))
    per_sample_outputs = geo.filters * math.prod(geo.out_spatial)
    per_sample_inputs = geo.channels * math.prod(geo.spatial)
    jacobian = np.zeros((geo.batch, per_sample_outputs, geo.batch, per_sample_inputs))
    samples = np.arange(geo.batch)
    jacobian[samples, :, samples, :] = block.reshape(1, per_sample_outputs, per_sample_inputs)
    return jacobian.reshape(geo.output_shape + (geo.batch, geo.channels, *geo.spatial))


def _weight_jacobian(x: np.ndarray, w: np.ndarray, geo: _Geometry) -> np.ndarray:
    per_group_f = geo.filters // geo.groups
    cols = _im2col(x, geo)   # (N, G, C_g*prod(K), P)
    rows, positions = cols.shape[2], cols.shape[3]
    jacobian = np.zeros((geo.batch, geo.filters, positions, geo.filters, rows))
    for o in range(geo.filters):
        jacobian[:, o, :, o, :] = cols[:, o // per_group_f].swapaxes(-1, -2)
    return jacobian.reshape(geo.output_shape + w.shape)


def _im2col(x: np.ndarray, geo: _Geometry) -> np.ndarray:
    """x_pad gathered as (N, groups, C_g*prod(K), prod(L_out)): row (c, k), column p."""
    windows = _windows(_pad(x, geo), geo)   # (N, C, *L_out, *K), a strided view
    ndim = len(geo.spatial)
    order = (0, 1, *range(2 + ndim, 2 + 2 * ndim), *range(2, 2 + ndim))
    per_group_rows = geo.channels // geo.groups * math.prod(geo.kernel)
    return windows.transpose(order).reshape(geo.batch, geo.groups, per_group_rows, -1)


def _windows(padded: np.ndarray, geo: _Geometry) -> np.ndarray:
    """View (N, C, *L_out, *K) with view[n, c, p, k] = padded[n, c, S*p + D*k]."""
    return window_view(padded, geo.out_spatial, geo.kernel, geo.stride, geo.dilation)


def _col2im(d_windows: np.ndarray, geo: _Geometry) -> np.ndarray:
    """Scatter-add d_windows (N, C, *K, *L_out) back onto x: the adjoint of :func:`_windows`."""
    return add_windows(d_windows, (geo.batch, geo.channels, *geo.padded), geo.out_spatial,
                       geo.stride, geo.dilation, geo.padding, geo.spatial)


def _pad(x: np.ndarray, geo: _Geometry) -> np.ndarray:
    return padded_array(x, geo.padding)


def _grouped_upstream(g: np.ndarray, geo: _Geometry) -> np.ndarray:
    """g checked against the output shape, as (N, groups, F_g, prod(L_out))."""
    if g.shape != geo.output_shape:
        raise ValueError(f"the upstream gradient has shape {_text(g.shape)}; the output has "
                         f"shape {_text(geo.output_shape)}")
    return g.reshape(geo.batch, geo.groups, geo.filters // geo.groups, -1)


def _grouped_weight(w: np.ndarray, geo: _Geometry) -> np.ndarray:
    """w as (groups, F_g, C_g*prod(K)) to multiply the im2col matrix."""
    return w.reshape(geo.groups, geo.filters // geo.groups, -1)


def _geometry(x_shape, w_shape, stride, padding, dilation, groups) -> _Geometry:
    ndim = len(x_shape) - 2
    if ndim < 1:
        raise ValueError(f"x has shape {_text(x_shape)}; expected (N, C, *spatial) with at "
                         f"least one spatial axis")
    if len(w_shape) != ndim + 2:
        raise ValueError(f"w has shape {_text(w_shape)}; a {ndim}d convolution needs "
                         f"(F, C/groups, *K) with {ndim + 2} axes")
    stride, dilation = _per_axis(stride, ndim, "stride"), _per_axis(dilation, ndim, "dilation")
    padding = _padding_pairs(padding, ndim)
    batch, channels, *spatial = (int(d) for d in x_shape)
    filters, per_group, *kernel = (int(d) for d in w_shape)
    groups = int(groups)
    if groups < 1 or channels % groups or filters % groups:
        raise ValueError(f"groups {groups} must divide both the input channels ({channels}) "
                         f"and the filters ({filters})")
    if per_group * groups != channels:
        raise ValueError(f"w has {per_group} channels per filter; x has {channels} channels in "
                         f"{groups} group(s), so w needs {channels // groups}")
    if min(stride + dilation) < 1 or min(p for pair in padding for p in pair) < 0:
        raise ValueError("stride and dilation must be >= 1 and padding >= 0")
    out_spatial = []
    for axis, (n, k, s, d, (lo, hi)) in enumerate(zip(spatial, kernel, stride, dilation,
                                                      padding)):
        n_out = (n + lo + hi - d * (k - 1) - 1) // s + 1   # L_out formula, module docstring
        if n_out < 1:
            raise ValueError(f"spatial axis {axis}: the dilated kernel D*(K-1)+1 = "
                             f"{d * (k - 1) + 1} does not fit in the padded input "
                             f"L+P_before+P_after = {n + lo + hi}")
        out_spatial.append(n_out)
    return _Geometry(batch, channels, filters, groups, tuple(spatial), tuple(kernel), stride,
                     dilation, padding, tuple(out_spatial))


def _checked_bias(b, geo: _Geometry) -> np.ndarray:
    b = _float(b)
    if b.shape != (geo.filters,):
        raise ValueError(f"b has shape {_text(b.shape) or 'scalar'}; expected ({geo.filters},)")
    return b


def _per_axis(value, ndim: int, name: str) -> tuple[int, ...]:
    values = (value,) * ndim if np.isscalar(value) else tuple(value)
    if len(values) != ndim:
        raise ValueError(f"{name} has {len(values)} entries; expected one per spatial axis "
                         f"({ndim})")
    return tuple(int(v) for v in values)


def _padding_pairs(padding, ndim: int) -> tuple[tuple[int, int], ...]:
    pairs = (padding,) * ndim if np.isscalar(padding) else tuple(padding)
    if len(pairs) != ndim:
        raise ValueError(f"padding has {len(pairs)} entries; expected one (before, after) pair "
                         f"per spatial axis ({ndim})")
    return tuple((int(p), int(p)) if np.isscalar(p) else (int(p[0]), int(p[1])) for p in pairs)


def _float(array) -> np.ndarray:
    return np.asarray(array, dtype=np.float64)


def _text(shape) -> str:
    return " x ".join(str(d) for d in shape)
