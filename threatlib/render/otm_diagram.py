"""The OTM file's `diagram` representation: where each component and trust zone is drawn.

OWASP Threat Dragon's OTM importer draws only representations of type `diagram`, placing each component and
trust zone by its representation's position (relative to its parent zone, in pixels) and size. Components sit
where the Threat Dragon export puts them (Graphviz's layout, or the grid for a large model); a zone is the box
around everything inside it. A component the layout does not draw (a domestic state authority) goes in a row
at the foot of its zone, so no dataflow points at a missing cell.
"""

from __future__ import annotations

from threatlib.analysis.model import Analysis
from threatlib.render.diagram import is_large, node_names
from threatlib.render.dot_layout import diagram_layout
from threatlib.render.grid_layout import Box, grid_layout

DIAGRAM = "diagram"
PAD, HEADER, GAP = 20, 30, 30
SPARE = Box(0, 0, 160, 70)  # the size of a component the layout does not place

# Threat Dragon guesses a cell's shape from its OTM type, component id or representation id: 'database' makes a
# store, 'service' a process, anything else an actor. Our types are our own words, so the representation id says it.
TD_SHAPE_WORD = {"datastore": "database", "process": "service", "server": "service", "device": "service"}


def component_boxes(analysis: Analysis, dot_json: dict | None) -> dict[str, Box]:
    """Absolute boxes of the elements and authorities the export's layout places, by id."""
    if is_large(analysis):
        drawn = [a.id for a in analysis.authorities if a.jurisdiction not in analysis.model.domestic]
        return dict(grid_layout(analysis, drawn).nodes)
    by_name = {name: key for key, name in node_names(analysis).items()}
    return {by_name[name]: box for name, box in diagram_layout(analysis, dot_json).nodes.items() if name in by_name}


def add_diagram(document: dict, boxes: dict[str, Box]) -> None:
    """Give the document a diagram representation and each zone and component a place on it (in place)."""
    zones = {z["id"]: z for z in document["trustZones"]}
    parent_of = {z["id"]: z.get("parent", {}).get("trustZone") for z in zones.values()}
    depth = {}
    for zone_id in zones:
        d, up = 0, parent_of[zone_id]
        while up:
            d, up = d + 1, parent_of[up]
        depth[zone_id] = d
    placed = {c["id"]: boxes[c["id"]] for c in document["components"] if c["id"] in boxes}
    inside: dict[str, list[str]] = {}
    for c in document["components"]:
        inside.setdefault(c["parent"]["trustZone"], []).append(c["id"])
    child_zones: dict[str, list[str]] = {}
    for zone_id, parent in parent_of.items():
        if parent:
            child_zones.setdefault(parent, []).append(zone_id)
    zone_box: dict[str, Box] = {}
    right_edge = max((b.x + b.width for b in placed.values()), default=0)
    for zone_id in sorted(zones, key=lambda z: (-depth[z], z)):  # inner zones first
        children = [zone_box[z] for z in child_zones.get(zone_id, [])]
        members = [placed[c] for c in inside.get(zone_id, []) if c in placed] + children
        if members:
            left, top = min(b.x for b in members) - PAD, min(b.y for b in members) - PAD - HEADER
            right, bottom = max(b.x + b.width for b in members) + PAD, max(b.y + b.height for b in members) + PAD
        else:
            left, top, right, bottom = right_edge + GAP, 0, right_edge + GAP + 2 * PAD, HEADER + 2 * PAD
        x = left + PAD
        for c in inside.get(zone_id, []):
            if c not in placed:
                placed[c] = Box(x, bottom, SPARE.width, SPARE.height)
                x += SPARE.width + GAP
                right = max(right, x - GAP + PAD)
        if any(c not in boxes for c in inside.get(zone_id, [])):
            bottom += SPARE.height + PAD
        zone_box[zone_id] = Box(left, top, right - left, bottom - top)
        right_edge = max(right_edge, right)

    document["representations"] = [*document.get("representations", []), {
        "name": "Data-flow diagram", "id": DIAGRAM, "type": "diagram",
        "description": "Where each component and trust zone is drawn, as in the threatlib report's diagram.",
        "size": {"width": max((b.x + b.width for b in zone_box.values()), default=0),
                 "height": max((b.y + b.height for b in zone_box.values()), default=0)}}]
    for zone_id, zone in zones.items():
        zone["representations"] = [_place(f"{zone_id}.diagram", zone_box[zone_id], zone_box.get(parent_of[zone_id]))]
    for c in document["components"]:
        word = TD_SHAPE_WORD.get(c["type"], "representation")
        c["representations"] = [*c.get("representations", []),
                                _place(f"{c['id']}.{word}", placed[c["id"]], zone_box[c["parent"]["trustZone"]])]


def _place(representation_id: str, box: Box, parent: Box | None) -> dict:
    x, y = (box.x - parent.x, box.y - parent.y) if parent else (box.x, box.y)
    return {"representation": DIAGRAM, "id": representation_id, "position": {"x": x, "y": y},
            "size": {"width": box.width, "height": box.height}}
