"""Read one ``layer:`` mapping of a spec into a validated :class:`~solver.layers.Layer`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import sympy

from solver.arith import as_int, floor_div, normalize
from solver.errors import SpecError
from solver.layers import Dim, Layer, TensorNames
from solver.notation import NotationError, has_axis_separator, parse_expression, parse_shape
from solver.ops import OPS, family_of
from solver.shapes import layer_constraints, output_shape, output_spatial
from solver.spec.model import PART_FIELDS
from solver.spec.values import read_values

def parse_layer(raw: object, *, previous_output: tuple[Dim, ...] | None = None,
                previous_layer: Layer | None = None) -> Layer:
    """Build a :class:`Layer` from a spec's layer mapping, or raise :class:`SpecError`.

    ``previous_output`` is the output shape of the layer before (in a
    ``layers:`` list); it is this layer's input when ``input`` is absent.
    ``previous_layer`` (that layer itself) tells which of its output axes are
    batch and channels, for ops that take their rank from the input (relu, ...).
    Numeric layers that PyTorch would refuse are errors with the reason;
    symbolic layers keep their constraints for the grader's domain.
    """
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping with op, input, kernel, ...; found {_kind(raw)}")
    op = raw.get("op")
    if op not in OPS:
        accepted = ", ".join(OPS)
        raise SpecError(f"unknown op {op!r}; accepted: {accepted}", field="op") if op is not None \
            else SpecError(f"missing; accepted: {accepted}", field="op")
    family, ndim = OPS[op]
    unknown = sorted(set(map(str, raw)) - family.fields_for(ndim))
    misplaced = [name for name in unknown if name in PART_FIELDS]
    if misplaced:
        raise SpecError(f"{misplaced[0]} belongs to the part, not to its layer; move it out of "
                        f"the layer mapping, next to the part's id", field=misplaced[0])
    if unknown:
        raise SpecError(f"{op} does not take {', '.join(unknown)}; its fields are "
                        f"{', '.join(sorted(family.fields_for(ndim)))}", field=unknown[0])

    if ndim is None:
        batch, channels, spatial = _read_free_input(raw, previous_output, previous_layer)
        ndim = len(spatial)
    else:
        batch, channels, spatial = _read_input(raw, ndim, previous_output)
    if family.has_kernel:
        kernel = _per_axis(raw, "kernel", ndim, required=True)
        stride = _per_axis(raw, "stride", ndim) or family.default_stride(kernel)
        dilation = _per_axis(raw, "dilation", ndim) or (1,) * ndim
        padding = _read_padding(raw, family, kernel, stride, dilation, ndim)
    else:
        kernel = stride = dilation = (1,) * ndim
        padding = ((0, 0),) * ndim
    output_padding = _per_axis(raw, "output_padding", ndim) or (0,) * ndim
    filters = _dim(raw["filters"], "filters") if raw.get("filters") is not None else None
    if family.needs_filters and channels is not None and filters is None:
        raise SpecError(f"missing; a {op} layer whose input has channels needs the number of "
                        f"filters (output channels, PyTorch's out_channels)", field="filters")
    groups = _dim(raw.get("groups", 1), "groups")
    flags = {name: _bool(raw, name, default) for name, default in
             (("bias", True), ("ceil_mode", False), ("count_include_pad", True))}
    if raw.get("divisor_override") is not None:
        flags["divisor_override"] = _dim(raw["divisor_override"], "divisor_override")
    layer = Layer(op=op, family=family.name, ndim=ndim, batch=batch, channels=channels,
                  spatial=spatial, kernel=kernel, stride=stride, padding=padding,
                  dilation=dilation, output_padding=output_padding, filters=filters,
                  groups=groups, names=_read_names(raw.get("names")), **flags)
    own = family.read_fields(raw, _Reader(raw, layer))
    if own:
        layer = replace(layer, **own)
    _check_size_symbols(layer, raw.get("names") or {})
    _check_constraints(layer)
    if raw.get("values") is not None:
        layer = _with_values(layer, raw["values"])
    return layer


def parse_layer_list(raws: list) -> tuple[Layer, ...]:
    """The layers of a ``layers:`` list: each one's input is the previous output."""
    layers, previous = [], None
    for index, layer_raw in enumerate(raws):
        try:
            layer = parse_layer(layer_raw, previous_output=previous,
                                previous_layer=layers[-1] if layers else None)
        except SpecError as error:
            raise error.located(field_prefix=f"layers[{index}]") from None
        previous = output_shape(layer)
        layers.append(layer)
    return tuple(layers)


