"""The one place that touches pytm's class-level registry (`TM._state`) and its other process-wide hooks.

pytm registers every element it constructs in state shared by the whole process. We give each compiled
model a state of its own and install it only while pytm works on that model, so two models compiled in
one process never mix. Not thread-safe, like pytm itself: compile and analyse one model at a time per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from pytm import TM, Element, Threat
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


@contextmanager
def script_hooks(on_process: Callable[[TM], None], on_element: Callable[[Element], None]) -> Iterator[None]:
    """While a pytm script runs: `TM.process()` hands its TM to on_process instead of parsing the command line,
    and each element pytm registers is shown to on_element first (to learn where the script made it)."""
    original_process, original_register = TM.process, Element._register_with_tm

    def hand_over(self, *args, **kwargs) -> None:
        on_process(self)

    def register(self) -> None:
        on_element(self)
        original_register(self)

    TM.process = hand_over
    Element._register_with_tm = register
    try:
        yield
    finally:
        TM.process = original_process
        Element._register_with_tm = original_register


_PYTM_THREATS: dict[str, list[Threat]] = {}  # pytm's threats by threats file, made once per process


@contextmanager
def shared_pytm_threats() -> Iterator[None]:
    """While a TM is made, it takes pytm's threats from its threats file as they were made for the first TM of this
    process. pytm makes every one of them again for each TM, parsing and compiling each condition: a fifth of the
    work of comparing forty small models. pytm's engine and ours only read a threat, so models can share them."""
    original = TM._add_threats

    def add_threats(self) -> None:
        key = str(self.threatsFile)
        if key in _PYTM_THREATS:
            TM._get_state().threats.extend(_PYTM_THREATS[key])
            return
        original(self)  # into the state's list, emptied by pytm just before
        _PYTM_THREATS[key] = list(TM._get_state().threats)

    TM._add_threats = add_threats
    try:
        yield
    finally:
        TM._add_threats = original


def register_threats(state: TMState, threats: Iterable[Threat], *, keep_pytm: bool) -> dict[str, Threat]:
    """Add our threats to the threats a model's TM registered (pytm's own, or a script's threats file), or put
    them in their place when keep_pytm is false.

    Returns every threat the state now holds by id, the first of each id, as pytm's resolve() reports them.
    """
    if not keep_pytm:
        state.threats.clear()
    state.threats.extend(threats)
    by_id: dict[str, Threat] = {}
    for threat in state.threats:
        by_id.setdefault(threat.id, threat)
    return by_id
