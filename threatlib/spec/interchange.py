"""`threatlib import`: a Threat Dragon v2 model or an Open Threat Model (OTM) file as a threatlib model file.

Every element, flow and trust boundary is kept with its name and description; every threat the file records
is kept as a note in the description of the element or flow it is on (title, category, severity, status,
description, mitigation), and text blocks and flows with a missing end as notes in the model's description.
The result has no legal layer yet (these formats have no organisations or jurisdictions), so it reports as
a pytm script does ("the legal layer was not modelled"); a `REPLACE:` comment on each element says what to
add, with whatever the file said about where it is and who runs it.

Files threatlib exported itself read back exactly: Threat Dragon cells carry our ids and kinds under
data.threatlib, and OTM components our kinds and attributes; what threatlib derived (state authorities,
compulsion links, legal-order and operator boxes) is left out, since `report` derives it again.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from threatlib.errors import InputError, Problem

UNSPECIFIED = "unspecified-data"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SOURCE_ID = "imported-file"
KINDS = ("actor", "device", "process", "server", "datastore", "external")
TD_KINDS = {"tm.Actor": "actor", "tm.Process": "process", "tm.Store": "datastore"}
# OTM's component types are free text: guess our kind from words in it, the most telling first.
OTM_KIND_WORDS = [
    ("datastore", ("database", "db", "storage", "store", "bucket", "s3", "sql", "cache", "queue")),
    ("device", ("device", "client", "mobile", "android", "ios", "browser", "phone", "desktop")),
    ("actor", ("user", "actor", "person", "customer", "admin")),
    ("external", ("external", "third-party", "saas")),
    ("server", ("server", "vm", "host", "gateway", "load-balancer")),
]


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


def import_model(path: Path, model_id: str) -> str:
    """The model file's text; InputError (file:line:column) if the file is not one of the two formats."""
    return draft_yaml(read_interchange(path), model_id, path.name)


def write_imported(path: Path, target: Path, library):
    """Write the imported model to `target` (its stem is the model id) only once it loads as a valid model."""
    from threatlib.spec import load_model

    text = import_model(path, target.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.importing")
    draft.write_text(text, encoding="utf-8")
    try:
        model, _ = load_model(draft, library, display_name=str(target))
        draft.replace(target)
    finally:
        draft.unlink(missing_ok=True)
    return model


def read_interchange(path: Path) -> Draft:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), 1, 1, "not UTF-8 text: expected a Threat Dragon or OTM JSON file")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]) from None
    if isinstance(document, dict) and "otmVersion" in document:
        return _from_otm(document, path)
    if isinstance(document, dict) and isinstance(document.get("detail"), dict):
        diagrams = document["detail"].get("diagrams") or []
        if any(isinstance(d, dict) and "diagramJson" in d for d in diagrams):
            raise InputError([Problem(str(path), 1, 1, "a Threat Dragon v1 model: open it in Threat Dragon 2 and save it, "
                                                       "which converts it to v2, then import that")])
        return _from_threat_dragon(document, path)
    raise InputError([Problem(str(path), 1, 1, "neither a Threat Dragon v2 model (with 'detail') nor an Open Threat "
                                               "Model file (with 'otmVersion')")])


def _text(value: object) -> str:
    """One clean line or paragraph of the file's text: names in Threat Dragon often hold line breaks."""
    return " ".join(str(value).split()) if value is not None else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _threat_note(threat: dict) -> str:
    title = _text(threat.get("title") or threat.get("name")) or "Untitled threat"
    facts = [_text(threat.get(k)) for k in ("type", "severity", "status") if _text(threat.get(k))]
    parts = [_sentence(title + (f" ({'; '.join(facts)})" if facts else ""))]
    for label, key in (("", "description"), ("Mitigation: ", "mitigation")):
        if _text(threat.get(key)):
            parts.append(_sentence(label + _text(threat.get(key))))
    return " ".join(parts)


def _with_threats(description: str, threats: list[dict], where: str) -> str:
    if not threats:
        return description
    notes = " ".join(f"[{i}] {_threat_note(t)}" for i, t in enumerate(threats, 1))
    return " ".join(filter(None, [description, f"Threats recorded in {where}: {notes}"]))


# Threat Dragon v2


