"""Read a spec file (YAML) into a validated :class:`~solver.spec.model.Problem`.

Errors are :class:`~solver.errors.SpecError` naming the file, the part and
the field. Sub-parts inherit ``layer``/``layers``, ``indexing``,
``assumptions`` (accumulated) and ``options`` from their parent; a part
either has ``ask`` or sub-parts (never both, never neither).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping

from solver.errors import SpecError
from solver.layers import inner_range, layer_at, layer_paths, path_label
from solver.notation import NotationError, parse_relation
from solver.plain_data import data_problem
from solver.questions import check_asked
from solver.shapes import output_shape
from solver.spec.layer_fields import parse_layer, parse_layer_list
from solver.spec.model import (FEEDBACK_LEVELS, OF_CHOICES, PART_FIELDS, TEST_VERDICTS, VISIBILITIES, WRT_CHOICES,
                               Hint, Part, PartOptions, Problem, QuestionTest)
from solver.spec.variants import base_data
from solver.yaml_loading import YamlLoadError, load_yaml_file, load_yaml_text

_PROBLEM_FIELDS = {"id", "title", "indexing", "intro", "parts", "options", "version", "feedback"}
_OPTION_FIELDS = {"allow_squeeze", "rtol", "atol", "weights", "visibility"}


def load_problem(path: str | os.PathLike) -> Problem:
    """Read and validate the spec file at ``path``; raise SpecError naming the file."""
    source = os.fspath(path)
    return problem_from_data(_read_yaml(load_yaml_file, source), source=source)


def load_problem_text(text: str, *, source: str = "<spec>") -> Problem:
    """Like :func:`load_problem` for YAML text already in memory."""
    return problem_from_data(_read_yaml(load_yaml_text, text, source), source=source)


def load_spec_data(path: str | os.PathLike) -> object:
    """The raw data of the spec file at ``path`` (bounded, safe YAML); SpecError naming the file."""
    return _read_yaml(load_yaml_file, os.fspath(path))


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
    raw = base_data(raw)   # declared choices at their base values (solver/spec/variants.py)
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
                 assumptions: tuple = (), prompt: str = "", context: tuple = (), intro: tuple = ()):
        self.indexing, self.options = indexing, options
        self.layer_raw, self.layers_raw = layer_raw, layers_raw
        self.assumptions, self.prompt = assumptions, prompt
        self.context = context      # the prompts of the enclosing parts, outermost first
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
            context=inherited.context + ((inherited.prompt,) if inherited.prompt else ()),
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
    wrt_layer, wrt_inner = _wrt_layer(raw.get("wrt_layer"), wrt, layers)
    points = _non_negative(raw.get("points", 1), "points")
    reference = raw.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise SpecError("expected the reference answer as text", field="reference")
    part = Part(id=part_id, points=float(points), prompt=here.prompt, layers=layers,
                ask=tuple(ask), indexing=here.indexing, of=of, wrt=wrt, wrt_layer=wrt_layer,
                wrt_inner=wrt_inner,
                assumptions=here.assumptions, reference=reference, options=here.options,
                feedback=here.feedback, context=here.context, intro=here.intro,
                hints=_hints(raw.get("hints"), tuple(ask)), tests=_tests(raw.get("tests"), tuple(ask)))
    check_asked(part)
    return part


def _entries(raw: object, field: str, example: str) -> list:
    """The mappings of a list field (``hints``, ``tests``); absent is empty."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SpecError(f"expected a list of mappings such as {example}", field=field)
    for index, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise SpecError(f"expected a mapping such as {example}; found {type(entry).__name__}",
                            field=f"{field}[{index}]")
    return raw


def _entry_item(entry: Mapping, where: str, ask: tuple, default: str | None) -> str | None:
    item = entry.get("item", default)
    if item is not None and item not in ask:
        raise SpecError(f"unknown item {item!r}; this part asks {', '.join(ask)}", field=f"{where}.item")
    return item


def _hints(raw: object, ask: tuple) -> tuple[Hint, ...]:
    """``hints: [{answer, feedback, item}]``: item defaults to the part's first asked item."""
    found = []
    for index, entry in enumerate(_entries(raw, "hints", "{answer: 4 x 4, feedback: ...}")):
        where = f"hints[{index}]"
        _reject_unknown(entry, {"answer", "feedback", "item"}, "a hint", prefix=f"{where}.")
        if entry.get("answer") is None:
            raise SpecError("missing; give the anticipated answer, written as a student would", field=f"{where}.answer")
        feedback = entry.get("feedback")
        if not isinstance(feedback, str) or not feedback.strip():
            raise SpecError("missing or empty; give the message shown for this answer", field=f"{where}.feedback")
        found.append(Hint(_entry_item(entry, where, ask, ask[0]), entry["answer"], feedback.strip()))
    return tuple(found)


