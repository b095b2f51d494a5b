"""The Analysis: plain, JSON-serialisable data in a deterministic order. Every output is a view of it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(Record):
    id: str
    title: str
    publisher: str
    date: str
    url: str | None
    kind: str


class CitedClaim(Record):
    statement: str
    status: str
    sources: list[str]  # source ids, all present in Analysis.sources


class Basis(Record):
    """One legal provision reaching an element, and the link it reaches it by."""

    jurisdiction: str
    provision_id: str
    law: str
    law_rank: int
    article: str
    label: str
    powers: list[str]
    via: str
    chain: list[str]
    status: str
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
    severity: str  # very_high, high, medium, low, very_low
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
    operator: str | None
    location: str | None  # None when not modelled (a pytm script)
    boundary: str | None
    stores: list[str]
    in_scope: bool
    compelling: list[str]
    foreign_compelling: list[str]
    claims: list[CitedClaim]


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
    closed: list[tuple[str, str, str]]  # (data category, jurisdiction, holder) exposures the scenario removes
    remaining: list[tuple[str, str, str]]
    opened: list[tuple[str, str, str]]
    findings_added: list[str]
    findings_removed: list[str]
    findings_changed: list[str]
    legal_findings: int


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
    findings: list[Finding]
    excluded: list[ExcludedFinding]
    decisions: list[DecisionView]  # those that match a finding; the others are warnings
    warnings: list[str]
    scenarios: list[ScenarioView]
    positions: list[PositionView]
    sources: list[SourceRef]