def _check_size_symbols(layer: Layer, given_names: Mapping) -> None:
    """Refuse a size symbol that is a tensor name (``3x`` read as 3 times a size x).

    Reserved: the default names x, b, f, g, l and every name given under
    ``names``. The default weight name W stays usable as a width (C x H x W,
    as in the seed): a part with symbolic sizes never shows the weight tensor.
    """
    reserved = {name: f"the default name of the {role} tensor"
                for role, name in vars(TensorNames()).items() if name != TensorNames.weight}
    reserved.update({getattr(layer.names, role): f"the name given to the {role} tensor "
                                                 f"(names.{role})" for role in given_names})
    padding = tuple(p for pair in layer.padding for p in pair)
    for field, sizes in (("input", (layer.batch, layer.channels, *layer.spatial)),
                         ("kernel", layer.kernel), ("stride", layer.stride), ("padding", padding),
                         ("dilation", layer.dilation), ("output_padding", layer.output_padding),
                         ("filters", (layer.filters,)), ("groups", (layer.groups,)),
                         ("divisor_override", (layer.divisor_override,))):
        symbols = {s.name for size in sizes if isinstance(size, sympy.Basic)
                   for s in size.free_symbols}
        clash = sorted(symbols & set(reserved))
        if clash:
            hint = (" (for one size per axis write a list [3, 3] or the text '3 x 3')"
                    if clash[0] == "x" else "")
            raise SpecError(f"{clash[0]} is {reserved[clash[0]]}, so it cannot be a size symbol; "
                            f"use another letter, or rename the tensor under names{hint}",
                            field=field)


def _check_constraints(layer: Layer) -> None:
    for constraint in layer_constraints(layer):
        if constraint.holds() is False:
            raise SpecError(constraint.message(), field=constraint.field)


def _with_values(layer: Layer, raw_values: object) -> Layer:
    if layer.is_symbolic:
        raise SpecError("tensor values need numeric sizes; this layer has symbolic sizes",
                        field="values")
    return replace(layer, values=read_values(layer, raw_values))


class _Reader:
    """Reads a family's own fields of one layer mapping with the spec's error messages."""

    def __init__(self, raw: Mapping, layer: Layer):
        self.raw, self.layer = raw, layer

    def size(self, field: str, *, required: bool = False, hint: str = "") -> Dim | None:
        """One size (an integer or a formula), or None when absent and not required."""
        if self.raw.get(field) is None:
            if required:
                raise SpecError(f"missing; {hint}" if hint else "missing", field=field)
            return None
        return _dim(self.raw[field], field)

    def per_axis(self, field: str, *, required: bool = False) -> tuple[Dim, ...] | None:
        """One size per spatial axis (one value for all axes, a list or '3 x 2')."""
        return _per_axis(self.raw, field, self.layer.ndim, required=required)

    def flag(self, field: str, default: bool) -> bool:
        return _bool(self.raw, field, default)

    def layers(self, field: str) -> tuple[Layer, ...]:
        """A non-empty list of layer mappings, the first fed with this layer's input."""
        items = self.raw.get(field)
        if not isinstance(items, list) or not items:
            raise SpecError("expected a non-empty list of layers, the first taking this "
                            "layer's input", field=field)
        found, previous = [], self.layer
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and "input" in item:
                raise SpecError("an inner layer takes the block's input; drop input",
                                field=f"{field}[{index}].input")
            try:
                layer = parse_layer(item, previous_output=output_shape(previous),
                                    previous_layer=previous)
            except SpecError as error:
                raise error.located(field_prefix=f"{field}[{index}]") from None
            found.append(layer)
            previous = layer
        return tuple(found)


def _read_free_input(raw: Mapping, previous_output, previous: Layer | None):
    """(batch, channels, spatial) of an op that takes its rank from the input.

    An explicit ``input`` is channels first, [C, *L] (no batch); after another
    layer the batch and channel axes are that layer's.
    """
    if "input" in raw:
        dims = _dim_list(raw["input"], "input")
        return None, dims[0], tuple(dims[1:])
    if previous is not None:
        return (previous.batch, family_of(previous.family).output_channels(previous),
                output_spatial(previous))
    if previous_output is None:
        raise SpecError("missing; give the input dims channels first: [C, ...]", field="input")
    return None, previous_output[0], tuple(previous_output[1:])


def _read_input(raw: Mapping, ndim: int, previous_output) -> tuple[Dim | None, Dim | None, tuple]:
    if "input" not in raw:
        if previous_output is None:
            raise SpecError(f"missing; give the input dims: [{', '.join(['L'] * ndim)}] (spatial "
                            f"only), [C, ...] (with channels) or [N, C, ...] (with batch)",
                            field="input")
        dims = previous_output
    else:
        dims = _dim_list(raw["input"], "input")
    extra = len(dims) - ndim
    if extra not in (0, 1, 2):
        raise SpecError(f"has {len(dims)} dims; a {ndim}d layer takes {ndim} (spatial), "
                        f"{ndim + 1} (channels first) or {ndim + 2} (batch, channels, spatial)",
                        field="input")
    batch = dims[0] if extra == 2 else None
    channels = dims[extra - 1] if extra >= 1 else None
    return batch, channels, tuple(dims[extra:])


