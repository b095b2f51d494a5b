"""threatlib.vocabulary is the one home of the words codes are printed in: the Analysis keeps enums, the JSON
outputs their values, and a renderer takes the words from the vocabulary."""

from __future__ import annotations

import json

import pytest

from threatlib import pipeline, vocabulary
from threatlib.analysis.model import Analysis, Basis, CitedClaim, DebateView, Finding, ReachingProvision, Route
from threatlib.documents.common import SourceDocument, Status
from threatlib.library.schema import EssentialGuarantees, Likelihood, Nexus, Power, Purpose, Scope, Severity
from threatlib.render.report import render_html
from threatlib.render.tables import analysis_json, threats_csv
from threatlib.spec.model import Assessment, SubjectGroup
from threatlib.vocabulary import (
    CATEGORY_WORDS,
    EVIDENCE_WORDS,
    GUARANTEE_LABELS,
    LABELS,
    LINDDUN,
    LINK_NOUNS,
    LINK_PLACES,
    LINK_REASONS,
    SARIF_LEVEL,
    SEVERITY_SCORE,
    STRIDE,
    SUBJECT_WORDS,
    THREE_LEVELS,
    Labelled,
)

LABELLED = [Status, Assessment, Power, Purpose, Scope, Nexus, Severity, Likelihood, SubjectGroup, SourceDocument]


@pytest.fixture(scope="module")
def analysis(small_model_path, library) -> Analysis:
    return pipeline.analyse_file(small_model_path, library)[1]


def test_every_labelled_enum_is_listed_and_has_a_label_for_each_member_and_no_other() -> None:
    assert sorted(LABELS) == sorted(e.__name__ for e in LABELLED)
    assert sorted(c.__name__ for c in _subclasses(Labelled)) == sorted(LABELS)
    for enum in LABELLED:
        assert list(LABELS[enum.__name__]) == [m.value for m in enum], enum.__name__


def _subclasses(cls: type) -> list[type]:
    return [s for sub in cls.__subclasses__() for s in [sub, *_subclasses(sub)]]


def test_each_wording_covers_exactly_its_codes() -> None:
    links = [n.value for n in Nexus]
    assert sorted(LINK_REASONS) == sorted(LINK_NOUNS) == sorted(LINK_PLACES) == sorted(links)
    assert set(EVIDENCE_WORDS) == {s.value for s in Status} | {"unsourced", "assumption"}
    assert list(SUBJECT_WORDS) == [g.value for g in SubjectGroup]
    assert list(GUARANTEE_LABELS) == list(EssentialGuarantees.model_fields)
    for scale in (SEVERITY_SCORE, THREE_LEVELS, SARIF_LEVEL):
        assert list(scale) == [s.value for s in Severity]
    assert list(CATEGORY_WORDS) == [*STRIDE, *LINDDUN]


def test_the_analysis_keeps_codes_as_enums(analysis) -> None:
    finding = next(f for f in analysis.findings if f.origin == "threatlib")
    basis = analysis.compulsion[0].bases[0]
    judgement = analysis.judgements[0]
    assert type(finding.severity) is Severity
    assert {type(c.status) for f in analysis.findings for c in f.evidence} == {Status}
    assert (type(basis.via), type(basis.status), {type(p) for p in basis.powers}) == (Nexus, Status, {Power})
    provision = judgement.reach.provisions[0]
    assert (type(provision.purpose), type(provision.scope), type(provision.via)) == (Purpose, Scope, Nexus)
    assert {type(s) for s in judgement.route.subjects} == {SubjectGroup}
    for record in (CitedClaim, Basis, Finding, ReachingProvision, Route, DebateView):
        assert not [name for name, field in record.model_fields.items() if field.annotation in (str, list[str])
                    and name in ("status", "severity", "powers", "via", "purpose", "scope", "subjects", "assessment")]


def test_the_json_carries_the_codes_and_the_pages_their_labels(analysis) -> None:
    whole = json.loads(analysis_json(analysis))
    powers = {p for link in whole["compulsion"] for b in link["bases"] for p in whole["provisions"][b["provision_id"]]["powers"]}
    assert "compelled_disclosure" in powers
    assert {f["severity"] for f in whole["findings"]} <= {s.value for s in Severity}
    html = render_html(analysis, b"", "image/png")
    assert "compelled disclosure" in html
    assert "compelled_disclosure" not in html


def test_a_label_changed_in_the_vocabulary_changes_the_pages_and_never_the_json(analysis, monkeypatch) -> None:
    json_before, csv_before = analysis_json(analysis), threats_csv(analysis).decode("utf-8-sig")
    html_before = render_html(analysis, b"", "image/png")
    assert "forced disclosure" not in html_before and "gravest" not in html_before and ",gravest," not in csv_before
    monkeypatch.setitem(vocabulary.LABELS["Severity"], "very_high", "gravest")
    monkeypatch.setitem(vocabulary.LABELS["Power"], "compelled_disclosure", "forced disclosure")
    html_after = render_html(analysis, b"", "image/png")
    assert analysis_json(analysis) == json_before
    # The page prints the label wherever it renders a power; the Analysis's own sentences were written earlier.
    assert html_after.count("forced disclosure") == 2
    assert html_after.count("gravest") == 8
    assert html_after.replace("forced disclosure", "compelled disclosure").replace("gravest", "very high") == html_before
    csv_after = threats_csv(analysis).decode("utf-8-sig")
    assert csv_after == csv_before.replace(",very high,", ",gravest,") != csv_before
