"""Modelling another app without code: the JSON Schema for editors, and `new` from an existing model."""

from __future__ import annotations

import json

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
    filled = filled.replace("https://example.org/REPLACE", "https://example.org/filled-in")
    target = tmp_path / "newapp.yaml"
    target.write_text(filled)
    model, _ = load_model(target, library)
    assert model.metadata.id == "newapp"
