"""End to end on the small test model: every output exists, agrees with the analysis, and is exact."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from threatlib import pipeline
from threatlib.render import render_all


@pytest.fixture(scope="module")
def outputs(small_analysed):
    return render_all(small_analysed[1])


def test_legal_findings_are_exactly_these(small_analysed) -> None:
    _, analysis = small_analysed
    legal = {f.id for f in analysis.findings if f.origin == "threatlib"}
    assert legal == {
        "LC-01@dublin-store",
        "LC-02@app", "LC-02@dublin-store",
        "LC-03@app", "LC-03@beijing-eng", "LC-03@dublin-store",
        "XB-01@remote-read",  # remote reading from China
        "XB-03@remote-read",  # the location data read from China includes children's
        "PR-05@remote-read",  # sensitive location data passes from the EU subsidiary to the parent
        "PR-07@app", "PR-07@beijing-eng", "PR-07@dublin-store",  # children's data under CN's weak safeguards
    }


def test_pytm_threats_still_apply(small_analysed) -> None:
    _, analysis = small_analysed
    on_app = {f.threat_id for f in analysis.findings if f.origin == "pytm" and f.element_id == "app"}
    # pytm's own CAPEC-based rules still fire on the process, e.g. AC14 (privileged block) and AC21 (CSRF).
    assert {"AC14", "AC21"} <= on_app
    assert all(f.id == f"{f.threat_id}@{f.element_id}" for f in analysis.findings)


def test_why_names_the_legal_basis_and_the_route(small_analysed) -> None:
    _, analysis = small_analysed
    finding = next(f for f in analysis.findings if f.id == "LC-01@dublin-store")
    assert finding.why[0] == "It stores Precise location, Profile."
    assert any(w.startswith("CN reaches EU Subsidiary Ltd because it is controlled by Parent Co: ") for w in finding.why)


def test_exposure_paths_follow_the_flows(small_analysed) -> None:
    _, analysis = small_analysed
    paths = {(e.data, e.authority): (e.elements, e.flows, e.holder) for e in analysis.exposures}
    cn = [e for e in analysis.authorities if e.jurisdiction == "CN"]
    assert len(cn) >= 1
    for authority in cn:
        assert paths[("location", authority.id)][2] in {"app", "dublin-store", "beijing-eng"}
    assert {d for d, _ in paths} == {"location", "profile"}


def test_findings_are_in_deterministic_severity_order(small_analysed) -> None:
    _, analysis = small_analysed
    order = ["very_high", "high", "medium", "low", "very_low"]
    keys = [(order.index(f.severity), f.threat_id, f.element_id) for f in analysis.findings]
    assert keys == sorted(keys)


def test_threats_json_lists_every_finding_with_its_threat_mitigations_and_sources(small_analysed, outputs) -> None:
    _, analysis = small_analysed
    data = json.loads(outputs["threats.json"])
    assert [f["id"] for f in data["findings"]] == [f.id for f in analysis.findings]
    xb = next(f for f in data["findings"] if f["id"] == "XB-01@remote-read")
    assert (xb["element_id"], xb["severity"], xb["status"]) == ("remote-read", "high", "open")
    threat = data["threats"][xb["threat_id"]]
    assert threat["mitigations"] and threat["title"] == "Personal data remotely readable from another legal order"
    cited = {s for claim in threat["evidence"] for s in claim["sources"]}
    assert cited == {"dpc-2025-tiktok", "buzzfeed-2022-leaked-audio"}
    assert cited <= set(data["sources"])
    assert {claim["status"] for claim in threat["evidence"]} == {"confirmed", "reported"}


def test_analysis_json_is_the_whole_analysis_with_each_threats_and_provisions_text_once(small_analysed, outputs) -> None:
    from threatlib.analysis.model import Analysis, Finding
    from threatlib.render.tables import THREAT_FIELDS

    _, analysis = small_analysed
    data = json.loads(outputs["analysis.json"])
    threats = data.pop("threats")
    assert sorted(threats) == sorted({f.threat_id for f in analysis.findings})
    assert all(set(f) == set(Finding.model_fields) - set(THREAT_FIELDS)
               for f in data["findings"])
    provisions = data.pop("provisions")
    assert sorted(provisions) == sorted({b.provision_id for c in analysis.compulsion for b in c.bases})
    assert all(set(b) == {"provision_id", "via", "chain"} for c in data["compulsion"] for b in c["bases"])
    # Each finding with its threat's text put back, and each basis with its provision's, is exactly the analysis.
    data["findings"] = [f | threats[f["threat_id"]] for f in data["findings"]]
    for link in data["compulsion"]:
        link["bases"] = [b | provisions[b["provision_id"]] for b in link["bases"]]
    assert Analysis.model_validate(data) == analysis


def test_csv_is_a_risk_register_with_one_row_per_finding(small_analysed, outputs) -> None:
    _, analysis = small_analysed
    text = outputs["threats.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [f.id for f in analysis.findings]
    assert rows[0].keys() >= {"severity", "likelihood", "why", "mitigations", "sources"}


def test_svg_is_well_formed_and_draws_the_compulsion_basis(outputs) -> None:
    root = ET.fromstring(outputs["dfd.svg"])
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "Dublin data centre" in texts
    assert any(t and t.startswith("National Intelligence") or (t and "Art. 7" in t) for t in texts)
    assert outputs["dfd.png"].startswith(b"\x89PNG\r\n\x1a\n")


def test_every_finding_id_appears_in_html_and_pdf(small_analysed, outputs) -> None:
    _, analysis = small_analysed
    html = outputs["report.html"].decode("utf-8")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(outputs["report.pdf"])).pages)
    squashed = "".join(pdf_text.split())
    for finding in analysis.findings:
        assert f'id="{finding.id}"' in html
        # The printed report's appendix names each element's id beside the threats found on it.
        assert finding.threat_id in squashed and f"@{finding.element_id}" in squashed


@pytest.mark.slow
def test_outputs_are_byte_identical_across_runs(small_model_path, library, outputs) -> None:
    _, again = pipeline.analyse_file(small_model_path, library)
    assert render_all(again) == outputs


def test_diagram_nests_jurisdiction_then_operator_and_labels_compulsion(outputs) -> None:
    dot = outputs["dfd.dot"].decode("utf-8")
    # Each box's title is a text node of its own in it; an operator's names the foreign legal orders that can compel
    # it, and the authorities' box the laws they would use, most significant first.
    titles = re.findall(r'cluster_\d+_(?:title|laws) \[label="([^"]*)"', dot)
    assert titles == [
        "CN: People's Republic of China (foreign legal order)", "State authorities",
        "Can compel by\nNational Intelligence Law 2017\nData Security Law 2021\nCounter-Espionage Law 2023\n+2 more",
        "Operated by Parent Co\ncompellable by CN authorities",
        "GB: United Kingdom (users' legal order)", "Not operated by an organisation", "User's phone",
        "Operated by EU Subsidiary Ltd\ncompellable by CN authorities", "User's phone", "App sandbox",
        "IE: Ireland (users' legal order)", "Operated by EU Subsidiary Ltd\ncompellable by CN authorities",
    ]
    boxes = re.findall(r"subgraph cluster_\d+ \{\n([^\n]*)", dot)
    assert len(boxes) == len(titles) - 1 and all('label=""' in attrs for attrs in boxes)  # no box keeps a label of its own


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_hash_seed(tmp_path, small_model_path) -> None:
    import os
    import subprocess
    import sys

    digests = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "threatlib.cli", "report", str(small_model_path), "-o", str(out)],
                       check=True, env=env, capture_output=True)
        digests.append({p.name: p.read_bytes() for p in (out / "small-app").iterdir()})
    assert digests[0] == digests[1]
