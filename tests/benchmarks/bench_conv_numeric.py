"""Benchmark: numpy convolution (solver.numeric.conv) against PyTorch CPU, both on one thread.

Run as a script: ``python tests/benchmarks/bench_conv_numeric.py [repeats]``.
Case: conv2d, x 1x3x64x64, 16 filters 3x3, stride 1, padding 1, float64.
Prints the median time of each step for numpy and torch and their ratio;
the target is a total (output + dl/dW + dl/dx) within 3x of torch.

BLAS is limited to one thread (unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
are already set) to match ``torch.set_num_threads(1)``: on small matrices
OpenBLAS's thread wake-ups cost more than the multiplication itself.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")   # must happen before numpy loads BLAS

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from solver.numeric.conv import (conv_forward, conv_input_gradient,  # noqa: E402
                                 conv_weight_gradient)

torch.set_num_threads(1)

GEOMETRY = dict(stride=(1, 1), padding=((1, 1), (1, 1)), dilation=(1, 1), groups=1)
STEPS = ("forward", "backward dx", "backward dW")


def median_seconds(step, repeats: int) -> float:
    """Median wall time of ``step()`` over ``repeats`` runs (after two warm-up runs)."""
    step(), step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_steps(x, w, b, g) -> dict:
    """The timed numpy steps, keyed as in STEPS."""
    return {"forward": lambda: conv_forward(x, w, b, **GEOMETRY),
            "backward dx": lambda: conv_input_gradient(x, w, g, **GEOMETRY),
            "backward dW": lambda: conv_weight_gradient(x, w, g, **GEOMETRY)}


def torch_steps(x, w, b, g) -> dict:
    """The same steps in PyTorch: F.conv2d, then autograd.grad of a recorded graph per variable."""
    xt, wt, bt, gt = (torch.tensor(a) for a in (x, w, b, g))
    xt.requires_grad_(), wt.requires_grad_()
    out = torch.nn.functional.conv2d(xt, wt, bt, padding=1)

    def gradient(variable):
        return lambda: torch.autograd.grad(out, variable, gt, retain_graph=True)

    with torch.no_grad():
        forward = lambda: torch.nn.functional.conv2d(xt, wt, bt, padding=1)  # noqa: E731
        forward()
    return {"forward": forward, "backward dx": gradient(xt), "backward dW": gradient(wt)}


def main(repeats: int = 300) -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(1, 3, 64, 64)), rng.normal(size=(16, 3, 3, 3)), rng.normal(size=16)
    g = rng.normal(size=(1, 16, 64, 64))
    ours = {name: median_seconds(step, repeats) for name, step in numpy_steps(x, w, b, g).items()}
    theirs = {name: median_seconds(step, repeats) for name, step in torch_steps(x, w, b, g).items()}
    ours["total"], theirs["total"] = sum(ours.values()), sum(theirs.values())
    print(f"conv2d x 1x3x64x64, W 16x3x3x3, stride 1, padding 1, float64; torch threads "
          f"{torch.get_num_threads()}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"median of {repeats}")
    print(f"{'step':<14}{'numpy ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name in (*STEPS, "total"):
        print(f"{name:<14}{ours[name] * 1e3:>10.3f}{theirs[name] * 1e3:>10.3f}"
              f"{ours[name] / theirs[name]:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
