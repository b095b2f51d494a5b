"""Findings: pytm's engine applies its own threats and ours; we give each a stable id and a reason."""

from __future__ import annotations

from operator import attrgetter

from threatlib.analysis.element_rating import ElementRater, in_place
from threatlib.analysis.model import CitedClaim, Finding, Risk, SourceRef
from threatlib.analysis.risk import PYTM_LIKELIHOOD, YARDSTICK, assess
from threatlib.analysis.why import explain
from threatlib.compile import CompiledModel, LibraryThreat
from threatlib.compile.facts import Facts
from threatlib.compile.legal import LegalBasis
from threatlib.compile.pytm_check import check
from threatlib.compile.pytm_state import active_state
from threatlib.documents.common import Source
from threatlib.library.conditions import pytm_condition_test
from threatlib.library.schema import Severity, Threat
from threatlib.vocabulary import PYTM_SEVERITY

SEVERITY_RANK = {s.value: s.rank for s in Severity}


def matches(compiled: CompiledModel):
    """Each threat with the facts of every element pytm's engine says it applies to, in the elements' order.

    pytm's check() runs first (consistency checks, flow defaults; see compile.pytm_check). Its resolve() is not called: it
    writes every finding back onto its element through pydantic's validate-on-assignment, which made it
    the slowest step by far; we call the same Threat.apply on the same in-scope elements instead, and only
    on the elements of the kinds or classes a threat targets (apply would refuse the others anyway).
    """
    if compiled.resolved is not None:  # a pytm script: pytm's own resolve() decided, as in pytm
        for threat, element in compiled.resolved:
            yield threat, [element.facts]
        return
    with active_state(compiled.state):
        check(compiled.tm, compiled.state)
        # Each element beside its facts, read once (an attribute pytm's elements hold outside their fields).
        # In the order of the elements' ids, each threat's findings come in the order they are listed in.
        by_class: dict[type, list[tuple[object, Facts]]] = {}
        for element, facts in sorted(((e, e.facts) for e in compiled.state.elements if e.inScope and hasattr(e, "facts")),
                                     key=lambda pair: pair[1].id):
            by_class.setdefault(type(element), []).append((element, facts))
        by_kind: dict[str, list[tuple[object, Facts]]] = {}
        for pairs in by_class.values():
            for pair in pairs:
                by_kind.setdefault(pair[1].kind, []).append(pair)
        for threat in list(compiled.state.threats):
            # Each condition is compiled once into a function, called here without apply's per-call costs.
            if isinstance(threat, LibraryThreat):
                holds = threat.holds_given
                yield threat, [facts for kind in sorted(threat.kinds) for element, facts in by_kind.get(kind, ())
                               if holds(element, facts)]
            else:
                test = pytm_condition_test(threat)
                yield threat, [facts for cls, pairs in by_class.items() if _targets(threat, cls)
                               for element, facts in pairs if test(element)]


def _targets(threat, cls: type) -> bool:
    """pytm's own test of a threat's target: a class name, or a class the element is an instance of."""
    if not threat.target:
        return True
    return any(t == cls.__name__ if isinstance(t, str) else isinstance(t, type) and issubclass(cls, t) for t in threat.target)


