from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from threatlib.library import load_library
from threatlib.library.cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE

TESTS = Path(__file__).parent
ROOT = TESTS.parent
_CACHE = pytest.StashKey[str]()


def pytest_configure(config) -> None:
    """Each run has a library cache of its own, empty at the start: no test depends on what an earlier run left,
    and none writes to the user's cache. The commands the tests start inherit it."""
    os.environ.pop(NO_CACHE_VARIABLE, None)
    config.stash[_CACHE] = os.environ[CACHE_DIR_VARIABLE] = tempfile.mkdtemp(prefix="threatlib-cache-")


def pytest_unconfigure(config) -> None:
    if _CACHE in config.stash:
        shutil.rmtree(config.stash[_CACHE], ignore_errors=True)


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def small_model_path() -> Path:
    return TESTS / "models" / "small.yaml"


@pytest.fixture(scope="session")
def small_analysed(small_model_path, library):
    """The small model compiled and analysed once for the whole suite: (compiled model, analysis). Read it, never
    change it; a test that needs its own copy analyses the file again."""
    from threatlib import pipeline

    return pipeline.analyse_file(small_model_path, library)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright (whose own browser download is not used)."""
    import shutil

    from playwright import sync_api as playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield instance
        instance.close()
