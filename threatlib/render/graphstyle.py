"""What every diagram shares: fonts, shapes, colours, safe labels and the legend box.

Every label made from model text passes through `label` (or `plain` then graphviz.escape): control characters
are removed first, so no model text can change the DOT program. Every diagram is a `Digraph` from here, which
writes every attribute as a quoted DOT string unless it is `Markup`: a name written `<<TABLE>...>>` is drawn as
those characters, never read by dot as an HTML-like label (which could carry links).
"""

from __future__ import annotations

import graphviz
from graphviz import quoting

from threatlib.analysis.model import Analysis, ElementView, FlowView
from threatlib.render.text import plain, wrapped

FONT = "DejaVu Sans"
SHAPES = {
    "actor": ("box", "rounded"),
    "device": ("box3d", ""),
    "process": ("circle", ""),  # a data-flow diagram's process, as pytm and Threat Dragon draw it
    "server": ("box3d", ""),
    "datastore": ("cylinder", ""),
    "external": ("box", ""),
}
# pytm's kinds of element that our six kinds fold together, each drawn with a shape of its own.
PYTM_SHAPES = {
    "SetOfProcesses": ("doublecircle", ""),
    "Lambda": ("component", ""),
    "LLM": ("hexagon", ""),
    "Agent": ("septagon", ""),
}
FOREIGN_FILL = "#fdecea"
DOMESTIC_FILL = "#eaf2fb"
COMPULSION = "#c0392b"
REMOTE = "#1f5fa8"
BOUNDARY = "#b03a2e"


class Markup(str):
    """An HTML-like label threatlib writes itself from fixed text, codes and numbers; never from model text."""


def _as_text(value: object) -> object:
    return value if isinstance(value, Markup) or not isinstance(value, str) else graphviz.nohtml(value)


def _texts(attrs):
    if attrs is None:
        return None
    pairs = attrs.items() if hasattr(attrs, "items") else attrs
    return {key: _as_text(value) for key, value in pairs}


class Digraph(graphviz.Digraph):
    """graphviz.Digraph that quotes every name and attribute as text unless it is Markup (subgraphs inherit it)."""

    _quote = staticmethod(lambda identifier: quoting.quote(_as_text(identifier)))
    _a_list = staticmethod(lambda label=None, kwargs=None, attributes=None:
                           quoting.a_list(_as_text(label), kwargs=_texts(kwargs), attributes=_texts(attributes)))
    _attr_list = staticmethod(lambda label=None, kwargs=None, attributes=None:
                              quoting.attr_list(_as_text(label), kwargs=_texts(kwargs), attributes=_texts(attributes)))


def node_names(analysis: Analysis) -> dict[str, str]:
    """The Graphviz node name of each element (e0, e1, ...) and authority (a0, a1, ...), in Analysis order."""
    names = {e.id: f"e{i}" for i, e in enumerate(analysis.elements)}
    names.update({a.id: f"a{i}" for i, a in enumerate(analysis.authorities)})
    return names


def label(text: str, width: int = 22, max_lines: int = 4) -> str:
    return "\n".join(graphviz.escape(line) for line in wrapped(text, width, max_lines))


def lines(*texts: str, limit: int = 60) -> str:
    """Several one-line texts as one label, each on its own line."""
    return "\n".join(graphviz.escape(plain(text, limit)) for text in texts if text)


def capped(names: list[str], shown: int = 2) -> list[str]:
    """The first few names, then how many more there are."""
    return names[:shown] + ([f"+{len(names) - shown} more"] if len(names) > shown else [])


# A circle grows with the longest line of its name in both directions: its names wrap shorter.
CIRCLE_LABEL_WIDTH, LABEL_WIDTH, LABEL_LINES = 16, 22, 4


def _label_width(element: ElementView) -> int:
    shape, _ = PYTM_SHAPES.get(element.pytm_class) or SHAPES[element.kind]
    return CIRCLE_LABEL_WIDTH if "circle" in shape else LABEL_WIDTH


