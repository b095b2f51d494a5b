"""The printed report of a large estate in place of its appendix: the findings summed up by threat and by trust
boundary, and the few elements rated highest. Its every row is a count or a name; the complete lists are in the
HTML report, threats.csv and threats.json."""

from __future__ import annotations

from dataclasses import dataclass, field

from threatlib.analysis.model import Analysis, ElementView, Finding
from threatlib.analysis.risk import RATINGS

SUMMARY_LIMIT = 20  # boundaries and elements set out, the highest-rated first
STRONGEST_FIRST = tuple(reversed(RATINGS))


@dataclass
class Tally:
    """Findings counted: the legal ones by risk rating, strongest first, and pytm's."""

    legal: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STRONGEST_FIRST, 0))
    technical: int = 0

    def add(self, f: Finding) -> None:
        if f.origin == "threatlib":
            self.legal[f.risk.rating] += 1
        else:
            self.technical += 1

    @property
    def legal_count(self) -> int:
        return sum(self.legal.values())

    @property
    def strength(self) -> tuple[int, ...]:
        """Orders tallies: more findings at the highest rating first, then at the next, and so on."""
        return tuple(self.legal.values())


@dataclass
class BoundaryTally:
    name: str  # the boundary's, or "Outside any boundary"
    elements: int
    tally: Tally


@dataclass
class ElementTally:
    element: ElementView
    tally: Tally
    legal: list[Finding]  # its legal findings
    technical: int  # how many of pytm's threats


@dataclass
class EstateSummary:
    ratings: tuple[str, ...]  # the ratings any legal finding has, strongest first: the tables' columns
    by_threat: list[tuple[Finding, int, Tally]]  # each legal threat (one of its findings), its elements, its tally
    boundaries: list[BoundaryTally]  # the highest-rated, at most `limit`
    boundary_count: int  # boundaries that hold an element, with "outside any boundary" if any element is
    other_boundaries: BoundaryTally  # what the boundaries not listed hold, together
    elements: list[ElementTally]  # the highest-rated, at most `limit`
    rated_at_top: int  # elements with a legal finding at the highest rating any element has
    top_rating: str | None
    flows: Tally  # findings on data flows
    flow_count: int  # flows with a finding
    limit: int


def estate_summary(analysis: Analysis, legal_by_rating: dict[str, list[list[Finding]]],
                   limit: int = SUMMARY_LIMIT) -> EstateSummary:
    """`legal_by_rating`: ReportView's legal findings, threat by threat under each threat's highest rating;
    `limit`: how many boundaries and elements to set out."""
    elements = {e.id: e for e in analysis.elements}
    on_element: dict[str, Tally] = {}
    legal_on: dict[str, list[Finding]] = {}
    technical_on: dict[str, set[str]] = {}
    flows: Tally = Tally()
    flows_found: set[str] = set()
    for f in analysis.findings:
        if f.element_id not in elements:
            flows.add(f)
            flows_found.add(f.element_id)
            continue
        on_element.setdefault(f.element_id, Tally()).add(f)
        if f.origin == "threatlib":
            legal_on.setdefault(f.element_id, []).append(f)
        else:
            technical_on.setdefault(f.element_id, set()).add(f.threat_id)

    by_threat = []
    for groups in legal_by_rating.values():
        for group in groups:
            tally = Tally()
            for f in group:
                tally.add(f)
            by_threat.append((group[0], len({f.element_id for f in group}), tally))

    boundary_names = {b.id: b.name for b in analysis.boundaries}
    per_boundary: dict[str | None, BoundaryTally] = {}
    for e in analysis.elements:
        row = per_boundary.setdefault(e.boundary, BoundaryTally(
            boundary_names[e.boundary] if e.boundary else "Outside any boundary", 0, Tally()))
        row.elements += 1
        found = on_element.get(e.id)
        if found:
            for rating, n in found.legal.items():
                row.tally.legal[rating] += n
            row.tally.technical += found.technical
    # Highest-rated first; among equals, in the model's order (dicts keep it).
    ranked = sorted(per_boundary.values(), key=lambda b: tuple(-n for n in b.tally.strength))
    others = BoundaryTally("", 0, Tally())
    for b in ranked[limit:]:
        others.elements += b.elements
        for rating, n in b.tally.legal.items():
            others.tally.legal[rating] += n
        others.tally.technical += b.tally.technical

    rated = [ElementTally(elements[i], on_element[i], legal_on.get(i, []), len(technical_on.get(i, ())))
             for i in elements if i in on_element and on_element[i].legal_count]
    rated.sort(key=lambda x: tuple(-n for n in x.tally.strength))
    top = next((r for r in STRONGEST_FIRST if rated and rated[0].tally.legal[r]), None)
    return EstateSummary(
        ratings=tuple(r for r in STRONGEST_FIRST if any(t.legal[r] for t in on_element.values()) or flows.legal[r]),
        by_threat=by_threat, boundaries=ranked[:limit],
        boundary_count=len(ranked), other_boundaries=others, elements=rated[:limit],
        rated_at_top=sum(1 for x in rated if top and x.tally.legal[top]), top_rating=top,
        flows=flows, flow_count=len(flows_found), limit=limit)
