"""The two PDFs: the technical report on paper and the policy brief.

Figures print as vector SVG: sharp on paper, their words searchable. A printed report of a large estate sets out a
few elements per threat and sums the rest up (estate_summary), or it would run to hundreds of pages: the complete
lists are in the HTML report, threats.csv and threats.json.
"""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from pathlib import Path

from threatlib.analysis.model import Analysis
from threatlib.render.brief import BriefView
from threatlib.render.diagram import is_large
from threatlib.render.dot import run_dot
from threatlib.render.figure_pages import BOXES, HEADING, pack
from threatlib.render.glance import build_glance
from threatlib.render.print_diagrams import KEY as PRINTED_KEY
from threatlib.render.print_diagrams import printed_figures
from threatlib.render.report import pdf_engine_loading, render_html, render_pdf

PRINTED_DETAIL_LIMIT = 12
# The section's heading (h2), and the sentence report.html puts before the key: what they take above the first figure.
KEY_LEAD, KEY_CHAR, KEY_LINE = 160, 4.3, 10.8


def report_pdf(analysis: Analysis, diagram_svg: Callable[[], bytes], user_templates: Path | None = None) -> bytes:
    """The technical report on paper: the model drawn legal order by legal order, at a size that can be read.

    `diagram_svg` gives dfd.svg, asked for only where the report prints it (see `prints_dfd`)."""
    large = is_large(analysis)
    with pdf_engine_loading():
        printed = [] if large else printed_figures(analysis)
    key_lines = ceil((KEY_LEAD + len(PRINTED_KEY)) * KEY_CHAR / BOXES["landscape"][0])
    pages = pack(printed, HEADING + key_lines * KEY_LINE)
    diagram = diagram_svg() if prints_dfd(analysis, user_templates) else b""
    return render_pdf(render_html(analysis, diagram, "image/svg+xml", user_templates, link_files=False,
                                  detail_limit=PRINTED_DETAIL_LIMIT if large else None,
                                  stylesheets=("report.css", "estate-summary.css") if large else ("report.css",),
                                  figure_pages=pages, figure_key=PRINTED_KEY))


def prints_dfd(analysis: Analysis, user_templates: Path | None) -> bool:
    """Whether the printed report prints dfd.svg: a large model's overview, a model with nothing to draw page by
    page, or a user's templates (which may show it anywhere). Otherwise its figures are drawn for paper alone, so
    it need not wait for dot to draw dfd.svg."""
    return is_large(analysis) or not analysis.elements or user_templates is not None


def brief_pdf(analysis: Analysis, user_templates: Path | None = None) -> bytes:
    """The policy brief, with its own picture drawn for the page."""
    [glance] = run_dot([(build_glance(analysis).source, ("svg",))])
    return render_pdf(render_html(analysis, glance["svg"], "image/svg+xml", user_templates, template="brief.html",
                                  view=BriefView, stylesheets=("report.css", "brief.css"), link_files=False,
                                  detail_limit=PRINTED_DETAIL_LIMIT if is_large(analysis) else None))
