"""``python -m solver SPEC [--format yaml|json|markdown|html] [--sheet] [-o FILE]``: print an
answer key (``--sheet``: the problem sheet alone); ``python -m solver --check SPEC``: grade the
spec's question tests.

Per-student variants (``--student``, ``--students``, ``--variant``, ``--seed``): solver/variant_cli.py.

``SPEC`` may be a folder: every spec under it is solved into the folder ``-o``
names (see :mod:`solver.folder`).

Exit status: 0 on success, 2 for usage errors and bad specs (one error line
on stderr, never a traceback); with ``--check``, 1 when a test's verdict differs or a hint can
never be shown (each named on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys

from solver.errors import SpecError
from solver.folder import solve_folder
from solver.output import emit, program_name
from solver.key import build_key
from solver.render import RENDERERS, SHEET_RENDERERS
from solver.spec.loading import load_problem
from solver import variant_cli


def main(argv: list[str] | None = None) -> int:
    """Run the solver command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=program_name("solver"),
        description="Derive and print the answer key of a CNN homework spec (YAML).")
    parser.add_argument("spec", help="path of the problem spec, e.g. problems/cnn/q1_1.yaml, or a "
                                     "folder of specs (then -o names the folder of keys)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="yaml",
                        help="output format (default: yaml)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the key to FILE instead of stdout (with --students: the folder)")
    parser.add_argument("--sheet", action="store_true",
                        help="print the problem sheet alone (prompts, given tensors, what is asked; no answers)")
    parser.add_argument("--check", action="store_true",
                        help="grade the spec's question tests (tests: on a part) and exit 1 naming each "
                             "answer whose verdict differs")
    variant_cli.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.check:
        return _check(args.spec)
    if os.path.isdir(args.spec):
        return solve_folder(args.spec, args.output, args.format)
    if variant_cli.requested(args):
        return variant_cli.run(args)
    try:
        renderers = SHEET_RENDERERS if args.sheet else RENDERERS
        text = renderers[args.format](build_key(load_problem(args.spec)))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return emit(text, args.output)


def _check(spec: str) -> int:
    """Grade the question tests of ``spec`` with the grader (imported here: only this command needs it)."""
    from grader.question_tests import check_key
    try:
        key = build_key(load_problem(spec))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    count, findings = check_key(key)
    for finding in findings:
        print(f"fail: {finding.text(key.problem.id)}", file=sys.stderr)
    hints = sum(len(pk.part.hints) for pk in key.parts)
    summary = f"{key.problem.id}: {count} question test{'s' * (count != 1)}, {hints} hint{'s' * (hints != 1)}"
    if findings:
        print(f"{summary}: {len(findings)} failed", file=sys.stderr)
        return 1
    print(f"{summary}: all pass")
    return 0
