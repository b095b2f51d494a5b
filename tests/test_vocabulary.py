"""Every tag and sector means one thing, said in one line, wherever a user meets it."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from test_cli import run

from threatlib.spec.model import DataTag, ElementTag
from threatlib.spec.vocabulary import DATA_TAGS, ELEMENT_TAGS, SECTORS, VOCABULARIES
from threatlib.vocabulary import Sector

ENUMS = [(ElementTag, ELEMENT_TAGS), (DataTag, DATA_TAGS), (Sector, SECTORS)]


@pytest.mark.parametrize("enum, definitions", ENUMS, ids=[e.__name__ for e, _ in ENUMS])
def test_every_member_has_a_one_line_definition(enum, definitions) -> None:
    assert list(definitions) == list(enum)
    for member, text in definitions.items():
        assert text and "\n" not in text and len(text) <= 160 and text.endswith("."), member


def test_the_json_schema_shows_each_definition_beside_its_value() -> None:
    schema = json.loads((ROOT / "docs" / "model.schema.json").read_text())
    for name, definitions in VOCABULARIES.items():
        entry = schema["$defs"][name]
        assert entry["enum"] == [m.value for m in definitions]
        assert entry["enumDescriptions"] == list(definitions.values())
        assert all(f"- {m.value}: {text}" in entry["description"] for m, text in definitions.items())


def test_library_tags_prints_one_tag_a_line_with_its_definition() -> None:
    result = run("library", "--tags")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    expected = []
    for title, definitions in (("Element tags (elements: tags)", ELEMENT_TAGS), ("Data tags (data: tags)", DATA_TAGS),
                               ("Sectors (organisations: sectors)", SECTORS)):
        width = max(len(m.value) for m in definitions)
        expected += [f"{title}:"] + [f"  {m.value.ljust(width)}  {text}" for m, text in definitions.items()]
    assert lines == expected


def test_the_catalogue_defines_every_word() -> None:
    catalogue = (ROOT / "docs" / "catalogue.md").read_text()
    for _, definitions in ENUMS:
        for member, text in definitions.items():
            assert f"| `{member.value}` | {text} |" in catalogue
