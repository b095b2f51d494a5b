"""The overview of a model too large for one readable picture: legal orders and the organisations in them.

Each organisation is one node inside the legal order of its headquarters (where it is run from), labelled
with how many elements it operates, where those sit, and which foreign legal orders can compel it. Elements
no organisation operates are one node per legal order they sit in. Data flows are summed between
organisations, one edge per ordered pair with the number of flows and their data categories; when there are
too many pairs to read, the organisations are set out in a grid and only the table counts the flows. The
table sums every flow by where its two ends sit, so crossings from one legal order into another read at a
glance. Compulsion is summed per foreign legal order and organisation (or per legal order the organisations
sit in, when that would be too many edges), labelled with the laws, into one "state authorities" node per
foreign legal order. Trust boundaries and their elements are drawn one boundary at a time (boundary_diagrams).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import graphviz

from threatlib.analysis.model import Analysis
from threatlib.render.graphstyle import (
    COMPULSION,
    FONT,
    FOREIGN_FILL,
    Digraph,
    Markup,
    capped,
    label,
    legal_order_box,
    legend,
    lines,
)

FLOW_PAIRS_DRAWN = 60  # organisation pairs drawn one by one; with more, the table alone counts the flows
COMPULSION_EDGES_DRAWN = 40  # (legal order, organisation) compulsion edges; with more, summed per legal order
NOT_MODELLED = "not modelled"


@dataclass
class Overview:
    """What the overview draws, summed from the Analysis: a node per organisation (or per legal order for the
    elements no organisation runs), what each holds, the flows between nodes and the compulsion reaching them."""

    home: dict[str, str]  # node -> legal order it is drawn in ("" if none)
    unoperated: dict[str, str]  # legal order -> its "not operated" node
    held: dict[str, dict[str, int]]  # node -> where its elements sit -> how many
    inside: dict[str, int]  # node -> flows within it
    pairs: dict[tuple[str, str], list]  # (tail node, head node) -> the flows between them
    authorities: list  # the foreign state authorities drawn
    authority_node: dict[str, str]  # foreign legal order -> its authorities' node
    reach: dict[tuple[str, str], set[tuple[int, str]]]  # (foreign legal order, node) -> the laws, with their rank
    reached_by: dict[str, list[str]]  # node -> the foreign legal orders that can compel it
    laws_of: dict[str, set[tuple[int, str]]]  # foreign legal order -> every law its reach rests on
    members: dict[str, list[str]]  # legal order -> its nodes, in order

    @property
    def by_pair(self) -> bool:
        return len(self.pairs) <= FLOW_PAIRS_DRAWN

    @property
    def by_node(self) -> bool:
        return len(self.reach) <= COMPULSION_EDGES_DRAWN


def summed(a: Analysis) -> Overview:
    """The aggregation: elements into their operator's node, flows into pairs of nodes, compulsion per node."""
    # Each element is held by its operator's node, or by the "not operated" node of the legal order it sits in.
    org_node = {o.id: f"o{i}" for i, o in enumerate(a.organisations)}
    home = {org_node[o.id]: o.headquarters for o in a.organisations}
    unoperated = {code: f"u{i}" for i, code in enumerate(sorted({e.location or "" for e in a.elements if not e.operator}))}
    home.update({node: code for code, node in unoperated.items()})
    node_of: dict[str, str] = {}
    held: dict[str, dict[str, int]] = {}
    for e in a.elements:
        node_of[e.id] = org_node[e.operator] if e.operator else unoperated[e.location or ""]
        where = held.setdefault(node_of[e.id], {})
        where[e.location or ""] = where.get(e.location or "", 0) + 1

    # Compulsion summed per (foreign legal order, node), with the laws it rests on.
    drawn_authorities = [x for x in a.authorities if x.jurisdiction not in a.model.domestic]
    authority_node: dict[str, str] = {}
    for x in drawn_authorities:
        authority_node.setdefault(x.jurisdiction, f"s{len(authority_node)}")
    reach: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for link in a.compulsion:
        if link.foreign and link.jurisdiction in authority_node:
            reach.setdefault((link.jurisdiction, node_of[link.element]), set()).update((b.law_rank, b.law) for b in link.bases)
    reached_by: dict[str, list[str]] = {}
    laws_of: dict[str, set[tuple[int, str]]] = {}
    for (code, node), laws in sorted(reach.items()):
        reached_by.setdefault(node, []).append(code)
        laws_of.setdefault(code, set()).update(laws)

    # Flows summed per ordered pair of nodes; flows inside one node are counted on it.
    pairs: dict[tuple[str, str], list] = {}
    inside: dict[str, int] = {}
    for f in a.flows:
        tail, head = node_of[f.source], node_of[f.sink]
        if tail == head:
            inside[tail] = inside.get(tail, 0) + 1
        else:
            pairs.setdefault((tail, head), []).append(f)

    members: dict[str, list[str]] = {}
    for node in sorted(home, key=_node_order):
        members.setdefault(home[node], []).append(node)
    return Overview(home=home, unoperated=unoperated, held=held, inside=inside, pairs=pairs, authorities=drawn_authorities,
                    authority_node=authority_node, reach=reach, reached_by=reached_by, laws_of=laws_of, members=members)