def _from_threat_dragon(document: dict, path: Path) -> Draft:
    summary = document.get("summary") or {}
    draft = Draft(name=_text(summary.get("title")) or path.stem, description=_text(summary.get("description")),
                  kind="Threat Dragon model")
    ids = Ids()
    cells = [c for d in document["detail"].get("diagrams") or [] for c in d.get("cells") or [] if isinstance(c, dict)]
    element_of: dict[str, str] = {}  # cell id -> element id
    boxes: list[tuple[dict, str]] = []  # (cell, boundary id) of trust boundary boxes, for membership by geometry
    for cell in cells:
        data = cell.get("data") or {}
        ours = data.get("threatlib") or {}
        kind = data.get("type")
        if ours.get("derived"):
            continue
        if kind in ("tm.BoundaryBox", "tm.Boundary"):
            if ours.get("boundary"):  # ours: the same boundary may be boxed once per operator that runs elements in it
                boundary_id = ours["boundary"]
                known = boundary_id in ids.taken
                ids.taken.add(boundary_id)
            else:
                boundary_id, known = ids.new(_text(data.get("name")) or "boundary", "boundary"), False
            if kind == "tm.BoundaryBox":
                boxes.append((cell, boundary_id))
            if known:
                continue
            description = _text(data.get("description"))
            if kind == "tm.Boundary":
                description = " ".join(filter(None, [description, "Drawn in Threat Dragon as a boundary line, not a box, "
                                                                  "so no element is placed inside it."]))
            draft.boundaries.append({"id": boundary_id, "name": _text(data.get("name")) or "Trust boundary",
                                     "description": description, "parent": ours.get("parent")})
        elif kind in TD_KINDS:
            element_id = ids.new(ours.get("id") or _text(data.get("name")), "element")
            element_of[cell["id"]] = element_id
            in_scope = not data.get("outOfScope", False)
            description = _text(data.get("description"))
            if not in_scope and _text(data.get("reasonOutOfScope")):
                description = " ".join(filter(None, [description, f"Out of scope: {_text(data.get('reasonOutOfScope'))}"]))
            draft.elements.append({
                "id": element_id, "name": _text(data.get("name")) or "Unnamed element",
                "kind": ours.get("kind") if ours.get("kind") in KINDS else TD_KINDS[kind],
                "description": _with_threats(description, data.get("threats") or [], "Threat Dragon"),
                "in_scope": in_scope, "cell": cell})
        elif kind == "tm.Text":
            if _text(data.get("name")):
                draft.notes.append(_sentence(f"Text on the Threat Dragon diagram: {_text(data.get('name'))}"))
    known_boundaries = {b["id"] for b in draft.boundaries}
    for element in draft.elements:
        element["boundary"] = _innermost(element.pop("cell"), boxes)
    for b in draft.boundaries:
        if b["parent"] is None:  # not ours: the smallest larger box around this one's centre
            cell = next((c for c, bid in boxes if bid == b["id"]), None)
            larger = [(c, i) for c, i in boxes if i != b["id"] and cell and _area(c) > _area(cell)]
            b["parent"] = _innermost(cell, larger) if cell else None
        elif b["parent"] not in known_boundaries:
            b["parent"] = None
    for cell in cells:
        data = cell.get("data") or {}
        if data.get("type") != "tm.Flow" or (data.get("threatlib") or {}).get("derived"):
            continue
        name = _text(data.get("name")) or "Data flow"
        source, target = (cell.get(end) or {} for end in ("source", "target"))
        if source.get("cell") not in element_of or target.get("cell") not in element_of:
            draft.notes.append(f"Flow '{name}' has no element at one of its ends in Threat Dragon, so it was not imported."
                               + (f" {_with_threats('', data['threats'], 'Threat Dragon')}" if data.get("threats") else ""))
            continue
        ours = data.get("threatlib") or {}
        draft.flows.append({
            "id": ids.new(ours.get("id") or name, "flow"), "name": name,
            "source": element_of[source["cell"]], "sink": element_of[target["cell"]],
            "protocol": _text(data.get("protocol")), "encryption": "tls1.2" if data.get("isEncrypted") else "none",
            "description": _with_threats(_text(data.get("description")), data.get("threats") or [], "Threat Dragon")})
        if data.get("isBidirectional"):
            draft.flows[-1]["description"] += " Bidirectional in Threat Dragon: the reverse flow is not drawn separately."
    return draft


def _area(cell: dict) -> float:
    try:
        return cell["size"]["width"] * cell["size"]["height"]
    except (KeyError, TypeError):
        return 0


def _innermost(cell: dict, boxes: list[tuple[dict, str]]) -> str | None:
    """The smallest trust boundary box that holds the cell's centre."""
    try:
        x = cell["position"]["x"] + cell["size"]["width"] / 2
        y = cell["position"]["y"] + cell["size"]["height"] / 2
    except (KeyError, TypeError):
        return None
    holding = []
    for box, boundary_id in boxes:
        try:
            bx, by, bw, bh = box["position"]["x"], box["position"]["y"], box["size"]["width"], box["size"]["height"]
        except (KeyError, TypeError):
            continue
        if bx <= x <= bx + bw and by <= y <= by + bh and box is not cell:
            holding.append((bw * bh, boundary_id))
    return min(holding)[1] if holding else None


