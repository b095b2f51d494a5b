"""The PDFs as they print: measured on the generated brief.pdf and report.pdf of every shipped model.

Word boxes and font sizes come from the PDF itself (pdfplumber), images from poppler's pdfimages, so what is
tested is what a reader gets on paper: every word at least 7.5 pt, figures included; nothing cut with an
ellipsis; no two words printed over each other; no page more than half blank unless a new section follows;
figures drawn as vectors, their words searchable; TikTok's technical report within 40 pages.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT, TESTS

pytestmark = pytest.mark.slow  # every shipped model printed and read back, word by word
SHIPPED = sorted((ROOT / "models").glob("*.yaml"))
SMALLEST = 7.5  # points, as printed
HEADING = 14.0  # points: a section's h2 is 15 pt, and nothing else this large opens a page
MARGIN = 40.0  # points at the foot of a page that hold only its number


def _render(path: Path) -> tuple[str, dict[str, bytes]]:
    from threatlib import pipeline
    from threatlib.library import load_library
    from threatlib.render import render_all

    analysis = pipeline.analyse_file(path, load_library())[1]
    files = render_all(analysis)
    return analysis.model.id, {name: files[name] for name in ("brief.pdf", "report.pdf")}


@pytest.fixture(scope="module")
def printed() -> dict[tuple[str, str], bytes]:
    """(model id, file) -> PDF bytes, for every shipped model, rendered two models at a time."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(_render, SHIPPED))
    return {(model, name): pdf for model, files in done for name, pdf in files.items()}


@pytest.fixture(scope="module")
def pages(printed) -> dict[tuple[str, str], list[dict]]:
    """What each printed page holds, read once: its words with their size and box, its text, how far down its
    content reaches (the page number in the bottom margin aside), and the size of its first line."""
    out = {}
    for key, pdf in printed.items():
        out[key] = []
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            for page in doc.pages:
                margin = page.height - MARGIN  # below this sits only the page number
                shapes = [s["bottom"] for s in page.rects + page.curves + page.lines if s["bottom"] < margin]
                chars = [c for c in page.chars if c["top"] < margin]
                first = min(chars, key=lambda c: (round(c["top"]), c["x0"])) if chars else None
                out[key].append({"words": page.extract_words(extra_attrs=["size"]), "text": page.extract_text() or "",
                                 "height": page.height, "first_size": first["size"] if first else 0.0,
                                 "landscape": page.width > page.height,
                                 "top": min([c["top"] for c in chars] + [page.height]),
                                 "bottom": max([c["bottom"] for c in chars] + shapes + [0.0])})
    return out


def test_every_word_prints_at_least_seven_and_a_half_points(pages) -> None:
    small = [(model, name, number, w["text"], round(w["size"], 2))
             for (model, name), read in pages.items() for number, page in enumerate(read, 1)
             for w in page["words"] if w["size"] < SMALLEST - 0.01]
    assert small == []


def test_nothing_is_cut_with_an_ellipsis(pages) -> None:
    cut = [(model, name, number, line) for (model, name), read in pages.items() for number, page in enumerate(read, 1)
           for line in page["text"].splitlines() if "…" in line or "..." in line]
    assert cut == []


def test_no_two_words_print_over_each_other(pages) -> None:
    overlaps = []
    for (model, name), read in pages.items():
        for number, page in enumerate(read, 1):
            words = sorted(page["words"], key=lambda w: w["top"])
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    if b["top"] >= a["bottom"] - 0.5:
                        break
                    if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5:
                        overlaps.append((model, name, number, a["text"], b["text"]))
    assert overlaps == []


def test_no_page_is_more_than_half_blank_unless_a_section_follows(pages) -> None:
    """A page whose content ends above its middle must be the last of its section: the next page opens a new one
    (an h2). The printed diagram's figures share pages where they fit, so a figure page is no exception."""
    sparse = [(model, name, number) for (model, name), read in pages.items()
              for number, (page, following) in enumerate(zip(read, read[1:], strict=False), 1)
              if page["bottom"] < page["height"] / 2 and following["first_size"] < HEADING]
    assert sparse == []


def test_figures_are_vector_with_searchable_words(printed, tmp_path) -> None:
    for (model, name), pdf in printed.items():
        path = tmp_path / f"{model}-{name}"
        path.write_bytes(pdf)
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
        assert listing.splitlines()[2:] == [], (model, name)  # the header's two lines, and no image
    # The brief's figure is drawn for the page: its words are text in the PDF, as poppler reads them back.
    path = tmp_path / "brief.pdf"
    path.write_bytes(printed[("tiktok", "brief.pdf")])
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    figure = next(page for page in text.split("\f") if "The system at a glance" in page)
    lines = [line for line in figure.splitlines() if line.strip()]
    assert lines[0] == "The system at a glance"
    assert {"can be compelled: National", "Intelligence Law 2017 Art. 14", "run by Beijing ByteDance"} <= set(lines)


def test_tiktok_technical_report_is_at_most_forty_pages(printed) -> None:
    with pdfplumber.open(io.BytesIO(printed[("tiktok", "report.pdf")])) as doc:
        assert len(doc.pages) <= 40


SCRIPTS = {"抖音 Small App", "北京字节跳动科技有限公司", "Профиль пользователя", "مركز بيانات دبلن", "הנדסה בבייג'ינג", "隐私政策"}


def test_every_script_a_model_may_hold_prints_with_a_glyph(library) -> None:
    """Chinese, Cyrillic, Arabic and Hebrew names print in both PDFs: a glyph no font has would print as a box and
    extract as nothing, so each name must come back out of the text, in the text and in the figures."""
    from threatlib import pipeline
    from threatlib.render import render_all

    analysis = pipeline.analyse_file(TESTS / "models" / "scripts.yaml", library)[1]
    files = render_all(analysis)
    for name in ("brief.pdf", "report.pdf"):
        with pdfplumber.open(io.BytesIO(files[name])) as doc:
            text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in doc.pages))
        # Right-to-left words come out in reading order; Arabic letters come out as presentation forms (NFKC folds them).
        for script in SCRIPTS:
            words = [w for w in unicodedata.normalize("NFKC", script).split() if w not in ("Small", "App")]
            missing = [w for w in words if w not in text and w[::-1] not in text]
            assert missing == [], (name, script)


def test_each_report_opens_with_its_title_page_then_the_executive_summary(pages) -> None:
    openings = {model: read[1]["text"].splitlines()[0] for (model, name), read in pages.items() if name == "report.pdf"}
    assert openings == {path.stem: "Executive summary" for path in SHIPPED}
