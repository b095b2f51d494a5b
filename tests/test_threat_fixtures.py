"""Every threat folder proves its rule both ways: fires.yaml fires on exactly the ids in expected.yaml,
near_miss.yaml does not fire at all. One test walks every folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatlib.analysis import analyse
from threatlib.compile import compile_model
from threatlib.library import LIBRARY_DIR, load_proof
from threatlib.spec import load_model

FOLDERS = sorted(p.parent for p in (LIBRARY_DIR / "threats").glob("*/*/threat.yaml"))


def fired(path: Path, threat_id: str, library) -> set[str]:
    model, _ = load_model(path, library)
    analysis = analyse(compile_model(model, library, pytm_threats=False))
    return {f.element_id for f in analysis.findings if f.threat_id == threat_id}


def test_every_threat_has_a_folder_with_both_fixtures(library) -> None:
    assert {t.folder for t in library.threats} == set(FOLDERS)
    for folder in FOLDERS:
        assert {"threat.yaml", "fires.yaml", "near_miss.yaml", "expected.yaml"} <= {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_fires_on_exactly_the_named_elements(folder: Path, library) -> None:
    assert fired(folder / "fires.yaml", folder.name, library) == set(load_proof(folder).fires_on)


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_near_miss_stays_quiet(folder: Path, library) -> None:
    assert fired(folder / "near_miss.yaml", folder.name, library) == set()