def _tests(raw: object, ask: tuple) -> tuple[QuestionTest, ...]:
    """``tests: [{answer, verdict, item}]``: without item, the answer is the part's (as in a submission)."""
    found = []
    for index, entry in enumerate(_entries(raw, "tests", "{answer: 4 x 5, verdict: correct}")):
        where = f"tests[{index}]"
        _reject_unknown(entry, {"answer", "verdict", "item"}, "a test", prefix=f"{where}.")
        if "answer" not in entry:
            raise SpecError("missing; give the answer to grade (null for a missing answer)", field=f"{where}.answer")
        verdict = entry.get("verdict")
        if verdict not in TEST_VERDICTS:
            raise SpecError(f"expected one of {', '.join(TEST_VERDICTS)}; found {verdict!r}", field=f"{where}.verdict")
        found.append(QuestionTest(entry["answer"], verdict, _entry_item(entry, where, ask, None)))
    return tuple(found)


def _wrt_layer(value: object, wrt: str | None, layers) -> tuple[int | None, tuple[int, ...]]:
    """The layer whose weight or bias ``wrt`` means, as (wrt_layer, wrt_inner); (None, ()) for
    wrt: input or no wrt.

    ``wrt_layer: N`` is layer N (from 1, as in the summary table); ``"N.M"`` the M-th inner layer
    of the residual block that is layer N, ``"N.M.K"`` one level deeper (nested blocks).
    """
    count = len(layers)
    if value is None:
        if wrt in ("weight", "bias") and count > 1:
            raise SpecError(f"missing; this part has {count} layers, so say whose {wrt} is meant: "
                            f"wrt_layer: 1 to {count} (counted from 1, as in the summary table)"
                            f"{_inner_choice(layers)}", field="wrt_layer")
        return (1 if wrt in ("weight", "bias") else None), ()
    if wrt not in ("weight", "bias"):
        reason = ("wrt: input is the input of the first layer" if wrt == "input"
                  else "it goes with wrt: weight or wrt: bias")
        raise SpecError(f"names the layer whose weight or bias is meant; {reason}, so drop "
                        f"wrt_layer", field="wrt_layer")
    path = _layer_path(value, layers)
    found, parent = layers, ()
    for number in path:
        if parent and layer_at(layers, parent).op != "residual":
            raise SpecError(f"found {value!r}, but layer {path_label(parent)} is a "
                            f"{layer_at(layers, parent).op} layer, not a residual block, so it has "
                            f"no inner layers; accepted: a layer number from 1 to {count}"
                            f"{_inner_choice(layers) or ' (this part has no residual block)'}",
                            field="wrt_layer")
        if not 1 <= number <= len(found):
            if not parent:
                raise SpecError(f"expected a layer number from 1 to {count}"
                                f"{_inner_choice(layers)}; found {value!r}", field="wrt_layer")
            raise SpecError(f"layer {path_label(parent)} is a residual block of "
                            f"{inner_range(parent, len(found))}; found {value!r}", field="wrt_layer")
        parent += (number,)
        found = layer_at(layers, parent).inner
    return path[0], path[1:]


#: A dotted layer number as the schema's pattern takes it: "3", "3.2", "3.2.1" (no leading zero,
#: no spaces, at most 6 digits a piece; a 0 is read, then refused as out of range with the range).
_DOTTED_LAYER = re.compile(r"(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5}))*")


def _layer_path(value: object, layers) -> tuple[int, ...]:
    """``wrt_layer`` read as a path: 3 -> (3,), "3.2" -> (3, 2); SpecError for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, float) and value.is_integer():
        raise SpecError(f"expected a whole layer number; found {value!r}, write {int(value)}",
                        field="wrt_layer")
    if isinstance(value, float):
        raise SpecError(f"found the number {value!r}; write a layer inside a residual block as "
                        f"text in quotes, wrt_layer: \"{value!r}\" (YAML reads 3.2 as a number, and "
                        f"3.10 as 3.1)", field="wrt_layer")
    if isinstance(value, str) and _DOTTED_LAYER.fullmatch(value):
        return tuple(int(piece) for piece in value.split("."))
    raise SpecError(f"expected a layer number such as 2 (from 1 to {len(layers)}) or, for a layer "
                    f"inside a residual block, its dotted number as text such as \"3.1\"; found "
                    f"{value!r}", field="wrt_layer")


def _inner_choice(layers) -> str:
    """What a message adds about the layers inside the part's residual blocks (if any)."""
    inner = [path_label(path) for path in layer_paths(layers) if len(path) > 1]
    if not inner:
        return ""
    shown = ", ".join(f'"{label}"' for label in inner[:8]) + (", ..." if len(inner) > 8 else "")
    return f", or a layer inside a residual block as text: {shown}"



def _layers(here: _Inherited) -> tuple:
    if here.layers_raw is not None:
        if not isinstance(here.layers_raw, list) or not here.layers_raw:
            raise SpecError("expected a non-empty list of layers", field="layers")
        return parse_layer_list(here.layers_raw)
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
                  weights=base.weights, visibility=base.visibility)
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
    if "visibility" in raw:
        if raw["visibility"] not in VISIBILITIES:
            raise SpecError(f"expected one of {', '.join(VISIBILITIES)}; found {raw['visibility']!r}",
                            field="options.visibility")
        values["visibility"] = raw["visibility"]
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
