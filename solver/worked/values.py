"""Worked solutions of ``value`` (index expressions): why the expression is what it is, and, for
the first positions, the expression written out there with the entries it touches.

Sums over positions (kernel offsets, output positions) are written out term by term; sums over
channels stay sums; entries outside a tensor's index range are 0 (padding) and are left out.
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import replace

from solver.notation import equation_to_latex, lhs_text, to_unicode, tree
from solver.ops import family_of
from solver.questions import answer as solve
from solver.worked.steps import Math, is_numeric, math, value

#: Positions written out (the rest are summarised with "…").
MAX_POSITIONS = 3
#: Terms at most in a written-out expression (beyond it, only the entries it touches).
MAX_TERMS = 12

ZERO = tree.num(0)


def worked_value(part_key) -> list:
    part = part_key.part
    key = part_key.answer("value")
    layer = part.layer
    names = layer.names
    eq = key.tree
    steps = [_why(part, key)]
    spatial = _spatial_tensors(layer)
    shapes = dict(key.tensors)
    ranges = {name: (lo, hi) for name, lo, hi in key.ranges}
    ref = eq.of if part.of != "loss_gradient" else eq.wrt
    if key.sizes:
        return steps + [_general(eq)]
    if part.wrt == "bias" or ref is None:
        return steps
    position_names = [i.name for i in _spatial_indices(ref, layer) if isinstance(i, tree.Sym)]
    points = list(itertools.product(*(range(ranges[n][0], ranges[n][1] + 1) for n in position_names)))
    for point in points[:MAX_POSITIONS]:
        env = dict(zip(position_names, point))
        at = ", ".join(f"{n} = {v}" for n, v in env.items()) or "written out"
        rhs = expand(eq.rhs, env, shapes, key.base, spatial, layer.ndim)
        if not env and rhs == eq.rhs:        # no positions (flatten's f[o]) and nothing to write out
            break
        line = tree.Equation(_at(eq.of, env), _at(eq.wrt, env) if eq.wrt else None, rhs)
        piece = Math(f"{lhs_text(line)} = {to_unicode(rhs)}", equation_to_latex(line))
        if part.wrt == "input" and part.of == "jacobian":
            elsewhere = ("the entry is 0" if _family_reason(part)
                         else "the offset falls outside the kernel and the entry is 0")
            steps.append((f"{at}: ", piece, f", nonzero only for {_nonzero(eq, env, shapes, key.base, spatial, layer, ranges)}"
                                            f" (elsewhere {elsewhere})."))
            continue
        if _terms(rhs) > MAX_TERMS:
            steps.append((f"{at}: uses {_touched(rhs, names.input)}.",))
            continue
        touched = _touched(_over_variable(eq, env, shapes, key.base, spatial, layer, ranges)
                           if part.of == "jacobian" else rhs, names.input)
        steps.append((f"{at}: ", piece, f" — uses {touched}." if touched else "."))
    if len(points) > MAX_POSITIONS:
        steps.append((f"… and likewise for the other {len(points) - MAX_POSITIONS} positions.",))
    return steps


def _family_reason(part) -> str | None:
    """The sentence the family's element module gives for ``part.of`` (its ``explain``), if any."""
    module_name = family_of(part.layer.family).element_module
    explain = getattr(importlib.import_module(module_name), "explain", None) if module_name else None
    return explain(part.layer, part.of) if explain is not None else None


def _why(part, key) -> tuple:
    """The reason for the expression, by what the part asks (the family's own when it has one)."""
    names = part.layer.names
    eq = Math(_eq_text(key.tree), key.to_latex())
    reason = _family_reason(part)
    if reason:
        return (f"{reason}: ", eq, ".")
    if part.of == "output":
        return (f"each output entry is the sum, over the channels and the kernel offsets, of a weight times the "
                f"input entry it meets in the output's window (a cross-correlation): ", eq, ".")
    output = _output_equation(part)
    if part.of == "jacobian" and part.wrt == "weight":
        return (f"{names.output} is linear in {names.weight}: in ", output, f", the only term that contains a given "
                f"{names.weight} entry is that entry times the {names.input} entry it meets, so the derivative is "
                f"that {names.input} entry: ", eq, ".")
    if part.of == "jacobian" and part.wrt == "input":
        return (f"in ", output, f", an entry of {names.input} appears in the terms whose {names.input} index equals its "
                f"own; the derivative is the weight it meets there, and 0 when no kernel offset reaches it: ", eq, ".")
    if part.of == "jacobian":
        return (f"each output entry adds its own filter's bias once, so the derivative is 1 for that bias and 0 "
                f"for the others: ", eq, ".")
    wrt = getattr(names, part.wrt)
    return (f"chain rule over every output entry: ∂{names.loss}/∂{wrt} = Σ over the entries of {names.output} of "
            f"∂{names.loss}/∂{names.output}·∂{names.output}/∂{wrt}, with ∂{names.loss}/∂{names.output} = "
            f"{names.upstream} and ∂{names.output}/∂{wrt} the Jacobian entry, 0 for the outputs {wrt} does not "
            f"reach: ", eq, ".")