def _dim_list(value: object, field: str) -> tuple[Dim, ...]:
    if isinstance(value, str):
        try:
            return tuple(normalize(d) for d in parse_shape(value, sums=False))
        except NotationError as error:
            raise SpecError(f"cannot read {value!r}: {error}", field=field) from None
    if not isinstance(value, Sequence) or not value:
        raise SpecError(f"expected a list of sizes such as [10, 11] or [C, H, W]; found {_kind(value)}",
                        field=field)
    return tuple(_dim(item, f"{field}[{i}]") for i, item in enumerate(value))


def _per_axis(raw: Mapping, field: str, ndim: int, *, required: bool = False) -> tuple[Dim, ...] | None:
    if raw.get(field) is None:
        if required:
            raise SpecError(f"missing; give one size for all axes (3) or one per axis "
                            f"({[3] * ndim})", field=field)
        return None
    value = raw[field]
    if isinstance(value, (list, tuple)):
        if len(value) != ndim:
            raise SpecError(f"has {len(value)} entries; give one for all axes or exactly {ndim}",
                            field=field)
        return tuple(_dim(item, f"{field}[{i}]") for i, item in enumerate(value))
    if isinstance(value, str) and has_axis_separator(value):
        sizes = _dim_list(value, field)     # "3 x 3" is [3, 3], as for input
        if len(sizes) not in (1, ndim):
            raise SpecError(f"{value!r} has {len(sizes)} axes; give one size for all axes or "
                            f"exactly {ndim}", field=field)
        return sizes if len(sizes) == ndim else sizes * ndim
    return (_dim(value, field),) * ndim


def _read_padding(raw, family, kernel, stride, dilation, ndim) -> tuple[tuple[Dim, Dim], ...]:
    value = 0 if raw.get("padding") is None else raw["padding"]
    if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
        mode = value.strip().lower()
        if not family.accepts_same_padding:
            raise SpecError(f"'{mode}' is not accepted by {raw['op']}; give an integer or a list "
                            f"of integers", field="padding")
        if mode == "valid":
            return ((0, 0),) * ndim
        if any(s != 1 for s in stride):
            raise SpecError("'same' needs stride 1 (PyTorch refuses padding='same' for strided "
                            "convolutions); give explicit padding instead", field="padding")
        pairs = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            before = normalize(floor_div(total, 2))
            pairs.append((before, normalize(total - before)))
        return tuple(pairs)
    per_axis = _per_axis({"padding": value}, "padding", ndim)
    return tuple((p, p) for p in per_axis)


def _dim(value: object, field: str) -> Dim:
    if isinstance(value, bool) or value is None:
        raise SpecError(f"expected an integer or a symbol such as K; found {_kind(value)}",
                        field=field)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise SpecError(f"expected an integer; found {value}", field=field)
    if isinstance(value, str):
        try:
            expr = parse_expression(value, sums=False)
        except NotationError as error:
            raise SpecError(f"cannot read {value!r}: {error}", field=field) from None
        if expr.atoms(sympy.Indexed) or expr.atoms(sympy.Sum):
            raise SpecError(f"expected a size; found {value!r}", field=field)
        if expr.is_number and not expr.is_Integer:
            raise SpecError(f"expected an integer; found {value!r}", field=field)
        return normalize(expr)
    raise SpecError(f"expected an integer or a symbol such as K; found {_kind(value)}", field=field)


def _bool(raw: Mapping, field: str, default: bool) -> bool:
    value = raw.get(field, default)
    if not isinstance(value, bool):
        raise SpecError(f"expected true or false; found {_kind(value)}", field=field)
    return value


def _read_names(raw: object) -> TensorNames:
    if raw is None:
        return TensorNames()
    defaults = TensorNames()
    roles = tuple(defaults.__dataclass_fields__)
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping of roles ({', '.join(roles)}) to names", field="names")
    chosen = {}
    for role, name in raw.items():
        if role not in roles:
            raise SpecError(f"unknown role {role!r}; roles: {', '.join(roles)}", field="names")
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            raise SpecError(f"{role}: expected a name made of letters, digits and _; found "
                            f"{name!r}", field="names")
        chosen[role] = name
    names = TensorNames(**chosen)
    if len(set(vars(names).values())) != len(roles):
        raise SpecError("two roles share a name; each tensor needs its own", field="names")
    return names


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (str, int, float, bool)):
        return f"{type(value).__name__} {value!r}"
    return type(value).__name__

