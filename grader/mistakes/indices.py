"""Named mistakes in index expressions (outputs, Jacobians and loss gradients of a layer).

Two sources: the solver's own answer for the part with one layer setting
changed (stride 1, dilation 1, no padding, no bias: what a student who ignores
that setting derives), and rewrites of the key's tree (the kernel flipped, the
bias moved into the sum, the channel sum dropped, the wrong tensor, two
indices of an entry swapped). Every candidate keeps the key's left-hand side,
index ranges and tensors, so it is compared exactly as the key is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from grader.mistakes import Candidate, Mistake
from grader.mutations import equation_mutants, substitute
from solver.notation import build, tree
from solver.questions import answer as solve

FLIPPED = Mistake("true convolution (flipped kernel)", "a CNN layer computes a cross-correlation: "
                                                       "kernel offset k meets input position j + k, "
                                                       "the kernel is not flipped")
STRIDE_IGNORED = Mistake("stride ignored", "with stride S, output position j starts its window S "
                                           "input positions after position j − 1")
NOT_SPREAD = Mistake("gradient not spread by the stride", "output position j was computed from a "
                                                          "window S inputs after that of j − 1: its "
                                                          "gradient goes back to that window")
DILATION_IGNORED = Mistake("dilation ignored", "with dilation D the kernel's taps are D input "
                                               "positions apart")
PADDING_MISSING = Mistake("padding offset missing", "padding shifts the input: output position j's "
                                                    "window starts P positions earlier in x")
BIAS_MISSING = Mistake("bias missing", "this layer has a bias: every output entry adds its filter's bias")
BIAS_INSIDE = Mistake("bias inside the sum", "the bias is added once per output entry, not once "
                                             "per term of the sum")
CHANNEL_SUM = Mistake("channel sum missing", "each filter looks at every input channel of its group: "
                                             "sum over the channels too")
WRONG_TENSOR = Mistake("wrong tensor in a Jacobian", "the derivative of a product with respect to "
                                                     "one factor is the other factor")
AXES_SWAPPED = Mistake("axes swapped", "keep each tensor's axes in its layout: channels first, "
                                       "then the positions")


@dataclass(frozen=True, eq=False)
class MutantAnswer:
    """An answer-like object compared like an IndexAnswer: its tree and the key's ranges,
    tensors and sizes."""

    tree: tree.Equation
    ranges: tuple
    tensors: tuple
    base: int
    sizes: tuple = ()
    range_trees: tuple = ()
    shape_trees: tuple = ()


def like_key(key, rhs, base: int | None = None) -> MutantAnswer:
    """``rhs`` as an answer with the key's left-hand side, ranges, tensors and sizes (in the
    key's index base unless ``base`` is given)."""
    return MutantAnswer(tree.Equation(key.tree.of, key.tree.wrt, rhs), key.ranges, key.tensors,
                        key.base if base is None else base, key.sizes, key.range_trees, key.shape_trees)


def index_candidates(part_key) -> list[Candidate]:
    """The named wrong index expressions of a part."""
    part = part_key.part
    key = part_key.answer("value")
    if len(part.layers) != 1:
        return []
    layer = part.layer
    found = []
    for rhs in _flipped(key, layer):
        found.append(Candidate(FLIPPED, like_key(key, rhs)))
    variants = (
        (NOT_SPREAD if part.of == "loss_gradient" or part.wrt == "input" else STRIDE_IGNORED,
         {"stride": tuple(1 for _ in layer.stride)}, any(s != 1 for s in layer.stride)),
        (DILATION_IGNORED, {"dilation": tuple(1 for _ in layer.dilation)}, any(d != 1 for d in layer.dilation)),
        (PADDING_MISSING, {"padding": tuple((0, 0) for _ in layer.padding)},
         any(p != (0, 0) for p in layer.padding)),
        (BIAS_MISSING, {"bias": False}, layer.bias and part.of == "output"),
    )
    for mistake, changes, applies in variants:
        if applies:
            rhs = _solved_rhs(part, layer, changes, key)
            if rhs is not None:
                found.append(Candidate(mistake, like_key(key, rhs)))
    for mistake, rhs in ((BIAS_INSIDE, _bias_inside(key.tree.rhs, layer.names.bias)),
                         (CHANNEL_SUM, _channel_fixed(key, layer)),
                         (WRONG_TENSOR, _wrong_tensor(key, layer) if part.of == "jacobian" else None)):
        if rhs is not None:
            found.append(Candidate(mistake, like_key(key, rhs)))
    for mutant in equation_mutants(key.tree):
        if mutant.kind == "swap_indices" and mutant.description.startswith("swapped the indices"):
            found.append(Candidate(AXES_SWAPPED, like_key(key, mutant.value.rhs)))
    return found


