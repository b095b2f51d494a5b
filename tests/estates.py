"""The benchmark's synthetic estates (bench/generate.py), for tests that need a large model."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def estate_text(assets: int) -> str:
    sys.path.insert(0, str(BENCH))
    try:
        from generate import synthetic_model
    finally:
        sys.path.remove(str(BENCH))
    return synthetic_model(assets)


def estate_file(folder: Path, assets: int) -> Path:
    """The estate written as `estate-N.yaml` in `folder`: the name the recorded digests know it by."""
    path = folder / f"estate-{assets}.yaml"
    path.write_text(estate_text(assets), encoding="utf-8")
    return path
