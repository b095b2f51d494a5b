"""OWASP Threat Dragon v2: the data-flow diagram with its findings, laid out as Graphviz lays out dfd.svg.

A model too large for one picture (see diagram.SINGLE_DIAGRAM_LIMIT) is not laid out whole by dot, which would
take minutes: its cells sit on a grid, one box per trust boundary (grid_layout). The rest of this note is about
the Graphviz layout of a model drawn in one picture.

Graphviz's places become Threat Dragon's pixels in dot_layout. Every cluster becomes a trust boundary box: legal
order, operating organisation, trust boundary. Compulsion links are drawn for the authorities the diagram draws (those of
foreign legal orders), one flow per link, so each carries its own legal basis.
"""

from __future__ import annotations

from threatlib.analysis.model import Analysis, AuthorityView, CompulsionView, ElementView, Finding, FlowView
from threatlib.jsontext import json_bytes
from threatlib.render.diagram import COMPULSION, REMOTE, is_large, node_names
from threatlib.render.dot_layout import Layout, diagram_layout
from threatlib.render.graphstyle import element_label_lines
from threatlib.render.grid_layout import AUTHORITIES as GRID_AUTHORITIES
from threatlib.render.grid_layout import Box, grid_layout
from threatlib.render.interop import categories
from threatlib.render.text import wrapped
from threatlib.vocabulary import CATEGORY_WORDS, LINDDUN, STRIDE, THREE_LEVELS

TD_VERSION = "2.3.0"
SHAPES = {
    "actor": ("actor", "tm.Actor"),
    "external": ("actor", "tm.Actor"),
    "device": ("process", "tm.Process"),
    "process": ("process", "tm.Process"),
    "server": ("process", "tm.Process"),
    "datastore": ("store", "tm.Store"),
}
PLAIN_STROKE = "#333333"
# Threat Dragon writes null for a solid line, but its schema wants a string there; "none" is SVG's word for solid.
SOLID = "none"
THREAT_STROKE = "red"  # Threat Dragon's own mark for a cell with open threats
BOX_STROKE = {1: "#999999", 2: "#666666"}
BOUNDARY_STROKE = "#b03a2e"
NO_OPERATOR = "_unoperated"  # path keys that no model id or jurisdiction code can take (they have no underscore)
NO_JURISDICTION = "_unmodelled"
AUTHORITIES = "_authorities"
# Each cell's data says what it is in threatlib's model (its id and kind, or that threatlib derived it), so
# `threatlib import` reads the file back exactly; Threat Dragon's schema allows such extra keys.
OURS = "threatlib"


def threatdragon_json(analysis: Analysis, dot_json: dict | None = None) -> bytes:
    """`dot_json`: dot's JSON of the single diagram when the caller already has it (render_all does), to save a layout."""
    return json_bytes(threatdragon_document(analysis, dot_json))


def threatdragon_document(analysis: Analysis, dot_json: dict | None = None) -> dict:
    m = analysis.model
    layout, cells, how = _placement(analysis, dot_json)
    numbers = {f.id: i for i, f in enumerate(analysis.findings, 1)}
    # A large estate's cells would repeat each threat's description and mitigations in every one of its findings
    # (a quarter of a gigabyte at 5,000 assets). Threat Dragon has no way for a cell's threat to refer to shared
    # text, so there each finding keeps its own title, rating and reasons, and names the threat whose text is
    # written once, under the file's "threatlib" key (and in threats.json beside it).
    shared = _shared_threats(analysis) if is_large(analysis) else None
    by_target: dict[tuple[bool, str], list[dict]] = {}
    for f in analysis.findings:
        by_target.setdefault((f.element_kind == "flow", f.element_id), []).append(
            _threat(f, numbers[f.id], shared is not None))
    cells += _cells(analysis, layout, by_target)

    document = {
        "version": TD_VERSION,
        "summary": {
            "title": m.name,
            "owner": ", ".join(m.authors),
            "description": " ".join(filter(None, [m.description, f"Scope: {m.scope}" if m.scope else "",
                                                  f"Facts as of {m.as_of}." if m.as_of else ""])),
        },
        "detail": {
            "contributors": [{"name": author} for author in m.authors],
            "diagrams": [{
                "id": 0,
                "title": "Data flows and legal compulsion",
                "description": how,
                "diagramType": "STRIDE",
                "placeholder": "",
                "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                "version": TD_VERSION,
                "cells": cells,
            }],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": len(analysis.findings),
        },
    }
    if shared is not None:
        document[OURS] = {"threats": shared}
    return document


