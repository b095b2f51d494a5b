"""Compile stage: a validated model plus the library become a pytm TM with derived facts and compulsion links.

It owns pytm's global state (see pytm_state): the TM, its elements and threats live in a state object
held by the CompiledModel, never in the process-wide registry once compile returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytm
from pytm.tm import TMState

from threatlib.collector import collector_paused
from threatlib.errors import ThreatConditionError
from threatlib.facts import Facts, PowersByLink
from threatlib.legal import LegalBasis, LegalReach, reaching
from threatlib.library import Library, LoadedThreat
from threatlib.library.conditions import condition_function
from threatlib.pytm_state import fresh_state
from threatlib.spec.model import Element, Encryption, Model

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


@dataclass(frozen=True)
class CompulsionLink:
    """A derived flow: a state authority can reach an element's data through its operator or location."""

    id: str
    element: str
    jurisdiction: str
    authority: str
    bases: tuple[LegalBasis, ...]
    foreign: bool


@dataclass
class CompiledModel:
    spec: Model
    library: Library
    tm: pytm.TM
    state: TMState
    facts: dict[str, Facts]  # element and flow ids
    bases: dict[str, tuple[LegalBasis, ...]]  # element id -> every legal basis reaching it
    compulsion: tuple[CompulsionLink, ...]
    domestic: frozenset[str]
    authorities: dict[str, tuple[str, str]]  # authority id -> (jurisdiction, name)
    legal_layer: bool = True  # False for a pytm script or an import not yet given organisations and jurisdictions
    # A pytm script: the (threat, element) pairs its own TM.resolve() found, excluded ones included; None otherwise.
    resolved: tuple | None = None
    pytm_classes: dict[str, str] = field(default_factory=dict)  # a pytm script: element id -> its pytm class name


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
        object.__setattr__(self, "_condition", condition_function(t.condition, t.id))

    def apply(self, target) -> bool:
        facts = getattr(target, "facts", None)
        if facts is None or facts.kind not in self.kinds:
            return False
        return self.holds(target)

    def holds(self, target) -> bool:
        """The condition alone, for an element with facts of a kind the threat targets."""
        try:
            return bool(self._condition(target))
        except Exception as exc:
            raise ThreatConditionError(f"threat {self._loaded.threat.id}: condition raised {type(exc).__name__}: "
                                       f"{exc} on '{target.facts.id}'") from exc


@dataclass(frozen=True)
class Derived:
    facts: dict[str, Facts]
    bases: dict[str, tuple[LegalBasis, ...]]
    compulsion: tuple[CompulsionLink, ...]
    authorities: dict[str, tuple[str, str]]
    domestic: frozenset[str]


@collector_paused()
def compile_model(model: Model, library: Library, *, pytm_threats: bool | None = None) -> CompiledModel:
    """pytm_threats overrides the model's own `threats.pytm` choice (the fixtures turn them off)."""
    if pytm_threats is None:
        pytm_threats = model.threats.pytm
    d = derive(model, library)
    with fresh_state() as state:
        tm = _build_pytm(model, library, d.facts, pytm_threats)
    return CompiledModel(model, library, tm, state, d.facts, d.bases, d.compulsion, d.domestic, d.authorities,
                         legal_layer=model.legal_layer())


def derive(model: Model, library: Library) -> Derived:
    """The facts threat conditions read, the legal bases reaching each element, and the compulsion links."""
    reach = LegalReach(model, library)
    data = {d.id: d for d in model.data}
    organisations = {o.id: o for o in model.organisations}
    received: dict[str, set[str]] = {e.id: set(e.stores) for e in model.elements}
    for flow in model.flows:
        received[flow.source].update(flow.data)
        received[flow.sink].update(flow.data)

    facts: dict[str, Facts] = {}
    bases: dict[str, tuple[LegalBasis, ...]] = {}
    for element in model.elements:
        sectors = frozenset(organisations[element.operator].sectors) if element.operator else frozenset()
        scale = organisations[element.operator].scale if element.operator else None
        # People reach data only as staff of an organisation: a user (an actor with no operator) compels nothing.
        is_user = element.kind.value == "actor" and not element.operator
        element_bases = () if is_user else reach.bases(reach.element_links(element), sectors, scale)
        bases[element.id] = element_bases
        facts[element.id] = _element_facts(element, element_bases, sorted(received[element.id]), data, reach.domestic,
                                           library)
        if element.operator and organisations[element.operator].staff_access_unnamed:
            # Staff in countries nobody names: an unknown legal order may reach it, which is not a safe one.
            facts[element.id] = replace(facts[element.id], staff_in_unnamed_countries=True)
    for flow in model.flows:
        carried = sorted(set(flow.data))
        sink = facts[flow.sink]
        source = facts[flow.source]
        facts[flow.id] = Facts(
            id=flow.id, kind="flow", name=flow.name, jurisdiction=sink.jurisdiction, handles=tuple(carried),
            **_data_flags(carried, data), data_tags=_tags(carried, data), source=flow.source, sink=flow.sink,
            source_tags=source.tags, sink_tags=sink.tags, weak_safeguards=sink.weak_safeguards,
            source_jurisdiction=source.jurisdiction,
            crosses_legal_order=source.jurisdiction != sink.jurisdiction,
            enters_foreign=bool(sink.jurisdiction) and sink.jurisdiction not in reach.domestic,
            remote_access=flow.remote_access, encrypted=flow.encryption is not Encryption.none,
            sink_foreign_compelling=sink.foreign_compelling,
            source_foreign_compelling=source.foreign_compelling, source_operator=source.operator, sink_operator=sink.operator,
        )

    compulsion, authorities = _compulsion_links(model, library, bases, reach.domestic)
    return Derived(facts, bases, compulsion, authorities, reach.domestic)


