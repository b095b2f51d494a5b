"""Pause Python's cyclic garbage collector while a stage builds a large, long-lived object graph.

A large estate's stages make hundreds of thousands of records that stay alive until the outputs are written;
the collector's repeated passes over them found nothing to free and cost a third of the analysis stage.
The previous setting is restored on the way out, so nothing outside the stage changes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
