"""Start a model for another app: a short commented skeleton, or an existing model with what must change marked.

From an existing model, comments and layout survive (ruamel.yaml round trip). Every vendor-specific value
(names, descriptions, statements, `control`, `as_of`, the data flags, sources' details) becomes a `REPLACE:`
placeholder, which `threatlib validate` lists with its position until it is filled in. An id is renamed only
where it names the source app as a whole word at its start (tiktok, tiktok-app -> newapp, newapp-app), so a
source about the TikTok case (supreme-court-2025-tiktok-v-garland) keeps its id; references follow.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

PLACEHOLDER = "REPLACE:"
PLACEHOLDER_URL = "https://example.org/REPLACE"
SKELETONS = Path(__file__).parent / "skeletons"
SECTIONS = ("organisations", "data", "boundaries", "elements", "flows")
DATA_FLAGS = ("personal", "sensitive", "children")
# A marked value that is not text (a flag, a date, a number) is read as its unmarked value while validating, so
# the only problem left is the placeholder itself.
_TYPED = re.compile(r"^(true|false|-?\d+|\d{4}(-\d{2}(-\d{2})?)?)$")


def _mark(value: object) -> str:
    if isinstance(value, bool):
        value = str(value).lower()
    return f"{PLACEHOLDER} {value}"


def skeleton(name: str, today: dt.date | None = None) -> str:
    """The short commented model `threatlib new NAME` writes: every section once, valid as it stands."""
    text = (SKELETONS / "model.yaml").read_text(encoding="utf-8")
    return text.replace("id: NAME ", f"id: {name} ").replace("`threatlib new NAME`", f"`threatlib new {name}`") \
        .replace("models/NAME.yaml", f"models/{name}.yaml").replace("AS_OF", (today or dt.date.today()).isoformat())


def jurisdiction_skeleton(code: str) -> dict[str, str]:
    """Files `threatlib new-jurisdiction CODE` writes into a library folder: the legal order and its proof."""
    def fill(text: str) -> str:
        return re.sub(r"\bCODE\b", code, text.replace("LOWER", code.lower()))

    return {f"jurisdictions/{code}.yaml": fill((SKELETONS / "jurisdiction.yaml").read_text(encoding="utf-8")),
            f"jurisdictions/proofs/{code}.yaml": fill((SKELETONS / "jurisdiction-proof.yaml").read_text(encoding="utf-8"))}


def threat_skeleton(threat_id: str, family: str) -> dict[str, str]:
    """Files `threatlib new-threat ID --family FAMILY` writes: the threat and its two proof fixtures."""
    def fill(text: str) -> str:
        return re.sub(r"\bID\b", threat_id, re.sub(r"\bFAMILY\b", family, text.replace("LOWER", threat_id.lower())))

    folder = f"threats/{family}/{threat_id}"
    names = {"threat.yaml": "threat.yaml", "fires.yaml": "threat-fires.yaml", "near_miss.yaml": "threat-near-miss.yaml"}
    return {f"{folder}/{name}": fill((SKELETONS / skeleton_name).read_text(encoding="utf-8"))
            for name, skeleton_name in names.items()}


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
    for key in ("name", "description", "scope", "as_of"):
        meta[key] = _mark(meta[key])
    if meta.get("authors"):
        meta["authors"] = [_mark(a) for a in meta["authors"]]
    for s in doc.get("sources", []):
        for key in ("title", "publisher", "date"):
            s[key] = _mark(s[key])
        if s.get("url"):
            s["url"] = PLACEHOLDER_URL
        if s.get("note"):  # how the old source was checked says nothing about the new one
            s["note"] = _mark(s["note"])
    items = [item for section in SECTIONS for item in doc.get(section, [])]
    for scenario in doc.get("scenarios", []):
        scenario["name"] = _mark(scenario["name"])
        scenario["description"] = _mark(scenario["description"])
        items += [item for section in SECTIONS for item in scenario.get("add", {}).get(section, [])]
    claims = []
    for item in items:
        for key in ("name", "description", "control"):
            if item.get(key):
                item[key] = _mark(item[key])
        for flag in DATA_FLAGS:  # only data categories carry these; every one is the old app's fact
            if flag in item and isinstance(item[flag], bool):
                item[flag] = _mark(item[flag])
        claims += list(item.get("claims", []))
    for position in doc.get("positions", []):
        position["topic"] = _mark(position["topic"])
        claims += [position["vendor"], *position.get("counter", [])]
    for scenario in doc.get("scenarios", []):
        claims += list(scenario.get("claims", []))
    for said in doc.get("debate", []):
        for key in ("claim", "said_by", "reasoning", "in_short"):
            said[key] = _mark(said[key])
        claims += list(said.get("evidence", []))
    for claim in claims:
        claim["statement"] = _mark(claim["statement"])
    for decision in doc.get("decisions", []):
        decision["justification"] = _mark(decision["justification"])
    out = io.StringIO()
    yaml.dump(doc, out)
    renames = _renames(doc, old, name)
    header = (f"# Started from {source.name} by `threatlib new {name} --from`. Replace every '{PLACEHOLDER}' value and\n"
              f"# the example.org addresses; `threatlib validate` lists what is left, with positions.\n")
    if not renames:
        return header + out.getvalue()
    # Whole ids only: a token bounded by characters that cannot continue an id, a path or a host name.
    pattern = re.compile(r"(?<![A-Za-z0-9_./-])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True)))
                         + r")(?![A-Za-z0-9_./-])")
    return header + pattern.sub(lambda m: renames[m.group(1)], out.getvalue())


def _renames(doc, old: str, name: str) -> dict[str, str]:
    """Ids of the model's own entries that start with the source app's id as a whole word."""
    ids = [item["id"] for section in SECTIONS for item in doc.get(section, [])]
    ids += [s["id"] for s in doc.get("scenarios", [])] + [p["id"] for p in doc.get("positions", [])]
    for scenario in doc.get("scenarios", []):
        ids += [item["id"] for section in SECTIONS for item in scenario.get("add", {}).get(section, [])]
    return {i: name + i[len(old):] for i in ids if i == old or i.startswith(old + "-")}


def unmark(data: object) -> object:
    """The document with each marked flag, date or number read as its value, for validating a started model."""
    if isinstance(data, dict):
        return {key: unmark(value) for key, value in data.items()}
    if isinstance(data, list):
        return [unmark(value) for value in data]
    if isinstance(data, str) and data.startswith(PLACEHOLDER):
        rest = data[len(PLACEHOLDER):].strip()
        if rest in ("true", "false"):  # a flag was marked as text; booleans are strict, so read it back as one
            return rest == "true"
        if _TYPED.match(rest):
            return rest
    return data


def placeholders(data: object, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every value still marked for replacing, with its path in the document."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += placeholders(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += placeholders(value, path + (index,))
    elif isinstance(data, str) and (data.startswith(PLACEHOLDER) or data == PLACEHOLDER_URL):
        found.append((path, data))
    return found
