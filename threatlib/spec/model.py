"""The model file format: what an analyst writes in models/<app>.yaml.

Every field carries a description: `threatlib schema` exports them as the JSON Schema editors use.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from threatlib.documents.common import Claim, Day, Flag, Id, JurisdictionCode, PartialDate, ShortText, Source, Spec, Status, Text
from threatlib.vocabulary import Labelled, Sector


class SubjectGroup(Labelled):
    """Whose data it is. Groups of interest to intelligence services raise the likelihood of an intelligence or
    national-security power being used (the targeting driver); children raise the impact of harm, not the likelihood."""

    general_public = "general_public"  # ordinary users, no group singled out
    children = "children"  # users under 18
    public_officials = "public_officials"  # civil servants, ministers, staff of public bodies
    parliamentarians = "parliamentarians"  # members of a parliament and their staff
    journalists = "journalists"  # journalists and their sources
    dissidents = "dissidents"  # critics, exiles and diaspora communities a foreign state watches
    military = "military"  # armed forces and defence staff


TARGETED_GROUPS = frozenset({SubjectGroup.public_officials, SubjectGroup.parliamentarians, SubjectGroup.journalists,
                             SubjectGroup.dissidents, SubjectGroup.military})


class Metadata(Spec):
    id: Id = Field(description="Model id; names the report folder.")
    name: ShortText = Field(description="Name of the app or system modelled.")
    description: Text = Field(description="What the model covers, in plain language.")
    scope: Text = Field(description="What is in and out of scope.")
    as_of: Day = Field(description="Date the model's facts are current to; also dates the reports.")
    data_subjects_in: list[JurisdictionCode] = Field(
        default_factory=list,
        description="Jurisdictions where the people whose data matters live; other legal orders count as foreign. "
                    "Needed once the legal layer is modelled; empty only while it is not (an imported model).",
    )
    authors: list[ShortText] = Field(default_factory=list, description="Who maintains the model.")
    timeframe_years: Annotated[StrictInt, Field(ge=1, le=10)] = Field(
        default=2, description="The period each judgement's likelihood covers, in years from as_of (default 2).")
    data_subjects: list[SubjectGroup] = Field(
        default_factory=lambda: [SubjectGroup.general_public],
        description="Whose data the model is about, where an element does not say (its `subjects`); default general_public.")


class Scale(Spec):
    """How large an organisation is, for provisions that bind only above a threshold (e.g. China's PIPL Art. 40)."""

    personal_data_subjects: int | None = Field(default=None, ge=0, description="People whose personal data it handles.")
    users: int | None = Field(default=None, ge=0, description="Users of its services.")


class Organisation(Spec):
    id: Id
    name: ShortText
    description: str = Field(default="", description="What the organisation does in this system.")
    incorporated_in: JurisdictionCode = Field(description="Where it is incorporated.")
    headquarters: JurisdictionCode = Field(description="Where it is headquartered or effectively managed.")
    parent: Id | None = Field(default=None, description="Id of the organisation that controls it.")
    control: ShortText | None = Field(default=None, description="How the parent controls it, e.g. 'wholly owned subsidiary'.")
    staff_access_from: list[JurisdictionCode] = Field(
        default_factory=list, description="Where its staff with access to user data sit."
    )
    sectors: list[Sector] = Field(default_factory=list, description="Sectors it belongs to, for laws that single out some.")
    claims: list[Claim] = Field(min_length=1, description="Sourced facts about the organisation.")
    staff_access_unnamed: bool = Field(
        default=False, description="Staff with access to user data also sit in countries the sources do not name. "
                                   "Analysed as reachable by an unknown legal order, never as safe.")
    headquarters_disputed: list[JurisdictionCode] = Field(
        default_factory=list, description="Other places where the organisation is said to be headquartered or "
                                          "effectively managed; each is analysed as a headquarters too.")
    scale: Scale | None = Field(default=None, description="How large it is, for provisions that bind by size; cite it in claims.")


class Classification(str, Enum):
    public = "public"
    restricted = "restricted"
    sensitive = "sensitive"
    secret = "secret"


class DataTag(str, Enum):
    """What kind of data a category is, in words threats can match whatever the model calls it."""

    account = "account"
    age = "age"
    contacts = "contacts"
    precise_location = "precise_location"
    coarse_location = "coarse_location"
    device_identifiers = "device_identifiers"
    biometric = "biometric"
    keystroke_dynamics = "keystroke_dynamics"
    clipboard = "clipboard"
    messages = "messages"
    browsing_activity = "browsing_activity"
    viewing_history = "viewing_history"
    inferred_interests = "inferred_interests"
    user_content = "user_content"
    installed_apps = "installed_apps"
    files = "files"
    credentials = "credentials"
    payment = "payment"
    security_telemetry = "security_telemetry"
    software_update = "software_update"
    conversation = "conversation"
    shopping_activity = "shopping_activity"
    transactions = "transactions"
    identity_document = "identity_document"


class DataCategory(Spec):
    id: Id
    name: ShortText
    description: str = ""
    tags: list[DataTag] = Field(default_factory=list, description="Kinds of data, from a fixed vocabulary threats can match.")
    classification: Classification
    personal: Flag = Field(description="Is it personal data?")
    sensitive: Flag = Field(default=False, description="Special-category or otherwise sensitive (biometrics, precise location).")
    children: Flag = Field(default=False, description="Does it include data about children?")
    claims: list[Claim] = Field(default_factory=list)


class Boundary(Spec):
    id: Id
    name: ShortText
    description: str = ""
    parent: Id | None = Field(default=None, description="Id of the enclosing boundary.")


class ElementKind(str, Enum):
    actor = "actor"
    device = "device"
    process = "process"
    server = "server"
    datastore = "datastore"
    external = "external"


class ElementTag(str, Enum):
    """What an element does, in words threats can match."""

    mobile_app = "mobile_app"
    desktop_app = "desktop_app"
    in_app_browser = "in_app_browser"
    update_channel = "update_channel"
    content_recommendation = "content_recommendation"  # was `recommendation`; see threatlib.vocabulary.RENAMED
    product_recommendation = "product_recommendation"
    moderation = "moderation"
    access_gateway = "access_gateway"
    third_party_sdk = "third_party_sdk"
    admin_console = "admin_console"
    engineering = "engineering"
    data_centre = "data_centre"
    edge = "edge"
    os_service = "os_service"
    security_software = "security_software"
    ai_model = "ai_model"
    auditor = "auditor"
    government_device = "government_device"
    marketplace = "marketplace"
    payment_processing = "payment_processing"


class Element(Spec):
    id: Id
    name: ShortText
    kind: ElementKind
    description: str = ""
    tags: list[ElementTag] = Field(default_factory=list, description="What the element does, from a fixed vocabulary threats can match.")
    operator: Id | None = Field(default=None, description="Organisation that operates it; null for a user or their own device.")
    location: JurisdictionCode | None = Field(
        default=None, description="Jurisdiction where it physically is. Needed once the legal layer is modelled; left out "
                                  "only while it is not (an imported model), and the reports then say so.")
    boundary: Id | None = Field(default=None, description="Trust boundary it sits in.")
    stores: list[Id] = Field(default_factory=list, description="Data categories held at rest.")
    os: str = Field(default="", description="Operating system, for devices and servers.")
    controls: dict[str, Flag] = Field(
        default_factory=dict, description="pytm controls in place, by pytm's name (isEncryptedAtRest, usesMFA, ...)."
    )
    in_scope: Flag = Field(default=True, description="Out-of-scope elements are drawn but get no findings.")
    subjects: list[SubjectGroup] = Field(
        default_factory=list,
        description="Whose data starts here (on the people and devices where data originates); else metadata.data_subjects.")
    claims: list[Claim] = Field(default_factory=list)


class Encryption(str, Enum):
    none = "none"
    tls12 = "tls1.2"
    tls13 = "tls1.3"
    e2e = "e2e"


class Flow(Spec):
    id: Id
    name: ShortText
    source: Id = Field(description="Element the data leaves.")
    sink: Id = Field(description="Element the data reaches.")
    data: list[Id] = Field(min_length=1, description="Data categories carried.")
    protocol: ShortText = "HTTPS"
    encryption: Encryption = Encryption.tls12
    remote_access: Flag = Field(default=False, description="The sink reads the source's data from elsewhere.")
    description: str = ""
    claims: list[Claim] = Field(default_factory=list)


class Position(Spec):
    id: Id
    topic: ShortText = Field(description="The contested question.")
    about: list[JurisdictionCode] = Field(
        default_factory=list, description="Legal orders whose judgement the position bears on: it is that judgement's alternative view.")
    vendor: Claim = Field(description="The vendor's own position.")
    counter: list[Claim] = Field(min_length=1, description="The strongest counter-arguments.")


class Assumption(Spec):
    """A premise the model relies on without evidence: the judgements that rest on it say so, and hold only if it does."""

    id: Id
    statement: Text = Field(description="What is assumed.")
    why: Text = Field(description="Why the model assumes it (what evidence is missing, why the assumption is reasonable).")
    rests_on: list[Id] = Field(
        min_length=1, description="Ids of the elements, flows, organisations or data categories that rest on it.")
    would_change: Text | None = Field(default=None, description="What evidence would confirm or overturn it.")


class VendorPractice(Spec):
    """A documented demand by a legal order's authorities on an organisation of this model (or its use of their
    powers on it): the vendor practice driver, which also lifts the ceiling on likelihood and allows high confidence."""

    jurisdiction: JurisdictionCode = Field(description="The legal order whose authorities made the demand.")
    organisation: Id = Field(description="The organisation the demand was made on; its whole group counts.")
    date: PartialDate = Field(description="When it happened (or came to light).")
    statement: Text = Field(description="What was demanded and what the organisation did, in your own words.")
    status: Status = Field(description="confirmed, reported, alleged, vendor_claim or disputed; only confirmed and "
                                       "reported count.")
    sources: list[Id] = Field(min_length=1, description="Ids of entries in the model's `sources`.")
class Assessment(Labelled):
    """What this model makes of a claim made in public, on the evidence it records."""

    supported = "supported"
    partly_supported = "partly_supported"
    not_supported = "not_supported"
    cannot_be_assessed = "cannot_be_assessed"


class DebateClaim(Spec):
    """Something said in public about the app, by whom and when, with this model's assessment and its evidence."""

    id: Id
    claim: Text = Field(description="What was said, summarised in your own words (a short quotation only where the wording is the point).")
    said_by: ShortText = Field(description="Who said it.")
    said_on: PartialDate = Field(description="When it was said.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources that record it being said.")
    assessment: Assessment = Field(description="supported, partly_supported, not_supported or cannot_be_assessed.")
    reasoning: Text = Field(description="Why the evidence leads to that assessment, including what it does not show.")
    in_short: ShortText = Field(description="The assessment's reason in one sentence, for the policy brief.")
    evidence: list[Claim] = Field(min_length=1, description="The sourced claims the assessment rests on.")


class Exclusion(Spec):
    """A threat that does not apply to one element, and why: shown in every report, never silently dropped."""

    threat: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,15}$")] = Field(
        description="Threat id, from threatlib's library (LC-01) or pytm's (INP01).")
    element: Id = Field(description="Element or flow id.")
    justification: Text = Field(description="Why the threat does not apply here.")
    owner: ShortText | None = Field(default=None, description="Who decided.")


