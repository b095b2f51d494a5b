"""The interactive report's parts without a browser: the inline SVG, the data block and the CSP's hashes."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET

from threatlib import pipeline
from threatlib.render.diagram import draw_diagrams
from threatlib.render.interactive import SVG_NS, XLINK_NS, json_for_html
from threatlib.render.report import render_html


def _page(small_model_path, library) -> str:
    _, analysis = pipeline.analyse_file(small_model_path, library)
    return render_html(analysis, draw_diagrams(analysis).files["dfd.svg"], "image/svg+xml", interactive=True)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def test_the_inline_svg_is_plain_svg_whatever_prefixes_are_registered(small_model_path, library) -> None:
    """WeasyPrint and fontTools register ElementTree prefixes; an svg: or ns0: prefix would not be SVG in HTML."""
    saved = dict(ET._namespace_map)
    try:
        ET.register_namespace("svg", SVG_NS)
        ET.register_namespace("xl", XLINK_NS)
        page = _page(small_model_path, library)
    finally:
        ET._namespace_map.clear()
        ET._namespace_map.update(saved)
    assert page == _page(small_model_path, library)  # same bytes, registry or not
    assert re.search(r'<svg [^>]*id="ix-diagram"', page)
    assert not re.search(r"</?(svg|ns\d+|xl):", page)


def test_the_csp_allows_exactly_the_pages_own_script_and_styles(small_model_path, library) -> None:
    page = _page(small_model_path, library)
    [csp] = [html.unescape(c) for c in re.findall(r"<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">", page)]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 2
    assert csp == ("default-src 'none'; script-src " + _sha256(scripts[0]) + "; style-src "
                   + " ".join(_sha256(s) for s in reversed(styles)) + "; img-src data:; base-uri 'none'; form-action 'none'")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_json_for_html_cannot_end_its_block() -> None:
    value = {"name": "</script><script>alert(1)</script><!-- & \u2028 \u2029"}
    text = json_for_html(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


def test_the_pages_facts_show_every_hidden_character_whether_or_not_the_walk_is_spared() -> None:
    """The facts' texts are shown as the page's own (report._visible); a look at their JSON decides whether any
    could change. Every character that shown() escapes, and its neighbours, in every position, in keys and values."""
    import random

    from threatlib.errors import shown
    from threatlib.render.interactive import _visible

    def walked(value):
        if isinstance(value, str):
            return shown(value, keep_layout=True)
        if isinstance(value, list):
            return [walked(v) for v in value]
        return {k: walked(v) for k, v in value.items()} if isinstance(value, dict) else value

    odd = [*map(chr, range(0xa1)), "\u061c", "\u200d", "\u200e", "\u200f", *map(chr, range(0x2027, 0x2030)),
           *map(chr, range(0x2065, 0x206b)), "\ufeff", "☺", '"', "\\", "b", "u"]
    rng = random.Random(19)
    texts = odd + ["".join(rng.choice(odd) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    for text in texts:
        facts = {"elements": {"e": {"name": text, "stores": ["plain", text], "n": 3}}, text: None}
        assert _visible(facts) == walked(facts)
    plain = {"elements": {"e": {"name": "Asset 1", "stores": ["Data 2"]}}}
    assert _visible(plain) is plain  # nothing to show: the facts as they are
