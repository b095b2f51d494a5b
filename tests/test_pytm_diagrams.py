"""Diagrams of pytm models: pytm's kinds drawn apart, old `<br/>` labels broken as meant, a key to what is drawn."""

from __future__ import annotations

import json
import re

from conftest import TESTS

from threatlib import pipeline
from threatlib.render.diagram import build_diagram, node_names
from threatlib.render.threatdragon import threatdragon_json

SCRIPTS = TESTS / "pytm_models"


def drawn(script, library):
    analysis = pipeline.analyse_file(script, library)[1]
    return analysis, build_diagram(analysis)


def shape_of(graph, analysis, element_id: str) -> str:
    name = node_names(analysis)[element_id]
    line = next(line for line in graph.source.splitlines() if line.strip().startswith(f"{name} "))
    return re.search(r"shape=(\w+)", line).group(1)


def legend_rows(graph) -> list[str]:
    table = next(line for line in graph.source.splitlines() if line.strip().startswith("legend "))
    return re.findall(r'<TD ALIGN="LEFT">([^<]+)</TD>', table)


def test_llm_agent_set_of_processes_and_lambda_each_have_their_shape(library) -> None:
    analysis, graph = drawn(SCRIPTS / "star_import.py", library)
    assert {e.id: shape_of(graph, analysis, e.id) for e in analysis.elements} == {
        "user": "box", "planner-agent": "septagon", "language-model": "hexagon", "tool-workers": "doublecircle"}
    analysis, graph = drawn(SCRIPTS / "webapp.py", library)
    assert (shape_of(graph, analysis, "thumbnail-lambda"), shape_of(graph, analysis, "order-worker")) == ("component", "circle")


def test_a_model_without_a_legal_layer_has_no_compulsion_in_its_title_or_legend(library) -> None:
    analysis, graph = drawn(SCRIPTS / "star_import.py", library)
    assert f'label="Assistant: data flows (as of {analysis.model.as_of})"' in graph.source
    assert legend_rows(graph) == ["set of processes (double circle)", "language model (hexagon)",
                                  "agent (seven-sided)", "person or external party", "data flow"]


def test_a_model_with_compulsion_keeps_its_legend_rows(small_model_path, library) -> None:
    analysis, graph = drawn(small_model_path, library)
    assert ": data flows and legal compulsion (as of" in graph.source
    assert legend_rows(graph) == ["process", "data store (cylinder)", "server or device (3-D box)", "person or external party",
                                  "state authority (red octagon)", "data flow", "remote access (dashed blue)",
                                  "compellable by XX: the operator, by that legal order's authorities, under the laws in their box"]


def test_br_in_an_old_label_is_a_line_break_and_never_markup(tmp_path, library) -> None:
    script = tmp_path / "old_labels.py"
    script.write_text('from pytm import TM, Actor, Dataflow, Server\ntm = TM("Old", description="d")\n'
                      'user = Actor("Web<br/>User")\nweb = Server("Front <BR> end <b>server</b>")\n'
                      'Dataflow(user, web, "Log<br />in")\n')
    analysis, graph = drawn(script, library)
    svg = graph.pipe(format="svg").decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert ["Web", "User"] == [t for t in texts if t in {"Web", "User"}]
    assert ["Log", "in"] == [t for t in texts if t in {"Log", "in"}]
    assert "Front" in texts and "end &lt;b&gt;server&lt;/b&gt;" in texts  # other tags stay text
    assert "&lt;br" not in svg.lower()
    assert [e.name for e in analysis.elements] == ["Web<br/>User", "Front <BR> end <b>server</b>"]  # pytm's names kept
    cells = {c["id"]: c for c in json.loads(threatdragon_json(analysis))["detail"]["diagrams"][0]["cells"]}
    assert cells["element.web-br-user"]["attrs"]["text"]["text"] == "Web\nUser"
    assert cells["element.web-br-user"]["data"]["name"] == "Web<br/>User"
