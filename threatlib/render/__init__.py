"""Render stage: every output is a view of the Analysis; nothing here calls pytm."""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis.model import Analysis
from threatlib.render.brief import BriefView
from threatlib.render.diagram import draw_diagrams, is_large
from threatlib.render.dot import run_dot
from threatlib.render.glance import build_glance
from threatlib.render.otm import otm_json
from threatlib.render.print_diagrams import KEY as PRINTED_KEY
from threatlib.render.print_diagrams import leaves_room_for_heading, printed_figures
from threatlib.render.report import render_html, render_pdf
from threatlib.render.sarif import sarif_json
from threatlib.render.tables import analysis_json, threats_csv, threats_json
from threatlib.render.threatdragon import threatdragon_json

__all__ = ["brief_pdf", "render_all", "report_pdf"]

PRINTED_DETAIL_LIMIT = 12


def render_all(analysis: Analysis, *, pdf: bool = True, user_templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of one model, by file name."""
    drawing = draw_diagrams(analysis)
    files = dict(drawing.files)
    files["analysis.json"] = analysis_json(analysis)
    files["threats.json"] = threats_json(analysis)
    files["threats.csv"] = threats_csv(analysis)
    files["model.otm.json"] = otm_json(analysis, drawing.layout)
    files["model.threatdragon.json"] = threatdragon_json(analysis, drawing.layout)
    files["findings.sarif"] = sarif_json(analysis)
    files["report.html"] = render_html(analysis, files["dfd.svg"], "image/svg+xml", user_templates,
                                       interactive=True).encode("utf-8")
    if pdf:
        files["report.pdf"] = report_pdf(analysis, files["dfd.svg"], user_templates)
        files["brief.pdf"] = brief_pdf(analysis, user_templates)
    return files


# Figures print as vector SVG: sharp on paper, their words searchable. A printed report of a large estate sets out a
# few elements per threat, or it would run to thousands of pages.

def report_pdf(analysis: Analysis, diagram_svg: bytes, user_templates: Path | None = None) -> bytes:
    """The technical report on paper: the model drawn legal order by legal order, at a size that can be read."""
    printed = [] if is_large(analysis) else printed_figures(analysis)
    # The key goes under the heading when the first figure leaves it room on the page, else after the last figure.
    keyed = 0 if printed and leaves_room_for_heading(printed[0]) else len(printed) - 1
    figures = [(f.title, PRINTED_KEY if i == keyed else "", f.svg) for i, f in enumerate(printed)]
    return render_pdf(render_html(analysis, diagram_svg, "image/svg+xml", user_templates, link_files=False,
                                  detail_limit=PRINTED_DETAIL_LIMIT if is_large(analysis) else None, figures=figures))


def brief_pdf(analysis: Analysis, user_templates: Path | None = None) -> bytes:
    """The policy brief, with its own picture drawn for the page."""
    [glance] = run_dot([(build_glance(analysis).source, ("svg",))])
    return render_pdf(render_html(analysis, glance["svg"], "image/svg+xml", user_templates, template="brief.html",
                                  view=BriefView, stylesheets=("report.css", "brief.css"), link_files=False,
                                  detail_limit=PRINTED_DETAIL_LIMIT if is_large(analysis) else None))
