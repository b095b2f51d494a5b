"""The two PDFs: the technical report on paper and the policy brief.

Figures print as vector SVG: sharp on paper, their words searchable. A printed report of a large estate sets out a
few elements per threat, or it would run to thousands of pages.
"""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis.model import Analysis
from threatlib.render.brief import BriefView
from threatlib.render.diagram import is_large
from threatlib.render.dot import run_dot
from threatlib.render.glance import build_glance
from threatlib.render.print_diagrams import KEY as PRINTED_KEY
from threatlib.render.print_diagrams import leaves_room_for_heading, printed_figures
from threatlib.render.report import render_html, render_pdf

PRINTED_DETAIL_LIMIT = 12


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
