"""The interactive report.html in a real browser (Debian's Chromium, headless, through Playwright).

Each test acts as a reader would (chooses a filter, clicks a node, follows a judgement's link) and checks what the
page then shows against the Analysis: exact sets of finding ids, element ids and flow ids, not counts alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from threatlib import pipeline

pytestmark = pytest.mark.browser

VISIBLE = "() => [...document.querySelectorAll('[data-finding]')].filter(r => r.offsetParent !== null).map(r => r.dataset.finding)"


@pytest.fixture(scope="module")
def tiktok(library, tmp_path_factory) -> tuple[Path, dict]:
    model = ROOT / "models" / "tiktok.yaml"
    written, _ = pipeline.report(model, library, tmp_path_factory.mktemp("ix"), pdf=False)
    return written / "report.html", pipeline.analyse_file(model, library)[1].model_dump(mode="json")


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    page.close()
    assert errors == []  # no script error, and no CSP violation on our own page


def _visible(page) -> set[str]:
    return set(page.evaluate(VISIBLE))


def test_filters_change_the_visible_findings_and_the_counts(tiktok, page, browser) -> None:
    report, analysis = tiktok
    findings = analysis["findings"]
    everything = {f["id"] for f in findings}
    page.goto(report.as_uri())
    assert _visible(page) == everything
    assert page.text_content("#ix-total") == f"All {len(findings)} findings shown"

    page.select_option("#ix-filter-order", "CN")
    chinese = {f["id"] for f in findings if "CN" in f["jurisdictions"]}
    assert chinese and chinese != everything
    assert _visible(page) == chinese
    assert page.text_content("#ix-total") == f"{len(chinese)} of {len(findings)} findings shown"
    # Each severity heading counts what is left of it; a severity with nothing left disappears.
    headings = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('[data-severity-heading]')]"
                             ".map(h => [h.dataset.severityHeading, h.offsetParent ? h.querySelector('.ix-count').textContent : null]))")
    expected = {}
    for severity in {f["severity"] for f in findings}:
        total = sum(f["severity"] == severity for f in findings)
        left = sum(f["severity"] == severity and f["id"] in chinese for f in findings)
        expected[severity] = f"{left} of {total}" if left else None
    assert headings == expected
    # The other filters' options count what each would leave.
    option = page.text_content("#ix-filter-rating option[value='very high']")
    assert option.endswith(f"({sum(f['risk']['rating'] == 'very high' for f in findings if f['id'] in chinese)})")

    page.select_option("#ix-filter-rating", "very high")
    page.fill("#ix-filter-q", "@dublin-dc")
    narrowed = {f["id"] for f in findings
                if "CN" in f["jurisdictions"] and f["risk"]["rating"] == "very high" and f["element_id"] == "dublin-dc"}
    assert narrowed and _visible(page) == narrowed

    # The view is in the fragment: a new page opened at that address shows the same findings.
    shared = page.url
    assert "#view:" in shared and "order=CN" in shared
    other = browser.new_page()
    other.goto(shared)
    assert _visible(other) == narrowed
    assert other.input_value("#ix-filter-q") == "@dublin-dc"
    other.close()

    page.click("text=Clear filters")
    assert _visible(page) == everything
    assert "#view:" not in page.url


def test_status_and_family_filters(tiktok, page) -> None:
    report, analysis = tiktok
    findings = analysis["findings"]
    page.goto(report.as_uri())
    page.select_option("#ix-filter-family", "legal-compulsion")
    assert _visible(page) == {f["id"] for f in findings if f["family"] == "legal-compulsion"}
    decided = {d["finding"]: d["decision"] for d in analysis["decisions"]}
    statuses = sorted(set(decided.values()) | {"open"})
    page.select_option("#ix-filter-family", "")
    page.select_option("#ix-filter-status", "open")
    assert _visible(page) == {f["id"] for f in findings if f["id"] not in decided}
    assert page.eval_on_selector_all("#ix-filter-status option", "o => o.map(x => x.value)") == ["", *statuses]


def test_clicking_a_diagram_element_shows_its_panel(tiktok, page) -> None:
    report, analysis = tiktok
    element = next(e for e in analysis["elements"] if e["id"] == "dublin-dc")
    page.goto(report.as_uri())
    assert page.is_hidden("#ix-panel")
    page.click("#ix-diagram [data-element='dublin-dc']")
    assert page.text_content("#ix-panel-title") == element["name"]
    listed = set(page.eval_on_selector_all("#ix-panel li a[href^='#']", "a => a.map(x => x.textContent)"))
    assert listed == {f["id"] for f in analysis["findings"] if f["element_id"] == "dublin-dc"}
    bases = {(b["label"]) for c in analysis["compulsion"] if c["element"] == "dublin-dc" for b in c["bases"]}
    panel = page.text_content("#ix-panel")
    assert bases and all(label in panel for label in bases)
    assert page.eval_on_selector_all("#ix-diagram .ix-selected", "n => n.map(x => x.dataset.element)") == ["dublin-dc"]
    # Every exposure path through it is drawn highlighted, and nothing off those paths.
    through = [x for x in analysis["exposures"] if "dublin-dc" in x["elements"]]
    on_paths = {e for x in through for e in x["elements"]}
    assert set(page.eval_on_selector_all("#ix-diagram g.node.ix-path", "n => n.map(x => x.dataset.element)")) == on_paths
    assert "select=element%3Adublin-dc" in page.url

    page.click("#ix-panel button:text('Show only its findings')")
    assert _visible(page) == listed
    assert page.input_value("#ix-filter-element") == "dublin-dc"

    # By keyboard: another element, focused and opened with Enter; a flow with Space.
    other = next(e for e in analysis["elements"] if e["id"] != "dublin-dc" and e["kind"] != "external_entity")
    page.focus(f"#ix-diagram [data-element='{other['id']}']")
    page.keyboard.press("Enter")
    assert page.text_content("#ix-panel-title") == other["name"]
    assert page.evaluate("() => document.activeElement.id") == "ix-panel-title"
    flow = analysis["flows"][0]
    edge = page.locator(f"#ix-diagram [data-flows~='{flow['id']}']")
    edge.focus()
    page.keyboard.press(" ")
    assert flow["name"] in page.text_content("#ix-panel-title")
    page.click("#ix-panel button:text('Close')")
    assert page.is_hidden("#ix-panel")
    assert page.eval_on_selector_all("#ix-diagram .ix-selected, #ix-diagram .ix-path", "n => n.length") == 0


def test_a_judgements_link_highlights_its_route(tiktok, page) -> None:
    report, analysis = tiktok
    page.goto(report.as_uri())
    for judgement in analysis["judgements"]:
        code, route = judgement["jurisdiction"], judgement["route"]
        page.click(f"[data-judgement='{code}'] a.ix-route")
        assert page.url.endswith(f"#view:route={code}")
        nodes = set(page.eval_on_selector_all("#ix-diagram g.node.ix-path", "n => n.map(x => x.dataset.element)"))
        assert nodes == set(route["elements"])
        edges = page.eval_on_selector_all("#ix-diagram g.edge.ix-path", "n => n.map(x => x.dataset.flows.split(' '))")
        assert {f for group in edges for f in group} >= set(route["flows"])
        assert all(set(group) & set(route["flows"]) for group in edges)
        assert judgement["name"] in page.text_content("#ix-panel-title")
        # Its sources link to the numbered list.
        cited = page.eval_on_selector_all(f"[data-judgement='{code}'] .ix-sources a", "a => a.map(x => x.getAttribute('href'))")
        assert cited and all(page.locator(href.replace("#", "#", 1)).count() == 1 for href in cited)


def test_the_controls_are_hidden_in_print_and_every_finding_prints(tiktok, page) -> None:
    report, analysis = tiktok
    page.goto(report.as_uri() + "#view:order=CN")
    page.emulate_media(media="print")
    assert page.is_hidden("#ix-filters")
    assert len(_visible(page)) == len(analysis["findings"])


def _hostile_report(library, folder: Path) -> Path:
    from test_browser import _hostile_model

    model = folder / "hostile.yaml"
    model.write_text(_hostile_model(), encoding="utf-8")
    written, _ = pipeline.report(model, library, folder / "reports", pdf=False)
    return written / "report.html"


def test_a_hostile_models_page_runs_nothing_it_was_given(library, browser, tmp_path) -> None:
    """The hostile names stay text, in the page and in the panel the script fills; and markup smuggled into the
    file after rendering (as a template bug would let through) is refused by the page's CSP, not run."""
    report = _hostile_report(library, tmp_path)
    text = report.read_text(encoding="utf-8")
    title = None
    smuggled = report.with_name("smuggled.html")
    smuggled.write_text(text.replace("<body>", "<body><script>document.title='pwned';alert('inline')</script>"
                                     "<img src=x onerror=\"alert('onerror')\"><a id=js href=\"javascript:alert('href')\">x</a>", 1),
                        encoding="utf-8")
    for path in (report, smuggled):
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.add_init_script("window.refused = []; document.addEventListener('securitypolicyviolation',"
                             " e => window.refused.push([e.effectiveDirective, e.blockedURI, e.disposition]))")
        page.goto(path.as_uri())
        page_title = page.title()
        if path == smuggled:
            page.click("#js")
        # Our script ran, and filled the panel with the hostile names as text.
        assert page.evaluate("() => document.documentElement.classList.contains('ix-ready')")
        page.click("#ix-diagram [data-element='handset']")
        assert page.text_content("#ix-panel-title") == "<img src=x onerror=\"document.title='pwned';alert('onerror')\">"
        page.click("#ix-diagram [data-element='beijing-eng']")
        assert page.text_content("#ix-panel-title") == '=HYPERLINK("http://evil.example","click") \\x07 bell'  # as the page shows it
        assert page.eval_on_selector_all("#ix-panel *", "n => n.filter(x => /^(table|td|script|img|svg)$/i.test(x.tagName)).length") == 0
        page.fill("#ix-filter-q", "<script>")
        page.wait_for_timeout(200)
        assert dialogs == []
        assert page.title() == page_title
        refused = page.evaluate("window.refused")
        if title is None:
            title = page_title
            assert refused == []
        else:
            assert page_title == title  # the smuggled script never retitled the page
            # Refused by the browser: the inline script, the event handler, the image and the javascript: link.
            assert refused == [["script-src-elem", "inline", "enforce"], ["script-src-attr", "inline", "enforce"],
                               ["img-src", "file", "enforce"], ["script-src-elem", "inline", "enforce"]]
        page.close()


