"""check-sources against a web server the test starts on 127.0.0.1: never the internet."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from conftest import TESTS

from threatlib.cli import main
from threatlib.documents.common import Source
from threatlib.sources_check import title_matches, wayback_address


class Site:
    """What the test server answers, and how many requests it held at once."""

    def __init__(self) -> None:
        self.pages = {
            "/test-source": (200, "<html><head><title>A source used only by the tests</title></head></html>"),
            "/same": (200, "<html><head><title>Report same | Daily A</title></head><body>v1</body></html>"),
            "/old-new": (200, "<html><head><title>Report old | Daily A</title></head></html>"),
            "/renamed": (200, "<html><head><title>Cookie settings</title></head></html>"),
            "/gone": (404, "not here"),
            "/blocked": (403, "no robots"),
            "/slow": (200, "<title>Report slow</title>"),
        }
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests: list[str] = []


@pytest.fixture()
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            with state.lock:
                state.requests.append(self.path)
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            try:
                if self.path == "/old":
                    self.send_response(301)
                    self.send_header("Location", "/old-new")
                    self.end_headers()
                    return
                if self.path == "/slow":
                    time.sleep(2)  # longer than the client's timeout
                if self.path.startswith("/held"):
                    # Hold each request until a second one is in flight (or a while passes), so the client's bound shows.
                    deadline = time.monotonic() + 1.0
                    while time.monotonic() < deadline and state.in_flight < 2:
                        time.sleep(0.01)
                    status, body = 200, f"<title>Report {self.path.strip('/')}</title>"
                else:
                    status, body = state.pages[self.path]
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with state.lock:
                    state.in_flight -= 1

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def model_with(tmp_path, site, paths: list[str]):
    text = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("https://example.org/source", f"{site.base}/test-source")
    entries = "".join(f"  - id: src-{p.strip('/')}\n    title: Report {p.strip('/')}\n    publisher: Daily A\n"
                      f"    date: 2026-01-02\n    url: {site.base}{p}\n    kind: secondary\n" for p in paths)
    text = text.replace("\norganisations:", entries + "\norganisations:", 1)
    ids = ", ".join(f"src-{p.strip('/')}" for p in paths)
    text = text.replace("        sources: [test-source]\n", f"        sources: [test-source, {ids}]\n", 1)
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines()


def url_position(lines: list[str], url: str) -> str:
    [line] = [i + 1 for i, text in enumerate(lines) if text.endswith(f"url: {url}")]
    return f"{line}:{lines[line - 1].index(url) + 1}"


def run(*args: str):
    return CliRunner().invoke(main, ["check-sources", *args])


def test_dead_moved_renamed_refused_and_unreachable_pages_are_reported_with_an_archived_copy(tmp_path, site) -> None:
    path, lines = model_with(tmp_path, site, ["/same", "/old", "/renamed", "/gone", "/blocked", "/slow"])
    result = run(str(path), "--timeout", "0.5")
    archive = "https://web.archive.org/web/20260102/"

    def where(p: str) -> str:
        return f"{path}:{url_position(lines, site.base + p)}: source 'src-{p.strip('/')}' {site.base}{p}"

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"{where('/old')}: moved to {site.base}/old-new",
        f"{where('/renamed')}: the page's title is now 'Cookie settings'; archived copy: {archive}{site.base}/renamed",
        f"{where('/gone')}: dead (HTTP 404); archived copy: {archive}{site.base}/gone",
        f"{where('/blocked')}: the site refused the request (HTTP 403); check it in a browser",
        f"{where('/slow')}: no answer before the timeout; archived copy: {archive}{site.base}/slow",
        "7 addresses checked: 3 answered as recorded, 4 to look at",
    ]


def test_every_address_answering_as_recorded_exits_0(tmp_path, site) -> None:
    path, _ = model_with(tmp_path, site, ["/same"])
    result = run(str(path))
    assert (result.exit_code, result.output) == (0, "2 addresses checked: 2 answered as recorded, 0 to look at\n")


def test_no_more_requests_are_in_flight_than_the_bound(tmp_path, site) -> None:
    path, _ = model_with(tmp_path, site, [f"/held-{i}" for i in range(6)])
    result = run(str(path), "--concurrency", "2")
    assert result.exit_code == 0, result.output
    assert site.most_in_flight == 2
    assert sorted(site.requests) == sorted(["/test-source"] + [f"/held-{i}" for i in range(6)])


def test_a_recorded_digest_reveals_a_changed_page(tmp_path, site) -> None:
    path, lines = model_with(tmp_path, site, ["/same"])
    digests = tmp_path / "digests.json"
    assert run(str(path), "--digests", str(digests), "--record").exit_code == 0
    assert sorted(json.loads(digests.read_text())) == [f"{site.base}/same", f"{site.base}/test-source"]
    assert run(str(path), "--digests", str(digests)).exit_code == 0  # nothing changed yet
    site.pages["/same"] = (200, site.pages["/same"][1].replace("v1", "v2"))
    result = run(str(path), "--digests", str(digests))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:{url_position(lines, site.base + '/same')}: source 'src-same' {site.base}/same: content changed since "
        f"the recorded digest; archived copy: https://web.archive.org/web/20260102/{site.base}/same")


def test_an_address_cited_by_two_sources_is_fetched_once(tmp_path, site) -> None:
    path, _ = model_with(tmp_path, site, ["/same"])
    text = path.read_text().replace(f"url: {site.base}/test-source", f"url: {site.base}/same")
    text = text.replace("title: A source used only by the tests", "title: Report same")
    path.write_text(text)
    assert run(str(path)).exit_code == 0
    assert site.requests == ["/same"]


def test_a_bad_model_exits_2_before_fetching_anything(tmp_path, site) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("metadata: {}\n")
    result = run(str(bad))
    assert result.exit_code == 2
    assert site.requests == []


@pytest.mark.parametrize("date, expected", [
    ("2023-04-04", "https://web.archive.org/web/20230404/https://ico.org.uk/x"),
    ("2023-04", "https://web.archive.org/web/202304/https://ico.org.uk/x"),
    ("2023", "https://web.archive.org/web/2023/https://ico.org.uk/x"),
])
def test_the_archived_copy_is_the_wayback_machines_nearest_to_the_sources_date(date, expected) -> None:
    source = Source(id="s", title="t", publisher="p", date=date, url="https://ico.org.uk/x", kind="primary")
    assert wayback_address(source) == expected


@pytest.mark.parametrize("recorded, fetched, same", [
    ("ICO fines TikTok £12.7 million for misusing children's data",
     "ICO fines TikTok £12.7 million for misusing children's data | ICO", True),
    ("UK bans TikTok on government devices", "Page not found | Reuters", False),
    ("The Regulator's decision", "Decision of the Regulator", True),  # word order and small words do not matter
])
def test_a_title_matches_when_most_of_its_words_remain(recorded, fetched, same) -> None:
    assert title_matches(recorded, fetched) is same
