"""`threatlib serve` as an analyst uses it: started in its own process, the model edited, the page watched in Chromium.

Every wait is bounded and polls: the preview re-renders within a second or two of a save.
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TESTS

pytestmark = pytest.mark.browser

THREATLIB = Path(sys.executable).with_name("threatlib")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float = 30.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path):
    model = tmp_path / "small.yaml"
    model.write_text((TESTS / "models" / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen([str(THREATLIB), "serve", str(model), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    first = process.stdout.readline()  # the first line says where it serves, once the socket is open
    assert first == f"serving {model} at http://127.0.0.1:{port}/ (Ctrl-C stops)\n"
    yield model, port, process
    if process.poll() is None:
        process.kill()
        process.wait()


def _get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_serve_shows_the_problem_of_a_bad_save_and_the_diagram_of_a_good_one(served, browser) -> None:
    model, port, process = served
    good = model.read_text(encoding="utf-8")
    assert "name: Dublin data centre\n" in good
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/")
    report = page.frame_locator("#report")
    _wait_for(lambda: report.locator("#ix-diagram").count() == 1, what="the first diagram")
    assert page.is_hidden("#problems-box")

    # A bad save: the problem at its line and column, beside the last good diagram.
    bad = good.replace("name: Dublin data centre\n", "name: Dublin data centre\n    oprator: acme\n", 1)
    line = bad.splitlines().index("    oprator: acme") + 1
    model.write_text(bad, encoding="utf-8")
    _wait_for(lambda: page.is_visible("#problems-box"), what="the problems")
    problems = page.eval_on_selector_all("#problems li", "l => l.map(x => x.textContent)")
    assert problems == [f"{model}:{line}:5: unknown key 'oprator'; did you mean 'operator'?"]
    assert report.locator("#ix-diagram").count() == 1
    assert "Dublin data centre" in report.locator("#ix-diagram").text_content()

    # A good save that renames the element: the problems go and the new diagram shows the new name.
    model.write_text(good.replace("name: Dublin data centre\n", "name: Cork data centre\n", 1), encoding="utf-8")
    _wait_for(lambda: page.is_hidden("#problems-box"), what="the problems to go")
    _wait_for(lambda: "Cork data centre" in (report.locator("#ix-diagram").text_content(timeout=1000) or ""),
              what="the new diagram")
    assert "Dublin data centre" not in report.locator("#ix-diagram").text_content()
    page.close()

    # Only its own files, only for the loopback names.
    assert _get(port, "/report.html")[0] == 200
    assert _get(port, "/report.html", host=f"localhost:{port}")[0] == 200
    assert _get(port, "/../../../etc/passwd")[0] == 404
    assert _get(port, "/%2e%2e/small.yaml")[0] == 404
    assert _get(port, "/small.yaml")[0] == 404
    assert _get(port, "/report.html", host="evil.example")[0] == 403
    assert _get(port, "/", host=f"evil.example:{port}")[0] == 403

    # Ctrl-C: exit 0, and the port is closed.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    assert process.stdout.read().splitlines()[-1] == "stopped"
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_serve_listens_on_127_0_0_1_only(served) -> None:
    """Bound to 127.0.0.1 itself, not to every address: 127.0.0.2 reaches any socket bound to 0.0.0.0 on Linux."""
    _, port, _ = served
    assert _get(port, "/")[0] == 200
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.2", port), timeout=2):
        pass


def test_a_port_in_use_is_one_line_and_exit_3(served) -> None:
    model, port, _ = served
    second = subprocess.run([str(THREATLIB), "serve", str(model), "--port", str(port)], capture_output=True, text=True,
                            timeout=60)
    assert (second.returncode, second.stdout, second.stderr) == (
        3, "", f"127.0.0.1:{port}: cannot listen: address already in use; choose another --port (0 picks a free one)\n")


def test_a_save_in_the_library_folder_is_checked_too(tmp_path) -> None:
    import json

    from threatlib.library import LIBRARY_DIR

    library = tmp_path / "library"
    (library / "jurisdictions").mkdir(parents=True)
    # A user's own version of a built-in legal order, which says that it overrides it.
    built_in = (LIBRARY_DIR / "jurisdictions" / "IE.yaml").read_text(encoding="utf-8")
    (library / "jurisdictions" / "IE.yaml").write_text(built_in.replace("id: IE\n", "id: IE\noverrides: true\n", 1),
                                                       encoding="utf-8")
    model = tmp_path / "small.yaml"
    model.write_text((TESTS / "models" / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen([str(THREATLIB), "serve", str(model), "--port", str(port), "--library", str(library)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout.readline().startswith(f"serving {model} at http://127.0.0.1:{port}/")
        status = json.loads(_get(port, "/status.json")[1])
        assert (status["problems"], status["rendered"]) == ([], 1)
        ireland = library / "jurisdictions" / "IE.yaml"
        text = ireland.read_text(encoding="utf-8")
        line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("name:"))) + 1
        ireland.write_text(text.replace("name:", "nmae:", 1), encoding="utf-8")
        status = _wait_for(lambda: (s := json.loads(_get(port, "/status.json")[1]))["problems"] and s, what="the problem")
        assert status["rendered"] == 1  # the last good report stays
        expected = [f"{ireland}:1:1: missing required key 'name'", f"{ireland}:{line}:1: unknown key 'nmae';"]
        assert [p[: len(e)] for p, e in zip(status["problems"], expected, strict=True)] == expected
        ireland.write_text(text, encoding="utf-8")
        status = _wait_for(lambda: (s := json.loads(_get(port, "/status.json")[1]))["rendered"] > 1 and s, what="a render")
        assert status["problems"] == []
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