def test_the_diagram_zooms_and_the_zoom_is_part_of_the_shared_view(tiktok, page) -> None:
    report, _ = tiktok
    page.goto(report.as_uri())
    natural = int(page.get_attribute("#ix-diagram", "data-width"))
    fitted = page.evaluate("() => document.getElementById('ix-diagram').getBoundingClientRect().width")
    assert fitted < natural  # TikTok's diagram is wider than the page
    page.click("text=Zoom in")
    page.click("text=Zoom in")
    assert page.text_content(".ix-zoom-state") == "100% of full size"
    assert page.evaluate("() => document.getElementById('ix-diagram').getBoundingClientRect().width") == natural
    assert page.url.endswith("#view:zoom=2")
    page.goto(report.as_uri() + "#view:zoom=3&select=element%3Adublin-dc")
    page.reload()
    assert page.text_content(".ix-zoom-state") == "150% of full size"
    assert page.text_content("#ix-panel-title") == "Dublin data centre"
    page.click("text=Fit to page")
    assert page.url.endswith("#view:select=element%3Adublin-dc")


CONTRAST = """(SCOPE) => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    if (rgb(c).length < 4 || rgb(c)[3] > 0) return rgb(c).slice(0, 3); } return [255, 255, 255]; };
  const worst = {};
  for (const e of document.querySelectorAll(SCOPE)) {
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || !e.offsetParent) continue;
    const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const key = e.tagName + '.' + e.className;
    worst[key] = Math.min(worst[key] || 99, Math.floor(ratio * 100) / 100);
  }
  return worst;
}"""


def test_the_page_meets_wcag_aa_contrast_and_fits_at_200_percent_zoom(tiktok, browser) -> None:
    report, _ = tiktok
    # 200% zoom on a 1280 pixel wide window: 640 CSS pixels.
    for width in (1280, 640):
        page = browser.new_page(viewport={"width": width, "height": 900 * width // 1280})
        page.goto(report.as_uri() + "#view:select=element%3Adublin-dc")
        ratios = page.evaluate(CONTRAST, "body *")  # every text in the page, the report's own too
        assert len(ratios) > 5 and {k: r for k, r in ratios.items() if r < 4.5} == {}
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing to scroll sideways
        sticky = page.evaluate("() => getComputedStyle(document.getElementById('ix-filters')).position")
        assert sticky == ("sticky" if width == 1280 else "static")  # at 200% the filters would cover the findings
        page.close()
