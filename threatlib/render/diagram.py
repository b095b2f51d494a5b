"""The data-flow diagram, drawn from the Analysis with the graphviz package.

Clusters nest as jurisdiction > operating organisation > trust boundary, so the picture answers "whose law
reaches this?" at a glance. Derived compulsion flows are red and dashed, one per foreign jurisdiction and
organisation cluster, labelled with the laws they rest on. Every label passes through graphviz.escape after control
characters are removed, so no model text can change the DOT program.
"""

from __future__ import annotations

import graphviz

from threatlib.analysis.model import Analysis
from threatlib.render.text import plain, wrapped

FONT = "DejaVu Sans"
SHAPES = {
    "actor": ("box", "rounded"),
    "device": ("box3d", ""),
    "process": ("ellipse", ""),
    "server": ("box3d", ""),
    "datastore": ("cylinder", ""),
    "external": ("box", ""),
}
FOREIGN_FILL = "#fdecea"
DOMESTIC_FILL = "#eaf2fb"
COMPULSION = "#c0392b"
REMOTE = "#1f5fa8"


def label(text: str, width: int = 22, max_lines: int = 4) -> str:
    return "\n".join(graphviz.escape(line) for line in wrapped(text, width, max_lines))


def node_names(analysis: Analysis) -> dict[str, str]:
    """The Graphviz node name of each element (e0, e1, ...) and authority (a0, a1, ...), in Analysis order."""
    names = {e.id: f"e{i}" for i, e in enumerate(analysis.elements)}
    names.update({a.id: f"a{i}" for i, a in enumerate(analysis.authorities)})
    return names


