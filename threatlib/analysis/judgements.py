"""Judgements: for each foreign legal order, legal reach, route, likelihood within a timeframe, and confidence.

Each part is answered on its own evidence. Reach is a question of law (which provisions bind which organisation,
through which link, and how settled that reading is). The route is a question of fact (which compellable holder
has which data, by which flows, and how well each necessary step is evidenced). The likelihood comes from the
drivers in threatlib.analysis.drivers; confidence, key assumptions, the alternative view and indicators in
threatlib.analysis.confidence.
Of all routes to places a legal order can compel, the judgement names the one that gives the strongest case,
and among equally strong ones the best evidenced: any one route is enough for the data to be obtained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from threatlib.analysis.confidence import alternative_view, confidence_of, indicators, key_assumptions, step_words
from threatlib.analysis.drivers import (
    DOUBTFUL,
    UNSUPPORTED,
    WEAKNESS,
    Basis,
    Rated,
    rate,
    strength,
)
from threatlib.analysis.model import (
    CitedClaim,
    Exposure,
    Judgement,
    NoJudgement,
    Premise,
    Reach,
    ReachingProvision,
    Route,
    Timeframe,
)
from threatlib.analysis.risk import YARDSTICK, yardstick_index
from threatlib.compile import CompiledModel
from threatlib.compile.legal import LegalBasis, reaching
from threatlib.documents.common import Claim

CERTAINTY = ("settled", "contested", "unverified")
# Which link to name when a provision reaches a holder through several: the organisation's own ties first.
VIA_ORDER = {"incorporation": 0, "headquarters": 1, "staff": 2, "location": 3, "control": 4}


class Evidence:
    """How well the model evidences each of its elements, flows, organisations and data categories."""

    def __init__(self, compiled: CompiledModel):
        spec = compiled.spec
        self.kinds = {s.id: s.kind.value for s in spec.sources}
        self.items: dict[str, tuple[str, str, list[Claim]]] = {}
        for kind, section in (("organisation", spec.organisations), ("data", spec.data), ("element", spec.elements),
                              ("flow", spec.flows)):
            for item in section:
                self.items[item.id] = (kind, item.name, list(item.claims))
        self._premises: dict[tuple[str, str], Premise] = {}
        self.assumptions: dict[str, list] = {}
        for a in spec.assumptions:
            for ref in a.rests_on:
                self.assumptions.setdefault(ref, []).append(a)

    def premise(self, item_id: str, role: str) -> Premise:
        """The same step is a premise of many routes and findings: each is worked out once (premises are not changed
        after they are made, so they may be shared)."""
        key = (item_id, role)
        if key not in self._premises:
            self._premises[key] = self._premise(item_id, role)
        return self._premises[key]

    def _premise(self, item_id: str, role: str) -> Premise:
        kind, name, claims = self.items[item_id]
        assumed = self.assumptions.get(item_id)
        if assumed:
            status, best = "assumption", claims
        elif not claims:
            status, best = "unsourced", []
        else:
            status = min((c.status.value for c in claims), key=WEAKNESS.index)
            best = [c for c in claims if c.status.value == status]
        sources = sorted({s for c in best for s in c.sources})
        return Premise.trusted(kind=kind, id=item_id, name=name, role=role, status=status, sources=sources,
                       primary=any(self.kinds.get(s) == "primary" for s in sources),
                       assumption=assumed[0].id if assumed else None)


class Organisations:
    """Each organisation's corporate group and sectors, worked out once per model: a large estate asks for them
    for every route and every legal finding, and walking the parent chains each time cost a third of the analysis."""

    def __init__(self, compiled: CompiledModel):
        self.compiled = compiled
        self._groups: dict[str, frozenset[str]] | None = None
        self._sectors: dict[str, frozenset[str]] = {}

    def group(self, operator: str) -> frozenset[str]:
        if not operator:
            return frozenset()
        if self._groups is None:
            self._groups = _groups(self.compiled)
        return self._groups[operator]

    def sectors(self, operator: str) -> frozenset[str]:
        if operator not in self._sectors:
            self._sectors[operator] = frozenset(_sectors(self.compiled, operator))
        return self._sectors[operator]


@dataclass
class Candidate:
    """One route to a compellable holder, with the provisions that reach it and its rating."""

    exposures: list[Exposure]
    provisions: list[ReachingProvision]
    premises: list[Premise]
    weakest: Premise
    rated: Rated
    gateway: str | None


def judge(compiled: CompiledModel, exposures: list[Exposure], cite) -> tuple[list[Judgement], list[NoJudgement]]:
    """cite(source) records a library source the analysis cites and returns its id."""
    spec = compiled.spec
    evidence = Evidence(compiled)
    organisations = Organisations(compiled)
    index = compiled.library.provision_index()
    # Routes to one holder share its provisions, and routes alike in every driver share one rating.
    provisions: dict[tuple[str, str], list[ReachingProvision]] = {}
    ratings: dict[tuple, Rated] = {}
    names = {o.id: o.name for o in spec.organisations}
    foreign = sorted({link.jurisdiction for link in compiled.compulsion if link.foreign}
                     | {c for o in spec.organisations for c in (o.incorporated_in, o.headquarters, *o.staff_access_from)
                        if c not in compiled.domestic}
                     | {e.location for e in spec.elements if e.location and e.location not in compiled.domestic})
    judgements, none = [], []
    by_jurisdiction: dict[str, list[Exposure]] = {}
    for e in exposures:
        by_jurisdiction.setdefault(e.jurisdiction, []).append(e)
    for code in foreign:
        jurisdiction = compiled.library.jurisdictions[code]
        mine = by_jurisdiction.get(code, [])
        if not mine:
            none.append(NoJudgement(jurisdiction=code, name=jurisdiction.name, name_in_sentence=jurisdiction.in_sentence,
                                    reason=_why_none(compiled, code)))
            continue
        routes: dict[tuple, list[Exposure]] = {}
        for e in mine:
            routes.setdefault((e.holder, tuple(e.elements), tuple(e.flows), tuple(e.subjects)), []).append(e)
        candidates = [_candidate(compiled, evidence, code, group, cite, organisations=organisations, index=index,
                                 provisions=provisions, ratings=ratings, names=names)
                      for _, group in sorted(routes.items())]
        # The preference starts with the rating: only the best rated can be preferred, so only they are compared.
        strongest = min((-c.rated.index, -c.rated.raw) for c in candidates)
        best = min((c for c in candidates if (-c.rated.index, -c.rated.raw) == strongest),
                   key=lambda c: _preference(compiled, code, c))
        judgements.append(_judgement(compiled, evidence, code, best, mine, len(routes), cite))
    judgements.sort(key=lambda j: (-yardstick_index(j.likelihood), j.jurisdiction))
    return judgements, none


def _why_none(compiled: CompiledModel, code: str) -> str:
    name = compiled.library.jurisdictions[code].in_sentence
    compelled = sorted({link.element for link in compiled.compulsion if link.jurisdiction == code})
    if compelled:
        names = ", ".join(compiled.facts[e].name for e in compelled[:3]) + (" and others" if len(compelled) > 3 else "")
        return (f"The authorities of {name} can compel {names}, but no personal data the model describes reaches "
                f"{'it' if len(compelled) == 1 else 'them'}.")
    if not compiled.library.jurisdictions[code].laws:
        return (f"Not assessed: organisations or places in the model are linked to {name}, but the library has no "
                f"law of {name} yet. This is a gap in the library, not a finding that {name} cannot compel them.")
    return (f"Not assessed: organisations or places in the model are linked to {name}, but none of the library's "
            f"provisions of {name} reaches them through those links (or their sectors). The library may lack the "
            "provisions that would.")


def _candidate(compiled: CompiledModel, evidence: Evidence, code: str, group: list[Exposure], cite, *,
               organisations: Organisations, index: dict, provisions: dict, ratings: dict, names: dict) -> Candidate:
    """provisions and ratings: what earlier candidates worked out, by holder's bases (the provisions that reach it,
    and what the rating needs of the lead one) and by drivers."""
    first = group[0]
    # Holders with the same bases (compile gives them one tuple, alive for the analysis) share their provisions.
    bases = compiled.bases.get(first.holder, ())
    if (code, id(bases)) not in provisions:
        reaching_provisions = _provisions(compiled, code, bases, cite, index, names)
        lead = reaching_provisions[0]
        basis = Basis(lead.label, lead.purpose, lead.scope, frozenset(index[lead.provision_id][2].powers))
        provisions[code, id(bases)] = reaching_provisions, basis
    reaching_provisions, basis = provisions[code, id(bases)]
    lead = reaching_provisions[0]
    premises = _premises(compiled, evidence, first, lead, sorted({e.data for e in group}))
    weakest = max(premises, key=lambda p: WEAKNESS.index(p.status))
    operator = compiled.facts[first.holder].operator
    holders_group = organisations.group(operator)
    # A gateway counts only when someone outside the holder's group runs it: a group-run gateway opens on demand.
    gateway = next((compiled.facts[x].name for x in first.elements
                    if "access_gateway" in compiled.facts[x].tags and compiled.facts[x].operator not in holders_group),
                   None)
    rated = _rated(ratings, compiled, code, basis,
                   contested=lead.counter_reading is not None or lead.via == "control",
                   sectors=organisations.sectors(operator), subjects=frozenset(first.subjects),
                   weakest=(weakest.status, step_words(weakest)), gateway=gateway, group=holders_group)
    return Candidate(exposures=group, provisions=reaching_provisions, premises=premises, weakest=weakest, rated=rated,
                     gateway=gateway)


def _rated(ratings: dict, compiled: CompiledModel, code: str, lead: Basis, *, contested: bool, sectors: frozenset[str],
           subjects: frozenset[str], weakest: tuple[str, str], gateway: str | None, group: frozenset[str]) -> Rated:
    """rate(), once for each set of drivers: the rating is a function of these alone (ratings is also rate()'s memo
    of the drivers ratings share, and of each group's documented demands, under keys of other shapes). It reads what the weakest step
    is only when its evidence lowers or caps the rating: steps stronger than that differ in no rating."""
    if weakest[0] not in _LOWERING:
        weakest = (weakest[0], "")
    key = (code, lead, contested, sectors, subjects, weakest, gateway, group)
    if key not in ratings:
        if ("vendor", code, group) not in ratings:
            ratings["vendor", code, group] = vendor_practice(compiled, code, group)
        ratings[key] = rate(compiled.library.jurisdictions[code], lead, contested=contested, sectors=sectors,
                            subjects=subjects, weakest=weakest, gateway=gateway,
                            vendor_cases=ratings["vendor", code, group], memo=ratings)
    return ratings[key]


_LOWERING = DOUBTFUL | UNSUPPORTED  # evidence that lowers or caps a rating


def vendor_practice(compiled: CompiledModel, code: str, group: set[str]) -> tuple[str, ...]:
    """The model's documented demands by this legal order on the group, as "date: statement", confirmed first."""
    cases = sorted((p for p in compiled.spec.practice if p.jurisdiction == code and p.organisation in group
                    and p.status.value in ("confirmed", "reported")),
                   key=lambda p: (p.status.value != "confirmed", p.date, p.statement))
    return tuple(f"{p.date}: {p.statement}" for p in cases)


def _groups(compiled: CompiledModel) -> dict[str, frozenset[str]]:
    """Each organisation's corporate group: every organisation under the same ultimate parent as it."""
    orgs = {o.id: o for o in compiled.spec.organisations}

    def root(org: str) -> str:
        seen = set()
        while orgs[org].parent and org not in seen:
            seen.add(org)
            org = orgs[org].parent
        return org

    members: dict[str, set[str]] = {}
    tops = {o: root(o) for o in orgs}
    for org, top in tops.items():
        members.setdefault(top, set()).add(org)
    frozen = {top: frozenset(group) for top, group in members.items()}
    return {org: frozen[top] for org, top in tops.items()}


def _sectors(compiled: CompiledModel, operator: str) -> set[str]:
    """The sectors of the operator and of the organisations that control it (a law may reach the parent's sector)."""
    orgs = {o.id: o for o in compiled.spec.organisations}
    out: set[str] = set()
    seen: set[str] = set()
    while operator and operator not in seen:
        seen.add(operator)
        out |= {s.value for s in orgs[operator].sectors}
        operator = orgs[operator].parent or ""
    return out


def _provisions(compiled: CompiledModel, code: str, bases: tuple[LegalBasis, ...], cite, index: dict,
                names: dict[str, str]) -> list[ReachingProvision]:
    """The provisions of `code` that let its authorities obtain data from a holder with these bases: the reach's
    carriers first. index: the library's provision_index(); names: the organisations' names by id."""
    out: dict[str, ReachingProvision] = {}
    for b in sorted((b for b in reaching(bases) if b.jurisdiction == code),
                    key=lambda b: (b.law_rank, b.provision_id, VIA_ORDER[b.via.value], len(b.chain), b.chain)):
        if b.provision_id in out:
            continue
        p = index[b.provision_id][2]
        counter = p.counter_reading
        out[b.provision_id] = ReachingProvision(
            provision_id=b.provision_id, label=b.label, powers=[x.value for x in b.powers], purpose=p.purpose.value,
            scope=p.scope.value, via=b.via.value, chain=list(b.chain),
            organisation=names.get(b.chain[-1]) if b.chain else None,
            certainty=_certainty(b, p), sources=[cite(s) for s in p.sources],
            counter_reading=CitedClaim(statement=counter.statement, status=counter.status.value,
                                       sources=[cite(s) for s in counter.sources]) if counter else None)
    return sorted(out.values(), key=lambda r: (CERTAINTY.index(r.certainty), -strength(r.purpose, r.scope),
                                               r.provision_id))


def _certainty(b: LegalBasis, provision) -> str:
    if not provision.article_verified or provision.status.value != "confirmed":
        return "unverified"
    if provision.counter_reading or b.via.value == "control":
        return "contested"
    return "settled"


def _premises(compiled: CompiledModel, evidence: Evidence, e: Exposure, lead: ReachingProvision,
              data: list[str]) -> list[Premise]:
    """The steps the route cannot do without: that the data is collected, each hand-over into another
    organisation's or legal order's hands, the holder being where and whose the model says, and the link."""
    collection = min((evidence.premise(d, "collection") for d in data), key=lambda p: (WEAKNESS.index(p.status), p.id))
    out = [collection]
    hand_overs = [f for f in e.flows if _hands_over(compiled, f)] or e.flows[-1:]
    out += [evidence.premise(f, "hand-over") for f in hand_overs]
    out.append(evidence.premise(e.holder, "holder"))
    out += [evidence.premise(org, "link") for org in lead.chain]
    return out


def _hands_over(compiled: CompiledModel, flow_id: str) -> bool:
    """A flow that moves data into another legal order or organisation. A user giving data to the app is not one:
    that is collection, which the data category's own claims evidence."""
    f = compiled.facts[flow_id]
    changes_hands = bool(f.source_operator) and bool(f.sink_operator) and f.source_operator != f.sink_operator
    return f.crosses_legal_order or f.remote_access or changes_hands


def _preference(compiled: CompiledModel, code: str, c: Candidate) -> tuple:
    """Strongest case first (as rated, then before the ceiling and caps); then a holder inside the legal order
    (its own law reaches it most plainly); then the best evidenced; then the most data carried, a data store,
    children's data, the shortest path."""
    holder = compiled.facts[c.exposures[0].holder]
    return (-c.rated.index, -c.rated.raw, holder.jurisdiction != code, WEAKNESS.index(c.weakest.status),
            sum(WEAKNESS.index(p.status) for p in c.premises), -len({e.data for e in c.exposures}),
            holder.kind != "datastore", not holder.handles_children,
            len(c.exposures[0].elements),
            holder.id, c.exposures[0].subjects)


def _judgement(compiled: CompiledModel, evidence: Evidence, code: str, c: Candidate, mine: list[Exposure],
               routes: int, cite) -> Judgement:
    spec = compiled.spec
    jurisdiction = compiled.library.jurisdictions[code]
    first = c.exposures[0]
    places = list(dict.fromkeys(e.holder for e in sorted(mine, key=lambda e: (len(e.elements), e.holder))))
    route = Route(holder=first.holder, elements=list(first.elements), flows=list(first.flows),
                  data=sorted({e.data for e in c.exposures}), subjects=list(first.subjects), premises=c.premises,
                  weakest=c.weakest, reachable_data=sorted({e.data for e in mine}), places=places, routes=routes)
    key, words, band = YARDSTICK[c.rated.index]
    assumptions = key_assumptions(spec, c)
    confidence, reasons = confidence_of(c)
    start = spec.metadata.as_of
    years = spec.metadata.timeframe_years
    return Judgement(
        jurisdiction=code, name=jurisdiction.name, name_in_sentence=jurisdiction.in_sentence,
        reach=Reach(certainty=c.provisions[0].certainty, provisions=c.provisions), route=route,
        likelihood=key, likelihood_words=words, band=band,
        timeframe=Timeframe(years=years, start=start.isoformat(), end=_add_years(start, years).isoformat()),
        confidence=confidence, confidence_reasons=reasons, drivers=list(c.rated.drivers), assumptions=assumptions,
        alternative=alternative_view(compiled, code, c),
        indicators=indicators(compiled, code, c),
        holds_only_if=[a.statement for a in assumptions] if c.weakest.status in UNSUPPORTED else [])


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
