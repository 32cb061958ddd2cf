"""``python -m grader SPEC SUBMISSION... [--format text|json] [-o FILE] [--feedback LEVEL]``.

``python -m grader serve [PROBLEMS_DIR] ...`` starts the self-check web page (grader/web/serve.py).

Exit status: 0 when grading ran (whatever the scores), 2 for usage errors
and bad specs. A broken submission file is reported in the results and
never stops the others.
"""

from __future__ import annotations

import argparse
import math
import sys

from grader.feedback.levels import DEFAULT_LEVEL, LEVELS
from grader.grading import DEFAULT_TIME_LIMIT, Grader
from grader.reports import REPORTERS
from grader.reports.text import wants_colour
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
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:                      # python -m grader serve [PROBLEMS_DIR] ...
        from grader.web.serve import main as serve
        return serve(argv[1:])
    parser = argparse.ArgumentParser(
        prog=program_name("grader"),
        description="Grade student submissions (YAML/JSON) against the answer key of a spec.")
    parser.add_argument("spec", help="the problem spec, e.g. problems/cnn/q1_1.yaml")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submission files (YAML or JSON)")
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text",
                        help="report format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--time-limit", type=_time_limit, default=DEFAULT_TIME_LIMIT,
                        metavar="SECONDS",
                        help=f"most seconds to check one answer, above 0 and at most "
                             f"{MAX_TIME_LIMIT:g} (default: {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--feedback", choices=LEVELS, default=DEFAULT_LEVEL,
                        help="how much feedback shows: verdict (right or wrong), hint (the named "
                             "mistake and where it shows) or full (also expected values and "
                             f"references); never more than the spec allows (default: {DEFAULT_LEVEL})")
    args = parser.parse_args(argv)
    try:
        key = build_key(load_problem(args.spec))
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with Grader(key, time_limit=args.time_limit, feedback=args.feedback) as grader:
        results = [grader.grade_path(path) for path in args.submissions]
    if args.format == "text":
        text = REPORTERS["text"](results, colour=wants_colour(args.output))
    else:
        text = REPORTERS[args.format](results)
    return emit(text, args.output)
