"""PDFs embed only the glyphs they use, and the same document gives the same bytes whenever it is rendered."""

from __future__ import annotations

import io
import os

import pytest
import weasyprint
import weasyprint.pdf.fonts as weasyprint_fonts
from fontTools.misc import timeTools
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from threatlib.render.report import TEMPLATES, render_html, render_pdf

DAY = 86_400


@pytest.fixture(scope="module")
def report_html(small_analysed) -> str:
    _, analysis = small_analysed
    return render_html(analysis, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", link_files=False)


@pytest.fixture(scope="module")
def html() -> str:
    """A page in the reports' style with each of their faces (regular, bold, oblique, mono): quick to render."""
    return ('<html><head><link rel="stylesheet" href="report.css"></head><body><h1>Small App</h1>'
            '<p>Which state can compel <b>Small Vendor Ltd</b>, <i>and what follows</i>: <code>LC-01@app</code>.</p>'
            '</body></html>')


class _Clock:
    """Stands in for the `time` module fontTools reads the time of day from."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def _fonts(pdf: bytes) -> dict[str, bytes]:
    """Each embedded font program by its PDF name, decoded."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = descriptor["/FontFile2"].get_object().get_data()
    return found


@pytest.fixture(params=["harfbuzz", "fonttools"])
def subsetter(request, monkeypatch):
    """Both of WeasyPrint's subsetters: HarfBuzz's where its library is installed, fontTools' where it is not."""
    if request.param == "fonttools":
        monkeypatch.setattr(weasyprint_fonts, "harfbuzz_subset", None)
    elif weasyprint_fonts.harfbuzz_subset is None:
        pytest.fail("HarfBuzz's subset library is missing: `make` installs Debian's libharfbuzz-subset0")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clock = _Clock(1_800_000_000)
    monkeypatch.setattr(timeTools, "time", clock)
    return request.param, clock


def test_the_same_document_rendered_a_day_apart_gives_the_same_bytes(html, subsetter) -> None:
    name, clock = subsetter
    first = render_pdf(html)
    clock.now += DAY
    assert render_pdf(html) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ  # our fixed date does not outlive the rendering


def test_without_a_fixed_date_fonttools_stamps_the_time_of_the_run(html, subsetter) -> None:
    # The cause of the different bytes: shows that moving the clock is felt where nothing fixes the date.
    name, clock = subsetter
    plain = weasyprint.HTML(string=html, base_url=str(TEMPLATES))
    first = plain.write_pdf()
    clock.now += DAY
    again = plain.write_pdf()
    assert (again == first) is (name == "harfbuzz")  # HarfBuzz keeps the font's own date; fontTools stamps now
    if name == "fonttools":
        stamps = {TTFont(io.BytesIO(data))["head"].modified for pdf in (first, again) for data in _fonts(pdf).values()}
        assert stamps == {1_800_000_000 - timeTools.epoch_diff, 1_800_000_000 + DAY - timeTools.epoch_diff}


def test_a_date_the_caller_set_is_the_one_used(html, monkeypatch) -> None:
    monkeypatch.setattr(weasyprint_fonts, "harfbuzz_subset", None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY))
    fonts = _fonts(render_pdf(html))
    assert len(fonts) == 4
    assert {TTFont(io.BytesIO(data))["head"].modified for data in fonts.values()} == {DAY - timeTools.epoch_diff}
    assert os.environ["SOURCE_DATE_EPOCH"] == str(DAY)


@pytest.mark.slow
def test_fonts_are_subset_so_the_report_pdf_is_much_smaller_and_its_text_still_reads(report_html) -> None:
    subset = render_pdf(report_html)
    whole = weasyprint.HTML(string=report_html, base_url=str(TEMPLATES)).write_pdf(full_fonts=True)
    subset_fonts, whole_fonts = _fonts(subset), _fonts(whole)
    assert sorted(subset_fonts) == sorted(whole_fonts)  # the same fonts, each cut to the glyphs used
    assert all(len(subset_fonts[name]) * 4 < len(whole_fonts[name]) for name in whole_fonts)
    assert len(subset) * 4 < len(whole)
    assert "Small App" in PdfReader(io.BytesIO(subset)).pages[0].extract_text()
