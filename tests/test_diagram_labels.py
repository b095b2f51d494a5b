"""No label printed over another, and no edge drawn through a title, in any diagram of a shipped model.

Measured on Graphviz's own layout (`dot -Tjson`), by render.label_check: each line of text as its box from
baseline, alignment, width and font size; each edge as the Bézier curves it is drawn along. The diagrams are the
full data-flow diagram (dfd.svg), the brief's figure at a glance, and each page of the printed report's diagram.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import pytest
from conftest import ROOT

from threatlib.render.label_check import label_faults

SHIPPED = sorted((ROOT / "models").glob("*.yaml"))


def _diagrams(path) -> list[tuple[str, str, dict]]:
    """(model, picture, dot's JSON layout) for every diagram of one model."""
    from threatlib import pipeline
    from threatlib.library import load_library
    from threatlib.render.diagram import build_diagram, is_large
    from threatlib.render.dot import run_dot
    from threatlib.render.glance import build_glance
    from threatlib.render.print_diagrams import printed_figures

    analysis = pipeline.analyse_file(path, load_library())[1]
    assert not is_large(analysis)  # a shipped model is drawn in one picture, and its printed pages
    sources = [("dfd.svg", build_diagram(analysis).source), ("glance", build_glance(analysis).source)]
    sources += [(f"printed: {f.title}", f.source) for f in printed_figures(analysis)]
    drawn = run_dot([(source, ("json",)) for _, source in sources])
    return [(analysis.model.id, name, json.loads(d["json"])) for (name, _), d in zip(sources, drawn, strict=True)]


@pytest.fixture(scope="module")
def layouts() -> list[tuple[str, str, dict]]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return [d for done in pool.map(_diagrams, SHIPPED) for d in done]


@pytest.mark.slow
def test_every_shipped_model_has_its_diagrams_measured(layouts) -> None:
    pictures = {}
    for model, name, _ in layouts:
        pictures.setdefault(model, []).append(name)
    assert len(pictures) == len(SHIPPED)
    for names in pictures.values():
        assert names[:2] == ["dfd.svg", "glance"] and len(names) > 2


def _faults(layouts, pictures) -> list[tuple]:
    return [(model, name, *fault) for model, name, layout in layouts if pictures(name) for fault in label_faults(layout)]


@pytest.mark.slow
def test_the_brief_figure_has_no_label_over_another_and_no_edge_through_a_title(layouts) -> None:
    assert _faults(layouts, lambda name: name == "glance") == []


@pytest.mark.slow
def test_the_printed_pages_have_no_label_over_another_and_no_edge_through_a_title(layouts) -> None:
    assert _faults(layouts, lambda name: name.startswith("printed: ")) == []


@pytest.mark.slow
def test_the_full_diagram_has_no_label_over_another_and_no_edge_through_a_title(layouts) -> None:
    assert _faults(layouts, lambda name: name == "dfd.svg") == []


def test_the_measure_finds_an_edge_label_placed_on_a_node_label_and_an_edge_through_a_title() -> None:
    """The measure itself: a picture dot lays out cleanly, then the same layout with the edge's label moved onto a
    node's label and the edge moved through the picture's title."""
    import subprocess

    source = """digraph g { graph [fontsize=10 label="Picture title" labelloc=t];
      node [shape=box fontsize=10]; edge [fontsize=8];
      a [label="Alpha node"]; b [label="Beta node"];
      a -> b [label="Alpha node"]; }"""
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True,
                                       check=True).stdout)
    assert label_faults(layout) == []
    # Move the edge's label onto node a's label, and a point of the edge into the picture's title.
    [edge] = layout["edges"]
    node_a = next(o for o in layout["objects"] if o["name"] == "a")
    [text] = [op for op in node_a["_ldraw_"] if op["op"] == "T"]
    for op in edge["_ldraw_"]:
        if op["op"] == "T":
            op["pt"] = list(text["pt"])
    [title] = [op for op in layout["_ldraw_"] if op["op"] == "T"]
    bezier = next(op for op in edge["_draw_"] if op["op"] in ("b", "B"))
    bezier["points"] = [[title["pt"][0], title["pt"][1] + 2]] * 4
    assert label_faults(layout) == [
        ("labels overlap", "node a: Alpha node", "edge a->b #0: Alpha node"),
        ("edge through title", "title graph: Picture title", "edge a->b #0"),
    ]
    # The edge through its own head's name instead: the name is crossed, whoever's the edge is.
    node_b = next(o for o in layout["objects"] if o["name"] == "b")
    [name] = [op for op in node_b["_ldraw_"] if op["op"] == "T"]
    bezier["points"] = [[name["pt"][0], name["pt"][1] + 2]] * 4
    assert label_faults(layout)[1:] == [("edge through label", "node b: Beta node", "edge a->b #0")]


