"""The model file format: what an analyst writes in models/<app>.yaml.

Every field carries a description: `threatlib schema` exports them as the JSON Schema editors use.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import Field

from threatlib.spec.common import Claim, Id, JurisdictionCode, ShortText, Source, Spec, Text


class Metadata(Spec):
    id: Id = Field(description="Model id; names the report folder.")
    name: ShortText = Field(description="Name of the app or system modelled.")
    description: Text = Field(description="What the model covers, in plain language.")
    scope: Text = Field(description="What is in and out of scope.")
    as_of: dt.date = Field(description="Date the model's facts are current to; also dates the reports.")
    data_subjects_in: list[JurisdictionCode] = Field(
        min_length=1,
        description="Jurisdictions where the people whose data matters live; other legal orders count as foreign.",
    )
    authors: list[ShortText] = Field(default_factory=list, description="Who maintains the model.")


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
    claims: list[Claim] = Field(min_length=1, description="Sourced facts about the organisation.")


class Classification(str, Enum):
    public = "public"
    restricted = "restricted"
    sensitive = "sensitive"
    secret = "secret"


class DataCategory(Spec):
    id: Id
    name: ShortText
    description: str = ""
    classification: Classification
    personal: bool = Field(description="Is it personal data?")
    sensitive: bool = Field(default=False, description="Special-category or otherwise sensitive (biometrics, precise location).")
    children: bool = Field(default=False, description="Does it include data about children?")
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


class Element(Spec):
    id: Id
    name: ShortText
    kind: ElementKind
    description: str = ""
    operator: Id | None = Field(default=None, description="Organisation that operates it; null for a user or their own device.")
    location: JurisdictionCode = Field(description="Jurisdiction where it physically is.")
    boundary: Id | None = Field(default=None, description="Trust boundary it sits in.")
    stores: list[Id] = Field(default_factory=list, description="Data categories held at rest.")
    os: str = Field(default="", description="Operating system, for devices and servers.")
    controls: dict[str, bool] = Field(
        default_factory=dict, description="pytm controls in place, by pytm's name (isEncryptedAtRest, usesMFA, ...)."
    )
    in_scope: bool = Field(default=True, description="Out-of-scope elements are drawn but get no findings.")
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
    remote_access: bool = Field(default=False, description="The sink reads the source's data from elsewhere.")
    description: str = ""
    claims: list[Claim] = Field(default_factory=list)


class Position(Spec):
    id: Id
    topic: ShortText = Field(description="The contested question.")
    vendor: Claim = Field(description="The vendor's own position.")
    counter: list[Claim] = Field(min_length=1, description="The strongest counter-arguments.")


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
