"""``numeric``: the output, a full Jacobian or a loss gradient for the spec's tensor values."""

from __future__ import annotations

from solver.answers import NumericAnswer
from solver.arith import product
from solver.errors import SpecError
from solver.questions.base import Question
from solver.questions.element_support import check_elementwise
from solver.questions.subject import subject_shape
from solver.shapes import output_spatial
from solver.spec.values import MAX_TENSOR_ENTRIES, check_tensor_size

#: Jacobians larger than this many entries are refused (gradients never build one).
MAX_JACOBIAN_ENTRIES = MAX_TENSOR_ENTRIES


class NumericQuestion(Question):
    name = "numeric"

    def given(self, part) -> tuple[str, ...]:
        """x and W; b for the output of a layer with bias; g for a loss gradient."""
        layer, names = part.layer, part.layer.names
        needed = [names.input, names.weight]
        if part.of == "output" and layer.bias:
            needed.append(names.bias)
        if part.of == "loss_gradient":
            needed.append(names.upstream)
        return tuple(needed)

    def check(self, part) -> None:
        check_elementwise(part, "numeric")
        layer = part.layer
        missing = [name for name in self.given(part) if name not in layer.values]
        if missing:
            raise SpecError(f"numeric answers need values for {', '.join(missing)}: give them "
                            f"under layer.values or give values: {{seed: N}}", field="layer.values")
        for what, shape in work_arrays(layer).items():
            check_tensor_size(what, shape, "layer")
        if part.of == "jacobian":
            entries = product(subject_shape(part))
            if entries > MAX_JACOBIAN_ENTRIES:
                shape = " x ".join(str(d) for d in subject_shape(part))
                raise SpecError(f"the Jacobian would have {entries:,} entries ({shape}); the limit "
                                f"is {MAX_JACOBIAN_ENTRIES:,}: ask for shape/value only, or use "
                                f"smaller sizes", field="ask")

    def answer(self, part) -> NumericAnswer:
        # numpy's convolution code loads only for specs that ask for numbers
        from solver.numeric.layer import layer_gradient, layer_jacobian, layer_output

        layer = part.layer
        if part.of == "output":
            return NumericAnswer(layer_output(layer))
        if part.of == "jacobian":
            return NumericAnswer(layer_jacobian(layer, part.wrt, max_entries=MAX_JACOBIAN_ENTRIES))
        return NumericAnswer(layer_gradient(layer, part.wrt))


def work_arrays(layer) -> dict[str, tuple[int, ...]]:
    """Shapes of the arrays a numeric answer allocates besides x, W, b and f (conv layers).

    padded input: (N, C, *(L + P_before + P_after));
    im2col matrix: (N, C * prod(K), prod(L_out)), i.e. C_g * prod(K) rows per group.
    """
    batch, channels = layer.batch or 1, layer.channels or 1
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(layer.spatial, layer.padding))
    out_spatial = output_spatial(layer)
    return {"the padded input": (batch, channels, *padded),
            "the im2col matrix": (batch, channels * product(layer.kernel), product(out_spatial))}
