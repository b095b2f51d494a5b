"""The data-flow diagram, drawn from the Analysis with the graphviz package.

Clusters nest as jurisdiction > operating organisation > trust boundary, so the picture answers "whose law
reaches this?" at a glance. Derived compulsion is written in the boxes: each operator's title names the foreign
legal orders whose authorities can compel it, and each legal order's authorities box lists the laws they would use.
Every word is a node dot places (a box's title, a flow's name), so that no label lands on another and no edge runs
through one (render.label_check measures it). Every label passes through graphviz.escape after control
characters are removed, so no model text can change the DOT program.

A model with more than SINGLE_DIAGRAM_LIMIT elements and flows together is too large for one readable picture
(and dot takes minutes on it): it is drawn as an overview of legal orders and organisations (overview.py) plus
one diagram per trust boundary (boundary_diagrams.py), each small, so the cost grows with the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import graphviz

from threatlib.analysis.model import Analysis
from threatlib.render.boundary_diagrams import BoundaryDiagrams, Page, boundary_pages
from threatlib.render.dot import run_dot
from threatlib.render.graphstyle import (
    COMPULSION,
    FLOW_NODE,
    FONT,
    REMOTE,
    Digraph,
    against_the_flow,
    capped,
    edge_words,
    element_node,
    flow_style,
    label,
    legal_order_attrs,
    legend,
    node_names,
    shape_key,
    split_edge,
    titled_box,
)
from threatlib.render.overview import build_overview
from threatlib.render.text import plain

__all__ = ["COMPULSION", "REMOTE", "SINGLE_DIAGRAM_LIMIT", "Drawing", "build_diagram", "diagram_pages", "draw_diagrams",
           "is_large", "node_names", "render_diagram"]

# Elements and flows together. The shipped models have at most 52; beyond about 150 one picture stops being
# readable on a page, and dot's time grows much faster than the model (31 s at 1,000 assets).
SINGLE_DIAGRAM_LIMIT = 150


def is_large(analysis: Analysis) -> bool:
    """Whether the model is drawn as an overview plus one diagram per boundary instead of one picture."""
    return len(analysis.elements) + len(analysis.flows) > SINGLE_DIAGRAM_LIMIT


def diagram_pages(analysis: Analysis) -> list[Page]:
    """The boundary diagrams beside dfd.svg: none for a model drawn in one picture."""
    return boundary_pages(analysis) if is_large(analysis) else []


@dataclass(frozen=True)
class Drawing:
    files: dict[str, bytes]  # dfd.dot, dfd.svg, dfd.png, and for a large model each boundary diagram's SVG
    layout: dict | None  # dot's own JSON of the single picture, for the Threat Dragon export; None for a large model


@dataclass
class ClusterTree:
    """The picture's nesting: each cluster by its path, (legal order,), (legal order, operator), (legal order,
    operator, boundary, inner boundary, ...), with the elements and authorities drawn directly in it."""

    items: dict[tuple, list[str]]  # path -> element and authority ids drawn in it
    children: dict[tuple, list[tuple]]
    cluster_of_element: dict[str, tuple]
    authorities: list  # the foreign state authorities drawn
    names: dict[tuple, str]  # path -> cluster name
    words: dict[tuple, list] = field(default_factory=dict)  # path -> the flows' words drawn in it: (node name, attrs)
    compellable: dict[tuple, list[str]] = field(default_factory=dict)  # operator's path -> foreign legal orders

    def add(self, path: tuple) -> None:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in self.items:
                self.items[prefix] = []
                if depth > 1:
                    self.children.setdefault(path[: depth - 1], []).append(prefix)


def cluster_tree(analysis: Analysis) -> ClusterTree:
    boundaries = {b.id: b for b in analysis.boundaries}
    # Domestic authorities get no edges here (the report covers them); drawing them would only add clutter.
    drawn_authorities = [a for a in analysis.authorities if a.jurisdiction not in analysis.model.domestic]
    tree = ClusterTree({}, {}, {}, drawn_authorities, {})
    for element in analysis.elements:
        chain = []
        boundary = element.boundary
        while boundary:
            chain.append(boundary)
            boundary = boundaries[boundary].parent
        path = (element.location or "", element.operator or "") + tuple(reversed(chain))
        tree.add(path)
        tree.items[path].append(element.id)
        tree.cluster_of_element[element.id] = path
    for authority in drawn_authorities:
        path = (authority.jurisdiction, "#authorities")
        tree.add(path)
        tree.items[path].append(authority.id)
    tree.names.update({path: f"cluster_{i}" for i, path in enumerate(sorted(tree.items))})
    return tree


def build_diagram(analysis: Analysis) -> graphviz.Digraph:
    graph = Digraph("dfd", engine="dot")
    graph.attr(rankdir="LR", compound="true", newrank="true", fontname=FONT, fontsize="12", nodesep="0.2",
               ranksep="0.3", label=label(f"{analysis.model.name}: {_subject(analysis)} (as of {analysis.model.as_of})", 120, 1),
               labelloc="t", fontcolor="#222222", bgcolor="white", pad="0.3", splines="polyline")
    graph.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="white", color="#333333")
    graph.attr("edge", fontname=FONT, fontsize="8", color="#444444", arrowsize="0.7")
    node_ids = node_names(analysis)
    tree = cluster_tree(analysis)
    edges = [(f"{FLOW_NODE}{number}", flow, flow_style(flow)) for number, flow in enumerate(analysis.flows)]
    for name, flow, attrs in edges:
        tree.words.setdefault(_common(tree.cluster_of_element[flow.source], tree.cluster_of_element[flow.sink]), []).append((name, attrs))
    compulsion = _compulsion(analysis, tree)
    titles: list[tuple[str, list[str]]] = []
    for root in sorted(p for p in tree.items if len(p) == 1):
        _draw_cluster(graph, root, tree, analysis, node_ids, titles)
    for name, attrs in tree.words.get((), []):
        edge_words(graph, name, attrs)
    for title, members in titles:
        for member in members:  # the title a rank before every element of its box: at the box's leading edge
            graph.edge(title, member, style="invis")
    against = against_the_flow([(flow.source, flow.sink) for _, flow, _ in edges])
    for number, (name, flow, attrs) in enumerate(edges):
        split_edge(graph, node_ids[flow.source], node_ids[flow.sink], name, attrs, against=number in against)
    _legend(graph, analysis, bool(tree.authorities), compulsion)
    return graph


def _draw_cluster(parent: graphviz.Digraph, path: tuple, tree: ClusterTree, analysis: Analysis, node_ids: dict[str, str],
                  titles: list) -> None:
    with parent.subgraph(name=tree.names[path]) as sub:
        key = path[-1]
        if len(path) == 1:
            attrs = legal_order_attrs(key, next((j for j in analysis.jurisdictions if j.id == key), None))
        elif len(path) == 2:
            if key == "#authorities":
                attrs = {"label": "State authorities", "style": "dashed", "color": COMPULSION, "fontcolor": COMPULSION,
                         "fontsize": "10"}
            elif key:
                name = next(o.name for o in analysis.organisations if o.id == key)
                attrs = {"label": label(f"Operated by {name}", 40, 2), "style": "solid,rounded", "color": "#666666",
                         "fillcolor": "white", "fontsize": "10"}
            else:
                attrs = {"label": "Not operated by an organisation", "style": "dotted", "color": "#888888", "fontsize": "10"}
            if tree.compellable.get(path):
                attrs["label"] += "\n" + label(f"compellable by {_listed(tree.compellable[path])} authorities", 40, 2)
        else:
            name = next(b.name for b in analysis.boundaries if b.id == key)
            attrs = {"label": label(name, 36, 2), "style": "dashed", "color": "#b03a2e", "fontsize": "9",
                     "fontcolor": "#b03a2e"}
        title = titled_box(sub, tree.names[path], attrs)
        elements = {e.id: e for e in analysis.elements}
        authorities = {a.id: a for a in analysis.authorities}
        for item in tree.items[path]:
            if item in elements:
                element_node(sub, node_ids[item], elements[item])
            else:
                sub.node(node_ids[item], label=label(authorities[item].name, 24, 5), shape="octagon",
                         fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")
        for name, attrs in tree.words.get(path, []):
            edge_words(sub, name, attrs)
        for child in sorted(tree.children.get(path, [])):
            _draw_cluster(sub, child, tree, analysis, node_ids, titles)
        titles.append((title, [node_ids[item] for item in _members(tree, path)] + _laws(tree, path)))


def _common(a: tuple, b: tuple) -> tuple:
    """The innermost cluster holding both paths: a flow's words are drawn in it, beside both its ends."""
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    return a[:same]


