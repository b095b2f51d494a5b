"""The brief says in words what each judgement rests on, from the kinds and statuses of the sources behind its route.

Each test changes one source or one claim of a small model whose route to Beijing is fully sourced, and asserts
the exact sentence the brief prints under the judgement's route, and that the rest of the sentence stays.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import pytest
import yaml

from threatlib import pipeline
from threatlib.render.brief import BriefView
from threatlib.render.report import render_html

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
HOLDER = "beijing-eng"  # the end of the route to Beijing
OFFICIAL = "official records or researchers' own findings"


@pytest.fixture(scope="module")
def sourced(small_model_path) -> dict:
    """The small model with every step of its route evidenced by a confirmed claim on one primary source."""
    m = yaml.safe_load(small_model_path.read_text())
    for section in ("data", "elements", "flows"):
        for item in m[section]:
            item["claims"] = [{"statement": "Stated by a test source.", "status": "confirmed", "sources": ["test-source"]}]
    return m


def basis_in_brief(tmp_path: Path, model: dict, library) -> str:
    """The basis sentence printed under the Chinese judgement's route in the brief's HTML."""
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False))
    analysis = pipeline.analyse_file(path, library)[1]
    page = render_html(analysis, SVG, "image/svg+xml", template="brief.html", view=BriefView,
                       stylesheets=("report.css", "brief.css"), link_files=False)
    judgement = page.split('id="judgement-CN"', 1)[1].split('id="judgement-', 1)[0]
    [basis] = re.findall(r'<span class="basis">(.*?)</span>', judgement)
    return html.unescape(basis)


def as_press_report(model: dict) -> None:
    """Make the test source a newspaper's: its confirmed claims become reported, as validate requires of one outlet."""
    model["sources"][0].update(kind="secondary", publisher="Example Daily News")

    def relabel(node) -> None:
        if isinstance(node, dict):
            if node.get("status") == "confirmed":
                node["status"] = "reported"
            for value in node.values():
                relabel(value)
        elif isinstance(node, list):
            for value in node:
                relabel(value)
    relabel(model)


def test_a_route_on_primary_documents_says_official_records(tmp_path, sourced, library) -> None:
    assert basis_in_brief(tmp_path, sourced, library) == f"Its steps rest on {OFFICIAL} (5 steps)."


