"""``value``: the element-wise index expression of the output, a Jacobian or a loss gradient."""

from __future__ import annotations

from solver.answers import IndexAnswer
from solver.elementwise.indices import free_index_bounds
from solver.ops import family_of
from solver.questions.base import Question
from solver.questions.element_support import check_elementwise
from solver.spec.values import tensor_roles


class ValueQuestion(Question):
    name = "value"

    def check(self, part) -> None:
        check_elementwise(part, "value")

    def answer(self, part) -> IndexAnswer:
        layer, base = part.layer, part.indexing
        equation = family_of(layer.family).element(layer, base, part.of, part.wrt)
        bounds = free_index_bounds(equation, layer, base)
        tensors = tensor_roles(layer)
        if part.of != "loss_gradient":
            del tensors[layer.names.upstream]     # g exists only for a loss gradient
        return IndexAnswer(
            equation=equation,
            ranges=tuple((symbol.name, first, last) for symbol, (first, last) in bounds.items()),
            tensors=tuple(tensors.items()),
            base=base,
            sizes=tuple(sorted(symbol.name for symbol in layer.size_symbols)))
