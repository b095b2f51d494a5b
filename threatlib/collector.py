"""Pause Python's cyclic garbage collector while a stage builds a large, long-lived object graph.

A large estate's stages make hundreds of thousands of records that stay alive until the outputs are written;
the collector's repeated passes over them found nothing to free and cost a third of the analysis stage.
The previous setting is restored on the way out, so nothing outside the stage changes.

A stage whose objects outlive it and hold no cycles (long_lived: the analysis's records) also hands them to the
oldest generation on the way out. Otherwise the first young collection after the pause walks every one of them, to
find nothing again (a tenth of a large estate's analysis); in the oldest generation they wait for a full
collection, as long-lived objects do. Not for stages that leave cyclic garbage (pytm's elements and flows point at
each other): it would wait for a full collection too, which a stream of promoted objects does not hasten.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, long_lived: bool = False) -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if long_lived and not gc.get_freeze_count():  # someone else's frozen objects stay frozen
            # Freezing moves every tracked object to the permanent generation without a pass over them;
            # unfreezing moves them all into the oldest generation.
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
