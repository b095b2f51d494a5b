"""What makes report.html answer back: the diagram inline, the facts its script reads, and a strict CSP.

The page stays one file that works offline. Its behaviour lives in templates/report.js and its look in
templates/report-interactive.css; both are inlined. Model text reaches the page only as escaped text: in the
markup through Jinja2's autoescaping, in the SVG through the XML serialiser, and in the data block as JSON with
every character that could end the block escaped. The script reads that block with JSON.parse and writes model
text with textContent only. The Content-Security-Policy allows exactly the script and the styles rendered here
(by their SHA-256), so markup that got in anyway could not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET

import orjson
from markupsafe import Markup, escape

from threatlib.analysis.model import Analysis, Judgement
from threatlib.errors import shown
from threatlib.render.graphstyle import FLOW_NODE, node_names

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def json_for_html(value: object) -> str:
    """JSON that cannot close its <script> block or open a comment: <, >, & and the line separators escaped."""
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


class Interactive:
    """The hooks report.html uses when it is the browser page (never in the PDFs, which get `ix=None`)."""

    def __init__(self, analysis: Analysis, svg: bytes, page_css: str, script: str, css: str):
        self.analysis = analysis
        a = analysis
        self._decisions = {d.finding: d.decision for d in a.decisions}
        self._findings = {f.id: f for f in a.findings}
        self._escaped = _Escaped()
        self._names = {e.id: e.name for e in a.elements} | {f.id: f.name for f in a.flows}
        nodes = node_names(a)
        self.data = _visible(self._facts(nodes))
        self.svg = Markup(_inline_svg(svg, {name: key for key, name in nodes.items()}, self.data))
        self.script = script
        self.css = css
        self.csp = "; ".join([
            "default-src 'none'",
            f"script-src {_digest(script)}",
            f"style-src {_digest(page_css)} {_digest(css)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ])

    # Hooks in the markup.

    def finding(self, finding_id: str) -> Markup:
        """data-* attributes of a finding row, which the filters read."""
        f = self._findings.get(finding_id)
        if f is None:
            return Markup("")
        e = self._escaped  # a large estate's findings share a few orders, ratings, families, statuses and severities
        return Markup(f' data-finding="{escape(f.id)}" data-orders="{e[" ".join(f.jurisdictions) or "none"]}"'
                      f' data-rating="{e[f.risk.rating]}" data-family="{e[f.family]}" data-element="{e[f.element_id]}"'
                      f' data-status="{e[self._decisions.get(f.id, "open")]}" data-severity="{e[f.severity]}"')

    def judgement_links(self, j: Judgement) -> Markup:
        """Under a judgement: its route on the diagram, and the sources it cites."""
        number = {s.id: i for i, s in enumerate(self.analysis.sources, 1)}
        sources = sorted({s for s in _judgement_sources(j) if s in number}, key=number.get)
        cited = ", ".join(f'<a href="#src-{escape(s)}">{number[s]}</a>' for s in sources)
        return Markup(f'<p class="ix-links"><a class="ix-route" href="#view:route={escape(j.jurisdiction)}">'
                      f'Show its route on the diagram</a>'
                      + (f' <span class="ix-sources">Sources: {cited}</span>' if cited else "") + "</p>")

    def include(self) -> Markup:
        """The data block and the script, at the end of the body."""
        return Markup(f'<script type="application/json" id="ix-data">{json_for_html(self.data)}</script>'
                      f"<script>{self.script}</script>")

    def styles(self) -> Markup:
        return Markup(f"<style>{self.css}</style>")

    def meta(self) -> Markup:
        return Markup(f'<meta http-equiv="Content-Security-Policy" content="{escape(self.csp)}">')

    # The facts the script reads.

    def _facts(self, nodes: dict[str, str]) -> dict:
        a = self.analysis
        data_names = {d.id: d.name for d in a.data}
        orgs = {o.id: o.name for o in a.organisations}
        boundaries = {b.id: b.name for b in a.boundaries}
        authorities = {x.id: x for x in a.authorities}
        on: dict[str, list] = {}
        for f in a.findings:
            on.setdefault(f.element_id, []).append([f.id, f.title, f.risk.rating])
        bases: dict[str, list] = {}
        for c in a.compulsion:
            for b in c.bases:
                bases.setdefault(c.element, []).append(
                    [authorities[c.authority].name if c.authority in authorities else c.authority, b.label, b.via, b.status])
        # Exposure paths, one per route, with the data categories that take it.
        grouped: dict[tuple, dict] = {}
        for e in a.exposures:
            key = (e.jurisdiction, tuple(e.elements), tuple(e.flows), e.holder)
            path = grouped.setdefault(key, {"jurisdiction": e.jurisdiction, "elements": e.elements, "flows": e.flows,
                                            "holder": e.holder, "data": []})
            if data_names.get(e.data, e.data) not in path["data"]:
                path["data"].append(data_names.get(e.data, e.data))
        paths = [grouped[k] for k in sorted(grouped)]
        elements = {}
        for e in a.elements:
            elements[e.id] = {
                "name": e.name, "kind": e.kind, "node": nodes.get(e.id, ""),
                "operator": orgs.get(e.operator, e.operator) if e.operator else None,
                "location": e.location, "boundary": boundaries.get(e.boundary) if e.boundary else None,
                "stores": [data_names.get(d, d) for d in e.stores], "compelling": e.foreign_compelling,
                "findings": on.get(e.id, []), "bases": sorted(bases.get(e.id, []))}
        flows = {f.id: {"name": f.name, "source": f.source, "sink": f.sink, "data": [data_names.get(d, d) for d in f.data],
                        "protocol": f.protocol, "encryption": f.encryption, "remote_access": f.remote_access,
                        "crosses": f.crosses_legal_order, "findings": on.get(f.id, [])} for f in a.flows}
        judgements = {j.jurisdiction: {"name": j.name, "holder": j.route.holder, "elements": j.route.elements,
                                       "flows": j.route.flows, "words": j.likelihood_words} for j in a.judgements}
        names = {o.id: o.name for o in a.jurisdictions}
        return {"elements": elements, "flows": flows, "paths": paths, "judgements": judgements,
                "authorities": {k: {"name": x.name, "jurisdiction": x.jurisdiction, "node": nodes.get(k, "")}
                                for k, x in authorities.items()},
                "orders": names, "elementNames": self._names}


class _Escaped(dict):
    """Each value escaped once."""

    def __missing__(self, value: object) -> str:
        self[value] = text = str(escape(value))
        return text


# What orjson writes for a character that shown(keep_layout=True) escapes: the bidirectional controls, DEL and the
# C1 controls as they are, the C0 controls behind a backslash (as are a quote and a backslash, which need no change).
_MAY_BE_SHOWN = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\\\\]")


def _visible(value):
    """Control and bidirectional characters escaped in every text, as the rest of the page shows them. Most models
    have none: one look at the facts as JSON spares walking every text of a large estate's (a backslash may be a
    quote's; then the walk finds nothing to change)."""
    if not _MAY_BE_SHOWN.search(orjson.dumps(value).decode("utf-8")):
        return value
    return _each_visible(value)


