"""One submission's result as Gradescope's ``results.json``.

Top level ``score``, ``output``, ``execution_time``, ``visibility``,
``stdout_visibility`` and ``tests``: one test per part (``name``, ``number``,
``score``, ``max_score``, ``status`` passed/failed, ``output`` the feedback in
Markdown, ``output_format`` ``md``, ``visibility`` from the part's
``options.visibility``). Points awaiting a human grader are left out of a
test's ``max_score`` and named in its output. Text from outside is escaped
for Markdown and HTML after :func:`~grader.reports.visible.visible`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from grader.reports.visible import visible
from grader.results import CORRECT, MANUAL, score_number

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def gradescope_data(result: dict | None, visibility: Mapping[str, str], *, execution_time: float = 0.0,
                    problem: str = "") -> dict:
    """Gradescope's results for one submission's result data; ``result`` None: no submission found."""
    data = {"score": 0, "output": "", "execution_time": round(execution_time, 3),
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
    if result is None:
        data["output"] = (f"No submission file was found. Upload one YAML or JSON file with your "
                          f"answers{f' to {_md(problem)}' if problem else ''}.")
        return data
    if result.get("error"):
        data["output"] = f"Your submission could not be graded: {_md(result['error'])}"
        return data
    data["score"] = result["score"]
    pending = result.get("pending_manual", 0)
    lines = [f"{_points(result['score'])} / {_points(result['max_score'])} points"
             + (f", {_points(pending)} more to be graded by hand" if pending else "")]
    lines += [f"- note: {_md(note)}" for note in result.get("notes", ())]
    data["output"] = "\n".join(lines)
    data["tests"] = [_test(number, part, visibility.get(part["id"], "visible"))
                     for number, part in enumerate(result.get("parts", ()), start=1)]
    return data


def render_gradescope(result: dict | None, visibility: Mapping[str, str], **options) -> str:
    """:func:`gradescope_data` as JSON text."""
    return json.dumps(gradescope_data(result, visibility, **options), indent=2, ensure_ascii=False) + "\n"


def _test(number: int, part: dict, visibility: str) -> dict:
    answers = part["answers"]
    manual = sum(a["max_score"] for a in answers.values() if a["verdict"] == MANUAL)
    automatic = [a for a in answers.values() if a["verdict"] != MANUAL]
    lines = []
    for item, answer in answers.items():
        line = f"- **{item}**: {answer['verdict']}"
        if answer.get("feedback"):
            line += f" — {_md(answer['feedback'])}"
        lines.append(line)
    if manual:
        lines.append(f"- {_points(manual)} points to be graded by hand")
    return {"name": f"Part {part['id']}", "number": str(number), "score": part["score"],
            "max_score": score_number(part["max_score"] - manual),
            "status": "passed" if all(a["verdict"] == CORRECT for a in automatic) else "failed",
            "output": "\n".join(lines), "output_format": "md", "visibility": visibility}


def _md(text: str) -> str:
    """Outside text on one line, with Markdown punctuation and HTML's ``& < >`` made literal."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def _points(value: float) -> str:
    return f"{round(value, 2):g}"
