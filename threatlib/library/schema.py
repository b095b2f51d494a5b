"""Schemas of the library's data: jurisdictions with their laws and safeguards, and threats."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field, StringConstraints

from threatlib.spec.common import Id, JurisdictionCode, LibraryClaim, PartialDate, ShortText, Source, Spec, Status, Text
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


class Purpose(str, Enum):
    """What a power is for. The likelihood of its use on foreign users' data starts here."""

    intelligence = "intelligence"  # collecting intelligence, foreigners included; no offence or threat need be shown
    national_security = "national_security"  # security, counter-espionage or counter-terrorism work
    law_enforcement = "law_enforcement"  # investigating a crime: an offence must be suspected
    regulatory = "regulatory"  # localisation, export control, blocking rules: shapes access, grants none itself


class Scope(str, Enum):
    """How narrowly a demand under the power must be drawn."""

    general = "general"  # any assistance or data the authority asks for; no named target, no set procedure
    programmatic = "programmatic"  # selectors or categories approved in bulk; no order per person
    targeted = "targeted"  # an order naming the person, account or records, made case by case


class Authority(Spec):
    id: Id
    name: ShortText
    description: Text


class Thresholds(Spec):
    """Sizes at which a provision starts to bind an organisation, compared with the `scale` a model states for
    the element's operator. Reaching any one is enough; an operator whose scale is not stated reaches none."""

    personal_data_subjects: int | None = Field(
        default=None, ge=1, description="Binds an organisation that handles the personal data of at least this many people.")
    users: int | None = Field(default=None, ge=1, description="Binds an organisation with at least this many users.")
    note: Text = Field(description="Where the number is set (the law itself, a regulation) and how it is counted.")
    sources: list[Source] = Field(min_length=1)


class Provision(Spec):
    id: Id
    article: ShortText
    summary: Text
    powers: list[Power] = Field(min_length=1)
    applies_via: list[Nexus] = Field(min_length=1)
    sectors: list[Sector] = Field(default_factory=list, description="Empty: any organisation; else only these sectors.")
    thresholds: Thresholds | None = Field(
        default=None, description="Binds organisations of at least this size: alone, instead of any organisation; with "
                                  "sectors, in addition to the organisations in those sectors.")
    authorities: list[Id] = Field(default_factory=list)
    purpose: Purpose = Field(description="What the power is for: intelligence, national_security, law_enforcement or regulatory.")
    scope: Scope = Field(description="How narrowly a demand must be drawn: general, programmatic or targeted.")
    article_verified: bool = Field(
        default=True, description="False when the article's number or wording could not be checked against the primary text.")
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


class Practice(Spec):
    """A documented use of the legal order's powers: evidence that the power is used, not only written."""

    statement: Text = Field(description="What was done, by whom, to which organisation, in your own words.")
    date: PartialDate = Field(description="When it happened (or came to light).")
    status: Status
    powers: list[Power] = Field(min_length=1, description="The powers used.")
    sectors: list[Sector] = Field(default_factory=list, description="Sectors of the organisations it was used on.")
    foreign_data: bool = Field(description="Did it concern the data of people outside the legal order?")
    sources: list[Source] = Field(min_length=1)


OVERRIDES = Field(default=False, description="In a user library: true when this entry replaces one of the same id "
                                             "from an earlier library (the built-in one, or a library given before).")


class Jurisdiction(Spec):
    id: JurisdictionCode
    overrides: bool = OVERRIDES
    name: ShortText
    part_of: JurisdictionCode | None = None
    summary: Text
    authorities: list[Authority] = Field(default_factory=list)
    laws: list[Law] = Field(default_factory=list)
    essential_guarantees: EssentialGuarantees
    practice: list[Practice] = Field(
        default_factory=list, description="Documented uses of these powers on organisations or data; a driver of likelihood.")


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
    overrides: bool = OVERRIDES
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
