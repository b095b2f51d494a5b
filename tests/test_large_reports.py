"""The printed report of a large estate sets out a few elements per threat; the HTML report keeps every finding."""

from __future__ import annotations

import io
import re

import pytest
from test_large_diagrams import large_model_text

from threatlib import pipeline
from threatlib.analysis.risk import RATINGS
from threatlib.render import PRINTED_DETAIL_LIMIT, render_all
from threatlib.render.report import ReportView, render_html

APPLIES = re.compile(r'<span class="applies" id="([^"]+)">')


@pytest.fixture(scope="module")
def analysis(library, tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "large.yaml"
    path.write_text(large_model_text(), encoding="utf-8")
    return pipeline.analyse_file(path, library)[1]


def expected_listing(analysis, limit: int | None) -> list[str]:
    """Finding ids in the order a report sets them out: threat by threat under its highest rating, strongest first
    when capped, each threat's findings in runs rated alike."""
    ids = []
    for groups in ReportView(analysis).legal_by_rating.values():
        for group in groups:
            if limit is not None and len(group) > limit:
                group = sorted(group, key=lambda f: (-RATINGS.index(f.risk.rating), f.element_id))[:limit]
            ids += [f.id for _, run in ReportView.rated_alike(group) for f in run]
    return ids


def test_the_printed_report_sets_out_the_strongest_few_per_threat_and_says_where_the_rest_are(analysis) -> None:
    html = render_html(analysis, b"", "image/png", link_files=False, detail_limit=3)
    assert APPLIES.findall(html) == expected_listing(analysis, 3)
    sizes = [len(g) for groups in ReportView(analysis).legal_by_rating.values() for g in groups if len(g) > 3]
    assert sizes  # the model is large enough that some threats reach more than three elements
    said = re.findall(r"The 3 highest-rated of its (\d+) elements are set out above; the other (\d+) are in the HTML report", html)
    assert said == [(str(n), str(n - 3)) for n in sizes]
    assert "This printed report of a large estate sets out at most 3 elements for each legal threat" in html


def test_the_printed_report_sums_pytm_findings_by_threat(analysis) -> None:
    html = render_html(analysis, b"", "image/png", link_files=False, detail_limit=3)
    technical = [f for f in analysis.findings if f.origin == "pytm"]
    for f in technical:
        assert f'<tr id="{f.id}">' not in html
    counts: dict[str, int] = {}
    for f in technical:
        counts[f.threat_id] = counts.get(f.threat_id, 0) + 1
    # Threats are gathered by the set of elements they hit: each set says how many elements it has, names at most
    # three of a large estate's, and lists its threats, each once.
    counted: dict[str, int] = {}
    for block in html.split('<div class="technical-set">')[1:]:
        elements = int(re.search(r"threats? on (\d+) elements?:", block).group(1))
        named = re.search(r'<span class="set-elements">([^<]*)</span>', block).group(1)
        assert named.count(", ") <= 3 and "…" not in named
        # on paper each threat is one line of a list in balanced columns, a <ul> a column, all inside the set's <div>
        for threat in re.findall(r"<li><code>([A-Z]+\d+)</code> ", block.split("</div>")[0]):
            assert threat not in counted
            counted[threat] = elements
    assert counted == counts


def test_the_html_report_keeps_every_finding(analysis) -> None:
    html = render_html(analysis, b"", "image/svg+xml")
    assert APPLIES.findall(html) == expected_listing(analysis, None)
    assert all(f'<tr id="{f.id}">' in html for f in analysis.findings if f.origin == "pytm")
    assert "This printed report" not in html


@pytest.mark.slow
def test_a_large_estate_prints_the_short_report(analysis) -> None:
    from pypdf import PdfReader

    files = render_all(analysis)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(files["report.pdf"])).pages)
    assert f"sets out at most {PRINTED_DETAIL_LIMIT} elements for each legal threat" in text
    assert "This printed report" not in files["report.html"].decode()