def _shared_threats(analysis: Analysis) -> dict[str, dict]:
    """Each threat's own text, once, by threat id, in the order of its first finding."""
    threats: dict[str, dict] = {}
    for f in analysis.findings:
        if f.threat_id not in threats:
            threats[f.threat_id] = {"title": f.title, "description": f.description,
                                    "mitigation": "\n\n".join(f.mitigations)}
    return threats


def _placement(analysis: Analysis, dot_json: dict | None) -> tuple[Layout, list[dict], str]:
    """Where every cell goes, the boxes drawn first, and how it was laid out: as dot lays out dfd.svg, or on a grid
    for a model too large for one picture."""
    if is_large(analysis):
        names = node_names(analysis)
        drawn = [a.id for a in analysis.authorities if a.jurisdiction not in analysis.model.domestic]
        grid = grid_layout(analysis, drawn)
        layout = Layout({names[key]: box for key, box in grid.nodes.items()}, [], [])
        return (layout, _boundary_boxes(analysis, grid.boxes),
                "Laid out on a grid, one box per trust boundary: the model is too large for one Graphviz picture.")
    layout = diagram_layout(analysis, dot_json)
    return layout, _boxes(analysis, layout), f"Laid out by Graphviz as in the threatlib report for {analysis.model.name}."


def _cells(analysis: Analysis, layout: Layout, by_target: dict[tuple[bool, str], list[dict]]) -> list[dict]:
    """The elements, the authorities drawn, the flows (on the routes dot gave them) and the compulsion links, each a
    cell with its threats, stacked in that order."""
    names = node_names(analysis)
    cells: list[dict] = []
    z = 0
    drawn: dict[str, str] = {}  # element or authority id -> cell id, for those the diagram draws
    for element in analysis.elements:
        z += 1
        drawn[element.id] = f"element.{element.id}"
        cell = _node(drawn[element.id], element.kind, element.name, _element_text(element, analysis),
                     element_label_lines(element),
                     layout.nodes[names[element.id]], z, by_target.get((False, element.id), []), element.in_scope,
                     on_grid=is_large(analysis))
        cell["data"][OURS] = {"id": element.id, "kind": element.kind}
        cells.append(cell)
    for authority in analysis.authorities:
        if names[authority.id] in layout.nodes:
            z += 1
            drawn[authority.id] = f"authority.{authority.id}"
            cell = _node(drawn[authority.id], "actor", authority.name, _authority_text(authority), wrapped(authority.name, 24, 5),
                         layout.nodes[names[authority.id]], z, [], True)
            cell["data"][OURS] = {"derived": "state-authority"}
            cells.append(cell)
    authorities = {a.id: a for a in analysis.authorities}
    routes: dict[tuple[str, str], list[list[tuple[int, int]]]] = {}
    for tail, head, points in layout.edges:
        routes.setdefault((tail, head), []).append(points)
    for flow in analysis.flows:
        z += 1
        # Flows are the first edges drawn between their two nodes, in the Analysis order.
        pending = routes.get((names[flow.source], names[flow.sink]), [])
        cell = _flow(flow, drawn, z, by_target.get((True, flow.id), []), pending.pop(0) if pending else [])
        cell["data"][OURS] = {"id": flow.id}
        cells.append(cell)
    for link in analysis.compulsion:
        if link.authority in drawn:
            z += 1
            cell = _compulsion(link, authorities[link.authority], drawn, z)
            cell["data"][OURS] = {"derived": "compulsion"}
            cells.append(cell)
    return cells


def _boxes(analysis: Analysis, layout: Layout) -> list[dict]:
    """A trust boundary box per Graphviz cluster, named after what it stands for in the diagram's nesting."""
    names = node_names(analysis)
    elements = {names[e.id]: e for e in analysis.elements}
    authorities = {names[a.id]: a for a in analysis.authorities}
    boundaries = {b.id: b for b in analysis.boundaries}
    jurisdictions = {j.id: j for j in analysis.jurisdictions}
    organisations = {o.id: o.name for o in analysis.organisations}
    cells = []
    for depth, members, box in layout.clusters:
        first = members[0]
        if first in authorities:
            path = (authorities[first].jurisdiction, AUTHORITIES)
        else:
            element = elements[first]
            chain = []
            boundary = element.boundary
            while boundary:
                chain.insert(0, boundary)
                boundary = boundaries[boundary].parent
            path = (element.location or NO_JURISDICTION, element.operator or NO_OPERATOR, *chain)
        path = path[:depth]
        key = path[-1]
        if depth == 1:
            j = jurisdictions.get(key)
            name = f"{key}: {j.name}" + (" (foreign legal order)" if j.foreign else " (users' legal order)") if j \
                else "Jurisdiction not modelled"
        elif depth == 2:
            name = {AUTHORITIES: "State authorities", NO_OPERATOR: "Not operated by an organisation"}.get(key) \
                or f"Operated by {organisations[key]}"
        else:
            name = boundaries[key].name
        cell = _box("box." + ".".join(path), name, depth, box, BOX_STROKE.get(depth, BOUNDARY_STROKE))
        cell["data"][OURS] = {"boundary": key, "parent": boundaries[key].parent} if depth > 2 else \
            {"derived": "legal-order" if depth == 1 else "operator"}
        cells.append(cell)
    return cells


