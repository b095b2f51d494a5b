"""Schemas of the library's data: jurisdictions with their laws and safeguards, and threats."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from threatlib.documents.common import Id, JurisdictionCode, LibraryClaim, PartialDate, ShortText, Source, Spec, Status, Text
from threatlib.vocabulary import GUARANTEE_LABELS, Labelled, Sector


class LibrarySpec(Spec):
    """Base of the library's schemas. Their validators are built when a library file is first validated, not on
    import: a library taken from the cache is not validated again, and a model is validated without them."""

    model_config = ConfigDict(defer_build=True)


class Power(Labelled):
    """What a provision lets the state demand of an organisation."""

    compelled_assistance = "compelled_assistance"
    compelled_disclosure = "compelled_disclosure"
    technical_assistance = "technical_assistance"
    data_localisation = "data_localisation"
    secrecy = "secrecy"
    extraterritorial_reach = "extraterritorial_reach"
    export_restriction = "export_restriction"


# Powers by which a state can obtain data or make an organisation act; the others shape those.
REACHING_POWERS = frozenset({Power.compelled_assistance, Power.compelled_disclosure, Power.technical_assistance})


class Nexus(Labelled):
    """What links an organisation or element to a jurisdiction so that a provision reaches it."""

    incorporation = "incorporation"
    headquarters = "headquarters"
    control = "control"
    staff = "staff"
    location = "location"


class Purpose(Labelled):
    """What a power is for. The likelihood of its use on foreign users' data starts here."""

    intelligence = "intelligence"  # collecting intelligence, foreigners included; no offence or threat need be shown
    national_security = "national_security"  # security, counter-espionage or counter-terrorism work
    law_enforcement = "law_enforcement"  # investigating a crime: an offence must be suspected
    regulatory = "regulatory"  # localisation, export control, blocking rules: shapes access, grants none itself


class Scope(Labelled):
    """How narrowly a demand under the power must be drawn."""

    general = "general"  # any assistance or data the authority asks for; no named target, no set procedure
    programmatic = "programmatic"  # selectors or categories approved in bulk; no order per person
    targeted = "targeted"  # an order naming the person, account or records, made case by case


class Authority(LibrarySpec):
    """An organ of the state that uses the powers: provisions name it, compulsion links are drawn to it."""

    id: Id
    name: ShortText = Field(description="Its name, as the reports show it.")
    description: Text = Field(description="What it is and what it can order.")


class Thresholds(LibrarySpec):
    """Sizes at which a provision starts to bind an organisation, compared with the `scale` a model states for
    the element's operator. Reaching any one is enough; an operator whose scale is not stated reaches none."""

    personal_data_subjects: int | None = Field(
        default=None, ge=1, description="Binds an organisation that handles the personal data of at least this many people.")
    users: int | None = Field(default=None, ge=1, description="Binds an organisation with at least this many users.")
    note: Text = Field(description="Where the number is set (the law itself, a regulation) and how it is counted.")
    sources: list[Source] = Field(min_length=1, description="Where it comes from; each source in full (see Source).")


class Provision(LibrarySpec):
    id: Id
    article: ShortText = Field(description="Where in the law: 'Art. 7', 's. 20', 'Ch. III'.")
    summary: Text = Field(description="What it lets the state demand, of whom, by what procedure; in your own words.")
    powers: list[Power] = Field(min_length=1, description="What it lets the state demand (see the list of powers).")
    applies_via: list[Nexus] = Field(
        min_length=1, description="The links through which it reaches an organisation or element (see 'How reach is derived').")
    sectors: list[Sector] = Field(default_factory=list, description="Empty: any organisation; else only these sectors.")
    thresholds: Thresholds | None = Field(
        default=None, description="Binds organisations of at least this size: alone, instead of any organisation; with "
                                  "sectors, in addition to the organisations in those sectors.")
    authorities: list[Id] = Field(default_factory=list, description="Ids of this jurisdiction's authorities that use it.")
    purpose: Purpose = Field(description="What the power is for: intelligence, national_security, law_enforcement or regulatory.")
    scope: Scope = Field(description="How narrowly a demand must be drawn: general, programmatic or targeted.")
    article_verified: bool = Field(
        default=True, description="False when the article's number or wording could not be checked against the primary text.")
    status: Status = Field(description="How settled the reading is: confirmed, reported, alleged, vendor_claim or disputed.")
    sources: list[Source] = Field(min_length=1, description="The primary text first (the statute), then any commentary.")
    counter_reading: LibraryClaim | None = Field(default=None, description="The strongest reading against this one, sourced.")


