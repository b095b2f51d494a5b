"""`threatlib import`: Threat Dragon's own demo models and OTM files, and our own exports, become model files
that keep every element, flow, trust boundary and threat, and report without a legal layer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, TESTS

from threatlib import pipeline
from threatlib.errors import InputError
from threatlib.render.otm import otm_json
from threatlib.render.threatdragon import threatdragon_json
from threatlib.spec.interchange import write_imported

DEMOS = TESTS / "threatdragon_demos"
TD_DEMOS = ["v2-threat-model.json", "three-tier-web-app.json", "generic-cms.json", "cryptocurrency-wallet.json"]
TD_ELEMENTS = {"tm.Actor": "actor", "tm.Process": "process", "tm.Store": "datastore"}


def words(text: str) -> str:
    return " ".join(str(text).split())


def imported(source, tmp_path, library, name: str = "imported"):
    target = tmp_path / "models" / f"{name}.yaml"
    write_imported(source, target, library)
    return target, pipeline.analyse_file(target, library)[1]


@pytest.mark.parametrize("demo", TD_DEMOS)
def test_threat_dragon_demo_keeps_every_element_flow_boundary_and_threat(demo, tmp_path, library) -> None:
    document = json.loads((DEMOS / demo).read_text())
    cells = [c for d in document["detail"]["diagrams"] for c in d["cells"]]
    nodes = {c["id"]: c for c in cells if c["data"]["type"] in TD_ELEMENTS}
    target, analysis = imported(DEMOS / demo, tmp_path, library)
    assert sorted((e.name, e.kind) for e in analysis.elements) == sorted(
        (words(c["data"]["name"]), TD_ELEMENTS[c["data"]["type"]]) for c in nodes.values())
    joined = [c for c in cells if c["data"]["type"] == "tm.Flow"
              and c["source"].get("cell") in nodes and c["target"].get("cell") in nodes]
    names = {e.id: e.name for e in analysis.elements}
    assert sorted((f.name, names[f.source], names[f.sink]) for f in analysis.flows) == sorted(
        (words(c["data"]["name"]) or "Data flow", words(nodes[c["source"]["cell"]]["data"]["name"]),
         words(nodes[c["target"]["cell"]]["data"]["name"])) for c in joined)
    boundaries = [c for c in cells if c["data"]["type"] in ("tm.BoundaryBox", "tm.Boundary")]
    assert len(analysis.boundaries) == len(boundaries)
    text = target.read_text()
    for cell in cells:
        for threat in cell["data"].get("threats") or []:
            assert words(threat["title"]) in words(text)
            assert words(threat.get("mitigation") or "") in words(text)
    assert analysis.model.legal_layer is False
    assert analysis.findings  # pytm's threats apply to what was drawn


def test_elements_are_placed_in_the_boundary_box_that_holds_them(tmp_path, library) -> None:
    _, analysis = imported(DEMOS / "three-tier-web-app.json", tmp_path, library)
    boundaries = {b.id: b.name for b in analysis.boundaries}
    assert {e.name: e.boundary for e in analysis.elements} == {"Web UI": "boundary", "Web Service": "boundary-2",
                                                               "PostgresSQL": "boundary-2"}
    assert boundaries == {"boundary": "Trust boundary", "boundary-2": "Trust boundary"}  # unnamed in the file


def test_a_flow_with_a_missing_end_and_its_threats_are_kept_as_a_note(tmp_path, library) -> None:
    target, analysis = imported(DEMOS / "v2-threat-model.json", tmp_path, library)
    assert "Flow 'Web Request' has no element at one of its ends in Threat Dragon, so it was not imported." \
        in analysis.model.description
    assert "Data flow should use HTTP/S (Information disclosure; High; Mitigated)." in analysis.model.description


def test_the_otm_demo_keeps_its_components_zones_flows_and_threats(tmp_path, library) -> None:
    document = json.loads((DEMOS / "mobile-cloud.otm.json").read_text())
    target, analysis = imported(DEMOS / "mobile-cloud.otm.json", tmp_path, library)
    assert [(e.id, e.name, e.kind) for e in analysis.elements] == [  # kinds guessed from the tool's component types
        ("accounting-postgresql", "Accounting PostgreSQL", "datastore"),  # CD-MICROSOFT-AZURE-DB-POSTGRESQL
        ("mobile-client", "Mobile Client", "device"),  # android-device-client
        ("public-api-v2", "Public API v2", "process"),  # web-service
        ("azure-file-storage", "Azure File Storage", "datastore")]  # azure-storage
    assert sorted(b.name for b in analysis.boundaries) == sorted(z["name"] for z in document["trustZones"])
    assert len(analysis.flows) == len(document["dataflows"])
    text = words(target.read_text())
    assert all(words(t["name"]) in text for t in document["threats"]
               if any(i["threat"] == t["id"] for c in document["components"] for i in c.get("threats", [])))


@pytest.mark.parametrize("export", ["threatdragon", "otm"])
@pytest.mark.parametrize("model", ["small", "pytm"])
def test_our_own_exports_import_back_with_the_same_elements_flows_and_boundaries(export, model, tmp_path, library,
                                                                                   small_model_path) -> None:
    source = small_model_path if model == "small" else TESTS / "pytm_models" / "webapp.py"
    original = pipeline.analyse_file(source, library)[1]
    exported = tmp_path / f"model.{export}.json"
    exported.write_bytes((threatdragon_json if export == "threatdragon" else otm_json)(original))
    _, back = imported(exported, tmp_path, library)
    assert [(e.id, e.name, e.kind, e.boundary, e.in_scope) for e in back.elements] == [
        (e.id, e.name, e.kind, e.boundary, e.in_scope) for e in original.elements]
    assert [(f.id, f.name, f.source, f.sink) for f in back.flows] == [(f.id, f.name, f.source, f.sink) for f in original.flows]
    assert sorted((b.id, b.name, b.parent) for b in back.boundaries) == sorted(
        (b.id, b.name, b.parent) for b in original.boundaries if any(e.boundary == b.id for e in original.elements)
        or any(c.parent == b.id for c in original.boundaries))
    assert back.authorities == [] and back.compulsion == []  # derived again once the legal layer is added


def test_renaming_one_element_in_the_file_renames_it_and_nothing_else(tmp_path, library) -> None:
    document = json.loads((DEMOS / "three-tier-web-app.json").read_text())
    cell = next(c for c in document["detail"]["diagrams"][0]["cells"] if c["data"].get("name") == "Web Service")
    cell["data"]["name"] = "Front door"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    _, before = imported(DEMOS / "three-tier-web-app.json", tmp_path, library, "before")
    _, after = imported(changed, tmp_path, library, "after")
    assert [e.name for e in after.elements] == ["Front door" if e.name == "Web Service" else e.name for e in before.elements]
    assert [(f.name, f.source.replace("front-door", "web-service"), f.sink.replace("front-door", "web-service"))
            for f in after.flows] == [(f.name, f.source, f.sink) for f in before.flows]


def test_an_imported_model_marks_what_the_legal_layer_needs_and_checks_it_once_begun(tmp_path, library) -> None:
    target, _ = imported(DEMOS / "three-tier-web-app.json", tmp_path, library)
    text = target.read_text()
    assert text.count("# REPLACE: add its location (a jurisdiction code) and operator (an organisation id)") == 3
    located = text.replace("  - id: web-ui\n", "  - id: web-ui\n    location: IE\n", 1)
    target.write_text(located)
    with pytest.raises(InputError) as caught:
        pipeline.load(target, library)
    lines = located.splitlines()
    at = {e: lines.index(f"  - id: {e}") + 1 for e in ("web-service", "postgressql")}
    assert [str(p) for p in caught.value.problems] == [
        f"{target}:{lines.index('metadata:') + 2}:3: metadata.data_subjects_in is empty: once the legal layer is modelled, "
        "say where the people whose data matters live (jurisdiction codes)",
        f"{target}:{at['web-service']}:5: element 'web-service' has no location: once organisations, "
        "data_subjects_in or any location is given, every element needs a location (a jurisdiction code)",
        f"{target}:{at['postgressql']}:5: element 'postgressql' has no location: once organisations, "
        "data_subjects_in or any location is given, every element needs a location (a jurisdiction code)"]


THREATLIB = [sys.executable, "-m", "threatlib.cli"]


def test_the_command_writes_the_model_and_it_reports(tmp_path) -> None:
    target = tmp_path / "models" / "cms.yaml"
    done = subprocess.run([*THREATLIB, "import", str(DEMOS / "generic-cms.json"), "-o", str(target)], cwd=ROOT,
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (f"wrote {target}: 5 elements, 5 flows, 1 trust boundaries; the legal layer is not modelled "
                           "yet (see its 'REPLACE:' comments)\n")
    report = subprocess.run([*THREATLIB, "report", str(target), "-o", str(tmp_path / "reports"), "--no-pdf"], cwd=ROOT,
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert "The legal layer was not modelled." in (tmp_path / "reports" / "cms" / "report.html").read_text()


@pytest.mark.parametrize("content, message", [
    ('{"summary": {"title": "x"},\n "detail": {"diagrams": [}\n}', "2:26: not valid JSON: Expecting value"),
    ('{"detail": {"diagrams": [{"diagramJson": {}}]}}', "1:1: a Threat Dragon v1 model: open it in Threat Dragon 2 "
                                                        "and save it, which converts it to v2, then import that"),
    ('[1, 2]', "1:1: neither a Threat Dragon v2 model (with 'detail') nor an Open Threat Model file (with 'otmVersion')"),
])
def test_a_file_that_is_neither_format_is_one_positioned_line_and_nothing_is_written(content, message, tmp_path) -> None:
    source = tmp_path / "model.json"
    source.write_text(content)
    target = tmp_path / "models" / "x.yaml"
    done = subprocess.run([*THREATLIB, "import", str(source), "-o", str(target)], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"{source}:{message}\n")
    assert not target.exists() and not list(tmp_path.glob("models/.*"))


def test_an_existing_model_is_never_overwritten(tmp_path) -> None:
    target = tmp_path / "taken.yaml"
    target.write_text("keep me\n")
    done = subprocess.run([*THREATLIB, "import", str(DEMOS / "generic-cms.json"), "-o", str(target)], cwd=ROOT,
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, f"error: {target} already exists; choose another name or remove it\n")
    assert target.read_text() == "keep me\n"
