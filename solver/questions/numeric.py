"""``numeric``: the output, a full Jacobian or a loss gradient for the spec's tensor values.

Every op family answers, for one layer or a network (``layers:``, by the chain
rule; see :mod:`solver.numeric.layer`).
"""

from __future__ import annotations

from solver.answers import NumericAnswer
from solver.arith import product
from solver.errors import SpecError
from solver.layers import layer_at, path_label
from solver.ops import family_of
from solver.questions.base import Question
from solver.questions.subject import subject_shape
from solver.shapes import output_spatial
from solver.spec.values import MAX_TENSOR_ENTRIES, check_tensor_size

#: Jacobians larger than this many entries are refused (gradients never build one).
MAX_JACOBIAN_ENTRIES = MAX_TENSOR_ENTRIES


class NumericQuestion(Question):
    name = "numeric"

    def given(self, part) -> tuple[tuple[str, tuple[int, ...], str], ...]:
        """x; each layer's W and b; g for a loss gradient. In a network every tensor but x and g
        is labelled with its layer's number: W_2, and W_3.1 inside the residual block 3."""
        from solver.numeric.layer import needed_values

        several = len(part.layers) > 1
        plain = {((1,), part.layers[0].names.input), ((len(part.layers),), part.layers[-1].names.upstream)}
        found = []
        for path, name in needed_values(part.layers, part.of):
            keep_plain = (path, name) in plain or (not several and len(path) == 1)
            found.append((name if keep_plain else f"{name}_{path_label(path)}", path, name))
        return tuple(found)

    def check(self, part) -> None:
        symbolic = [n for n, layer in enumerate(part.layers, start=1) if layer.is_symbolic]
        if symbolic:
            raise SpecError("numeric answers need numeric sizes; this layer has symbols",
                            field="layer" if len(part.layers) == 1 else f"layers[{symbolic[0] - 1}]")
        subject_shape(part)     # SpecError when the layer has no such tensor
        for number, layer in enumerate(part.layers, start=1):
            reason = family_of(layer.family).numeric_support(layer)
            if reason is not None:
                where = "layer" if len(part.layers) == 1 else f"layers[{number - 1}]"
                raise SpecError(f"numeric answers: {reason}", field=where)
        for label, path, name in self.given(part):
            if name not in layer_at(part.layers, path).values:
                where = _field_of(path, single=len(part.layers) == 1)
                raise SpecError(f"numeric answers need values for {name}: give them under "
                                f"{where}.values or give values: {{seed: N}}", field=f"{where}.values")
        for layer in part.layers:
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
        # numpy's layer code loads only for specs that ask for numbers
        from solver.numeric.layer import network_gradient, network_jacobian, network_output

        if part.of == "output":
            return NumericAnswer(network_output(part.layers))
        if part.of == "jacobian":
            return NumericAnswer(network_jacobian(part.layers, part.wrt, part.wrt_path or None,
                                                  max_entries=MAX_JACOBIAN_ENTRIES))
        return NumericAnswer(network_gradient(part.layers, part.wrt, part.wrt_path or None))


def _field_of(path: tuple[int, ...], *, single: bool) -> str:
    """The spec field of the layer at ``path``: layer, layers[2] or layers[2].layers[0]."""
    outer = "layer" if single else f"layers[{path[0] - 1}]"
    return ".".join([outer, *(f"layers[{number - 1}]" for number in path[1:])])


def work_arrays(layer) -> dict[str, tuple[int, ...]]:
    """Shapes of the arrays a numeric answer allocates besides x, W, b and f.

    padded input: (N, C, *(L + P_before + P_after));
    im2col matrix (window view): (N, C * prod(K), prod(L_out)), i.e. C_g * prod(K) rows per group.
    """
    batch, channels = layer.batch or 1, layer.channels or 1
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(layer.spatial, layer.padding))
    out_spatial = output_spatial(layer)
    return {"the padded input": (batch, channels, *padded),
            "the im2col matrix": (batch, channels * product(layer.kernel), product(out_spatial))}