# Open Threat Model


def _from_otm(document: dict, path: Path) -> Draft:
    project = document.get("project") or {}
    draft = Draft(name=_text(project.get("name")) or path.stem, description=_text(project.get("description")),
                  kind="Open Threat Model file")
    ids = Ids()
    threats = {t.get("id"): t for t in document.get("threats") or [] if isinstance(t, dict)}
    mitigations = {m.get("id"): m for m in document.get("mitigations") or [] if isinstance(m, dict)}
    zones = {z.get("id"): z for z in document.get("trustZones") or [] if isinstance(z, dict)}
    boundary_of: dict[str, str | None] = {}  # zone id -> boundary id (None for our legal-order zones)
    for zone_id, zone in zones.items():
        if zone.get("type") == "legal-order":  # threatlib's own: the jurisdiction, derived again by report
            boundary_of[zone_id] = None
            continue
        ours = (zone.get("attributes") or {}).get("boundary") if zone.get("type") == "trust-boundary" else None
        if ours and ours in boundary_of.values():
            boundary_of[zone_id] = ours
            continue
        boundary_of[zone_id] = ids.new(ours or _text(zone.get("name")) or "zone", "zone")
        rating = (zone.get("risk") or {}).get("trustRating")
        description = _text(zone.get("description"))
        if rating is not None and not ours:
            description = " ".join(filter(None, [description, f"OTM trust rating {rating}."]))
        draft.boundaries.append({"id": boundary_of[zone_id], "name": _text(zone.get("name")) or "Trust zone",
                                 "description": description, "zone": zone_id})
    for b in draft.boundaries:
        parent = ((zones[b.pop("zone")].get("parent") or {}).get("trustZone"))
        b["parent"] = boundary_of.get(parent)
    components = [c for c in document.get("components") or [] if isinstance(c, dict)]
    element_of: dict[str, str] = {}
    parent_of = {c.get("id"): c.get("parent") or {} for c in components}

    def zone_of(parent: dict, seen: int = 0) -> str | None:
        if "trustZone" in parent:
            return boundary_of.get(parent["trustZone"])
        if "component" in parent and seen < 50:
            return zone_of(parent_of.get(parent["component"], {}), seen + 1)
        return None

    for c in components:
        if c.get("type") == "state-authority":
            continue
        attributes = c.get("attributes") or c.get("properties") or {}
        element_id = ids.new(_readable_id(c.get("id")) or _text(c.get("name")), "element")
        element_of[c.get("id")] = element_id
        recorded = [_otm_threat(t, threats, mitigations) for t in c.get("threats") or [] if isinstance(t, dict)]
        if "in_scope" in attributes:  # ours
            in_scope = str(attributes["in_scope"]).lower() != "false"
        else:  # as Microsoft's Threat Modeling Tool writes it into OTM
            in_scope = str(attributes.get("Out Of Scope", "false")).lower() != "true"
        draft.elements.append({
            "id": element_id, "name": _text(c.get("name")) or "Unnamed component", "kind": _otm_kind(c),
            "description": _with_threats(_text(c.get("description")), recorded, "the OTM file"),
            "in_scope": in_scope, "boundary": zone_of(c.get("parent") or {})})
        said = [f"{key} {attributes[key]}" for key in ("location", "operator") if str(attributes.get(key) or "").strip()]
        if said:
            draft.hints[element_id] = ", ".join(said)
    for f in document.get("dataflows") or []:
        if not isinstance(f, dict) or "legal-compulsion" in (f.get("tags") or []):
            continue
        name = _text(f.get("name")) or "Data flow"
        if f.get("source") not in element_of or f.get("destination") not in element_of:
            draft.notes.append(f"Dataflow '{name}' has no component at one of its ends in the OTM file, so it was not imported.")
            continue
        attributes = f.get("attributes") or {}
        carried = [d.strip() for d in str(attributes.get("data") or "").split(",") if _ID.fullmatch(d.strip())]
        draft.data.update({d: d for d in carried})
        recorded = [_otm_threat(t, threats, mitigations) for t in f.get("threats") or [] if isinstance(t, dict)]
        description = _with_threats(_text(f.get("description")), recorded, "the OTM file")
        if f.get("bidirectional"):
            description += " Bidirectional in the OTM file: the reverse flow is not listed separately."
        encryption = str(attributes.get("encryption") or "")
        draft.flows.append({
            "id": ids.new(_readable_id(f.get("id")) or name, "flow"),
            "name": name, "source": element_of[f["source"]], "sink": element_of[f["destination"]],
            "protocol": _text(attributes.get("protocol")), "data": carried,
            "encryption": encryption if encryption in {"none", "tls1.2", "tls1.3", "e2e"} else "none",
            "remote_access": str(attributes.get("remote_access")) == "true", "description": description.strip()})
    return draft


