"""Schemas of the library's data: jurisdictions with their laws and safeguards, and threats."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field, StringConstraints

from threatlib.spec.common import Id, JurisdictionCode, LibraryClaim, ShortText, Source, Spec, Status, Text
from threatlib.spec.model import Sector


class Power(str, Enum):
    """What a provision lets the state demand of an organisation."""

    compelled_assistance = "compelled_assistance"
    compelled_disclosure = "compelled_disclosure"
    technical_assistance = "technical_assistance"
    data_localisation = "data_localisation"
    secrecy = "secrecy"
    extraterritorial_reach = "extraterritorial_reach"
    export_restriction = "export_restriction"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Powers by which a state can obtain data or make an organisation act; the others shape those.
REACHING_POWERS = frozenset({Power.compelled_assistance, Power.compelled_disclosure, Power.technical_assistance})


class Nexus(str, Enum):
    """What links an organisation or element to a jurisdiction so that a provision reaches it."""

    incorporation = "incorporation"
    headquarters = "headquarters"
    control = "control"
    staff = "staff"
    location = "location"


class Authority(Spec):
    id: Id
    name: ShortText
    description: Text


class Provision(Spec):
    id: Id
    article: ShortText
    summary: Text
    powers: list[Power] = Field(min_length=1)
    applies_via: list[Nexus] = Field(min_length=1)
    sectors: list[Sector] = Field(default_factory=list, description="Empty: any organisation; else only these sectors.")
    authorities: list[Id] = Field(default_factory=list)
    status: Status
    sources: list[Source] = Field(min_length=1)
    counter_reading: LibraryClaim | None = None


class Law(Spec):
    id: Id
    title: ShortText
    short: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    enacted: dt.date
    amended: list[dt.date] = Field(default_factory=list)
    provisions: list[Provision] = Field(min_length=1)


class Rating(str, Enum):
    absent = "absent"
    weak = "weak"
    partial = "partial"
    substantial = "substantial"


class GuaranteeRating(Spec):
    rating: Rating
    note: Text
    sources: list[Source] = Field(min_length=1)


class EssentialGuarantees(Spec):
    """The EDPB's four European Essential Guarantees for surveillance measures."""

    clear_precise_rules: GuaranteeRating
    necessity_proportionality: GuaranteeRating
    independent_oversight: GuaranteeRating
    effective_remedies: GuaranteeRating


class Jurisdiction(Spec):
    id: JurisdictionCode
    name: ShortText
    part_of: JurisdictionCode | None = None
    summary: Text
    authorities: list[Authority] = Field(default_factory=list)
    laws: list[Law] = Field(default_factory=list)
    essential_guarantees: EssentialGuarantees


class Severity(str, Enum):
    very_high = "very_high"
    high = "high"
    medium = "medium"
    low = "low"
    very_low = "very_low"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Likelihood(str, Enum):
    """The UK PHIA probability yardstick."""

    remote_chance = "remote_chance"
    highly_unlikely = "highly_unlikely"
    unlikely = "unlikely"
    realistic_possibility = "realistic_possibility"
    likely = "likely"
    highly_likely = "highly_likely"
    almost_certain = "almost_certain"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class TargetKind(str, Enum):
    actor = "actor"
    device = "device"
    process = "process"
    server = "server"
    datastore = "datastore"
    external = "external"
    flow = "flow"


ThreatId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}-\d{2,3}$")]


class Threat(Spec):
    id: ThreatId = Field(description="Family prefix and number, e.g. LC-01; equal to the folder name.")
    family: Id
    title: ShortText
    description: Text
    targets: list[TargetKind] = Field(min_length=1)
    condition: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Restricted Python expression over `target` and its derived `target.facts`."
    )
    powers: list[Power] = Field(
        default_factory=list, description="Legal powers the threat relies on; their legal bases explain each finding."
    )
    severity: Severity
    likelihood: Likelihood
    impact: Text
    stride: list[ShortText] = Field(default_factory=list)
    capec: list[Annotated[str, StringConstraints(pattern=r"^CAPEC-\d+$")]] = Field(default_factory=list)
    cwe: list[Annotated[str, StringConstraints(pattern=r"^CWE-\d+$")]] = Field(default_factory=list)
    mitigations: list[Text] = Field(min_length=1)
    evidence: list[LibraryClaim] = Field(min_length=1, description="Sourced claims that show the threat is real.")


class ThreatProof(Spec):
    """expected.yaml beside a threat: the exact element ids its fires.yaml model must produce."""

    fires_on: list[Id] = Field(min_length=1)