def build_overview(analysis: Analysis) -> graphviz.Digraph:
    a = analysis
    graph = Digraph("overview", engine="dot")
    graph.attr(rankdir="LR", compound="true", newrank="true", fontname=FONT, fontsize="12", nodesep="0.25",
               ranksep="0.9", label=label(f"{a.model.name}: overview of organisations, data flows and legal compulsion "
                                          f"(as of {a.model.as_of})", 140, 1),
               labelloc="t", fontcolor="#222222", bgcolor="white", pad="0.3")
    graph.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="white", color="#333333", shape="box")
    graph.attr("edge", fontname=FONT, fontsize="8", color="#444444", arrowsize="0.7")
    o = summed(a)
    cluster = {code: f"cluster_{i}" for i, code in enumerate(sorted(o.members))}
    anchor = _draw_legal_orders(graph, a, o, cluster)
    _draw_authorities(graph, o)
    _draw_edges(graph, a, o, cluster, anchor)
    graph.node("crossings", label=Markup(f"<{_crossings_table(a)}>"), shape="box", style="rounded", color="#999999", fontsize="8")
    legend(graph, [
        ("&#9634;", "organisation, in the legal order of its headquarters: where its elements sit, who can compel it", "#333333"),
        ("&#9632;", "state authorities of a foreign legal order (red octagon)", COMPULSION),
        ("&#8594;", "data flows between two organisations, summed" if o.by_pair
         else f"{len(o.pairs):,} pairs of organisations exchange data: too many to draw; the table counts the flows", "#444444"),
        ("&#8674;", "compelled access, with its legal basis (dashed red)" if o.by_node
         else "compelled access: how many of the organisations there (dashed red; the laws are on the authorities)", COMPULSION),
        ("&#9776;", "each trust boundary has its own diagram, dfd-boundary-&lt;id&gt;.svg", "#333333"),
    ])
    return graph


def _draw_legal_orders(graph: graphviz.Digraph, a: Analysis, o: Overview, cluster: dict[str, str]) -> dict[str, str]:
    """Each legal order a box of its nodes; returns the node each one's summed edges leave from (the end of its
    grid's first row)."""
    jurisdictions = {j.id: j for j in a.jurisdictions}
    organisations = {org.id: org for org in a.organisations}
    anchor: dict[str, str] = {}
    for code in sorted(o.members):
        with graph.subgraph(name=cluster[code]) as sub:
            legal_order_box(sub, code, jurisdictions.get(code))
            for node in o.members[code]:
                if node in o.unoperated.values():
                    title, details, style = label("Not operated by an organisation", 28, 2), [], "filled,dashed"
                else:
                    org = a.organisations[int(node[1:])]
                    title, style = label(org.name, 28, 2), "filled,rounded"
                    details = [f"incorporated in {org.incorporated_in}" if org.incorporated_in != org.headquarters else "",
                               f"parent: {organisations[org.parent].name}" if org.parent in organisations else ""]
                count = o.inside.get(node, 0)
                details += [_holding(o.held.get(node, {})), f"{count} flow{_s(count)} within" if count else "",
                            f"can be compelled by {', '.join(o.reached_by[node])}" if node in o.reached_by else ""]
                sub.node(node, label="\n".join([title, lines(*details)]), style=style)
            anchor[code] = o.members[code][0] if o.by_pair else _grid(sub, o.members[code])
    return anchor


