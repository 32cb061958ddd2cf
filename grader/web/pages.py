"""HTML of the self-check pages: plain markup, every outside text escaped with ``html.escape``.

Text from outside (answers, student ids, feedback that echoes answers, file contents) goes
through :func:`_esc`, which first makes it visible on one line (:func:`visible`) where it is
a one-line field, then HTML-escapes it. The only markup not built here is the preview's
MathML, which :mod:`grader.web.preview` rebuilds from a list of MathML elements.
No inline script or style: the page loads ``/static/app.js`` and ``/static/style.css``.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from grader.reports.visible import visible
from grader.results import SubmissionResult
from grader.web.forms import FormAnswers, field_name
from grader.web.preview import Reading, Unreadable
from solver.key import AnswerKey

#: Items answered in a multi-line box.
_MULTILINE = ("explanation", "summary", "numeric")
_LABELS = {"shape": "Shape", "value": "Expression (index equation)", "numeric": "Numbers (nested lists)",
           "explanation": "Explanation", "params": "Parameter count", "summary": "Summary table"}
# Syntax examples only: never an answer of a bundled problem (tests/test_syntax_examples.py).
_EXAMPLES = {"shape": "e.g. 7 x 9, (7, 9) or R^{7x9}", "value": "e.g. y[i] = sum_{k=1}^{3} a[i, k] b[k]",
             "numeric": "e.g. [[1.5, -2], [0, 4]]", "params": "e.g. 7 or 2n + 1", "explanation": "",
             "summary": ""}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _line(text: str | None) -> str:
    """Outside text for one line: control characters and bidi overrides shown as escapes, then escaped."""
    return _esc(visible(text))


def problem_url(problem_id: str, action: str = "") -> str:
    """``/p/<id>`` (and ``/p/<id>/<action>``) with the id percent-encoded."""
    return f"/p/{quote(problem_id, safe='')}" + (f"/{action}" if action else "")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_esc(title)}</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
            "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")


def index_page(problems: list[tuple[str, str]], failed: list[tuple[str, str]]) -> str:
    """The list of problems (id, title), and the spec files that could not be loaded (file, error)."""
    items = "\n".join(f"<li><a href=\"{_esc(problem_url(pid))}\">{_esc(title)}</a> <span class=\"id\">"
                      f"({_esc(pid)})</span></li>" for pid, title in problems)
    body = ["<h1>Check your answers</h1>",
            "<p>Pick a problem. Your answers are checked on this computer; nothing is kept unless "
            "your instructor started the server with <code>--save</code>.</p>",
            f"<ul class=\"problems\">\n{items}\n</ul>" if problems else "<p>No problems found.</p>"]
    if failed:
        rows = "\n".join(f"<li><code>{_line(path)}</code>: {_line(error)}</li>" for path, error in failed)
        body.append(f"<h2>Specs that could not be loaded</h2>\n<ul>\n{rows}\n</ul>")
    return _page("Check your answers", "\n".join(body))


def problem_page(key: AnswerKey, form: FormAnswers, *, previews: dict | None = None,
                 result: SubmissionResult | None = None, messages: list[str] = (),
                 saved: bool = False) -> str:
    """The page of one problem: the form (filled from ``form``), previews and, after a check, the results."""
    problem = key.problem
    pid = problem.id
    previews = previews or {}
    out = [f"<p><a href=\"/\">All problems</a></p>", f"<h1>{_esc(problem.title)}</h1>"]
    if messages:
        out.append("<div class=\"notice\" role=\"alert\">" +
                   "".join(f"<p>{_line(m)}</p>" for m in messages) + "</div>")
    if result is not None and result.error is None:
        out.append(_total(result, saved))
    out.append(f"<form id=\"answers\" method=\"post\" action=\"{_esc(problem_url(pid, 'check'))}\" "
               f"data-problem=\"{_esc(pid)}\">")
    out.append(_who(form, problem.indexing))
    results = _results_by_item(result)
    shown_intro: set = set()
    number = 0
    for part_key in key.parts:
        part = part_key.part
        for intro_id, intro in part.intro:
            if intro_id not in shown_intro:
                shown_intro.add(intro_id)
                out.append(f"<section class=\"intro\"><h2>({_esc(intro_id)})</h2><p>{_esc(intro)}</p></section>")
        heading = f"part-{number}"
        points = f"{part.points:g} point{'s' if part.points != 1 else ''}"
        out.append(f"<section class=\"part\" aria-labelledby=\"{heading}\">")
        out.append(f"<h2 id=\"{heading}\">({_esc(part.id)}) <span class=\"points\">{points}</span></h2>")
        if part.prompt:
            out.append(f"<p class=\"prompt\">{_esc(part.prompt)}</p>")
        out.append(_given(part_key))
        part_result = results.get(part.id)
        if part_result is not None:
            out.append(f"<p class=\"part-verdict verdict-{_esc(part_result.verdict)}\">Part ({_esc(part.id)}): "
                       f"<strong>{_esc(part_result.verdict)}</strong>, {_points(part_result.score)} / "
                       f"{_points(part_result.max_score)} points</p>")
        for item in part.ask:
            answer = part_result and next((a for a in part_result.answers if a.item == item), None)
            out.append(_field(part.id, item, number, form.values.get((part.id, item), ""),
                              previews.get((part.id, item)), answer))
            number += 1
        out.append("</section>")
    out.append("<div class=\"actions\"><button type=\"submit\">Check</button> "
               f"<button type=\"submit\" formaction=\"{_esc(problem_url(pid, 'download'))}\">"
               "Download answers (YAML)</button></div>")
    out.append("</form>")
    out.append(f"<form class=\"upload\" method=\"post\" enctype=\"multipart/form-data\" "
               f"action=\"{_esc(problem_url(pid, 'upload'))}\">"
               "<h2>Fill the form from a submission file</h2>"
               "<label for=\"upload-file\">Submission file (YAML or JSON)</label> "
               "<input type=\"file\" id=\"upload-file\" name=\"file\" accept=\".yaml,.yml,.json\" required> "
               "<button type=\"submit\">Upload</button></form>")
    return _page(f"{problem.title} — check your answers", "\n".join(out))


def _who(form: FormAnswers, spec_indexing: int) -> str:
    options = [("", f"as the problem says ({spec_indexing})"), ("0", "0"), ("1", "1")]
    choices = "".join(f"<option value=\"{value}\"{' selected' if form.indexing == value else ''}>{label}</option>"
                      for value, label in options)
    return ("<div class=\"who\"><label for=\"student\">Student id (optional)</label> "
            f"<input id=\"student\" name=\"student\" value=\"{_esc(form.student)}\" maxlength=\"200\" "
            "autocomplete=\"off\"> "
            f"<label for=\"indexing\">Your indices start at</label> <select id=\"indexing\" name=\"indexing\">"
            f"{choices}</select></div>")


def _given(part_key) -> str:
    tensors = [(name, value.to_data()) for name, value in part_key.given()]
    if not tensors:
        return ""
    rows = "".join(f"<dt>{_esc(name)}</dt><dd><code>{_esc(json.dumps(data))}</code></dd>" for name, data in tensors)
    return f"<div class=\"given\"><h3>Given tensors</h3><dl>{rows}</dl></div>"


def _field(part_id: str, item: str, number: int, value: str, preview, answer) -> str:
    name = field_name(part_id, item)
    input_id, preview_id, help_id = f"in-{number}", f"pv-{number}", f"ex-{number}"
    label = f"<label for=\"{input_id}\">({_esc(part_id)}) {_LABELS.get(item, _esc(item))}</label>"
    example = _EXAMPLES.get(item, "")
    described = f"{help_id} {preview_id}" if example else preview_id
    common = (f"id=\"{input_id}\" name=\"{_esc(name)}\" aria-describedby=\"{described}\" "
              f"data-preview=\"{preview_id}\" spellcheck=\"false\" autocomplete=\"off\"")
    if item in _MULTILINE:
        control = f"<textarea {common} rows=\"4\">{_esc(value)}</textarea>"
    else:
        control = f"<input {common} value=\"{_esc(value)}\">"
    help_text = f"<span class=\"example\" id=\"{help_id}\">{_esc(example)}</span>" if example else ""
    out = [f"<div class=\"field\">{label} {help_text}{control}",
           f"<output id=\"{preview_id}\" for=\"{input_id}\" class=\"preview\" aria-live=\"polite\">"
           f"{preview_html(preview)}</output>"]
    if answer is not None:
        out.append(_answer_result(answer))
    out.append("</div>")
    return "\n".join(out)


def preview_html(preview) -> str:
    """The preview of one answer: how it was read (MathML and canonical text), or the error with its
    position marked; '' for no preview."""
    if isinstance(preview, Reading):
        math = f"<span class=\"math\">{preview.mathml}</span> " if preview.mathml else ""
        return f"<span class=\"read\">read as:</span> {math}<code class=\"canonical\">{_line(preview.text)}</code>"
    if isinstance(preview, Unreadable):
        out = [f"<span class=\"error\">cannot read this: {_line(preview.message)}</span>"]
        if preview.position is not None and preview.source is not None:
            out.append(_marked(preview.source, preview.position))
        if preview.hint:
            out.append(f"<span class=\"hint\">{_line(preview.hint)}</span>")
        return " ".join(out)
    return ""


def _marked(text: str, position: int) -> str:
    """``text`` with the character at ``position`` marked (a marked space past the end)."""
    position = max(0, min(position, len(text)))
    before, at, after = text[:position], text[position:position + 1], text[position + 1:]
    where = f"at character {position + 1}" if at else "at the end"
    return (f"<code class=\"source\">{_line(before)}<mark title=\"{where}\">{_line(at) or '&nbsp;'}</mark>"
            f"{_line(after)}</code> <span class=\"where\">({where})</span>")


def _answer_result(answer) -> str:
    out = [f"<div class=\"result verdict-{_esc(answer.verdict)}\"><p><strong>{_esc(answer.verdict)}</strong>, "
           f"{_points(answer.score)} / {_points(answer.max_score)} points</p>"]
    if answer.feedback:
        label = "hint" if answer.verdict in ("incorrect", "partial") else "note"
        out.append(f"<p>{label}: {_line(answer.feedback)}</p>")
    if answer.reference:
        out.append(f"<p>reference: {_esc(answer.reference)}</p>")
    out.append("</div>")
    return "".join(out)


def _total(result: SubmissionResult, saved: bool) -> str:
    pending = result.pending_manual
    extra = f", {_points(pending)} more to be graded by hand" if pending else ""
    notes = "".join(f"<p class=\"note\">note: {_line(n)}</p>" for n in result.notes)
    kept = "<p>This check was saved for your instructor.</p>" if saved else ""
    return (f"<div class=\"total\" role=\"status\"><p id=\"total\">Total: <strong>{_points(result.score)} / "
            f"{_points(result.max_score)}</strong> points{extra}</p>{notes}{kept}</div>")


def _results_by_item(result: SubmissionResult | None) -> dict:
    if result is None or result.error is not None:
        return {}
    return {part.id: part for part in result.parts}


def _points(value: float) -> str:
    return f"{round(value, 2):g}"
