"""A claim labelled confirmed rests on a primary source or on two independent ones; a copy counts as what it copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TESTS

from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR, load_library
from threatlib.spec import load_model

FIX = "cite the primary document or a second independent source, or label it reported"
# The claim under test: EU Subsidiary's ownership, labelled confirmed in the small model.
CLAIM = """      - statement: EU Subsidiary is wholly owned by Parent Co.
        status: confirmed
        sources: [test-source]"""


def source(sid: str, publisher: str, kind: str = "secondary", mirror_of: str | None = None) -> str:
    entry = (f"  - id: {sid}\n    title: Report {sid}\n    publisher: {publisher}\n    date: 2026-01-02\n"
             f"    url: https://example.org/{sid}\n    kind: {kind}\n")
    return entry + (f"    mirror_of: {mirror_of}\n" if mirror_of else "")


def model(tmp_path: Path, sources: list[str], cited: list[str], status: str = "confirmed") -> Path:
    text = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")
    assert text.count(CLAIM) == 1
    text = text.replace(CLAIM, CLAIM.replace("status: confirmed", f"status: {status}")
                        .replace("[test-source]", "[" + ", ".join(cited) + "]"))
    text = text.replace("\norganisations:", "".join(sources) + "\norganisations:", 1)
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, library) -> list[tuple[int, int, str]]:
    try:
        load_model(path, library)
    except InputError as exc:
        return [(p.line, p.column, p.message) for p in exc.problems]
    return []


def position(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """Line and column (1-based) where `needle` starts, counting occurrences from the top."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [(i + 1, line.index(needle) + 1) for i, line in enumerate(lines) if needle in line]
    return found[occurrence]


def status_position(path: Path) -> tuple[int, int]:
    line, _ = position(path, "status: confirmed")
    return line, position(path, "status: confirmed")[1] + len("status: ")


def test_one_secondary_source_is_not_enough_for_confirmed(tmp_path, library) -> None:
    path = model(tmp_path, [source("news-a", "Daily A")], ["news-a"])
    assert problems(path, library) == [
        (*status_position(path), f"claim is labelled confirmed but rests on one secondary source, 'news-a'; {FIX}")]


@pytest.mark.parametrize("second, cited", [
    (source("news-b", "Daily B"), ["news-a", "news-b"]),  # a second, independent outlet
    (source("regulator", "The Regulator", kind="primary"), ["news-a", "regulator"]),  # the author of the fact
])
def test_a_primary_source_or_a_second_independent_one_confirms(tmp_path, library, second, cited) -> None:
    assert problems(model(tmp_path, [source("news-a", "Daily A"), second], cited), library) == []


def test_the_same_claim_labelled_reported_needs_no_second_source(tmp_path, library) -> None:
    assert problems(model(tmp_path, [source("news-a", "Daily A")], ["news-a"], status="reported"), library) == []


def test_a_copy_of_the_same_report_does_not_count_twice(tmp_path, library) -> None:
    path = model(tmp_path, [source("news-a", "Daily A"), source("copy-a", "Aggregator (republishing Daily A)",
                                                               kind="mirror", mirror_of="news-a")],
                 ["news-a", "copy-a"])
    assert problems(path, library) == [
        (*status_position(path), "claim is labelled confirmed but rests on one secondary source, 'news-a' "
                                 f"(of which 'copy-a' is a copy); {FIX}")]


def test_a_copy_of_a_primary_document_stands_for_it(tmp_path, library) -> None:
    path = model(tmp_path, [source("decision", "The Regulator", kind="primary"),
                            source("archived", "Web archive", kind="mirror", mirror_of="decision")],
                 ["decision", "archived"])
    assert problems(path, library) == []


def test_two_pieces_from_one_outlet_are_not_independent(tmp_path, library) -> None:
    path = model(tmp_path, [source("news-a", "Daily A"), source("column-a", "Daily A (Jane Roe)")],
                 ["news-a", "column-a"])
    assert problems(path, library) == [
        (*status_position(path), "claim is labelled confirmed but its secondary sources all come from one outlet, "
                                 f"Daily A; {FIX}")]


