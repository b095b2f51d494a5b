"""The model's elements and flows as pytm objects, and our library's threats inside pytm's engine."""

from __future__ import annotations

import pytm
from pytm.tm import TMState

from threatlib.compile.facts import Facts
from threatlib.compile.pytm_state import register_threats, shared_pytm_threats
from threatlib.errors import ThreatConditionError
from threatlib.library import Library, LoadedThreat
from threatlib.library.conditions import facts_condition_function
from threatlib.spec.model import Model

PYTM_CLASS = {
    "actor": pytm.Actor,
    "device": pytm.Asset,  # pytm has no device class; its technical threats target servers and processes
    "process": pytm.Process,
    "server": pytm.Server,
    "datastore": pytm.Datastore,
    "external": pytm.ExternalEntity,
}
PYTM_CLASSIFICATION = {
    "public": pytm.Classification.PUBLIC,
    "restricted": pytm.Classification.RESTRICTED,
    "sensitive": pytm.Classification.SENSITIVE,
    "secret": pytm.Classification.SECRET,
}


class LibraryThreat(pytm.Threat):
    """One of our threats inside pytm's engine, but strict: a condition that raises stops the run.

    pytm's own Threat.apply swallows every exception, so a broken rule would silently never fire.
    """

    def __init__(self, loaded: LoadedThreat):
        t = loaded.threat
        super().__init__(id=t.id, description=t.title, details=t.description, severity=t.severity.label,
                         likelihood=t.likelihood.label, condition="True", target=())
        object.__setattr__(self, "_loaded", loaded)
        object.__setattr__(self, "kinds", frozenset(k.value for k in t.targets))
        object.__setattr__(self, "_facts_condition", facts_condition_function(t.condition, t.id))

    def apply(self, target) -> bool:
        facts = getattr(target, "facts", None)
        if facts is None or facts.kind not in self.kinds:
            return False
        return self.holds(target)

    def holds(self, target) -> bool:
        """The condition alone, for an element with facts of a kind the threat targets."""
        return self.holds_given(target, target.facts)

    def holds_given(self, target, facts: Facts) -> bool:
        """holds(), with the element's facts already read."""
        try:
            return bool(self._facts_condition(target, facts))
        except Exception as exc:
            raise ThreatConditionError(f"threat {self._loaded.threat.id}: condition raised {type(exc).__name__}: "
                                       f"{exc} on '{facts.id}'") from exc


def build_pytm(model: Model, library: Library, facts: dict[str, Facts], state: TMState, pytm_threats: bool) -> pytm.TM:
    """The model's own elements and flows as pytm objects, each carrying its facts, built into `state` (the one
    installed while this runs); our threats join pytm's there.

    Compulsion links and state authorities stay our records (CompiledModel.compulsion), drawn by every output,
    and are not pytm Dataflows: no threat targets them, while pytm's check() would wire 20,000 derived flows
    of a 5,000-asset estate into elements' inputs and outputs (where its rules read network flows), at a
    third of the analysis's time. Findings are the same either way (checked on every shipped model).
    """
    with shared_pytm_threats():
        tm = pytm.TM(model.metadata.name, description=model.metadata.description)
    families = set(model.threats.families) if model.threats.families is not None else None
    register_threats(state, (LibraryThreat(t) for t in library.threats if families is None or t.threat.family in families),
                     keep_pytm=pytm_threats)

    boundaries: dict[str, pytm.Boundary] = {}
    by_id = {b.id: b for b in model.boundaries}
    for boundary in model.boundaries:  # parents first, whatever the file's order
        stack = []
        current = boundary
        while current and current.id not in boundaries:
            stack.append(current)
            current = by_id.get(current.parent) if current.parent else None
        for b in reversed(stack):
            boundaries[b.id] = pytm.Boundary(b.name, description=b.description,
                                             inBoundary=boundaries.get(b.parent) if b.parent else None)

    data = {}
    for d in model.data:
        data[d.id] = pytm.Data(d.name, description=d.description, classification=PYTM_CLASSIFICATION[d.classification.value],
                               isPII=d.personal)
    elements = {}
    for e in model.elements:
        cls = PYTM_CLASS[e.kind.value]
        kwargs = dict(description=e.description, inScope=e.in_scope,
                      inBoundary=boundaries.get(e.boundary) if e.boundary else None,
                      controls=pytm.Controls(**e.controls))
        if issubclass(cls, pytm.Asset):
            kwargs["OS"] = e.os
        if cls is pytm.Datastore:
            kwargs.update(storesPII=facts[e.id].stores_personal, storesSensitiveData=any(
                d.sensitive for d in model.data if d.id in e.stores), isSQL=False)
        node = cls(e.name, **kwargs)
        node.facts = facts[e.id]
        elements[e.id] = node
    for f in model.flows:
        tls = {"none": pytm.TLSVersion.NONE, "tls1.2": pytm.TLSVersion.TLSv12,
               "tls1.3": pytm.TLSVersion.TLSv13, "e2e": pytm.TLSVersion.TLSv13}[f.encryption.value]
        flow = pytm.Dataflow(elements[f.source], elements[f.sink], f.name, protocol=f.protocol,
                             data=[data[i] for i in f.data], tlsVersion=tls, description=f.description,
                             controls=pytm.Controls(isEncrypted=f.encryption.value != "none"))
        flow.facts = facts[f.id]
    return tm
