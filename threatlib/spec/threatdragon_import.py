"""Threat Dragon v2: its cells (actors, processes, stores, flows, trust boundaries and text blocks) as a draft model."""

from __future__ import annotations

from pathlib import Path

from threatlib.spec.draft import KINDS, Draft, Ids, one_line, sentence, with_threats

TD_KINDS = {"tm.Actor": "actor", "tm.Process": "process", "tm.Store": "datastore"}


def from_threat_dragon(document: dict, path: Path) -> Draft:
    summary = document.get("summary") or {}
    draft = Draft(name=one_line(summary.get("title")) or path.stem, description=one_line(summary.get("description")),
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
                boundary_id, known = ids.new(one_line(data.get("name")) or "boundary", "boundary"), False
            if kind == "tm.BoundaryBox":
                boxes.append((cell, boundary_id))
            if known:
                continue
            description = one_line(data.get("description"))
            if kind == "tm.Boundary":
                description = " ".join(filter(None, [description, "Drawn in Threat Dragon as a boundary line, not a box, "
                                                                  "so no element is placed inside it."]))
            draft.boundaries.append({"id": boundary_id, "name": one_line(data.get("name")) or "Trust boundary",
                                     "description": description, "parent": ours.get("parent")})
        elif kind in TD_KINDS:
            element_id = ids.new(ours.get("id") or one_line(data.get("name")), "element")
            element_of[cell["id"]] = element_id
            in_scope = not data.get("outOfScope", False)
            description = one_line(data.get("description"))
            if not in_scope and one_line(data.get("reasonOutOfScope")):
                description = " ".join(filter(None, [description, f"Out of scope: {one_line(data.get('reasonOutOfScope'))}"]))
            draft.elements.append({
                "id": element_id, "name": one_line(data.get("name")) or "Unnamed element",
                "kind": ours.get("kind") if ours.get("kind") in KINDS else TD_KINDS[kind],
                "description": with_threats(description, data.get("threats") or [], "Threat Dragon"),
                "in_scope": in_scope, "cell": cell})
        elif kind == "tm.Text":
            if one_line(data.get("name")):
                draft.notes.append(sentence(f"Text on the Threat Dragon diagram: {one_line(data.get('name'))}"))
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
        name = one_line(data.get("name")) or "Data flow"
        source, target = (cell.get(end) or {} for end in ("source", "target"))
        if source.get("cell") not in element_of or target.get("cell") not in element_of:
            draft.notes.append(f"Flow '{name}' has no element at one of its ends in Threat Dragon, so it was not imported."
                               + (f" {with_threats('', data['threats'], 'Threat Dragon')}" if data.get("threats") else ""))
            continue
        ours = data.get("threatlib") or {}
        draft.flows.append({
            "id": ids.new(ours.get("id") or name, "flow"), "name": name,
            "source": element_of[source["cell"]], "sink": element_of[target["cell"]],
            "protocol": one_line(data.get("protocol")), "encryption": "tls1.2" if data.get("isEncrypted") else "none",
            "description": with_threats(one_line(data.get("description")), data.get("threats") or [], "Threat Dragon")})
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