def element_label_lines(element: ElementView) -> list[str]:
    """An element's name in lines as its node shows them, for the Threat Dragon export to match the diagram."""
    return wrapped(element.name, _label_width(element), LABEL_LINES)


def element_node(graph: graphviz.Digraph, name: str, element: ElementView) -> None:
    """An element as every diagram draws it: its kind's shape, greyed when out of scope."""
    shape, style = PYTM_SHAPES.get(element.pytm_class) or SHAPES[element.kind]
    graph.node(name, label=label(element.name, _label_width(element), LABEL_LINES), shape=shape,
               style=",".join(filter(None, ["filled", style])), fillcolor="#f2f2f2" if not element.in_scope else "white")


def flow_style(flow: FlowView) -> dict[str, str]:
    """A flow's edge attributes: dashed blue for remote access, and said when it crosses unencrypted."""
    attrs = {"label": label(flow.name, 24, 2)}
    if flow.remote_access:
        attrs.update(style="dashed", color=REMOTE, fontcolor=REMOTE, label=label(f"remote access: {flow.name}", 24, 3))
    if flow.encryption == "none" and flow.crosses_legal_order:
        attrs["label"] = label(f"{flow.name} (unencrypted)", 24, 3)
    return attrs


FLOW_NODE = "flow"  # the prefix of a flow's name node: "flow3"


def edge_words(graph: graphviz.Digraph, name: str, attrs: dict[str, str], fontsize: float = 8) -> None:
    """An edge's label as a text node of its own, `name`, for `split_edge` to lead the edge through. dot never puts
    two nodes on one another, as it can put two edge labels (of edges into one node, in a left-to-right picture);
    and the node sits in an invisible box of its own, which dot's router keeps other edges out of where it can.
    render.label_check measures the result; tests/test_diagram_labels.py holds it at zero faults."""
    font = {"fontcolor": attrs["fontcolor"]} if "fontcolor" in attrs else {}
    with graph.subgraph(name=f"cluster_{name}") as box:
        box.attr(label="", style="invis", margin="2")
        box.node(name, label=attrs["label"], shape="plaintext", style="solid", fontsize=str(fontsize), width="0", height="0",
                 margin="0.04,0.02", **font)


def split_edge(graph: graphviz.Digraph, tail: str, head: str, name: str, attrs: dict[str, str], rankdir: str = "LR",
               against: bool = False) -> None:
    """The edge from tail to head through its words' node `name`. Across the page, each part leaves a node on its
    right and meets the next on its left, so that it never runs along a node's column past its neighbour. An edge
    `against` the picture's direction (see `against_the_flow`) is written from head to tail and drawn backwards, so
    that dot ranks it forwards too rather than loop it round."""
    attrs = {k: v for k, v in attrs.items() if k not in ("label", "fontcolor")}
    sides = {"tailport": "e", "headport": "w"} if rankdir == "LR" else {}
    if against:
        graph.edge(head, name, dir="back", **sides, **attrs)
        graph.edge(name, tail, dir="none", **sides, **attrs)
    else:
        graph.edge(tail, name, arrowhead="none", **sides, **attrs)
        graph.edge(name, head, **sides, **attrs)


def against_the_flow(pairs: list[tuple[str, str]]) -> set[int]:
    """Which of the edges (tail, head), in order, close a cycle: those into a node still being visited in a depth-first
    walk from each tail in turn. Drawn backwards, they leave dot an acyclic graph, so that every edge runs along the
    picture's direction and can meet its nodes side on."""
    out: dict[str, list[tuple[int, str]]] = {}
    for number, (tail, head) in enumerate(pairs):
        out.setdefault(tail, []).append((number, head))
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    back: set[int] = set()
    for start, _ in pairs:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(out.get(start, [])))]
        while stack:
            node, edges = stack[-1]
            step = next(edges, None)
            if step is None:
                state[node] = 2
                stack.pop()
            elif state.get(step[1]) == 1:
                back.add(step[0])
            elif step[1] not in state:
                state[step[1]] = 1
                stack.append((step[1], iter(out.get(step[1], []))))
    return back