class Law(LibrarySpec):
    id: Id
    title: ShortText = Field(description="The law's full title.")
    short: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="Short name, at most 40 characters; a legal basis is cited as 'short article'.")
    enacted: dt.date = Field(description="Date it was enacted or came into force.")
    amended: list[dt.date] = Field(default_factory=list, description="Dates of the amendments that matter here.")
    provisions: list[Provision] = Field(min_length=1, description="The provisions that grant or shape powers.")


class Rating(str, Enum):
    absent = "absent"
    weak = "weak"
    partial = "partial"
    substantial = "substantial"


WEAK_RATINGS = frozenset({Rating.weak, Rating.absent})  # a guarantee rated so makes the legal order's safeguards weak


class GuaranteeRating(LibrarySpec):
    rating: Rating = Field(description="absent, weak, partial or substantial.")
    note: Text = Field(description="Why, in a sentence or two.")
    sources: list[Source] = Field(min_length=1, description="Where it comes from; each source in full (see Source).")


class EssentialGuarantees(LibrarySpec):
    """The EDPB's four European Essential Guarantees for surveillance measures."""

    clear_precise_rules: GuaranteeRating = Field(description="A: processing rests on clear, precise and accessible rules.")
    necessity_proportionality: GuaranteeRating = Field(
        description="B: necessity and proportionality to the legitimate aims pursued are shown.")
    independent_oversight: GuaranteeRating = Field(description="C: an independent oversight mechanism exists.")
    effective_remedies: GuaranteeRating = Field(description="D: effective remedies are available to the individual.")

    def weak_ones(self) -> list[str]:
        """The guarantees rated weak or absent, in words."""
        return [GUARANTEE_LABELS[name] for name in type(self).model_fields
                if getattr(self, name).rating in WEAK_RATINGS]


def safeguard_level(guarantees: EssentialGuarantees) -> str:
    """The one rule that rates a legal order's safeguards: weak when weak or absent on any EDPB essential guarantee,
    substantial when substantial on all four, else partial. Facts, drivers and the method's words follow it."""
    ratings = {getattr(guarantees, name).rating for name in type(guarantees).model_fields}
    if ratings & WEAK_RATINGS:
        return "weak"
    return "substantial" if ratings == {Rating.substantial} else "partial"


class Practice(LibrarySpec):
    """A documented use of the legal order's powers: evidence that the power is used, not only written."""

    statement: Text = Field(description="What was done, by whom, to which organisation, in your own words.")
    date: PartialDate = Field(description="When it happened (or came to light).")
    status: Status = Field(description="confirmed, reported, alleged, vendor_claim or disputed.")
    powers: list[Power] = Field(min_length=1, description="The powers used.")
    purpose: Purpose | None = Field(
        default=None, description="What the powers were used for; a case counts only for provisions of that purpose. "
                                  "Omitted: unknown, and it counts for any.")
    sectors: list[Sector] = Field(default_factory=list, description="Sectors of the organisations it was used on.")
    foreign_data: bool = Field(description="Did it concern the data of people outside the legal order?")
    sources: list[Source] = Field(min_length=1, description="Where it comes from; each source in full (see Source).")


OVERRIDES = Field(default=False, description="In a user library: true when this entry replaces one of the same id "
                                             "from an earlier library (the built-in one, or a library given before).")


