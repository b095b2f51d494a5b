"""`threatlib serve`: a live preview of one model on the loopback address.

A watcher polls the model file (and the library folder, when one is given) for a new modification time or size.
On a change it validates and renders again, the HTML report only (no PDF). A good model replaces what is served;
a bad one keeps the last good report and lists the problems, file:line:column, above it. The page is a small
shell around the report (in a frame, so the report keeps its own strict CSP); an EventSource tells it when to
refresh. The server answers only for 127.0.0.1 or localhost (a page elsewhere cannot reach it by DNS rebinding),
serves nothing but the shell, the report and its diagrams, all from memory, and stops cleanly on Ctrl-C.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from threatlib import pipeline
from threatlib.errors import EnvironmentProblem, InputError, shown
from threatlib.library import LIBRARY_DIR, load_library
from threatlib.render.diagram import draw_diagrams
from threatlib.render.report import render_html

HOST = "127.0.0.1"
POLL_SECONDS = 0.25
SHELL_SCRIPT = """(function () {
  "use strict";
  var frame = document.getElementById("report"), box = document.getElementById("problems"), state = document.getElementById("state");
  var shown = -1;
  function show(status) {
    while (box.firstChild) box.removeChild(box.firstChild);
    status.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; box.appendChild(li); });
    box.parentNode.hidden = !status.problems.length;
    state.textContent = status.problems.length
      ? status.problems.length + " problem" + (status.problems.length > 1 ? "s" : "") + " in the last save; showing the last good report"
      : (status.rendered ? "Up to date (render " + status.version + ")" : "Waiting for a valid model");
    document.body.setAttribute("data-version", status.version);
    if (status.rendered !== shown) {
      // The new report opens where the reader was: the same view (fragment) and the same scroll position.
      shown = status.rendered;
      var hash = "", x = 0, y = 0;
      var view = frame.contentWindow;
      try { hash = view.location.hash; x = view.scrollX; y = view.scrollY; } catch (e) { hash = ""; }
      frame.onload = function () { frame.contentWindow.scrollTo(x, y); };
      frame.src = "report.html?r=" + status.rendered + hash;
    }
  }
  function refresh() { fetch("status.json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(show); }
  var events = new EventSource("events");
  events.onmessage = refresh;
  refresh();
})();"""
SHELL_CSS = """body { margin: 0; font-family: sans-serif; color: #1a1a1a; background: white;
  display: flex; flex-direction: column; height: 100vh; }
