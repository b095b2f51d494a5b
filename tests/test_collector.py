"""The collector is paused inside a stage and restored after it; a long-lived stage's objects go to the oldest
generation, where a full collection still frees what is garbage."""

from __future__ import annotations

import gc
import weakref

import pytest

from threatlib.collector import collector_paused


class Node:
    pass


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.parametrize("long_lived", [False, True])
def test_paused_inside_and_restored(collector_on, long_lived):
    with collector_paused(long_lived=long_lived):
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collector_paused(long_lived=long_lived):
        pass
    assert not gc.isenabled()  # a caller's own pause stays


def test_long_lived_objects_go_to_the_oldest_generation(collector_on):
    gc.collect()
    with collector_paused(long_lived=True):
        kept = [[i] for i in range(10_000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(x) in oldest for x in kept)  # none left young, for the next young collection to walk again


def test_cyclic_garbage_still_freed_by_a_full_collection(collector_on):
    with collector_paused(long_lived=True):
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
    assert alive() is not None  # only a cycle keeps it: refcounting alone never frees it
    gc.collect()
    assert alive() is None


def test_someone_elses_frozen_objects_stay_frozen(collector_on):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused(long_lived=True):
            [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