def resolve_findings(compiled: CompiledModel, cite: dict[str, SourceRef], rater: ElementRater) -> list[Finding]:
    names = {o.id: o.name for o in compiled.spec.organisations}
    data_names = {d.id: d.name for d in compiled.spec.data}
    findings: dict[str, Finding] = {}
    # What a finding shares with every other finding of its threat is worked out once per threat: a large
    # estate has hundreds of thousands of findings and only about a hundred threats.
    shared: dict[str, dict] = {}
    # Legal threats on one element mostly rely on the same provisions there: their rating and reasons are made once.
    memo: dict[tuple, tuple] = {}
    reaches: dict[tuple, list[str]] = {}
    pytm_why: dict[str, dict[str, list[str]]] = {}  # by threat id and element kind
    # The findings in their output order (severity, threat, element) without a sort key made for each: by severity
    # and threat, each group's findings in its elements' order, as matched. A finding made twice (a threat id twice
    # over the same element) keeps its last making, as by id, and then the groups are not used.
    groups: dict[tuple[int, str], list[Finding]] = {}
    made = 0
    for threat, applies_to in matches(compiled):
        if not applies_to:
            continue
        if threat.id not in shared:  # a threat's evidence is cited only where it has a finding
            shared[threat.id] = (Finding.template(**_ours_shared(threat._loaded.threat, cite), library=threat._loaded.origin)
                                 if isinstance(threat, LibraryThreat) else _pytm_template(threat))
        template = shared[threat.id]
        group = groups.setdefault((SEVERITY_RANK[template["severity"]], threat.id), [])
        made += len(applies_to)
        if isinstance(threat, LibraryThreat):
            ours, bases = threat._loaded.threat, compiled.bases
            for facts in applies_to:
                finding = _ours(ours, facts, bases.get(facts.id, ()), compiled, names, template, rater, memo, reaches,
                                data_names)
                findings[finding.id] = finding
                group.append(finding)
            continue
        threat_id, whys, make = threat.id, pytm_why.setdefault(threat.id, {}), Finding.maker()
        for facts in applies_to:
            kind = facts.kind
            why = whys.get(kind)
            if why is None:  # the same sentence for every element of a kind
                why = whys[kind] = [f"pytm rule {threat_id} matched this {kind}: {threat.condition}"]
            # The template copied and its element's fields written in place keep the fields' order, at less cost
            # than a new dict of the template and these.
            fields = template.copy()
            fields["id"] = finding_id = f"{threat_id}@{facts.id}"
            fields["element_id"] = facts.id
            fields["element_name"] = facts.name
            fields["element_kind"] = kind
            fields["why"] = why
            findings[finding_id] = finding = make(fields)
            group.append(finding)
    if len(findings) != made:
        return sorted(findings.values(), key=lambda x: (SEVERITY_RANK[x.severity], x.threat_id, x.element_id))
    ordered: list[Finding] = []
    for key in sorted(groups):
        ordered += sorted(groups[key], key=_element_id)  # in order already, unless a threat matched elements of several kinds or classes
    return ordered


_element_id = attrgetter("element_id")


def _ours_shared(threat: Threat, cite: dict[str, SourceRef]) -> dict:
    evidence = [CitedClaim(statement=c.statement, status=c.status.value, sources=[_cite(s, cite) for s in c.sources])
                for c in threat.evidence]
    return dict(threat_id=threat.id, title=threat.title, family=threat.family, origin="threatlib",
                severity=threat.severity, likelihood_scale="yardstick", description=threat.description,
                mitigations=list(threat.mitigations), evidence=evidence, references="", stride=[c.value for c in threat.categories],
                capec=list(threat.capec), cwe=list(threat.cwe))