def build_diagram(analysis: Analysis) -> graphviz.Digraph:
    graph = graphviz.Digraph("dfd", engine="dot")
    graph.attr(rankdir="LR", compound="true", newrank="true", fontname=FONT, fontsize="12", nodesep="0.35",
               ranksep="0.9", label=label(f"{analysis.model.name}: data flows and legal compulsion "
                                          f"(as of {analysis.model.as_of})", 120, 1),
               labelloc="t", fontcolor="#222222", bgcolor="white", pad="0.3")
    graph.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="white", color="#333333")
    graph.attr("edge", fontname=FONT, fontsize="8", color="#444444", arrowsize="0.7")

    node_ids = node_names(analysis)
    organisations = {o.id: o for o in analysis.organisations}
    boundaries = {b.id: b for b in analysis.boundaries}
    jurisdictions = {j.id: j for j in analysis.jurisdictions}

    # Cluster tree keyed by path: (jurisdiction,), (jurisdiction, org), (jurisdiction, org, b1, b2, ...)
    tree: dict[tuple, list[str]] = {}
    children: dict[tuple, list[tuple]] = {}

    def add_path(path: tuple) -> None:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in tree:
                tree[prefix] = []
                if depth > 1:
                    children.setdefault(path[: depth - 1], []).append(prefix)

    cluster_of_element: dict[str, tuple] = {}
    for element in analysis.elements:
        chain = []
        boundary = element.boundary
        while boundary:
            chain.append(boundary)
            boundary = boundaries[boundary].parent
        path = (element.location or "", element.operator or "") + tuple(reversed(chain))
        add_path(path)
        tree[path].append(element.id)
        cluster_of_element[element.id] = path
    # Domestic authorities get no edges here (the report covers them); drawing them would only add clutter.
    drawn_authorities = [a for a in analysis.authorities if a.jurisdiction not in analysis.model.domestic]
    for authority in drawn_authorities:
        path = (authority.jurisdiction, "#authorities")
        add_path(path)
        tree[path].append(authority.id)

    cluster_names = {path: f"cluster_{i}" for i, path in enumerate(sorted(tree))}
    elements = {e.id: e for e in analysis.elements}
    authorities = {a.id: a for a in analysis.authorities}

    def draw(parent: graphviz.Digraph, path: tuple) -> None:
        with parent.subgraph(name=cluster_names[path]) as sub:
            key = path[-1]
            if len(path) == 1:
                j = jurisdictions.get(key)
                if j is None:
                    sub.attr(label="Jurisdiction not modelled", style="dashed,rounded", color="#999999", fontsize="12")
                else:
                    sub.attr(label=label(f"{key}: {j.name}" + (" (foreign legal order)" if j.foreign else " (users' legal order)"), 60, 1),
                             style="filled,rounded", fillcolor=FOREIGN_FILL if j.foreign else DOMESTIC_FILL,
                             color="#999999", fontsize="12", fontcolor="#222222")
            elif len(path) == 2:
                if key == "#authorities":
                    sub.attr(label="State authorities", style="dashed", color=COMPULSION, fontcolor=COMPULSION, fontsize="10")
                elif key:
                    sub.attr(label=label(f"Operated by {organisations[key].name}", 40, 2), style="solid,rounded",
                             color="#666666", fillcolor="white", fontsize="10")
                else:
                    sub.attr(label="Not operated by an organisation", style="dotted", color="#888888", fontsize="10")
            else:
                sub.attr(label=label(boundaries[key].name, 36, 2), style="dashed", color="#b03a2e", fontsize="9",
                         fontcolor="#b03a2e")
            for item in tree[path]:
                if item in elements:
                    e = elements[item]
                    shape, style = SHAPES[e.kind]
                    sub.node(node_ids[item], label=label(e.name), shape=shape,
                             style=",".join(filter(None, ["filled", style])),
                             fillcolor="#f2f2f2" if not e.in_scope else "white")
                else:
                    sub.node(node_ids[item], label=label(authorities[item].name, 24, 5), shape="octagon",
                             fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")
            for child in sorted(children.get(path, [])):
                draw(sub, child)

    for root in sorted(p for p in tree if len(p) == 1):
        draw(graph, root)

    for flow in analysis.flows:
        attrs = {"label": label(flow.name, 24, 2)}
        if flow.remote_access:
            attrs.update(style="dashed", color=REMOTE, fontcolor=REMOTE, label=label(f"remote access: {flow.name}", 24, 3))
        if flow.encryption == "none" and flow.crosses_legal_order:
            attrs["label"] = label(f"{flow.name} (unencrypted)", 24, 3)
        graph.edge(node_ids[flow.source], node_ids[flow.sink], **attrs)

    # One compulsion edge per (foreign jurisdiction, organisation cluster), into that jurisdiction's
    # authorities box, labelled with the laws it rests on: one edge per authority would be unreadable.
    first_authority = {}
    for authority in drawn_authorities:
        first_authority.setdefault(authority.jurisdiction, authority.id)
    grouped: dict[tuple[str, tuple], list] = {}
    for link in analysis.compulsion:
        if link.foreign:
            grouped.setdefault((link.jurisdiction, cluster_of_element[link.element][:2]), []).append(link)
    for (jurisdiction, path), links in sorted(grouped.items()):
        laws = [law for _, law in sorted({(b.law_rank, b.law) for link in links for b in link.bases})]
        shown = laws[:2] + ([f"+{len(laws) - 2} more"] if len(laws) > 2 else [])
        anchor = min(link.element for link in links)
        graph.edge(node_ids[anchor], node_ids[first_authority[jurisdiction]], ltail=cluster_names[path],
                   lhead=cluster_names[(jurisdiction, "#authorities")],
                   label="\n".join(graphviz.escape(plain(s, 60)) for s in shown),
                   style="dashed,bold", color=COMPULSION, fontcolor=COMPULSION, arrowhead="normal", constraint="false")

    _legend(graph)
    return graph


def _legend(graph: graphviz.Digraph) -> None:
    """A compact key as one HTML-like table node; its text is ours, never model text."""
    rows = [
        ("&#9711;", "process", "#333333"),
        ("&#9707;", "data store (cylinder), device or server (box)", "#333333"),
        ("&#9634;", "person or external party", "#333333"),
        ("&#9632;", "state authority (red octagon)", COMPULSION),
        ("&#8594;", "data flow", "#444444"),
        ("&#8674;", "remote access (dashed blue)", REMOTE),
        ("&#8674;", "compelled access, with its legal basis (dashed red)", COMPULSION),
    ]
    cells = "".join(f'<TR><TD><FONT COLOR="{colour}">{symbol}</FONT></TD><TD ALIGN="LEFT">{text}</TD></TR>'
                    for symbol, text, colour in rows)
    table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1"><TR><TD COLSPAN="2"><B>Legend</B></TD></TR>{cells}</TABLE>'
    graph.node("legend", label=f"<{table}>",
               shape="box", style="rounded", color="#999999", fontsize="8")


def render_diagram(analysis: Analysis) -> dict[str, bytes]:
    """dfd.dot, dfd.svg and dfd.png as bytes; `dot` runs once per format."""
    graph = build_diagram(analysis)
    return {
        "dfd.dot": graph.source.encode("utf-8"),
        "dfd.svg": graph.pipe(format="svg"),
        "dfd.png": graph.pipe(format="png"),
    }
