"""The one place that touches pytm's class-level registry (`TM._state`).

pytm registers every element it constructs in state shared by the whole process. We give each compiled
model a state of its own and install it only while pytm works on that model, so two models compiled in
one process never mix. Not thread-safe, like pytm itself: compile and analyse one model at a time per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pytm import TM
from pytm.tm import TMState


@contextmanager
def fresh_state() -> Iterator[TMState]:
    """Build a model into a new, empty pytm state; yields that state for the caller to keep."""
    previous = TM._state
    TM._state = TMState()
    try:
        yield TM._state
    finally:
        TM._state = previous


@contextmanager
def active_state(state: TMState) -> Iterator[TMState]:
    """Let pytm work on a previously built state (check, resolve)."""
    previous = TM._state
    TM._state = state
    try:
        yield state
    finally:
        TM._state = previous



@contextmanager
def script_state() -> Iterator[Callable[[], TMState]]:
    """Like fresh_state, for a pytm user's script, which may call TM.reset() and so replace the state.

    Yields a function giving the state pytm works on now (call it once the script has run).
    """
    previous = TM._state
    TM._state = TMState()
    try:
        yield lambda: TM._state
    finally:
        TM._state = previous
