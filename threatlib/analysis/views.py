"""The model and its legal layer as the outputs see them: plain records of what the model says and what compile derived."""

from __future__ import annotations

from collections.abc import Callable

from threatlib.analysis.model import (
    AuthorityView,
    Basis,
    BoundaryView,
    CitedClaim,
    CompulsionView,
    DataView,
    ElementView,
    FlowView,
    JurisdictionView,
    ModelInfo,
    OrganisationView,
)
from threatlib.compile import CompiledModel
from threatlib.compile.legal import LegalBasis
from threatlib.documents.common import Claim, Status
from threatlib.spec import Document


def model_views(compiled: CompiledModel, doc: Document | None) -> dict:
    """The Analysis's model, organisations, data, boundaries, elements and flows."""
    spec = compiled.spec

    def line(section: str, index: int) -> int:
        return doc.positions.of_value((section, index))[0] if doc else 0

    m = spec.metadata
    return dict(
        model=ModelInfo(id=m.id, file=doc.file if doc else "", name=m.name, description=m.description, scope=m.scope,
                        as_of=m.as_of.isoformat(),
                        data_subjects_in=list(m.data_subjects_in), authors=list(m.authors),
                        domestic=sorted(compiled.domestic), legal_layer=compiled.legal_layer,
                        timeframe_years=m.timeframe_years, data_subjects=[g.value for g in m.data_subjects]),
        organisations=[OrganisationView(id=o.id, name=o.name, description=o.description,
                                        incorporated_in=o.incorporated_in, headquarters=o.headquarters,
                                        parent=o.parent, control=o.control,
                                        staff_access_from=list(o.staff_access_from), claims=claim_views(o.claims),
                                        staff_access_unnamed=o.staff_access_unnamed,
                                        headquarters_disputed=list(o.headquarters_disputed))
                       for o in spec.organisations],
        data=[DataView(id=d.id, name=d.name, description=d.description, classification=d.classification.value,
                       personal=d.personal, sensitive=d.sensitive, children=d.children) for d in spec.data],
        boundaries=[BoundaryView(id=b.id, name=b.name, parent=b.parent) for b in spec.boundaries],
        elements=[ElementView.trusted(id=e.id, line=line("elements", i), name=e.name, kind=e.kind.value, description=e.description,
                                      tags=[t.value for t in e.tags],
                                      operator=e.operator,
                                      location=e.location, boundary=e.boundary, stores=list(e.stores), in_scope=e.in_scope,
                                      compelling=list(compiled.facts[e.id].compelling),
                                      foreign_compelling=list(compiled.facts[e.id].foreign_compelling),
                                      claims=claim_views(e.claims), pytm_class=compiled.pytm_classes.get(e.id, ""))
                  for i, e in enumerate(spec.elements)],
        flows=[FlowView.trusted(id=f.id, line=line("flows", i), name=f.name, source=f.source, sink=f.sink, data=list(f.data),
                                protocol=f.protocol, encryption=f.encryption.value, remote_access=f.remote_access,
                                crosses_legal_order=compiled.facts[f.id].crosses_legal_order, claims=claim_views(f.claims))
               for i, f in enumerate(spec.flows)],
    )


def legal_views(compiled: CompiledModel, cite_source: Callable[[object], str]) -> dict:
    """The Analysis's compulsion links with their legal bases, the legal orders the model touches, and the
    authorities that can compel; cite_source records each provision's sources among the analysis's."""
    spec = compiled.spec
    provisions = compiled.library.provision_index()
    converted: dict[int, Basis] = {}

    def basis(b: LegalBasis) -> Basis:
        """The same basis reaches many elements (compile shares one tuple of them between elements alike, alive for
        the analysis, so its identity names it): convert each once."""
        if id(b) in converted:
            return converted[id(b)]
        _, _, provision = provisions[b.provision_id]
        for s in provision.sources:
            cite_source(s)
        converted[id(b)] = Basis.trusted(
            jurisdiction=b.jurisdiction, provision_id=b.provision_id, law=b.law_short, law_rank=b.law_rank,
            article=b.article, label=b.label, powers=list(b.powers), via=b.via, chain=list(b.chain),
            status=Status(b.status), summary=provision.summary, sources=[s.id for s in provision.sources])
        return converted[id(b)]

    make_view = CompulsionView.maker()
    compulsion = [make_view({"id": l.id, "element": l.element, "authority": l.authority, "jurisdiction": l.jurisdiction,
                             "foreign": l.foreign, "bases": [converted.get(id(b)) or basis(b) for b in l.bases]})
                  for l in compiled.compulsion]
    used_codes = {e.location for e in spec.elements if e.location} | {l.jurisdiction for l in compiled.compulsion}
    used_codes |= {c for o in spec.organisations for c in (o.incorporated_in, o.headquarters, *o.staff_access_from)}
    used_codes |= set(spec.metadata.data_subjects_in)
    jurisdictions = [JurisdictionView(id=j.id, name=j.name, part_of=j.part_of, summary=j.summary,
                                      foreign=j.id not in compiled.domestic, library=compiled.library.origin(j.id))
                     for code, j in sorted(compiled.library.jurisdictions.items()) if code in used_codes]
    authorities = []
    for authority_id, (code, name) in compiled.authorities.items():
        description = next(a.description for a in compiled.library.jurisdictions[code].authorities if a.id == authority_id)
        authorities.append(AuthorityView(id=authority_id, name=name, jurisdiction=code, description=description))
    return dict(compulsion=compulsion, jurisdictions=jurisdictions, authorities=authorities)


def claim_views(claims: list[Claim]) -> list[CitedClaim]:
    return [CitedClaim(statement=c.statement, status=c.status.value, sources=list(c.sources)) for c in claims]
