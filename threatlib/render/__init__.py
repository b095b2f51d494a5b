"""Render stage: every output is a view of the Analysis; nothing here calls pytm."""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis.model import Analysis
from threatlib.render.diagram import render_diagram
from threatlib.render.report import render_html, render_pdf
from threatlib.render.tables import analysis_json, threats_csv, threats_json

__all__ = ["render_all"]


def render_all(analysis: Analysis, *, pdf: bool = True, user_templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of one model, by file name."""
    files = render_diagram(analysis)
    files["analysis.json"] = analysis_json(analysis)
    files["threats.json"] = threats_json(analysis)
    files["threats.csv"] = threats_csv(analysis)
    html = render_html(analysis, files["dfd.svg"], user_templates)
    files["report.html"] = html.encode("utf-8")
    if pdf:
        files["report.pdf"] = render_pdf(html)
    return files
