"""Conditions compiled once into functions answer exactly what evaluating them element by element answered."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytm

from threatlib.compile import LibraryThreat, compile_model, compile_script
from threatlib.compile.pytm_state import active_state
from threatlib.errors import ThreatConditionError
from threatlib.library.conditions import (
    SAFE_GLOBALS,
    compile_condition,
    condition_function,
    facts_condition_function,
    pytm_condition_test,
)
from threatlib.spec import load_model
from threatlib.spec.pytm_import import load_pytm_script

ROOT = Path(__file__).parent.parent
TESTS = Path(__file__).parent


def _compiled(path: Path, library):
    if path.suffix == ".py":
        return compile_script(load_pytm_script(path), library)
    return compile_model(load_model(path, library)[0], library, pytm_threats=True)


@pytest.fixture(scope="module", params=["models/tiktok.yaml", "models/zoom-2020.yaml", "tests/pytm_models/webapp.py"])
def compiled(request, library):
    compiled = _compiled(ROOT / request.param, library)
    with active_state(compiled.state):
        compiled.tm.check()  # as matches() does: flow defaults are filled in before any condition runs
        yield compiled


def _pairs(compiled):
    """Every (threat, element) pair pytm's apply would be asked about, in-scope elements of every class."""
    return [(t, e) for t in compiled.state.threats for e in compiled.state.elements if e.inScope]


def test_pytm_threats_give_what_pytm_apply_gives_on_every_element(compiled) -> None:
    pairs = [(t, e) for t, e in _pairs(compiled) if not isinstance(t, LibraryThreat)]
    assert pairs
    tests = {id(t): pytm_condition_test(t) for t, _ in pairs}
    applies = [(t.id, e.name) for t, e in pairs if t.apply(e)]
    assert applies  # the comparison below would be empty otherwise
    # pytm_condition_test assumes the element is of a class the threat targets, as matches() ensures.
    targeted = [(t, e) for t, e in pairs if not t.target or any(
        isinstance(c, type) and isinstance(e, c) or c == type(e).__name__ for c in t.target)]
    assert [(t.id, e.name) for t, e in targeted if tests[id(t)](e)] == applies


def test_our_threats_give_what_evaluating_the_compiled_text_gives(compiled) -> None:
    if not compiled.legal_layer:
        # A pytm script is analysed by pytm's own engine alone, so its findings are exactly pytm's.
        assert not any(isinstance(t, LibraryThreat) for t in compiled.state.threats)
        return
    pairs = [(t, e) for t, e in _pairs(compiled) if isinstance(t, LibraryThreat) and hasattr(e, "facts")
             and e.facts.kind in t.kinds]
    assert pairs
    old = [(t.id, e.facts.id) for t, e in pairs
           if eval(compile_condition(t._loaded.threat.condition, t.id), {**SAFE_GLOBALS, "target": e})]  # how apply evaluated them before
    assert old or not compiled.legal_layer  # a pytm script's elements have facts, but no legal reach
    assert [(t.id, e.facts.id) for t, e in pairs if t.holds(e)] == old
    assert [(t.id, e.facts.id) for t, e in pairs if t.apply(e)] == old


class _Target:
    def __init__(self, kind: str, data=()):
        self.kind = kind
        self.data = list(data)


def test_a_comprehension_sees_target_in_our_conditions() -> None:
    text = "any(k == target.kind for k in ('flow', 'server'))"
    assert condition_function(text, "T-1")(_Target("flow")) is True
    assert condition_function(text, "T-1")(_Target("actor")) is False
    assert eval(compile_condition(text, "T-1"), {**SAFE_GLOBALS, "target": _Target("flow")}) is True


class _Element:
    def __init__(self, facts, kind: str = "server"):
        self.facts, self.kind = facts, kind


@pytest.mark.parametrize("text", [
    "target.facts.kind == 'flow' and target.kind == 'server'",
    "any(t in target.facts.tags for t in ('a', 'b')) and len(target.facts.tags) > 1",
    "[f for f in [target.facts] if f.kind == 'flow'] != []",
    "any(target_facts == 'a' for target_facts in target.facts.tags)",  # binds the parameter's name itself
])
def test_our_conditions_given_the_facts_answer_what_they_answer_reading_them(text) -> None:
    from threatlib.compile.facts import Facts

    elements = [_Element(Facts(id=f"e{i}", kind=kind, name="E", tags=frozenset(tags)), kind=element_kind)
                for i, (kind, tags, element_kind) in enumerate([("flow", {"a", "b"}, "server"), ("flow", {"a"}, "server"),
                                                                 ("server", {"b", "c"}, "actor"), ("flow", set(), "x")])]
    plain, given = condition_function(text, "T-1"), facts_condition_function(text, "T-1")
    answers = [plain(e) for e in elements]
    assert True in answers and False in answers
    assert [given(e, e.facts) for e in elements] == answers


def test_a_pytm_condition_reading_target_inside_a_comprehension_stays_false_as_in_pytm() -> None:
    # pytm evaluates with `target` as a local, which a comprehension's own scope cannot see: NameError, so False.
    threat = pytm.Threat(id="X-1", condition="any(d == target.kind for d in ['flow'])", target=())
    element = _Target("flow")
    assert threat.apply(element) is False
    assert pytm_condition_test(threat)(element) is False
    # Its first iterable is evaluated outside that scope, so there `target` is seen, by pytm and by us.
    seen = pytm.Threat(id="X-2", condition="any(d == 'JSON' for d in target.data)", target=())
    assert seen.apply(_Target("flow", ["JSON"])) is True
    assert pytm_condition_test(seen)(_Target("flow", ["JSON"])) is True
    assert pytm_condition_test(seen)(_Target("flow", ["XML"])) is False


def test_a_pytm_condition_that_raises_does_not_apply_as_in_pytm() -> None:
    threat = pytm.Threat(id="X-3", condition="target.no_such_attribute == 1", target=())
    assert threat.apply(_Target("flow")) is False
    assert pytm_condition_test(threat)(_Target("flow")) is False
    empty = pytm.Threat(id="X-4", condition="", target=())
    assert empty.apply(_Target("flow")) is False
    assert pytm_condition_test(empty)(_Target("flow")) is False


def test_one_of_our_conditions_that_raises_names_the_threat_and_the_element(library, small_model_path) -> None:
    compiled = _compiled(small_model_path, library)
    threat = next(t for t in compiled.state.threats if isinstance(t, LibraryThreat))
    element = next(e for e in compiled.state.elements if hasattr(e, "facts"))
    object.__setattr__(threat, "_facts_condition", facts_condition_function("target.facts.no_such_fact", threat.id))
    with pytest.raises(ThreatConditionError) as caught:
        threat.holds(element)
    assert str(caught.value) == (f"threat {threat.id}: condition raised AttributeError: "
                                 f"'Facts' object has no attribute 'no_such_fact' on '{element.facts.id}'")