def _readable_id(value: object) -> str:
    """An OTM id kept as ours when it is already one (as in our own exports), but not a tool's UUID."""
    text = str(value or "")
    return text if _ID.fullmatch(text) and not _UUID.fullmatch(text) else ""


def _otm_kind(component: dict) -> str:
    kind = str(component.get("type") or "").lower()
    if kind in KINDS:
        return kind
    words = set(re.split(r"[^a-z0-9]+", kind)) | {kind}
    for ours, hints in OTM_KIND_WORDS:
        if any(h in words or (len(h) > 3 and h in kind) for h in hints):
            return ours
    return "process"


def _otm_threat(instance: dict, threats: dict, mitigations: dict) -> dict:
    threat = threats.get(instance.get("threat")) or {"name": f"Threat {instance.get('threat')}"}
    applied = [mitigations[m.get("mitigation")] for m in instance.get("mitigations") or []
               if isinstance(m, dict) and m.get("mitigation") in mitigations]
    return {"title": threat.get("name"), "type": ", ".join(threat.get("categories") or []),
            "status": instance.get("state"), "description": threat.get("description"),
            "mitigation": "; ".join(_text(m.get("name")) for m in applied)}


# Writing the model


def _as_of() -> dt.date:
    """An imported file carries no date its facts are current to: SOURCE_DATE_EPOCH when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch else dt.date.today()


def draft_yaml(draft: Draft, model_id: str, file_name: str) -> str:
    as_of = _as_of()
    notes = " ".join(draft.notes)
    model = CommentedMap()
    model["metadata"] = CommentedMap(
        id=model_id, name=draft.name,
        description=" ".join(filter(None, [_sentence(draft.description or f"Imported from {file_name}"), notes])),
        scope=f"Imported from the {draft.kind} {file_name}: its elements, flows and trust boundaries. Organisations "
              "and jurisdictions are not modelled yet, so the legal layer is absent.",
        as_of=as_of)
    model["sources"] = [CommentedMap(id=SOURCE_ID, title=file_name, publisher=draft.kind, date=as_of, kind="primary")]
    uses_unspecified = any(not f.get("data") for f in draft.flows)
    data = [CommentedMap(id=d, name=name, classification="restricted", personal=False) for d, name in draft.data.items()]
    if uses_unspecified or not data:
        data.append(CommentedMap(id=UNSPECIFIED, name="Data not specified in the imported file", classification="restricted",
                                 personal=False))
    model["data"] = data
    if draft.boundaries:
        model["boundaries"] = [CommentedMap((k, b[k]) for k in ("id", "name", "description", "parent") if b.get(k))
                               for b in draft.boundaries]
    elements = CommentedSeq()
    for e in draft.elements:
        item = CommentedMap(id=e["id"], name=e["name"], kind=e["kind"])
        for key in ("description", "boundary"):
            if e.get(key):
                item[key] = e[key]
        if not e["in_scope"]:
            item["in_scope"] = False
        item["claims"] = [CommentedMap(statement=f"{file_name} draws '{e['name']}' as a {e['kind']}.", status="confirmed",
                                       sources=[SOURCE_ID])]
        said = f"; the file says {draft.hints[e['id']]}" if e["id"] in draft.hints else ""
        item.yaml_add_eol_comment(f"REPLACE: add its location (a jurisdiction code) and operator (an organisation id){said}",
                                  "kind")
        elements.append(item)
    model["elements"] = elements
    if draft.flows:
        flows = []
        for f in draft.flows:
            item = CommentedMap(id=f["id"], name=f["name"], source=f["source"], sink=f["sink"], data=f.get("data") or [UNSPECIFIED],
                                protocol=f["protocol"] or "not stated", encryption=f["encryption"])
            if f.get("remote_access"):
                item["remote_access"] = True
            if f.get("description"):
                item["description"] = f["description"]
            flows.append(item)
        model["flows"] = flows
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(model, out)
    header = (f"# Imported from {file_name} by `threatlib import`. It reports as it stands, without the legal layer.\n"
              "# To model who can compel whom: add organisations, each element's location and operator (see the\n"
              "# 'REPLACE:' comments) and metadata.data_subjects_in; `threatlib validate` then checks they are complete.\n")
    return header + out.getvalue()
