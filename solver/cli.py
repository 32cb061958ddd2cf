"""``python -m solver SPEC [--format yaml|json|markdown] [-o FILE]``: print an answer key.

Per-student variants (``--student``, ``--students``, ``--variant``, ``--seed``): solver/variant_cli.py.

Exit status: 0 on success, 2 for usage errors and bad specs (one error line
on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys

from solver.errors import SpecError
from solver.output import emit, program_name
from solver.key import build_key
from solver.render import RENDERERS
from solver.spec.loading import load_problem
from solver import variant_cli


def main(argv: list[str] | None = None) -> int:
    """Run the solver command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=program_name("solver"),
        description="Derive and print the answer key of a CNN homework spec (YAML).")
    parser.add_argument("spec", help="path of the problem spec, e.g. problems/cnn/q1_1.yaml")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="yaml",
                        help="output format (default: yaml)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the key to FILE instead of stdout (with --students: the folder)")
    variant_cli.add_arguments(parser)
    args = parser.parse_args(argv)
    if variant_cli.requested(args):
        return variant_cli.run(args)
    try:
        text = RENDERERS[args.format](build_key(load_problem(args.spec)))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return emit(text, args.output)
