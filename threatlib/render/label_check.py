"""Whether a diagram's labels stand clear, measured on Graphviz's own layout (`dot -Tjson`).

Every line of text dot draws comes with its baseline, its alignment, its width and its font size, and every edge
with the Bézier curves it is drawn along. From those, each line's box: two boxes of different labels must not
overlap (an edge's label on a node's, on a title, on another edge's), no edge may pass through a title (a legal
order's, an organisation's, a trust boundary's, the picture's own), which dot's router does not avoid, and no edge
may pass through any other words either (an element's name, another edge's label). A title drawn as a node of its
own (named `cluster_..._title`) is still a title.
"""

from __future__ import annotations

from dataclasses import dataclass

SLACK = 0.5  # points: boxes that touch are not overlapping
ASCENT, DESCENT = 0.78, 0.22  # of the font size, above and below the baseline (DejaVu Sans, Liberation Sans)


@dataclass(frozen=True)
class Line:
    owner: str  # which label the line belongs to: "node e3", "edge e1->e2 #4", "title cluster_j0"
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Line) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > SLACK
                and min(self.y1, other.y1) - max(self.y0, other.y0) > SLACK)

    def holds(self, x: float, y: float) -> bool:
        return self.x0 + SLACK < x < self.x1 - SLACK and self.y0 + SLACK < y < self.y1 - SLACK


def text_lines(owner: str, ops: list[dict]) -> list[Line]:
    """The lines of text in one of dot's drawing-operation lists, each as its box."""
    out, size = [], 14.0
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T" and op["text"].strip():
            (x, y), width = op["pt"], float(op["width"])
            left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]
            out.append(Line(owner, op["text"], left, y - DESCENT * size, left + width, y + ASCENT * size))
    return out


def curve_points(ops: list[dict], steps: int = 24) -> list[tuple[float, float]]:
    """Points along every cubic Bézier segment an edge is drawn with."""
    points = []
    for op in ops:
        if op["op"] in ("b", "B"):
            p = op["points"]
            for i in range(0, len(p) - 3, 3):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p[i:i + 4]
                for k in range(steps + 1):
                    t = k / steps
                    u = 1 - t
                    points.append((u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                                   u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3))
    return points


def label_faults(layout: dict) -> list[tuple[str, str, str]]:
    """(what, label, other label) for each overlap of two labels and each edge through a title."""
    names = {o["_gvid"]: o.get("name", "") for o in layout.get("objects", [])}
    lines: list[Line] = text_lines("title graph", layout.get("_ldraw_", []))
    titles = list(lines)
    for o in layout.get("objects", []):
        is_cluster = "nodes" in o or o.get("name", "").startswith("cluster")  # a box, or a box's title node
        found = text_lines(("title " if is_cluster else "node ") + o["name"], o.get("_ldraw_", []))
        lines += found
        if is_cluster:
            titles += found
    edges = []
    for number, e in enumerate(layout.get("edges", [])):
        owner = f"edge {names.get(e['tail'])}->{names.get(e['head'])} #{number}"
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            lines += text_lines(owner, e.get(key, []))
        edges.append((owner, curve_points(e.get("_draw_", []))))
    faults = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if a.owner != b.owner and a.overlaps(b):
                faults.append(("labels overlap", f"{a.owner}: {a.text}", f"{b.owner}: {b.text}"))
    for title in titles:
        for owner, points in edges:
            if any(title.holds(x, y) for x, y in points):
                faults.append(("edge through title", f"{title.owner}: {title.text}", owner))
    for line in lines:
        if line in titles:
            continue
        for owner, points in edges:
            if line.owner != owner and any(line.holds(x, y) for x, y in points):
                faults.append(("edge through label", f"{line.owner}: {line.text}", owner))
    return faults
