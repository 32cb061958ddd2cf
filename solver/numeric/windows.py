"""Sliding windows over padded arrays (N, C, *L), shared by convolution and pooling.

Per spatial axis a: stride S, dilation D, kernel K, output length L_out;
window p holds padded[n, c, S*p + D*k] for k = 0 .. K-1.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np


def padded_array(x: np.ndarray, padding: Sequence[tuple[int, int]], fill: float = 0.0,
                 lengths: Sequence[int] | None = None) -> np.ndarray:
    """x (N, C, *L) with ``fill`` added before/after each spatial axis.

    ``lengths`` (optional) are the padded lengths wanted; an axis is filled
    further on the right up to its length (pooling's ceil_mode windows).
    """
    spatial = x.shape[2:]
    sizes = [n + lo + hi for n, (lo, hi) in zip(spatial, padding)]
    if lengths is not None:
        sizes = [max(size, wanted) for size, wanted in zip(sizes, lengths)]
    if tuple(sizes) == tuple(spatial):
        return x
    padded = np.full(x.shape[:2] + tuple(sizes), fill, dtype=np.float64)
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(padding, spatial))
    padded[(slice(None), slice(None), *inner)] = x
    return padded


def window_view(padded: np.ndarray, out_spatial, kernel, stride, dilation) -> np.ndarray:
    """Read-only view (N, C, *L_out, *K) with view[n, c, p, k] = padded[n, c, S*p + D*k]."""
    n_stride, c_stride, *axis_strides = padded.strides
    strides = (n_stride, c_stride,
               *(s * step for s, step in zip(stride, axis_strides)),
               *(d * step for d, step in zip(dilation, axis_strides)))
    shape = padded.shape[:2] + tuple(out_spatial) + tuple(kernel)
    return np.lib.stride_tricks.as_strided(padded, shape, strides, writeable=False)


def add_windows(d_windows: np.ndarray, padded_shape, out_spatial, stride, dilation,
                padding, spatial) -> np.ndarray:
    """Scatter-add d_windows (N, C, *K, *L_out) onto the padded input, then crop the padding.

    The adjoint of :func:`window_view`: result[n, c, S*p + D*k - P_before] += d[n, c, k, p].
    """
    padded = np.zeros(tuple(padded_shape))
    kernel = d_windows.shape[2:2 + len(out_spatial)]
    for offset in itertools.product(*(range(k) for k in kernel)):
        target = tuple(slice(d * k, d * k + s * (n_out - 1) + 1, s)
                       for k, s, d, n_out in zip(offset, stride, dilation, out_spatial))
        padded[(slice(None), slice(None), *target)] += d_windows[(slice(None), slice(None),
                                                                  *offset)]
    crop = tuple(slice(before, before + n) for (before, _), n in zip(padding, spatial))
    return padded[(slice(None), slice(None), *crop)]
