"""Analyse stage: findings, legal bases, exposure paths; everything the renderers need, as plain data."""

from __future__ import annotations

from threatlib.analysis.debate import debate_views
from threatlib.analysis.diff import diff_exposures, diff_findings, diff_judgements
from threatlib.analysis.element_rating import ElementRater
from threatlib.analysis.exposure import exposure_paths
from threatlib.analysis.findings import resolve_findings
from threatlib.analysis.judgements import judge
from threatlib.analysis.model import Analysis, DecisionView, ExcludedFinding, Finding, KeyAssumption, PositionView, ScenarioView, SourceRef
from threatlib.analysis.unknowns import unknown_location_warnings
from threatlib.analysis.views import claim_views, legal_views, model_views
from threatlib.collector import collector_paused
from threatlib.compile import CompiledModel
from threatlib.spec import Document
from threatlib.spec.model import Model, Scenario

__all__ = ["Analysis", "analyse", "with_scenarios"]


@collector_paused(long_lived=True)
def analyse(compiled: CompiledModel, doc: Document | None = None) -> Analysis:
    """doc, the parsed model file, lets outputs point at the line where each element is written."""
    spec = compiled.spec
    cite: dict[str, SourceRef] = {s.id: SourceRef(**s.model_dump(mode="json")) for s in spec.sources}

    def cite_source(source) -> str:
        if source.id not in cite:
            cite[source.id] = SourceRef(**source.model_dump(mode="json"))
        return source.id

    exposures = exposure_paths(compiled)
    judgements, no_judgement = judge(compiled, exposures, cite_source)
    findings = resolve_findings(compiled, cite, ElementRater(compiled, exposures, judgements))
    # By id only for a model that excludes or decides on findings: a large estate's hundreds of thousands otherwise.
    by_id = {f.id: f for f in findings} if spec.threats.exclusions or spec.decisions else {}
    excluded, warnings = _excluded(spec, by_id)
    if excluded:
        findings = [f for f in findings if f.id in by_id]
    warnings += unknown_location_warnings(compiled)
    decisions, unmatched = _decisions(spec, by_id)
    warnings += unmatched
    return Analysis(
        **model_views(compiled, doc),
        **legal_views(compiled, cite_source),
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
        positions=[PositionView(id=p.id, topic=p.topic, vendor=claim_views([p.vendor])[0], counter=claim_views(p.counter))
                   for p in spec.positions],
        sources=sorted(cite.values(), key=lambda s: s.id),
        debate=debate_views(spec, compiled.library.sources),
    )


def _excluded(spec: Model, by_id: dict[str, Finding]) -> tuple[list[ExcludedFinding], list[str]]:
    """The findings the model excludes, taken out of by_id, and a warning for each exclusion that matches none."""
    excluded, warnings = [], []
    for exclusion in spec.threats.exclusions:
        finding_id = f"{exclusion.threat}@{exclusion.element}"
        if finding_id in by_id:
            excluded.append(ExcludedFinding(finding=by_id.pop(finding_id), justification=exclusion.justification,
                                            owner=exclusion.owner))
        else:
            warnings.append(f"exclusion of {finding_id} matches no finding; remove it or check the ids")
    return excluded, warnings


def _decisions(spec: Model, by_id: dict[str, Finding]) -> tuple[list[DecisionView], list[str]]:
    """The decisions on findings still standing, and a warning for each decision on none."""
    decisions, warnings = [], []
    for d in spec.decisions:
        if d.finding in by_id:
            decisions.append(DecisionView(finding=d.finding, decision=d.decision.value, justification=d.justification,
                                          owner=d.owner, date=d.date.isoformat()))
        else:
            warnings.append(f"decision on {d.finding} matches no finding; the threat or element may have changed")
    return decisions, warnings


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
            id=scenario.id, name=scenario.name, description=scenario.description, claims=claim_views(scenario.claims),
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
