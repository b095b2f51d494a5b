"""Model text is untrusted: HTML, DOT syntax, template syntax, formulas and control characters stay inert."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from conftest import TESTS

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
    assert "'=HYPERLINK(\"http://evil.example\",\"click\") \x07 bell" in names
    assert "'-2+3 \t\r\n line" in names
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())


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
