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
    return json_bytes(schema)
