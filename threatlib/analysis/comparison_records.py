"""The comparison's records: one row per app, one cell per app and foreign legal order, and the whole comparison."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from threatlib.analysis.model import Judgement, JudgementChange

CONFIDENCE = ("low", "moderate", "high")  # weakest first, so the index grows with certainty


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cell(Record):
    """One app and one foreign legal order: the app's own judgement, or its own reason for none."""

    jurisdiction: str
    name: str
    judgement: Judgement | None
    reason: str | None  # the app's no_judgement reason when it has no judgement
    route_words: str | None  # the judgement's route in a few words: the last steps to the holder
    weakest: str | None  # the route's weakest necessary step and its evidence, in words
    children: bool  # children's data among what reaches places this legal order can compel
    whose: list[str]  # whose data reaches those places (subject groups)


class Bound(Record):
    name: str
    how: list[str]  # "incorporated there", "control by ByteDance Ltd."


class Compeller(Record):
    """Who can compel whom: a foreign legal order, the organisations and places it binds, and how."""

    jurisdiction: str
    name: str
    organisations: list[Bound]
    places: list[str]  # parts of the app it reaches by where they are ("Dublin data centre")
    elements: int  # how many parts of the app it can compel
    provisions: list[str]  # labels of the provisions, the law's most significant first


class ReachableData(Record):
    id: str
    name: str
    children: bool
    sensitive: bool
    jurisdictions: list[str]  # the foreign legal orders that can reach it


class Company(Record):
    """An organisation of the app, where it is based, and which foreign legal orders can compel a part it runs."""

    name: str
    headquarters: str
    headquarters_name: str  # the legal order's name, for the picture
    incorporated_in: str
    compelled_by: list[str]


class TopRisk(Record):
    finding: str
    title: str
    element: str
    likelihood_words: str
    band: str
    impact_words: str
    rating: str


class ScenarioEffect(Record):
    """A scenario of the app's own (often the vendor's mitigation as described) and what it would change."""

    id: str
    name: str
    description: str
    statuses: list[str]  # the evidence status of the scenario's premise claims
    judgements: list[JudgementChange]  # as the app's own analysis has them
    no_longer_reachable: list[tuple[str, int]]  # (legal order, categories of personal data it could no longer reach)
    newly_reachable: list[tuple[str, int]]


class AppRow(Record):
    id: str
    name: str
    file: str
    as_of: str
    legal_layer: bool
    note: str | None  # said in the row when the comparison cannot read the app as the others
    domestic: list[str]  # the users' own legal orders
    data_subjects: list[str]
    report: str | None  # the app's own report, relative to the comparison, when it sits beside it
    cells: list[Cell]  # its foreign legal orders: judgements first, strongest first, then those without
    strongest: str | None  # the jurisdiction of its strongest judgement
    compellers: list[Compeller]
    companies: list[Company]
    reachable_data: list[ReachableData]
    personal_data: int  # how many categories of personal data the model describes
    top_risks: list[TopRisk]
    scenarios: list[ScenarioEffect]
    reason: str  # why it sits where it does in the ranking, in words; it names no other app
    rank: int  # its position under RULE; apps equal under the rule share one


class Column(Record):
    jurisdiction: str
    name: str
    judged: int  # how many apps have a judgement for it
    highest: str  # the highest likelihood any app has for it, in yardstick words


class Comparison(Record):
    title: str
    organisation: str | None
    as_of: str
    rule: str
    columns: list[Column]  # foreign legal orders: the highest likelihood first, then the most apps, then code
    apps: list[AppRow]  # in rank order, then by name and id
    alike: list[str]
    differ: list[str]
    yardstick: list[tuple[str, str]]  # (words, band), for the reader's key


def judgement_of(row: AppRow, code: str) -> Judgement | None:
    return next((c.judgement for c in row.cells if c.jurisdiction == code), None)


def cell_of(row: AppRow, code: str) -> Cell | None:
    return next((c for c in row.cells if c.jurisdiction == code), None)