def _each_visible(value):
    if isinstance(value, str):
        return shown(value, keep_layout=True)
    if isinstance(value, list):
        return [_each_visible(v) for v in value]
    if isinstance(value, dict):
        return {k: _each_visible(v) for k, v in value.items()}
    return value


def _judgement_sources(j: Judgement) -> list[str]:
    found: list[str] = []
    for p in j.reach.provisions:
        found += p.sources
        if p.counter_reading:
            found += p.counter_reading.sources
    for p in j.route.premises:
        found += p.sources
    for c in j.alternative.claims:
        found += c.sources
    return found


WORDS = re.compile(FLOW_NODE + r"\d+")  # a flow's words node in dfd.svg


def _inline_svg(svg: bytes, node_of: dict[str, str], data: dict) -> str:
    """dot's SVG as an element of the page: no XML prolog or comments, and each element's node and each flow's
    edge marked with what it draws (dot titles them by node name: e0, e0->e3), focusable and named for readers."""
    root = ET.fromstring(svg)
    # Drawn to the page's width; the script's zoom buttons scale it from dot's own size (in points).
    width = root.attrib.pop("width", "")
    root.attrib.pop("height", None)
    if width.endswith("pt"):
        root.set("data-width", str(round(float(width[:-2]) * 4 / 3)))  # CSS pixels
    root.set("id", "ix-diagram")
    root.set("role", "group")
    root.set("aria-label", "Data-flow diagram: choose an element or a flow to see its details")
    flow_ids = list(data["flows"])  # in the Analysis order, as diagram.py numbers the flows' words nodes
    flows_by_pair: dict[tuple[str, str], list[str]] = {}
    for fid, f in data["flows"].items():
        flows_by_pair.setdefault((f["source"], f["sink"]), []).append(fid)
    title_tag = f"{{{SVG_NS}}}title"
    for group in root.iter(f"{{{SVG_NS}}}g"):
        kind = group.get("class")
        title = group.find(title_tag)
        if title is None or title.text is None or kind not in ("node", "edge"):
            continue
        if kind == "node" and title.text in node_of and node_of[title.text] in data["elements"]:
            key = node_of[title.text]
            group.set("data-element", key)
            group.set("tabindex", "0")
            group.set("role", "button")
            group.set("aria-label", f"{data['elements'][key]['name']}: show details")
        elif kind == "node" and title.text in node_of:
            group.set("data-authority", node_of[title.text])
        elif kind == "edge" and "->" in title.text:
            tail, head = (end.split(":")[0] for end in title.text.split("->", 1))  # "e0:e->flow3:w": no ports
            ends = (node_of.get(tail), node_of.get(head))
            flows = flows_by_pair.get(ends) if None not in ends else None
            # dfd.svg draws flow N through its words node flowN: the part that meets the flow's sink stands for it.
            words = next((n for n in (tail, head) if WORDS.fullmatch(n)), None)
            if words is not None:
                number = int(words[len(FLOW_NODE):])
                fid = flow_ids[number] if number < len(flow_ids) else None
                other = node_of.get(head if words == tail else tail)
                flows = [fid] if fid and other == data["flows"][fid]["sink"] else None
            if flows:
                group.set("data-flows", " ".join(flows))
                group.set("tabindex", "0")
                group.set("role", "button")
                group.set("aria-label", " and ".join(data["flows"][f]["name"] for f in flows) + ": show details")
            elif ends[1] in data["authorities"]:
                group.set("data-compulsion", data["authorities"][ends[1]]["jurisdiction"])
    return ET.tostring(_plain_names(root), encoding="unicode")


def _plain_names(root: ET.Element) -> ET.Element:
    """Tags and attributes written as the HTML parser reads SVG (svg, g, xlink:href), whatever prefixes other
    libraries have registered with ElementTree for these namespaces."""
    prefixes = {SVG_NS: "", XLINK_NS: "xlink:"}
    for node in root.iter():
        if node.tag.startswith("{"):
            uri, name = node.tag[1:].split("}", 1)
            node.tag = prefixes.get(uri, "") + name
        for key in [k for k in node.attrib if k.startswith("{")]:
            uri, name = key[1:].split("}", 1)
            node.attrib[prefixes.get(uri, "") + name] = node.attrib.pop(key)
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return root