def _members(tree: ClusterTree, path: tuple) -> list[str]:
    """The elements and authorities drawn in the cluster or any cluster nested in it."""
    return tree.items[path] + [item for child in sorted(tree.children.get(path, [])) for item in _members(tree, child)]


def _laws(tree: ClusterTree, path: tuple) -> list[str]:
    """The node listing the laws, in an authorities' box: beside the authorities, a rank after the box's title."""
    return [name for name, _ in tree.words.get(path, []) if name.endswith("_laws")]


def _compulsion(analysis: Analysis, tree: ClusterTree) -> bool:
    """Who can be compelled, written where dot cannot draw over it: each operator's title names the foreign legal
    orders whose authorities can compel it, and each legal order's authorities box lists the laws they would use.
    Not as edges from operators to authorities: such an edge crosses the picture outside dot's ranking, and dot
    routes it through whatever lies on its way. Whether any compulsion is drawn."""
    laws_of: dict[str, set] = {}
    for link in analysis.compulsion:
        if link.foreign:
            path = tree.cluster_of_element[link.element][:2]
            tree.compellable.setdefault(path, [])
            if link.jurisdiction not in tree.compellable[path]:
                tree.compellable[path] = sorted([*tree.compellable[path], link.jurisdiction])
            laws_of.setdefault(link.jurisdiction, set()).update((b.law_rank, b.law) for b in link.bases)
    for jurisdiction, laws in sorted(laws_of.items()):
        shown = capped([law for _, law in sorted(laws)], 3)
        words = label("Can compel by", 40, 1) + "\n" + "\n".join(graphviz.escape(plain(s, 60)) for s in shown)
        tree.words.setdefault((jurisdiction, "#authorities"), []).append(
            (tree.names[(jurisdiction, "#authorities")] + "_laws", {"label": words, "fontcolor": COMPULSION}))
    return bool(laws_of)


