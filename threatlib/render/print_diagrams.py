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

import json
import re
import textwrap
from dataclasses import dataclass

import graphviz

from threatlib.analysis.model import Analysis, ElementView
from threatlib.render.dot import run_dot
from threatlib.render.graphstyle import BOUNDARY, COMPULSION, DOMESTIC_FILL, FONT, FOREIGN_FILL, REMOTE, SHAPES
from threatlib.render.label_check import label_faults
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
       "their own page. Blue dashed arrows: remote access. Red octagons and dashed red arrows: the foreign authorities "
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
    units: list[Unit] = []
    for code in _locations(analysis):
        units += _units(analysis, Unit(code, None, None))
    out: list[PrintedFigure] = []
    group: list[Unit] = []
    drawn = (b"", "")
    for unit in units:
        if group:
            picture = _best(analysis, [*group, unit])
            if _fits(picture[0], first=not out):
                group, drawn = [*group, unit], picture
                continue
            out.append(_figure(analysis, group, _clear(analysis, group, drawn, first=not out)))
        group, drawn = [unit], _best(analysis, [unit])
    if group:
        out.append(_figure(analysis, group, _clear(analysis, group, drawn, first=not out)))
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


def _units(a: Analysis, unit: Unit) -> list[Unit]:
    """The unit if it fits on a page alone; else its operators' parts, theirs by trust boundary, and a boundary
    still too big in as few parts (in model order) as fit."""
    if _fits(_best(a, [unit])[0]):
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
            if all(_fits(_best(a, [p])[0]) for p in parts):
                return parts
        return parts
    if len(parts) == 1:
        return _units(a, parts[0]) if parts[0] != unit else [unit]
    return [u for part in parts for u in _units(a, part)]


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


def _best(a: Analysis, units: list[Unit]) -> tuple[bytes, str]:
    """The units drawn left to right and top to bottom: the one that fits, or else the one printed larger (its SVG
    and its DOT program)."""
    ids = {e.id for e in a.elements if any(u.holds(e) for u in units)}
    sources = [build_page(a, ids, rankdir).source for rankdir in ("LR", "TB")]
    across, down = (d["svg"] for d in run_dot([(source, ("svg",)) for source in sources]))
    return (across, sources[0]) if _fits(across) or _scale(across) >= _scale(down) else (down, sources[1])


# Where the clusters' titles go: dot's router does not keep edges off them, so a page whose edges run through a title
# is drawn again with its titles elsewhere, or in the other direction.
TITLE_PLACES = {"top": {}, "top left": {"labeljust": "l"}, "bottom": {"labelloc": "b"}, "bottom left": {"labelloc": "b", "labeljust": "l"}}


def _clear(a: Analysis, units: list[Unit], drawn: tuple[bytes, str], first: bool) -> tuple[bytes, str]:
    """The page as drawn if no label of it overlaps another and no edge runs through a title; else the first
    drawing, of both directions, each place for the titles, closer ranks, and flows that meet their elements side on
    (where an edge would clip a title just above the element), that is clear and still fits the page."""
    [checked] = run_dot([(drawn[1], ("json",))])
    if not label_faults(json.loads(checked["json"])):
        return drawn
    ids = {e.id for e in a.elements if any(u.holds(e) for u in units)}
    sources = [build_page(a, ids, rankdir, place, tight, ports).source
               for ports in (False, True) for tight in (False, True) for rankdir in ("LR", "TB") for place in TITLE_PLACES
               if rankdir == "LR" or not ports]
    for source, picture in zip(sources, run_dot([(source, ("svg", "json")) for source in sources]), strict=True):
        if _fits(picture["svg"], first) and not label_faults(json.loads(picture["json"])):
            return picture["svg"], source
    return drawn


def build_page(a: Analysis, ids: set[str], rankdir: str = "LR", titles: str = "top", tight: bool = False,
               ports: bool = False) -> graphviz.Digraph:
    """The picture of some of the model's elements, inside their legal order, organisation and trust boundary."""
    names = {e.id: f"e{i}" for i, e in enumerate(a.elements)}
    graph = graphviz.Digraph("page", engine="dot")
    graph.attr(rankdir=rankdir, compound="true", newrank="true", fontname=FONT, nodesep="0.2" if tight else "0.25",
               ranksep="0.3" if tight else "0.5",
               bgcolor="white", pad="0.1")
    graph.attr("node", fontname=FONT, fontsize=str(NODE_FONT), style="filled", fillcolor="white", color="#333333",
               margin="0.1,0.05")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_FONT), color="#444444", arrowsize="0.7")
    cluster_of = _page_clusters(graph, a, ids, names, TITLE_PLACES[titles])
    _page_flows(graph, a, ids, names, rankdir if ports else None)
    _page_compulsion(graph, a, ids, names, cluster_of)
    return graph


