"""Our check of a compiled model leaves every pytm element, flow and data item as pytm's own TM.check() leaves it:
the same field values, the same fields marked set, the same inputs, outputs, carriers and processors in order."""

from __future__ import annotations

import enum
import uuid
from pathlib import Path

import pytest
import pytm
from estates import estate_file
from pydantic import BaseModel

from threatlib.compile import compile_model
from threatlib.compile.pytm_check import check
from threatlib.compile.pytm_state import active_state
from threatlib.spec import load_model

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml")) + [ROOT / "tests" / "models" / f"{name}.yaml" for name in ("small", "hostile", "scripts")]


def _value(value, depth: int = 0):
    """A value as it can be compared between two compiles: records by class and name (their uuids are random)."""
    if isinstance(value, BaseModel):
        name = getattr(value, "name", None)
        if name is not None or depth > 0:
            return (type(value).__name__, name)
        return _record(value, depth + 1)
    if isinstance(value, list | tuple):
        return [_value(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_value(v, depth + 1) for v in value), key=repr)
    if isinstance(value, uuid.UUID):
        return "uuid"
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    return value


def _record(record: BaseModel, depth: int = 0) -> dict:
    fields = {name: _value(getattr(record, name), depth) for name in type(record).model_fields}
    fields["fields set"] = sorted(record.model_fields_set)
    fields["extra"] = sorted(record.__pydantic_extra__ or {})
    return fields


def _checked_state(path: Path, library, ours: bool) -> tuple[bool, dict]:
    compiled = compile_model(load_model(path, library)[0], library, pytm_threats=True)
    state = compiled.state
    with active_state(state):
        result = check(compiled.tm, state) if ours else compiled.tm.check()
    return result, {
        "flows": [_record(f) for f in state.flows],
        "elements": [(type(e).__name__, _record(e)) for e in state.elements],
        "data": [_record(d) for d in state.data],
        "controls": [_record(e.controls) for e in state.elements],
    }


@pytest.mark.parametrize("model", MODELS, ids=[p.stem for p in MODELS])
def test_ours_leaves_what_pytms_check_leaves(model: Path, library) -> None:
    assert _checked_state(model, library, ours=True) == _checked_state(model, library, ours=False)


def test_ours_leaves_what_pytms_check_leaves_on_an_estate(tmp_path, library) -> None:
    path = estate_file(tmp_path, 300)
    mine, pytms = _checked_state(path, library, ours=True), _checked_state(path, library, ours=False)
    assert any(f["protocol"] != "" or f["dstPort"] != -1 or f["controls"]["isEncrypted"] for f in pytms[1]["flows"]) or \
        any("protocol" in f["fields set"] for f in pytms[1]["flows"])  # the defaults were written: something to compare
    assert mine == pytms


def test_a_model_compile_does_not_build_goes_to_pytms_check(small_model_path, library) -> None:
    compiled = compile_model(load_model(small_model_path, library)[0], library, pytm_threats=True)
    flow = compiled.state.flows[0]
    flow.order = 3  # an ordered flow: pytm's own sort and numbering
    compiled.tm.isOrdered = True
    calls = []
    original = pytm.TM.check

    def counted(self):
        calls.append(self)
        return original(self)

    pytm.TM.check = counted
    try:
        with active_state(compiled.state):
            assert check(compiled.tm, compiled.state) is True
    finally:
        pytm.TM.check = original
    assert calls == [compiled.tm]
