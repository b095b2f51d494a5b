"""Analyse stage: findings, legal bases, exposure paths; everything the renderers need, as plain data."""

from __future__ import annotations

from threatlib.analysis.debate import debate_views
from threatlib.analysis.diff import diff_exposures, diff_findings, diff_judgements
from threatlib.analysis.exposure import exposure_paths
from threatlib.analysis.findings import resolve_findings
from threatlib.analysis.judgements import ElementRater, judge
from threatlib.analysis.model import (
    Analysis,
    AuthorityView,
    Basis,
    BoundaryView,
    CitedClaim,
    CompulsionView,
    DataView,
    DecisionView,
    ElementView,
    ExcludedFinding,
    FlowView,
    JurisdictionView,
    KeyAssumption,
    ModelInfo,
    OrganisationView,
    PositionView,
    ScenarioView,
    SourceRef,
)
from threatlib.analysis.unknowns import unknown_location_warnings
from threatlib.collector import collector_paused
from threatlib.compile import CompiledModel
from threatlib.compile.legal import LegalBasis
from threatlib.spec import Document
from threatlib.spec.common import Claim
from threatlib.spec.model import Scenario

__all__ = ["Analysis", "analyse", "with_scenarios"]


@collector_paused()
def analyse(compiled: CompiledModel, doc: Document | None = None) -> Analysis:
    """doc, the parsed model file, lets outputs point at the line where each element is written."""
    spec = compiled.spec

    def line(section: str, index: int) -> int:
        return doc.positions.of_value((section, index))[0] if doc else 0

    cite: dict[str, SourceRef] = {s.id: SourceRef(**s.model_dump(mode="json")) for s in spec.sources}

    def cite_source(source) -> str:
        if source.id not in cite:
            cite[source.id] = SourceRef(**source.model_dump(mode="json"))
        return source.id

    provisions = compiled.library.provision_index()
    exposures = exposure_paths(compiled)
    judgements, no_judgement = judge(compiled, exposures, cite_source)
    findings = resolve_findings(compiled, cite, ElementRater(compiled, exposures, judgements))
    excluded, warnings = [], []
    by_id = {f.id: f for f in findings}
    for exclusion in spec.threats.exclusions:
        finding_id = f"{exclusion.threat}@{exclusion.element}"
        if finding_id in by_id:
            excluded.append(ExcludedFinding(finding=by_id.pop(finding_id), justification=exclusion.justification,
                                            owner=exclusion.owner))
        else:
            warnings.append(f"exclusion of {finding_id} matches no finding; remove it or check the ids")
    findings = [f for f in findings if f.id in by_id]
    warnings += unknown_location_warnings(compiled)
    decisions = []
    for d in spec.decisions:
        if d.finding in by_id:
            decisions.append(DecisionView(finding=d.finding, decision=d.decision.value, justification=d.justification,
                                          owner=d.owner, date=d.date.isoformat()))
        else:
            warnings.append(f"decision on {d.finding} matches no finding; the threat or element may have changed")

    converted: dict[LegalBasis, Basis] = {}

    def basis(b: LegalBasis) -> Basis:
        """The same basis reaches many elements: convert each once."""
        if b in converted:
            return converted[b]
        _, _, provision = provisions[b.provision_id]
        for s in provision.sources:
            if s.id not in cite:
                cite[s.id] = SourceRef(**s.model_dump(mode="json"))
        converted[b] = Basis(jurisdiction=b.jurisdiction, provision_id=b.provision_id, law=b.law_short, law_rank=b.law_rank,
                     article=b.article, label=b.label, powers=[p.value for p in b.powers], via=b.via.value, chain=list(b.chain),
                     status=b.status, summary=provision.summary, sources=[s.id for s in provision.sources])
        return converted[b]

    compulsion = [CompulsionView(id=l.id, element=l.element, authority=l.authority, jurisdiction=l.jurisdiction,
                                 foreign=l.foreign, bases=[basis(b) for b in l.bases]) for l in compiled.compulsion]
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

    m = spec.metadata
    return Analysis(
        model=ModelInfo(id=m.id, file=doc.file if doc else "", name=m.name, description=m.description, scope=m.scope,
                        as_of=m.as_of.isoformat(),
                        data_subjects_in=list(m.data_subjects_in), authors=list(m.authors),
                        domestic=sorted(compiled.domestic), legal_layer=compiled.legal_layer,
                        timeframe_years=m.timeframe_years, data_subjects=[g.value for g in m.data_subjects]),
        jurisdictions=jurisdictions,
        authorities=authorities,
        organisations=[OrganisationView(id=o.id, name=o.name, description=o.description,
                                        incorporated_in=o.incorporated_in, headquarters=o.headquarters,
                                        parent=o.parent, control=o.control,
                                        staff_access_from=list(o.staff_access_from), claims=_claims(o.claims),
                                        staff_access_unnamed=o.staff_access_unnamed,
                                        headquarters_disputed=list(o.headquarters_disputed))
                       for o in spec.organisations],
        data=[DataView(id=d.id, name=d.name, description=d.description, classification=d.classification.value,
                       personal=d.personal, sensitive=d.sensitive, children=d.children) for d in spec.data],
        boundaries=[BoundaryView(id=b.id, name=b.name, parent=b.parent) for b in spec.boundaries],
        elements=[ElementView(id=e.id, line=line("elements", i), name=e.name, kind=e.kind.value, description=e.description,
                              tags=[t.value for t in e.tags],
                              operator=e.operator,
                              location=e.location, boundary=e.boundary, stores=list(e.stores), in_scope=e.in_scope,
                              compelling=list(compiled.facts[e.id].compelling),
                              foreign_compelling=list(compiled.facts[e.id].foreign_compelling),
                              claims=_claims(e.claims), pytm_class=compiled.pytm_classes.get(e.id, ""))
                  for i, e in enumerate(spec.elements)],
        flows=[FlowView(id=f.id, line=line("flows", i), name=f.name, source=f.source, sink=f.sink, data=list(f.data), protocol=f.protocol,
                        encryption=f.encryption.value, remote_access=f.remote_access,
                        crosses_legal_order=compiled.facts[f.id].crosses_legal_order, claims=_claims(f.claims))
               for i, f in enumerate(spec.flows)],
        compulsion=compulsion,
        exposures=exposures,
        judgements=judgements,
        no_judgement=no_judgement,
        assumptions=[KeyAssumption(id=x.id, statement=x.statement, why=x.why, would_change=x.would_change)
                     for x in spec.assumptions],
        findings=findings,
        excluded=sorted(excluded, key=lambda x: x.finding.id),
        decisions=sorted(decisions, key=lambda d: d.finding),
        warnings=warnings,
        scenarios=[],
        positions=[PositionView(id=p.id, topic=p.topic, vendor=_claims([p.vendor])[0], counter=_claims(p.counter))
                   for p in spec.positions],
        sources=sorted(cite.values(), key=lambda s: s.id),
        debate=debate_views(spec, compiled.library.sources),
    )


