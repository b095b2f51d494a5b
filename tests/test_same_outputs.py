"""The speed work keeps every machine output the same, byte for byte: digests recorded before it, compared now.

The shipped models (with their scenarios) and a synthetic estate large enough to take the large-model paths
(the grid layout, the printed report's short form) go through the whole pipeline; each machine-readable output's
SHA-256 must equal the one in tests/golden/outputs.json. A change to the analysis or an export that is meant
changes these digests: rerun `python tests/test_same_outputs.py` to record the new ones, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from estates import estate_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "outputs.json"
ESTATE_ASSETS = 300  # above diagram.SINGLE_DIAGRAM_LIMIT: the large-model paths
MODELS = sorted(p.name for p in (ROOT / "models").glob("*.yaml"))


def estate(folder: Path) -> Path:
    return estate_file(folder, ESTATE_ASSETS)


def digests(path: Path) -> dict[str, str]:
    """Each machine output of one model, as the report writes it, by file name. The outputs name the model's
    file as it was given, so the caller gives a path relative to where it runs."""
    from threatlib.collector import collector_paused
    from threatlib.library import load_library
    from threatlib.pipeline import analyse_file
    from threatlib.render.diagram import draw_diagrams
    from threatlib.render.otm import otm_json
    from threatlib.render.sarif import sarif_json
    from threatlib.render.tables import analysis_json, threats_csv, threats_json
    from threatlib.render.threatdragon import threatdragon_json

    _, analysis = analyse_file(path, load_library())
    with collector_paused():
        layout = draw_diagrams(analysis).layout
        files = {
            "analysis.json": analysis_json(analysis),
            "threats.json": threats_json(analysis),
            "threats.csv": threats_csv(analysis),
            "findings.sarif": sarif_json(analysis),
            "model.otm.json": otm_json(analysis, layout),
            "model.threatdragon.json": threatdragon_json(analysis, layout),
        }
    return {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}


@pytest.mark.parametrize("model", MODELS)
def test_a_shipped_models_machine_outputs_are_the_recorded_bytes(model: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert digests(Path("models") / model) == json.loads(GOLDEN.read_text())[model]


def test_a_large_estates_machine_outputs_are_the_recorded_bytes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert digests(estate(Path("."))) == json.loads(GOLDEN.read_text())[f"estate-{ESTATE_ASSETS}"]


if __name__ == "__main__":
    import os
    import tempfile

    os.chdir(ROOT)
    recorded = {model: digests(Path("models") / model) for model in MODELS}
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        recorded[f"estate-{ESTATE_ASSETS}"] = digests(estate(Path(".")))
        os.chdir(ROOT)
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    print(f"recorded {GOLDEN.relative_to(ROOT)}")
