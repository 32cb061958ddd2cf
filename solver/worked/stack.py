"""Worked steps of the per-stack question kinds: receptive field and jump, MACs, FLOPs,
activations, im2col, effective kernel and padding for 'same'.

Each writes the recurrence or formula of :mod:`solver.stack` / its question module with the
layer's numbers put in, layer by layer, then the answer.
"""

from __future__ import annotations

from solver.arith import normalize
from solver.notation import from_sympy, tree
from solver.ops import family_of
from solver.shapes import output_spatial
from solver.stack import layer_activations, layer_macs
from solver.worked.shapes import shape_latexed
from solver.worked.steps import chain, math, node


def _size(value) -> tree.Expr:
    return node(value) if isinstance(value, int) else from_sympy(value)


def _product(values) -> tree.Expr:
    sizes = [_size(v) for v in values]
    return sizes[0] if len(sizes) == 1 else tree.Mul(tuple(sizes))


def _labelled(layers):
    for number, layer in enumerate(layers, start=1):
        yield (f"layer {number} ({layer.op})" if len(layers) > 1 else layer.op), layer


def _geometry_steps(part_key, what: str) -> list:
    """r_i = r_{i-1} + D(K - 1)·J_{i-1} and J_i = J_{i-1}·S per windowed layer, per axis."""
    layers = part_key.part.layers
    ndim = layers[0].ndim
    field, jump = [1] * ndim, [1] * ndim
    steps = [("start from one output value: r = 1 and J = 1 on every axis; a window of kernel K, "
              "stride S and dilation D widens it to r + D(K − 1)·J and multiplies J by S.",)]
    _walk_layers(layers, field, jump, steps, prefix="")
    answer = field if what == "receptive_field" else jump
    steps.append((f"so the {'receptive field' if what == 'receptive_field' else 'jump'} is ",
                   shape_latexed(tuple(answer)), "."))
    return steps


def _walk_layers(layers, field: list, jump: list, steps: list, prefix: str) -> None:
    for label, layer in _labelled(layers):
        label = prefix + label
        kind = family_of(layer.family).receptive
        if kind == "residual":
            _walk_layers(layer.inner, field, jump, steps, prefix=f"{label}, inner ")
            continue
        if kind != "window":
            steps.append((f"{label} keeps r and J.",))
            continue
        for axis in range(len(field)):
            K, S, D = layer.kernel[axis], layer.stride[axis], layer.dilation[axis]
            widened = tree.Add((_size(field[axis]), tree.Mul((_size(D), tree.Add((_size(K), tree.num(-1))),
                                                                 _size(jump[axis])))))
            field[axis] = normalize(field[axis] + D * (K - 1) * jump[axis])
            step = tree.Mul((_size(jump[axis]), _size(S)))
            jump[axis] = normalize(jump[axis] * S)
            where = f", axis {axis + 1}" if len(field) > 1 else ""
            steps.append((f"{label}{where}: ", chain(tree.Sym("r"), None, widened, _size(field[axis])), "; ",
                          chain(tree.Sym("J"), None, step, _size(jump[axis])), "."))


def worked_receptive_field(part_key) -> list:
    """The receptive-field recurrence layer by layer."""
    return _geometry_steps(part_key, "receptive_field")


def worked_jump(part_key) -> list:
    """The jump (effective stride) recurrence layer by layer."""
    return _geometry_steps(part_key, "jump")


def _per_layer_total(part_key, name: str, count, explain: str, scale: int = 1) -> list:
    layers = part_key.part.layers
    steps, counts = [(explain,)], []
    for label, layer in _labelled(layers):
        value = count(layer)
        counts.append(_size(value))
        steps.append((f"{label}: ", math(tree.Sym(name), _size(value)), "."))
    total = counts[0] if len(counts) == 1 else tree.Add(tuple(counts))
    if scale != 1:
        total = tree.Mul((tree.num(scale), total))
    answer = part_key.answer(name).value
    steps.append(("total: ", chain(tree.Sym(name), None, total, _size(answer)), "."))
    return steps


def worked_macs(part_key) -> list:
    """MACs per layer (conv: output positions × C/groups × kernel taps), then the sum."""
    return _per_layer_total(part_key, "macs", layer_macs,
                            "one multiply-accumulate per weight tap for each output value: conv "
                            "prod(output) · C/groups · prod(K); linear prod(output) · C; other layers 0.")


def worked_flops(part_key) -> list:
    """FLOPs = 2 × MACs (a multiplication and an addition each)."""
    return _per_layer_total(part_key, "flops", layer_macs,
                            "each multiply-accumulate is a multiplication and an addition: "
                            "FLOPs = 2 · MACs, from the MACs per layer:", scale=2)


def worked_activations(part_key) -> list:
    """Output values per layer: prod(output shape), then the sum."""
    return _per_layer_total(part_key, "activations", layer_activations,
                            "each layer stores prod(output shape) values:")


def worked_im2col(part_key) -> list:
    """Rows C/groups · prod(K), columns prod(L_out)."""
    layer = part_key.part.layer
    channels = layer.channels if layer.channels is not None else 1
    rows = tree.Mul((tree.Div(_size(channels), _size(layer.groups)), _product(layer.kernel)))
    columns = _product(output_spatial(layer))
    rows_value, columns_value = (_size(v) for v in part_key.answer("im2col").shape)
    return [("one row per weight tap of a filter (C/groups · prod(K)), one column per output position: ",
             chain(tree.Sym("rows"), None, rows, rows_value), ", ",
             chain(tree.Sym("columns"), None, columns, columns_value), ".")]


def worked_effective_kernel(part_key) -> list:
    """D(K − 1) + 1 per axis."""
    layer = part_key.part.layer
    steps = []
    for axis, size in enumerate(part_key.answer("effective_kernel").shape):
        span = tree.Add((tree.Mul((_size(layer.dilation[axis]), tree.Add((_size(layer.kernel[axis]),
                                                                            tree.num(-1))))), tree.num(1)))
        steps.append(("the taps are D apart, so the kernel spans ", chain(tree.Sym("K_eff"), None, span,
                                                                          _size(size)), "."))
    return steps


def worked_padding_for_same(part_key) -> list:
    """L + 2P − D(K − 1) = L gives P = D(K − 1)/2 per axis."""
    layer = part_key.part.layer
    steps = []
    for axis, size in enumerate(part_key.answer("padding_for_same").shape):
        need = tree.Div(tree.Mul((_size(layer.dilation[axis]), tree.Add((_size(layer.kernel[axis]),
                                                                           tree.num(-1))))), tree.num(2))
        steps.append(("with stride 1 the output has L + 2P − D(K − 1) positions; equal to L when ",
                      chain(tree.Sym("P"), None, need, _size(size)), "."))
    return steps