class Jurisdiction(LibrarySpec):
    id: JurisdictionCode
    overrides: bool = OVERRIDES
    name: ShortText = Field(description="The legal order's name, as the reports show it.")
    short_name: ShortText | None = Field(
        default=None, description="The name as a sentence uses it, with its article: 'China', 'the United States'.")
    part_of: JurisdictionCode | None = Field(
        default=None, description="A larger legal order whose law also applies here (IE is part of EU): a link to this "
                                  "one is a link to that one too.")
    summary: Text = Field(description="A few sentences: the setting, the main powers and safeguards, and what is left out.")
    authorities: list[Authority] = Field(default_factory=list, description="The organs that use the powers.")
    laws: list[Law] = Field(default_factory=list, description="The laws modelled, the most significant first.")
    essential_guarantees: EssentialGuarantees = Field(description="The legal order rated on the EDPB's four guarantees.")
    practice: list[Practice] = Field(
        default_factory=list, description="Documented uses of these powers on organisations or data; a driver of likelihood.")

    @property
    def in_sentence(self) -> str:
        return self.short_name or self.name


class Severity(Labelled):
    very_high = "very_high"
    high = "high"
    medium = "medium"
    low = "low"
    very_low = "very_low"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Likelihood(Labelled):
    """The UK PHIA probability yardstick."""

    remote_chance = "remote_chance"
    highly_unlikely = "highly_unlikely"
    unlikely = "unlikely"
    realistic_possibility = "realistic_possibility"
    likely = "likely"
    highly_likely = "highly_likely"
    almost_certain = "almost_certain"


class TargetKind(str, Enum):
    actor = "actor"
    device = "device"
    process = "process"
    server = "server"
    datastore = "datastore"
    external = "external"
    flow = "flow"


ThreatId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}-\d{2,3}$")]


class Category(str, Enum):
    """What kind of harm a threat is: STRIDE's six security categories, then LINDDUN's seven privacy ones."""

    spoofing = "spoofing"
    tampering = "tampering"
    repudiation = "repudiation"
    information_disclosure = "information_disclosure"
    denial_of_service = "denial_of_service"
    elevation_of_privilege = "elevation_of_privilege"
    linking = "linking"
    identifying = "identifying"
    non_repudiation = "non_repudiation"
    detecting = "detecting"
    data_disclosure = "data_disclosure"
    unawareness = "unawareness"
    non_compliance = "non_compliance"


class Threat(LibrarySpec):
    id: ThreatId = Field(description="Family prefix and number, e.g. LC-01; equal to the folder name.")
    overrides: bool = OVERRIDES
    family: Id = Field(description="The threat's family: the folder above its own.")
    title: ShortText = Field(description="What can happen, in a short sentence.")
    description: Text = Field(description="Who can do what to which data, by what means, and why it matters.")
    targets: list[TargetKind] = Field(min_length=1, description="Kinds of element (or flow) the condition is tried on.")
    condition: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Restricted Python expression over `target` and its derived `target.facts`."
    )
    powers: list[Power] = Field(
        default_factory=list, description="Legal powers the threat relies on; their legal bases explain each finding."
    )
    severity: Severity = Field(description="very_high, high, medium, low or very_low.")
    likelihood: Likelihood = Field(description="Base likelihood, in the PHIA yardstick's words; the analysis adjusts it.")
    impact: Text = Field(description="What follows if it happens.")
    categories: list[Category] = Field(
        default_factory=list, description="STRIDE and LINDDUN categories, the first the main one, e.g. information_disclosure.")
    capec: list[Annotated[str, StringConstraints(pattern=r"^CAPEC-\d+$")]] = Field(
        default_factory=list, description="Related CAPEC attack patterns.")
    cwe: list[Annotated[str, StringConstraints(pattern=r"^CWE-\d+$")]] = Field(default_factory=list, description="Related CWE weaknesses.")
    mitigations: list[Text] = Field(min_length=1, description="What the vendor or a regulator can do about it.")
    evidence: list[LibraryClaim] = Field(min_length=1, description="Sourced claims that show the threat is real.")
