"""The instructor's view of a graded class: per part the share correct, partial, wrong and
unreadable, the most common named mistakes, and (optionally) a plot.

Works on result data (results.json), so it summarizes a batch run, a merged
set of shards or any saved results alike. Shares are of the submissions that
could be graded; those that could not are counted on their own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from grader.reports.visible import visible
from grader.results import CORRECT, INCORRECT, MANUAL, MISSING, PARTIAL, UNPARSEABLE

#: Summary columns: (heading, part verdicts counted in it).
COLUMNS = (("correct", (CORRECT,)), ("partial", (PARTIAL,)), ("wrong", (INCORRECT,)),
           ("unreadable", (UNPARSEABLE,)), ("missing", (MISSING,)), ("by hand", (MANUAL,)))
#: Named mistakes shown per part.
TOP_MISTAKES = 5


def mistake_names(answer: dict) -> list[str]:
    """The named mistakes of one answer's result data.

    The hook for the feedback issue (10): an answer's data may carry
    ``"mistake": "name"`` or ``"mistakes": ["name", ...]`` (or mappings with a
    ``"name"``); results without them simply have no named mistakes. Change this
    function, and only it, if the feedback data takes another form.
    """
    names = []
    single = answer.get("mistake")
    if isinstance(single, str):
        names.append(single)
    for entry in answer.get("mistakes") or ():
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str):
            names.append(name)
    return names


@dataclass
class PartSummary:
    """Counts of one part's verdicts and named mistakes."""

    id: str
    verdicts: Counter = field(default_factory=Counter)
    mistakes: Counter = field(default_factory=Counter)


@dataclass
class ClassSummary:
    """Per part summaries (in first-seen order), the graded and ungraded counts, score fractions."""

    parts: dict[str, PartSummary]
    graded: int
    errors: int
    fractions: list[float]


def summarize(results: list[dict]) -> ClassSummary:
    """Count verdicts and mistakes per part over ``results`` (result data)."""
    parts: dict[str, PartSummary] = {}
    graded = errors = 0
    fractions = []
    for result in results:
        max_score = result.get("max_score") or 0
        fractions.append(result["score"] / max_score if max_score else 0.0)
        if result.get("error"):
            errors += 1
            continue
        graded += 1
        for part in result.get("parts", ()):
            summary = parts.setdefault(part["id"], PartSummary(part["id"]))
            summary.verdicts[part["verdict"]] += 1
            for item, answer in part["answers"].items():
                for name in mistake_names(answer):
                    summary.mistakes[f"{item}: {name}"] += 1
    return ClassSummary(parts, graded, errors, fractions)


def render_summary(summary: ClassSummary) -> str:
    """A table, one row per part, then the most common named mistakes of each part."""
    lines = [f"{summary.graded:,} submissions graded, {summary.errors:,} could not be graded"]
    if not summary.parts:
        return "\n".join(lines) + "\n"
    width = max(4, *(len(visible(pid)) for pid in summary.parts))
    lines.append(f"{'part':<{width}}  " + "  ".join(f"{name:>10}" for name, _ in COLUMNS))
    for pid, part in summary.parts.items():
        total = sum(part.verdicts.values()) or 1
        cells = [f"{100 * sum(part.verdicts[v] for v in verdicts) / total:9.1f}%" for _, verdicts in COLUMNS]
        lines.append(f"{visible(pid):<{width}}  " + "  ".join(cells))
    named = [(pid, part) for pid, part in summary.parts.items() if part.mistakes]
    if not named:
        lines.append("named mistakes: none recorded in these results")
    for pid, part in named:
        lines.append(f"most common mistakes in part {visible(pid)}:")
        for name, count in sorted(part.mistakes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISTAKES]:
            lines.append(f"  {count:>6,}  {visible(name)}")
    return "\n".join(lines) + "\n"


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def plot_summary(summary: ClassSummary, path: str) -> None:
    """Draw the score histogram and the per-part verdict shares into the PNG file ``path``."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib, an optional extra: "
                              "pip install 'cnn-homework[plot]' (or pip install matplotlib)") from None
    figure, (histogram, bars) = plt.subplots(1, 2, figsize=(11, 4.2))
    histogram.hist([100 * f for f in summary.fractions], bins=20, range=(0, 100), color="#4c72b0")
    histogram.set(title=f"Scores ({len(summary.fractions):,} submissions)", xlabel="score (% of points)",
                  ylabel="submissions")
    ids = list(summary.parts)
    bottoms = [0.0] * len(ids)
    colours = ("#55a868", "#dd8452", "#c44e52", "#8172b3", "#937860", "#8c8c8c")
    for (name, verdicts), colour in zip(COLUMNS, colours):
        shares = []
        for pid in ids:
            counts = summary.parts[pid].verdicts
            shares.append(100 * sum(counts[v] for v in verdicts) / (sum(counts.values()) or 1))
        bars.bar(ids, shares, bottom=bottoms, label=name, color=colour)
        bottoms = [b + s for b, s in zip(bottoms, shares)]
    bars.set(title="Verdicts per part", xlabel="part", ylabel="% of graded submissions", ylim=(0, 100))
    bars.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
