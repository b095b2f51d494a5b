"""Every file `threatlib report` writes for a model, in one registry.

`render_all` writes each entry, `threatlib export NAME` writes one of them with the same bytes, and the command's
help and the README's table of outputs are generated from it. Adding an output is one entry here and one renderer:
a function of the Analysis, and then, in the order of its `needs`, what it takes besides:

- `drawing`: every diagram of the model, laid out by dot once (threatlib.render.diagram.Drawing);
- `layout`: dot's JSON of the single picture, or None (a model drawn as an overview, or an export that draws no
  diagram): a renderer that gets None lays out what it needs itself, so its bytes never depend on it;
- `diagram`: the data-flow diagram as SVG, to embed (a large model's overview, drawn on its own until the drawing is
  made, so a renderer that needs only it never waits for the boundary diagrams);
- `diagram_later`: a function that gives it, for a renderer that may not need it (the diagrams are drawn when
  first asked for); the output's `waits_for_drawing` says whether it will, so a fork need not wait for dot;
- `templates`: the user's template folder (`--templates`), or None.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from threatlib.analysis.model import Analysis
from threatlib.render.diagram import Drawing, draw_diagrams, draw_overview, is_large
from threatlib.render.otm import otm_json
from threatlib.render.printed import brief_pdf, prints_dfd, report_pdf
from threatlib.render.report import report_html
from threatlib.render.sarif import sarif_json
from threatlib.render.sharing import Maker, OutputQueue
from threatlib.render.tables import analysis_json, threats_csv, threats_json
from threatlib.render.threatdragon import threatdragon_json

Need = Literal["drawing", "layout", "diagram", "diagram_later", "templates"]


@dataclass(frozen=True)
class Output:
    name: str  # the FORMAT `threatlib export` takes
    file: str  # the file `threatlib report` writes
    render: Callable[..., bytes]  # the Analysis, then one argument per need, in order
    title: str  # a few words for the command line's help
    about: str  # the README's table; outputs in a row with the same text share one line
    needs: tuple[Need, ...] = ()
    pdf: bool = False  # `threatlib report --no-pdf` leaves it out
    waits_for_drawing: Callable[[Analysis, Path | None], bool] | None = None  # else: whether its needs draw


def dfd_dot(analysis: Analysis, drawing: Drawing) -> bytes:
    return drawing.files["dfd.dot"]


def dfd_svg(analysis: Analysis, drawing: Drawing) -> bytes:
    return drawing.files["dfd.svg"]


def dfd_png(analysis: Analysis, drawing: Drawing) -> bytes:
    return drawing.files["dfd.png"]


DIAGRAM = ("the data-flow diagram: jurisdictions as outer boxes, operating organisations and trust boundaries inside, "
           "each operator's title naming the foreign authorities that can compel it, and each state's authorities "
           "with the laws they would use; remote access in dashed blue")
REPORT = ("the technical report: the key judgements (legal reach, route, likelihood, confidence, with their drivers, "
          "assumptions, alternative views and indicators) and how likelihood is rated, what is exposed to whom and by "
          "which path, the diagram, the legal basis of each compulsion route, the vendor's position and the "
          "counter-arguments, what has been said in public with the model's assessment, reasoning and evidence, the "
          "scenarios compared (judgements, and whose data each closes or opens), risk ratings with a heatmap, every "
          "finding by severity with why it applies and how it was rated, decisions and exclusions, organisations, "
          "sources")

OUTPUTS: tuple[Output, ...] = (
    Output("svg", "dfd.svg", dfd_svg, "the data-flow diagram as SVG", DIAGRAM, ("drawing",)),
    Output("png", "dfd.png", dfd_png, "the data-flow diagram as PNG", DIAGRAM, ("drawing",)),
    Output("dot", "dfd.dot", dfd_dot, "the data-flow diagram as Graphviz DOT", DIAGRAM, ("drawing",)),
    Output("json", "threats.json", threats_json, "every finding as JSON",
           "every finding, with its stable id `THREAT-ID@element-id`, element, severity, likelihood, calibrated rating "
           "and how it was reached, why it applies, and its status (open or the recorded decision); each threat's "
           "description, mitigations and sourced evidence once under `threats`; the sources by id"),
    Output("csv", "threats.csv", threats_csv, "the findings as a CSV risk register",
           "the same as a risk register for a spreadsheet (cells that look like formulas are neutralised)"),
    Output("analysis", "analysis.json", analysis_json, "the whole analysis as JSON",
           "the whole analysis: elements, flows, legal bases, compulsion routes, exposure paths, findings, sources"),
    Output("otm", "model.otm.json", otm_json, "Open Threat Model 0.2.0",
           "the model and its findings as an Open Threat Model 0.2.0 file: legal orders as trust zones with the trust "
           "boundaries inside, compulsion links as dataflows carrying their legal basis, and a `diagram` "
           "representation that Threat Dragon's OTM import draws", ("layout",)),
    Output("threatdragon", "model.threatdragon.json", threatdragon_json, "OWASP Threat Dragon v2",
           "the diagram for OWASP Threat Dragon v2, laid out as in `dfd.svg` (for a large model, on a grid with one "
           "box per trust boundary), each finding a threat on its element or flow, typed by its STRIDE category",
           ("layout",)),
    Output("sarif", "findings.sarif", sarif_json, "SARIF 2.1.0",
           "the findings as SARIF 2.1.0 for code-scanning dashboards, each at the line of the model file where its "
           "element or flow is written, with the finding id as fingerprint and one `automationDetails` category per "
           "model (Microsoft's SARIF Multitool, run by the tests, finds no error or warning)"),
    Output("html", "report.html", report_html, "the technical report as one HTML page", REPORT,
           ("diagram", "templates")),
    Output("pdf", "report.pdf", report_pdf, "the technical report as PDF", REPORT, ("diagram_later", "templates"),
           pdf=True, waits_for_drawing=prints_dfd),
    Output("brief", "brief.pdf", brief_pdf, "the policy brief as PDF",
           "the policy brief, 4 to 11 pages for readers with no security background: a judgement per foreign legal "
           "order in four parts (legal reach, route with its weakest step, likelihood in the words of the UK "
           "probability yardstick within the model's timeframe, confidence) with its drivers, key assumptions, "
           "alternative view and what would change it; the exposure matrix; the top risks and which state each "
           "relies on; the diagram; the vendor's position; what has been said in public and what the evidence shows "
           "(one page); recommendations for the reader's organisation and for the vendor; what the scenarios would "
           "change", ("templates",), pdf=True),
)


def output_named(name: str) -> Output:
    return next(o for o in OUTPUTS if o.name == name)


def output_names() -> list[str]:
    return [o.name for o in OUTPUTS]


class Inputs:
    """What the renderers take besides the Analysis, each made once, when the first output that needs it asks."""

    def __init__(self, analysis: Analysis, templates: Path | None = None):
        self.analysis = analysis
        self.templates = templates

    @cached_property
    def drawing(self) -> Drawing:
        return draw_diagrams(self.analysis)

    @property
    def layout(self) -> dict | None:
        """dot's layout when the diagrams are drawn anyway; else None, and the renderer lays out only what it needs
        (one export need not draw every diagram)."""
        return self.drawing.layout if "drawing" in self.__dict__ else None

    @property
    def diagram(self) -> bytes:
        if "drawing" in self.__dict__ or not is_large(self.analysis):
            return self.drawing.files["dfd.svg"]
        return self.overview

    @cached_property
    def overview(self) -> bytes:
        return draw_overview(self.analysis)

    @property
    def diagram_later(self) -> Callable[[], bytes]:
        return lambda: self.diagram


def render_output(output: Output, inputs: Inputs) -> bytes:
    return output.render(inputs.analysis, *(getattr(inputs, need) for need in output.needs))


def render_outputs(analysis: Analysis, *, pdf: bool = True, templates: Path | None = None) -> dict[str, bytes]:
    """Every output of one model, by file name; a large model's boundary diagrams go beside dfd.svg (they are
    pages of the diagram, one file per trust boundary or part, so no single export writes them)."""
    files: dict[str, bytes] = {}
    make_outputs(analysis, files.__setitem__, pdf=pdf, templates=templates)
    return files


def make_outputs(analysis: Analysis, write: Callable[[str, bytes], None], *, pdf: bool = True,
                 templates: Path | None = None, processes: int = 1) -> None:
    """Make every output of one model and hand each to `write(file name, bytes)` as soon as it is made, so none waits
    in memory for the others: the diagrams first, in the order dot drew them, then (in one process) the registry's
    order.

    With `processes` above 1, the outputs are shared out among this process and up to `processes - 1` forked ones,
    each taking the next output not yet taken when it is free (see sharing.OutputQueue), so the cores stay busy whichever
    outputs take long for this model; a forked process calls `write` itself. A fork shares the analysis as it is,
    so every output is the same bytes as when one process makes them all. Processes forked before dot draws the
    diagrams take only the outputs that do not need them, and end when none is left; then one is forked in their
    place. If any output fails, the error raised is the one a single process would have met first (every output
    is tried), and only after every forked process has ended.
    """
    inputs = Inputs(analysis, templates)
    chosen = [o for o in OUTPUTS if pdf or not o.pdf]
    if processes <= 1 or not _can_fork():
        for file, content in inputs.drawing.files.items():
            write(file, content)
        for output in chosen:
            if output.file not in inputs.drawing.files:  # dfd.*: written with the drawing
                write(output.file, render_output(output, inputs))
        return
    queue = OutputQueue([o for o in chosen if o.file not in WITH_THE_DRAWING], lambda o: _draws_first(o, inputs))

    def make(output: Output) -> None:
        write(output.file, render_output(output, inputs))

    children: list[Maker] = []
    failures: dict[str, BaseException] = {}
    try:
        for _ in range(processes - 1):  # one by one, so that a fork refused after another leaves that one to be stopped
            children.append(Maker.start(queue, make, drawn=False))
        for file, content in inputs.drawing.files.items():
            write(file, content)
        queue.drawn()
        while (output := queue.take(drawn=True)) is not None:
            try:
                make(output)
            except Exception as exc:  # every output is tried, so the error raised is the registry's first
                failures[output.file] = exc
            _replace_ended(children, queue, make, failures, processes)
        while children:
            failures.update(children[0].wait())
            children.pop(0)
    except BaseException:
        for child in children:
            child.stop()
        raise
    finally:
        queue.close()
    for output in chosen:  # in the registry's order, as a single process would have met them
        if output.file in failures:
            raise failures[output.file]


WITH_THE_DRAWING = ("dfd.svg", "dfd.png", "dfd.dot")  # files of every Drawing, written with it, not made on their own


def _replace_ended(children: list[Maker], queue: OutputQueue, make: Callable[[Output], None],
                   failures: dict[str, BaseException], processes: int) -> None:
    """A process forked before the drawing ends when only outputs that need it are left: fork one in its place,
    which has the drawing."""
    for child in [c for c in children if c.ended()]:
        failures.update(child.wait())
        children.remove(child)
    while len(children) < processes - 1 and queue.left() and _can_fork():
        children.append(Maker.start(queue, make, drawn=True))


def _draws_first(output: Output, inputs: Inputs) -> bool:
    if "drawing" not in output.needs and is_large(inputs.analysis):
        return False  # its diagram is the overview, drawn on its own, and its layout is None (see Inputs)
    if output.waits_for_drawing is not None:
        return output.waits_for_drawing(inputs.analysis, inputs.templates)
    return bool({"drawing", "layout", "diagram"} & set(output.needs))


def _can_fork() -> bool:
    """Fork copies only the calling thread: with any other thread running (it might hold a lock), the outputs are
    made in this process instead."""
    return hasattr(os, "fork") and threading.active_count() == 1


def export_help() -> str:
    """The formats of `threatlib export`, one a line, for its help."""
    width = max(len(o.name) for o in OUTPUTS)
    return "\n".join(f"{o.name.ljust(width)}  {o.file}: {o.title}" for o in OUTPUTS)


def outputs_markdown() -> str:
    """The README's table of what `threatlib report` writes for each model."""
    rows: list[tuple[list[Output], str]] = []
    for o in OUTPUTS:
        if rows and rows[-1][1] == o.about:
            rows[-1][0].append(o)
        else:
            rows.append(([o], o.about))
    lines = ["| file | `threatlib export` | what it is |", "|---|---|---|"]
    for group, about in rows:
        files = ", ".join(f"`{o.file}`" for o in group)
        names = ", ".join(f"`{o.name}`" for o in group)
        lines.append(f"| {files} | {names} | {about} |")
    return "\n".join(lines) + "\n"
