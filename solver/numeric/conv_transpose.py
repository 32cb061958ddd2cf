"""Numeric transposed convolution (as ``torch.nn.functional.conv_transposeNd``), via convolution.

x (N, C, *L), w (C, F/groups, *K), b (F,), output (N, F, *L_t) with
L_t = (L - 1)*S - 2P + D*(K - 1) + output_padding + 1.

A transposed convolution is the adjoint of the convolution ``conv`` that
maps z (N, F, *L_t) to (N, C, *L_c) with the same w read as (C filters,
F/groups channels per group), stride, padding, dilation and groups:
<conv_transpose(x), z> = <x, conv(z)>. So

* f = conv's input gradient with upstream x:
  f[n, o, t] = b[o] + sum_{c, l, k: S*l + D*k = t + P} x[n, c, l] * w[c, o', k];
* dl/dx = conv(g, w) (cropped to L);
* dl/dw = conv's weight gradient with input g and upstream x;
* dl/db[o] = sum_{n, t} g[n, o, t].

L_c = floor((L_t + 2P - D(K-1) - 1)/S) + 1 is L, or more when
output_padding >= S (allowed when D > S); x is then extended with zeros.
"""

from __future__ import annotations

import numpy as np

from solver.numeric.conv import conv_forward, conv_input_gradient, conv_weight_gradient


def _conv_length(n_t: int, k: int, s: int, d: int, pad: tuple[int, int]) -> int:
    return (n_t + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def _extended(x: np.ndarray, lengths) -> np.ndarray:
    """x with zeros added at the end of each spatial axis up to ``lengths``."""
    widths = [(0, 0), (0, 0)] + [(0, m - n) for n, m in zip(x.shape[2:], lengths)]
    return np.pad(x, widths) if any(w for _, w in widths) else x


def conv_transpose_forward(x, w, b, *, stride, padding, dilation, groups, out_spatial):
    """f (N, F, *L_t) of x (N, C, *L) with w (C, F/groups, *K) and bias b (F,) or None."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    lengths = [_conv_length(n, k, s, d, p) for n, k, s, d, p in
               zip(out_spatial, w.shape[2:], stride, dilation, padding)]
    z = np.broadcast_to(0.0, (x.shape[0], w.shape[1] * groups, *out_spatial))
    out = conv_input_gradient(z, w, _extended(x, lengths), **geometry)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64).reshape((-1,) + (1,) * len(out_spatial))
    return out


def conv_transpose_input_gradient(x, w, g, *, stride, padding, dilation, groups):
    """dl/dx (x's shape) = conv(g, w), cropped to x's length."""
    out = conv_forward(g, w, None, stride=stride, padding=padding, dilation=dilation,
                       groups=groups)
    return out[(slice(None), slice(None), *(slice(0, n) for n in np.shape(x)[2:]))]


def conv_transpose_weight_gradient(x, w, g, *, stride, padding, dilation, groups):
    """dl/dw (w's shape): conv's weight gradient with input g and upstream x (extended)."""
    g = np.asarray(g, dtype=np.float64)
    lengths = [_conv_length(n, k, s, d, p) for n, k, s, d, p in
               zip(g.shape[2:], np.shape(w)[2:], stride, dilation, padding)]
    return conv_weight_gradient(g, w, _extended(np.asarray(x, dtype=np.float64), lengths),
                                stride=stride, padding=padding, dilation=dilation,
                                groups=groups)
