"""The solver's per-student options: ``--student ID [--seed N]``, ``--variant N``,
``--students roster.csv -o DIR [--id-column NAME]``.

One student (or one numbered variant): the sheet (:mod:`solver.variant_sheet`), a separator
line ``----- answer key -----`` and the key, to stdout or ``-o FILE``. A roster: per student
``DIR/<id>.sheet.txt`` and ``DIR/<id>.key.<yaml|json|md>``, plus ``DIR/variants.csv``
(student, file stem, variant number, values). Ids that are not safe file names get a
stem of their safe characters and a hash (``j_doe-1a2b3c4d``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import sys
from dataclasses import replace

from solver.errors import SpecError
from solver.key import build_key
from solver.output import emit
from solver.render import RENDERERS
from solver.roster import RosterError, read_roster
from solver.spec.per_student import SpecVariants, Variant
from solver.variant_sheet import sheet_text

SEPARATOR = "----- answer key -----"
_EXTENSIONS = {"yaml": "yaml", "json": "json", "markdown": "md"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the per-student options to the solver's parser."""
    group = parser.add_argument_group("variants (specs that declare choices)")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--student", metavar="ID", help="print this student's sheet and key")
    which.add_argument("--students", metavar="ROSTER.csv",
                       help="write one sheet and one key per student of the roster into -o DIR")
    which.add_argument("--variant", metavar="N", type=_non_negative,
                       help="print the sheet and key of variant N (0 is the original homework)")
    group.add_argument("--seed", metavar="N", type=_non_negative,
                       help="the assignment seed (default: the spec's variants.seed)")
    group.add_argument("--id-column", metavar="NAME",
                       help="the roster's id column (default: the first of id, sid, student, email)")


def requested(args: argparse.Namespace) -> bool:
    """True when the command line asks for variants (or gives a variant-only option)."""
    return any(getattr(args, name) is not None for name in ("student", "students", "variant",
                                                             "seed", "id_column"))


def run(args: argparse.Namespace) -> int:
    """Carry out a variant request; 0, or 2 with one ``error:`` line."""
    try:
        if args.student is None and args.students is None and args.variant is None:
            raise SpecError("--seed and --id-column go with --student ID or --students ROSTER.csv")
        if args.id_column is not None and args.students is None:
            raise SpecError("--id-column goes with --students ROSTER.csv")
        variants = SpecVariants(args.spec)
        if args.students is not None:
            return _roster(variants, args)
        variant = (variants.numbered(args.variant) if args.variant is not None
                   else variants.for_student(args.student, args.seed))
        sheet, key = _sheet_and_key(variant, args.format)
    except (SpecError, RosterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return emit(f"{sheet}\n{SEPARATOR}\n{key}", args.output)


def _sheet_and_key(variant: Variant, fmt: str, built=None) -> tuple[str, str]:
    """The sheet and the rendered key of ``variant`` (``built``: its AnswerKey, when known)."""
    key = built if built is not None else build_key(variant.problem)
    if variant.assignment is not None:
        key = replace(key, variant=variant.assignment.to_data())
    return sheet_text(key), RENDERERS[fmt](key)


def _roster(variants: SpecVariants, args: argparse.Namespace) -> int:
    if not args.output:
        raise SpecError("--students writes one file per student: give the folder with -o DIR")
    ids, notes = read_roster(args.students, args.id_column)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        os.makedirs(args.output, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    index = io.StringIO(newline="")
    table = csv.writer(index, lineterminator="\n")
    table.writerow(["student", "file", "variant", "values"])
    used, keys = set(), {}
    for student in ids:
        variant = variants.for_student(student, args.seed)
        stem = _stem(student, used)
        choice = variant.assignment.choice
        if choice not in keys:                   # one key build per variant, not per student
            keys[choice] = build_key(variant.problem)
        sheet, key = _sheet_and_key(variant, args.format, keys[choice])
        for name, text in ((f"{stem}.sheet.txt", sheet),
                           (f"{stem}.key.{_EXTENSIONS[args.format]}", key)):
            status = emit(text, os.path.join(args.output, name))
            if status:
                return status
        assignment = variant.assignment
        table.writerow([student, stem, "" if assignment.number is None else assignment.number,
                        "; ".join(f"{label}={value}" for label, value in assignment.values)])
    count = variants.space.count
    if count is not None and count < len(ids):
        print(f"note: {len(ids)} students share {count} admissible variants", file=sys.stderr)
    return emit(index.getvalue(), os.path.join(args.output, "variants.csv"))


def _stem(student: str, used: set) -> str:
    safe = _UNSAFE.sub("_", student)[:80].lstrip(".") or "student"
    if safe != student or safe.casefold() in used:
        safe = f"{safe}-{hashlib.sha256(student.encode('utf-8')).hexdigest()[:8]}"
    used.add(safe.casefold())
    return safe


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0; found {text!r}")
    return value
