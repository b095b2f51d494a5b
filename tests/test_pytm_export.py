"""Our threats, exported as a pytm threats file, load in plain pytm and fire exactly where ours do."""

from __future__ import annotations

import json

from threatlib.analysis import analyse
from threatlib.compile import compile_model
from threatlib.compile.pytm_state import active_state
from threatlib.library.pytm_export import pytm_condition, pytm_threats_json
from threatlib.spec import load_model


def test_powers_via_becomes_a_subscript_pytm_accepts() -> None:
    assert pytm_condition("'x' in target.facts.powers_via('control')") == "'x' in target.facts.foreign_powers_via['control']"


def test_plain_pytm_loads_the_export_and_finds_what_we_find(tmp_path, small_model_path, library) -> None:
    exported = tmp_path / "threatlib-threats.json"
    exported.write_bytes(pytm_threats_json(library))
    assert [t["SID"] for t in json.loads(exported.read_text())] == [t.threat.id for t in library.threats]

    model, _ = load_model(small_model_path, library)
    ours = {f.id for f in analyse(compile_model(model, library, pytm_threats=False)).findings}

    compiled = compile_model(model, library, pytm_threats=False)
    with active_state(compiled.state):
        compiled.tm.threatsFile = str(exported)  # pytm reloads its threats from the file, with its own checks
        assert len(compiled.state.threats) == len(library.threats)
        compiled.tm.check()
        compiled.tm.resolve()
        theirs = {f"{f.threat_id}@{f.element.facts.id}" for f in compiled.tm.findings}
    assert theirs == ours
