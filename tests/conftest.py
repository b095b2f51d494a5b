from __future__ import annotations

from pathlib import Path

import pytest

from threatlib.library import load_library

TESTS = Path(__file__).parent
ROOT = TESTS.parent


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def small_model_path() -> Path:
    return TESTS / "models" / "small.yaml"
