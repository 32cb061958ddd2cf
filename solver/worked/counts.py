"""Worked solutions of ``params``: each layer's weight entries and bias, then the total."""

from __future__ import annotations

from solver.notation import tree
from solver.ops import family_of
from solver.worked.steps import chain, is_numeric, node, value


def layer_params(layer) -> tuple[tree.Expr, str]:
    """The count of one layer as an unevaluated tree (weight sizes multiplied, plus the bias) and
    what its terms are."""
    family = family_of(layer.family)
    weight = family.weight_shape(layer)
    if weight is None:
        return tree.num(0), "no parameters"
    product = tree.Mul(tuple(node(d) for d in weight))
    if not layer.bias:
        return product, "the weight's entries (no bias)"
    filters = layer.filters if layer.filters is not None else 1
    return tree.Add((product, node(filters))), "the weight's entries plus one bias per filter"


def worked_params(part_key) -> list:
    """``conv2d: 16·3·3·3 + 16 = 448`` per layer, then the sum."""
    layers = part_key.part.layers
    steps, counts = [], []
    for number, layer in enumerate(layers, start=1):
        count, what = layer_params(layer)
        counts.append(count)
        label = f"layer {number} ({layer.op})" if len(layers) > 1 else layer.op
        steps.append((f"{label}, {what}: ", chain(tree.Sym("params"), None, count, None), "."))
    if len(layers) > 1:
        total = part_key.answer("params").value
        steps.append(("total: ", chain(tree.Sym("params"), None, tree.Add(tuple(_folded(c) for c in counts)),
                                       total), "."))
    return steps


def _folded(count: tree.Expr) -> tree.Expr:
    return tree.num(value(count)) if is_numeric(count) else count