def _data_flags(ids, data) -> dict[str, bool]:
    return {
        "handles_personal": any(data[i].personal for i in ids),
        "handles_sensitive": any(data[i].sensitive for i in ids),
        "handles_children": any(data[i].children for i in ids),
    }


def _tags(ids, data) -> frozenset[str]:
    return frozenset(t.value for i in ids for t in data[i].tags)


def _weak_safeguards(codes, library: Library) -> tuple[str, ...]:
    """Jurisdictions rated weak or absent on at least one of the EDPB's essential guarantees."""
    return tuple(code for code in codes if library.jurisdictions[code].essential_guarantees.level() == "weak")


def _element_facts(element: Element, element_bases, handled, data, domestic, library: Library) -> Facts:
    reaching_bases = reaching(element_bases)
    compelling = sorted({b.jurisdiction for b in reaching_bases})
    foreign = [b for b in element_bases if b.jurisdiction not in domestic]
    powers_via: dict[str, set[str]] = {}
    for b in foreign:
        powers_via.setdefault(b.via.value, set()).update(p.value for p in b.powers)
    return Facts(
        id=element.id, kind=element.kind.value, name=element.name, jurisdiction=element.location or "",
        operator=element.operator or "", tags=frozenset(t.value for t in element.tags),
        stores=tuple(sorted(set(element.stores))), handles=tuple(handled),
        data_tags=_tags(handled, data), stored_tags=_tags(element.stores, data),
        **_data_flags(handled, data), stores_personal=any(data[i].personal for i in element.stores),
        compelling=tuple(compelling), foreign_compelling=tuple(c for c in compelling if c not in domestic),
        weak_safeguards=_weak_safeguards([c for c in compelling if c not in domestic], library),
        foreign_powers=frozenset(p.value for b in foreign for p in b.powers),
        foreign_powers_via=PowersByLink({k: frozenset(v) for k, v in sorted(powers_via.items())}),
    )


def _compulsion_links(model, library, bases, domestic):
    """One derived flow per (element, authority) for elements an organisation operates."""
    links = []
    authorities: dict[str, tuple[str, str]] = {}
    for element in model.elements:
        if not element.operator:
            continue
        by_authority: dict[str, list[LegalBasis]] = {}
        for basis in reaching(bases[element.id]):
            for authority in basis.authorities:
                by_authority.setdefault(authority, []).append(basis)
        for authority, authority_bases in sorted(by_authority.items()):
            jurisdiction = authority_bases[0].jurisdiction
            names = {a.id: a.name for a in library.jurisdictions[jurisdiction].authorities}
            authorities[authority] = (jurisdiction, names[authority])
            links.append(CompulsionLink(f"compel-{authority}-{element.id}", element.id, jurisdiction, authority,
                                        tuple(authority_bases), jurisdiction not in domestic))
    return tuple(links), dict(sorted(authorities.items()))


def _build_pytm(model, library, facts, pytm_threats) -> pytm.TM:
    """The model's own elements and flows as pytm objects, each carrying its facts.

    Compulsion links and state authorities stay our records (CompiledModel.compulsion), drawn by every output,
    and are not pytm Dataflows: no threat targets them, while pytm's check() would wire 20,000 derived flows
    of a 5,000-asset estate into elements' inputs and outputs (where its rules read network flows), at a
    third of the analysis's time. Findings are the same either way (checked on every shipped model).
    """
    tm = pytm.TM(model.metadata.name, description=model.metadata.description)
    if not pytm_threats:
        pytm.TM._threats = []
    families = set(model.threats.families) if model.threats.families is not None else None
    pytm.TM._threats.extend(LibraryThreat(t) for t in library.threats if families is None or t.threat.family in families)

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
