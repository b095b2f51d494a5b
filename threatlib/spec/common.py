"""Types shared by the model format and the library: ids, codes, sources and claims."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="Lowercase kebab-case identifier, at most 64 characters; safe as a file name."),
]
JurisdictionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="Code of a jurisdiction in the library, two capital letters (CN, US, GB, EU, IE, ...)."),
]
PartialDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    Field(description="YYYY-MM-DD, or YYYY-MM or YYYY when only that much is known."),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class Spec(BaseModel):
    """Base of every input schema: unknown keys are errors and values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Status(str, Enum):
    """How well established a claim is."""

    confirmed = "confirmed"
    reported = "reported"
    alleged = "alleged"
    vendor_claim = "vendor_claim"
    disputed = "disputed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class SourceKind(str, Enum):
    primary = "primary"
    secondary = "secondary"


URL_PATTERN = re.compile(r"^https?://[^\s<>\"]+$")


class Source(Spec):
    """Where a claim comes from."""

    id: Id
    title: ShortText = Field(description="Title of the document or page.")
    publisher: ShortText = Field(description="Who published it.")
    date: PartialDate = Field(description="When it was published.")
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN.pattern, max_length=2000)] | None = Field(
        default=None, description="Address (http or https) where it can be read."
    )
    kind: SourceKind = Field(description="primary: the law, the decision, the vendor's own text; secondary: reporting or commentary.")


class Claim(Spec):
    """A factual statement, how well established it is, and the sources that support it."""

    statement: Text = Field(description="The claim, in your own words.")
    status: Status = Field(description="confirmed, reported, alleged, vendor_claim or disputed.")
    sources: list[Id] = Field(min_length=1, description="Ids of entries in the model's `sources`.")


class LibraryClaim(Spec):
    """A claim inside the library, which carries its sources inline."""

    statement: Text = Field(description="The claim, in your own words.")
    status: Status = Field(description="confirmed, reported, alleged, vendor_claim or disputed.")
    sources: list[Source] = Field(min_length=1, description="Where it comes from; each source in full (see Source).")
