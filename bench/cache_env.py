"""A cache folder for one measured run: the user's loaded library, as any run of threatlib finds it, and none of the
pictures dot drew before. threatlib keeps what dot drew between runs, so without this every run after the first
would time a model run again, not a first run of it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from threatlib.library.cache import CACHE_DIR_VARIABLE, cache_folder

_ROOT = Path(tempfile.mkdtemp(prefix="threatlib-bench-caches-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)


def first_drawing_env() -> dict[str, str]:
    """Environment variables for a run that draws every picture afresh (its library still cached)."""
    folder = Path(tempfile.mkdtemp(dir=_ROOT))  # mode 0700, as the cache requires
    user = cache_folder()
    if user is not None and user.is_dir():
        for entry in user.glob("library-*"):
            shutil.copy2(entry, folder / entry.name)
    return {CACHE_DIR_VARIABLE: str(folder)}
