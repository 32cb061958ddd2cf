"""Results as a readable report, for a student checking their work."""

from __future__ import annotations

from grader.reports.visible import visible
from grader.results import CORRECT, MANUAL, VERDICTS, SubmissionResult

_VERDICT_WIDTH = max(map(len, VERDICTS))


def render_text(results: list[SubmissionResult]) -> str:
    """One block per submission: total, then each part and each answer with its feedback.

    Text from outside (file names, student names, feedback that echoes answers,
    notes) is shown through :func:`visible`, so it can never add a line.
    """
    return "\n".join(_submission(r) for r in results)


def _submission(result: SubmissionResult) -> str:
    who = f" ({visible(result.student)})" if result.student else ""
    lines = [f"{visible(result.submission)}{who}"]
    if result.error:
        lines += [f"  could not be graded: {visible(result.error)}", ""]
        return "\n".join(lines)
    pending = result.pending_manual
    extra = f", {_points(pending)} more to be graded by hand" if pending else ""
    lines.append(f"  problem {visible(result.problem)}: {_points(result.score)} / "
                 f"{_points(result.max_score)} points{extra}")
    width = max((len(part.id) + 2 for part in result.parts), default=0)
    for part in result.parts:
        label = f"({part.id})"
        lines.append(f"  {label:<{width}}  {part.verdict:<{_VERDICT_WIDTH}}  "
                     f"{_points(part.score)} / {_points(part.max_score)}")
        for answer in part.answers:
            line = f"      {answer.item}: {answer.verdict}"
            if answer.feedback and not (answer.verdict == CORRECT and not answer.feedback):
                line += f" — {visible(answer.feedback)}"
            lines.append(line)
            if answer.verdict == MANUAL and answer.reference:
                lines += _reference(answer.reference)
    for note in result.notes:
        lines.append(f"  note: {visible(note)}")
    lines.append("")
    return "\n".join(lines)


def _reference(text: str) -> list[str]:
    """A one-paragraph reference on one line; a table (several lines) as an indented block."""
    rows = text.strip("\n").splitlines()
    if len(rows) == 1:
        return ["        reference: " + visible(" ".join(text.split()))]
    return ["        reference:", *("          " + visible(row.rstrip()) for row in rows)]


def _points(value: float) -> str:
    """Points with at most two decimals: 2.67, 1.5, 3."""
    return f"{round(value, 2):g}"
