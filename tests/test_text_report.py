"""The text report: the documented verdict words, aligned columns, the summary reference as a table."""

from __future__ import annotations

import re
from pathlib import Path

from grader.grading import Grader
from grader.reports.text import render_text
from grader.results import VERDICTS, AnswerResult, PartResult, SubmissionResult
from grader.submission import Submission
from solver.key import build_key
from solver.spec.loading import load_problem

ROOT = Path(__file__).resolve().parents[1]

# the verdicts the README documents, in its words
DOCUMENTED = ("correct", "partial", "incorrect", "unparseable", "missing", "manual")


def _part(part_id: str, verdict: str) -> PartResult:
    return PartResult(part_id, verdict, 0.0, 1.0, (AnswerResult("shape", verdict, 0.0, 1.0),))


def test_part_lines_use_the_documented_verdicts_in_aligned_columns():
    assert set(VERDICTS) == set(DOCUMENTED)
    ids = ["a", "question-2.long.sub", "c.iii", "b", "zz", "q3"]
    result = SubmissionResult("s.yaml", "q", None, 0.0, 6.0,
                              tuple(_part(i, v) for i, v in zip(ids, DOCUMENTED)))
    part_lines = [line for line in render_text([result]).splitlines() if line.startswith("  (")]
    assert len(part_lines) == len(ids)
    verdict_columns, score_columns = set(), set()
    for line, part_id, verdict in zip(part_lines, ids, DOCUMENTED):
        assert line.startswith(f"  ({part_id})")
        words = line.split()
        assert words[1] == verdict, line          # never ok / WRONG / partly / by hand
        verdict_columns.add(line.index(verdict, len(part_id) + 4))
        score_columns.add(line.index("0 / 1"))
    assert len(verdict_columns) == 1 and len(score_columns) == 1, part_lines


def test_summary_table_text_is_aligned_and_the_summary_is_graded():
    key = build_key(load_problem(ROOT / "problems" / "cnn" / "network_summary.yaml"))
    lines = key.part("a").answer("summary").to_text().splitlines()
    table = [line.split() for line in lines]
    assert table[0] == ["layer", "op", "output_shape", "params", "params_without_bias", "macs",
                        "activations"]
    # by hand: 3x32x32 -> conv 16, k3, p1 -> 16x32x32 (16*3*9 + 16 = 448) -> maxpool 2 -> 16x16x16
    # -> conv 32, k3, s2: floor(13/2)+1 = 7 (32*16*9 + 32 = 4640) -> avgpool 3, s2, ceil: 3
    # -> conv_transpose 8, k4, s2, p1: (3-1)*2 - 2 + 3 + 1 = 6 (32*8*16 + 8 = 4104)
    # MACs: 16*32*32 outputs * 3*9 taps; 32*7*7 * 16*9; conv_transpose: 32*3*3 inputs * 8*16
    assert table[1:] == [
        ["1", "conv2d", "16", "x", "32", "x", "32", "448", "432", "442368", "16384"],
        ["2", "maxpool2d", "16", "x", "16", "x", "16", "0", "0", "0", "4096"],
        ["3", "conv2d", "32", "x", "7", "x", "7", "4640", "4608", "225792", "1568"],
        ["4", "avgpool2d", "32", "x", "3", "x", "3", "0", "0", "0", "288"],
        ["5", "conv_transpose2d", "8", "x", "6", "x", "6", "4104", "4096", "36864", "288"],
        ["total", "9192", "9136", "705024", "22624"]]
    header = lines[0]
    for row in lines[1:]:   # columns line up under the header
        assert len(row) - len(row.split()[-1]) == header.index("activations")
    submission = Submission(path="s.yaml", problem="net-summary", student=None, indexing=None,
                            answers={"a": {"summary": "see attached"}})
    with Grader(key) as grader:
        report = render_text([grader.grade(submission)])
    assert re.search(r"summary: unparseable", report)


def _one_answer_result(verdict="incorrect", feedback="looks like forgot the +1: count the first window",
                       read_as="3 x 4") -> SubmissionResult:
    answer = AnswerResult("shape", verdict, 0.0, 1.0, feedback, read_as=read_as)
    return SubmissionResult("s.yaml", "q", "ann", 0.0, 1.0, (PartResult("a", verdict, 0.0, 1.0, (answer,)),))


def test_answers_have_points_read_as_and_hint_lines_and_a_total():
    lines = render_text([_one_answer_result()]).splitlines()
    assert lines[3].split() == ["shape:", "incorrect", "0", "/", "1"]
    assert lines[4] == "        read as: 3 x 4"
    assert lines[5] == "        hint: looks like forgot the +1: count the first window"
    assert lines[6] == "  total: 0 / 1 points"
    assert "\x1b" not in "\n".join(lines)


def test_colour_only_on_a_terminal_and_never_with_no_color():
    from grader.reports.text import wants_colour

    class Terminal:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert wants_colour(None, Terminal(), {}) is True
    assert wants_colour(None, Terminal(), {"NO_COLOR": "1"}) is False
    assert wants_colour(None, Terminal(), {"NO_COLOR": ""}) is True        # empty: not set (no-color.org)
    assert wants_colour(None, Pipe(), {}) is False
    assert wants_colour("report.txt", Terminal(), {}) is False
    coloured = render_text([_one_answer_result()], colour=True)
    assert "\x1b[31mincorrect\x1b[0m" in coloured
    # colour never reaches text from outside, which stays escaped
    forged = render_text([_one_answer_result(read_as="\x1b[2J")], colour=True)
    assert "read as: \\x1b[2J" in forged
