"""Results as a readable report, for a student checking their work.

Per submission: the score line, then each part (verdict, points) and under it
each answer with its verdict and points, how the answer was read, and the
feedback; a total line closes the block. Verdict words may be coloured
(``colour=True``; the command line asks for it only on a terminal without
``NO_COLOR``); nothing else is.
"""

from __future__ import annotations

import os
import sys

from grader.reports.visible import visible
from grader.results import CORRECT, INCORRECT, MANUAL, MISSING, PARTIAL, UNPARSEABLE, VERDICTS, SubmissionResult

_VERDICT_WIDTH = max(map(len, VERDICTS))
#: ANSI colours of the verdict words.
_COLOURS = {CORRECT: "32", PARTIAL: "33", INCORRECT: "31", UNPARSEABLE: "31", MISSING: "2", MANUAL: "36"}


def render_text(results: list[SubmissionResult], *, colour: bool = False) -> str:
    """One block per submission: score, each part and each answer with its feedback, a total.

    Text from outside (file names, student names, feedback that echoes answers,
    notes) is shown through :func:`visible`, so it can never add a line.
    """
    return "\n".join(_submission(r, colour) for r in results)


def wants_colour(output_path: str | None, stream=None, environ=None) -> bool:
    """Colour only for a report written to a terminal, and never when ``NO_COLOR`` is set (non-empty)."""
    stream = sys.stdout if stream is None else stream
    environ = os.environ if environ is None else environ
    if output_path or environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _submission(result: SubmissionResult, colour: bool) -> str:
    who = f" ({visible(result.student)})" if result.student else ""
    lines = [f"{visible(result.submission)}{who}"]
    if result.error:
        lines += [f"  could not be graded: {visible(result.error)}", ""]
        return "\n".join(lines)
    score = _score(result)
    lines.append(f"  problem {visible(result.problem)}: {score}")
    width = max((len(part.id) + 2 for part in result.parts), default=0)
    item_width = max((len(a.item) + 1 for part in result.parts for a in part.answers), default=0)
    for part in result.parts:
        label = f"({part.id})"
        lines.append(f"  {label:<{width}}  {_verdict(part.verdict, colour)}  "
                     f"{_points(part.score)} / {_points(part.max_score)}")
        for answer in part.answers:
            lines.append(f"      {answer.item + ':':<{item_width}} {_verdict(answer.verdict, colour)}  "
                         f"{_points(answer.score)} / {_points(answer.max_score)}")
            if answer.read_as:
                lines.append(f"        read as: {visible(answer.read_as)}")
            if answer.feedback:
                lines.append(f"        {_feedback_label(answer.verdict)}: {visible(answer.feedback)}")
            if answer.reference:
                lines += _reference(answer.reference)
    for note in result.notes:
        lines.append(f"  note: {visible(note)}")
    lines += [f"  total: {score}", ""]
    return "\n".join(lines)


def _score(result: SubmissionResult) -> str:
    pending = result.pending_manual
    extra = f", {_points(pending)} more to be graded by hand" if pending else ""
    return f"{_points(result.score)} / {_points(result.max_score)} points{extra}"


def _feedback_label(verdict: str) -> str:
    return "hint" if verdict in (INCORRECT, PARTIAL) else "note"


def _verdict(verdict: str, colour: bool) -> str:
    """The verdict word padded to the widest one, coloured when asked (the padding stays plain)."""
    padding = " " * (_VERDICT_WIDTH - len(verdict))
    if not colour:
        return verdict + padding
    return f"\x1b[{_COLOURS[verdict]}m{verdict}\x1b[0m{padding}"


def _reference(text: str) -> list[str]:
    """A one-paragraph reference on one line; a table (several lines) as an indented block."""
    rows = text.strip("\n").splitlines()
    if len(rows) == 1:
        return ["        reference: " + visible(" ".join(text.split()))]
    return ["        reference:", *("          " + visible(row.rstrip()) for row in rows)]


def _points(value: float) -> str:
    """Points with at most two decimals: 2.67, 1.5, 3."""
    return f"{round(value, 2):g}"