def _solved_rhs(part, layer, changes: dict, key):
    """The right-hand side the solver derives with ``changes`` made to the layer (None when the
    changed layer is invalid or its equation has other free indices)."""
    try:
        variant = replace(part, layers=(replace(layer, **changes),))
        equation = solve(variant, "value").tree
    except Exception:  # noqa: BLE001 - an impossible variant is no candidate
        return None
    if equation.lhs_indices != key.tree.lhs_indices:
        return None
    return equation.rhs


def _kernel_sizes(key, layer) -> tuple:
    """The weight's kernel sizes as trees (numbers, or symbols such as K)."""
    return dict(key.shape_trees)[layer.names.weight][-layer.ndim:]


def _flipped(key, layer) -> list:
    """The kernel read backwards: each kernel index e becomes (2·base + K − 1) − e."""
    weight = layer.names.weight
    if weight not in dict(key.tensors):
        return []
    sizes = _kernel_sizes(key, layer)
    flip = [build.add((tree.num(2 * key.base - 1), size)) for size in sizes]
    rhs = key.tree.rhs
    if key.tree.wrt is not None and key.tree.wrt.name == weight:
        names = {}
        for index, top in zip(key.tree.wrt.indices[-layer.ndim:], flip):
            if isinstance(index, tree.Sym):
                names[index.name] = build.add((top, build.neg(index)))
        return [substitute(rhs, names)] if names else []
    if weight not in tree.tensors_in(rhs):
        return []
    return [_map_entries(rhs, weight, lambda e: tree.Entry(e.name, e.indices[:-layer.ndim] + tuple(
        build.add((top, build.neg(index))) for index, top in zip(e.indices[-layer.ndim:], flip))))]


def _bias_inside(rhs, bias: str):
    """``b[o] + Sum(body)`` -> ``Sum(b[o] + body)``, innermost sum."""
    if not isinstance(rhs, tree.Add):
        return None
    entries = [t for t in rhs.terms if isinstance(t, tree.Entry) and t.name == bias]
    sums = [t for t in rhs.terms if isinstance(t, tree.Sum)]
    if len(entries) != 1 or len(sums) != 1:
        return None
    rest = [t for t in rhs.terms if t is not entries[0] and t is not sums[0]]
    inside = _into_innermost(sums[0], entries[0])
    return build.add((*rest, inside)) if rest else inside


def _into_innermost(node: tree.Sum, term) -> tree.Sum:
    if isinstance(node.body, tree.Sum):
        return tree.Sum(_into_innermost(node.body, term), node.index, node.lower, node.upper)
    return tree.Sum(build.add((node.body, term)), node.index, node.lower, node.upper)


def _channel_fixed(key, layer):
    """The sum over the weight's input-channel index dropped, that index fixed to the first channel."""
    weight = layer.names.weight
    position = len(dict(key.tensors).get(weight, ())) - layer.ndim - 1
    if position < 0:
        return None
    channel = {e.indices[position].name for e in tree.walk(key.tree.rhs)
               if isinstance(e, tree.Entry) and e.name == weight and isinstance(e.indices[position], tree.Sym)}
    rhs = _drop_sum(key.tree.rhs, channel, tree.num(key.base))
    return None if rhs == key.tree.rhs else rhs


def _drop_sum(node, names: set, value):
    if isinstance(node, tree.Sum) and node.index in names:
        return substitute(node.body, {node.index: value})
    children = node.children()
    if not children:
        return node
    new = tuple(_drop_sum(child, names, value) for child in children)
    return node if new == children else node.rebuild(new)


def _wrong_tensor(key, layer):
    """The input's entries read as the weight's and the other way round, trailing indices kept."""
    x, w = layer.names.input, layer.names.weight
    shapes = dict(key.tensors)
    if x not in shapes or w not in shapes:
        return None
    swap = {x: (w, len(shapes[w])), w: (x, len(shapes[x]))}

    def other(entry):
        name, count = swap[entry.name]
        indices = entry.indices[-count:] if count <= len(entry.indices) else (
            (tree.num(key.base),) * (count - len(entry.indices)) + entry.indices)
        return tree.Entry(name, indices)

    rhs = _map_entries(key.tree.rhs, (x, w), other)
    return None if rhs == key.tree.rhs else rhs


def _map_entries(node, names, change):
    """``node`` with every entry of the tensors ``names`` replaced by ``change(entry)``."""
    names = (names,) if isinstance(names, str) else names
    if isinstance(node, tree.Entry) and node.name in names:
        return change(node)
    children = node.children()
    if not children:
        return node
    new = tuple(_map_entries(child, names, change) for child in children)
    return node if new == children else node.rebuild(new)