def _general(eq: tree.Equation) -> tuple:
    """For symbolic sizes: what the expression's sums run to, instead of positions written out."""
    sums = [node for node in tree.walk(eq.rhs) if isinstance(node, tree.Sum)]
    runs = "; ".join(f"{node.index} from {to_unicode(node.lower)} to {to_unicode(node.upper)}" for node in sums)
    over = f" Its sums run over {runs}." if sums else ""
    return (f"the sizes are symbols, so the expression holds for every valid size at once.{over} An index "
            f"outside its tensor's range (the padding, or an offset past the kernel) gives 0.",)


def _output_equation(part) -> Math:
    try:
        found = solve(replace(part, of="output", wrt=None, wrt_layer=None), "value")
    except Exception:  # noqa: BLE001 - the reason is still given without the output's expression
        return Math(f"{part.layer.names.output}", part.layer.names.output)
    return Math(_eq_text(found.tree), found.to_latex())


def _eq_text(eq: tree.Equation) -> str:
    return f"{lhs_text(eq)} = {to_unicode(eq.rhs)}"


def _spatial_tensors(layer) -> set:
    n = layer.names
    return {n.input, n.weight, n.output, n.upstream}


def _spatial_indices(ref: tree.Ref, layer) -> tuple:
    return ref.indices[-layer.ndim:] if len(ref.indices) >= layer.ndim else ()


def _at(ref: tree.Ref, env: dict) -> tree.Ref:
    return tree.Ref(ref.name, tuple(_fold(_subst(i, env)) for i in ref.indices))


# ---- writing an expression out at a position -------------------------------------------------

def expand(node, env: dict, shapes: dict, base: int, spatial: set, ndim: int):
    """``node`` at the index values ``env``: position sums written out, channel sums kept,
    entries outside their tensor left out (0)."""
    if isinstance(node, tree.Sum):
        lower, upper = _fold(_subst(node.lower, env)), _fold(_subst(node.upper, env))
        if not _positional(node, spatial, ndim) or not (is_numeric(lower) and is_numeric(upper)):
            inner = {k: v for k, v in env.items() if k != node.index}
            body = expand(node.body, inner, shapes, base, spatial, ndim)
            return ZERO if body == ZERO else tree.Sum(body, node.index, lower, upper)
        terms = [expand(node.body, {**env, node.index: v}, shapes, base, spatial, ndim)
                 for v in range(value(lower), value(upper) + 1)]
        return _sum(terms)
    if isinstance(node, tree.Entry):
        indices = tuple(_fold(_subst(i, env)) for i in node.indices)
        shape = shapes.get(node.name)
        if shape is not None and any(is_numeric(i) and not base <= value(i) < base + size
                                     for i, size in zip(indices, shape) if isinstance(size, int)):
            return ZERO
        return tree.Entry(node.name, indices)
    if isinstance(node, tree.Add):
        return _sum([expand(t, env, shapes, base, spatial, ndim) for t in node.terms])
    if isinstance(node, tree.Mul):
        factors = [expand(f, env, shapes, base, spatial, ndim) for f in node.factors]
        return ZERO if any(f == ZERO for f in factors) else _fold(tree.Mul(tuple(factors)))
    if isinstance(node, tree.Sym):
        return tree.num(env[node.name]) if node.name in env else node
    children = node.children()
    if not children:
        return node
    return _fold(node.rebuild(tuple(expand(c, env, shapes, base, spatial, ndim) for c in children)))