def _ours(threat: Threat, facts: Facts, bases: tuple[LegalBasis, ...], compiled: CompiledModel,
          names: dict[str, str], shared: dict, rater: ElementRater, memo: dict[tuple, tuple], reaches: dict,
          data_names: dict[str, str]) -> Finding:
    """A threat that relies on a state's powers is rated by the judgements' drivers at its element, so a finding
    and its judgement never disagree without saying why; any other threat starts from its library likelihood.

    memo: what earlier findings worked out for the same threat and bases, and for the same element and provisions
    (the bases are the compiled model's own objects, alive for the whole analysis, so their identities name them);
    reaches: explain()'s sentences on legal reach, made once for the same bases; data_names: the data categories'
    names by id."""
    if facts.kind == "flow":
        bases = compiled.bases.get(facts.sink, ())
    # Elements alike share one tuple of bases (see compile), so which of them a threat relies on is found once.
    relevant_key = (threat.id, id(bases))
    if relevant_key not in memo:
        relevant = relevant_bases(threat, facts, bases, compiled)
        memo[relevant_key] = (relevant, tuple(map(id, relevant)), sorted({b.jurisdiction for b in relevant}))
    relevant, relevant_ids, jurisdictions = memo[relevant_key]
    key = (facts.id, relevant_ids)
    if key not in memo:
        memo[key] = (rater.rate_shared(facts.id, relevant) if relevant else None,
                     explain(facts, relevant, compiled, names, reaches, data_names))
    rating, why = memo[key]
    if rating is not None:
        # Elements rated alike share the risk, a stand-in for each one's own step (see ElementRater.rate_shared).
        index, reasons, own = rating
        risk_key = ("rated", id(reasons), threat.severity.value, facts.handles_children, facts.handles_sensitive)
        if risk_key not in memo:
            memo[risk_key] = assess(YARDSTICK[index][0], threat.severity.value, likelihood_reasons=reasons,
                                    children=facts.handles_children, sensitive=facts.handles_sensitive)
        risk = memo[risk_key]
        if own is not None:
            if (risk_key, own) not in memo:
                memo[risk_key, own] = Risk.from_fields({**vars(risk), "rationale": in_place(risk.rationale, own)})
            risk = memo[risk_key, own]
    else:
        risk_key = (key, threat.severity.value, threat.likelihood.value)
        if risk_key not in memo:
            memo[risk_key] = assess(threat.likelihood.value, threat.severity.value,
                                    children=facts.handles_children, sensitive=facts.handles_sensitive)
        risk = memo[risk_key]
    return Finding.from_template(shared, id=f"{threat.id}@{facts.id}", element_id=facts.id, element_name=facts.name,
                                 element_kind=facts.kind, likelihood=risk.likelihood_words, why=why, risk=risk,
                                 jurisdictions=jurisdictions)


# pytm's own threats are made once per process and shared by every model (see compile), and so is what their
# findings share: by the threat's identity, the threat kept beside it so the identity stays its own.
_PYTM_TEMPLATES: dict[int, tuple[object, dict]] = {}


def _pytm_template(threat) -> dict:
    known = _PYTM_TEMPLATES.get(id(threat))
    if known is None or known[0] is not threat:
        known = _PYTM_TEMPLATES[id(threat)] = (threat, Finding.template(**_pytm_shared(threat)))
    return known[1]


def _pytm_shared(threat) -> dict:
    """pytm's rating is the threat's alone, so every one of its findings shares one Risk."""
    severity = PYTM_SEVERITY.get(threat.severity.strip().lower(), "medium")
    likelihood = PYTM_LIKELIHOOD.get((threat.likelihood or "").strip().lower(), "realistic_possibility")
    return dict(threat_id=threat.id, title=threat.description, family="pytm", origin="pytm", severity=Severity(severity),
                likelihood=threat.likelihood or "not rated", likelihood_scale="pytm", description=threat.details,
                mitigations=[threat.mitigations] if threat.mitigations else [], evidence=[], references=threat.references,
                stride=[], capec=[], cwe=[], risk=assess(likelihood, severity, mapped_from_pytm=True), jurisdictions=[])


def relevant_bases(threat: Threat, facts: Facts, bases: tuple[LegalBasis, ...], compiled: CompiledModel) -> list[LegalBasis]:
    """The foreign provisions granting a power the threat relies on; for a flow, those reaching its sink."""
    if facts.kind == "flow":
        bases = compiled.bases.get(facts.sink, ())
    powers = set(threat.powers)  # the same Power enum as the bases': no conversion needed
    return [b for b in bases if b.jurisdiction not in compiled.domestic and not powers.isdisjoint(b.powers)]


def _cite(source: Source, cite: dict[str, SourceRef]) -> str:
    if source.id not in cite:
        cite[source.id] = SourceRef(**source.model_dump(mode="json"))
    return source.id
