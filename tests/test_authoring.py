"""Modelling another app without code: the JSON Schema for editors, and `new` from an existing model."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import ROOT
from ruamel.yaml import YAML

from threatlib.errors import InputError
from threatlib.scaffold import scaffold
from threatlib.spec import load_model
from threatlib.spec.json_schema import model_json_schema


def plain(path):
    return json.loads(json.dumps(YAML(typ="safe").load(path.read_text()), default=str))


def test_committed_schema_is_current() -> None:
    assert (ROOT / "docs" / "model.schema.json").read_bytes() == model_json_schema()


def test_schema_accepts_the_shipped_models_and_rejects_a_typo() -> None:
    schema = json.loads(model_json_schema())
    validator = jsonschema.Draft202012Validator(schema)
    for model in sorted((ROOT / "models").glob("*.yaml")):
        assert list(validator.iter_errors(plain(model))) == [], model.name
    broken = plain(ROOT / "models" / "tiktok.yaml")
    broken["elements"][0]["oprator"] = "x"
    [error] = list(validator.iter_errors(broken))
    assert error.validator == "additionalProperties" and "'oprator' was unexpected" in error.message


def test_new_model_marks_what_to_replace_and_validate_lists_it(tmp_path, library) -> None:
    text = scaffold(ROOT / "models" / "tiktok.yaml", "newapp")
    target = tmp_path / "newapp.yaml"
    target.write_text(text)
    with pytest.raises(InputError) as caught:
        load_model(target, library)
    messages = [p.message for p in caught.value.problems]
    assert set(messages) >= {"left to fill in: metadata.name is still a placeholder",
                             "left to fill in: sources[0].title is still a placeholder",
                             "left to fill in: organisations[0].name is still a placeholder"}
    assert all(m.startswith("left to fill in: ") for m in messages)  # nothing else is broken
    assert "id: newapp\n" in text and "tiktok-" not in text.split("metadata:")[1].split("description:")[0]


def test_a_filled_in_model_validates(tmp_path, library) -> None:
    text = scaffold(ROOT / "models" / "tiktok.yaml", "newapp")
    filled = text.replace("'REPLACE: ", "'").replace('"REPLACE: ', '"').replace("REPLACE: ", "")
    filled = re.sub(r"'(true|false)'", r"\1", filled)  # a filled-in flag is written as a flag, not as text
    # Sources keep their ids, so one filled in with the library's document of that id has the library's details.
    urls = iter(s["url"] for s in YAML(typ="safe").load((ROOT / "models" / "tiktok.yaml").read_text())["sources"] if s.get("url"))
    filled = "\n".join(line.replace("https://example.org/REPLACE", next(urls)) if "https://example.org/REPLACE" in line
                       else line for line in filled.splitlines()) + "\n"
    target = tmp_path / "newapp.yaml"
    target.write_text(filled)
    model, _ = load_model(target, library)
    assert model.metadata.id == "newapp"


def test_new_without_from_writes_a_short_skeleton_with_every_section_once_that_validates(tmp_path, library) -> None:
    import datetime as dt

    from threatlib.scaffold import skeleton
    from threatlib.spec.model import Model

    text = skeleton("shop", dt.date(2026, 12, 1))
    assert len(text.splitlines()) < 250
    target = tmp_path / "shop.yaml"
    target.write_text(text)
    model, _ = load_model(target, library)
    assert (model.metadata.id, model.metadata.as_of) == ("shop", dt.date(2026, 12, 1))
    validator = jsonschema.Draft202012Validator(json.loads(model_json_schema()))
    assert list(validator.iter_errors(plain(target))) == []  # an editor accepts it too
    top = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert top == list(Model.model_fields)  # every section, once, in the schema's order
    # Every section has its example entry (decisions, which need a finding, and library show theirs in comments).
    for section in ("sources", "organisations", "data", "boundaries", "elements", "flows", "positions", "scenarios"):
        assert getattr(model, section), section
    assert model.threats.exclusions and "#  - finding: LC-01@example-db" in text and "\nlibrary: []\n" in text
    # Every key a model may use in each kind of entry is shown, so nothing has to be looked up to start.
    org, data, element = model.organisations[0], model.data[0], model.elements[2]
    shown = {line.strip().split(":")[0].lstrip("- ") for line in text.splitlines() if ":" in line}
    for entry in (org, data, element, model.flows[0], model.metadata):
        assert set(type(entry).model_fields) <= shown, set(type(entry).model_fields) - shown


def test_new_from_marks_every_vendor_value_and_renames_only_ids_that_name_the_app(tmp_path, library) -> None:
    source = ROOT / "models" / "tiktok.yaml"
    original = YAML(typ="safe").load(source.read_text())
    text = scaffold(source, "newapp")
    started = YAML(typ="safe").load(text)
    # A source about the TikTok case keeps its id, and the claims citing it still do.
    assert "supreme-court-2025-tiktok-v-garland" in [s["id"] for s in started["sources"]]
    assert [s["id"] for s in started["sources"]] == [s["id"] for s in original["sources"]]
    cited = [c for o in started["organisations"] for c in o["claims"] if "supreme-court-2025-tiktok-v-garland" in c["sources"]]
    assert cited
    # Ids that start with the app's name as a whole word are renamed, with every reference; no other id changes.
    for section in ("organisations", "data", "boundaries", "elements", "flows"):
        before = [item["id"] for item in original.get(section, [])]
        after = [item["id"] for item in started.get(section, [])]
        assert after == [("newapp" + i[len("tiktok"):]) if i == "tiktok" or i.startswith("tiktok-") else i for i in before]
    assert "tiktok-edge" in [e["id"] for e in original["elements"]]
    assert {f["sink"] for f in started["flows"]} >= {"newapp-edge"} or {f["source"] for f in started["flows"]} >= {"newapp-edge"}
    # Every vendor-specific value is marked: names, descriptions, control, as_of, data flags.
    marked = lambda v: isinstance(v, str) and v.startswith("REPLACE: ")  # noqa: E731
    assert marked(started["metadata"]["as_of"])
    for section in ("organisations", "data", "boundaries", "elements", "flows"):
        for item in started.get(section, []):
            assert marked(item["name"]), (section, item["id"])
            assert all(marked(item[k]) for k in ("description", "control") if item.get(k)), (section, item["id"])
    for category in started["data"]:
        assert all(marked(category[flag]) for flag in ("personal", "sensitive", "children") if flag in category)
    assert any(category.get("children") == "REPLACE: true" for category in started["data"])


def test_validate_lists_each_mark_at_its_place_and_nothing_else(tmp_path, library) -> None:
    from threatlib.documents.placeholders import placeholders

    text = scaffold(ROOT / "models" / "tiktok.yaml", "newapp")
    target = tmp_path / "newapp.yaml"
    target.write_text(text)
    with pytest.raises(InputError) as caught:
        load_model(target, library)
    problems = caught.value.problems
    assert all(p.message.startswith("left to fill in: ") for p in problems)
    assert len(problems) == len(placeholders(YAML(typ="safe").load(text)))
    lines = text.splitlines()
    as_of = next(i for i, line in enumerate(lines) if line.strip().startswith("as_of:")) + 1
    assert any((p.line, p.message) == (as_of, "left to fill in: metadata.as_of is still a placeholder") for p in problems)
