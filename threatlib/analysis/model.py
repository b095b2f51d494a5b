"""The Analysis: plain, JSON-serialisable data in a deterministic order. Every output is a view of it."""

from __future__ import annotations

from threatlib.analysis.record import Record
from threatlib.documents.common import Status
from threatlib.library.schema import Nexus, Power, Purpose, Scope, Severity
from threatlib.spec.model import Assessment, SubjectGroup

# Codes stay enums here (their JSON is their value); their words are in threatlib.vocabulary.


class SourceRef(Record):
    id: str
    title: str
    publisher: str
    date: str
    url: str | None
    kind: str
    mirror_of: str | None = None
    document: str | None = None
    author: str | None = None
    note: str | None = None


class CitedClaim(Record):
    statement: str
    status: Status
    sources: list[str]  # source ids, all present in Analysis.sources


class Basis(Record):
    """One legal provision reaching an element, and the link it reaches it by."""

    jurisdiction: str
    provision_id: str
    law: str
    law_rank: int
    article: str
    label: str
    powers: list[Power]
    via: Nexus
    chain: list[str]
    status: Status
    summary: str
    sources: list[str]


class Risk(Record):
    """A calibrated rating and how it was reached (see threatlib.analysis.risk)."""

    likelihood: str  # PHIA yardstick key
    likelihood_words: str
    band: str  # the yardstick's percentage band
    impact: int  # 1..5
    impact_words: str
    rating: str  # low, medium, high, very high
    rationale: list[str]


class Finding(Record):
    id: str  # THREAT-ID@element-id: stable across runs and versions
    threat_id: str
    title: str
    family: str
    origin: str  # "threatlib" or "pytm"
    element_id: str
    element_name: str
    element_kind: str
    severity: Severity
    likelihood: str
    likelihood_scale: str  # "yardstick" (PHIA) for ours, "pytm" for pytm's High/Medium/Low
    description: str
    why: list[str]
    mitigations: list[str]
    evidence: list[CitedClaim]
    references: str
    stride: list[str]
    capec: list[str]
    cwe: list[str]
    risk: Risk
    jurisdictions: list[str]  # the foreign legal orders whose provisions the finding relies on
    library: str = ""  # for a threatlib threat, the library it came from: built-in, or a user library folder


class DecisionView(Record):
    finding: str
    decision: str  # accepted, mitigated, transferred
    justification: str
    owner: str
    date: str


class ExcludedFinding(Record):
    finding: Finding
    justification: str
    owner: str | None


class ElementView(Record):
    id: str
    line: int  # where the element is written in the model file (0 if unknown), for SARIF and editors
    name: str
    kind: str
    description: str
    tags: list[str]
    operator: str | None
    location: str | None  # None when not modelled (a pytm script)
    boundary: str | None
    stores: list[str]
    in_scope: bool
    compelling: list[str]
    foreign_compelling: list[str]
    claims: list[CitedClaim]
    pytm_class: str = ""  # from a pytm script: the element's pytm class (LLM, Agent, Lambda, ...), drawn as such


class FlowView(Record):
    id: str
    line: int
    name: str
    source: str
    sink: str
    data: list[str]
    protocol: str
    encryption: str
    remote_access: bool
    crosses_legal_order: bool
    claims: list[CitedClaim]


class OrganisationView(Record):
    id: str
    name: str
    description: str
    incorporated_in: str
    headquarters: str
    parent: str | None
    control: str | None
    staff_access_from: list[str]
    claims: list[CitedClaim]
    staff_access_unnamed: bool = False  # staff with access also sit in countries no source names
    headquarters_disputed: list[str] = []  # other claimed headquarters, each analysed as one


class DataView(Record):
    id: str
    name: str
    description: str
    classification: str
    personal: bool
    sensitive: bool
    children: bool


class BoundaryView(Record):
    id: str
    name: str
    parent: str | None


class AuthorityView(Record):
    id: str
    name: str
    jurisdiction: str
    description: str


class JurisdictionView(Record):
    id: str
    name: str
    part_of: str | None
    summary: str
    foreign: bool
    library: str = "built-in"  # the library it came from: built-in, or a user library folder


class CompulsionView(Record):
    id: str
    element: str
    authority: str
    jurisdiction: str
    foreign: bool
    bases: list[Basis]


class Exposure(Record):
    """A personal data category that reaches a compellable element, and a shortest path by which it does."""

    data: str
    authority: str
    jurisdiction: str
    elements: list[str]  # from where the data originates to the compellable element
    flows: list[str]
    holder: str  # the compellable element
    subjects: list[SubjectGroup]  # whose data: the subject groups declared where it originates
    bases: list[str]  # provision ids


class PositionView(Record):
    id: str
    topic: str
    vendor: CitedClaim
    counter: list[CitedClaim]


class ScenarioView(Record):
    """A scenario analysed beside the baseline: what it closes, leaves and opens."""

    id: str
    name: str
    description: str
    claims: list[CitedClaim]
    closed: list[tuple[str, str, str, str]]  # (data category, jurisdiction, holder, subjects) exposures it removes
    remaining: list[tuple[str, str, str, str]]
    opened: list[tuple[str, str, str, str]]
    judgements: list[JudgementChange]
    findings_added: list[str]
    findings_removed: list[str]
    findings_changed: list[str]
    legal_findings: int