def _page_clusters(graph: graphviz.Digraph, a: Analysis, ids: set[str], names: dict[str, str], placed: dict) -> dict[str, str]:
    """The elements here inside their legal order, operator and trust boundary, their titles `placed`; returns each
    one's operator cluster."""
    organisations = {o.id: o for o in a.organisations}
    boundaries = {b.id: b for b in a.boundaries}
    jurisdictions = {j.id: j for j in a.jurisdictions}
    orders: dict[str, dict[str, dict[str, list[ElementView]]]] = {}
    for e in a.elements:
        if e.id in ids:
            orders.setdefault(e.location or NOT_LOCATED, {}).setdefault(e.operator or "", {}).setdefault(e.boundary or "", []).append(e)
    cluster_of: dict[str, str] = {}
    for o_number, (code, groups) in enumerate(orders.items()):
        with graph.subgraph(name=f"cluster_j{o_number}") as order:
            j = jurisdictions.get(code)
            title = "Legal order not modelled"
            if j:
                title = f"{code}: {j.name}" + (" (foreign legal order)" if j.foreign else " (users' legal order)")
            order.attr(label=printed_label(title, 70), style="filled,rounded", color="#999999", fontsize=str(NODE_FONT + 1),
                       fontname=FONT, fillcolor=(FOREIGN_FILL if j.foreign else DOMESTIC_FILL) if j else "white",
                       fontcolor="#222222", **placed)
            for number, (org, by_boundary) in enumerate(groups.items()):
                name = f"cluster_j{o_number}_o{number}"
                with order.subgraph(name=name) as company:
                    text = f"Run by {organisations[org].name}" if org in organisations else "Run by no organisation"
                    company.attr(label=printed_label(text, 44), style="filled,rounded", color="#666666", fillcolor="white",
                                 fontsize=str(NODE_FONT), fontname=FONT, fontcolor="#222222", **placed)
                    for inner, (box_id, members) in enumerate(by_boundary.items()):
                        if not box_id:
                            for e in members:
                                _element(company, names[e.id], e)
                                cluster_of[e.id] = name
                            continue
                        with company.subgraph(name=f"{name}_b{inner}") as box:
                            box.attr(label=printed_label(boundaries[box_id].name, 36), style="dashed", color=BOUNDARY,
                                     fontcolor=BOUNDARY, fontsize=str(EDGE_FONT + 0.5), fontname=FONT, **placed)
                            for e in members:
                                _element(box, names[e.id], e)
                                cluster_of[e.id] = name
    return cluster_of


def _page_flows(graph: graphviz.Digraph, a: Analysis, ids: set[str], names: dict[str, str], sideways: str | None) -> None:
    """Flows drawn in full between two elements here; to or from elsewhere, through a stub for the other end. With
    `sideways` (the page's rankdir), each flow meets its elements side on."""
    elements = {e.id: e for e in a.elements}
    organisations = {o.id: o for o in a.organisations}
    stubs: dict[tuple, str] = {}
    for flow in a.flows:
        ends = (flow.source in ids, flow.sink in ids)
        if not any(ends):
            continue
        source, sink = (names[x] if x in ids else _stub(graph, stubs, elements[x], organisations) for x in (flow.source, flow.sink))
        text = flow.name + (" (unencrypted)" if flow.encryption == "none" and flow.crosses_legal_order else "")
        attrs = {"label": printed_label(("remote access: " if flow.remote_access else "") + text, 20)}
        if flow.remote_access:
            attrs.update(style="dashed", color=REMOTE, fontcolor=REMOTE)
        if sideways:
            attrs.update(tailport="e", headport="w") if sideways == "LR" else attrs.update(tailport="s", headport="n")
        graph.edge(source, sink, **attrs)


def _page_compulsion(graph: graphviz.Digraph, a: Analysis, ids: set[str], names: dict[str, str],
                     cluster_of: dict[str, str]) -> None:
    """One edge per (foreign legal order, operator cluster here), into its authorities, which name the laws."""
    jurisdictions = {j.id: j for j in a.jurisdictions}
    grouped: dict[tuple[str, str], list] = {}
    for link in a.compulsion:
        if link.foreign and link.element in ids:
            grouped.setdefault((link.jurisdiction, cluster_of[link.element]), []).append(link)
    laws_of: dict[str, set] = {}
    for (jurisdiction, _), links in grouped.items():
        laws_of.setdefault(jurisdiction, set()).update((b.law_rank, b.law) for link in links for b in link.bases)
    for jurisdiction in sorted(laws_of):
        name = jurisdictions[jurisdiction].name if jurisdiction in jurisdictions else jurisdiction
        laws = [law for _, law in sorted(laws_of[jurisdiction])]
        shown = laws[:2] + ([f"and {len(laws) - 2} other law{'s' if len(laws) > 3 else ''}"] if len(laws) > 2 else [])
        # The laws sit in the authorities' box: an edge label can land on a legal order's title, which dot does not avoid.
        graph.node(f"auth_{jurisdiction}", label="\n".join([printed_label(f"{name} ({jurisdiction}): state authorities", 22),
                                                             *(printed_label(law, 24) for law in shown)]),
                   shape="octagon", fillcolor="#f9d6d2", color=COMPULSION, fontcolor="#7b241c")
    for (jurisdiction, cluster), links in sorted(grouped.items()):
        anchor = names[min(link.element for link in links)]
        graph.edge(anchor, f"auth_{jurisdiction}", ltail=cluster, style="dashed", color=COMPULSION,
                   constraint="false" if len(grouped) > 3 else "true")


def _element(graph: graphviz.Digraph, name: str, e: ElementView) -> None:
    shape, style = SHAPES[e.kind]
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


def printed_label(text: str, width: int) -> str:
    """Model text wrapped to lines of about `width` characters, all of it, each line escaped for DOT."""
    return "\n".join(graphviz.escape(line) for line in textwrap.wrap(plain(text), width) or [""])
