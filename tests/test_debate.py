"""The public debate: each claim made about the app, who made it and when, assessed against the model's evidence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from pypdf import PdfReader

from threatlib import pipeline
from threatlib.render.brief import BriefView
from threatlib.render.report import render_html, render_pdf

DEBATE = """
debate:
  - id: it-is-spyware
    said_by: A <b>columnist</b>
    said_on: 2026-02
    claim: The app is <script>alert(1)</script> spyware.
    sources: [news-a]
    assessment: not_supported
    reasoning: The model records no covert collection & no state request.
    in_short: No evidence of covert collection.
    evidence:
      - statement: The regulator found the transfers unlawful.
        status: confirmed
        sources: [test-source]
      - statement: The company says it never shared data.
        status: vendor_claim
        sources: [copy-a, news-a]
"""
SOURCES = """  - id: news-a
    title: A column
    publisher: Daily A
    date: 2026-02-01
    url: https://example.org/news-a
    kind: secondary
  - id: copy-a
    title: A column, reprinted
    publisher: Aggregator (republishing Daily A)
    date: 2026-02-02
    url: https://example.org/copy-a
    kind: mirror
    mirror_of: news-a
"""


@pytest.fixture(scope="module")
def debated(tmp_path_factory, library):
    text = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("\norganisations:", SOURCES + "\norganisations:", 1) + DEBATE
    path = tmp_path_factory.mktemp("debate") / "debated.yaml"
    path.write_text(text, encoding="utf-8")
    return pipeline.analyse_file(path, library)[1]


def test_the_analysis_carries_each_claim_with_its_assessment_and_the_basis_of_its_evidence(debated) -> None:
    [said] = debated.debate
    assert (said.id, said.said_by, said.said_on, said.assessment) == (
        "it-is-spyware", "A <b>columnist</b>", "2026-02", "not_supported")
    assert [(c.status, c.sources) for c in said.evidence] == [("confirmed", ["test-source"]),
                                                             ("vendor_claim", ["copy-a", "news-a"])]
    # The reprint is counted as the column it copies: one outlet, not two.
    assert (said.primary_publishers, said.secondary_publishers) == (["threatlib tests"], ["Daily A"])


def test_a_model_without_a_debate_has_none_and_no_debate_page(small_analysed) -> None:
    analysis = small_analysed[1]
    assert analysis.debate == []
    assert "What has been said" not in render_html(analysis, b"", "image/png")


def test_the_report_sets_out_reasoning_and_evidence_and_escapes_the_model_text(debated) -> None:
    html = render_html(debated, b"", "image/png")
    page = html[html.index('<section class="brief debate debate-full"'):]
    page = page[:page.index("</section>")]
    assert "The app is &lt;script&gt;alert(1)&lt;/script&gt; spyware." in page
    assert "A &lt;b&gt;columnist&lt;/b&gt;, 2026-02" in page
    assert "<strong>Assessment: not supported.</strong> The model records no covert collection &amp; no state request." in page
    # Sources are numbered in order of first citation on the page, each listed once.
    assert [line.split(". ")[0].split(">")[-1] for line in page.split('<li id="debate-src-')[1:]] == ["D1", "D2", "D3"]
    assert page.index('id="debate-src-news-a"') < page.index('id="debate-src-test-source"') < page.index('id="debate-src-copy-a"')


def test_the_brief_gives_the_debate_one_page_as_a_table(debated) -> None:
    html = render_html(debated, b"", "image/png", template="brief.html", view=BriefView,
                       stylesheets=("report.css", "brief.css"))
    pages = PdfReader(io.BytesIO(render_pdf(html))).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages).replace("\ufb01", "fi")  # the fi ligature
    assert text.count("What has been said, and what the evidence shows") == 1
    assert ("The app is <script>alert(1)</script> spyware. not supported No evidence of covert collection. "
            "Evidence: 1 confirmed, 1 vendor claim, from 1 author of primary documents and 1 independent outlet.") in text
    # The full reasoning is in the report, not the brief.
    assert "no state request" not in text


def test_tiktok_answers_the_debate_that_started_it(library) -> None:
    analysis = pipeline.analyse_file(ROOT / "models" / "tiktok.yaml", library)[1]
    assert [(d.id, d.assessment) for d in analysis.debate] == [
        ("parliament-spyware", "partly_supported"),
        ("parliament-intelligence-law", "partly_supported"),
        ("parliament-childrens-phones", "partly_supported"),
        ("carr-app-stores", "partly_supported"),
        ("tiktok-never-shared", "cannot_be_assessed"),
        ("tiktok-dpc-response", "partly_supported"),
        ("chew-not-controlled", "partly_supported"),
    ]
    cited = {s for d in analysis.debate for s in d.sources}
    assert {"carr-2022-app-store-letter", "brisbanetimes-2022-parliament-tiktok", "congress-2023-chew-hearing"} <= cited


def test_a_duplicate_debate_id_is_refused_at_its_position(tmp_path, library) -> None:
    from threatlib.errors import InputError
    from threatlib.spec import load_model

    text = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("\norganisations:", SOURCES + "\norganisations:", 1) + DEBATE + DEBATE.split("debate:\n")[1]
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    first, second = [i + 1 for i, line in enumerate(lines) if line == "  - id: it-is-spyware"]
    with pytest.raises(InputError) as caught:
        load_model(path, library)
    assert [str(p).split(":", 1)[1] for p in caught.value.problems] == [
        f"{second}:9: duplicate debate id 'it-is-spyware' (first used at line {first}, column 9)"]


def test_the_model_file_documents_the_debate_fields() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in ("`debate`", "`said_by`", "`assessment`", "`in_short`", "`mirror_of`"):
        assert field in readme, field
    assert Path(ROOT / "docs" / "model.schema.json").read_text(encoding="utf-8").count('"DebateClaim"') >= 1


def test_the_debate_page_renders_the_same_in_the_sandbox_a_template_folder_brings(debated, tmp_path) -> None:
    assert render_html(debated, b"", "image/png", user_templates=tmp_path) == render_html(debated, b"", "image/png")
