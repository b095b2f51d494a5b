"""HTML and PDF reports: Jinja2 templates (always autoescaped) over the Analysis, PDF by WeasyPrint.

Templates are looked up in a user's folder first, then in the package, so any file can be overridden
by dropping in one of the same name. What the templates read beside the Analysis is in report_view.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

import threatlib
from threatlib.analysis.model import Analysis
from threatlib.errors import InputError, Problem, shown
from threatlib.render.figure_pages import GAP as FIGURE_GAP
from threatlib.render.figure_pages import FigurePage
from threatlib.render.interactive import Interactive
from threatlib.render.report_view import ReportView

__all__ = ["ReportView", "environment", "render_html", "render_pdf", "report_html", "template_problem"]

TEMPLATES = Path(threatlib.__file__).parent / "templates"
INTERACTIVE = ("report.js", "report-interactive.css")  # the browser page's behaviour and look, inlined

def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """With a user's templates, a sandbox: a template from elsewhere can format the analysis but never reach
    Python (no dunders, no changing the objects it is given), as a threat's condition cannot. Our own
    templates run without it: its checks on every attribute cost a second of a 5,000-asset report."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    kind = ImmutableSandboxedEnvironment if user_templates else jinja2.Environment
    return kind(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                trim_blocks=True, lstrip_blocks=True, finalize=_visible)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _visible(value: object) -> object:
    """Every printed text shows control and bidirectional characters escaped (\\u202e), as the CSV and terminal do:
    a name cannot reverse or hide the text around it, and no font is asked for a glyph it lacks. Our own markup
    passes as it is, less any control character (a PDF would print a box for it)."""
    if isinstance(value, Markup):
        return Markup(_UNPRINTABLE.sub("", value))
    return shown(value, keep_layout=True) if isinstance(value, str) else value


def render_html(analysis: Analysis, diagram: bytes, media_type: str, user_templates: Path | None = None, *,
                template: str = "report.html", view: type[ReportView] = ReportView,
                stylesheets: tuple[str, ...] = ("report.css",), link_files: bool = True,
                detail_limit: int | None = None, interactive: bool = False,
                figure_pages: Sequence[FigurePage] = (), figure_key: str = "") -> str:
    """A page with the diagram embedded, so the file stands alone (SVG for browsers, PNG for the PDF).

    `link_files`: whether the page may link the files beside it (the boundary diagrams). The HTML report sits
    beside them; a PDF would resolve such a link against the template folder, so it names them instead.
    `detail_limit`: see ReportView; the PDFs of a large estate set one, or they would run to thousands of pages.
    `figure_pages`: the figures drawn for paper, set on their pages, which the printed report shows instead of the one
    big diagram, with `figure_key` on the page marked for it.
    A user's template that is broken or reaches for what the sandbox refuses is an InputError at its line.
    `interactive`: the browser page, with the diagram inline and the script of threatlib.render.interactive.
    """
    env = environment(user_templates)
    try:
        css = "\n".join(env.loader.get_source(env, name)[0] for name in stylesheets)
        uri = f"data:{media_type};base64," + base64.b64encode(diagram).decode("ascii")
        ix = Interactive(analysis, diagram, css, *(env.loader.get_source(env, name)[0] for name in INTERACTIVE)) \
            if interactive else None
        printed = [{"orientation": page.orientation, "key": figure_key if page.key else "",
                    "widths": [f"{sum(f.width for f in row) + FIGURE_GAP * (len(row) - 1):.1f}pt" for row in page.rows],
                    "rows": [[{"title": f.title, "width": f"{f.width:.1f}pt", "height": f"{f.height:.1f}pt",
                               "uri": "data:image/svg+xml;base64," + base64.b64encode(f.svg).decode("ascii")} for f in row]
                             for row in page.rows]} for page in figure_pages]
        return env.get_template(template).render(
            a=analysis, v=view(analysis, detail_limit), css=Markup(css), diagram_uri=uri, link_files=link_files, ix=ix,
            figures=printed,
            version=threatlib.__version__, generated=analysis.model.as_of)
    except jinja2.TemplateError as exc:
        if user_templates is None:
            raise  # our own templates failing is a defect, not bad input
        raise InputError([template_problem(exc, user_templates)]) from None


def report_html(analysis: Analysis, diagram_svg: bytes, user_templates: Path | None = None) -> bytes:
    """The technical report for a browser: one file, the diagram inline, with filters and views."""
    return render_html(analysis, diagram_svg, "image/svg+xml", user_templates, interactive=True).encode("utf-8")


def template_problem(exc: jinja2.TemplateError, user_templates: Path) -> Problem:
    """Where in the user's templates it went wrong: a syntax error knows its line; for an error while
    rendering, Jinja2 puts template lines into the traceback, and the innermost user template frame is it."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(exc.filename, exc.lineno, 1, f"template error: {exc.message}")
    folder = str(user_templates.resolve())
    place = None
    tb = exc.__traceback__
    while tb is not None:
        if str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(folder):
            place = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    file, line = place or (str(user_templates), 1)
    return Problem(file, line, 1, f"template error: {exc.message or type(exc).__name__}")


def render_pdf(html: str) -> bytes:
    import weasyprint  # imported late: it loads Pango, which only the PDF step needs

    # Fonts are subset (only the glyphs used). Where WeasyPrint rewrites a font with fontTools (it subsets
    # with fontTools when HarfBuzz's subset library is missing, and instances variable fonts with it),
    # fontTools stamps the font's `head.modified` with the time of the run, so no two runs gave the same
    # bytes. fontTools takes that time from SOURCE_DATE_EPOCH when it is set (reproducible builds' variable):
    # a fixed date here, unless the caller set one.
    with _source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH", "0")):
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


@contextmanager
def pdf_engine_loading() -> Iterator[None]:
    """WeasyPrint loaded in a thread while the caller works (loading Pango's bindings takes a few tenths of a
    second of processor time, and drawing the figures mostly waits for dot); joined before the block ends, so no
    thread outlives it (a fork with a thread running is refused)."""
    if "weasyprint" in sys.modules:
        yield
        return
    loader = threading.Thread(target=_load_pdf_engine, name="load weasyprint", daemon=True)
    loader.start()
    try:
        yield
    finally:
        loader.join()


def _load_pdf_engine() -> None:
    with suppress(Exception):  # a broken install fails again, and is reported, where the PDF is made
        import weasyprint  # noqa: F401


@contextmanager
def _source_date_epoch(value: str) -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
