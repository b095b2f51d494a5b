"""A hostile model's outputs opened in a real browser (Debian's Chromium, headless, through Playwright): nothing runs.

Every name that could carry code does: a <script> that retitles the page and opens a dialog, an image whose
error handler does the same, an HTML-like Graphviz label with a javascript: link cell. Each SVG and the HTML report
is opened; the title must stay what it was, no dialog may open, no script element may exist, no element may carry
an event attribute, and no link may lead to javascript: or data:. Clicking every link proves it once more.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import TESTS
from estates import estate_text

from threatlib import pipeline

pytestmark = pytest.mark.browser

PAYLOADS = {
    "    name: UK user\n": "<script>document.title='pwned';alert('script')</script>",
    "    name: UK user's phone\n": "<img src=x onerror=\"document.title='pwned';alert('onerror')\">",
    "  - id: phone\n    name: User's phone\n": '<<TABLE><TR><TD HREF="javascript:alert(document.domain)"> x </TD></TR></TABLE>>',
    "    name: App update\n": "<svg onload=alert('svg')><a href='javascript:alert(1)'>x</a></svg>",
    "    name: Parent Co\n": "<<TABLE HREF=\"data:text/html,<script>alert(1)</script>\"><TR><TD> y </TD></TR></TABLE>>",
}

INSPECT = """() => {
  const all = [...document.querySelectorAll('*')];
  const link = e => (e.getAttribute('href') || e.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '').trim().toLowerCase();
  return {
    title: document.title,
    scripts: document.querySelectorAll('script').length,
    events: all.flatMap(e => [...e.attributes].filter(a => a.name.toLowerCase().startsWith('on')).map(a => e.tagName + ' ' + a.name)),
    bad_links: all.map(link).filter(h => h.startsWith('javascript:') || h.startsWith('data:')),
    links: all.filter(e => link(e)).length,
  };
}"""


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _hostile_model() -> str:
    text = (TESTS / "models" / "hostile.yaml").read_text(encoding="utf-8")
    for line, name in PAYLOADS.items():
        assert text.count(line) == 1, line
        text = text.replace(line, line.rsplit("name:", 1)[0] + "name: " + _quoted(name) + "\n")
    return text


def _large_hostile_model() -> str:
    """Large enough to be drawn as an overview and boundary diagrams, which link to each other."""
    text = estate_text(160)
    for plain, name in zip(("Zone 0", "Zone 1", "Organisation 0", "Asset 3", "Flow 4"), PAYLOADS.values(), strict=True):
        text, count = re.subn(f"name: {plain}(?=[,}}])", "name: " + _quoted(name), text)
        assert count == 1, plain
    return text


def _report(library, folder: Path, text: str) -> Path:
    model = folder / "hostile.yaml"
    model.write_text(text, encoding="utf-8")
    written, _ = pipeline.report(model, library, folder / "reports", pdf=False)
    return written


@pytest.fixture(scope="module")
def small_outputs(library, tmp_path_factory) -> Path:
    return _report(library, tmp_path_factory.mktemp("browser"), _hostile_model())


@pytest.fixture(scope="module")
def large_outputs(library, tmp_path_factory) -> Path:
    return _report(library, tmp_path_factory.mktemp("browser"), _large_hostile_model())


def _written_title(path: Path) -> str:
    """The title the file gives itself: an HTML page's <title>; none for dot's SVG, whose titles sit inside groups."""
    if path.suffix == ".svg":
        return ""
    return " ".join(html.unescape(re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)[1]).split())


@pytest.mark.slow
@pytest.mark.parametrize("outputs", ["small_outputs", "large_outputs"])
def test_nothing_in_the_hostile_reports_runs(outputs, browser, request) -> None:
    hostile_outputs = request.getfixturevalue(outputs)
    pages = sorted(p.name for p in hostile_outputs.iterdir() if p.suffix in {".svg", ".html"})
    assert "report.html" in pages and "dfd.svg" in pages
    assert outputs == "small_outputs" or len(pages) > 5  # the large model's boundary diagrams too
    seen = {}
    for name in pages:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.goto((hostile_outputs / name).as_uri())
        page.wait_for_timeout(300)  # time for any onload or onerror handler to fire
        state = page.evaluate(INSPECT)
        # Click every link the page has (boundary diagrams link to each other): none may run code. Each link is
        # clicked on a fresh copy of the page, so a link that navigates cannot leave the next one stale.
        uri = (hostile_outputs / name).as_uri()
        for index in range(len(page.query_selector_all("a"))):
            probe = browser.new_page()
            probe.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
            probe.goto(uri)
            try:
                probe.query_selector_all("a")[index].click(timeout=1000)
            except Exception:  # noqa: BLE001 - a link drawn outside the viewport or covered cannot be clicked
                pass
            probe.wait_for_timeout(50)
            probe.close()
        after = page.evaluate("() => document.title")
        written = _written_title(hostile_outputs / name)
        seen[name] = {"dialogs": dialogs, "title changed": {" ".join(state["title"].split()), " ".join(after.split())} != {written},
                      "scripts": state["scripts"], "events": state["events"], "bad_links": state["bad_links"]}
        page.close()
    expected = {"dialogs": [], "title changed": False, "scripts": 0, "events": [], "bad_links": []}
    # report.html's own two: its data block and its script, allowed by hash (tests/test_report_browser.py)
    assert seen == {name: dict(expected, scripts=2 if name == "report.html" else 0) for name in pages}


def test_the_hostile_names_are_in_the_pages_as_text(small_outputs, browser) -> None:
    hostile_outputs = small_outputs
    page = browser.new_page()
    page.goto((hostile_outputs / "dfd.svg").as_uri())
    text = page.evaluate("() => document.documentElement.textContent")
    page.close()
    flat = "".join(text.split())
    assert "<script>document.title='pwned';" in flat  # drawn, as characters
    assert 'HREF="javascript:alert(document.domain)">' in flat
    page = browser.new_page()
    page.goto((hostile_outputs / "report.html").as_uri())
    body = page.evaluate("() => document.body.innerText")
    page.close()
    assert "<script>document.title='pwned';alert('script')</script>" in body
    assert "<svg onload=alert('svg')><a href='javascript:alert(1)'>x</a></svg>" in body