def _positional(node: tree.Sum, spatial: set, ndim: int) -> bool:
    """Whether the sum's index runs along a position axis of some entry (not only channels)."""
    for entry in tree.walk(node.body):
        if isinstance(entry, tree.Entry) and entry.name in spatial:
            for index in entry.indices[-ndim:]:
                if any(isinstance(s, tree.Sym) and s.name == node.index for s in tree.walk(index)):
                    return True
    return False


def _sum(terms: list):
    kept = [t for t in terms if t != ZERO]
    flat = []
    for t in kept:
        flat += list(t.terms) if isinstance(t, tree.Add) else [t]
    return ZERO if not flat else flat[0] if len(flat) == 1 else tree.Add(tuple(flat))


def _subst(node, env: dict):
    if isinstance(node, tree.Sym):
        return tree.num(env[node.name]) if node.name in env else node
    children = node.children()
    return node.rebuild(tuple(_subst(c, env) for c in children)) if children else node


def _fold(node):
    """Numbers folded: a numeric part becomes its value; a sum's numbers are gathered at its end."""
    if isinstance(node, tree.Expr) and is_numeric(node):
        return tree.num(value(node))
    children = node.children()
    if children:
        node = node.rebuild(tuple(_fold(c) for c in children))
    if isinstance(node, tree.Add):
        constant = sum((value(t) for t in node.terms if is_numeric(t)), 0)
        rest = [t for t in node.terms if not is_numeric(t)]
        if constant:
            rest.append(tree.num(constant))
        return rest[0] if len(rest) == 1 else tree.Add(tuple(rest)) if rest else ZERO
    if isinstance(node, tree.Mul):
        numbers = [t for t in node.factors if is_numeric(t)]
        if any(value(t) == 0 for t in numbers):
            return ZERO
        rest = [t for t in node.factors if not (is_numeric(t) and value(t) == 1)]
        return rest[0] if len(rest) == 1 else tree.Mul(tuple(rest)) if rest else tree.num(1)
    return node


def _terms(node) -> int:
    return sum(1 for n in tree.walk(node) if isinstance(n, tree.Entry))


def _touched(node, name: str) -> str:
    """The entries of tensor ``name`` in ``node``, per axis: ``x[c, 1..3]``."""
    entries = [n for n in tree.walk(node) if isinstance(n, tree.Entry) and n.name == name]
    if not entries:
        return ""
    axes = []
    for axis in range(len(entries[0].indices)):
        found = {e.indices[axis] for e in entries}
        if all(is_numeric(i) for i in found):
            axes.append(_span(sorted(value(i) for i in found)))
        else:
            axes.append(", ".join(sorted(to_unicode(i) for i in found)) if len(found) == 1 else
                        "{" + ", ".join(sorted(to_unicode(i) for i in found)) + "}")
    return f"{name}[{', '.join(axes)}]"


def _span(values: list) -> str:
    if len(values) > 1 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return values[0].__str__() if len(values) == 1 else "{" + ", ".join(map(str, values)) + "}"


def _over_variable(eq, env, shapes, base, spatial, layer, ranges):
    """The expression at ``env`` written out at every position of the variable too (their sum)."""
    free = [i.name for i in _spatial_indices(eq.wrt, layer) if isinstance(i, tree.Sym)]
    return _sum([expand(eq.rhs, {**env, **dict(zip(free, point))}, shapes, base, spatial, layer.ndim)
                 for point in itertools.product(*(range(ranges[n][0], ranges[n][1] + 1) for n in free))])


def _nonzero(eq, env, shapes, base, spatial, layer, ranges) -> str:
    """The entries of the variable (``x[c, 1..3]``) whose derivative is not 0 at position ``env``."""
    free = [i.name for i in _spatial_indices(eq.wrt, layer) if isinstance(i, tree.Sym)]
    hits = []
    for point in itertools.product(*(range(ranges[n][0], ranges[n][1] + 1) for n in free)):
        if expand(eq.rhs, {**env, **dict(zip(free, point))}, shapes, base, spatial, layer.ndim) != ZERO:
            hits.append(point)
    indices = []
    spatial_start = len(eq.wrt.indices) - layer.ndim
    for axis, index in enumerate(eq.wrt.indices):
        if axis >= spatial_start and isinstance(index, tree.Sym) and index.name in free:
            indices.append(_span(sorted({p[free.index(index.name)] for p in hits})))
        else:
            indices.append(to_unicode(index))
    return f"{eq.wrt.name}[{', '.join(indices)}]"
