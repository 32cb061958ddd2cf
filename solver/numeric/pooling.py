"""Numeric max and average pooling (as ``torch.nn.functional.max_poolNd`` / ``avg_poolNd``).

Arrays are batched: x (N, C, *L), output and upstream gradient g (N, C, *L_out).
Per spatial axis: kernel K, stride S, dilation D (max pooling only), padding
P on both sides, output length L_out (the family's formula, ceil_mode
included). Window p covers the positions S*p + D*k - P, k = 0 .. K-1.

* max: f[n, c, p] = max over the taps inside the input (padding is -inf).
  The gradient goes to the argmax; among equal values PyTorch's CPU kernel
  keeps the first tap in row-major order of the kernel offsets (it replaces
  the running maximum only when ``val > maxval``), and so does this code.
* avg: f[n, c, p] = (sum of the taps inside the input) / divisor(p), where,
  as ATen's avg_pool computes it, per axis start = S*p - P,
  with_pad = min(start + K, L + P) - start, inside = min(start + K, L) - max(start, 0),
  and divisor(p) = divisor_override, else prod(with_pad) (count_include_pad),
  else prod(inside).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.numeric.windows import add_windows, padded_array, window_view


@dataclass(frozen=True)
class PoolGeometry:
    """Numeric sizes of one pooling layer (per spatial axis)."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    out_spatial: tuple[int, ...]

    def lengths(self) -> tuple[int, ...]:
        """Padded lengths that every window fits in: (L_out - 1)*S + D*(K - 1) + 1."""
        return tuple((n - 1) * s + d * (k - 1) + 1 for n, s, d, k in
                     zip(self.out_spatial, self.stride, self.dilation, self.kernel))


def _windows(x: np.ndarray, geo: PoolGeometry, fill: float) -> np.ndarray:
    padded = padded_array(x, geo.padding, fill, geo.lengths())
    return window_view(padded, geo.out_spatial, geo.kernel, geo.stride, geo.dilation)


def max_pool_argmax(x: np.ndarray, geo: PoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """(f, flat tap index of the first maximum of each window), both (N, C, *L_out)."""
    windows = _windows(np.asarray(x, dtype=np.float64), geo, -np.inf)
    flat = windows.reshape(windows.shape[:2 + len(geo.kernel)] + (-1,))
    taps = flat.argmax(axis=-1)          # first occurrence: PyTorch's tie rule
    return np.take_along_axis(flat, taps[..., None], axis=-1)[..., 0], taps


def max_pool_forward(x, geo: PoolGeometry) -> np.ndarray:
    """f (N, C, *L_out): the maximum of each window (module docstring)."""
    return max_pool_argmax(x, geo)[0]


def max_pool_backward(x, g, geo: PoolGeometry) -> np.ndarray:
    """dl/dx (x's shape): g[n, c, p] added at the argmax of window p (first maximum on ties)."""
    x, g = np.asarray(x, dtype=np.float64), np.asarray(g, dtype=np.float64)
    _, taps = max_pool_argmax(x, geo)
    offsets = np.unravel_index(taps, geo.kernel)            # one array per axis
    grid = np.indices(taps.shape, sparse=True)
    ndim = len(geo.kernel)
    positions = [grid[2 + a] * geo.stride[a] + offsets[a] * geo.dilation[a] - geo.padding[a][0]
                 for a in range(ndim)]
    grad = np.zeros(x.shape)
    index = tuple(np.broadcast_arrays(grid[0], grid[1], *positions))
    np.add.at(grad, index, np.broadcast_to(g, taps.shape))
    return grad


def avg_divisors(spatial, geo: PoolGeometry, count_include_pad: bool,
                 divisor_override: int | None) -> np.ndarray:
    """divisor(p) of every output position, shape L_out (formula in the module docstring)."""
    if divisor_override is not None:
        return np.full(geo.out_spatial, float(divisor_override))
    per_axis = []
    for n, k, s, (pad, _), n_out in zip(spatial, geo.kernel, geo.stride, geo.padding,
                                        geo.out_spatial):
        start = np.arange(n_out) * s - pad
        end = np.minimum(start + k, n + pad)
        if count_include_pad:
            per_axis.append(end - start)
        else:
            per_axis.append(np.minimum(end, n) - np.maximum(start, 0))
    return math.prod(np.ix_(*per_axis)).astype(np.float64)


def avg_pool_forward(x, geo: PoolGeometry, count_include_pad: bool = True,
                     divisor_override: int | None = None) -> np.ndarray:
    """f (N, C, *L_out): the sum of each window's taps inside the input over divisor(p)."""
    x = np.asarray(x, dtype=np.float64)
    ndim = len(geo.kernel)
    sums = _windows(x, geo, 0.0).sum(axis=tuple(range(-ndim, 0)))
    return sums / avg_divisors(x.shape[2:], geo, count_include_pad, divisor_override)


def avg_pool_backward(x, g, geo: PoolGeometry, count_include_pad: bool = True,
                      divisor_override: int | None = None) -> np.ndarray:
    """dl/dx (x's shape): g[n, c, p] / divisor(p) added to every tap of window p inside x."""
    x, g = np.asarray(x, dtype=np.float64), np.asarray(g, dtype=np.float64)
    ndim = len(geo.kernel)
    share = g / avg_divisors(x.shape[2:], geo, count_include_pad, divisor_override)
    d_windows = np.broadcast_to(share[(slice(None), slice(None)) + (None,) * ndim],
                                x.shape[:2] + geo.kernel + geo.out_spatial)
    padded_shape = x.shape[:2] + tuple(max(n + lo + hi, m) for n, (lo, hi), m in
                                       zip(x.shape[2:], geo.padding, geo.lengths()))
    return add_windows(d_windows, padded_shape, geo.out_spatial, geo.stride, geo.dilation,
                       geo.padding, x.shape[2:])
