"""The brief's picture at a glance, drawn for an A4 page: the users and their data, the places the judgements'
routes pass through, each with the company that runs it, and the legal orders that can compel them.

Only what the judgements name is drawn (each judgement's route, from the users to its holder, and the legal order
at its end), so a model of any size gives a dozen or so nodes, readable at arm's length. Labels are plain text
through graphstyle's `label`, never HTML-like: every word comes from the model.
"""

from __future__ import annotations

import graphviz

from threatlib.analysis.model import Analysis
from threatlib.analysis.risk import yardstick_index
from threatlib.render.graphstyle import COMPULSION, FONT, SHAPES
from threatlib.render.print_diagrams import printed_label

# Points, as printed: the page's text column is about 500 pt wide, and the figure is drawn at its own size.
NODE_FONT = "11"
EDGE_FONT = "10.5"
PAGE_SIZE = "6.9,8.6"  # inches: dot scales a larger drawing down to this, which the print test would catch
LIKELIHOOD_FILL = ["#f4f6f6", "#eef3f7", "#fdf2e0", "#fbe1c8", "#f5b7b1", "#ec8f86", "#e06b60"]  # by yardstick step
USERS = "users"


def build_glance(analysis: Analysis) -> graphviz.Digraph:
    a = analysis
    elements = {e.id: e for e in a.elements}
    organisations = {o.id: o for o in a.organisations}
    jurisdictions = {j.id: j for j in a.jurisdictions}
    graph = graphviz.Digraph("glance", engine="dot")
    graph.attr(rankdir="TB", fontname=FONT, nodesep="0.3", ranksep="0.25", newrank="true", size=PAGE_SIZE,
               bgcolor="white", pad="0.1")
    graph.attr("node", fontname=FONT, fontsize=NODE_FONT, style="filled", fillcolor="white", color="#333333",
               margin="0.12,0.06")
    graph.attr("edge", fontname=FONT, fontsize=EDGE_FONT, color="#444444", arrowsize="0.7")

    places = list(dict.fromkeys(e for j in a.judgements for e in j.route.elements
                                if e in elements and elements[e].kind != "actor"))
    for j in a.judgements:
        if j.route.holder not in places:
            places.append(j.route.holder)

    personal = [d for d in a.data if d.personal]
    children = sum(1 for d in personal if d.children)
    whose = sorted({s for j in a.judgements for s in j.route.subjects})
    users = [f"Users in {', '.join(_place_name(c, jurisdictions) for c in a.model.data_subjects_in)}"]
    if whose:
        users.append("(" + ", ".join(s.label for s in whose) + ")")
    users.append(f"{len(personal)} kinds of personal data" + (f", {children} about children" if children else ""))
    graph.node(USERS, label="\n".join(printed_label(line, 34) for line in users), shape="box", style="filled,rounded",
               fillcolor="#eaf2fb")

    # The places, each naming the company that runs it (the companies that hold the data). Not as boxes around the
    # places: dot draws edges across a box's title, and a title crossed by an arrow cannot be read.
    names = {e: f"p{i}" for i, e in enumerate(places)}
    for e in places:
        element = elements[e]
        shape, style = SHAPES[element.kind]
        shape = "ellipse" if shape == "circle" else shape  # a circle round a long label fills the page
        where = f" ({element.location})" if element.location else ""
        o = organisations.get(element.operator or "")
        company = f"run by {o.name} (headquarters: {o.headquarters})" if o else "run by no company"
        graph.node(names[e], label=printed_label(element.name + where, 26) + "\n" + printed_label(company, 30), shape=shape,
                   style=",".join(filter(None, ["filled", style])))

    # Each route: from the users along its places to the holder, each step drawn once.
    drawn: set[tuple[str, str]] = set()
    for j in a.judgements:
        steps = [USERS] + [names[e] for e in j.route.elements if e in names]
        if steps[-1] != names[j.route.holder]:
            steps.append(names[j.route.holder])
        for pair in zip(steps, steps[1:], strict=False):
            if pair not in drawn and pair[0] != pair[1]:
                drawn.add(pair)
                graph.edge(*pair)

    # The legal orders at the bottom, each coloured by its likelihood, reached from its route's holder.
    with graph.subgraph(name="legal_orders") as orders:
        orders.attr(rank="sink")
        for j in a.judgements:
            text = [f"{j.name} ({j.jurisdiction})", f"{j.likelihood_words} ({j.band})", f"{j.confidence} confidence"]
            orders.node(f"j{j.jurisdiction}", label="\n".join(printed_label(line, 26) for line in text), shape="box",
                        style="filled", fillcolor=LIKELIHOOD_FILL[yardstick_index(j.likelihood)], color=COMPULSION,
                        penwidth="1.5")
    for j in a.judgements:
        lead = j.reach.provisions[0].label if j.reach.provisions else ""
        # Each line indented, so that the widest does not run into the edge the label stands beside.
        words = "\n".join(f"  {line}" for line in printed_label(f"can be compelled: {lead}", 30).split("\n"))
        graph.edge(names[j.route.holder], f"j{j.jurisdiction}", label=words,
                   style="dashed", color=COMPULSION, fontcolor="#7b241c", dir="back", arrowtail="normal")
    return graph


def _place_name(code: str, jurisdictions: dict) -> str:
    return jurisdictions[code].name if code in jurisdictions else code

