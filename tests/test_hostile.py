"""Model text is untrusted: HTML, DOT syntax, template syntax, formulas and control characters stay inert."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from conftest import TESTS
from estates import estate_text

from threatlib import pipeline
from threatlib.render import render_all

HOSTILE = TESTS / "models" / "hostile.yaml"


@pytest.fixture(scope="module")
def outputs(library):
    _, analysis = pipeline.analyse_file(HOSTILE, library)
    return render_all(analysis, pdf=False)


def test_dot_draws_hostile_names_as_text(outputs) -> None:
    root = ET.fromstring(outputs["dfd.svg"])  # dot ran on the source and produced well-formed SVG
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert 'Store "]; evil [label="x\\\\l' in texts
    assert "<b>App</b> & {{ 7*7 }}" in texts
    assert "\x07" not in texts and "\t" not in texts
    # A 300-character name with no spaces is wrapped and cut, never one line wider than the picture.
    assert max(len(t) for t in texts.split(" ")) < 40 and "WWWWWWWWWWWWWWWWWWWWW…" in texts
    assert not any(e.tag.endswith("script") for e in root.iter())


def test_html_escapes_markup_and_ignores_template_syntax(outputs) -> None:
    html = outputs["report.html"].decode("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Friends&#34;" in html
    assert "&lt;b&gt;App&lt;/b&gt; &amp; {{ 7*7 }}" in html  # rendered once, as text: never evaluated to 49
    assert "<b>App</b>" not in html
    # Markdown is not interpreted anywhere: it stays the literal text the model wrote.
    assert "[click me](javascript:alert(1)) **bold** ![pixel](http://evil.example/p.png) &lt;!-- c --&gt; | a | b |" in html
    assert "javascript:alert" not in html.replace("[click me](javascript:alert(1))", "")
    assert "evil.example/p.png" not in html.replace("![pixel](http://evil.example/p.png)", "")


def test_csv_cells_cannot_run_as_formulas(outputs) -> None:
    rows = list(csv.DictReader(io.StringIO(outputs["threats.csv"].decode("utf-8-sig"))))
    names = {r["element_name"] for r in rows}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\") \\x07 bell" in names  # the bell shown, not rung
    assert "'-2+3 \t\r\n line" in names
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())


def test_csv_shows_control_and_bidirectional_characters_escaped(library, small_model_path, tmp_path) -> None:
    # U+202E would display the rest of the cell reversed ("evil\u202etxt.exe" reads as "evilexe.txt").
    text = small_model_path.read_text(encoding="utf-8")
    path = tmp_path / "bidi.yaml"
    path.write_text(text.replace("    name: The app\n", '    name: "evil\\u202etxt.exe \\e[2J \\x85 \\u2066x"\n'), encoding="utf-8")
    _, analysis = pipeline.analyse_file(path, library)
    from threatlib.render.tables import threats_csv

    rows = list(csv.DictReader(io.StringIO(threats_csv(analysis).decode("utf-8-sig"))))
    assert {r["element_name"] for r in rows if r["element_id"] == "app"} == {"evil\\u202etxt.exe \\x1b[2J \\x85 \\u2066x"}
    assert not any(c in v for r in rows for v in r.values() for c in "\u202e\x1b\x85\u2066")


@pytest.mark.slow
def test_json_sarif_and_pdf_carry_hostile_text_as_inert_text(library) -> None:
    import json

    from pypdf import PdfReader

    _, analysis = pipeline.analyse_file(HOSTILE, library)
    files = render_all(analysis)
    assert json.loads(files["threats.json"])["model"]["name"] == '<script>alert(1)</script> & "Friends"'
    sarif = json.loads(files["findings.sarif"])
    assert sarif["version"] == "2.1.0"
    # pypdf decodes this file's two-byte glyph codes with a NUL before each character; the text is intact.
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["report.pdf"])).pages).replace("\x00", "")
    assert '<script>alert(1)</script> & "Friends"' in " ".join(pdf_text.split())  # printed as text, never run


# A name that dot would read as an HTML-like label, with a link cell in it: it must stay text everywhere.
LIVE_LINK = '<<TABLE><TR><TD HREF="javascript:alert(1)"> x </TD></TR></TABLE>>'
SCRIPT = "<script>alert(1)</script>"
NS = "{http://www.w3.org/2000/svg}"


def inert_svg_problems(svg: bytes) -> list[str]:
    """What in an SVG could run or lead elsewhere: scripts, foreign HTML, event attributes, and any link but one to a
    sibling diagram (boundary diagrams link to each other by file name)."""
    import re

    found = []
    for node in ET.fromstring(svg).iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag in {"script", "foreignObject", "iframe", "use", "image"}:
            found.append(f"<{tag}>")
        for name, value in node.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                found.append(f"{local}=")
            if local in {"href", "src"} and not re.fullmatch(r"dfd(-boundary-[a-z0-9-]+(-[0-9]+)?)?\.svg", value):
                found.append(f"{local}={value[:30]}")
    return found


def svg_text(svg: bytes) -> str:
    return " ".join(t.text or "" for t in ET.fromstring(svg).iter(NS + "text"))


@pytest.mark.parametrize("line", ["    name: The app", "    name: App sandbox", "    name: Uses the app", "    name: Parent Co"])
@pytest.mark.parametrize("name", [LIVE_LINK, SCRIPT, "<b>x</b>"])
def test_a_name_written_as_markup_is_drawn_as_text(library, small_model_path, tmp_path, line, name) -> None:

    text = small_model_path.read_text(encoding="utf-8")
    assert text.count(line + "\n") == 1
    path = tmp_path / "model.yaml"
    path.write_text(text.replace(line + "\n", f"{line.split(':')[0]}: '{name}'\n"), encoding="utf-8")
    _, analysis = pipeline.analyse_file(path, library)
    files = render_all(analysis, pdf=False)  # dot accepts the program: the name never became an HTML-like label
    assert inert_svg_problems(files["dfd.svg"]) == []
    shown = svg_text(files["dfd.svg"]).replace(" ", "")
    assert name.replace(" ", "")[:12] in shown  # the characters themselves are drawn


def test_a_large_model_draws_markup_names_as_text(library, tmp_path) -> None:
    import re

    from threatlib.render.diagram import draw_diagrams, is_large

    text = estate_text(160)
    for plain_name in ("Zone 0", "Zone 1", "Organisation 0", "Asset 3", "Flow 4"):
        text, count = re.subn(f"name: {plain_name}(?=[,}}])", f"name: '{LIVE_LINK}'", text)
        assert count == 1
    path = tmp_path / "large.yaml"
    path.write_text(text, encoding="utf-8")
    _, analysis = pipeline.analyse_file(path, library)
    assert is_large(analysis)
    files = draw_diagrams(analysis).files
    pictures = sorted(name for name in files if name.endswith(".svg"))
    assert len(pictures) > 2
    assert {name: inert_svg_problems(files[name]) for name in pictures} == {name: [] for name in pictures}
    assert sum("javascript:alert(1)" in svg_text(files[name]) for name in pictures) >= 2  # drawn as text


def test_drawing_makes_no_temporary_folder(monkeypatch, tmp_path) -> None:
    """A run killed while dot draws must leave nothing behind: dot writes into pipes, never into a temporary folder."""
    import tempfile

    from threatlib.library.cache import CACHE_DIR_VARIABLE
    from threatlib.render.dot import run_dot

    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "cache"))  # none of its pictures kept: dot draws them

    def refuse(*args, **kwargs):
        raise AssertionError("a temporary folder was made")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    [drawn] = run_dot([("digraph { a -> b }", ("svg", "png", "json"))])
    assert drawn["svg"].startswith(b"<?xml") and drawn["png"].startswith(b"\x89PNG") and b'"objects"' in drawn["json"]


def test_html_shows_control_and_bidirectional_characters_escaped(library, small_model_path, tmp_path) -> None:
    text = small_model_path.read_text(encoding="utf-8")
    path = tmp_path / "bidi.yaml"
    path.write_text(text.replace("    name: The app\n", '    name: "evil\\u202etxt.exe \\e[2J"\n'), encoding="utf-8")
    _, analysis = pipeline.analyse_file(path, library)
    from threatlib.render.report import render_html

    html = render_html(analysis, b"<svg/>", "image/svg+xml")
    assert "evil\\u202etxt.exe \\x1b[2J" in html
    assert "\u202e" not in html and "\x1b" not in html