def legend(graph: graphviz.Digraph, rows: list[tuple[str, str, str]]) -> None:
    """A compact key as one HTML-like table node; its text is ours, never model text."""
    cells = "".join(f'<TR><TD><FONT COLOR="{colour}">{symbol}</FONT></TD><TD ALIGN="LEFT">{text}</TD></TR>'
                    for symbol, text, colour in rows)
    table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1"><TR><TD COLSPAN="2"><B>Legend</B></TD></TR>{cells}</TABLE>'
    graph.node("legend", label=Markup(f"<{table}>"),
               shape="box", style="rounded", color="#999999", fontsize="8")


# The legend's rows for element shapes, which every picture of elements shares.
SHAPE_KEY = [
    ("&#9711;", "process", "#333333"),
    ("&#9707;", "data store (cylinder), device or server (box)", "#333333"),
    ("&#9634;", "person or external party", "#333333"),
]


# The legend's rows for each kind of shape, in the order the legend lists them.
KIND_KEY = {
    "process": ("&#9711;", "process"),
    "SetOfProcesses": ("&#9678;", "set of processes (double circle)"),
    "Lambda": ("&#9641;", "serverless function (component box)"),
    "LLM": ("&#11041;", "language model (hexagon)"),
    "Agent": ("&#11042;", "agent (seven-sided)"),
    "datastore": ("&#9707;", "data store (cylinder)"),
    "server": ("&#9707;", "server or device (3-D box)"),
    "actor": ("&#9634;", "person or external party"),
}
KIND_ALIASES = {"device": "server", "external": "actor"}


def shape_key(analysis: Analysis) -> list[tuple[str, str, str]]:
    """Legend rows for the shapes this model's elements are drawn with, and no others."""
    used = {e.pytm_class if e.pytm_class in PYTM_SHAPES else KIND_ALIASES.get(e.kind, e.kind) for e in analysis.elements}
    return [(symbol, text, "#333333") for kind, (symbol, text) in KIND_KEY.items() if kind in used]


def legal_order_box(cluster: graphviz.Digraph, code: str, jurisdiction) -> None:
    """A legal order's cluster: red when foreign to the users, blue when theirs, dashed when the library lacks it."""
    cluster.attr(**legal_order_attrs(code, jurisdiction))


def legal_order_attrs(code: str, jurisdiction) -> dict[str, str]:
    if jurisdiction is None:
        return {"label": "Jurisdiction not modelled", "style": "dashed,rounded", "color": "#999999", "fontsize": "12"}
    title = f"{code}: {jurisdiction.name}" + (" (foreign legal order)" if jurisdiction.foreign else " (users' legal order)")
    return {"label": label(title, 60, 1), "style": "filled,rounded", "fillcolor": FOREIGN_FILL if jurisdiction.foreign else DOMESTIC_FILL,
            "color": "#999999", "fontsize": "12", "fontcolor": "#222222"}


TITLE_FONT = ("label", "fontsize", "fontcolor")


def titled_box(cluster: graphviz.Digraph, name: str, attrs: dict[str, str]) -> str:
    """A cluster drawn with `attrs`, its title a text node of its own inside it (in an invisible box) rather than the
    cluster's label: dot places edge labels clear of nodes and routes edges around them and around boxes that do
    not hold their ends, but does neither for a cluster's label. The caller places the title, a rank before the
    box's elements. Returns the title node's name."""
    cluster.attr(label="", **{k: v for k, v in attrs.items() if k not in TITLE_FONT})  # "": not the picture's own
    title = f"{name}_title"
    with cluster.subgraph(name=f"{name}_titlebox") as box:
        box.attr(label="", style="invis")
        box.node(title, shape="plaintext", style="solid", margin="0.04,0.02", **{k: v for k, v in attrs.items() if k in TITLE_FONT})
    return title