def test_a_title_drawn_as_a_node_of_its_own_is_measured_as_a_title() -> None:
    """dfd.svg and the printed pages draw each box's title as a text node inside it: an edge through one is an
    edge through a title, and an edge through a flow's words node is an edge through a label."""
    import subprocess

    source = """digraph g { node [shape=box fontsize=10];
      subgraph cluster_0 { label=""; cluster_0_title [shape=plaintext label="Operated by Someone"]; a [label="A"]; }
      flow0 [shape=plaintext label="Some flow"]; c [label="C"];
      a -> flow0 -> c; }"""
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True,
                                       check=True).stdout)
    assert label_faults(layout) == []
    [edge] = [e for e in layout["edges"] if e["_gvid"] == 1]  # flow0 -> c
    bezier = next(op for op in edge["_draw_"] if op["op"] in ("b", "B"))
    for name in ("cluster_0_title", "flow0"):
        node = next(o for o in layout["objects"] if o["name"] == name)
        [text] = [op for op in node["_ldraw_"] if op["op"] == "T"]
        bezier["points"] = [[text["pt"][0], text["pt"][1] + 2]] * 4
        assert label_faults(layout) == {
            "cluster_0_title": [("edge through title", "title cluster_0_title: Operated by Someone", "edge flow0->c #1")],
            "flow0": [("edge through label", "node flow0: Some flow", "edge flow0->c #1")],
        }[name]


# Names a model may hold that are hard to lay out: each about 60 characters, each in CJK script (twice as wide a
# character), and many flows both ways between the same two elements.
LONG_WORDS = "data processing and retention service operated under contract for the whole group".split()
CJK = "数据中心用户手机应用程序服务器境外访问同步上传日志位置信息"


def _long_name(number: int, original: str) -> str:
    words = [original] + [LONG_WORDS[(number + i) % len(LONG_WORDS)] for i in range(len(LONG_WORDS))]
    return " ".join(words)[:60].rstrip()


def _cjk_name(number: int, original: str) -> str:
    return "".join(CJK[(number * 3 + i) % len(CJK)] for i in range(8 + number % 9))


def _hostile(model: dict, how: str) -> dict:
    for number, item in enumerate(x for key in ("organisations", "boundaries", "elements", "flows") for x in model[key]):
        if how == "long":
            item["name"] = _long_name(number, item["name"])
        elif how == "cjk":
            item["name"] = _cjk_name(number, item["name"])
    if how == "many flows":
        first = model["flows"][0]
        model["flows"] += [dict(first, id=f"again-{i}", name=f"{first['name']} again ({i})",
                                **({"source": first["sink"], "sink": first["source"]} if i % 2 else {}))
                           for i in range(8)]
    return model


def _hostile_faults(args) -> list[tuple]:
    import yaml

    path, how, folder = args
    model = _hostile(yaml.safe_load(path.read_text(encoding="utf-8")), how)
    written = folder / f"{path.stem}-{how.replace(' ', '-')}.yaml"
    written.write_text(yaml.safe_dump(model, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [(path.stem, how, name, *fault) for _, name, layout in _diagrams(written) for fault in label_faults(layout)]


@pytest.mark.slow
def test_long_cjk_and_many_parallel_names_leave_every_label_clear(tmp_path) -> None:
    from conftest import TESTS

    cases = [(path, how, tmp_path) for path in (TESTS / "models" / "small.yaml", ROOT / "models" / "zoom-2020.yaml")
             for how in ("long", "cjk", "many flows")]
    with ProcessPoolExecutor(max_workers=2) as pool:
        faults = [fault for found in pool.map(_hostile_faults, cases) for fault in found]
    assert faults == []