def _boundary_boxes(analysis: Analysis, boxes: list[tuple[str, int, Box]]) -> list[dict]:
    """A trust boundary box per boundary of the grid layout, and one around the foreign state authorities."""
    boundaries = {b.id: b for b in analysis.boundaries}
    cells = []
    for key, depth, box in boxes:
        if key == GRID_AUTHORITIES:
            cell = _box(f"box.{key}", "State authorities of foreign legal orders", depth, box, BOX_STROKE[1])
            cell["data"][OURS] = {"derived": "state-authorities"}
        else:
            cell = _box(f"box.{key}", boundaries[key].name, depth, box, BOUNDARY_STROKE)
            cell["data"][OURS] = {"boundary": key, "parent": boundaries[key].parent}
        cells.append(cell)
    return cells


def _box(cell_id: str, name: str, depth: int, box: Box, stroke: str) -> dict:
    return {
        "id": cell_id,
        "shape": "trust-boundary-box",
        "zIndex": depth - 50,
        "position": {"x": box.x, "y": box.y},
        "size": {"width": box.width, "height": box.height},
        "visible": True,
        # Threat Dragon's trust-boundary-box shape draws its name from label.text.
        "attrs": {"label": {"text": name},
                  "body": {"stroke": stroke, "strokeWidth": 2 if depth == 1 else 1.5, "strokeDasharray": "5 5"}},
        "data": {"type": "tm.BoundaryBox", "name": name, "description": "", "isTrustBoundary": True,
                 "hasOpenThreats": False},
    }


