"""Which legal orders can compel whom, and on what basis: derived from organisations and the library.

An organisation is linked to a jurisdiction by incorporation, headquarters, where its staff with access
sit, and (transitively) by control from a parent incorporated or headquartered there. An element adds
its own location. A provision reaches an element when one of those links is among its `applies_via`, and its
law was enacted by the model's `as_of` date (a model of 2020 is not reached by a law of 2024).
Every organisation's links are computed once and memoised, so the cost grows linearly with the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatlib.documents.yaml_source import Document
from threatlib.errors import Problem
from threatlib.library import Library
from threatlib.library.schema import REACHING_POWERS, Nexus, Power, Provision, Thresholds
from threatlib.spec.model import Element, Model, Scale


@dataclass(frozen=True, order=True)
class Link:
    """A route by which a jurisdiction reaches an element: how, and through which organisations."""

    jurisdiction: str
    via: Nexus
    chain: tuple[str, ...]  # organisation ids from the operator up to the one that carries the link


@dataclass(frozen=True, order=True)
class LegalBasis:
    jurisdiction: str
    law_rank: int  # the law's place in its jurisdiction file, which lists the most significant first
    provision_id: str
    law_id: str
    law_short: str
    article: str
    powers: tuple[Power, ...]
    via: Nexus
    chain: tuple[str, ...]
    authorities: tuple[str, ...]
    status: str

    @property
    def label(self) -> str:
        return f"{self.law_short} {self.article}"


@dataclass(frozen=True)
class CompulsionLink:
    """A derived flow: a state authority can reach an element's data through its operator or location."""

    id: str
    element: str
    jurisdiction: str
    authority: str
    bases: tuple[LegalBasis, ...]
    foreign: bool


class LegalReach:
    """Answers "which jurisdictions reach this element, and under which provisions?" for one model."""

    def __init__(self, model: Model, library: Library):
        self.library = library
        self.organisations = {o.id: o for o in model.organisations}
        self._org_links: dict[str, tuple[Link, ...]] = {}
        # Elements with the same links (most share an operator and a place) get one tuple of bases: the analysis
        # then works each set of bases out once, by its identity.
        self._bases: dict[tuple, tuple[LegalBasis, ...]] = {}
        self.domestic = self._with_parents(model.metadata.data_subjects_in)
        self.as_of = model.metadata.as_of  # a law enacted after the model's date reaches nothing in it

    def _with_parents(self, codes) -> frozenset[str]:
        """A jurisdiction's law reaches into its parts: Irish users live under EU law too."""
        out: set[str] = set()
        for code in codes:
            while code and code not in out:
                out.add(code)
                code = self.library.jurisdictions[code].part_of
        return frozenset(out)

    def organisation_links(self, org_id: str) -> tuple[Link, ...]:
        if org_id in self._org_links:
            return self._org_links[org_id]
        # Walk up to the first memoised ancestor, then fill in downwards: no recursion on deep chains.
        chain = []
        current: str | None = org_id
        while current is not None and current not in self._org_links:
            chain.append(current)
            current = self.organisations[current].parent
        for oid in reversed(chain):
            org = self.organisations[oid]
            links = {Link(org.incorporated_in, Nexus.incorporation, (oid,)), Link(org.headquarters, Nexus.headquarters, (oid,))}
            # A disputed headquarters is analysed as a headquarters: the unsafe reading is never dropped.
            links |= {Link(code, Nexus.headquarters, (oid,)) for code in org.headquarters_disputed}
            links |= {Link(code, Nexus.staff, (oid,)) for code in org.staff_access_from}
            if org.parent:
                links |= {Link(l.jurisdiction, Nexus.control, (oid,) + l.chain)
                          for l in self._org_links[org.parent] if l.via is not Nexus.staff}
            self._org_links[oid] = self._expand(links)
        return self._org_links[org_id]

    def element_links(self, element: Element) -> tuple[Link, ...]:
        links = set(self.organisation_links(element.operator)) if element.operator else set()
        if element.location:
            links.add(Link(element.location, Nexus.location, ()))
        return self._expand(links)

    def _expand(self, links: set[Link]) -> tuple[Link, ...]:
        """Add parent legal orders (IE -> EU) and keep, per jurisdiction and link kind, the shortest chain."""
        best: dict[tuple[str, Nexus], Link] = {}
        for link in links:
            code: str | None = link.jurisdiction
            while code:
                key = (code, link.via)
                candidate = Link(code, link.via, link.chain)
                if key not in best or (len(candidate.chain), candidate.chain) < (len(best[key].chain), best[key].chain):
                    best[key] = candidate
                code = self.library.jurisdictions[code].part_of
        return tuple(sorted(best.values()))

    def bases(self, links: tuple[Link, ...], sectors: frozenset = frozenset(), scale: Scale | None = None) -> tuple[LegalBasis, ...]:
        """Provisions that reach through these links; one limited to sectors or sizes only if the operator is in
        one of the sectors or reaches one of the sizes."""
        key = (links, sectors, None if scale is None else (scale.personal_data_subjects, scale.users))
        if key not in self._bases:
            self._bases[key] = self._reaching_through(links, sectors, scale)
        return self._bases[key]

    def _reaching_through(self, links: tuple[Link, ...], sectors: frozenset, scale: Scale | None) -> tuple[LegalBasis, ...]:
        out = []
        for link in links:
            jurisdiction = self.library.jurisdictions[link.jurisdiction]
            for rank, law in enumerate(jurisdiction.laws):
                if law.enacted > self.as_of:
                    continue
                for p in law.provisions:
                    if link.via in p.applies_via and binds(p, sectors, scale):
                        out.append(LegalBasis(jurisdiction=link.jurisdiction, law_rank=rank, provision_id=p.id, law_id=law.id,
                                              law_short=law.short, article=p.article, powers=tuple(p.powers), via=link.via,
                                              chain=link.chain, authorities=tuple(p.authorities), status=p.status.value))
        return tuple(sorted(out))


