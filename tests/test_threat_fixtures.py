"""Every threat folder proves its rule both ways: the threat fires on exactly the elements and flows marked
'# fires: ID' in fires.yaml, and on nothing in near_miss.yaml. One test walks every folder; the others show
that a broken rule, a wrong mark and a misplaced mark each fail with their position."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR, load_library
from threatlib.library.schema import Category
from threatlib.proofs import prove_threat, read_fixture

FOLDERS = sorted(p.parent for p in (LIBRARY_DIR / "threats").glob("*/*/threat.yaml"))
XB01 = LIBRARY_DIR / "threats" / "cross-border" / "XB-01"


def test_every_threat_has_a_folder_with_one_fixture_per_side(library) -> None:
    assert {t.folder for t in library.threats} == set(FOLDERS)
    for folder in FOLDERS:
        assert sorted(p.name for p in folder.iterdir()) == ["fires.yaml", "near_miss.yaml", "threat.yaml"]


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_fires_on_exactly_the_marked_elements_and_never_in_the_near_miss(folder: Path, library) -> None:
    assert [str(p) for p in prove_threat(folder, folder.name, library)] == []


def test_no_fixture_copies_the_shared_base(library) -> None:
    for folder in FOLDERS:
        for name in ("fires.yaml", "near_miss.yaml"):
            text = (folder / name).read_text(encoding="utf-8")
            assert "fixture-source, title" not in text and "scope: Fixture only." not in text, folder / name


def test_a_fixture_reads_the_base_and_overrides_only_what_it_sets(library) -> None:
    fixture = read_fixture(XB01 / "fires.yaml", library, "XB-01")
    assert (fixture.model.metadata.id, [s.id for s in fixture.model.sources], fixture.fires_on) == (
        "fixture", ["fixture-source"], {"remote-read": (12, 3)})
    gb = read_fixture(LIBRARY_DIR / "threats" / "cross-border" / "XB-05" / "fires.yaml", library, "XB-05")
    assert (gb.model.metadata.data_subjects_in, str(gb.model.metadata.as_of)) == (["GB"], "2026-12-01")


def _copy(tmp_path: Path, folder: Path = XB01) -> Path:
    copy = tmp_path / "threats" / folder.parent.name / folder.name
    shutil.copytree(folder, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path.read_text(encoding="utf-8").splitlines()


def _line(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(start))


def test_an_unmarked_firing_and_a_mark_that_finds_nothing_are_named_where_they_are(tmp_path, library) -> None:
    folder = _copy(tmp_path)
    lines = _edit(folder / "fires.yaml", "  # fires: XB-01\n  - {id: remote-read",
                  "  - {id: remote-read")
    lines = _edit(folder / "fires.yaml", "  - {id: crash-read", "  # fires: XB-01\n  - {id: crash-read")
    fires = str(folder / "fires.yaml")
    assert [str(p) for p in prove_threat(folder, "XB-01", library)] == [
        f"{fires}:{_line(lines, '- {id: remote-read')}:10: XB-01 fires on 'remote-read'; it is not marked '# fires: XB-01'",
        f"{fires}:{_line(lines, '# fires: XB-01')}:3: XB-01 should fire on 'crash-read' but does not",
    ]


def test_a_near_miss_that_fires_is_named_at_the_element(tmp_path, library) -> None:
    folder = _copy(tmp_path)
    lines = _edit(folder / "near_miss.yaml", "operator: vendor, location: IE}", "operator: vendor, location: CN}")
    line = _line(lines, "- {id: remote-read")
    assert [str(p) for p in prove_threat(folder, "XB-01", library)] == [
        f"{folder / 'near_miss.yaml'}:{line}:10: XB-01 fires on 'remote-read'; this near miss must stay quiet"]


NAMES_NOTHING = ("this mark names no element or flow: put it on the line just above one ('- id: ...' or "
                 "'- {id: ...}' under elements or flows)")


@pytest.mark.parametrize("old, new, message", [
    ("  - {id: crash-read", "  # fires: XB-01\n\n  - {id: crash-read", NAMES_NOTHING),
    ("  - {id: profile", "  # fires: XB-01\n  - {id: profile", NAMES_NOTHING),
    ("remote_access: true}\n  - {id: crash-read", "remote_access: true}  # fires: XB-01\n  - {id: crash-read",
     "write a mark alone on its line, as '# fires: XB-01', just above the element or flow it names"),
    ("  - {id: remote-read", "  # fires: XB-02\n  - {id: remote-read",
     "this mark names 'XB-02', but these are XB-01's fixtures: write '# fires: XB-01'"),
    ("  - {id: remote-read", "  # fires: XB-01, XB-02\n  - {id: remote-read",
     "write a mark alone on its line, as '# fires: XB-01', just above the element or flow it names"),
], ids=["above-a-blank-line", "above-a-data-category", "at-a-line-end", "another-threat", "two-threats"])
def test_a_misplaced_or_misspelt_mark_is_refused_at_its_position(tmp_path, library, old, new, message) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "fires.yaml", "  # fires: XB-01\n", "")
    lines = _edit(folder / "fires.yaml", old, new)
    line = next(i for i, text in enumerate(lines, 1) if "# fires" in text)
    column = lines[line - 1].index("#") + 1
    with pytest.raises(InputError) as caught:
        read_fixture(folder / "fires.yaml", library, "XB-01", "fires.yaml")
    assert [str(p) for p in caught.value.problems] == [f"fires.yaml:{line}:{column}: {message}"]


def test_a_mark_in_a_near_miss_and_a_fires_file_without_one_are_refused(tmp_path, library) -> None:
    folder = _copy(tmp_path)
    lines = _edit(folder / "near_miss.yaml", "  - {id: remote-read", "  # fires: XB-01\n  - {id: remote-read")
    with pytest.raises(InputError) as caught:
        read_fixture(folder / "near_miss.yaml", library, "XB-01", "near_miss.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"near_miss.yaml:{_line(lines, '# fires')}:3: XB-01 must fire on nothing in a near miss: move this mark "
        "to fires.yaml, or remove it"]
    _edit(folder / "fires.yaml", "  # fires: XB-01\n", "")
    with pytest.raises(InputError) as caught:
        read_fixture(folder / "fires.yaml", library, "XB-01", "fires.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "fires.yaml:1:1: no element or flow is marked: write '# fires: XB-01' on the line just above each one "
        "the threat must fire on"]


def test_a_mistake_in_a_fixture_is_positioned_in_the_fixture_and_one_in_its_own_source_too(tmp_path, library) -> None:
    folder = _copy(tmp_path)
    lines = _edit(folder / "fires.yaml", "data:\n", "sources:\n  - {id: extra, title: T, publisher: P, date: \"2026\", "
                  "kind: secondary, colour: red}\ndata:\n")
    with pytest.raises(InputError) as caught:
        read_fixture(folder / "fires.yaml", library, "XB-01", "fires.yaml")
    line = _line(lines, "- {id: extra")
    assert [str(p) for p in caught.value.problems] == [
        f"fires.yaml:{line}:72: unknown key 'colour'; allowed keys: id, title, publisher, date, url, kind, mirror_of, document, "
        "author, note"]


def test_a_broken_rule_fails_its_proof(tmp_path) -> None:
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    folder = root / "threats" / "cross-border" / "XB-01"
    _edit(folder / "threat.yaml", "target.facts.remote_access and", "not target.facts.remote_access and")
    changed = load_library(root)
    lines = (folder / "fires.yaml").read_text(encoding="utf-8").splitlines()
    fires = folder / "fires.yaml"
    assert [str(p) for p in prove_threat(folder, "XB-01", changed)] == [
        f"{fires}:{_line(lines, '# fires: XB-01')}:3: XB-01 should fire on 'remote-read' but does not",
        f"{fires}:{_line(lines, '- {id: bulk-copy')}:10: XB-01 fires on 'bulk-copy'; it is not marked '# fires: XB-01'",
    ]


def test_an_unknown_category_is_refused_at_its_position(tmp_path) -> None:
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    threat = root / "threats" / "cross-border" / "XB-01" / "threat.yaml"
    lines = _edit(threat, "categories: [information_disclosure]", "categories: [information_disclosure, snooping]")
    with pytest.raises(InputError) as caught:
        load_library(root)
    words = ", ".join(f"'{c.value}'" for c in list(Category)[:-1]) + " or 'non_compliance'"
    assert [str(p) for p in caught.value.problems] == [
        f"{threat}:{_line(lines, 'categories:')}:38: categories[1]: input should be {words} (got 'snooping')"]


def test_the_fixed_categories_are_those_the_exports_map() -> None:
    from threatlib.vocabulary import LINDDUN, STRIDE

    assert [c.value for c in Category] == [*STRIDE, *LINDDUN]