def test_a_press_report_in_place_of_the_primary_source_says_press_reports(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    as_press_report(m)
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on press reports or independent analysis (5 steps)."


def test_a_copy_counts_as_the_source_it_copies(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    # A copy published on the company's own site still counts as the outlet it copies.
    m["sources"].append({"id": "copy", "title": "A copy", "publisher": "Parent Co", "date": "2026-01-02",
                         "url": "https://example.org/copy", "kind": "mirror", "mirror_of": "test-source"})
    holder = next(e for e in m["elements"] if e["id"] == HOLDER)
    holder["claims"][0]["sources"] = ["copy", "test-source"]
    assert basis_in_brief(tmp_path, m, library) == f"Its steps rest on {OFFICIAL} (5 steps)."
    as_press_report(m)
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on press reports or independent analysis (5 steps)."


def test_the_companys_own_document_and_its_statement_are_named_as_such(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    m["sources"].append({"id": "own", "title": "Parent Co privacy policy", "publisher": "Parent Co", "date": "2026-01-02",
                         "url": "https://example.org/policy", "kind": "primary"})
    holder = next(e for e in m["elements"] if e["id"] == HOLDER)
    holder["claims"][0]["sources"] = ["own"]
    assert basis_in_brief(tmp_path, m, library) == \
        f"Its steps rest on {OFFICIAL} (4 steps) and the company's own documents (1 step)."
    holder["claims"][0]["status"] = "vendor_claim"
    assert basis_in_brief(tmp_path, m, library) == \
        f"Its steps rest on {OFFICIAL} (4 steps) and the vendor's own statement (1 step)."
    m["sources"][-1].update(kind="secondary", publisher="Example Daily News")
    assert basis_in_brief(tmp_path, m, library) == \
        f"Its steps rest on {OFFICIAL} (4 steps) and press reports of what the vendor says (1 step)."


def test_a_step_without_a_source_says_so(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    for element in m["elements"]:  # every holder unsourced, so no better-evidenced route takes the judgement
        del element["claims"]
    assert basis_in_brief(tmp_path, m, library) == f"Its steps rest on {OFFICIAL} (4 steps) and no source (1 step)."


# A source that says what document it is, and whose own it is, is named as such; the publisher's words no longer count.

def with_holder_source(model: dict, **source) -> dict:
    """The model with the route's last step (the Beijing holder) resting on one more source, given here."""
    m = copy.deepcopy(model)
    m["sources"].append({"id": "extra", "title": "Another source", "publisher": "Parent Co", "date": "2026-01-02",
                         "url": "https://example.org/extra", **source})
    holder = next(e for e in m["elements"] if e["id"] == HOLDER)
    holder["claims"][0]["sources"] = ["extra"]
    return m


def test_the_document_a_source_names_is_what_the_sentence_names(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    m["sources"][0]["document"] = "regulator_decision"
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on regulators' decisions (5 steps)."
    m["sources"][0]["document"] = "statute"
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on legislation (5 steps)."
    as_press_report(m)
    m["sources"][0]["document"] = "news_report"
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on press reports (5 steps)."
    m["sources"][0]["document"] = "analysis"
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on independent analysis (5 steps)."


def test_a_step_is_named_by_its_strongest_document_and_the_other_steps_stay(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    m["sources"][0]["document"] = "regulator_decision"
    m["sources"].append({"id": "judgment", "title": "A judgment", "publisher": "A court", "date": "2026-01-03",
                         "url": "https://example.org/judgment", "kind": "primary", "document": "court_judgment"})
    holder = next(e for e in m["elements"] if e["id"] == HOLDER)
    holder["claims"][0]["sources"] = ["test-source", "judgment"]
    assert basis_in_brief(tmp_path, m, library) == \
        "Its steps rest on court judgments (1 step) and regulators' decisions (4 steps)."
    # a press report beside the primary documents changes nothing: the primary document is the step's best evidence
    m["sources"].append({"id": "press", "title": "A report", "publisher": "Example Daily News", "date": "2026-01-04",
                         "url": "https://example.org/press", "kind": "secondary", "document": "news_report"})
    holder["claims"][0]["sources"] = ["judgment", "press"]
    assert basis_in_brief(tmp_path, m, library) == \
        "Its steps rest on court judgments (1 step) and regulators' decisions (4 steps)."


def test_the_author_not_the_publishers_words_makes_a_document_the_companys_own(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    m["sources"][0]["document"] = "regulator_decision"
    rest = "regulators' decisions (4 steps)"
    own = with_holder_source(m, kind="primary", document="company_statement", author="parent-co")
    assert basis_in_brief(tmp_path, own, library) == f"Its steps rest on {rest} and the company's own statements (1 step)."
    own = with_holder_source(m, kind="primary", document="company_filing", author="parent-co")
    assert basis_in_brief(tmp_path, own, library) == f"Its steps rest on {rest} and the company's own filings (1 step)."
    own = with_holder_source(m, kind="primary", author="parent-co")
    assert basis_in_brief(tmp_path, own, library) == f"Its steps rest on {rest} and the company's own statements (1 step)."
    # Published as "Parent Co" but not said to be its own: another company's statement, not a guess from the name.
    other = with_holder_source(m, kind="primary", document="company_statement")
    assert basis_in_brief(tmp_path, other, library) == f"Its steps rest on {rest} and other companies' statements (1 step)."
    # Its own document under another publisher's name is still its own.
    renamed = with_holder_source(m, kind="primary", document="company_statement", author="parent-co")
    renamed["sources"][-1]["publisher"] = "Example Newsroom"
    assert basis_in_brief(tmp_path, renamed, library) == f"Its steps rest on {rest} and the company's own statements (1 step)."


def test_a_copy_is_named_by_the_document_it_copies(tmp_path, sourced, library) -> None:
    m = copy.deepcopy(sourced)
    m["sources"][0]["document"] = "court_judgment"
    m["sources"].append({"id": "copy", "title": "A copy", "publisher": "An archive", "date": "2026-01-02",
                         "url": "https://example.org/copy", "kind": "mirror", "mirror_of": "test-source",
                         "document": "news_report"})
    holder = next(e for e in m["elements"] if e["id"] == HOLDER)
    holder["claims"][0]["sources"] = ["copy", "test-source"]
    assert basis_in_brief(tmp_path, m, library) == "Its steps rest on court judgments (5 steps)."