def _node(cell_id: str, kind: str, name: str, description: str, lines: list[str], box: Box, z: int, threats: list[dict],
          in_scope: bool, on_grid: bool = False) -> dict:
    shape, td_type = SHAPES[kind]
    if shape == "process" and box.width != box.height:
        # Threat Dragon draws a process as a circle as wide as the cell's shorter side: a device or server that
        # Graphviz drew as a box keeps its centre and gets a square as wide as its name; on the grid (fixed
        # cells in rows) the square stays inside its cell.
        side = min(box.width, box.height) if on_grid else max(box.width, box.height)
        box = Box(box.x - (side - box.width) // 2, box.y - (side - box.height) // 2, side, side)
    stroke = {"stroke": THREAT_STROKE if threats else PLAIN_STROKE, "strokeWidth": 2.5 if threats else 1,
              "strokeDasharray": SOLID if in_scope else "4 3"}
    # The name as the diagram wraps it, so it fits the shape Graphviz sized for it (a process is a circle there too).
    attrs = {"text": {"text": "\n".join(lines)}}
    attrs |= {"topLine": stroke, "bottomLine": stroke} if shape == "store" else {"body": stroke}
    return {
        "id": cell_id,
        "shape": shape,
        "zIndex": z,
        "position": {"x": box.x, "y": box.y},
        "size": {"width": box.width, "height": box.height},
        "visible": True,
        "attrs": attrs,
        "data": {"type": td_type, "name": name, "description": description, "isTrustBoundary": False,
                 "outOfScope": not in_scope, "reasonOutOfScope": "" if in_scope else "Outside the model's scope.",
                 "threats": threats, "hasOpenThreats": bool(threats)},
    }


def _flow(flow: FlowView, drawn: dict[str, str], z: int, threats: list[dict], route: list[tuple[int, int]]) -> dict:
    stroke = THREAT_STROKE if threats else REMOTE if flow.remote_access else PLAIN_STROKE
    description = [f"Carries {', '.join(flow.data)} over {flow.protocol}, encryption {flow.encryption}."]
    if flow.remote_access:
        description.append("Remote access: the sink reads the source's data from elsewhere.")
    if flow.crosses_legal_order:
        description.append("Crosses into another legal order.")
    return _edge(f"flow.{flow.id}", drawn[flow.source], drawn[flow.sink], z, flow.name, " ".join(description),
                 stroke=stroke, width=2.5 if threats else 1.5, dash="5 5" if flow.remote_access else SOLID,
                 protocol=flow.protocol, encrypted=flow.encryption != "none", threats=threats, route=route)


def _compulsion(link: CompulsionView, authority: AuthorityView, drawn: dict[str, str], z: int) -> dict:
    laws = list(dict.fromkeys(b.law for b in sorted(link.bases, key=lambda b: b.law_rank)))
    name = f"Compelled access: {laws[0]}" + (f" +{len(laws) - 1} more" if len(laws) > 1 else "") if laws else "Compelled access"
    provisions = "; ".join(dict.fromkeys(f"{b.label} ({', '.join(p.label for p in b.powers)})" for b in link.bases))
    description = (f"Derived by threatlib: {link.jurisdiction} can oblige the operator of this element to give "
                   f"{authority.name} access. Legal basis: {provisions}.")
    return _edge(f"compulsion.{link.id}", drawn[link.element], drawn[link.authority], z, name, description,
                 stroke=COMPULSION, width=2, dash="8 4")


def _edge(cell_id: str, source: str, target: str, z: int, name: str, description: str, *, stroke: str, width: float,
          dash: str, protocol: str = "", encrypted: bool | None = None, threats: list[dict] | None = None,
          route: list[tuple[int, int]] | None = None) -> dict:
    """A Threat Dragon flow cell: a modelled flow (with its route and threats) or a derived compulsion link."""
    cell: dict = {"id": cell_id, "shape": "flow", "zIndex": z, "source": {"cell": source}, "target": {"cell": target}}
    if route is not None:
        cell["vertices"] = [{"x": x, "y": y} for x, y in route]
    data: dict = {"type": "tm.Flow", "name": name, "description": description, "isTrustBoundary": False,
                  "outOfScope": False, "reasonOutOfScope": "", "protocol": protocol}
    if encrypted is not None:
        data["isEncrypted"] = encrypted
    data |= {"isBidirectional": False, "threats": threats or [], "hasOpenThreats": bool(threats)}
    return cell | {
        "connector": "smooth",
        "labels": _label(name),
        "attrs": {"line": {"stroke": stroke, "strokeWidth": width, "targetMarker": {"name": "block"},
                           "sourceMarker": {"name": ""}, "strokeDasharray": dash}},
        "data": data,
    }


def _label(text: str) -> list[dict]:
    """A flow label in the form Threat Dragon's own flows carry."""
    return [{
        "markup": [{"tagName": "ellipse", "selector": "labelBody"}, {"tagName": "text", "selector": "labelText"}],
        "attrs": {"labelText": {"text": text, "textAnchor": "middle", "textVerticalAnchor": "middle"},
                  "labelBody": {"ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0}},
        "position": 0.5,
    }]


def _threat(f: Finding, number: int, shared: bool = False) -> dict:
    """shared: the threat's description and mitigations are written once for the file, not in this finding."""
    found = categories(f)
    stride = [c for c in found if c in STRIDE]
    linddun = [c for c in found if c in LINDDUN]
    kind, model = (stride[0], "STRIDE") if stride else (linddun[0], "LINDDUN") if linddun else ("", "STRIDE")
    return {
        "id": f.id,
        "number": number,
        "title": f.title,
        "type": CATEGORY_WORDS.get(kind, ""),
        "modelType": model,
        "status": "Open",
        "severity": THREE_LEVELS[f.severity],
        "score": f"severity {f.severity.label}; likelihood {f.likelihood}",
        "description": "\n\n".join(filter(None, [
            f"Threat {f.threat_id}: its description is written once for this file (threatlib.threats), and in "
            "threats.json." if shared else f.description, "Why it applies: " + " ".join(f.why) if f.why else ""])),
        "mitigation": f"See threat {f.threat_id} (threatlib.threats in this file, or threats.json)." if shared
        else "\n\n".join(f.mitigations),
    }


def _element_text(e: ElementView, analysis: Analysis) -> str:
    operators = {o.id: o.name for o in analysis.organisations}
    where = (f"Located in {e.location}" if e.location else "Location not modelled") \
        + (f"; operated by {operators[e.operator]}" if e.operator else "") + "."
    parts = [e.description, where]
    if e.compelling:
        foreign = f" (foreign: {', '.join(e.foreign_compelling)})" if e.foreign_compelling else ""
        parts.append(f"Legal orders that can compel its operator: {', '.join(e.compelling)}{foreign}.")
    return " ".join(filter(None, parts))


def _authority_text(a: AuthorityView) -> str:
    return " ".join(filter(None, [a.description, f"State authority of {a.jurisdiction}, derived by threatlib from the law library."]))
