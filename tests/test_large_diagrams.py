"""A model too large for one readable picture: an overview plus one small diagram per trust boundary.

The model here is generated just above the threshold, with nested boundaries, one boundary too big for one
picture, elements outside any boundary, an unoccupied boundary and a hostile organisation name, so every
expectation below is exact.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import jsonschema
import pytest
from conftest import ROOT

from threatlib import pipeline
from threatlib.render import dot_layout, render_all
from threatlib.render.boundary_diagrams import PICTURE_LIMIT, boundary_pages
from threatlib.render.diagram import SINGLE_DIAGRAM_LIMIT, draw_diagrams, is_large, node_names
from threatlib.render.dot import run_dot
from threatlib.render.report import render_html
from threatlib.render.threatdragon import threatdragon_json

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
HOSTILE = '<b>Far</b> "]; evil [label="x\\l \a'
HOSTILE_SHOWN = '<b>Far</b> "]; evil [label="x\\l'  # the bell becomes a space, and the label ends there
SPECS = ROOT.parent / "shared" / "specs"

# Where each generated element sits: (id prefix, count, boundary, location, operator)
PLACES = [
    ("cloud-gb", 20, "cloud", "GB", "home-co"),
    ("cloud-ie", 15, "cloud", "IE", "sub-co"),
    ("cloud-us", 10, "cloud", "US", "us-co"),  # 45 in the cloud: more than one picture holds
    ("dc", 3, "dc", "GB", "home-co"),
    ("dc-cn", 3, "dc", "CN", "far-co"),
    ("vault", 4, "vault", "GB", "home-co"),
    ("hsm", 3, "hsm", "GB", "home-co"),
    ("backup", 2, "backup", "IE", "sub-co"),
    ("office", 4, "office", "GB", "home-co"),
    ("office-free", 3, "office", "GB", None),
    ("out-cn", 5, None, "CN", "far-co"),
    ("out-gb", 4, None, "GB", None),
    ("out-us", 4, None, "US", "us-co"),
]
FLOWS = [  # (source, sink) beside the chains along the cloud and the outside
    ("cloud-ie-14", "cloud-us-0"),  # between the cloud's two parts
    ("dc-0", "vault-0"), ("vault-0", "hsm-0"), ("hsm-1", "dc-1"), ("hsm-2", "vault-1"),
    ("vault-2", "vault-3"), ("vault-3", "backup-0"), ("backup-1", "vault-2"),  # between two children of the data centre
    ("dc-2", "cloud-gb-0"), ("office-0", "dc-cn-0"), ("out-cn-0", "dc-cn-1"), ("dc-cn-2", "out-gb-0"),
    ("vault-1", "office-1"), ("office-free-0", "office-2"), ("out-us-0", "cloud-us-9"), ("cloud-gb-5", "out-cn-4"),
]


def large_model_text() -> str:
    orgs = [
        {"id": "home-co", "name": "Home Co", "incorporated_in": "GB", "headquarters": "GB"},
        {"id": "far-co", "name": HOSTILE, "incorporated_in": "KY", "headquarters": "CN", "staff_access_from": ["CN"]},
        {"id": "sub-co", "name": "Sub Co", "incorporated_in": "IE", "headquarters": "IE", "parent": "far-co",
         "control": "wholly owned subsidiary"},
        {"id": "us-co", "name": "US Co", "incorporated_in": "US", "headquarters": "US"},
    ]
    for org in orgs:
        org["claims"] = [{"statement": "Generated.", "status": "confirmed", "sources": ["gen"]}]
    boundaries = [
        {"id": "cloud", "name": "Cloud"}, {"id": "dc", "name": "Data centre"}, {"id": "vault", "name": "Vault", "parent": "dc"},
        {"id": "hsm", "name": "HSM", "parent": "vault"}, {"id": "backup", "name": "Backup", "parent": "dc"},
        {"id": "office", "name": "Office"}, {"id": "unused", "name": "Unused"},
    ]
    elements = []
    for prefix, count, boundary, location, operator in PLACES:
        for i in range(count):
            e = {"id": f"{prefix}-{i}", "name": f"{prefix} {i}", "kind": ["process", "datastore", "server"][i % 3], "location": location}
            e |= {"boundary": boundary} if boundary else {}
            e |= {"operator": operator} if operator else {}
            e |= {"stores": ["profile"]} if e["kind"] == "datastore" else {}
            elements.append(e)
    pairs = list(FLOWS)
    cloud = [e["id"] for e in elements if e.get("boundary") == "cloud"]
    outside = [e["id"] for e in elements if "boundary" not in e]
    pairs += [(a, b) for chain in (cloud[:35], cloud[35:], outside) for a, b in zip(chain, chain[1:], strict=False)]
    flows = [{"id": f"flow-{i}", "name": f"Flow {i}", "source": a, "sink": b, "data": ["profile"]} for i, (a, b) in enumerate(pairs)]
    model = {
        "metadata": {"id": "large", "name": "Large estate", "description": "Generated for the tests.", "scope": "All.",
                     "as_of": "2026-11-01", "data_subjects_in": ["GB", "IE"]},
        "sources": [{"id": "gen", "title": "Generated", "publisher": "threatlib tests", "date": "2026", "kind": "primary"}],
        "organisations": orgs,
        "data": [{"id": "profile", "name": "Profile", "classification": "restricted", "personal": True}],
        "boundaries": boundaries,
        "elements": elements,
        "flows": flows,
    }
    return json.dumps(model, indent=1)  # JSON is YAML


@pytest.fixture(scope="module")
def analysis(library, tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "large.yaml"
    path.write_text(large_model_text(), encoding="utf-8")
    return pipeline.analyse_file(path, library)[1]


@pytest.fixture(scope="module")
def files(analysis) -> dict[str, bytes]:
    return render_all(analysis, pdf=False)


def nodes(svg: bytes) -> dict[str, ET.Element]:
    """Each node of a Graphviz SVG by its DOT name."""
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def text(node: ET.Element) -> str:
    return " ".join(t.text or "" for t in node.iter(f"{SVG}text"))


def link(node: ET.Element) -> str | None:
    a = node.find(f"{SVG}g/{SVG}a")
    return a.get(f"{XLINK}href") if a is not None else None


def ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(count)]


def test_the_model_is_just_above_the_threshold_and_the_shipped_ones_below(analysis, library) -> None:
    assert SINGLE_DIAGRAM_LIMIT < len(analysis.elements) + len(analysis.flows) <= SINGLE_DIAGRAM_LIMIT + 20
    assert is_large(analysis)
    keep = SINGLE_DIAGRAM_LIMIT - len(analysis.elements)
    assert not is_large(analysis.model_copy(update={"flows": analysis.flows[:keep]}))
    assert is_large(analysis.model_copy(update={"flows": analysis.flows[:keep + 1]}))
    for path in sorted((ROOT / "models").glob("*.yaml")):
        model = pipeline.load(path, library)
        assert len(model.elements) + len(model.flows) <= SINGLE_DIAGRAM_LIMIT, path.name


def test_one_diagram_per_occupied_boundary_the_big_one_in_parts_and_one_for_the_outside(files) -> None:
    drawn = {name for name in files if name.startswith("dfd")}
    assert drawn == {
        "dfd.dot", "dfd.svg", "dfd.png",
        "dfd-boundary-cloud_part-1.svg", "dfd-boundary-cloud_part-2.svg", "dfd-boundary-dc.svg", "dfd-boundary-vault.svg",
        "dfd-boundary-hsm.svg", "dfd-boundary-backup.svg", "dfd-boundary-office.svg", "dfd-outside-boundaries.svg",
    }  # no picture for the boundary nothing sits in, and no PNG for the boundary pictures
    assert all(name == Path(name).name for name in files)


def test_a_boundary_diagram_holds_its_elements_its_children_collapsed_and_one_stub_per_place(analysis, files) -> None:
    names = node_names(analysis)
    drawn = nodes(files["dfd-boundary-dc.svg"])
    elements = {name for name in drawn if re.fullmatch(r"e\d+", name)}
    assert elements == {names[e] for e in ids("dc", 3) + ids("dc-cn", 3)}
    # The two boundaries inside, each one node with its count, linked to its own diagram.
    children = {link(node): text(node) for node in drawn.values() if link(node) in {"dfd-boundary-vault.svg", "dfd-boundary-backup.svg"}}
    assert children == {"dfd-boundary-vault.svg": "Vault 7 elements, 1 boundary inside",
                        "dfd-boundary-backup.svg": "Backup 2 elements inside"}
    # One stub per place outside that the data centre's own elements exchange data with, linked to where it is drawn
    # (outside any boundary, one per organisation there); the vault's flow to the office is the vault's, not drawn here.
    by_text = sorted((text(node), link(node)) for name, node in drawn.items() if name.startswith("p"))
    assert by_text == sorted([
        ("Cloud (part 1 of 2)", "dfd-boundary-cloud_part-1.svg"),
        ("Office", "dfd-boundary-office.svg"),
        (f"{HOSTILE_SHOWN} Outside any boundary", "dfd-outside-boundaries.svg"),
        ("Not operated by an organisation Outside any boundary", "dfd-outside-boundaries.svg"),
    ])
    others = set(drawn) - elements - {name for name, node in drawn.items() if name.startswith(("p", "b"))}
    assert others == {"legend"} | {name for name in drawn if re.fullmatch(r"j\d+", name)}
    assert {text(drawn[name]).split(" state authorities")[0] for name in others - {"legend"}} == {"CN"}  # far-co, based in CN


def test_flows_into_a_child_are_summed_and_flows_between_children_drawn_once(analysis, files) -> None:
    names = node_names(analysis)
    root = ET.fromstring(files["dfd-boundary-dc.svg"])
    edges = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    numbers = {b.id: i for i, b in enumerate(analysis.boundaries)}
    vault, backup = f"b{numbers['vault']}", f"b{numbers['backup']}"
    assert f"{names['dc-0']}->{vault}" in edges and f"{vault}->{names['dc-1']}" in edges  # hsm-1 -> dc-1 comes from the vault
    between = {f"{vault}->{backup}", f"{backup}->{vault}"}  # vault-3 -> backup-0 and backup-1 -> vault-2
    assert sorted(e for e in edges if e in between) == sorted(between)
    assert len(edges) == len(set(edges))  # summed: one edge per pair of nodes
    assert f"{vault}->{vault}" not in edges  # hsm-2 -> vault-1 stays inside the vault


def test_the_big_boundary_is_split_by_legal_order_and_operator(analysis) -> None:
    pages = {p.file: p for p in boundary_pages(analysis)}
    assert pages["dfd-boundary-cloud_part-1.svg"].elements == tuple(ids("cloud-gb", 20) + ids("cloud-ie", 15))
    assert pages["dfd-boundary-cloud_part-2.svg"].elements == tuple(ids("cloud-us", 10))
    assert all(len(p.elements) <= PICTURE_LIMIT for p in pages.values())
    everything = [e for p in pages.values() for e in p.elements]
    assert sorted(everything) == sorted(e.id for e in analysis.elements)  # each element drawn on exactly one page


def test_the_overview_has_every_organisation_once_and_no_element(analysis, files) -> None:
    drawn = nodes(files["dfd.svg"])
    organisations = {name: text(node) for name, node in drawn.items() if re.fullmatch(r"o\d+", name)}
    assert len(organisations) == len(analysis.organisations)
    for i, o in enumerate(analysis.organisations):
        assert organisations[f"o{i}"].startswith(o.name.replace("\a", "").strip()), o.id
    assert not any(re.fullmatch(r"e\d+", name) for name in drawn)
    unoperated = sorted(text(node) for name, node in drawn.items() if re.fullmatch(r"u\d+", name))
    assert unoperated == ["Not operated by an organisation 7 elements: GB 7 3 flows within"]
    assert "Home Co 34 elements: GB 34 26 flows within" in organisations["o0"]  # 20 + 3 + 4 + 3 + 4; 19 along the cloud + 7


def test_the_overview_sums_flows_by_organisation_pair_and_compulsion_per_organisation(analysis, files) -> None:
    root = ET.fromstring(files["dfd.svg"])
    edges = {g.find(f"{SVG}title").text: text(g) for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}
    flows = {k: v for k, v in edges.items() if re.fullmatch(r"[ou]\d+->[ou]\d+", k)}
    pairs = {}
    owner = {e.id: e.operator for e in analysis.elements}
    for f in analysis.flows:
        if owner[f.source] != owner[f.sink]:
            pairs[(owner[f.source], owner[f.sink])] = pairs.get((owner[f.source], owner[f.sink]), 0) + 1
    assert len(flows) == len(pairs)
    number = {o.id: f"o{i}" for i, o in enumerate(analysis.organisations)}
    home, far, sub = number["home-co"], number["far-co"], number["sub-co"]
    assert flows[f"{home}->{far}"] == f"{pairs[('home-co', 'far-co')]} flows Profile"
    # Compulsion: one edge per (foreign legal order, organisation), labelled with the laws; the PRC reaches far-co by
    # its headquarters and sub-co by control.
    compulsion = {k: v for k, v in edges.items() if re.fullmatch(r"[ou]\d+->s\d+", k)}
    assert set(compulsion) == {f"{far}->s0", f"{sub}->s0"}
    assert all(label.startswith("National Intelligence Law 2017") for label in compulsion.values())
    assert text(nodes(files["dfd.svg"])["s0"]).startswith("CN state authorities")


def test_hostile_names_stay_inert_in_the_overview_and_the_pictures(files) -> None:
    for name in ("dfd.svg", "dfd-boundary-dc.svg", "dfd-outside-boundaries.svg"):
        root = ET.fromstring(files[name])  # dot ran on the source and wrote well-formed SVG
        drawn = nodes(files[name])
        assert "evil" not in drawn and not any(e.tag.endswith("script") for e in root.iter())
        assert HOSTILE_SHOWN in text(root), name
        assert "\a" not in files[name].decode()
    overview = nodes(files["dfd.svg"])
    assert f"parent: {HOSTILE_SHOWN}" in text(overview["o2"])  # a second line of a label, escaped as the first


def test_the_diagrams_are_the_same_bytes_every_time(analysis, files) -> None:
    again = draw_diagrams(analysis).files
    assert again == {name: content for name, content in files.items() if name.startswith("dfd")}
    assert list(again) == [name for name in files if name.startswith("dfd")]  # the same order too


def test_the_report_names_and_links_the_boundary_diagrams(analysis, files) -> None:
    html = files["report.html"].decode()
    pages = boundary_pages(analysis)
    assert f"plus {len(pages)} boundary diagrams, one per trust boundary (the largest in parts) and for the elements outside" in html
    for page in pages:
        assert f'<a href="{page.file}">{page.title}</a>' in html
    printed = render_html(analysis, files["dfd.png"], "image/png", link_files=False)
    assert 'href="dfd-' not in printed  # a PDF would resolve it against the template folder
    assert all(page.file in printed for page in pages)


def test_threat_dragon_places_a_large_model_on_a_grid_without_dot(analysis, monkeypatch) -> None:
    def refuse(*_):
        raise AssertionError("a large model must not be laid out whole by dot")

    monkeypatch.setattr(dot_layout, "build_diagram", refuse)
    dragon = json.loads(threatdragon_json(analysis))
    if SPECS.is_dir():
        jsonschema.validate(dragon, json.loads((SPECS / "threat-dragon-v2.schema.json").read_text(encoding="utf-8")))
    cells = {c["id"]: c for c in dragon["detail"]["diagrams"][0]["cells"]}
    boxes = {k for k, c in cells.items() if c["shape"] == "trust-boundary-box"}
    assert boxes == {"box.cloud", "box.dc", "box.vault", "box.hsm", "box.backup", "box.office", "box._authorities"}

    def rect(cell: dict) -> tuple[int, int, int, int]:
        return cell["position"]["x"], cell["position"]["y"], cell["size"]["width"], cell["size"]["height"]

    def inside(inner: dict, outer: dict) -> bool:
        x, y, w, h = rect(inner)
        ox, oy, ow, oh = rect(outer)
        return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh

    placed = [rect(cells[f"element.{e.id}"]) for e in analysis.elements]
    for e in analysis.elements:
        cell = cells[f"element.{e.id}"]
        for b in analysis.boundaries:
            if f"box.{b.id}" in cells:
                ancestors, up = set(), e.boundary
                while up:
                    ancestors.add(up)
                    up = next(x.parent for x in analysis.boundaries if x.id == up)
                assert inside(cell, cells[f"box.{b.id}"]) == (b.id in ancestors), (e.id, b.id)
    assert len(set(placed)) == len(placed)
    assert all(not _overlap(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert {c["target"]["cell"] for c in cells.values() if c["id"].startswith("compulsion.")} <= set(cells)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_dot_runs_once_per_picture_and_keeps_the_order(monkeypatch, tmp_path) -> None:
    from threatlib.library.cache import CACHE_DIR_VARIABLE

    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "cache"))  # none of its pictures kept: dot draws them
    small, big = "digraph { a -> b }", "digraph { " + " ".join(f"n{i} -> n{i + 1};" for i in range(300)) + " }"
    drawn = run_dot([(big, ("svg", "json")), (small, ("svg",)), (small, ("png", "svg"))])
    assert [sorted(d) for d in drawn] == [["json", "svg"], ["svg"], ["png", "svg"]]
    assert drawn[1]["svg"] == drawn[2]["svg"] == graphviz.Source(small).pipe(format="svg")
    assert len(json.loads(drawn[0]["json"])["objects"]) == 301
    with pytest.raises(graphviz.CalledProcessError):
        run_dot([(small, ("svg",)), ("digraph { a -> }", ("svg",))])


def test_every_element_is_drawn_inside_its_boundary_frame(analysis, files) -> None:
    names = node_names(analysis)
    for page in boundary_pages(analysis):
        root = ET.fromstring(files[page.file])
        frame = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster" and g.find(f"{SVG}title").text == "cluster_boundary")
        xs, ys = zip(*(map(float, p.split(",")) for p in frame.find(f"{SVG}polygon").get("points").split()), strict=True)
        drawn = nodes(files[page.file])
        for element in page.elements:
            for t in drawn[names[element]].iter(f"{SVG}text"):
                x, y = float(t.get("x")), float(t.get("y"))
                assert min(xs) < x < max(xs) and min(ys) < y < max(ys), (page.file, element)
