"""``python -m grader SPEC SUBMISSION... [--format text|json] [-o FILE]``.

Batch mode (``-o OUT_DIR``, parallel, gradebook, CI formats, shards) and the
sub-commands ``merge``, ``summary`` and ``gradescope-bundle`` live in
:mod:`grader.batch_cli`.

Exit status: 0 when grading ran (whatever the scores), 2 for usage errors
and bad specs. A broken submission file is reported in the results and
never stops the others.
"""

from __future__ import annotations

import argparse
import math
import sys

from grader.batch_cli import BATCH_FORMATS, SUBCOMMANDS, add_batch_arguments, is_batch, run_batch
from grader.grading import DEFAULT_TIME_LIMIT, Grader
from grader.reports import REPORTERS
from grader.shards import submission_paths
from solver.errors import SpecError
from solver.output import emit, program_name
from solver.key import build_key
from solver.spec.loading import load_problem


#: The largest --time-limit accepted: ten minutes for one answer.
MAX_TIME_LIMIT = 600.0


def _time_limit(text: str) -> float:
    """Parse --time-limit: a finite number of seconds in (0, MAX_TIME_LIMIT]."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIME_LIMIT):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0 and at most "
                                         f"{MAX_TIME_LIMIT:g}; found {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the grader command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]](argv[1:])
    parser = argparse.ArgumentParser(
        prog=program_name("grader"),
        description="Grade student submissions (YAML/JSON) against the answer key of a spec.")
    parser.add_argument("spec", help="the problem spec, e.g. problems/cnn/q1_1.yaml")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submission files (YAML or JSON) or directories of them")
    parser.add_argument("--format", choices=sorted({*REPORTERS, *BATCH_FORMATS}),
                        help="report format (default: text; in batch mode json)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE (batch mode: the directory OUT_DIR)")
    parser.add_argument("--time-limit", type=_time_limit, default=DEFAULT_TIME_LIMIT,
                        metavar="SECONDS",
                        help=f"most seconds to check one answer, above 0 and at most "
                             f"{MAX_TIME_LIMIT:g} (default: {DEFAULT_TIME_LIMIT:g})")
    add_batch_arguments(parser)
    args = parser.parse_args(argv)
    try:
        key = build_key(load_problem(args.spec))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if is_batch(args):
        return run_batch(args, key)
    with Grader(key, time_limit=args.time_limit) as grader:
        results = [grader.grade_path(path) for path in submission_paths(args.submissions)]
    text = REPORTERS[args.format or "text"](results)
    return emit(text, args.output)