def test_a_copy_cited_without_its_original_is_refused(tmp_path, library) -> None:
    path = model(tmp_path, [source("news-a", "Daily A"), source("copy-a", "Aggregator", kind="mirror", mirror_of="news-a")],
                 ["copy-a", "test-source"], status="reported")
    line, column = position(path, "[copy-a, test-source]")
    id_line, id_column = position(path, "- id: news-a")
    assert problems(path, library) == sorted([
        (line, column + 1, "source 'copy-a' is a copy of 'news-a': cite 'news-a' beside it"),
        (id_line, id_column + len("- id: "), "source 'news-a' is listed but no claim cites it; cite it or remove it")])


def test_a_mirror_names_what_it_copies_and_only_a_mirror_does(tmp_path, library) -> None:
    path = model(tmp_path, [source("news-a", "Daily A"), source("copy-a", "Aggregator", kind="mirror"),
                            source("news-b", "Daily B", mirror_of="news-a"),
                            source("copy-c", "Aggregator", kind="mirror", mirror_of="news-z")],
                 ["news-a", "copy-a", "news-b", "copy-c"])
    kind_line, kind_column = position(path, "kind: mirror")
    assert problems(path, library) == sorted([
        (kind_line, kind_column + len("kind: "), "source 'copy-a' is a mirror: say which source it copies with mirror_of"),
        (*(lambda lc: (lc[0], lc[1] + len("mirror_of: ")))(position(path, "mirror_of: news-a")),
         "source 'news-b' names mirror_of but its kind is secondary; only a mirror copies another source"),
        (*(lambda lc: (lc[0], lc[1] + len("mirror_of: ")))(position(path, "mirror_of: news-z")),
         "source 'copy-c' is a mirror of 'news-z', which is not a listed source; did you mean 'news-b'?")])


def test_the_library_refuses_a_confirmed_claim_on_one_report(tmp_path) -> None:
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    text = (LIBRARY_DIR / "threats" / "legal-compulsion" / "LC-03" / "threat.yaml").read_text(encoding="utf-8")
    evidence = """evidence:
  - statement: A claim resting on one report.
    status: confirmed
    sources:
      - id: lone-report
        title: A lone report
        publisher: Daily A
        date: 2026-01-02
        kind: secondary
"""
    folder = root / "threats" / "legal-compulsion" / "LC-97"
    folder.mkdir(parents=True)
    (folder / "threat.yaml").write_text(text.replace("id: LC-03", "id: LC-97")[:text.index("evidence:")] + evidence,
                                        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_library(root)
    [problem] = caught.value.problems
    assert problem.file.endswith("threats/legal-compulsion/LC-97/threat.yaml")
    assert (problem.line, problem.column, problem.message) == (
        25, 13, f"claim is labelled confirmed but rests on one secondary source, 'lone-report'; {FIX}")


def test_a_jurisdiction_file_refuses_a_confirmed_provision_on_one_report_and_takes_a_second_outlet(tmp_path) -> None:
    """The rule holds for the library's legal orders too: a provision of GB's, its statutes swapped for one report."""
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    text = (LIBRARY_DIR / "jurisdictions" / "GB.yaml").read_text(encoding="utf-8")
    start = text.index("    status: confirmed\n    sources:\n") + len("    status: confirmed\n    sources:\n")
    end = text.index("\n  - id: ", start)  # the next provision
    report = ("    - id: lone-report\n      title: A lone report\n      publisher: Daily A\n      date: 2026-01-02\n"
              "      kind: secondary\n")
    line = text[:start].count("\n") - 1  # the status line (1-based), just above the sources
    (root / "jurisdictions" / "GB.yaml").write_text(text[:start] + report + text[end + 1:], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_library(root)
    [problem] = caught.value.problems
    assert problem.file.endswith("jurisdictions/GB.yaml")
    assert (problem.line, problem.column, problem.message) == (
        line, 13, f"claim is labelled confirmed but rests on one secondary source, 'lone-report'; {FIX}")
    second = report.replace("lone-report", "second-report").replace("Daily A", "Daily B")
    (root / "jurisdictions" / "GB.yaml").write_text(text[:start] + report + second + text[end + 1:], encoding="utf-8")
    assert "GB" in load_library(root).jurisdictions


def test_no_shipped_model_or_library_claim_is_confirmed_on_one_report(library) -> None:
    """The shipped library loaded (it would have raised otherwise); every shipped model validates against it."""
    for path in sorted((TESTS.parent / "models").glob("*.yaml")):
        load_model(path, library)
