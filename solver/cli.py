"""``python -m solver SPEC [--format yaml|json|markdown] [-o FILE]``: print an answer key.

``SPEC`` may be a folder: every spec under it is solved into the folder ``-o``
names (see :mod:`solver.folder`).

Exit status: 0 on success, 2 for usage errors and bad specs (one error line
on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys

from solver.errors import SpecError
from solver.folder import solve_folder
from solver.output import emit, program_name
from solver.key import build_key
from solver.render import RENDERERS
from solver.spec.loading import load_problem


def main(argv: list[str] | None = None) -> int:
    """Run the solver command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=program_name("solver"),
        description="Derive and print the answer key of a CNN homework spec (YAML).")
    parser.add_argument("spec", help="path of the problem spec, e.g. problems/cnn/q1_1.yaml, or a "
                                     "folder of specs (then -o names the folder of keys)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="yaml",
                        help="output format (default: yaml)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the key to FILE instead of stdout")
    args = parser.parse_args(argv)
    if os.path.isdir(args.spec):
        return solve_folder(args.spec, args.output, args.format)
    try:
        text = RENDERERS[args.format](build_key(load_problem(args.spec)))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return emit(text, args.output)
