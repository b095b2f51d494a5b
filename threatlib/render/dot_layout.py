"""Where Graphviz put each node, cluster and edge of the single diagram, in the pixels Threat Dragon and OTM place
cells by.

Graphviz's JSON output gives each node's centre in points (1/72 inch, y growing upwards from the bottom of the
drawing) and its size in inches, and each cluster's bounding box in points. Threat Dragon places a cell by its
top-left corner in CSS pixels (1/96 inch, y growing downwards). So a length in points is multiplied by 96/72,
which keeps the drawing at the size Graphviz chose for its 10-point labels, and y is measured down from the
top of Graphviz's bounding box.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from threatlib.analysis.model import Analysis
from threatlib.render.diagram import build_diagram
from threatlib.render.graphstyle import FLOW_NODE
from threatlib.render.grid_layout import Box

# The diagram's own boxes and nodes (cluster_3; e4, a0), not the invisible ones that hold a title or a flow's words.
DRAWN_BOX = re.compile(r"cluster_\d+")
DRAWN_NODE = re.compile(r"[ea]\d+")
WORDS = re.compile(FLOW_NODE + r"\d+")
PIXELS_PER_POINT = 96 / 72
POINTS_PER_INCH = 72


@dataclass(frozen=True)
class Layout:
    nodes: dict[str, Box]  # by Graphviz node name
    clusters: list[tuple[int, list[str], Box]]  # depth (1 = outermost), the node names inside, the box
    edges: list[tuple[str, str, list[tuple[int, int]]]]  # tail, head, points on the drawn curve, in drawing order


def diagram_layout(analysis: Analysis, dot_json: dict | None = None) -> Layout:
    """Where dot put each node, cluster and edge of the diagram: from the layout it gave with the SVG, or a run of its own."""
    drawn = json.loads(build_diagram(analysis).pipe(format="json")) if dot_json is None else dot_json
    left, bottom, right, top = (float(v) for v in drawn["bb"].split(","))

    def point(x: float, y: float) -> tuple[int, int]:
        return round((x - left) * PIXELS_PER_POINT), round((top - y) * PIXELS_PER_POINT)

    def box(x0: float, y0: float, x1: float, y1: float) -> Box:
        x, y = point(x0, y1)
        return Box(x, y, round((x1 - x0) * PIXELS_PER_POINT), round((y1 - y0) * PIXELS_PER_POINT))

    objects = {o["_gvid"]: o for o in drawn.get("objects", [])}
    nodes = {}
    for o in objects.values():
        if "pos" in o:
            cx, cy = (float(v) for v in o["pos"].split(","))
            half_w = float(o["width"]) * POINTS_PER_INCH / 2
            half_h = float(o["height"]) * POINTS_PER_INCH / 2
            nodes[o["name"]] = box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    parent = {child: o["_gvid"] for o in objects.values() for child in o.get("subgraphs", [])}
    clusters = []
    for gvid, o in sorted(objects.items()):
        if "bb" in o and DRAWN_BOX.fullmatch(o["name"]):
            depth, up = 1, gvid
            while up in parent:
                depth, up = depth + 1, parent[up]
            members = [objects[n]["name"] for n in o.get("nodes", []) if DRAWN_NODE.fullmatch(objects[n]["name"])]
            clusters.append((depth, members, box(*(float(v) for v in o["bb"].split(",")))))
    # A flow is drawn as two edges, into its words' node and on from it: one edge here, along both.
    # A flow against the picture's direction is written from its sink and drawn backwards (dir=back).
    drawn_edges = [(objects[e["tail"]]["name"], objects[e["head"]]["name"], [point(*p) for p in _curve_midpoints(e.get("pos", ""))],
                    e.get("dir") == "back") for e in sorted(drawn.get("edges", []), key=lambda e: e["_gvid"])]
    onwards = {tail: (head, points) for tail, head, points, _ in drawn_edges if WORDS.fullmatch(tail)}
    edges = []
    for tail, head, points, backwards in drawn_edges:
        if WORDS.fullmatch(head) and head in onwards:
            words = nodes[head]
            (head, rest) = onwards[head]
            points = [*points, (words.x + words.width // 2, words.y + words.height // 2), *rest]
        if not WORDS.fullmatch(tail):
            edges.append((head, tail, points[::-1]) if backwards else (tail, head, points))
    return Layout(nodes, clusters, edges)


def _curve_midpoints(spline: str) -> list[tuple[float, float]]:
    """The midpoint of each cubic Bezier piece of a Graphviz edge spline ("e,x,y x,y x,y ...")."""
    points = [tuple(float(v) for v in p.split(",")) for p in spline.split() if not p.startswith(("e,", "s,"))]
    midpoints = []
    for i in range(0, len(points) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[i:i + 4]
        midpoints.append(((x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8))
    return midpoints
