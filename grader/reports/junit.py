"""Results as JUnit XML (the xunit2 flavour pytest writes), for CI test reports.

``<testsuites>`` holds one ``<testsuite>`` per submission (named by its file)
with one ``<testcase>`` per part: a part that is not correct carries a
``<failure>`` whose message is its verdict and whose text is the feedback of
each answer; a part awaiting a human grader only is ``<skipped>``; a
submission that could not be graded has one test case with an ``<error>``.
Points are properties of the suite (xunit2 allows properties there only):
``score``, ``max_score``, ``pending_manual``, and ``<part>.score`` /
``<part>.max_score`` per part. No times are written, so a rerun gives the same
bytes. Text from outside goes through :func:`~grader.reports.visible.visible`
(XML 1.0 cannot hold control characters or lone surrogates).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.reports.visible import visible
from grader.results import CORRECT, MANUAL


def render_junit(results: list[dict], *, name: str = "grader") -> str:
    """The XML text of ``results`` (result data as in results.json)."""
    root = ET.Element("testsuites", name=visible(name))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in results:
        suite = _suite(result)
        for counter in totals:
            totals[counter] += int(suite.get(counter))
        root.append(suite)
    for counter, value in totals.items():
        root.set(counter, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"


def _suite(result: dict) -> ET.Element:
    submission = visible(result.get("submission"))
    suite = ET.Element("testsuite", name=submission)
    properties = ET.SubElement(suite, "properties")
    _property(properties, "student", visible(result.get("student")))
    _property(properties, "problem", visible(result.get("problem")))
    for field in ("score", "max_score", "pending_manual"):
        _property(properties, field, result.get(field, 0))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    classname = f"{visible(result.get('problem')) or 'submission'}.{submission}"
    if result.get("error"):
        case = ET.SubElement(suite, "testcase", classname=classname, name="read submission")
        ET.SubElement(case, "error", message=visible(result["error"]), type="error")
        counts["tests"], counts["errors"] = 1, 1
    for part in result.get("parts", ()):
        _property(properties, f"{part['id']}.score", part["score"])
        _property(properties, f"{part['id']}.max_score", part["max_score"])
        case = ET.SubElement(suite, "testcase", classname=classname, name=f"part {part['id']}")
        counts["tests"] += 1
        if part["verdict"] == CORRECT:
            continue
        if part["verdict"] == MANUAL:
            ET.SubElement(case, "skipped", message="to be graded by hand")
            counts["skipped"] += 1
            continue
        failure = ET.SubElement(case, "failure", message=part["verdict"], type=part["verdict"])
        failure.text = "\n".join(f"{item}: {answer['verdict']}"
                                 + (f" - {visible(answer['feedback'])}" if answer.get("feedback") else "")
                                 for item, answer in part["answers"].items())
        counts["failures"] += 1
    for counter, value in counts.items():
        suite.set(counter, str(value))
    return suite


def _property(properties: ET.Element, name: str, value) -> None:
    ET.SubElement(properties, "property", name=name, value=str(value))
