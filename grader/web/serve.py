"""``python -m grader serve [PROBLEMS_DIR] [--port 8000] [--host 127.0.0.1] [--save DIR] ...``.

Serves :class:`grader.web.app.App` with the standard library's threading HTTP server: the work
of a request is blocking (the Grader's worker serializes the checks of a problem), so an async
framework would buy nothing here, and students install nothing beyond the package and
latex2mathml (the ``web`` extra). Connections are bounded in number and in time.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from grader.cli import MAX_TIME_LIMIT, _time_limit
from grader.feedback.levels import DEFAULT_LEVEL, LEVELS
from grader.grading import DEFAULT_TIME_LIMIT
from grader.web.app import MAX_BODY_BYTES, App, ProblemEntry, Request, Response
from solver.errors import SpecError
from solver.key import build_key
from solver.output import program_name
from solver.spec.loading import load_problem

#: Connections served at once; more are answered 503 at once.
MAX_CONNECTIONS = 64
#: Seconds a connection may wait for the client between reads (an idle keep-alive connection too).
SOCKET_TIMEOUT = 15.0
#: Seconds to receive one whole request body.
BODY_DEADLINE = 30.0
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def load_problems(location: str) -> tuple[list[ProblemEntry], list[tuple[str, str]]]:
    """The problems of every spec file under ``location`` (or of that one file), in path order,
    and the (file, error) of the specs that could not be loaded or repeat an id."""
    root = Path(location)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in _SPEC_SUFFIXES)
    entries, failed, seen = [], [], {}
    for path in paths:
        try:
            problem = load_problem(str(path))
            key = build_key(problem)
        except SpecError as error:
            failed.append((str(path), str(error)))
            continue
        if problem.id in seen:
            failed.append((str(path), f"problem id {problem.id!r} is already used by {seen[problem.id]}"))
            continue
        seen[problem.id] = str(path)
        entries.append(ProblemEntry(problem.id, problem.title, str(path), key))
    return entries, failed


def loopback_hosts(host: str, port: int) -> frozenset | None:
    """The Host header values a loopback server answers to (so a web page cannot reach it by
    DNS rebinding); None, any, for a server bound to another address."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return None
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"{host}:{port}"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128        # the default 5 drops connections when a class connects at once

    def __init__(self, address, handler, app: App):
        self.app = app
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            finally:
                self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    server_version = "cnn-grader"
    sys_version = ""

    def do_GET(self):
        self._serve(b"")

    def do_POST(self):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return self._send(Response(411, b"a request body needs a Content-Length\n", "text/plain"), close=True)
        size = int(length)
        if size > MAX_BODY_BYTES:
            return self._send(Response(413, f"the request has {size:,} bytes; at most {MAX_BODY_BYTES:,} are "
                                            f"accepted\n".encode(), "text/plain"), close=True)
        body = self._read_body(size)
        if body is None:
            return self._send(Response(408, b"the request body came too slowly\n", "text/plain"), close=True)
        self._serve(body)

    def _read_body(self, size: int) -> bytes | None:
        chunks, left, deadline = [], size, time.monotonic() + BODY_DEADLINE
        while left:
            chunk = self.rfile.read1(min(left, 65536)) if hasattr(self.rfile, "read1") else self.rfile.read(left)
            if not chunk or time.monotonic() > deadline:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _serve(self, body: bytes):
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._send(self.server.app.handle(Request(self.command, self.path, headers, body)))

    def _send(self, response: Response, close: bool = False):
        self.send_response(response.status)
        for name, value in response.all_headers():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def _stop(signum, frame):
    raise KeyboardInterrupt


def make_server(app: App, host: str, port: int, *, quiet: bool = False) -> _Server:
    """A server for ``app`` bound to (host, port); port 0 picks a free port. Its Host check uses the real port."""
    server = _Server((host, port), _Handler, app)
    server.quiet = quiet
    app.allowed_hosts = loopback_hosts(host, server.server_address[1])
    return server


def main(argv: list[str] | None = None) -> int:
    """Run ``serve``; returns the exit status (2 for usage errors, no problem or an unusable --save)."""
    parser = argparse.ArgumentParser(
        prog=f"{program_name('grader')} serve",
        description="Serve a self-check web page for the problems under PROBLEMS_DIR (a spec file works too).")
    parser.add_argument("problems", nargs="?", default="problems", metavar="PROBLEMS_DIR",
                        help="folder of spec files, searched recursively (default: problems)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this computer only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--save", metavar="DIR", help="write each check into DIR as a submission file")
    parser.add_argument("--time-limit", type=_time_limit, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                        help=f"most seconds to check one answer, above 0 and at most {MAX_TIME_LIMIT:g} "
                             f"(default: {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--feedback", choices=LEVELS, default=DEFAULT_LEVEL,
                        help=f"how much feedback shows, never more than the spec allows (default: {DEFAULT_LEVEL})")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    try:
        import latex2mathml  # noqa: F401 - the preview needs it
    except ImportError:
        print("error: the web page needs latex2mathml: pip install '.[web]'", file=sys.stderr)
        return 2
    if not Path(args.problems).exists():
        print(f"error: {args.problems}: no such folder or file", file=sys.stderr)
        return 2
    if args.save is not None and not Path(args.save).is_dir():
        print(f"error: --save {args.save}: not a folder; create it first", file=sys.stderr)
        return 2
    entries, failed = load_problems(args.problems)
    for path, error in failed:
        print(f"warning: {path}: {error}", file=sys.stderr)
    if not entries:
        print(f"error: no spec under {args.problems} could be loaded", file=sys.stderr)
        return 2
    app = App(entries, failed, feedback=args.feedback, time_limit=args.time_limit, save_dir=args.save)
    for entry in entries:                       # start each problem's grader now, not on a first check
        app.grader(app.key_for(entry, None))
    try:
        server = make_server(app, args.host, args.port, quiet=args.quiet)
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        app.close()
        return 2
    signal.signal(signal.SIGTERM, _stop)        # so that the workers are stopped too
    host, port = server.server_address[:2]
    print(f"serving {len(entries)} problem{'s' if len(entries) != 1 else ''} on http://{host}:{port}/ "
          f"(feedback: {args.feedback}; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.close()
    return 0
