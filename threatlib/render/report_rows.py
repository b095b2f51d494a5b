"""Rows of the HTML report that a large estate has by the hundred thousand, made as one string: the template
setting out their fields one by one (each shown, escaped and joined) took several times as long."""

from __future__ import annotations

from markupsafe import Markup, escape

from threatlib.analysis.model import Analysis
from threatlib.errors import shown
from threatlib.render.interactive import Interactive


class _Cells(dict):
    """A text as a template field prints it (see report._visible), each text worked out once: titles and names
    recur on many rows."""

    def __missing__(self, text: str) -> str:
        self[text] = value = str(escape(shown(text, keep_layout=True)))
        return value

    __call__ = dict.__getitem__


def technical_rows(analysis: Analysis, ix: Interactive | None) -> Markup:
    """The rows of pytm's findings in the table of every technical finding, one a line, indented as in report.html:
    one text, so the template prints (and checks for control characters) one value instead of one per row."""
    cell = _Cells()
    rows = []
    for f in analysis.findings:
        if f.origin == "pytm":
            at = cell(f.id)
            rows.append(f'      <tr id="{at}"{ix.finding(f.id) if ix else ""}><td><code>{at}</code></td>'
                        f"<td>{cell(f.title)}</td><td>{cell(f.element_name)}</td><td>{cell(f.likelihood)}</td></tr>\n")
    return Markup("".join(rows))
