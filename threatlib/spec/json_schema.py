"""The model format as JSON Schema, generated from the pydantic models and their descriptions.

Editors use it for completion and checking (see the README); docs/model.schema.json is this output.
"""

from __future__ import annotations

from threatlib.jsontext import json_bytes
from threatlib.spec.model import Model

SCHEMA_ID = "https://threatlib.invalid/model.schema.json"  # a name, not an address: nothing is fetched from it


def model_json_schema() -> bytes:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
              **Model.model_json_schema(mode="validation")}
    schema["title"] = "threatlib model"
    _define_vocabularies(schema)
    return json_bytes(schema)


def _define_vocabularies(schema: dict) -> None:
    """Give each tag and sector its one-line definition: in the description (any editor) and as
    enumDescriptions, which editors built on VS Code's JSON language service show beside each value."""
    from threatlib.spec.vocabulary import VOCABULARIES

    for name, definitions in VOCABULARIES.items():
        entry = schema["$defs"][name]
        assert entry["enum"] == [m.value for m in definitions], name
        entry["description"] = entry.get("description", "") + "\n\n" + "\n".join(
            f"- {m.value}: {text}" for m, text in definitions.items())
        entry["enumDescriptions"] = list(definitions.values())
