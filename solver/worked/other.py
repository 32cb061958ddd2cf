"""Worked steps of ``numeric`` (the first entry computed from the given tensors), ``summary``
(each layer's shape and count) and ``explanation`` (none: the reference is the answer)."""

from __future__ import annotations

from dataclasses import replace

from solver.notation import equation_to_latex, lhs_text, to_latex, to_unicode, tree
from solver.questions import answer as solve
from solver.shapes import output_shape, tensor_shapes
from solver.worked.counts import layer_params
from solver.worked.shapes import shape_latexed
from solver.worked.steps import Math, chain, math, value
from solver.worked.values import MAX_TERMS, expand

#: Numbers written out at most in the first entry's sum.
_MAX_NUMBERS = 2 * MAX_TERMS


def worked_numeric(part_key) -> list:
    """The first entry of the answer: its expression written out, the numbers put in, the sum."""
    part = part_key.part
    if len(part.layers) > 1 or part.layer.inner:
        # the index expression of ``value`` is one layer's; a network's entry is a chain of them
        return [("computed from the given tensors, layer by layer.",)]
    try:
        key = solve(replace(part, ask=("value",)), "value")
    except Exception:  # noqa: BLE001 - no index expression (networks): the numbers speak for themselves
        return [("computed from the given tensors, layer by layer.",)]
    eq = key.tree
    env = {name: lo for name, lo, _ in key.ranges}
    shapes = dict(key.tensors)
    written = expand(eq.rhs, env, shapes, key.base, set(shapes), 10**6)   # every sum written out
    entries = [n for n in tree.walk(written) if isinstance(n, tree.Entry)]
    line = tree.Equation(_at(eq.of, env), _at(eq.wrt, env) if eq.wrt else None, written)
    first = Math(f"{lhs_text(line)} = {to_unicode(written)}", equation_to_latex(line))
    if len(entries) > _MAX_NUMBERS:
        return [("the first entry: ", first, ".")]
    values = part.layer.values
    numbers = _put_numbers(written, values, key.base)
    return [("the first entry, from the given tensors: ",
             math(first, Math(to_unicode(numbers), to_latex(numbers)), tree.num(value(numbers))), ".")]


def _at(ref, env):
    return tree.Ref(ref.name, tuple(tree.num(env[i.name]) if isinstance(i, tree.Sym) and i.name in env else i
                                    for i in ref.indices))


def _put_numbers(node, values, base):
    if isinstance(node, tree.Entry):
        array = values[node.name]
        entry = array[tuple(value(i) - base for i in node.indices)]
        number = float(entry)
        return tree.num(int(number)) if number.is_integer() else tree.num(_fraction(number))
    children = node.children()
    return node.rebuild(tuple(_put_numbers(c, values, base) for c in children)) if children else node


def _fraction(number: float):
    from fractions import Fraction
    return Fraction(number).limit_denominator(10**6)


def worked_summary(part_key) -> list:
    """Per layer: input -> output shape and the parameter count."""
    steps = []
    for number, layer in enumerate(part_key.part.layers, start=1):
        count, what = layer_params(layer)
        steps.append((f"layer {number} ({layer.op}): ", math(shape_latexed(tensor_shapes(layer).input)), " → ",
                      math(shape_latexed(output_shape(layer))), f"; {what}: ", chain(tree.Sym("params"), None, count,
                                                                                      None), "."))
    return steps


def worked_explanation(part_key) -> list:
    """An explanation is graded by hand against the reference, which the key shows."""
    return []
