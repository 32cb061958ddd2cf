"""Batch mode and the grader's sub-commands (``merge``, ``summary``, ``gradescope-bundle``).

Batch mode: ``python -m grader SPEC DIR_OR_FILES... -o OUT_DIR`` grades in
parallel and writes OUT_DIR/results.json, gradebook.csv (and junit.xml). It is
on when an input is a directory, ``-o`` is an existing directory or ends in
``/``, or a batch option is given (``--jobs``, ``--shard``, ``--fail-under``,
``--summary``, ``--plot``, ``--no-cache``, ``--format gradescope|junit``).

Exit status: 0 when grading ran; 1 when ``--fail-under`` is given and a
submission scored below it; 2 for usage errors, bad specs and outputs that
cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from grader.batch import BatchSettings, default_jobs, grade_batch
from grader.batch_output import (MergeError, batch_files, merge_results, run_info, load_results,
                                 write_atomically)
from grader.bundle import bundle_bytes
from grader.reports.gradescope import render_gradescope
from grader.reports.visible import visible
from grader.shards import ShardError, parse_shard, select_shard, submission_paths
from grader.summary import PlotUnavailable, plot_summary, render_summary, summarize
from solver.output import program_name

BATCH_FORMATS = ("json", "gradescope", "junit")


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    """The batch-mode options of ``python -m grader SPEC ...``."""
    group = parser.add_argument_group("batch mode (-o OUT_DIR)")
    group.add_argument("--jobs", type=_positive, metavar="N",
                       help=f"worker processes (default: the cores available, here {default_jobs()})")
    group.add_argument("--shard", metavar="I/N", help="grade only the I-th of N shards (by a hash of the path)")
    group.add_argument("--fail-under", type=_fraction, metavar="FRACTION",
                       help="exit 1 when a submission scores below FRACTION (0..1) of its automatic points")
    group.add_argument("--summary", action="store_true", help="print the instructor's summary")
    group.add_argument("--plot", metavar="FILE.png", help="draw the summary (needs matplotlib)")
    group.add_argument("--no-cache", action="store_true", help="judge every answer afresh (for benchmarks)")


def is_batch(args: argparse.Namespace) -> bool:
    """Whether the command line asks for batch mode (see the module's docstring)."""
    if (args.jobs or args.shard or args.fail_under is not None or args.summary or args.plot
            or args.no_cache or args.format in ("gradescope", "junit")):
        return True
    output = args.output
    return bool(output) and (os.path.isdir(output) or output.endswith(("/", os.sep))
                             or any(os.path.isdir(path) for path in args.submissions))


def run_batch(args: argparse.Namespace, key, *, key_for=None, feedback: str | None = None) -> int:
    """Grade ``args.submissions`` into ``args.output`` (a directory); returns the exit status.

    ``key_for(submission, key)`` picks each submission's key (per-student variants); ``feedback``
    is the feedback level of the results (None: the grader's default)."""
    fmt = args.format or "json"
    if fmt not in BATCH_FORMATS:
        return _usage(f"batch mode writes --format {', '.join(BATCH_FORMATS)}; found {fmt!r}")
    if not args.output:
        return _usage("batch mode needs -o OUT_DIR, the directory for results.json and gradebook.csv")
    try:
        shard = parse_shard(args.shard) if args.shard else None
    except ShardError as error:
        return _usage(f"--shard: {error}")
    paths = submission_paths(args.submissions)
    positions = select_shard(paths, shard)
    chosen = [paths[p] for p in positions]
    settings = BatchSettings(time_limit=args.time_limit, cache=not args.no_cache, key_for=key_for,
                             feedback=feedback)
    started = time.monotonic()
    with _Progress(len(chosen)) as progress:
        results = grade_batch(key, chosen, jobs=args.jobs, settings=settings, progress=progress.advance)
    run = run_info(key, len(paths))
    if shard is not None:
        run.update(shard=f"{shard[0]}/{shard[1]}", positions=positions)
    gradescope = None
    if fmt == "gradescope":
        gradescope = _gradescope(results, key, time.monotonic() - started)
    try:
        write_atomically(args.output, batch_files(results, run, fmt, gradescope))
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    status = _report(results, args.summary, args.plot)
    if status:
        return status
    return _gate(results, args.fail_under)


def _gradescope(results: list[dict], key, seconds: float) -> str:
    """Gradescope's results.json: the one submission found, or a message when there is not exactly one."""
    visibility = {pk.id: pk.part.options.visibility for pk in key.parts}
    if len(results) == 1:
        return render_gradescope(results[0], visibility, execution_time=seconds)
    if not results:
        return render_gradescope(None, visibility, execution_time=seconds, problem=key.problem.id)
    names = ", ".join(os.path.basename(r["submission"]) for r in results[:5])
    error = {"error": f"found {len(results)} submission files ({names}{', ...' if len(results) > 5 else ''}); "
                      f"upload exactly one YAML or JSON file"}
    return render_gradescope(error, visibility, execution_time=seconds)


def _report(results: list[dict], summary: bool, plot: str | None) -> int:
    if not (summary or plot):
        return 0
    counts = summarize(results)
    if summary:
        sys.stdout.write(render_summary(counts))
    if plot:
        try:
            plot_summary(counts, plot)
        except PlotUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except (OSError, ValueError) as error:
            print(f"error: cannot write the plot {plot}: {error}", file=sys.stderr)
            return 2
    return 0


def _gate(results: list[dict], fail_under: float | None) -> int:
    """1 when some submission scored below ``fail_under`` of its automatic points (score / (max - manual))."""
    if fail_under is None:
        return 0
    below = [r for r in results if _fraction_of(r) < fail_under]
    if not below:
        return 0
    named = ", ".join(visible(r["submission"]) for r in below[:5])
    print(f"{len(below)} of {len(results)} submissions scored below {fail_under:g}: {named}"
          f"{' ...' if len(below) > 5 else ''}", file=sys.stderr)
    return 1


def _fraction_of(result: dict) -> float:
    automatic = result["max_score"] - result.get("pending_manual", 0)
    if result.get("error"):
        return 0.0
    return result["score"] / automatic if automatic > 0 else 1.0


class _Progress:
    """A one-line progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int):
        self.total, self.done, self._shown = total, 0, 0.0
        self.active = sys.stderr.isatty() and total > 0

    def __enter__(self):
        return self

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.active and (now - self._shown > 0.1 or self.done == self.total):
            self._shown = now
            filled = 30 * self.done // self.total
            sys.stderr.write(f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] {self.done:,}/{self.total:,}")
            sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        if self.active:
            sys.stderr.write("\n")


# --- sub-commands ---------------------------------------------------------------------------

def merge_main(argv: list[str]) -> int:
    """``python -m grader merge RESULTS... -o OUT_DIR [--format json|junit]``."""
    parser = argparse.ArgumentParser(prog=f"{program_name('grader')} merge",
                                     description="Merge the results.json of shards into one run.")
    parser.add_argument("results", nargs="+", metavar="RESULTS", help="results.json files of the shards")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR")
    parser.add_argument("--format", choices=("json", "junit"), default="json")
    parser.add_argument("--fail-under", type=_fraction, metavar="FRACTION")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--plot", metavar="FILE.png")
    args = parser.parse_args(argv)
    try:
        results, run = merge_results(args.results)
    except MergeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if run is None:
        print("error: the results carry no run information (write them with batch mode, -o OUT_DIR)",
              file=sys.stderr)
        return 2
    try:
        write_atomically(args.output, batch_files(results, run, args.format))
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    return _report(results, args.summary, args.plot) or _gate(results, args.fail_under)


def summary_main(argv: list[str]) -> int:
    """``python -m grader summary RESULTS... [--plot FILE.png]``."""
    parser = argparse.ArgumentParser(prog=f"{program_name('grader')} summary",
                                     description="Per part: the share correct, partial, wrong and "
                                                 "unreadable, and the most common named mistakes.")
    parser.add_argument("results", nargs="+", metavar="RESULTS", help="results.json files")
    parser.add_argument("--plot", metavar="FILE.png", help="draw the score histogram and verdicts per part")
    args = parser.parse_args(argv)
    try:
        results = [r for path in args.results for r in load_results(path)[0]]
    except MergeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return _report(results, True, args.plot)


def bundle_main(argv: list[str]) -> int:
    """``python -m grader gradescope-bundle SPEC -o autograder.zip [--time-limit S]``."""
    from grader.cli import _time_limit  # the grader's own option, shared
    from grader.grading import DEFAULT_TIME_LIMIT
    from solver.errors import SpecError
    from solver.key import build_key
    from solver.spec.loading import load_problem

    parser = argparse.ArgumentParser(prog=f"{program_name('grader')} gradescope-bundle",
                                     description="Write a Gradescope autograder (setup.sh, run_autograder).")
    parser.add_argument("spec")
    parser.add_argument("-o", "--output", required=True, metavar="ZIP")
    parser.add_argument("--time-limit", type=_time_limit, default=DEFAULT_TIME_LIMIT, metavar="SECONDS")
    args = parser.parse_args(argv)
    try:
        build_key(load_problem(args.spec))     # refuse a bad spec now, not on the students' submissions
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    data = bundle_bytes(args.spec, time_limit=args.time_limit)
    directory, name = os.path.split(os.path.abspath(args.output))
    try:
        write_atomically(directory, {name: data})
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


SUBCOMMANDS = {"merge": merge_main, "summary": summary_main, "gradescope-bundle": bundle_main}


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; found {text!r}")
    return int(text)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, e.g. 0.6; found {text!r}")
    return value
