"""A large estate's Threat Dragon file writes each threat's text once; each finding keeps what is its own."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from test_same_outputs import estate

from threatlib.library import load_library
from threatlib.pipeline import analyse_file
from threatlib.render.threatdragon import threatdragon_document

SCHEMA = Path(__file__).resolve().parent / "schemas" / "threat-dragon-v2.schema.json"


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    return analyse_file(estate(tmp_path_factory.mktemp("estate")), load_library())[1]


def cell_threats(document: dict) -> dict[str, dict]:
    return {t["id"]: t for c in document["detail"]["diagrams"][0]["cells"] for t in c.get("data", {}).get("threats", [])}


def test_each_threats_text_is_written_once_and_each_finding_names_its_threat(analysis) -> None:
    document = threatdragon_document(analysis)
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    shared = document["threatlib"]["threats"]
    by_id = {f.id: f for f in analysis.findings}
    threats = cell_threats(document)
    assert sorted(threats) == sorted(by_id)
    assert list(shared) == list(dict.fromkeys(f.threat_id for f in analysis.findings))
    for finding_id, threat in threats.items():
        f = by_id[finding_id]
        assert shared[f.threat_id] == {"title": f.title, "description": f.description,
                                       "mitigation": "\n\n".join(f.mitigations)}
        assert threat["description"] == "\n\n".join([
            f"Threat {f.threat_id}: its description is written once for this file (threatlib.threats), and in "
            "threats.json.", "Why it applies: " + " ".join(f.why)])
        assert threat["mitigation"] == f"See threat {f.threat_id} (threatlib.threats in this file, or threats.json)."
        assert (threat["title"], threat["number"]) == (f.title, analysis.findings.index(f) + 1)


def test_the_finding_with_the_shared_text_put_back_is_the_whole_finding_a_small_model_writes(analysis, monkeypatch) -> None:
    from threatlib.render import threatdragon

    shared_document = threatdragon_document(analysis)
    monkeypatch.setattr(threatdragon, "_shared_threats", lambda analysis: None)
    whole = cell_threats(threatdragon_document(analysis))
    shared = shared_document["threatlib"]["threats"]
    by_id = {f.id: f for f in analysis.findings}
    for finding_id, threat in cell_threats(shared_document).items():
        text = shared[by_id[finding_id].threat_id]
        why = threat["description"].split("\n\n", 1)[1]
        restored = threat | {"description": "\n\n".join(filter(None, [text["description"], why])),
                             "mitigation": text["mitigation"]}
        assert restored == whole[finding_id]
