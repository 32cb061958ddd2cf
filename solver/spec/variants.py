"""Declared freedom in a spec, and the concrete spec of one variant.

A pre-pass on the raw YAML data, before :mod:`solver.spec.loading` validates it:

* ``{choose: [5, 6, 7]}`` or ``{range: [lo, hi], step: s}`` (integers, both ends included,
  step >= 1, default 1) anywhere a value goes; ``name: K`` makes it referable, ``base: v``
  picks its value in the original homework (default: the first value).
* ``"{K}"`` (a whole string; unquoted YAML ``{K}`` also works) is the value of K itself;
  inside text (a prompt) ``{K}`` is its value and ``{= floor((H - K)/S) + 1}`` the exact value
  of a formula of names; ``{{K}}`` is the literal text ``{K}``. Other braces (``R^{1x2}``) are
  text. Only a spec that declares freedom has its strings read this way.
* top-level ``constraints: ["K <= H", "(H - K) % S == 0"]``: relations between names, read by
  the project's safe parser (:func:`solver.notation.read_relation`) and evaluated exactly.
  Besides them every layer must be valid (PyTorch's rules, as the loader checks them).
* top-level ``variants: {seed: N, diversity: M}``: the assignment seed in force for the
  solver and the grader, and the fewest admissible variants the author accepts.

The admissible assignments are enumerated (when the product of the choices has at most
MAX_ENUMERATED members) with the base assignment first, as variant 0. A student's variant is
``sha256(problem id, seed, student id) mod count`` over that list (uniform up to 2^-200);
beyond MAX_ENUMERATED, uniform assignments of the product are drawn from successive hashes
until one is admissible (rejection sampling: uniform over the admissible ones).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from solver.errors import SpecError
from solver.notation import NotationError, compile_tree, read_expression, read_relation, tree
from solver.notation.exact import EvaluationError
from solver.plain_data import data_problem, plain_text

#: Keys a choice mapping accepts.
CHOICE_KEYS = frozenset({"choose", "range", "step", "name", "base"})
#: Keys of the top-level ``variants:`` mapping.
VARIANT_KEYS = frozenset({"seed", "diversity"})
#: Most values one range may have.
MAX_RANGE_VALUES = 10_000
#: Most assignments (product of all choices) that are enumerated; beyond it, rejection sampling.
MAX_ENUMERATED = 100_000
#: Draws of rejection sampling before a spec is declared to admit (practically) no variant.
MAX_DRAWS = 10_000
#: Version tag hashed with every variant: changing the mapping changes it.
HASH_TAG = "cnn-homework-variant/1"

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TEXT = re.compile(r"\{\{([A-Za-z][A-Za-z0-9_]*)\}\}|\{=([^{}]*)\}|\{([A-Za-z][A-Za-z0-9_]*)\}")


# ---- the declared freedom ---------------------------------------------------------------------

@dataclass(frozen=True)
class Variable:
    """One declared choice: its label (the name, or the field path when unnamed) and values."""

    label: str
    field: str
    values: tuple
    base: int
    named: bool


@dataclass(frozen=True)
class Constraint:
    """One relation of ``constraints:``: its text, where it is and the names it uses."""

    text: str
    field: str
    condition: tree.Node
    names: frozenset


@dataclass(frozen=True)
class _Slot:
    """Template leaf: the value of variable ``index`` (its declaration or a reference to it)."""

    index: int


@dataclass(frozen=True)
class _Formula:
    """Template piece ``{= formula}``: compiled, with the variables it reads."""

    text: str
    compiled: Any
    uses: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Text:
    """Template leaf: text made of str, _Slot and _Formula pieces."""

    pieces: tuple
    whole: bool          # the string was exactly one reference or formula: its value keeps its type


class Freedom:
    """What a spec declares may vary (built by :func:`find_freedom`): variables, constraints,
    the template of the spec with the choices as slots, and the layers that depend on them."""

    def __init__(self, raw: Mapping):
        self.problem_id = plain_text(raw.get("id"))
        self.variables: list[Variable] = []
        self.seed: int | None = None
        self.diversity: int | None = None
        self._names: dict[str, int] = {}
        self._at: dict[str, int] = {}          # field of a declaration -> variable index
        body = {k: v for k, v in raw.items() if k not in ("constraints", "variants")}
        self._collect(body, "")
        self.template = self._template(body, "")
        self._read_variants(raw.get("variants"))
        self.constraints = _read_constraints(raw.get("constraints"), self)
        self.units = _layer_units(self.template)

    @property
    def names(self) -> tuple[str, ...]:
        """The declared names, in document order."""
        return tuple(self._names)

    # -- pass 1: the declarations, in document order

    def _collect(self, value: object, field: str) -> None:
        if isinstance(value, Mapping):
            if "choose" in value or "range" in value:
                self._declare(value, field)
                return
            for key, item in value.items():
                self._collect(item, _join(field, str(key)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._collect(item, f"{field}[{i}]")

    def _declare(self, raw: Mapping, field: str) -> None:
        unknown = sorted(str(k) for k in raw if k not in CHOICE_KEYS)
        if unknown:
            raise SpecError(f"unknown key {unknown[0]!r} in a choice; accepted: "
                            f"{', '.join(sorted(CHOICE_KEYS))}", field=field)
        if "choose" in raw and "range" in raw:
            raise SpecError("give either choose (a list of values) or range ([lo, hi]), not both",
                            field=field)
        if "step" in raw and "choose" in raw:
            raise SpecError("step goes with range, not with choose", field=f"{field}.step")
        values = _choose(raw["choose"], field) if "choose" in raw else _range(raw, field)
        name = raw.get("name")
        if name is not None:
            if not isinstance(name, str) or not _NAME.match(name):
                raise SpecError(f"expected a name of letters, digits and _ starting with a letter "
                                f"(such as K or H_in); found {plain_text(name)!r}", field=f"{field}.name")
            if name in self._names:
                other = self.variables[self._names[name]].field
                raise SpecError(f"{name} is declared twice (also at {other}); declare it once and "
                                f"refer to it elsewhere as \"{{{name}}}\"", field=f"{field}.name")
            _check_readable_name(name, field)
        base = 0
        if "base" in raw:
            matches = [i for i, v in enumerate(values) if _same(v, raw["base"])]
            if not matches:
                raise SpecError(f"base {_value_text(raw['base'])} is not one of the values "
                                f"{_shown(values)}", field=f"{field}.base")
            base = matches[0]
        index = len(self.variables)
        self.variables.append(Variable(name or field, field, values, base, name is not None))
        self._at[field] = index
        if name is not None:
            self._names[name] = index

    # -- pass 2: the template, every reference resolved

    def _template(self, value: object, field: str):
        if isinstance(value, Mapping):
            if field in self._at and ("choose" in value or "range" in value):
                return _Slot(self._at[field])
            if len(value) == 1 and next(iter(value.values())) is None:
                (key,) = value
                if isinstance(key, str) and key in self._names:   # YAML {K}: a reference
                    return _Slot(self._names[key])
            return {key: self._template(item, _join(field, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [self._template(item, f"{field}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, str) and _TEXT.search(value):
            return self._text(value, field)
        return value

    def _text(self, value: str, field: str) -> _Text:
        pieces, position = [], 0
        for match in _TEXT.finditer(value):
            pieces.append(value[position:match.start()])
            literal, formula, name = match.groups()
            if literal is not None:
                pieces.append("{" + literal + "}")
            elif name is not None:
                if name not in self._names:
                    declared = ", ".join(self._names) or "none"
                    raise SpecError(f"{{{name}}} names {name}, which is not declared (declared "
                                    f"names: {declared}); declare it with {{name: {name}, choose: "
                                    f"[...]}}, or write {{{{{name}}}}} for the literal text "
                                    f"{{{name}}}", field=field)
                pieces.append(_Slot(self._names[name]))
            else:
                pieces.append(self._formula(formula, field))
            position = match.end()
        pieces.append(value[position:])
        pieces = tuple(p for p in pieces if p != "")
        return _Text(pieces, len(pieces) == 1 and not isinstance(pieces[0], str))

    def _formula(self, text: str, field: str) -> _Formula:
        try:
            node = read_expression(text, names=self.names)
        except NotationError as error:
            raise SpecError(f"cannot read the formula {text!r}: {error}", field=field) from None
        names = _symbols(_sizes_only(node, text, field))
        self.check_names(names, text.strip(), field)
        return _Formula(text.strip(), compile_tree(node, 0),
                        tuple((n, self._names[n]) for n in sorted(names)))

    def check_names(self, names, text: str, field: str) -> None:
        """SpecError unless every name is declared and has numbers only as values."""
        unknown = sorted(n for n in names if n not in self._names)
        if unknown:
            declared = ", ".join(self._names) or "none"
            raise SpecError(f"{text!r} uses {', '.join(unknown)}, which is not declared (declared "
                            f"names: {declared})", field=field)
        for name in sorted(names):
            variable = self.variables[self._names[name]]
            if not all(_is_number(v) for v in variable.values):
                raise SpecError(f"{text!r} uses {name}, whose values {_shown(variable.values)} are "
                                f"not all numbers", field=field)

    def _read_variants(self, raw: object) -> None:
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            raise SpecError("expected a mapping such as {seed: 2024, diversity: 20}", field="variants")
        unknown = sorted(str(k) for k in raw if k not in VARIANT_KEYS)
        if unknown:
            raise SpecError(f"unknown key; accepted: {', '.join(sorted(VARIANT_KEYS))}",
                            field=f"variants.{unknown[0]}")
        for key, least in (("seed", 0), ("diversity", 1)):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise SpecError(f"expected an integer >= {least}; found {plain_text(value)!r}",
                                field=f"variants.{key}")
            setattr(self, key, value)


def _check_readable_name(name: str, field: str) -> None:
    """A name must read as itself in formulas (not as a function, a keyword or a product)."""
    try:
        node = read_expression(name, names=(name,))
    except NotationError:
        node = None
    if node != tree.Sym(name):
        raise SpecError(f"{name} cannot be a name: a formula would not read it as one symbol; "
                        f"choose another (such as K or H_in)", field=f"{field}.name")


def find_freedom(raw: object) -> Freedom | None:
    """The freedom a raw spec declares, or None when it declares none (its data is final)."""
    if not isinstance(raw, Mapping) or not _declares(raw):
        return None
    freedom = Freedom(raw)
    if not freedom.variables:
        what = "constraints" if "constraints" in raw else "variants"
        raise SpecError("this spec declares no choice; give some field {choose: [...]} or "
                        "{range: [lo, hi]}, or drop the field", field=what)
    return freedom


def _declares(value: object, depth: int = 0) -> bool:
    if depth == 0 and ("constraints" in value or "variants" in value):
        return True
    if isinstance(value, Mapping):
        return "choose" in value or "range" in value or any(_declares(v, 1) for v in value.values())
    if isinstance(value, list):
        return any(_declares(v, 1) for v in value)
    return False


def _choose(raw: object, field: str) -> tuple:
    if not isinstance(raw, list) or not raw:
        raise SpecError("expected a non-empty list of values, e.g. choose: [3, 5]",
                        field=f"{field}.choose")
    for i, value in enumerate(raw):
        if not _plain(value):
            raise SpecError(f"expected a number, a text or a list of them; found "
                            f"{type(value).__name__} (choices do not nest)", field=f"{field}.choose[{i}]")
        if any(_same(value, other) for other in raw[:i]):
            raise SpecError(f"{_value_text(value)} is listed twice", field=f"{field}.choose[{i}]")
    return tuple(raw)


def _range(raw: Mapping, field: str) -> tuple:
    bounds = raw["range"]
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)):
        raise SpecError(f"expected two integers [lo, hi] (both included); found "
                        f"{plain_text(bounds)!r}", field=f"{field}.range")
    low, high = bounds
    if low > high:
        raise SpecError(f"lo {low} is above hi {high}", field=f"{field}.range")
    step = raw.get("step", 1)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        found = "0, which never advances" if step == 0 and not isinstance(step, bool) else repr(step)
        raise SpecError(f"expected an integer >= 1; found {found}", field=f"{field}.step")
    count = (high - low) // step + 1
    if count > MAX_RANGE_VALUES:
        raise SpecError(f"has {count:,} values; at most {MAX_RANGE_VALUES:,}", field=f"{field}.range")
    return tuple(range(low, high + 1, step))


def _read_constraints(raw: object, freedom: Freedom) -> tuple[Constraint, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise SpecError("expected a list of relations such as ['K <= H']", field="constraints")
    constraints = []
    for i, text in enumerate(items):
        field = f"constraints[{i}]"
        if not isinstance(text, str):
            raise SpecError(f"expected a relation such as 'K <= H'; found {plain_text(text)!r}",
                            field=field)
        try:
            node = read_relation(text, names=freedom.names)
        except NotationError as error:
            raise SpecError(f"cannot read {text!r}: {error}", field=field) from None
        names = _symbols(_sizes_only(node, text, field))
        freedom.check_names(names, text, field)
        constraints.append(Constraint(text, field, compile_tree(node, 0), names))
    return tuple(constraints)


def _sizes_only(node: tree.Node, text: str, field: str) -> tree.Node:
    for part in tree.walk(node):
        if isinstance(part, (tree.Sum, tree.Entry)):
            raise SpecError(f"{text!r}: a constraint or formula of names cannot hold a sum or a "
                            f"tensor entry", field=field)
    return node


def _symbols(node: tree.Node) -> frozenset:
    return frozenset(part.name for part in tree.walk(node) if isinstance(part, tree.Sym))


# ---- layers whose validity depends on the choices ---------------------------------------------

@dataclass(frozen=True)
class _Unit:
    field: str
    template: object
    kind: str                      # "layer" or "layers"
    uses: tuple[int, ...]


def _layer_units(template) -> tuple[_Unit, ...]:
    units: list[_Unit] = []

    def visit(parts, field):
        if not isinstance(parts, list):
            return
        for i, part in enumerate(parts):
            if not isinstance(part, dict):
                continue
            where = f"{field}[{i}]"
            for kind in ("layer", "layers"):
                if kind in part:
                    uses = tuple(sorted(_uses(part[kind])))
                    if uses:
                        units.append(_Unit(f"{where}.{kind}", part[kind], kind, uses))
            visit(part.get("parts"), f"{where}.parts")

    visit(template.get("parts") if isinstance(template, dict) else None, "parts")
    return tuple(units)


def _uses(template) -> set[int]:
    if isinstance(template, _Slot):
        return {template.index}
    if isinstance(template, _Text):
        found = set()
        for piece in template.pieces:
            if isinstance(piece, _Slot):
                found.add(piece.index)
            elif isinstance(piece, _Formula):
                found.update(index for _, index in piece.uses)
        return found
    if isinstance(template, dict):
        return set().union(*(_uses(v) for v in template.values())) if template else set()
    if isinstance(template, list):
        return set().union(*(_uses(v) for v in template)) if template else set()
    return set()


# ---- assignments --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assignment:
    """One variant: the index of each variable's value, its number among the admissible ones.

    ``number`` is its position in the enumeration (0 is the base assignment; None when the
    space is sampled, not enumerated), ``count`` the number of admissible assignments (None
    when not enumerated). ``student`` and ``seed`` are what it was derived from (None for the base).
    """

    choice: tuple[int, ...]
    number: int | None
    count: int | None
    values: tuple[tuple[str, Any], ...]
    student: str | None = None
    seed: int | None = None

    def describe(self) -> str:
        """'variant 3 of 48: H=9, W=12, K=3' (the numbering from 0, the base being 0)."""
        which = (f"variant {self.number} of {self.count}" if self.number is not None
                 else "a sampled variant")
        values = ", ".join(f"{label}={_value_text(value)}" for label, value in self.values)
        return f"{which}: {values}"

    def to_data(self) -> dict:
        """{student, seed, number, count, values} as plain data (for keys and sheets)."""
        return {"student": self.student, "seed": self.seed, "number": self.number,
                "count": self.count, "values": {label: value for label, value in self.values}}


def normalize_student(student: object) -> str:
    """The id a variant is derived from: the text without surrounding spaces, case-folded
    (``' Alice@X.edu'`` and ``'alice@x.edu'`` are the same student)."""
    return plain_text(student).strip().casefold()


def variant_hash(problem_id: str, seed: int, student: str, draw: int = 0) -> int:
    """A 256-bit integer from SHA-256 of (tag, problem id, seed, normalized student id, draw).

    Stable across machines, Python versions and runs (never Python's ``hash()``).
    """
    text = json.dumps([HASH_TAG, problem_id, int(seed), normalize_student(student), draw],
                      ensure_ascii=True)
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest(), "big")


class VariantSpace:
    """The admissible assignments of a spec's freedom, and the variant of each student."""

    def __init__(self, freedom: Freedom):
        self.freedom = freedom
        self._valid: list[dict] = [{} for _ in freedom.units]
        sizes = [len(v.values) for v in freedom.variables]
        self.product = math.prod(sizes)
        self._sizes = sizes
        base = tuple(v.base for v in freedom.variables)
        self.enumerated = self.product <= MAX_ENUMERATED
        reason = self.reason(base)
        if reason is not None:
            if self.enumerated:
                self._admissible()          # says so when no assignment at all is admissible
            raise SpecError(f"the base values ({_describe(freedom, base)}) are not admissible: "
                            f"{reason}; the base (each choice's base, or its first value) is the "
                            f"original homework and must be one of the variants")

    @cached_property
    def admissible(self) -> tuple[tuple[int, ...], ...]:
        """Every admissible assignment, the base first, then in product order (enumerated only).

        Enumerated on first use (making variants), not when the base is loaded; this is
        where ``variants.diversity`` is checked.
        """
        found = self._admissible()
        freedom = self.freedom
        if freedom.diversity is not None and len(found) < freedom.diversity:
            raise SpecError(f"asks for at least {freedom.diversity:,} variants but the choices and "
                            f"constraints admit only {len(found):,}", field="variants.diversity")
        return found

    def _admissible(self) -> tuple[tuple[int, ...], ...]:
        base = tuple(v.base for v in self.freedom.variables)
        found = [choice for choice in itertools.product(*(range(n) for n in self._sizes))
                 if choice != base and self.reason(choice) is None]
        if self.reason(base) is None:
            found.insert(0, base)
        if not found:
            listed = "; ".join(c.text for c in self.freedom.constraints) or "none"
            raise SpecError(f"no assignment of the {self.product:,} the choices allow is admissible "
                            f"(constraints: {listed}; and every layer must be valid)",
                            field="constraints" if self.freedom.constraints else None)
        return tuple(found)

    @property
    def count(self) -> int | None:
        """The number of admissible assignments (None when there are too many to enumerate)."""
        return len(self.admissible) if self.enumerated else None

    def reason(self, choice: tuple[int, ...]) -> str | None:
        """Why ``choice`` is not admissible (a failed constraint, an invalid layer), or None."""
        variables = self.freedom.variables
        env = {v.label: v.values[i] for v, i in zip(variables, choice) if v.named}
        for constraint in self.freedom.constraints:
            try:
                holds = constraint.condition({}, env)
            except EvaluationError:
                holds = False       # a division by zero: the relation cannot hold
            if not holds:
                return f"constraint {constraint.text!r} fails"
        for unit, memo in zip(self.freedom.units, self._valid):
            used = tuple(choice[i] for i in unit.uses)
            if used not in memo:
                memo[used] = _unit_error(unit, self._values(choice))
            if memo[used] is not None:
                return f"{unit.field}: {memo[used]}"
        return None

    def _values(self, choice) -> tuple:
        return tuple(v.values[i] for v, i in zip(self.freedom.variables, choice))

    def _assignment(self, choice, number, student=None, seed=None) -> Assignment:
        values = tuple((v.label, v.values[i]) for v, i in zip(self.freedom.variables, choice))
        return Assignment(choice, number, self.count, values, student, seed)

    def base(self) -> Assignment:
        """The base assignment (the original homework): variant 0."""
        return self._assignment(tuple(v.base for v in self.freedom.variables), 0)

    def numbered(self, number: int) -> Assignment:
        """Variant ``number`` of the enumeration (0 is the base)."""
        if not self.enumerated:
            raise SpecError(f"this spec's choices have {self.product:,} combinations, too many to "
                            f"number (at most {MAX_ENUMERATED:,}); variants are drawn per student")
        if not 0 <= number < len(self.admissible):
            raise SpecError(f"there is no variant {number}; this spec has {len(self.admissible):,} "
                            f"(0 to {len(self.admissible) - 1})")
        return self._assignment(self.admissible[number], number)

    def for_student(self, student: object, seed: int) -> Assignment:
        """The variant of ``student`` under assignment seed ``seed`` (uniform over the admissible)."""
        who = normalize_student(student)
        if not who:
            raise SpecError("a student id is empty; give a non-empty id")
        problem = self.freedom.problem_id
        if self.enumerated:
            number = variant_hash(problem, seed, who) % len(self.admissible)
            return self._assignment(self.admissible[number], number, who, seed)
        for draw in range(MAX_DRAWS):
            rest, choice = variant_hash(problem, seed, who, draw) % self.product, []
            for size in reversed(self._sizes):
                rest, digit = divmod(rest, size)
                choice.append(digit)
            choice = tuple(reversed(choice))
            if self.reason(choice) is None:
                return self._assignment(choice, None, who, seed)
        raise SpecError(f"no admissible assignment in {MAX_DRAWS:,} draws from the "
                        f"{self.product:,} combinations; loosen the constraints or the choices")

    def concrete(self, assignment: Assignment | tuple[int, ...]) -> object:
        """The raw spec data of ``assignment`` (or of a choice tuple): every choice and
        reference replaced by its value."""
        choice = assignment.choice if isinstance(assignment, Assignment) else assignment
        return _fill(self.freedom.template, self._values(choice))


def _unit_error(unit: _Unit, values: tuple) -> str | None:
    from solver.spec.layer_fields import parse_layer_list

    raw = _fill(unit.template, values)
    try:
        parse_layer_list(raw if unit.kind == "layers" else [raw])
    except SpecError as error:
        return str(error)
    return None


def _fill(template, values: tuple):
    if isinstance(template, _Slot):
        return values[template.index]
    if isinstance(template, _Text):
        return _fill_text(template, values)
    if isinstance(template, dict):
        return {key: _fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    return template


def _fill_text(text: _Text, values: tuple):
    parts = []
    for piece in text.pieces:
        if isinstance(piece, _Slot):
            parts.append(values[piece.index])
        elif isinstance(piece, _Formula):
            try:
                parts.append(piece.compiled({}, {name: values[i] for name, i in piece.uses}))
            except EvaluationError as error:
                raise SpecError(f"{{= {piece.text}}} cannot be evaluated at "
                                f"{', '.join(f'{n}={values[i]}' for n, i in piece.uses)}: {error}"
                                ) from None
        else:
            parts.append(piece)
    if text.whole:
        return str(parts[0]) if isinstance(parts[0], Fraction) else parts[0]
    return "".join(p if isinstance(p, str) else _value_text(p) for p in parts)


# ---- small helpers --------------------------------------------------------------------------

def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _plain(value: object) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _same(a: object, b: object) -> bool:
    """Equal values of the same types (so 1, 1.0 and True stay apart)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value_text(value: object) -> str:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return plain_text(value)


def _shown(values: tuple) -> str:
    shown = ", ".join(_value_text(v) for v in values[:8])
    return f"[{shown}{', ...' if len(values) > 8 else ''}]"


def _describe(freedom: Freedom, choice) -> str:
    return ", ".join(f"{v.label}={_value_text(v.values[i])}" for v, i in zip(freedom.variables, choice))


def check_limits(data: object) -> None:
    """SpecError when concrete data (references filled in) exceeds the plain-data limits."""
    too_big = data_problem(data)
    if too_big is not None:
        where, what = too_big
        raise SpecError(f"the spec with its choices filled in has {what}", field=where or None)


# ---- one space per spec text, per process --------------------------------------------------------

_SPACES: dict[str, VariantSpace] = {}
_MAX_SPACES = 64


def variant_space(raw: object) -> VariantSpace | None:
    """The variant space of raw spec data (None when it declares no freedom), cached per content.

    Loading the same spec again (every grader, every test) reuses the enumeration.
    """
    if not isinstance(raw, Mapping) or not _declares(raw):
        return None
    text = json.dumps(raw, sort_keys=True, default=repr)
    space = _SPACES.get(text)
    if space is None:
        freedom = find_freedom(raw)
        space = VariantSpace(freedom)
        if len(_SPACES) >= _MAX_SPACES:
            _SPACES.pop(next(iter(_SPACES)))
        _SPACES[text] = space
    return space


def base_data(raw: object) -> object:
    """Raw spec data with every choice at its base value (the data itself when nothing varies)."""
    space = variant_space(raw)
    if space is None:
        return raw
    data = space.concrete(tuple(v.base for v in space.freedom.variables))   # no enumeration
    check_limits(data)
    return data