class ThreatSelection(Spec):
    families: list[Id] | None = Field(default=None, description="Library families to apply; all when omitted.")
    pytm: Flag = Field(default=True, description="Apply pytm's own technical threats too.")
    exclusions: list[Exclusion] = Field(default_factory=list)


class DecisionKind(str, Enum):
    accepted = "accepted"
    mitigated = "mitigated"
    transferred = "transferred"


class Decision(Spec):
    """A risk decision on one finding, by its stable id; reports show it and warn when it matches nothing."""

    finding: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,15}@[a-z0-9][a-z0-9-]{0,63}$")] = Field(
        description="Finding id, THREAT-ID@element-id.")
    decision: DecisionKind
    justification: Text
    owner: ShortText
    date: Day


class Update(Spec):
    id: Id = Field(description="Id of the organisation, data category, boundary, element or flow to change.")
    set: dict[str, object] = Field(min_length=1, description="Fields to replace, with their new values.")


class Additions(Spec):
    organisations: list[Organisation] = Field(default_factory=list)
    data: list[DataCategory] = Field(default_factory=list)
    boundaries: list[Boundary] = Field(default_factory=list)
    elements: list[Element] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)


class Scenario(Spec):
    """A named set of changes to the baseline, analysed beside it (e.g. a vendor's promised controls, a ban)."""

    id: Id
    name: ShortText
    description: Text
    claims: list[Claim] = Field(default_factory=list, description="Sources for the scenario's premise.")
    remove: list[Id] = Field(default_factory=list, description="Ids to remove; flows to or from a removed element go too.")
    update: list[Update] = Field(default_factory=list)
    add: Additions = Field(default_factory=Additions)


