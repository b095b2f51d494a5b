"""Derived facts: the graph questions answered once per model, before pytm sees it.

Which legal orders reach each element and on what basis (legal.py), what each element and flow holds, carries
and crosses, and the compulsion links from an organisation's elements to the state authorities that can reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from threatlib.compile.facts import Facts, PowersByLink
from threatlib.compile.legal import CompulsionLink, LegalBasis, LegalReach, compulsion_links, reaching
from threatlib.library import Library
from threatlib.library.schema import safeguard_level
from threatlib.spec.model import Element, Encryption, Model


@dataclass(frozen=True)
class Derived:
    """What the compile stage works out from a model and the library before pytm sees it."""

    facts: dict[str, Facts]
    bases: dict[str, tuple[LegalBasis, ...]]
    compulsion: tuple[CompulsionLink, ...]
    authorities: dict[str, tuple[str, str]]
    domestic: frozenset[str]


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

    compulsion, authorities = compulsion_links(model, library, bases, reach.domestic)
    return Derived(facts=facts, bases=bases, compulsion=compulsion, authorities=authorities, domestic=reach.domestic)


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
    return tuple(code for code in codes if safeguard_level(library.jurisdictions[code].essential_guarantees) == "weak")


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