class Driver(Record):
    """One stated reason the likelihood moved (or was capped), in steps on the yardstick."""

    driver: str  # purpose, scope, safeguards, practice, targeting, evidence, gateway, certainty, ceiling, cap
    effect: int  # steps up (+) or down (-); a cap or the ceiling records the steps it took off
    text: str


class Premise(Record):
    """A step a route cannot do without, and how well the model evidences it."""

    kind: str  # data, flow, element, organisation
    id: str
    name: str
    role: str  # collection, hand-over, holder, link
    status: str  # confirmed, vendor_claim, reported, alleged, disputed, unsourced, assumption
    sources: list[str]
    primary: bool  # at least one of its sources is primary
    assumption: str | None  # the id of the model assumption it rests on


class ReachingProvision(Record):
    provision_id: str
    label: str
    powers: list[Power]
    purpose: Purpose
    scope: Scope
    via: Nexus
    chain: list[str]  # organisation ids from the holder's operator to the one that carries the link
    organisation: str | None  # the organisation the provision binds (top of the control chain), None for a place
    certainty: str  # settled, contested, unverified
    counter_reading: CitedClaim | None
    sources: list[str]


class Reach(Record):
    """Legal reach: a question of law, not of probability."""

    certainty: str  # the best-settled provision that carries the reach: settled, contested or unverified
    provisions: list[ReachingProvision]  # those that carry the reach first (settled, strongest), then the rest


class Route(Record):
    holder: str  # the compellable element the route ends at
    elements: list[str]
    flows: list[str]
    data: list[str]  # the categories this route carries to the holder
    subjects: list[SubjectGroup]  # whose data it is
    premises: list[Premise]
    weakest: Premise
    reachable_data: list[str]  # every category that reaches any place this legal order can compel
    places: list[str]  # every such place, nearest first
    routes: int  # how many distinct routes there are in all


class Timeframe(Record):
    years: int
    start: str
    end: str


class Alternative(Record):
    statement: str
    claims: list[CitedClaim]


class Indicators(Record):
    raise_: list[str]
    lower: list[str]


class KeyAssumption(Record):
    id: str | None  # a model assumption's id; None for an unsourced step the judgement has to assume
    statement: str
    why: str
    would_change: str | None


class Judgement(Record):
    """Per foreign legal order: legal reach, route, likelihood within a timeframe, and analytic confidence."""

    jurisdiction: str
    name: str
    name_in_sentence: str  # with its article, as a sentence uses it: "China", "the United States"
    reach: Reach
    route: Route
    likelihood: str  # yardstick key
    likelihood_words: str
    band: str
    timeframe: Timeframe
    confidence: str  # high, moderate, low
    confidence_reasons: list[str]
    drivers: list[Driver]
    assumptions: list[KeyAssumption]
    alternative: Alternative
    indicators: Indicators
    holds_only_if: list[str]  # assumption statements the rating depends on


class NoJudgement(Record):
    """A foreign legal order in the model that gets no judgement, and why."""

    jurisdiction: str
    name: str
    name_in_sentence: str
    reason: str


class JudgementChange(Record):
    jurisdiction: str
    before: str | None  # likelihood words and confidence, None when there was no judgement
    after: str | None
    drivers: list[str]  # drivers that differ, in words
    lowered: bool  # likelihood or confidence went down, or the judgement went away


class ModelInfo(Record):
    id: str
    file: str  # the model file as given to threatlib
    name: str
    description: str
    scope: str
    as_of: str
    data_subjects_in: list[str]
    authors: list[str]
    domestic: list[str]
    legal_layer: bool  # False when organisations and jurisdictions were not modelled (a pytm script)
    timeframe_years: int
    data_subjects: list[str]


class DebateView(Record):
    """A claim made in public about the app, with this model's assessment and the evidence for it."""

    id: str
    claim: str
    said_by: str
    said_on: str
    sources: list[str]  # where the claim is recorded
    assessment: Assessment
    reasoning: str
    in_short: str  # the reason in one sentence, for the brief
    evidence: list[CitedClaim]
    # The basis of the evidence in words a reader can weigh: who published the primary documents, and who reported
    # (a mirror counts as the source it copies).
    primary_publishers: list[str]
    secondary_publishers: list[str]


class Analysis(Record):
    model: ModelInfo
    jurisdictions: list[JurisdictionView]
    authorities: list[AuthorityView]
    organisations: list[OrganisationView]
    data: list[DataView]
    boundaries: list[BoundaryView]
    elements: list[ElementView]
    flows: list[FlowView]
    compulsion: list[CompulsionView]
    exposures: list[Exposure]
    judgements: list[Judgement]
    no_judgement: list[NoJudgement]
    assumptions: list[KeyAssumption]
    findings: list[Finding]
    excluded: list[ExcludedFinding]
    decisions: list[DecisionView]  # those that match a finding; the others are warnings
    warnings: list[str]
    scenarios: list[ScenarioView]
    positions: list[PositionView]
    sources: list[SourceRef]
    debate: list[DebateView] = []
