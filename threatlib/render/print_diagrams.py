"""The data-flow diagram for paper: one landscape A4 page per legal order, drawn at a size that can be read.

One picture of a whole model (25 elements, 27 flows) shrinks to a few points a word when it is fitted to a page. So
the printed report draws the model legal order by legal order, as many whole legal orders to a page as fit at a
readable size: their elements, grouped by the organisation that runs them and the trust boundary they are in,
every flow among them with its full name, each place elsewhere that they exchange data with as a grey stub (drawn
in full on its own page), and the foreign authorities that can compel them (one dashed red edge per organisation,
with the laws). A legal order too big for a page alone is drawn an organisation, or a trust boundary, at a time.

Labels are plain text through graphstyle's helpers, never HTML-like: every word comes from the model. Nothing is
cut with an ellipsis: a printed figure is read, not skimmed.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import graphviz

from threatlib.analysis.model import Analysis, ElementView
from threatlib.render.dot import run_dot
from threatlib.render.graphstyle import (
    BOUNDARY,
    COMPULSION,
    DOMESTIC_FILL,
    FLOW_NODE,
    FONT,
    FOREIGN_FILL,
    REMOTE,
    SHAPES,
    against_the_flow,
    edge_words,
    split_edge,
    titled_box,
)
from threatlib.render.text import plain

NODE_FONT = 9.0
EDGE_FONT = 8.0
SMALLEST_PRINTED = 7.5  # points: no word in a printed figure may be smaller
# The landscape text box less the body's padding (262 mm wide), and less a heading: 165 mm high, as report.css lets it be;
# 140 mm on the first page, which also carries the section's heading and key.
PAGE_WIDTH, PAGE_HEIGHT, FIRST_PAGE_HEIGHT = 740.0, 468.0, 396.0
NOT_LOCATED = ""


KEY = ("Each page draws the elements located in one legal order, inside the organisation that runs them (solid boxes) and "
       "their trust boundary (dashed). Grey dashed boxes stand for the places an organisation runs elsewhere, drawn on "
       "their own page. Blue dashed arrows: remote access. Red boxes and dashed red arrows: the foreign authorities "
       "that can compel these elements, and the laws they do it by.")


@dataclass(frozen=True)
class PrintedFigure:
    title: str
    caption: str
    svg: bytes
    source: str = ""  # the DOT program it was drawn from, so its layout can be checked


def printed_figures(analysis: Analysis) -> list[PrintedFigure]:
    """The pages of the printed diagram: whole legal orders, as many to a page as fit at a readable size; a legal
    order too big for a page alone is drawn an operating organisation, or a trust boundary, at a time."""
    best = _Pictures(analysis)
    units: list[Unit] = []
    for code in _locations(analysis):
        units += _units(analysis, Unit(code, None, None), best)
    out: list[PrintedFigure] = []
    group: list[Unit] = []
    drawn = (b"", "")
    for unit in units:
        if group:
            picture = best([*group, unit])
            if _fits(picture[0], first=not out):
                group, drawn = [*group, unit], picture
                continue
            out.append(_figure(analysis, group, drawn))
        group, drawn = [unit], best([unit])
    if group:
        out.append(_figure(analysis, group, drawn))
    return out


def leaves_room_for_heading(figure: PrintedFigure) -> bool:
    """Whether the figure still prints at the floor on the first page, below the section's heading and key."""
    return _fits(figure.svg, first=True)


@dataclass(frozen=True)
class Unit:
    """Elements drawn together: those of a legal order, or of one operator there, or of one trust boundary of it."""

    code: str
    operator: str | None
    boundary: str | None
    part: tuple[int, int, tuple[str, ...]] | None = None  # (number, of how many, element ids) of a boundary in parts

    def holds(self, e: ElementView) -> bool:
        return ((e.location or NOT_LOCATED) == self.code and (self.operator is None or (e.operator or "") == self.operator)
                and (self.boundary is None or (e.boundary or "") == self.boundary)
                and (self.part is None or e.id in self.part[2]))