def _listed(codes: list[str]) -> str:
    return " and ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)


def _subject(analysis: Analysis) -> str:
    """What the picture shows: legal compulsion only where the model has a legal layer that derives some."""
    return "data flows and legal compulsion" if analysis.model.legal_layer and analysis.compulsion else "data flows"


def _legend(graph: graphviz.Digraph, analysis: Analysis, authorities: bool, compulsion: bool) -> None:
    """A key to what this picture draws, and nothing it does not."""
    rows = shape_key(analysis)
    if authorities:
        rows.append(("&#9632;", "state authority (red octagon)", COMPULSION))
    if analysis.flows:
        rows.append(("&#8594;", "data flow", "#444444"))
    if any(f.remote_access for f in analysis.flows):
        rows.append(("&#8674;", "remote access (dashed blue)", REMOTE))
    if compulsion:
        rows.append(("&#9632;", "compellable by XX: the operator, by that legal order's authorities, under the laws "
                     "in their box", COMPULSION))
    legend(graph, rows)


def render_diagram(analysis: Analysis) -> dict[str, bytes]:
    """dfd.dot, dfd.svg and dfd.png as bytes, and for a large model each boundary diagram."""
    return draw_diagrams(analysis).files


def draw_diagrams(analysis: Analysis) -> Drawing:
    """Every diagram of the model; dot lays each picture out once and writes all its formats from that layout.

    A model within SINGLE_DIAGRAM_LIMIT is one picture, also laid out as JSON for the Threat Dragon export. A larger
    one is the overview (dfd.*) and one SVG per boundary page; those are small, so SVG alone serves (a PNG each would
    double dot's work for pictures nobody prints), and they are drawn side by side.
    """
    if not is_large(analysis):
        graph = build_diagram(analysis)
        [drawn] = run_dot([(graph.source, ("svg", "png", "json"))])
        return Drawing({"dfd.dot": graph.source.encode("utf-8"), "dfd.svg": drawn["svg"], "dfd.png": drawn["png"]},
                       json.loads(drawn["json"]))
    overview = build_overview(analysis)  # dfd.svg: draw_overview's bytes, since dot writes each format alike
    boundaries = BoundaryDiagrams(analysis)
    sources = [(overview.source, ("svg", "png"))] + [(boundaries.graph(i).source, ("svg",)) for i in range(len(boundaries.pages))]
    drawn = run_dot(sources)
    files = {"dfd.dot": overview.source.encode("utf-8"), "dfd.svg": drawn[0]["svg"], "dfd.png": drawn[0]["png"]}
    for page, picture in zip(boundaries.pages, drawn[1:], strict=True):
        files[page.file] = picture["svg"]
    return Drawing(files, None)


def draw_overview(analysis: Analysis) -> bytes:
    """A large model's dfd.svg alone, the same bytes as in its Drawing: a few hundredths of a second, where the
    Drawing's boundary diagrams take seconds, so what prints or shows only the overview need not wait for them."""
    [drawn] = run_dot([(build_overview(analysis).source, ("svg",))])
    return drawn["svg"]