class Model(Spec):
    """A threat model of one app: who runs what where, what data flows, and what is claimed about it."""

    metadata: Metadata
    sources: list[Source] = Field(min_length=1)
    organisations: list[Organisation] = Field(default_factory=list)
    data: list[DataCategory] = Field(min_length=1)
    boundaries: list[Boundary] = Field(default_factory=list)
    elements: list[Element] = Field(min_length=1)
    flows: list[Flow] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list, description="Premises relied on without evidence.")
    practice: list[VendorPractice] = Field(
        default_factory=list, description="Documented demands by a legal order's authorities on this vendor's group.")
    threats: ThreatSelection = Field(default_factory=ThreatSelection, description="Which threats apply.")
    scenarios: list[Scenario] = Field(default_factory=list, description="Alternatives analysed beside the baseline.")
    decisions: list[Decision] = Field(default_factory=list, description="Risk decisions on findings, by finding id.")
    debate: list[DebateClaim] = Field(default_factory=list,
                                      description="Claims made in the public debate, each assessed against the evidence.")
    library: list[ShortText] = Field(
        default_factory=list, description="User library folders (jurisdictions/, threats/) this model needs, relative "
                                          "to the model file; loaded after the built-in library and any --library.")

    def legal_layer(self) -> bool:
        """Whether organisations and jurisdictions are modelled: an imported model has none of them yet."""
        return bool(self.organisations or self.metadata.data_subjects_in or any(e.location for e in self.elements))
