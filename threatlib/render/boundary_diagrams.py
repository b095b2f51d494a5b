"""One diagram per trust boundary, for a model too large for one readable picture.

A boundary's picture draws the elements directly in it, nested by legal order and operator as in the single
diagram, with their flows and compulsion routes. Each child boundary is one node (its name and how many
elements it holds); each place outside the boundary that its elements exchange data with is one stub node:
the other boundary, or the operating organisation for elements outside any boundary. Both link to the
picture that draws them. Flows between two drawn elements are drawn one by one; flows to a child or a stub
are summed per element and direction. So a picture holds the boundary's own elements and a few summary
nodes, never the rest of the estate, and the cost of all pictures grows with the model, not its square.

Elements in no boundary get pictures of their own ("outside any boundary"). A boundary, or the outside, with
more than PICTURE_LIMIT elements is drawn in parts, each made of whole (legal order, operator) groups where
they fit. File names come from boundary ids, which the model format keeps to [a-z0-9-]; the part suffix uses
"_", which no id can contain, so no two pictures can share a name.
"""

from __future__ import annotations

from dataclasses import dataclass

import graphviz

from threatlib.analysis.model import Analysis, ElementView, FlowView
from threatlib.render.graphstyle import (
    BOUNDARY,
    COMPULSION,
    FONT,
    REMOTE,
    SHAPE_KEY,
    Digraph,
    capped,
    element_node,
    flow_style,
    label,
    legal_order_box,
    legend,
    lines,
    node_names,
)

PICTURE_LIMIT = 40  # elements drawn in one picture; a bigger boundary is drawn in parts
STUB_LIMIT = 24  # stub nodes in one picture; the places with the fewest flows beyond this share one node
COMPULSION_EDGES_DRAWN = 8  # (legal order, operator cluster) compulsion edges; with more, one per legal order
OUTSIDE = "dfd-outside-boundaries"


@dataclass(frozen=True)
class Page:
    """One boundary diagram: which boundary (None: outside any boundary), which part, which elements it draws."""

    file: str
    boundary: str | None
    name: str  # the boundary's name, or "Outside any boundary"
    part: int
    parts: int
    elements: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.name + (f" (part {self.part} of {self.parts})" if self.parts > 1 else "")


def boundary_pages(analysis: Analysis) -> list[Page]:
    """The boundary diagrams of a large model, in the model's boundary order, then outside any boundary."""
    direct: dict[str | None, list[ElementView]] = {}
    for e in analysis.elements:
        direct.setdefault(e.boundary, []).append(e)
    occupied = occupied_boundaries(analysis)
    pages = []
    for b in analysis.boundaries:
        if b.id in occupied:
            pages += _parts(f"dfd-boundary-{b.id}", b.id, b.name, direct.get(b.id, []))
    if None in direct:
        pages += _parts(OUTSIDE, None, "Outside any boundary", direct[None])
    return pages


def occupied_boundaries(analysis: Analysis) -> set[str]:
    """The boundaries with an element somewhere inside: the others are not drawn."""
    parents = {b.id: b.parent for b in analysis.boundaries}
    occupied: set[str] = set()
    for boundary in {e.boundary for e in analysis.elements}:
        while boundary and boundary not in occupied:
            occupied.add(boundary)
            boundary = parents[boundary]
    return occupied


def _parts(stem: str, boundary: str | None, name: str, elements: list[ElementView]) -> list[Page]:
    """Split a group of elements into pictures of at most PICTURE_LIMIT, keeping (location, operator) groups whole."""
    order = {e.id: i for i, e in enumerate(elements)}
    groups: dict[tuple[str, str], list[str]] = {}
    for e in sorted(elements, key=lambda e: (e.location or "", e.operator or "", order[e.id])):
        groups.setdefault((e.location or "", e.operator or ""), []).append(e.id)
    chunks: list[list[str]] = [[]]
    for ids in groups.values():
        if chunks[-1] and len(chunks[-1]) + len(ids) > PICTURE_LIMIT:
            chunks.append([])  # a group that does not fit where there is room starts a new picture
        for element in ids:
            if len(chunks[-1]) == PICTURE_LIMIT:
                chunks.append([])
            chunks[-1].append(element)
    if len(chunks) == 1:
        return [Page(f"{stem}.svg", boundary, name, 1, 1, tuple(chunks[0]))]
    return [Page(f"{stem}_part-{k}.svg", boundary, name, k, len(chunks), tuple(ids)) for k, ids in enumerate(chunks, 1)]


