"""Worked solutions of ``shape``: each output size from its family's formula, numbers substituted
and the arithmetic done; the shape after each layer of a network; Jacobian and gradient shapes
from the tensors they are made of.

Size formulas are registered per layer family in ``SIZE_FORMULAS`` (family name -> a function
building the formula's tree from the sizes of one axis), so a new family adds its own.
"""

from __future__ import annotations

from solver.layers import AVGPOOL, CONV, CONV_TRANSPOSE, MAXPOOL, Layer, path_label
from solver.notation import shape_to_latex, to_unicode, tree
from solver.ops import family_of
from solver.questions.subject import part_variable_shape, target_layer
from solver.shapes import output_shape, output_spatial, tensor_shapes
from solver.worked.steps import Math, chain, is_numeric, math, node, value

Sym, Num, Add, Neg, Mul = tree.Sym, tree.num, tree.Add, tree.Neg, tree.Mul

#: Axis names by the number of spatial axes.
_AXES = {1: ("L",), 2: ("H", "W"), 3: ("T", "H", "W")}


def _window(length, padding, dilation, kernel, dilated: bool) -> list:
    """The terms L + 2P − D·(K − 1) − 1 (``padding`` a term already; no D without dilation)."""
    span = Mul((dilation, Add((kernel, Neg(Num(1)))))) if dilated else kernel
    terms = [length, padding, Neg(span)]
    return terms + ([Neg(Num(1))] if dilated else [])


def conv_size(a: dict) -> tree.Expr:
    """L_out = ⌊(L + 2P − D·(K − 1) − 1)/S⌋ + 1 (pooling without dilation: ⌊(L + 2P − K)/S⌋ + 1;
    ceil mode: ⌊(L + 2P − D·(K − 1) − 1 + S − 1)/S⌋ + 1)."""
    terms = _window(a["L"], a["P"], a["D"], a["K"], a["dilated"])
    if a.get("ceil"):
        terms += [a["S"], Neg(Num(1))]
    return Add((tree.Floor(tree.Div(Add(tuple(terms)), a["S"])), Num(1)))


def conv_transpose_size(a: dict) -> tree.Expr:
    """L_out = (L − 1)·S − 2P + D·(K − 1) + O + 1 (O: output_padding)."""
    return Add((Mul((Add((a["L"], Neg(Num(1)))), a["S"])), Neg(a["P"]),
                Mul((a["D"], Add((a["K"], Neg(Num(1)))))), a["O"], Num(1)))


SIZE_FORMULAS = {CONV: conv_size, MAXPOOL: conv_size, AVGPOOL: conv_size, CONV_TRANSPOSE: conv_transpose_size}

_NAMES = {"L": "the input length", "P": "the padding", "D": "the dilation", "K": "the kernel size",
          "S": "the stride", "O": "the output padding"}


def _axis_sizes(layer: Layer, axis: int) -> dict:
    """The sizes of one axis as trees, in the names of the formulas."""
    before, after = layer.padding[axis]
    padding = Mul((Num(2), node(before))) if _same(before, after) else Add((node(before), node(after)))
    return {"L": node(layer.spatial[axis]), "P": padding, "D": node(layer.dilation[axis]),
            "K": node(layer.kernel[axis]), "S": node(layer.stride[axis]),
            "O": node(layer.output_padding[axis]) if layer.output_padding else Num(0),
            "dilated": "dilation" in family_of(layer.family).fields,
            "ceil": layer.ceil_mode}


def _general(layer: Layer) -> dict:
    names = {k: Sym(k) for k in ("L", "D", "K", "S", "O")}
    names["P"] = Mul((Num(2), Sym("P")))
    return {**names, "dilated": "dilation" in family_of(layer.family).fields, "ceil": layer.ceil_mode}


def _same(a, b) -> bool:
    return (a == b) if isinstance(a, int) and isinstance(b, int) else str(a) == str(b)


