"""``python -m grader SPEC SUBMISSION... [--format text|json] [-o FILE] [--feedback LEVEL]``.

Batch mode (``-o OUT_DIR``, parallel, gradebook, CI formats, shards) and the
sub-commands ``merge``, ``summary`` and ``gradescope-bundle`` live in
:mod:`grader.batch_cli`.
``python -m grader serve [PROBLEMS_DIR] ...`` starts the self-check web page (grader/web/serve.py).

Exit status: 0 when grading ran (whatever the scores), 2 for usage errors
and bad specs. A broken submission file is reported in the results and
never stops the others.
"""

from __future__ import annotations

import argparse
import math
import sys

from grader.batch_cli import BATCH_FORMATS, SUBCOMMANDS, add_batch_arguments, is_batch, run_batch
from grader.feedback.levels import DEFAULT_LEVEL, LEVELS
from grader.grading import DEFAULT_TIME_LIMIT
from grader.reports import REPORTERS
from grader.reports.text import wants_colour
from grader.shards import submission_paths
from grader.variants import VariantGrader
from solver.errors import SpecError
from solver.output import emit, program_name


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


def _seed(text: str) -> int:
    """Parse --seed: an integer >= 0."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected an integer >= 0; found {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run the grader command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:                      # python -m grader serve [PROBLEMS_DIR] ...
        from grader.web.serve import main as serve
        return serve(argv[1:])
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
    parser.add_argument("--feedback", choices=LEVELS, default=DEFAULT_LEVEL,
                        help="how much feedback shows: verdict (right or wrong), hint (the named "
                             "mistake and where it shows) or full (also expected values and "
                             f"references); never more than the spec allows (default: {DEFAULT_LEVEL})")
    parser.add_argument("--seed", type=_seed, metavar="N",
                        help="the assignment seed of per-student variants (default: the spec's "
                             "variants.seed); each submission is graded against its student's "
                             "variant (grader/variants.py)")
    add_batch_arguments(parser)
    args = parser.parse_args(argv)
    try:
        grader = VariantGrader(args.spec, seed=args.seed, time_limit=args.time_limit, feedback=args.feedback)
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if is_batch(args):
        with grader:
            return run_batch(args, grader.keys.base, key_for=grader.keys.batch_chooser(),
                             feedback=args.feedback)
    with grader:
        results = [grader.grade_path(path) for path in submission_paths(args.submissions)]
    fmt = args.format or "text"
    if fmt not in REPORTERS:
        parser.error(f"--format {fmt} writes a directory: give -o OUT_DIR")
    if fmt == "text":
        text = REPORTERS["text"](results, colour=wants_colour(args.output))
    else:
        text = REPORTERS[fmt](results)
    return emit(text, args.output)