class BoundaryDiagrams:
    """What every boundary picture needs, worked out once for the whole model; then one graph per page."""

    def __init__(self, analysis: Analysis):
        a = analysis
        self.analysis = a
        self.pages = boundary_pages(a)
        self.names = node_names(a)
        self.elements = {e.id: e for e in a.elements}
        self.boundaries = {b.id: b for b in a.boundaries}
        self.boundary_number = {b.id: i for i, b in enumerate(a.boundaries)}
        self.organisations = {o.id: o for o in a.organisations}
        self.organisation_number = {o.id: f"o{i}" for i, o in enumerate(a.organisations)}
        self.jurisdictions = {j.id: j for j in a.jurisdictions}
        self.chain: dict[str | None, tuple[str, ...]] = {None: ()}  # a boundary and its ancestors, outermost first
        for b in a.boundaries:
            self._chain(b.id)
        self.page_of = {element: i for i, page in enumerate(self.pages) for element in page.elements}
        self.first_page: dict[str, int] = {}
        for i, page in enumerate(self.pages):
            if page.boundary is not None:
                self.first_page.setdefault(page.boundary, i)
        self.children: dict[str, list[str]] = {}
        for b in a.boundaries:
            if b.parent and b.id in self.first_page:
                self.children.setdefault(b.parent, []).append(b.id)
        self.held: dict[str, int] = {}  # elements anywhere inside a boundary
        for e in a.elements:
            for b in self.chain[e.boundary]:
                self.held[b] = self.held.get(b, 0) + 1
        self.nested: dict[str, int] = {}  # boundaries anywhere inside a boundary
        for b in self.first_page:
            for outer in self.chain[b][:-1]:
                self.nested[outer] = self.nested.get(outer, 0) + 1
        # Each flow is drawn on the pages of its two ends, and summed on the page of the innermost boundary that
        # holds both ends in two different children of it.
        self.flows_on: dict[int, list[FlowView]] = {}
        self.between_children: dict[str, list[tuple[str, str, FlowView]]] = {}
        for f in a.flows:
            ends = {self.page_of[f.source], self.page_of[f.sink]}
            for i in sorted(ends):
                self.flows_on.setdefault(i, []).append(f)
            tail, head = self.chain[self.elements[f.source].boundary], self.chain[self.elements[f.sink].boundary]
            shared = 0
            while shared < min(len(tail), len(head)) and tail[shared] == head[shared]:
                shared += 1
            if 0 < shared < min(len(tail), len(head)):
                self.between_children.setdefault(tail[shared - 1], []).append((tail[shared], head[shared], f))
        self.drawn_authorities = {x.id: x for x in a.authorities if x.jurisdiction not in a.model.domestic}
        self.links: dict[str, list] = {}
        for link in a.compulsion:
            if link.foreign and link.authority in self.drawn_authorities:
                self.links.setdefault(link.element, []).append(link)

    def _chain(self, boundary: str) -> None:
        """Work out a boundary's chain from the nearest ancestor already known (no recursion: chains may be deep)."""
        unknown: list[str] = []
        up: str | None = boundary
        while up not in self.chain:
            unknown.append(up)
            up = self.boundaries[up].parent
        known = self.chain[up]
        for b in reversed(unknown):
            known = self.chain[b] = known + (b,)

    def graph(self, number: int) -> graphviz.Digraph:
        a = self.analysis
        page = self.pages[number]
        inside = self.chain[page.boundary]
        graph = Digraph(f"boundary{number}", engine="dot")
        where = "trust boundary " if page.boundary else ""
        graph.attr(rankdir="LR", compound="true", fontname=FONT, fontsize="12", nodesep="0.35",
                   ranksep="0.9", label=label(f"{a.model.name}: {where}{page.title}", 120, 1),
                   labelloc="t", fontcolor="#222222", bgcolor="white", pad="0.3")
        graph.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="white", color="#333333")
        graph.attr("edge", fontname=FONT, fontsize="8", color="#444444", arrowsize="0.7")

        with graph.subgraph(name="cluster_boundary") as frame:
            if page.boundary:
                outer = [self.boundaries[b].name for b in inside[:-1]]
                frame.attr(label="\n".join(filter(None, [label(page.title, 60, 2),
                                                         lines("inside " + " › ".join(outer), limit=100) if outer else ""])),
                           style="dashed", color=BOUNDARY, fontcolor=BOUNDARY, fontsize="10")
            else:
                frame.attr(label=label(page.title, 60, 2), style="dotted", color="#888888", fontcolor="#555555", fontsize="10")
            clusters = self._elements(frame, page)
            for child in self.children.get(page.boundary, []) if page.boundary else []:
                nested = self.nested.get(child, 0)
                count = f"{self.held[child]} element{_s(self.held[child])}" + (
                    f", {nested} boundar{'y' if nested == 1 else 'ies'}" if nested else "") + " inside"
                target = self.pages[self.first_page[child]].file
                frame.node(f"b{self.boundary_number[child]}", label="\n".join([label(self.boundaries[child].name, 24, 2), lines(count)]),
                           shape="folder", color=BOUNDARY, fontcolor="#7b241c", fillcolor="#fbeeee", URL=target, tooltip=target)

        on_page = set(page.elements)
        summed: dict[tuple[str, str], list[FlowView]] = {}
        stubs: dict[str, tuple[int, str | None]] = {}  # stub node -> (page, operator for the outside's stubs)
        for f in self.flows_on.get(number, []):
            if f.source in on_page and f.sink in on_page:
                graph.edge(self.names[f.source], self.names[f.sink], **flow_style(f))
                continue
            ends = [self.names[x] if x in on_page else self._place(x, inside, stubs) for x in (f.source, f.sink)]
            summed.setdefault((ends[0], ends[1]), []).append(f)
        if page.boundary and page.part == 1:
            for tail, head, f in self.between_children.get(page.boundary, []):
                summed.setdefault((f"b{self.boundary_number[tail]}", f"b{self.boundary_number[head]}"), []).append(f)

        summed = self._stubs(graph, summed, stubs)
        for (tail, head), flows in summed.items():
            style = flow_style(flows[0]) if len(flows) == 1 else {"label": lines(f"{len(flows)} flows")}
            if len(flows) > 1 and all(f.remote_access for f in flows):
                style.update(style="dashed", color=REMOTE, fontcolor=REMOTE)
            graph.edge(tail, head, **style)

        self._compulsion(graph, page, clusters)
        legend(graph, [
            *SHAPE_KEY,
            ("&#9645;", "a boundary inside this one, drawn in its own diagram", BOUNDARY),
            ("&#9633;", "elsewhere (dashed): where flows come from or go to, drawn in its own diagram", "#777777"),
            ("&#9632;", "state authority (red octagon)", COMPULSION),
            ("&#8594;", "data flow; to or from a summary node, the flows summed", "#444444"),
            ("&#8674;", "remote access (dashed blue)", REMOTE),
            ("&#8674;", "compelled access, with its legal basis (dashed red)", COMPULSION),
        ])
        return graph

    def _elements(self, graph: graphviz.Digraph, page: Page) -> dict[tuple[str, str], str]:
        """The page's elements in clusters by legal order, then operator; returns the operator clusters' names."""
        groups: dict[str, dict[str, list[ElementView]]] = {}
        for element in page.elements:
            e = self.elements[element]
            groups.setdefault(e.location or "", {}).setdefault(e.operator or "", []).append(e)
        clusters = {}
        for i, (code, by_operator) in enumerate(sorted(groups.items())):
            with graph.subgraph(name=f"cluster_{i}") as sub:
                legal_order_box(sub, code, self.jurisdictions.get(code))
                for k, (operator, elements) in enumerate(sorted(by_operator.items())):
                    clusters[(code, operator)] = name = f"cluster_{i}_{k}"
                    with sub.subgraph(name=name) as inner:
                        if operator:
                            inner.attr(label=label(f"Operated by {self.organisations[operator].name}", 40, 2), style="solid,rounded",
                                       color="#666666", fillcolor="white", fontsize="10")
                        else:
                            inner.attr(label="Not operated by an organisation", style="dotted", color="#888888", fontsize="10")
                        for e in elements:
                            element_node(inner, self.names[e.id], e)
        return clusters

    def _place(self, element: str, inside: tuple[str, ...], stubs: dict[str, tuple[int, str | None]]) -> str:
        """The node that stands for an element not drawn here: the child boundary holding it, or a stub."""
        chain = self.chain[self.elements[element].boundary]
        depth = len(inside)
        if depth and len(chain) > depth and chain[depth - 1] == inside[-1]:
            return f"b{self.boundary_number[chain[depth]]}"
        page = self.page_of[element]
        operator = self.elements[element].operator if self.pages[page].boundary is None else None
        node = f"p{page}" if self.pages[page].boundary else f"p{page}_{self.organisation_number.get(operator, 'none')}"
        stubs[node] = (page, operator)
        return node

    def _stubs(self, graph: graphviz.Digraph, summed: dict, stubs: dict[str, tuple[int, str | None]]) -> dict:
        """Draw the stub nodes, the busiest STUB_LIMIT - 1 on their own and the rest as one; re-aim the summed flows."""
        traffic = {node: 0 for node in stubs}
        for (tail, head), flows in summed.items():
            for node in (tail, head):
                if node in traffic:
                    traffic[node] += len(flows)
        ranked = sorted(stubs, key=lambda node: (-traffic[node], stubs[node][0], stubs[node][1] or ""))
        kept = ranked if len(ranked) <= STUB_LIMIT else ranked[:STUB_LIMIT - 1]
        for node in sorted(kept, key=lambda node: (stubs[node][0], stubs[node][1] or "")):
            page, operator = stubs[node]
            target = self.pages[page]
            if target.boundary:
                text = label(target.title, 26, 2)
            else:
                owner = self.organisations[operator].name if operator else "Not operated by an organisation"
                text = "\n".join([label(owner, 26, 2), lines(target.title)])
            graph.node(node, label=text, shape="box", style="filled,dashed,rounded", color="#888888", fontcolor="#555555",
                       fillcolor="#fafafa", URL=target.file, tooltip=target.file)
        if len(kept) == len(ranked):
            return summed
        rest = set(ranked) - set(kept)
        graph.node("elsewhere", label=lines(f"{len(rest)} other places", "each in its own diagram"), shape="box",
                   style="filled,dashed,rounded", color="#888888", fontcolor="#555555", fillcolor="#fafafa")
        merged: dict[tuple[str, str], list[FlowView]] = {}
        for (tail, head), flows in summed.items():
            key = ("elsewhere" if tail in rest else tail, "elsewhere" if head in rest else head)
            merged.setdefault(key, []).extend(flows)
        return merged

    def _compulsion(self, graph: graphviz.Digraph, page: Page, clusters: dict[tuple[str, str], str]) -> None:
        """Compelled access from this page's elements, labelled with the laws: one edge per (foreign legal order, operator
        cluster) as in the single diagram, or, when that would be more than COMPULSION_EDGES_DRAWN, one per foreign legal
        order from the whole boundary, with how many of its elements that legal order reaches."""
        grouped: dict[tuple[str, tuple[str, str]], list] = {}
        by_code: dict[str, list] = {}
        for element in page.elements:
            e = self.elements[element]
            for link in self.links.get(element, []):
                grouped.setdefault((link.jurisdiction, (e.location or "", e.operator or "")), []).append(link)
                by_code.setdefault(link.jurisdiction, []).append(link)
        authority_node = {code: f"j{i}" for i, code in enumerate(sorted(by_code))}
        for code, links in sorted(by_code.items()):
            names = sorted({self.drawn_authorities[link.authority].name for link in links})
            graph.node(authority_node[code], label="\n".join([lines(f"{code} state authorities"), lines(*capped(names, 3), limit=40)]),
                       shape="octagon", fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")
        style = {"style": "dashed,bold", "color": COMPULSION, "fontcolor": COMPULSION, "constraint": "false"}
        if len(grouped) <= COMPULSION_EDGES_DRAWN:
            for (code, path), links in sorted(grouped.items()):
                graph.edge(self.names[min(link.element for link in links)], authority_node[code], ltail=clusters[path],
                           label=lines(*capped(_laws(links), 2)), **style)
            return
        for code, links in sorted(by_code.items()):
            reached = {link.element for link in links}
            graph.edge(self.names[min(reached)], authority_node[code], ltail="cluster_boundary",
                       label=lines(f"{len(reached)} of {len(page.elements)} elements here", *capped(_laws(links), 2)), **style)


def _laws(links: list) -> list[str]:
    return [law for _, law in sorted({(b.law_rank, b.law) for link in links for b in link.bases})]


def _s(n: int) -> str:
    return "" if n == 1 else "s"