def _draw_authorities(graph: graphviz.Digraph, o: Overview) -> None:
    with graph.subgraph(name="cluster_authorities") as sub:
        sub.attr(label="State authorities of foreign legal orders", style="dashed", color=COMPULSION, fontcolor=COMPULSION,
                 fontsize="10")
        for code, node in o.authority_node.items():
            names = [x.name for x in o.authorities if x.jurisdiction == code]
            # Summed edges carry counts only; the laws they rest on are named once, here.
            laws = [] if o.by_node else [label("under " + ", ".join(capped(_laws(o.laws_of.get(code, set())), 2)), 44, 3)]
            sub.node(node, label="\n".join([lines(f"{code} state authorities"), lines(*capped(names, 3), limit=48), *laws]),
                     shape="octagon", fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")


def _draw_edges(graph: graphviz.Digraph, a: Analysis, o: Overview, cluster: dict[str, str], anchor: dict[str, str]) -> None:
    """The summed flows between nodes, then compulsion per node (or per legal order, when too many)."""
    data_names = {d.id: d.name for d in a.data}
    if o.by_pair:
        for (tail, head), flows in sorted(o.pairs.items(), key=lambda item: (_node_order(item[0][0]), _node_order(item[0][1]))):
            graph.edge(tail, head, label=_flows_label(flows, data_names))
    if o.by_node:
        for (code, node), laws in sorted(o.reach.items(), key=lambda item: (item[0][0], _node_order(item[0][1]))):
            graph.edge(node, o.authority_node[code], label=_laws_label(laws), style="dashed,bold", color=COMPULSION,
                       fontcolor=COMPULSION)
        return
    summed_reach: dict[tuple[str, str], set[str]] = {}
    for code, node in o.reach:
        summed_reach.setdefault((o.home[node], code), set()).add(node)
    for (origin, code), nodes in sorted(summed_reach.items()):
        graph.edge(anchor[origin], o.authority_node[code], ltail=cluster[origin],
                   label=lines(f"{len(nodes)} of {len(o.members[origin])}"), style="dashed,bold", color=COMPULSION,
                   fontcolor=COMPULSION)


def _crossings_table(a: Analysis) -> str:
    """An HTML-like table of flow counts by where the source and the sink sit; only codes and numbers, never model text."""
    location = {e.id: e.location or NOT_MODELLED for e in a.elements}
    counts: dict[tuple[str, str], int] = {}
    for f in a.flows:
        key = (location[f.source], location[f.sink])
        counts[key] = counts.get(key, 0) + 1
    codes = sorted({c for key in counts for c in key})
    foreign = {j.id for j in a.jurisdictions if j.foreign}

    def cell(text: str, colour: str = "", bold: bool = False) -> str:
        fill = f' BGCOLOR="{colour}"' if colour else ""
        text = f"<B>{text}</B>" if bold else text
        return f'<TD{fill} ALIGN="RIGHT">{text}</TD>'

    head = cell("from &#8595; to &#8594;", bold=True) + "".join(cell(html.escape(c), bold=True) for c in codes)
    rows = []
    for source in codes:
        row = cell(html.escape(source), bold=True)
        for sink in codes:
            n = counts.get((source, sink), 0)
            into_foreign = sink != source and sink in foreign
            row += cell(f"{n:,}" if n else "", FOREIGN_FILL if n and into_foreign else "#f4f4f4" if source == sink else "")
        rows.append(f"<TR>{row}</TR>")
    title = f'<TR><TD COLSPAN="{len(codes) + 1}"><B>Data flows by where their two ends sit</B></TD></TR>'
    return f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#cccccc">{title}<TR>{head}</TR>{"".join(rows)}</TABLE>'


def _node_order(node: str) -> tuple[str, int]:
    return node[0], int(node[1:])


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _holding(where: dict[str, int]) -> str:
    """How many elements, and how many in each legal order, the busiest first."""
    total = sum(where.values())
    places = [f"{code or NOT_MODELLED} {n}" for code, n in sorted(where.items(), key=lambda item: (-item[1], item[0]))]
    return f"{total} element{_s(total)}" + (": " + ", ".join(capped(places, 3)) if set(where) - {""} else "")


def _flows_label(flows: list, data_names: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for f in flows:
        for d in f.data:
            counts[d] = counts.get(d, 0) + 1
    data = [data_names.get(d, d) for d, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return lines(f"{len(flows)} flow{_s(len(flows))}", *capped(data, 2), limit=40)


def _laws(laws: set[tuple[int, str]]) -> list[str]:
    return [law for _, law in sorted(laws)]


def _laws_label(laws: set[tuple[int, str]]) -> str:
    return lines(*capped(_laws(laws), 2))


def _grid(graph: graphviz.Digraph, nodes: list[str]) -> str:
    """Set nodes with no edges between them out in rows (invisible edges), not one long column; the first row's end."""
    columns = max(1, math.ceil(len(nodes) / max(1, math.isqrt(len(nodes)))))
    for start in range(0, len(nodes), columns):
        row = nodes[start:start + columns]
        for tail, head in zip(row, row[1:], strict=False):
            graph.edge(tail, head, style="invis")
    return nodes[min(columns, len(nodes)) - 1]
