"""pytm keeps its elements in class-level state; each compiled model must keep its own."""

from __future__ import annotations

from pytm import TM

from threatlib.analysis import analyse
from threatlib.compile import compile_model
from threatlib.library import LIBRARY_DIR
from threatlib.library.proofs import read_fixture
from threatlib.spec import load_model

FIXTURE = LIBRARY_DIR / "threats" / "cross-border" / "XB-01" / "fires.yaml"


def test_two_models_compiled_in_one_process_do_not_mix(small_model_path, library) -> None:
    before = TM._state
    small = compile_model(load_model(small_model_path, library)[0], library)
    fixture = compile_model(read_fixture(FIXTURE, library, "XB-01").model, library)
    assert TM._state is before  # compile leaves the process-wide registry as it found it

    small_ids = {e.id for e in small.spec.elements} | {f.id for f in small.spec.flows}
    fixture_ids = {e.id for e in fixture.spec.elements} | {f.id for f in fixture.spec.flows}
    first = analyse(small)
    second = analyse(fixture)
    assert {f.element_id for f in first.findings} <= small_ids
    assert {f.element_id for f in second.findings} <= fixture_ids
    assert {e.name for e in small.state.elements if hasattr(e, "facts")} >= {"Dublin data centre"}
    assert "Dublin data centre" not in {e.name for e in fixture.state.elements}


def test_analysing_twice_gives_the_same_findings(small_model_path, library) -> None:
    compiled = compile_model(load_model(small_model_path, library)[0], library)
    assert analyse(compiled).findings == analyse(compiled).findings
