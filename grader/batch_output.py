"""What a batch run writes to its output directory, each file atomically.

* ``results.json``: ``{"results": [...], "run": {...}}`` (the results format of
  the README, plus ``run``: the problem, its parts and their points, the number
  of inputs, and for a shard ``shard`` and the input ``positions`` of its
  results) — or, with ``--format gradescope``, Gradescope's results;
* ``gradebook.csv``: one row per submission (:mod:`grader.gradebook`);
* ``junit.xml`` with ``--format junit``.

Every file is first written in full to a temporary file in the same
directory; only when all are written are they renamed into place, so an
interrupted run leaves the previous outputs (or none), never half a file.
Nothing here depends on the time or the order in which results arrived, so a
rerun writes the same bytes (Gradescope's ``execution_time`` excepted).
"""

from __future__ import annotations

import json
import os
import tempfile

from grader.gradebook import render_gradebook
from grader.reports.json_report import render_json_data
from grader.reports.junit import render_junit
from grader.results import score_number
from solver.key import AnswerKey

RESULTS, GRADEBOOK, JUNIT = "results.json", "gradebook.csv", "junit.xml"


class MergeError(ValueError):
    """Results files that cannot be merged; the message names the file and what is wrong."""


def run_info(key: AnswerKey, inputs: int) -> dict:
    """The ``run`` entry of results.json: what a merge or a summary needs besides the results."""
    return {"problem": key.problem.id,
            "parts": [{"id": pk.id, "max_score": score_number(pk.part.points)} for pk in key.parts],
            "inputs": inputs}


def batch_files(results: list[dict], run: dict, fmt: str, gradescope_text: str | None = None) -> dict[str, str]:
    """File name -> text of the outputs of a run (``gradescope_text``: results.json for Gradescope)."""
    part_ids = [part["id"] for part in run["parts"]]
    files = {RESULTS: gradescope_text if fmt == "gradescope" else render_json_data(results, run=run),
             GRADEBOOK: render_gradebook(results, part_ids)}
    if fmt == "junit":
        files[JUNIT] = render_junit(results, name=run["problem"])
    return files


def write_atomically(directory: str, files: dict[str, str | bytes]) -> None:
    """Write every file of ``files`` (name -> text or bytes) into ``directory``, all or none."""
    os.makedirs(directory, exist_ok=True)
    staged = []
    try:
        for name, content in files.items():
            data = content.encode("utf-8", "backslashreplace") if isinstance(content, str) else content
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            staged.append((temporary, os.path.join(directory, name)))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        for temporary, final in staged:
            os.replace(temporary, final)
        staged = []
    finally:
        for temporary, _ in staged:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def load_results(path: str) -> tuple[list[dict], dict | None]:
    """The results and the ``run`` entry of a results.json written by a batch run or ``--format json``."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        raise MergeError(f"{path}: cannot read it as JSON results: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise MergeError(f"{path}: not grader results (a mapping with a 'results' list, as "
                         f"written by --format json; Gradescope's results cannot be merged)")
    run = data.get("run")
    return data["results"], run if isinstance(run, dict) else None


def merge_results(paths: list[str]) -> tuple[list[dict], dict | None]:
    """The results of ``paths`` as one run.

    Shard results (with ``run.positions``) are put back in input order and
    must be complete: every input exactly once. Results without positions are
    joined in the order of ``paths``.
    """
    loaded = [(path, *load_results(path)) for path in paths]
    if not all(run and "positions" in run for _, _, run in loaded):
        results = [result for _, found, _ in loaded for result in found]
        first = next((run for _, _, run in loaded if run), None)
        run = None if first is None else {**_unsharded(first), "inputs": len(results)}
        return results, run
    inputs = {run["inputs"] for _, _, run in loaded}
    if len(inputs) != 1:
        raise MergeError(f"the results are of runs over different inputs ({', '.join(map(str, sorted(inputs)))} "
                         f"files): shard one run, with the same arguments on every machine")
    total = inputs.pop()
    by_position: dict[int, dict] = {}
    for path, found, run in loaded:
        if len(run["positions"]) != len(found):
            raise MergeError(f"{path}: {len(found)} results but {len(run['positions'])} positions")
        for position, result in zip(run["positions"], found):
            if position in by_position:
                raise MergeError(f"{path}: input {position + 1} ({result.get('submission')!r}) is also in "
                                 f"another file (the same shard given twice?)")
            by_position[position] = result
    missing = total - len(by_position)
    if missing:
        shards = sorted({run.get("shard") for _, _, run in loaded})
        raise MergeError(f"{missing:,} of {total:,} inputs have no result: a shard is missing "
                         f"(merged: {', '.join(map(str, shards))})")
    return [by_position[p] for p in range(total)], _unsharded(loaded[0][2])


def _unsharded(run: dict) -> dict:
    return {name: value for name, value in run.items() if name not in ("shard", "positions")}
