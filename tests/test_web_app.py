"""The self-check web application without a browser: what each response holds and never holds.

Expected values are hand-known for the seed Q1.1: (a) is 4 x 5 (floor((10-3)/2)+1 = 4,
floor((11-3)/2)+1 = 5), (c.i) is 1 x 2 with f[1,j] = sum_c sum_k W[1,c,k] x[c, 2(j-1)+k];
parts weigh a 1, b 1, c.i 1, c.ii 1, c.iii 1, c.iv 1.5 (6.5 in all).
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytest.importorskip("latex2mathml")

from grader.web.app import MAX_BODY_BYTES, App, Request  # noqa: E402
from grader.web.preview import clean_mathml, to_mathml  # noqa: E402
from grader.web.serve import load_problems, make_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "cnn" / "q1_1.yaml"
HOST = {"host": "127.0.0.1:8000"}
FORM = {**HOST, "content-type": "application/x-www-form-urlencoded"}
CI_VALUE = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c, 2(j-1)+k]"
#: Wrong answers to every item of the seed (none equal to the key).
WRONG = {"a:shape": "3 x 4", "b:shape": "F x H x W", "c.i:shape": "2 x 1", "c.i:value": "f[1,j] = W[1,1,j]",
         "c.ii:shape": "2 x 3", "c.ii:value": "df[1,j]/dW[1,c,k] = x[c,k]", "c.iii:shape": "5 x 2",
         "c.iii:value": "df[1,j]/dx[c,l] = W[1,c,l]", "c.iv:shape": "1 x 2",
         "c.iv:value": "dl/dW[1,c,k] = g[1,k]", "c.iv:explanation": "they differ"}
#: Texts of the seed's key that a page at hint level must never show (the key's formulas in the
#: printer's text and LaTeX, the instructor's reference).
KEY_TEXTS = ("floor((H + 2*P - D*(K - 1) - 1)/S) + 1", "\\left\\lfloor \\frac{H + 2P", "Sum(W[1, c, k]*x[c, 2*j + k",
             "Both are cross-correlations", "1 x 2 x 1 x 2 x 3", "W[1, c, l - 2*j + 2]")


@pytest.fixture(scope="module")
def seed():
    entries, failed = load_problems(str(SEED))
    assert not failed
    return entries


def _app(entries, **options):
    app = App(entries, [], **options)
    app.allowed_hosts = frozenset({HOST["host"]})
    return app


@pytest.fixture(scope="module")
def app(seed):
    app = _app(seed)
    yield app
    app.close()


def _post(app, path, fields, headers=FORM):
    return app.handle(Request("POST", path, dict(headers), urlencode(fields).encode()))


def _text(response) -> str:
    return response.body.decode("utf-8")


def _results(page: str) -> list[tuple[str, str]]:
    """(verdict, points) of each answer result on a page, in page order."""
    return re.findall(r'<div class="result verdict-(\w+)"><p><strong>\w+</strong>, ([\d.]+ / [\d.]+) points', page)


def test_a_check_shows_each_verdict_points_hint_and_the_total(app):
    page = _text(_post(app, "/p/q1.1/check", {"a:shape": "3 x 4", "c.i:shape": "1 x 2", "c.i:value": CI_VALUE}))
    results = _results(page)
    assert results[0] == ("incorrect", "0 / 1")                   # (a) forgot the +1: 3 x 4
    assert "looks like forgot the +1" in page
    assert results[1] == ("missing", "0 / 1")                     # (b) left empty
    assert results[2:4] == [("correct", "0.5 / 0.5"), ("correct", "0.5 / 0.5")]   # (c.i) shape, value
    assert re.search(r"Total: <strong>1 / 6.5</strong> points", page)
    assert "Part (c.i): <strong>correct</strong>" in page


def test_the_form_grades_as_its_download_does_with_the_command_line(app, tmp_path):
    fields = {"a:shape": "4 x 5", "b:shape": "F x H x W", "c.i:shape": "1 x 2", "c.i:value": CI_VALUE,
              "student": "ann"}
    download = _post(app, "/p/q1.1/download", fields)
    assert download.status == 200 and download.content_type.startswith("application/yaml")
    assert ("Content-Disposition", 'attachment; filename="q1.1-answers.yaml"') in download.headers
    path = tmp_path / "ann.yaml"
    path.write_bytes(download.body)
    cli = subprocess.run([sys.executable, "-m", "grader", str(SEED), str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    graded = json.loads(cli.stdout)["results"][0]
    assert graded["student"] == "ann" and graded["score"] == 2 and graded["error"] is None
    page = _text(_post(app, "/p/q1.1/check", fields))
    assert re.search(r"Total: <strong>2 / 6.5</strong>", page)
    cli_verdicts = [a["verdict"] for p in graded["parts"] for a in p["answers"].values()]
    assert [v for v, _ in _results(page)] == cli_verdicts


def test_upload_fills_the_form_and_refuses_another_problem(app):
    text = "problem: q1.1\nstudent: bo\nanswers:\n  a: [4, 5]\n  c: {i: {shape: 1 x 2, value: 'f[1,j] = 0'}}\n"
    page = _text(_upload(app, text.encode()))
    assert 'value="[4, 5]"' in page and 'value="1 x 2"' in page and 'value="f[1,j] = 0"' in page
    assert 'id="student" name="student" value="bo"' in page
    other = _text(_upload(app, b"problem: q9\nanswers: {a: 1}\n"))
    assert "this file is for problem &#x27;q9&#x27;" in other
    broken = _text(_upload(app, b"problem: q1.1\nanswers: !!python/object:os.system {}\n"))
    assert "could not read the file" in broken


def _upload(app, data: bytes):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.yaml\"\r\n"
            f"Content-Type: application/yaml\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {**HOST, "content-type": f"multipart/form-data; boundary={boundary}"}
    return app.handle(Request("POST", "/p/q1.1/upload", headers, body))


def test_preview_shows_mathml_of_the_reading_or_the_error_position(app):
    ok = json.loads(_post(app, "/api/preview", {"problem": "q1.1", "field": "a:shape", "text": "4×5"}).body)["html"]
    assert "<mn>4</mn><mo>&#215;</mo><mn>5</mn>" in ok.replace("\u00d7", "&#215;")
    assert '<code class="canonical">4 x 5</code>' in ok
    bad = json.loads(_post(app, "/api/preview", {"problem": "q1.1", "field": "a:shape", "text": "4 x ) 5"}).body)
    assert 'cannot read this: unbalanced' in bad["html"]
    assert '4 x <mark title="at character 5">)</mark> 5' in bad["html"]
    value = json.loads(_post(app, "/api/preview", {"problem": "q1.1", "field": "c.i:value", "text": CI_VALUE}).body)
    assert "<mo>\u2211</mo>" in value["html"] and "Sum(W[1, c, k]*x[c, 2*(j - 1) + k]" in value["html"]
    assert _post(app, "/api/preview", {"problem": "q1.1", "field": "zz:shape", "text": "1"}).status == 404


def test_mathml_is_rebuilt_from_mathml_elements_with_text_escaped():
    # latex2mathml copies \text{...} as it is: the rebuilt markup escapes it
    raw = to_mathml(r"\text{<script>alert(1)</script>} + x")
    assert "<script" not in raw
    assert clean_mathml('<math><mi onclick="x()">a</mi><foreignObject><b>z</b></foreignObject></math>') == \
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi><mrow><mrow>z</mrow></mrow></math>'
    assert clean_mathml("<math><mtext><b>&</mtext></math>") == ""        # not well-formed: dropped


def test_hostile_text_is_escaped_everywhere(app):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    fields = {name: evil for name in WRONG} | {"student": evil[:150]}
    for response in (_post(app, "/p/q1.1/check", fields),
                     _post(app, "/api/preview", {"problem": "q1.1", "field": "a:shape", "text": evil}),
                     _post(app, "/api/preview", {"problem": "q1.1", "field": "c.i:value", "text": evil})):
        text = _text(response)
        assert evil not in text and "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(1)" in text                # shown, escaped


def test_every_response_carries_the_security_headers_and_the_page_has_no_inline_code(app):
    responses = [app.handle(Request("GET", path, HOST)) for path in ("/", "/p/q1.1", "/static/app.js",
                                                                     "/static/style.css", "/nowhere")]
    responses.append(_post(app, "/p/q1.1/check", WRONG))
    for response in responses:
        headers = dict(response.all_headers())
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "http" not in csp and "unsafe" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    for response in (responses[1], responses[-1]):
        page = _text(response)
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']
        assert " style=" not in page and "<style" not in page
        assert not re.search(r"\s(on\w+)=", page)
        assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/1998/Math/MathML"] * page.count("<math")


def test_hint_level_reveals_no_key_in_any_response(app):
    responses = [app.handle(Request("GET", path, HOST)) for path in ("/", "/p/q1.1", "/static/app.js")]
    responses.append(_post(app, "/p/q1.1/check", WRONG))
    responses.append(_post(app, "/p/q1.1/download", WRONG))
    responses += [_post(app, "/api/preview", {"problem": "q1.1", "field": name, "text": text})
                  for name, text in WRONG.items()]
    for response in responses:
        text = _text(response)
        for secret in KEY_TEXTS:
            assert secret not in text, (secret, text[:200])
        assert "reference:" not in text


def test_full_level_shows_the_reference_so_the_hint_test_can_fail(seed):
    app = _app(seed, feedback="full")
    try:
        page = _text(_post(app, "/p/q1.1/check", WRONG))
    finally:
        app.close()
    assert "reference: Both are cross-correlations" in page


def test_the_spec_level_caps_the_server_level(tmp_path):
    spec = tmp_path / "q.yaml"
    spec.write_text(SEED.read_text(encoding="utf-8").replace("indexing: 1 ", "feedback: verdict\nindexing: 1 ", 1),
                    encoding="utf-8")
    entries, failed = load_problems(str(spec))
    assert not failed
    app = _app(entries, feedback="full")
    try:
        page = _text(_post(app, "/p/q1.1/check", WRONG))
    finally:
        app.close()
    assert _results(page)[0] == ("incorrect", "0 / 1")
    assert "looks like" not in page and "hint:" not in page and "reference:" not in page


def test_save_writes_each_check_as_a_submission_file(seed, tmp_path):
    app = _app(seed, save_dir=str(tmp_path))
    try:
        for student in ("ann", "../../etc/passwd"):
            page = _text(_post(app, "/p/q1.1/check", {"a:shape": "4 x 5", "student": student}))
            assert "saved for your instructor" in page
    finally:
        app.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and all(f.suffix == ".yaml" and f.parent == tmp_path for f in files)
    assert not any(f.name.startswith(".") for f in files)
    cli = subprocess.run([sys.executable, "-m", "grader", str(SEED), *map(str, files), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    results = json.loads(cli.stdout)["results"]
    assert sorted(r["student"] for r in results) == ["../../etc/passwd", "ann"]
    assert [r["score"] for r in results] == [1, 1]


def test_no_file_is_written_without_save(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _post(app, "/p/q1.1/check", {"a:shape": "4 x 5"})
    assert list(tmp_path.iterdir()) == []


def test_a_foreign_host_or_origin_is_refused(app):
    assert app.handle(Request("GET", "/", {"host": "evil.example:8000"})).status == 421
    foreign = {**FORM, "origin": "http://evil.example"}
    assert _post(app, "/p/q1.1/check", {"a:shape": "4 x 5"}, foreign).status == 403
    same = {**FORM, "origin": "http://127.0.0.1:8000"}
    assert _post(app, "/p/q1.1/check", {"a:shape": "4 x 5"}, same).status == 200


def test_an_oversized_answer_is_refused_as_the_command_line_refuses_its_file(app):
    page = _text(_post(app, "/p/q1.1/check", {"c.iv:explanation": "x" * (1024 * 1024 + 10)}))
    assert "could not be checked" in page and "1,048,576" in page
    long_formula = _text(_post(app, "/p/q1.1/check", {"a:shape": "1+" * 1500 + "1"}))
    assert re.search(r"verdict-unparseable", long_formula)


@pytest.fixture(scope="module")
def served(seed):
    app = App(seed, [])
    server = make_server(app, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    app.close()


def test_the_server_refuses_a_body_over_its_limit_before_reading_it(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    connection.putrequest("POST", "/p/q1.1/check")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


def test_the_server_answers_a_check_over_http(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    connection.request("POST", "/p/q1.1/check", urlencode({"a:shape": "4 x 5"}),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    body = response.read().decode()
    assert response.status == 200 and "Total: <strong>1 / 6.5</strong>" in body
    assert response.getheader("Content-Security-Policy").startswith("default-src 'none'")
    connection.close()
