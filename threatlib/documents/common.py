"""Types shared by the model format and the library: ids, codes, sources and claims."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from threatlib.vocabulary import Labelled

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


def _real_partial_date(text: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD that names a real year, month and day (no month 13, no 0000-00-00)."""
    year, month, day = (int(part) for part in (text.split("-") + ["1", "1"])[:3])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise PydanticCustomError("date_not_real", "no such date (a month is 01 to 12, a day one the month has); "
                                  "write YYYY-MM-DD, YYYY-MM or YYYY")
    return text


def _written_date(value: object) -> object:
    """A date written YYYY-MM-DD; never a number (0 would be read as 1970-01-01) nor a date and time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    raise PydanticCustomError("date_written", "a date is written YYYY-MM-DD, e.g. 2026-11-01")


PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
PartialDate = Annotated[
    str,
    StringConstraints(pattern=PARTIAL_DATE_PATTERN),
    AfterValidator(_real_partial_date),
    Field(description="YYYY-MM-DD, or YYYY-MM or YYYY when only that much is known."),
]
# A calendar day, written YYYY-MM-DD; and a yes/no that is true or false, never the text 'false' or the number 0.
Day = Annotated[dt.date, BeforeValidator(_written_date)]
Flag = StrictBool
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class Spec(BaseModel):
    """Base of every input schema: unknown keys are errors and values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Status(Labelled):
    """How well established a claim is."""

    confirmed = "confirmed"
    reported = "reported"
    alleged = "alleged"
    vendor_claim = "vendor_claim"
    disputed = "disputed"


class SourceKind(str, Enum):
    """Who stands behind a source: the author of the fact, an independent reporter, or a copy of another source."""

    primary = "primary"  # the regulator's decision, the court's judgment, the statute, the company's own statement
    secondary = "secondary"  # independent reporting or analysis
    mirror = "mirror"  # a copy of another source (syndication, reprint, archive); it names what it copies


class SourceDocument(Labelled):
    """What kind of document a source is, so the brief can name what a judgement rests on. A mirror takes the kind of
    the document it copies (a statute's text on Wikisource is a statute)."""

    statute = "statute"  # an act of a legislature: a law, code or ordinance
    regulation = "regulation"  # made under a law or by the executive: regulations, rules, decrees, executive orders
    court_judgment = "court_judgment"  # a court's judgment, ruling or order
    court_filing = "court_filing"  # a document filed in court by a party: a complaint, indictment, brief or exhibit
    regulator_decision = "regulator_decision"  # a regulator's or supervisory authority's decision, order, notice or finding
    government_statement = "government_statement"  # a government's or official's statement, guidance, letter or report
    parliamentary_record = "parliamentary_record"  # a parliament's record: hearings, debates, committee reports, bills
    official_register = "official_register"  # an entry in an official register or list: companies register, sanctions or entity list
    company_statement = "company_statement"  # a company's own text: release, blog, policy, terms, transparency report
    company_filing = "company_filing"  # a company's filing with a regulator, stock exchange or registry: annual report, prospectus, 8-K
    research_report = "research_report"  # researchers' own technical or academic findings
    news_report = "news_report"  # a journalist's report
    analysis = "analysis"  # commentary or analysis: think tanks, lawyers, scholars, fact-checkers, translations' notes


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
    kind: SourceKind = Field(description="primary: the author of the fact (the law, the decision, the company's own "
                                         "statement); secondary: independent reporting or analysis; mirror: a copy of "
                                         "another source (syndication, reprint, archive), named in mirror_of.")
    mirror_of: Id | None = Field(default=None, description="For a mirror: the id of the source it copies.")
    document: SourceDocument | None = Field(
        default=None, description="What kind of document it is: statute, regulation, court_judgment, court_filing, "
                                  "regulator_decision, government_statement, parliamentary_record, official_register, "
                                  "company_statement, company_filing, research_report, news_report or analysis. "
                                  "The brief names it; a mirror takes the kind of the document it copies.")
    author: Id | None = Field(default=None, description="Id of the model's organisation whose own document this is "
                                                       "(its statement, policy or filing); models only, not the library.")
    note: ShortText | None = Field(default=None, description="How the source was checked, e.g. that only a mirror "
                                                             "could be read.")


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
