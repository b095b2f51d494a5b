"""Findings: pytm's engine applies its own threats and ours; we give each a stable id and a reason."""

from __future__ import annotations

from threatlib.analysis.model import CitedClaim, Finding, Risk, SourceRef
from threatlib.analysis.risk import PYTM_LIKELIHOOD, assess
from threatlib.compile import CompiledModel, LibraryThreat
from threatlib.facts import Facts
from threatlib.legal import LegalBasis
from threatlib.library.schema import Severity, Threat
from threatlib.pytm_state import active_state
from threatlib.spec.common import Source

PYTM_SEVERITY = {"very high": "very_high", "critical": "very_high", "high": "high", "medium": "medium",
                 "low": "low", "very low": "very_low", "info": "very_low"}
SEVERITY_RANK = {s.value: s.rank for s in Severity}

VIA_WORDS = {
    "incorporation": "it is incorporated there",
    "headquarters": "it is headquartered there",
    "control": "it is controlled from there",
    "staff": "its staff with access sit there",
    "location": "the element is located there",
}


def matches(compiled: CompiledModel):
    """Every (threat, element) pair where pytm's engine says the threat applies.

    pytm's check() runs as usual (consistency checks, flow defaults). Its resolve() is not called: it
    writes every finding back onto its element through pydantic's validate-on-assignment, which made it
    the slowest step by far; we call the same Threat.apply on the same in-scope elements instead.
    """
    with active_state(compiled.state):
        compiled.tm.check()
        threats = list(compiled.state.threats)
        for element in compiled.state.elements:
            if not element.inScope or not hasattr(element, "facts"):
                continue
            for threat in threats:
                if threat.apply(element):
                    yield threat, element


def resolve_findings(compiled: CompiledModel, cite: dict[str, SourceRef]) -> list[Finding]:
    names = {o.id: o.name for o in compiled.spec.organisations}
    findings: dict[str, Finding] = {}
    pytm_risks: dict[str, Risk] = {}
    for threat, element in matches(compiled):
        facts: Facts = element.facts
        if isinstance(threat, LibraryThreat):
            finding = _ours(threat._loaded.threat, facts, compiled.bases.get(facts.id, ()), compiled, names, cite)
        else:
            if threat.id not in pytm_risks:  # depends on the threat only: rate each once
                pytm_risks[threat.id] = _pytm_risk(threat)
            finding = _pytm(threat, facts, pytm_risks)
        findings[finding.id] = finding
    return sorted(findings.values(), key=lambda x: (SEVERITY_RANK[x.severity], x.threat_id, x.element_id))


def _ours(threat: Threat, facts: Facts, bases: tuple[LegalBasis, ...], compiled: CompiledModel,
          names: dict[str, str], cite: dict[str, SourceRef]) -> Finding:
    evidence = [CitedClaim(statement=c.statement, status=c.status.value, sources=[_cite(s, cite) for s in c.sources])
                for c in threat.evidence]
    relevant = relevant_bases(threat, facts, bases, compiled)
    guarantees = {b.jurisdiction: _safeguard_level(compiled, b.jurisdiction) for b in relevant}
    risk = assess(threat.likelihood.value, threat.severity.value, safeguards=sorted(guarantees.values()),
                  control_only=bool(relevant) and all(b.via.value == "control" for b in relevant),
                  children=facts.handles_children, sensitive=facts.handles_sensitive)
    return Finding.model_construct(
        id=f"{threat.id}@{facts.id}", threat_id=threat.id, title=threat.title, family=threat.family,
        origin="threatlib", element_id=facts.id, element_name=facts.name, element_kind=facts.kind,
        severity=threat.severity.value, likelihood=risk.likelihood_words, likelihood_scale="yardstick",
        description=threat.description, why=explain(threat, facts, bases, compiled, names),
        mitigations=list(threat.mitigations), evidence=evidence, references="",
        stride=list(threat.stride), capec=list(threat.capec), cwe=list(threat.cwe), risk=risk,
        jurisdictions=sorted(guarantees),
    )


def _safeguard_level(compiled: CompiledModel, code: str) -> str:
    g = compiled.library.jurisdictions[code].essential_guarantees
    ratings = {getattr(g, name).rating.value for name in type(g).model_fields}
    if ratings & {"weak", "absent"}:
        return "weak"
    return "substantial" if ratings == {"substantial"} else "partial"


