"""An imported file as a draft of our model, before it is written as YAML: what Threat Dragon and OTM readers fill in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UNSPECIFIED = "unspecified-data"
SOURCE_ID = "imported-file"
KINDS = ("actor", "device", "process", "server", "datastore", "external")


@dataclass
class Draft:
    """What the file holds, in our model's terms, before it is written as YAML."""

    name: str
    description: str
    kind: str  # "Threat Dragon model" or "Open Threat Model file"
    boundaries: list[dict] = field(default_factory=list)
    elements: list[dict] = field(default_factory=list)
    flows: list[dict] = field(default_factory=list)
    data: dict[str, str] = field(default_factory=dict)  # data category id -> name, when the file names them
    notes: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)  # element id -> what the file said of its location, operator


class Ids:
    """Model ids from names or foreign ids: lowercase, hyphens, unique across the whole model."""

    def __init__(self) -> None:
        self.taken: set[str] = {UNSPECIFIED, SOURCE_ID}

    def new(self, wanted: str, fallback: str = "item") -> str:
        base = re.sub(r"[^a-z0-9]+", "-", wanted.lower()).strip("-")[:56].strip("-") or fallback
        slug, n = base, 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug


def one_line(value: object) -> str:
    """One clean line or paragraph of the file's text: names in Threat Dragon often hold line breaks."""
    return " ".join(str(value).split()) if value is not None else ""


def sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def threat_note(threat: dict) -> str:
    title = one_line(threat.get("title") or threat.get("name")) or "Untitled threat"
    facts = [one_line(threat.get(k)) for k in ("type", "severity", "status") if one_line(threat.get(k))]
    parts = [sentence(title + (f" ({'; '.join(facts)})" if facts else ""))]
    for label, key in (("", "description"), ("Mitigation: ", "mitigation")):
        if one_line(threat.get(key)):
            parts.append(sentence(label + one_line(threat.get(key))))
    return " ".join(parts)


def with_threats(description: str, threats: list[dict], where: str) -> str:
    if not threats:
        return description
    notes = " ".join(f"[{i}] {threat_note(t)}" for i, t in enumerate(threats, 1))
    return " ".join(filter(None, [description, f"Threats recorded in {where}: {notes}"]))