def _units(a: Analysis, unit: Unit, best: _Pictures) -> list[Unit]:
    """The unit if it fits on a page alone; else its operators' parts, theirs by trust boundary, and a boundary
    still too big in as few parts (in model order) as fit."""
    if _fits(best([unit])[0]):
        return [unit]
    members = [e for e in a.elements if unit.holds(e)]
    if unit.operator is None:
        parts = [Unit(unit.code, op, None) for op in dict.fromkeys(e.operator or "" for e in members)]
    elif unit.boundary is None:
        parts = [Unit(unit.code, unit.operator, b) for b in dict.fromkeys(e.boundary or "" for e in members)]
    else:
        if len(members) < 2:
            return [unit]
        for count in range(2, len(members) + 1):
            size = -(-len(members) // count)
            chunks = [tuple(e.id for e in members[i:i + size]) for i in range(0, len(members), size)]
            parts = [Unit(unit.code, unit.operator, unit.boundary, (n, len(chunks), c)) for n, c in enumerate(chunks, 1)]
            if all(_fits(best([p])[0]) for p in parts):
                return parts
        return parts
    if len(parts) == 1:
        return _units(a, parts[0], best) if parts[0] != unit else [unit]
    return [u for part in parts for u in _units(a, part, best)]


def _locations(a: Analysis) -> list[str]:
    present = {e.location or NOT_LOCATED for e in a.elements}
    order = [j.id for j in a.jurisdictions if j.id in present]
    return order + sorted(present - set(order))


def _figure(a: Analysis, units: list[Unit], drawn: tuple[bytes, str]) -> PrintedFigure:
    jurisdictions = {j.id: j for j in a.jurisdictions}
    organisations = {o.id: o for o in a.organisations}
    boundaries = {b.id: b for b in a.boundaries}
    words: list[str] = []
    seen: dict[tuple, list[int]] = {}
    for u in units:
        key = (u.code, u.operator, u.boundary)
        if u.part is not None and key in seen:
            seen[key].append(u.part[0])
            continue
        seen[key] = [u.part[0]] if u.part else []
    for (code, operator, boundary), numbers in seen.items():
        text = f"{jurisdictions[code].name} ({code})" if code in jurisdictions else "Legal order not modelled"
        if operator is not None:
            text += ": " + (f"run by {organisations[operator].name}" if operator in organisations else "run by no organisation")
        if boundary is not None:
            text += ", " + (f"in {boundaries[boundary].name}" if boundary in boundaries else "in no trust boundary")
        if numbers:
            of = next(u.part[1] for u in units if u.part and (u.code, u.operator, u.boundary) == (code, operator, boundary))
            listed = ", ".join(map(str, numbers[:-1])) + " and " + str(numbers[-1]) if len(numbers) > 1 else str(numbers[0])
            text += f" (part{'s' if len(numbers) > 1 else ''} {listed} of {of})"
        words.append(text)
    return PrintedFigure("; ".join(words), "", *drawn)


def _scale(svg: bytes, first: bool = False) -> float:
    """How much the picture shrinks when fitted to the page."""
    found = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        return 1.0
    width, height = float(found.group(1)), float(found.group(2))
    return min(1.0, PAGE_WIDTH / width, (FIRST_PAGE_HEIGHT if first else PAGE_HEIGHT) / height)


def _fits(svg: bytes, first: bool = False) -> bool:
    """Whether the picture, fitted to the page (the first page if `first`), keeps its smallest words at the floor."""
    return EDGE_FONT * _scale(svg, first) >= SMALLEST_PRINTED


class _Pictures:
    """Units drawn left to right and top to bottom, the one that fits, or else the one printed larger (its SVG and
    its DOT program); each set of elements drawn once, as splitting and grouping try the same sets again."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.drawn: dict[frozenset[str], tuple[bytes, str]] = {}

    def __call__(self, units: list[Unit]) -> tuple[bytes, str]:
        ids = frozenset(e.id for e in self.analysis.elements if any(u.holds(e) for u in units))
        if ids not in self.drawn:
            # Left to right first: a picture that fits that way is the one printed; else the larger of both ways.
            across = self.drawn[ids] = self._draw(ids, "LR")
            if not _fits(across[0]):
                down = self._draw(ids, "TB")
                self.drawn[ids] = across if _scale(across[0]) >= _scale(down[0]) else down
        return self.drawn[ids]

    def _draw(self, ids: frozenset[str], rankdir: str) -> tuple[bytes, str]:
        source = build_page(self.analysis, set(ids), rankdir).source
        return run_dot([(source, ("svg",))])[0]["svg"], source


def build_page(a: Analysis, ids: set[str], rankdir: str = "LR") -> graphviz.Digraph:
    """The picture of some of the model's elements, inside their legal order, organisation and trust boundary.

    Drawn so that dot keeps every word clear: each box's title and each flow's name is a text node of its own
    (graphstyle.titled_box, edge_words), placed by dot as it places elements, never on another, and kept out of
    by every edge that does not end in it."""
    names = {e.id: f"e{i}" for i, e in enumerate(a.elements)}
    graph = graphviz.Digraph("page", engine="dot")
    graph.attr(rankdir=rankdir, compound="true", newrank="true", fontname=FONT, nodesep="0.15", ranksep="0.2",
               bgcolor="white", pad="0.1", splines="polyline")
    graph.attr("node", fontname=FONT, fontsize=str(NODE_FONT), style="filled", fillcolor="white", color="#333333",
               margin="0.1,0.05")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_FONT), color="#444444", arrowsize="0.7")
    page = Page(graph, rankdir)
    _page_flows(page, a, ids, names)
    _page_compulsion(page, a, ids, names)
    cluster_of = _page_clusters(page, a, ids, names)
    for name, attrs in page.words.get((), []):
        edge_words(graph, name, attrs, EDGE_FONT)
    for title, members in page.titles:
        for member in members:
            graph.edge(title, member, style="invis")
    against = against_the_flow([(tail, head) for tail, head, _, _ in page.edges])
    for number, (tail, head, name, attrs) in enumerate(page.edges):
        split_edge(graph, tail, head, name, attrs, rankdir, against=number in against)
    for tail, head, attrs in page.compulsion:
        graph.edge(tail, head, ltail=cluster_of[tail], **attrs)
    return graph


@dataclass
class Page:
    """What a page draws besides its elements, gathered before its boxes are: each flow's words go in the innermost
    box holding both its ends, each title one rank before an element of its box."""

    graph: graphviz.Digraph
    rankdir: str
    words: dict[tuple, list] = field(default_factory=dict)  # box path -> (node name, attrs) of the words drawn in it
    edges: list = field(default_factory=list)  # (tail, head, words node, attrs) of each flow drawn
    compulsion: list = field(default_factory=list)  # (element, authority node, attrs)
    titles: list = field(default_factory=list)  # (title node, the nodes it comes a rank before)

    def title(self, title: str, elements: list[str], inner: list[str]) -> None:
        """A box's title a rank before every element in the box, at its leading edge; down the page, also before
        the titles of the boxes in it (each above the next, the outermost first), across it beside them."""
        self.titles.append((title, elements + (inner if self.rankdir == "TB" else [])))


def _page_clusters(page: Page, a: Analysis, ids: set[str], names: dict[str, str]) -> dict[str, str]:
    """The elements here inside their legal order, operator and trust boundary; returns each one's operator box."""
    organisations = {o.id: o for o in a.organisations}
    boundaries = {b.id: b for b in a.boundaries}
    jurisdictions = {j.id: j for j in a.jurisdictions}
    cluster_of: dict[str, str] = {}
    for o_number, (code, groups) in enumerate(_orders(a, ids).items()):
        with page.graph.subgraph(name=f"cluster_j{o_number}") as order:
            j = jurisdictions.get(code)
            title = "Legal order not modelled"
            if j:
                title = f"{code}: {j.name}" + (" (foreign legal order)" if j.foreign else " (users' legal order)")
            order_title = titled_box(order, f"cluster_j{o_number}", {
                "label": printed_label(title, 24), "style": "filled,rounded", "color": "#999999",
                "fontsize": str(NODE_FONT + 1), "fillcolor": (FOREIGN_FILL if j.foreign else DOMESTIC_FILL) if j else "white",
                "fontcolor": "#222222"})
            _words(page, order, (code,))
            company_titles = []
            for number, (org, by_boundary) in enumerate(groups.items()):
                name = f"cluster_j{o_number}_o{number}"
                with order.subgraph(name=name) as company:
                    text = f"Run by {organisations[org].name}" if org in organisations else "Run by no organisation"
                    company_title = titled_box(company, name, {
                        "label": printed_label(text, 24), "style": "filled,rounded", "color": "#666666",
                        "fillcolor": "white", "fontsize": str(NODE_FONT), "fontcolor": "#222222"})
                    _words(page, company, (code, org))
                    box_titles = []
                    for inner, (box_id, members) in enumerate(by_boundary.items()):
                        for e in members:
                            cluster_of[names[e.id]] = name
                        if not box_id:
                            for e in members:
                                _element(company, names[e.id], e)
                            continue
                        with company.subgraph(name=f"{name}_b{inner}") as box:
                            box_title = titled_box(box, f"{name}_b{inner}", {
                                "label": printed_label(boundaries[box_id].name, 22), "style": "dashed",
                                "color": BOUNDARY, "fontcolor": BOUNDARY, "fontsize": str(EDGE_FONT + 0.5)})
                            _words(page, box, (code, org, box_id))
                            for e in members:
                                _element(box, names[e.id], e)
                            page.title(box_title, [names[e.id] for e in members], [])
                            box_titles.append(box_title)
                    page.title(company_title, [names[e.id] for members in by_boundary.values() for e in members], box_titles)
                    company_titles.append(company_title)
            page.title(order_title, [names[e.id] for by in groups.values() for members in by.values() for e in members],
                       company_titles)
    return cluster_of


def _orders(a: Analysis, ids: set[str]) -> dict[str, dict[str, dict[str, list[ElementView]]]]:
    """The elements here by legal order, operator and trust boundary, in model order."""
    orders: dict[str, dict[str, dict[str, list[ElementView]]]] = {}
    for e in a.elements:
        if e.id in ids:
            orders.setdefault(e.location or NOT_LOCATED, {}).setdefault(e.operator or "", {}).setdefault(e.boundary or "", []).append(e)
    return orders


def _words(page: Page, box: graphviz.Digraph, path: tuple) -> None:
    for name, attrs in page.words.get(path, []):
        edge_words(box, name, attrs, EDGE_FONT)


def _path(e: ElementView) -> tuple:
    """The boxes an element is drawn in: its legal order, its operator and its trust boundary if it has one."""
    return (e.location or NOT_LOCATED, e.operator or "") + ((e.boundary,) if e.boundary else ())


def _common(a: tuple, b: tuple) -> tuple:
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    return a[:same]


def _page_flows(page: Page, a: Analysis, ids: set[str], names: dict[str, str]) -> None:
    """Flows drawn in full between two elements here; to or from elsewhere, through a stub for the other end.
    Flows between the same two ends, alike in being remote access or not, share one edge that names each: a column
    of names, where one edge each would stack as many words nodes with room between them."""
    elements = {e.id: e for e in a.elements}
    organisations = {o.id: o for o in a.organisations}
    stubs: dict[tuple, str] = {}
    edges: dict[tuple, list[str]] = {}
    for flow in a.flows:
        if flow.source not in ids and flow.sink not in ids:
            continue
        source, sink = (names[x] if x in ids else _stub(page.graph, stubs, elements[x], organisations) for x in (flow.source, flow.sink))
        text = flow.name + (" (unencrypted)" if flow.encryption == "none" and flow.crosses_legal_order else "")
        where = _common(*(_path(elements[x]) if x in ids else () for x in (flow.source, flow.sink)))
        edges.setdefault((source, sink, flow.remote_access, where), []).append(
            ("remote access: " if flow.remote_access else "") + text)
    for number, ((source, sink, remote, where), texts) in enumerate(edges.items()):
        attrs = {"label": printed_label(texts[0], 20) if len(texts) == 1 else "".join(_listed(t, 20) for t in texts)}
        if remote:
            attrs.update(style="dashed", color=REMOTE, fontcolor=REMOTE)
        page.words.setdefault(where, []).append((f"{FLOW_NODE}{number}", attrs))
        page.edges.append((source, sink, f"{FLOW_NODE}{number}", attrs))


def _page_compulsion(page: Page, a: Analysis, ids: set[str], names: dict[str, str]) -> None:
    """One edge per (foreign legal order, operator here), into its authorities, which name the laws."""
    jurisdictions = {j.id: j for j in a.jurisdictions}
    grouped: dict[tuple[str, tuple], list] = {}
    elements = {e.id: e for e in a.elements}
    for link in a.compulsion:
        if link.foreign and link.element in ids:
            grouped.setdefault((link.jurisdiction, _path(elements[link.element])[:2]), []).append(link)
    laws_of: dict[str, set] = {}
    for (jurisdiction, _), links in grouped.items():
        laws_of.setdefault(jurisdiction, set()).update((b.law_rank, b.law) for link in links for b in link.bases)
    for jurisdiction in sorted(laws_of):
        name = jurisdictions[jurisdiction].name if jurisdiction in jurisdictions else jurisdiction
        laws = [law for _, law in sorted(laws_of[jurisdiction])]
        shown = laws[:2] + ([f"and {len(laws) - 2} other law{'s' if len(laws) > 3 else ''}"] if len(laws) > 2 else [])
        page.graph.node(f"auth_{jurisdiction}", label="\n".join([printed_label(f"{name} ({jurisdiction}): state authorities", 22),
                                                                  *(printed_label(law, 24) for law in shown)]),
                        shape="box", style="filled,rounded", fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")
    for (jurisdiction, _), links in sorted(grouped.items()):
        anchor = names[min(link.element for link in links)]
        page.compulsion.append((anchor, f"auth_{jurisdiction}", {"style": "dashed", "color": COMPULSION}))


def _element(graph: graphviz.Digraph, name: str, e: ElementView) -> None:
    shape, style = SHAPES[e.kind]
    shape = "ellipse" if shape == "circle" else shape  # a circle round a long name is as tall as it is wide
    graph.node(name, label=printed_label(e.name, 18), shape=shape, style=",".join(filter(None, ["filled", style])),
               fillcolor="white" if e.in_scope else "#f2f2f2")


def _stub(graph: graphviz.Digraph, stubs: dict[tuple, str], e: ElementView, organisations: dict) -> str:
    """One grey box for the places elsewhere that one organisation runs in one legal order (or that none runs)."""
    key = (e.location or NOT_LOCATED, e.operator or "")
    if key not in stubs:
        stubs[key] = f"s{len(stubs)}"
        where = f"in {e.location}" if e.location else "where no legal order is modelled"
        who = organisations[e.operator].name if e.operator in organisations else "Places run by no organisation"
        graph.node(stubs[key], label=printed_label(f"{who} {where} (its own page)", 22), shape="box", style="filled,dashed",
                   fillcolor="#f2f2f2", color="#888888", fontcolor="#333333")
    return stubs[key]


def _listed(text: str, width: int) -> str:
    """One of several flows' names on one edge: a bullet on its first line, the rest indented, all set flush left
    (DOT's `\\l`), so where one name ends and the next begins reads at a glance."""
    lines = [graphviz.escape(line) for line in textwrap.wrap(plain(text), width) or [""]]
    return "".join(f"{'• ' if i == 0 else '   '}{line}\\l" for i, line in enumerate(lines))


def printed_label(text: str, width: int) -> str:
    """Model text wrapped to lines of about `width` characters, all of it, each line escaped for DOT."""
    return "\n".join(graphviz.escape(line) for line in textwrap.wrap(plain(text), width) or [""])
