"""The printed report of a large estate sets out a few elements per threat; the HTML report keeps every finding."""

from __future__ import annotations

import io
import re

import pytest
from estates import estate_file
from test_large_diagrams import large_model_text

from threatlib import pipeline
from threatlib.analysis.risk import RATINGS
from threatlib.render import PRINTED_DETAIL_LIMIT, render_all
from threatlib.render.estate_summary import SUMMARY_LIMIT
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


def _printed(analysis) -> str:
    return render_html(analysis, b"", "image/png", link_files=False, detail_limit=PRINTED_DETAIL_LIMIT)


def _strength(findings) -> tuple[int, ...]:
    """More legal findings at the highest rating first, then at the next."""
    return tuple(-sum(1 for f in findings if f.origin == "threatlib" and f.risk.rating == r) for r in reversed(RATINGS))


def test_the_printed_report_of_a_large_estate_sums_its_findings_up_in_place_of_the_appendix(analysis) -> None:
    html = _printed(analysis)
    assert re.findall(r'<section id="([^"]+)"', html) == [
        "summary", "judgements", "findings", "exposure", "diagram", "legal", "technical", "organisations", "appendix",
        "sources"]
    assert '<section id="appendix" class="estate-summary">' in html
    for every_row in ('class="element-detail"', 'class="flow-findings"', 'class="why-applies"'):
        assert every_row not in html
    where = re.search(r'<p class="where-lists">(.*?)</p>', html, re.S).group(1)
    assert all(f"<code>{name}</code>" in where for name in ("report.html", "threats.csv", "threats.json"))
    assert "an appendix summing the findings up by threat and by trust boundary" in html
    # The report for a screen, and the printed report of a model drawn in one picture, keep the full appendix.
    assert 'class="estate-summary"' not in render_html(analysis, b"", "image/svg+xml")
    assert 'class="estate-summary"' not in render_html(analysis, b"", "image/png", link_files=False)


def test_the_summed_up_findings_count_every_legal_finding_once(analysis) -> None:
    summary = ReportView(analysis, PRINTED_DETAIL_LIMIT).estate
    legal = [f for f in analysis.findings if f.origin == "threatlib"]
    by_threat = {t.threat_id: (reached, {r: n for r, n in tally.legal.items() if n}) for t, reached, tally in summary.by_threat}
    expected: dict[str, dict[str, int]] = {}
    for f in legal:
        expected.setdefault(f.threat_id, {}).setdefault(f.risk.rating, 0)
        expected[f.threat_id][f.risk.rating] += 1
    assert {t: counts for t, (_, counts) in by_threat.items()} == expected
    assert {t: reached for t, (reached, _) in by_threat.items()} == {
        t: len({f.element_id for f in legal if f.threat_id == t}) for t in expected}
    # Boundary by boundary, then the flows: every finding is counted on the boundary its element is written in.
    boundary_of = {e.id: e.boundary for e in analysis.elements}
    names = {b.id: b.name for b in analysis.boundaries} | {None: "Outside any boundary"}
    per_boundary = {names[b]: [f for f in analysis.findings if f.element_id in boundary_of and boundary_of[f.element_id] == b]
                    for b in dict.fromkeys(boundary_of.values())}
    assert summary.boundary_count == len(per_boundary) <= summary.limit
    assert [(b.name, b.elements) for b in summary.boundaries] == sorted(
        ((n, sum(1 for e in analysis.elements if names[e.boundary] == n)) for n in per_boundary),
        key=lambda x: _strength(per_boundary[x[0]]))
    for b in summary.boundaries:
        assert b.tally.technical == sum(1 for f in per_boundary[b.name] if f.origin == "pytm")
        assert b.tally.strength == tuple(-n for n in _strength(per_boundary[b.name]))
    on_flows = [f for f in analysis.findings if f.element_id not in boundary_of]
    assert summary.flow_count == len({f.element_id for f in on_flows})
    assert summary.flows.strength == tuple(-n for n in _strength(on_flows))
    assert sum(b.tally.legal_count for b in summary.boundaries) + summary.flows.legal_count == len(legal)


def test_the_boundaries_and_elements_beyond_the_limit_are_counted_together(analysis) -> None:
    from threatlib.render.estate_summary import estate_summary

    view = ReportView(analysis)
    whole, capped = estate_summary(analysis, view.legal_by_rating, 50), estate_summary(analysis, view.legal_by_rating, 2)
    assert [b.name for b in capped.boundaries] == [b.name for b in whole.boundaries[:2]]
    rest = whole.boundaries[2:]
    assert capped.other_boundaries.elements == sum(b.elements for b in rest)
    assert capped.other_boundaries.tally.technical == sum(b.tally.technical for b in rest)
    assert capped.other_boundaries.tally.legal == {r: sum(b.tally.legal[r] for b in rest) for r in capped.ratings} | {
        r: 0 for r in RATINGS if r not in capped.ratings}
    # The elements rated highest: the most legal findings at the top rating, then the next; ties in the model's order.
    found = {e.id: [f for f in analysis.findings if f.element_id == e.id] for e in analysis.elements}
    ranked = sorted((e for e in analysis.elements if any(f.origin == "threatlib" for f in found[e.id])),
                    key=lambda e: _strength(found[e.id]))
    assert [x.element.id for x in whole.elements] == [e.id for e in ranked]
    assert [x.element.id for x in capped.elements] == [e.id for e in ranked[:2]]
    assert capped.rated_at_top == sum(1 for e in ranked if any(f.risk.rating == capped.top_rating for f in found[e.id]
                                                               if f.origin == "threatlib"))
    html = _printed(analysis)
    listed = re.findall(r"<tr><td><strong>[^<]*</strong> <code>@([^<]+)</code>", html.split('class="estate-summary"')[1])
    assert listed == [e.id for e in ranked[:SUMMARY_LIMIT]]


@pytest.mark.slow
def test_a_5000_asset_estate_prints_a_reader_sized_report(library, tmp_path) -> None:

    from pypdf import PdfReader

    from threatlib.render import report_pdf

    analysis = pipeline.analyse_file(estate_file(tmp_path, 5000), library)[1]
    pages = PdfReader(io.BytesIO(report_pdf(analysis, lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>"))).pages
    assert len(pages) <= 30  # 290 when it set out every element and flow
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    for heading in ("Key judgements", "Legal findings", "Technical findings (OWASP pytm)",
                    "Appendix: the findings summed up", "Legal findings by threat", "Findings by trust boundary",
                    "The elements rated highest", "Sources"):
        assert heading in text
    assert "The complete lists are beside it: report.html" in text
    assert "The other 230 boundaries" in text
