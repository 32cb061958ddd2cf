"""Read a spec file (YAML) into a validated :class:`~solver.spec.model.Problem`.

Errors are :class:`~solver.errors.SpecError` naming the file, the part and
the field. Sub-parts inherit ``layer``/``layers``, ``indexing``,
``assumptions`` (accumulated) and ``options`` from their parent; a part
either has ``ask`` or sub-parts (never both, never neither).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from solver.errors import SpecError
from solver.notation import NotationError, parse_relation
from solver.plain_data import data_problem
from solver.questions import check_asked
from solver.shapes import output_shape
from solver.spec.layer_fields import parse_layer
from solver.spec.model import FEEDBACK_LEVELS, OF_CHOICES, PART_FIELDS, WRT_CHOICES, Part, PartOptions, Problem
from solver.yaml_loading import YamlLoadError, load_yaml_file, load_yaml_text

_PROBLEM_FIELDS = {"id", "title", "indexing", "intro", "parts", "options", "version", "feedback"}
_OPTION_FIELDS = {"allow_squeeze", "rtol", "atol", "weights"}


def load_problem(path: str | os.PathLike) -> Problem:
    """Read and validate the spec file at ``path``; raise SpecError naming the file."""
    source = os.fspath(path)
    return problem_from_data(_read_yaml(load_yaml_file, source), source=source)


def load_problem_text(text: str, *, source: str = "<spec>") -> Problem:
    """Like :func:`load_problem` for YAML text already in memory."""
    return problem_from_data(_read_yaml(load_yaml_text, text, source), source=source)


def _read_yaml(loader, argument, source: str | None = None) -> object:
    try:
        return loader(argument)
    except YamlLoadError as error:
        raise SpecError(f"not a readable YAML file: {error}", file=source or argument) from None


def problem_from_data(raw: object, *, source: str = "<spec>") -> Problem:
    """Validate already-loaded YAML data (a mapping) into a Problem."""
    try:
        return _read_problem(raw, source)
    except SpecError as error:
        raise error.located(file=source) from None


def _read_problem(raw: object, source: str) -> Problem:
    too_big = data_problem(raw)  # data from the Python API has not been through the file limits
    if too_big is not None:
        where, what = too_big
        raise SpecError(f"found {what}", field=where or None)
    if not isinstance(raw, Mapping):
        found = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise SpecError(f"a spec is a mapping with id, title and parts; found {found}")
    _reject_unknown(raw, _PROBLEM_FIELDS, "the problem")
    problem_id = _text(raw, "id", required=True)
    title = _text(raw, "title") or problem_id
    indexing = _indexing(raw.get("indexing", 1), "indexing")
    parts_raw = raw.get("parts")
    if not isinstance(parts_raw, list) or not parts_raw:
        raise SpecError("expected a non-empty list of parts, each with an id", field="parts")
    inherited = _Inherited(indexing=indexing, options=_options(raw.get("options"), PartOptions()))
    inherited.feedback = _choice(raw, "feedback", FEEDBACK_LEVELS)
    parts: list[Part] = []
    for index, part_raw in enumerate(parts_raw):
        _read_part(part_raw, f"parts[{index}]", None, inherited, parts)
    seen = set()
    for part in parts:
        if part.id in seen:
            raise SpecError("two parts have this id; ids must be unique", part=part.id)
        seen.add(part.id)
    return Problem(id=problem_id, title=title, indexing=indexing, parts=tuple(parts), source=source)


class _Inherited:
    """What a sub-part takes from its parent."""

    def __init__(self, *, indexing: int, options: PartOptions, layer_raw=None, layers_raw=None,
                 assumptions: tuple = (), prompt: str = "", intro: tuple = ()):
        self.indexing, self.options = indexing, options
        self.layer_raw, self.layers_raw = layer_raw, layers_raw
        self.assumptions, self.prompt = assumptions, prompt
        self.intro = intro          # (id, prompt) of the enclosing parts that have a prompt
        self.feedback: str | None = None


def _read_part(raw: object, where: str, parent_id: str | None, inherited: _Inherited,
               out: list[Part]) -> None:
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping with id, prompt, layer, ask; found "
                        f"{type(raw).__name__}", field=where)
    local_id = raw.get("id")
    if isinstance(local_id, bool) or not isinstance(local_id, (str, int)) or not str(local_id).strip():
        raise SpecError("missing or empty id; give a short id such as a, b or i", field=f"{where}.id")
    part_id = f"{parent_id}.{local_id}" if parent_id else str(local_id)
    try:
        _reject_unknown(raw, PART_FIELDS, "a part")
        if "layer" in raw and "layers" in raw:
            raise SpecError("give either layer (one layer) or layers (a list), not both",
                            field="layers")
        here = _Inherited(
            indexing=_indexing(raw["indexing"], "indexing") if "indexing" in raw else inherited.indexing,
            options=_options(raw.get("options"), inherited.options),
            layer_raw=raw.get("layer", inherited.layer_raw if "layers" not in raw else None),
            layers_raw=raw.get("layers", inherited.layers_raw if "layer" not in raw else None),
            assumptions=inherited.assumptions + _assumptions(raw.get("assumptions")),
            prompt=_text(raw, "prompt") or "",
            intro=inherited.intro + ((parent_id, inherited.prompt),) if parent_id and inherited.prompt
            else inherited.intro,
        )
        here.feedback = _choice(raw, "feedback", FEEDBACK_LEVELS) or inherited.feedback
        children = raw.get("parts")
        if children is not None:
            if not isinstance(children, list) or not children:
                raise SpecError("expected a non-empty list of sub-parts", field="parts")
            if "ask" in raw:
                raise SpecError("a part with sub-parts asks through them; move 'ask' into the "
                                "sub-parts", field="ask")
        if "ask" in raw:
            out.append(_answerable_part(raw, part_id, here))
        elif children is None:
            _layers(here)   # reports an ask misplaced inside the layer
            raise SpecError("missing; a part without sub-parts must ask something, e.g. "
                            "ask: [shape]", field="ask")
    except SpecError as error:
        raise error.located(part=part_id) from None
    for index, child in enumerate(children or ()):
        _read_part(child, f"parts[{index}]", part_id, here, out)


def _answerable_part(raw: Mapping, part_id: str, here: _Inherited) -> Part:
    layers = _layers(here)
    ask = raw["ask"]
    if isinstance(ask, str):
        ask = [ask]
    if not isinstance(ask, list) or not ask or not all(isinstance(a, str) for a in ask):
        raise SpecError("expected a list of items such as [shape, value]", field="ask")
    of = _choice(raw, "of", OF_CHOICES) or "output"
    wrt = _choice(raw, "wrt", WRT_CHOICES)
    if of in ("jacobian", "loss_gradient") and wrt is None:
        raise SpecError(f"of: {of} needs wrt: one of {', '.join(WRT_CHOICES)}", field="wrt")
    if wrt is not None and of not in ("jacobian", "loss_gradient"):
        raise SpecError("wrt only goes with of: jacobian or of: loss_gradient", field="wrt")
    wrt_layer = _wrt_layer(raw.get("wrt_layer"), wrt, len(layers))
    points = _non_negative(raw.get("points", 1), "points")
    reference = raw.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise SpecError("expected the reference answer as text", field="reference")
    part = Part(id=part_id, points=float(points), prompt=here.prompt, layers=layers,
                ask=tuple(ask), indexing=here.indexing, of=of, wrt=wrt, wrt_layer=wrt_layer,
                assumptions=here.assumptions, reference=reference, options=here.options,
                feedback=here.feedback, intro=here.intro)
    check_asked(part)
    return part


def _wrt_layer(value: object, wrt: str | None, count: int) -> int | None:
    """The layer (from 1) whose weight or bias ``wrt`` means; None for wrt: input or no wrt."""
    if value is None:
        if wrt in ("weight", "bias") and count > 1:
            raise SpecError(f"missing; this part has {count} layers, so say whose {wrt} is meant: "
                            f"wrt_layer: 1 to {count} (counted from 1, as in the summary table)",
                            field="wrt_layer")
        return 1 if wrt in ("weight", "bias") else None
    if wrt not in ("weight", "bias"):
        reason = ("wrt: input is the input of the first layer" if wrt == "input"
                  else "it goes with wrt: weight or wrt: bias")
        raise SpecError(f"names the layer whose weight or bias is meant; {reason}, so drop "
                        f"wrt_layer", field="wrt_layer")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= count:
        raise SpecError(f"expected a layer number from 1 to {count}; found {value!r}",
                        field="wrt_layer")
    return value


def _layers(here: _Inherited) -> tuple:
    if here.layers_raw is not None:
        if not isinstance(here.layers_raw, list) or not here.layers_raw:
            raise SpecError("expected a non-empty list of layers", field="layers")
        layers, previous = [], None
        for index, layer_raw in enumerate(here.layers_raw):
            try:
                layer = parse_layer(layer_raw, previous_output=previous)
            except SpecError as error:
                raise error.located(field_prefix=f"layers[{index}]") from None
            previous = output_shape(layer)
            layers.append(layer)
        return tuple(layers)
    if here.layer_raw is None:
        raise SpecError("missing; give the part (or its parent) a layer: {op: conv2d, input: "
                        "[...], kernel: ...}", field="layer")
    try:
        return (parse_layer(here.layer_raw),)
    except SpecError as error:
        raise error.located(field_prefix="layer") from None


def _assumptions(raw: object) -> tuple:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise SpecError("expected a list of relations such as [H >= K]", field="assumptions")
    relations = []
    for index, text in enumerate(items):
        if not isinstance(text, str):
            raise SpecError(f"expected a relation such as 'H >= K'; found {text!r}",
                            field=f"assumptions[{index}]")
        try:
            relations.append(parse_relation(text, sums=False))
        except NotationError as error:
            raise SpecError(f"cannot read {text!r}: {error}", field=f"assumptions[{index}]") from None
    return tuple(relations)


def _options(raw: object, base: PartOptions) -> PartOptions:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping with {', '.join(sorted(_OPTION_FIELDS))}", field="options")
    _reject_unknown(raw, _OPTION_FIELDS, "options", prefix="options.")
    values = dict(allow_squeeze=base.allow_squeeze, rtol=base.rtol, atol=base.atol,
                  weights=base.weights)
    if "allow_squeeze" in raw:
        if not isinstance(raw["allow_squeeze"], bool):
            raise SpecError("expected true or false", field="options.allow_squeeze")
        values["allow_squeeze"] = raw["allow_squeeze"]
    for name in ("rtol", "atol"):
        if name in raw:
            values[name] = _non_negative(raw[name], f"options.{name}")
    if "weights" in raw:
        weights = raw["weights"]
        if not isinstance(weights, Mapping):
            raise SpecError("expected a mapping of asked items to numbers >= 0, e.g. "
                            "{shape: 1, value: 2}", field="options.weights")
        values["weights"] = tuple((str(k), _non_negative(v, f"options.weights.{k}"))
                                  for k, v in weights.items())
    return PartOptions(**values)


def _non_negative(value: object, field: str) -> float:
    """A finite number >= 0 (points, tolerances, weights), as a float."""
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or value < 0):
        raise SpecError(f"expected a finite number >= 0; found {value!r}", field=field)
    return float(value)


def _indexing(value: object, field: str) -> int:
    if value not in (0, 1) or isinstance(value, bool):
        raise SpecError(f"expected 0 or 1 (the first index of every tensor); found {value!r}",
                        field=field)
    return int(value)


def _choice(raw: Mapping, field: str, choices: tuple[str, ...]) -> str | None:
    value = raw.get(field)
    if value is not None and value not in choices:
        raise SpecError(f"unknown value {value!r}; accepted: {', '.join(choices)}", field=field)
    return value


def _text(raw: Mapping, field: str, *, required: bool = False) -> str | None:
    value = raw.get(field)
    if value is None:
        if required:
            raise SpecError("missing", field=field)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SpecError(f"expected text; found {type(value).__name__}", field=field)
    return str(value).strip()


def _reject_unknown(raw: Mapping, accepted, what: str, prefix: str = "") -> None:
    unknown = sorted(str(key) for key in raw if key not in accepted)
    if unknown:
        raise SpecError(f"unknown field in {what}; accepted: {', '.join(sorted(accepted))}",
                        field=prefix + unknown[0])