def with_scenarios(baseline: Analysis, variants: list[tuple[Scenario, Analysis]]) -> Analysis:
    """The baseline analysis with each scenario's comparison against it."""
    views = []
    sources = {s.id: s for s in baseline.sources}
    for scenario, variant in variants:
        findings = diff_findings(baseline, variant)
        exposures = diff_exposures(baseline, variant)
        for s in variant.sources:
            sources.setdefault(s.id, s)
        views.append(ScenarioView(
            id=scenario.id, name=scenario.name, description=scenario.description, claims=_claims(scenario.claims),
            closed=exposures.closed, remaining=exposures.remaining, opened=exposures.opened,
            judgements=diff_judgements(baseline, variant),
            findings_added=findings.added, findings_removed=findings.removed,
            findings_changed=[c.id for c in findings.changed],
            legal_findings=sum(1 for f in variant.findings if f.origin == "threatlib")))
    judgements = [_with_scenario_indicators(j, views) for j in baseline.judgements]
    return baseline.model_copy(update={"scenarios": views, "judgements": judgements,
                                       "sources": sorted(sources.values(), key=lambda s: s.id)})


def _with_scenario_indicators(j, views: list[ScenarioView]):
    """A scenario that would lower a judgement is an indicator: if its premise comes true, the judgement falls."""
    lower = list(j.indicators.lower)
    for view in views:
        for change in view.judgements:
            if change.jurisdiction == j.jurisdiction and change.lowered:
                outcome = (f"the judgement falls to {change.after}" if change.after
                           else "no personal data reaches this legal order's places any more")
                lower.append(f"The premise of the scenario \"{view.name}\" coming true: {outcome}.")
    return j.model_copy(update={"indicators": j.indicators.model_copy(update={"lower": lower})})


def _claims(claims: list[Claim]) -> list[CitedClaim]:
    return [CitedClaim(statement=c.statement, status=c.status.value, sources=list(c.sources)) for c in claims]
