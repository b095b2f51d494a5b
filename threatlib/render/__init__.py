"""Render stage: every output is a view of the Analysis; nothing here calls pytm.

The outputs are listed once, in threatlib.render.outputs.
"""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis.model import Analysis
from threatlib.render.outputs import render_outputs
from threatlib.render.printed import PRINTED_DETAIL_LIMIT, brief_pdf, report_pdf

__all__ = ["PRINTED_DETAIL_LIMIT", "brief_pdf", "render_all", "report_pdf"]


def render_all(analysis: Analysis, *, pdf: bool = True, user_templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of one model, by file name."""
    return render_outputs(analysis, pdf=pdf, templates=user_templates)