def binds(provision: Provision, sectors: frozenset, scale: Scale | None) -> bool:
    """Does a provision bind an organisation of these sectors and this size (unstated: reaches no threshold)?"""
    if not provision.sectors and provision.thresholds is None:
        return True
    return bool(sectors.intersection(provision.sectors)) or reaches_threshold(provision.thresholds, scale)


def reaches_threshold(thresholds: Thresholds | None, scale: Scale | None) -> bool:
    if thresholds is None or scale is None:
        return False
    return any(limit is not None and stated is not None and stated >= limit
               for limit, stated in ((thresholds.personal_data_subjects, scale.personal_data_subjects),
                                     (thresholds.users, scale.users)))


def reaching(bases: tuple[LegalBasis, ...]) -> tuple[LegalBasis, ...]:
    """The bases that let a state obtain data or make an organisation act."""
    return tuple(b for b in bases if REACHING_POWERS.intersection(b.powers))


def compulsion_links(model: Model, library: Library, bases: dict[str, tuple[LegalBasis, ...]],
                     domestic: frozenset[str]) -> tuple[tuple[CompulsionLink, ...], dict[str, tuple[str, str]]]:
    """One derived flow per (element, authority) for elements an organisation operates, and each authority's
    (jurisdiction, name)."""
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
            links.append(CompulsionLink(id=f"compel-{authority}-{element.id}", element=element.id, jurisdiction=jurisdiction,
                                        authority=authority, bases=tuple(authority_bases),
                                        foreign=jurisdiction not in domestic))
    return tuple(links), dict(sorted(authorities.items()))


# Large enough to pass any threshold: an organisation of unknown size is tried as if it passed them all.
_UNBOUNDED = Scale(personal_data_subjects=10**15, users=10**15)


def unstated_scale(model: Model, doc: Document, library: Library) -> list[Problem]:
    """A warning, at the organisation, for each one of unstated size that a provision binding by size would reach."""
    if not any(p.thresholds for j in library.jurisdictions.values() for law in j.laws for p in law.provisions):
        return []
    reach = LegalReach(model, library)
    warnings = []
    for i, o in enumerate(model.organisations):
        if o.scale is not None:
            continue
        links, sectors = reach.organisation_links(o.id), frozenset(o.sectors)
        by_size = sorted({b.label for b in reach.bases(links, sectors, _UNBOUNDED)} - {b.label for b in reach.bases(links, sectors)})
        if by_size:
            warnings.append(doc.problem(("organisations", i, "id"), f"warning: organisation '{o.id}' states no scale, so "
                                        f"provisions that bind above a size were not applied to it ({'; '.join(by_size)}); "
                                        "state its scale (personal_data_subjects, users) to decide"))
    return warnings