header { padding: 0.4em 0.8em; border-bottom: 1px solid #6b6b6b; background: #f7f7f7; }
header h1 { font-size: 1em; margin: 0; display: inline; } #state { margin-left: 1em; }
#problems-box { border: 2px solid #a4161a; background: #fff5f5; margin: 0.5em 0.8em; padding: 0.3em 0.8em; }
#problems-box h2 { font-size: 1em; margin: 0.2em 0; color: #a4161a; }
#problems { font-family: monospace; margin: 0.2em 0; padding-left: 1.2em; white-space: pre-wrap; }
iframe { flex: 1; border: 0; width: 100%; }"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


class Preview:
    """What is served, rebuilt from the model whenever a watched file changes."""

    def __init__(self, model: Path, library_dir: Path | None):
        self.model = model
        self.library_dir = library_dir
        self.files: dict[str, bytes] = {}  # the last good report and its diagrams, by name
        self.problems: list[str] = []
        self.version = 0  # counts every check, good or bad
        self.rendered = 0  # the version of the last good render
        self.seen: tuple = ()  # the watched files' stamps when the last build began
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    def watched(self) -> list[Path]:
        paths = [self.model]
        if self.library_dir is not None:
            paths += sorted(p for p in self.library_dir.rglob("*") if p.is_file())
        return paths

    def stamp(self) -> tuple:
        stamps = []
        for path in self.watched():
            try:
                info = path.stat()
                stamps.append((str(path), info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append((str(path), None, None))
        return tuple(stamps)

    def build(self) -> None:
        """Validate and render; keep the last good report when the model has problems."""
        # Stamped before reading: a save during the build, or before the watcher's first look, is seen next time.
        self.seen = self.stamp()
        try:
            library = load_library(LIBRARY_DIR, user=(self.library_dir,) if self.library_dir is not None else ())
            _, analysis = pipeline.analyse_file(self.model, library)
            drawing = draw_diagrams(analysis)
            files = {name: data for name, data in drawing.files.items() if name.endswith(".svg")}
            files["report.html"] = render_html(analysis, drawing.files["dfd.svg"], "image/svg+xml",
                                               interactive=True).encode("utf-8")
            problems: list[str] = []
        except InputError as exc:
            files, problems = None, [str(p) for p in exc.problems]
        except EnvironmentProblem as exc:
            files, problems = None, [shown(str(exc))]
        except OSError as exc:
            files, problems = None, [str(EnvironmentProblem.from_os_error(str(self.model), "read", exc))]
        with self.changed:
            self.version += 1
            self.problems = problems
            if files is not None:
                self.files = files
                self.rendered = self.version
            self.changed.notify_all()

    def watch(self, say: Callable[[str], None]) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            if self.stamp() != self.seen:
                self.build()
                say(f"{self.model}: " + (f"{len(self.problems)} problem(s)" if self.problems else "rendered"))
                for p in self.problems:
                    say(p)

    def status(self) -> bytes:
        with self.changed:
            return orjson.dumps({"version": self.version, "rendered": self.rendered, "problems": self.problems})

    def shell(self) -> bytes:
        name = html.escape(shown(str(self.model)))
        csp = (f"default-src 'none'; script-src {_digest(SHELL_SCRIPT)}; style-src {_digest(SHELL_CSS)}; "
               "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'")
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">'
                f"<title>Preview: {name}</title><style>{SHELL_CSS}</style></head><body>"
                f'<header><h1>Preview of {name}</h1><span id="state" aria-live="polite">Starting</span></header>'
                f'<section id="problems-box" hidden><h2>Problems in the last save</h2><ul id="problems"></ul></section>'
                f'<iframe id="report" title="The last good report"></iframe>'
                f"<script>{SHELL_SCRIPT}</script></body></html>").encode()


def handler(preview: Preview, port: int) -> type[http.server.BaseHTTPRequestHandler]:
    allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args) -> None:  # noqa: A002 - the signature http.server gives
            pass  # the terminal shows what the watcher finds, not every request

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.headers.get("Host", "") not in allowed_hosts:
                return self._send(403, b"this preview answers only for 127.0.0.1 and localhost\n", "text/plain")
            path = urlsplit(self.path).path
            if path == "/":
                return self._send(200, preview.shell(), "text/html; charset=utf-8")
            if path == "/status.json":
                return self._send(200, preview.status(), "application/json")
            if path == "/events":
                return self._events()
            name = path[1:]
            with preview.changed:
                body = preview.files.get(name)  # names the preview made itself; nothing is read from disk
            if body is None:
                return self._send(404, b"not part of this preview\n", "text/plain")
            kind = "text/html; charset=utf-8" if name.endswith(".html") else "image/svg+xml"
            return self._send(200, body, kind)

        def _send(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            """Server-Sent Events: one message per check, a comment now and then to notice a closed page."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            sent = -1
            try:
                while not preview.stopping.is_set():
                    with preview.changed:
                        if preview.version == sent:
                            preview.changed.wait(5)
                        version = preview.version
                    if version != sent:
                        sent = version
                        self.wfile.write(f"data: {version}\n\n".encode("ascii"))
                    else:
                        self.wfile.write(b": waiting\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def serve(model: Path, port: int, library_dir: Path | None, say: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM; then close the socket and return."""
    preview = Preview(model, library_dir)
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), None)  # bound before the handler knows its port
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise EnvironmentProblem(f"{HOST}:{port}", "listen", reason, "choose another --port (0 picks a free one)") from None
    server.daemon_threads = True
    preview.build()  # once the port is ours: a port in use is said at once
    for p in preview.problems:
        say(p)
    server.RequestHandlerClass = handler(preview, server.server_address[1])
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True),
               threading.Thread(target=preview.watch, args=(say,), daemon=True)]
    for t in threads:
        t.start()
    say(f"serving {model} at http://{HOST}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        server.shutdown()
        server.server_close()
        for s, h in previous.items():
            signal.signal(s, h)
        say("stopped")
