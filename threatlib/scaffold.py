"""Start a model for another app from an existing one, with what must change marked for the analyst.

Comments and layout survive (ruamel.yaml round trip). Every vendor-specific statement, name and source
becomes a `REPLACE:` placeholder; `threatlib validate` lists each one left, with its position. Ids that
contain the old model's id are renamed consistently, so references still resolve.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

PLACEHOLDER = "REPLACE:"


def _mark(value: object) -> str:
    return f"{PLACEHOLDER} {value}"


def scaffold(source: Path, name: str) -> str:
    from ruamel.yaml import YAML  # here, not at the top: validate reads placeholders() and never needs it

    text = source.read_text(encoding="utf-8")
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    doc = yaml.load(text)
    old = str(doc["metadata"]["id"])
    meta = doc["metadata"]
    meta["id"] = name
    for key in ("name", "description", "scope"):
        meta[key] = _mark(meta[key])
    # New ids for the sources, so a filled-in entry never collides with the library's entry of the same id.
    renamed = {}
    for s in doc.get("sources", []):
        renamed[s["id"]] = f"{name}-src-{s['id']}"[:64].rstrip("-")
        s["id"] = renamed[s["id"]]
        s["title"] = _mark(s["title"])
        s["publisher"] = _mark(s["publisher"])
        if s.get("url"):
            s["url"] = "https://example.org/REPLACE"
        s.pop("note", None)  # how the old source was checked says nothing about the new one
    for s in doc.get("sources", []):
        if s.get("mirror_of"):
            s["mirror_of"] = renamed.get(s["mirror_of"], s["mirror_of"])
    for org in doc.get("organisations", []):
        org["name"] = _mark(org["name"])
    # Descriptions carry the old vendor's facts too: mark every one, so none survives unread.
    for section in ("organisations", "data", "boundaries", "elements", "flows"):
        for item in doc.get(section, []):
            if item.get("description"):
                item["description"] = _mark(item["description"])
    claims = [claim for section in ("organisations", "data", "elements", "flows")
              for item in doc.get(section, []) for claim in item.get("claims", [])]
    for position in doc.get("positions", []):
        position["topic"] = _mark(position["topic"])
        claims += [position["vendor"], *position.get("counter", [])]
    for scenario in doc.get("scenarios", []):
        scenario["description"] = _mark(scenario["description"])
        claims += list(scenario.get("claims", []))
        for section in ("organisations", "data", "elements", "flows"):
            for item in scenario.get("add", {}).get(section, []):
                claims += list(item.get("claims", []))
    for said in doc.get("debate", []):
        for key in ("claim", "said_by", "reasoning", "in_short"):
            said[key] = _mark(said[key])
        claims += list(said.get("evidence", []))
        claims.append(said)  # its own sources are renamed with the claims'; its statement is marked above
    for claim in claims:
        if "statement" in claim:
            claim["statement"] = _mark(claim["statement"])
        for i, source_id in enumerate(claim["sources"]):
            claim["sources"][i] = renamed.get(source_id, source_id)
    out = io.StringIO()
    yaml.dump(doc, out)
    # Rename ids and references that carry the old model's id (tiktok-app -> newapp-app) in one pass.
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(old)}(?=-|\b)")
    header = (f"# Started from {source.name} by `threatlib new {name}`. Replace every '{PLACEHOLDER}' value and\n"
              f"# the example.org addresses; `threatlib validate` lists what is left, with positions.\n")
    return header + pattern.sub(name, out.getvalue())


def placeholders(data: object, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every value still marked for replacing, with its path in the document."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += placeholders(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += placeholders(value, path + (index,))
    elif isinstance(data, str) and (data.startswith(PLACEHOLDER) or data == "https://example.org/REPLACE"):
        found.append((path, data))
    return found