def _pytm_risk(threat) -> Risk:
    likelihood = PYTM_LIKELIHOOD.get((threat.likelihood or "").strip().lower(), "realistic_possibility")
    return assess(likelihood, PYTM_SEVERITY.get(threat.severity.strip().lower(), "medium"), mapped_from_pytm=True)


def _pytm(threat, facts: Facts, risks: dict[str, Risk]) -> Finding:
    # Built without re-validation (model_construct): the values come from validated threats and facts,
    # and a large estate has hundreds of thousands of findings.
    return Finding.model_construct(
        id=f"{threat.id}@{facts.id}", threat_id=threat.id, title=threat.description, family="pytm",
        origin="pytm", element_id=facts.id, element_name=facts.name, element_kind=facts.kind,
        severity=PYTM_SEVERITY.get(threat.severity.strip().lower(), "medium"),
        likelihood=threat.likelihood or "not rated", likelihood_scale="pytm",
        description=threat.details,
        why=[f"pytm rule {threat.id} matched this {facts.kind}: {threat.condition}"],
        mitigations=[threat.mitigations] if threat.mitigations else [], evidence=[], references=threat.references,
        stride=[], capec=[], cwe=[], risk=risks[threat.id], jurisdictions=[],
    )


def relevant_bases(threat: Threat, facts: Facts, bases: tuple[LegalBasis, ...], compiled: CompiledModel) -> list[LegalBasis]:
    """The foreign provisions granting a power the threat relies on; for a flow, those reaching its sink."""
    if facts.kind == "flow":
        bases = compiled.bases.get(facts.sink, ())
    powers = {p.value for p in threat.powers}
    return [b for b in bases if b.jurisdiction not in compiled.domestic and powers.intersection(p.value for p in b.powers)]


def explain(threat: Threat, facts: Facts, bases: tuple[LegalBasis, ...], compiled: CompiledModel,
            names: dict[str, str]) -> list[str]:
    """Say, in sentences a reader can check, which facts made the threat apply."""
    why = []
    if facts.kind == "flow":
        route = f"from {facts.source_jurisdiction} to {facts.jurisdiction}" if facts.crosses_legal_order else f"within {facts.jurisdiction}"
        access = "read remotely by the sink" if facts.remote_access else "sent"
        why.append(f"The flow carries {_data_names(facts.handles, compiled)} {route}, {access}.")
        if facts.sink_foreign_compelling:
            why.append(f"Its sink can be compelled by {', '.join(facts.sink_foreign_compelling)}.")
        subject = compiled.facts[facts.sink].name  # relevant_bases looks at the sink's bases for a flow
    else:
        subject = facts.name
        held = facts.stores or facts.handles
        if held:
            verb = "stores" if facts.stores else "handles"
            why.append(f"It {verb} {_data_names(held, compiled)}.")
    relevant = relevant_bases(threat, facts, bases, compiled)
    # One sentence per jurisdiction and organisation: the routes by which it reaches, then the provisions.
    grouped: dict[tuple[str, str], dict[str, list[LegalBasis]]] = {}
    for b in relevant:
        who = names.get(b.chain[0], b.chain[0]) if b.chain else subject
        route = VIA_WORDS[b.via.value]
        if b.via.value == "control" and len(b.chain) > 1:
            route = f"it is controlled by {' and '.join(names.get(c, c) for c in b.chain[1:])}"
        grouped.setdefault((b.jurisdiction, who), {}).setdefault(route, []).append(b)
    for (jurisdiction, who), routes in grouped.items():
        provisions: dict[str, LegalBasis] = {}
        for group in routes.values():
            for b in group:
                provisions.setdefault(b.provision_id, b)
        laws = "; ".join(f"{b.label} ({', '.join(p.value.replace('_', ' ') for p in b.powers)})"
                         for b in sorted(provisions.values(), key=lambda x: (x.law_rank, x.provision_id)))
        why.append(f"{jurisdiction} reaches {who} because {' and '.join(routes)}: {laws}.")
    return why


def _data_names(ids, compiled: CompiledModel) -> str:
    names = {d.id: d.name for d in compiled.spec.data}
    return ", ".join(names[i] for i in ids)


def _cite(source: Source, cite: dict[str, SourceRef]) -> str:
    if source.id not in cite:
        cite[source.id] = SourceRef(**source.model_dump(mode="json"))
    return source.id
