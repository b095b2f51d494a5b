"""Open Threat Model (OTM): its trust zones, components, dataflows and threats as a draft model."""

from __future__ import annotations

import re
from pathlib import Path

from threatlib.spec.draft import KINDS, Draft, Ids, one_line, with_threats

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# OTM's component types are free text: guess our kind from words in it, the most telling first.
OTM_KIND_WORDS = [
    ("datastore", ("database", "db", "storage", "store", "bucket", "s3", "sql", "cache", "queue")),
    ("device", ("device", "client", "mobile", "android", "ios", "browser", "phone", "desktop")),
    ("actor", ("user", "actor", "person", "customer", "admin")),
    ("external", ("external", "third-party", "saas")),
    ("server", ("server", "vm", "host", "gateway", "load-balancer")),
]


def from_otm(document: dict, path: Path) -> Draft:
    project = document.get("project") or {}
    draft = Draft(name=one_line(project.get("name")) or path.stem, description=one_line(project.get("description")),
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
        boundary_of[zone_id] = ids.new(ours or one_line(zone.get("name")) or "zone", "zone")
        rating = (zone.get("risk") or {}).get("trustRating")
        description = one_line(zone.get("description"))
        if rating is not None and not ours:
            description = " ".join(filter(None, [description, f"OTM trust rating {rating}."]))
        draft.boundaries.append({"id": boundary_of[zone_id], "name": one_line(zone.get("name")) or "Trust zone",
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
        element_id = ids.new(_readable_id(c.get("id")) or one_line(c.get("name")), "element")
        element_of[c.get("id")] = element_id
        recorded = [_otm_threat(t, threats, mitigations) for t in c.get("threats") or [] if isinstance(t, dict)]
        if "in_scope" in attributes:  # ours
            in_scope = str(attributes["in_scope"]).lower() != "false"
        else:  # as Microsoft's Threat Modeling Tool writes it into OTM
            in_scope = str(attributes.get("Out Of Scope", "false")).lower() != "true"
        draft.elements.append({
            "id": element_id, "name": one_line(c.get("name")) or "Unnamed component", "kind": _otm_kind(c),
            "description": with_threats(one_line(c.get("description")), recorded, "the OTM file"),
            "in_scope": in_scope, "boundary": zone_of(c.get("parent") or {})})
        said = [f"{key} {attributes[key]}" for key in ("location", "operator") if str(attributes.get(key) or "").strip()]
        if said:
            draft.hints[element_id] = ", ".join(said)
    for f in document.get("dataflows") or []:
        if not isinstance(f, dict) or "legal-compulsion" in (f.get("tags") or []):
            continue
        name = one_line(f.get("name")) or "Data flow"
        if f.get("source") not in element_of or f.get("destination") not in element_of:
            draft.notes.append(f"Dataflow '{name}' has no component at one of its ends in the OTM file, so it was not imported.")
            continue
        attributes = f.get("attributes") or {}
        carried = [d.strip() for d in str(attributes.get("data") or "").split(",") if _ID.fullmatch(d.strip())]
        draft.data.update({d: d for d in carried})
        recorded = [_otm_threat(t, threats, mitigations) for t in f.get("threats") or [] if isinstance(t, dict)]
        description = with_threats(one_line(f.get("description")), recorded, "the OTM file")
        if f.get("bidirectional"):
            description += " Bidirectional in the OTM file: the reverse flow is not listed separately."
        encryption = str(attributes.get("encryption") or "")
        draft.flows.append({
            "id": ids.new(_readable_id(f.get("id")) or name, "flow"),
            "name": name, "source": element_of[f["source"]], "sink": element_of[f["destination"]],
            "protocol": one_line(attributes.get("protocol")), "data": carried,
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
            "mitigation": "; ".join(one_line(m.get("name")) for m in applied)}


# Writing the model
