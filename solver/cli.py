"""``python -m solver SPEC [--format yaml|json|markdown|html] [--sheet] [-o FILE]``: print an
answer key (``--sheet``: the problem sheet alone); ``python -m solver --check SPEC``: grade the
spec's question tests.

Exit status: 0 on success, 2 for usage errors and bad specs (one error line
on stderr, never a traceback); with ``--check``, 1 when a test's verdict differs or a hint can
never be shown (each named on stderr).
"""

from __future__ import annotations

import argparse
import sys

from solver.errors import SpecError
from solver.output import emit, program_name
from solver.key import build_key
from solver.render import RENDERERS
from solver.spec.loading import load_problem


def main(argv: list[str] | None = None) -> int:
    """Run the solver command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=program_name("solver"),
        description="Derive and print the answer key of a CNN homework spec (YAML).")
    parser.add_argument("spec", help="path of the problem spec, e.g. problems/cnn/q1_1.yaml")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="yaml",
                        help="output format (default: yaml)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the key to FILE instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = RENDERERS[args.format](build_key(load_problem(args.spec)))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return emit(text, args.output)