def layer_steps(layer: Layer) -> list:
    """The steps of one layer's output shape: the formula, then each axis (equal axes together)."""
    formula = SIZE_FORMULAS.get(layer.family)
    out = output_shape(layer)
    steps = []
    channels = family_of(layer.family).output_channels(layer)
    if channels is not None:
        why = ("one output channel per filter" if family_of(layer.family).has_weights
               else "pooling keeps every channel")
        steps.append(("channels: ", math(node(channels)), f" ({why})."))
    if formula is None:
        return steps + [("output shape: ", math(shape_latexed(out)), ".")]
    general = formula(_general(layer))
    steps.append((f"each spatial size ({layer.op}): ", math(Sym("L_out"), general),
                  ", with " + ", ".join(f"{s} {_NAMES[s]}" for s in ("L", "K", "S", "P", "D", "O")
                                        if s in _symbols(general)) + "."))
    names = _AXES.get(layer.ndim, tuple(f"L{i + 1}" for i in range(layer.ndim)))
    spatial = output_spatial(layer)
    groups: dict[str, list[int]] = {}
    for axis in range(layer.ndim):
        sizes = _axis_sizes(layer, axis)
        groups.setdefault(repr(formula(sizes)), []).append(axis)
    for axes in groups.values():
        sizes = _axis_sizes(layer, axes[0])
        substituted = formula(sizes)
        outs = [Sym(f"{names[a]}_out") for a in axes]
        lhs = math(*outs) if len(outs) > 1 else outs[0]
        steps.append((chain(lhs, None, substituted, spatial[axes[0]]), "."))
        if layer.ceil_mode and is_numeric(substituted):
            steps += _ceil_check(layer, axes[0], value(substituted))
    return steps


def _ceil_check(layer: Layer, axis: int, size) -> list:
    """ATen's ceil-mode rule: the last window must start inside the input or the left padding."""
    start = (size - 1) * layer.stride[axis]
    limit = layer.spatial[axis] + layer.padding[axis][0]
    if start >= limit:
        return [(f"the last window would start at {start} ≥ L + P = {limit}, in the right padding, "
                 f"so it is dropped: {size - 1}.",)]
    return [(f"ceil mode keeps the last window: it starts at (L_out − 1)·S = {start} < L + P = {limit}.",)]


def _symbols(expr) -> set:
    return {n.name for n in tree.walk(expr) if isinstance(n, tree.Sym)}


def shape_latexed(shape) -> Math:
    """A shape as ``4 × 5`` (sums in parentheses) and ``4 \\times 5``."""
    sizes = [node(d) for d in shape]
    text = " × ".join(f"({to_unicode(d)})" if isinstance(d, tree.Add) and len(sizes) > 1 else to_unicode(d)
                      for d in sizes)
    return Math(text, shape_to_latex(shape))


def network_steps(layers) -> list:
    """The shape after each layer, each with its own steps."""
    steps = []
    for number, layer in enumerate(layers, start=1):
        steps.append((f"layer {number} ({layer.op}): ", math(shape_latexed(tensor_shapes(layer).input)),
                      " → ", math(shape_latexed(output_shape(layer))), ":"))
        steps += [("    ",) + s for s in layer_steps(layer)]
    return steps


def worked_shape(part_key) -> list:
    """Output: the layer's (or each layer's) sizes; Jacobian: f's axes then the variable's;
    loss gradient: the variable's shape."""
    part = part_key.part
    answer = part_key.answer("shape")
    names = part.layer.names
    steps = network_steps(part.layers) if len(part.layers) > 1 else layer_steps(part.layer)
    out = shape_latexed(output_shape(part.layers[-1]))
    if part.of == "output":
        return steps + [(f"so {names.output} has shape ", math(shape_latexed(answer.shape)), ".")]
    variable = part_variable_shape(part)
    name = _variable_name(part)
    what = {"weight": "a weight", "bias": "a bias", "input": "the input"}[part.wrt]
    if part.wrt != "input" and (len(part.layers) > 1 or part.wrt_inner):
        what = f"the {part.wrt} of layer {path_label(part.wrt_path)}"
    variable_step = (f"{name} is {what} of shape ", math(shape_latexed(variable)), _layout(part), ".")
    if part.of == "jacobian":
        return steps + [(f"{names.output} has shape ", math(out), ".")] + [variable_step] + [
            (f"the Jacobian ∂{names.output}/∂{name} has one entry per pair (entry of {names.output}, entry of {name}): "
             f"{names.output}'s axes, then {name}'s: ", math(Math(f"({out.text}) × ({shape_latexed(variable).text})",
                                                                 f"({out.latex}) \\times ({shape_latexed(variable).latex})"),
                                                            shape_latexed(answer.shape)), ".")]
    return [variable_step, (f"the loss {names.loss} is a number, so ∂{names.loss}/∂{name} has one entry per entry "
                            f"of {name}: the shape of {name}, ", math(shape_latexed(answer.shape)), ".")]


def _variable_name(part) -> str:
    return getattr(target_layer(part).names, part.wrt)


def _layout(part) -> str:
    if part.wrt == "input":
        return " (channels, then the positions)"
    layer = target_layer(part)
    if part.wrt == "bias":
        return " (one per filter)"
    if layer.family == CONV_TRANSPOSE:
        return " (input channels × filters per group × kernel)"
    return " (filters × input channels per group × kernel)"
