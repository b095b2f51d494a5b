"""Every legal order proves where its provisions reach, as every threat proves where it fires: a proof model
beside the jurisdiction files (jurisdictions/proofs/CODE.yaml) marks on each element the provisions that must
reach it and the near misses that must not. One test walks every legal order; one without a proof fails."""

from __future__ import annotations

import shutil

import pytest

from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR
from threatlib.proofs import check_proof, proof_path, read_proof

CODES = sorted(p.stem for p in (LIBRARY_DIR / "jurisdictions").glob("*.yaml"))


@pytest.mark.parametrize("code", CODES)
def test_each_provision_reaches_exactly_the_marked_elements(code: str, library) -> None:
    path = proof_path(code)
    assert path.is_file(), f"{code} has no proof: write {path.relative_to(LIBRARY_DIR.parent.parent)} (docs/jurisdictions.md)"
    proof = read_proof(path, library)
    assert [str(p) for p in check_proof(proof, code, library)] == []


def test_every_proof_is_for_a_legal_order_in_the_library(library) -> None:
    assert sorted(p.stem for p in (LIBRARY_DIR / "jurisdictions" / "proofs").glob("*.yaml")) == CODES


def _proof_text(code: str) -> str:
    return proof_path(code).read_text(encoding="utf-8")


def test_a_missing_mark_and_a_wrong_mark_are_each_named_at_their_element(tmp_path, library) -> None:
    text = _proof_text("SG")
    path = tmp_path / "SG.yaml"
    # Take sg-cpc-s20 off the element linked by incorporation, and claim the unlinked element is reached by it.
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "- id: via-incorporation")
    mark = next(i for i in range(start, len(lines)) if lines[i].strip() == "- sg-cpc-s20")
    del lines[mark]
    unlinked = next(i for i, l in enumerate(lines) if l.strip() == "- id: unlinked")
    lines[unlinked + 1:unlinked + 1] = ["    reached_by: [sg-cpc-s20]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = check_proof(read_proof(path, library, "SG.yaml"), "SG", library)
    line_of = {l.strip(): i + 1 for i, l in enumerate(lines)}
    assert [str(p) for p in problems] == [
        f"SG.yaml:{line_of['- id: via-incorporation']}:9: sg-cpc-s20 reaches 'via-incorporation', it is not marked reached_by",
        f"SG.yaml:{line_of['- id: unlinked']}:9: sg-cpc-s20 should reach 'unlinked' but does not",
    ]


def test_a_provision_shown_only_one_way_is_refused(tmp_path, library) -> None:
    lines = [l for l in _proof_text("SG").splitlines()]
    start = next(i for i, l in enumerate(lines) if l.strip() == "not_reached_by:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip().startswith("- sg-"))
    del lines[start:end]
    path = tmp_path / "SG.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = check_proof(read_proof(path, library, "SG.yaml"), "SG", library)
    line = next(i for i, l in enumerate(lines) if l == "elements:") + 2
    assert [str(p) for p in problems] == [
        f"SG.yaml:{line}:3: {p}: no element is marked 'not_reached_by: [{p}]'; add a near miss the provision must not reach"
        for p in ("sg-cpc-s20", "sg-cpc-s39", "sg-cpc-s40")]


def test_a_changed_applies_via_breaks_the_proof(tmp_path) -> None:
    from threatlib.library import load_library

    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    sg = root / "jurisdictions" / "SG.yaml"
    text = sg.read_text(encoding="utf-8")
    old = "  - id: sg-cpc-s20\n"
    start = text.index(old)
    staff = text.index("    - staff\n", start)
    sg.write_text(text[:staff] + text[staff + len("    - staff\n"):], encoding="utf-8")
    changed = load_library(root)
    problems = check_proof(read_proof(proof_path("SG"), changed, "SG.yaml"), "SG", changed)
    lines = _proof_text("SG").splitlines()
    line = next(i for i, l in enumerate(lines) if l.strip() == "- id: via-staff") + 1
    assert [str(p) for p in problems] == [f"SG.yaml:{line}:9: sg-cpc-s20 should reach 'via-staff' but does not"]


def test_a_mark_naming_no_provision_is_refused(tmp_path, library) -> None:
    path = tmp_path / "SG.yaml"
    text = _proof_text("SG").replace("      - sg-cpc-s40\n", "      - sg-cpc-s41\n      - sg-cpc-s40\n", 1)
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_proof(read_proof(path, library, "SG.yaml"), "SG", library)]
    line = text.splitlines().index("      - sg-cpc-s41") + 1
    assert problems == [f"SG.yaml:{line}:9: 'sg-cpc-s41' is not a provision of SG"]


def test_a_mark_that_is_not_a_list_is_positioned(tmp_path, library) -> None:
    path = tmp_path / "SG.yaml"
    lines = _proof_text("SG").splitlines()
    unlinked = lines.index("  - id: unlinked")
    lines.insert(unlinked + 1, "    reached_by: sg-cpc-s20")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_proof(path, library, "SG.yaml")
    assert [str(p) for p in caught.value.problems] == [f"SG.yaml:{unlinked + 2}:17: reached_by is a list of provision ids"]
