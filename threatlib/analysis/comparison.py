"""Apps side by side: each app's own judgements by foreign legal order, ranked by a stated rule.

Nothing here rates anything again. A cell of the matrix is the judgement exactly as the app's own analysis has
it (or the app's own reason for giving none); the comparison only orders, groups and counts. Each app's row is
built from its own analysis alone, so adding or removing an app changes no other row: only the ranking positions
and the portfolio-wide observations (where apps are alike and where they differ) depend on the set of apps.
"""

from __future__ import annotations

from threatlib.analysis.comparison_records import (
    CONFIDENCE,
    AppRow,
    Bound,
    Cell,
    Column,
    Company,
    Comparison,
    Compeller,
    ReachableData,
    ScenarioEffect,
    TopRisk,
    cell_of,
    judgement_of,
)
from threatlib.analysis.comparison_summary import alike, differ
from threatlib.analysis.drivers import DOUBTFUL, UNSUPPORTED
from threatlib.analysis.model import Analysis, Finding, Judgement
from threatlib.analysis.risk import RATINGS, YARDSTICK, yardstick_index
from threatlib.vocabulary import EVIDENCE_WORDS, LINK_PLACES, PURPOSE_WORDS

SERIOUS = yardstick_index("realistic_possibility")  # the level from which a decision is called for
TOP_RISKS = 3
SCOPE_WORDS = {"general": "it needs no named target", "programmatic": "it works by selectors approved in bulk",
               "targeted": "it needs an order naming the person"}
DRIVER_WORDS = {  # (when it raised the likelihood, when it lowered it)
    "safeguards": ("the legal order's safeguards are rated weak", "the legal order's safeguards are rated substantial"),
    "practice": ("documented use of these powers on companies like this one or on foreigners' data", ""),
    "targeting": ("the data is about people of interest to intelligence services", ""),
    "certainty": ("", "the legal reading it rests on is contested"),
    "evidence": ("", "the weakest step is only alleged or disputed"),
    "gateway": ("", "the data passes an access gateway run outside the group"),
    "ceiling": ("", "held at likely, the most public evidence can support for covert access"),
    "cap": ("", "held at realistic possibility by a weakly evidenced step"),
}
SHORT_DRIVER_WORDS = {"safeguards": "safeguards", "practice": "documented use", "targeting": "people of interest",
                      "certainty": "contested reading", "evidence": "weak evidence", "gateway": "outside gateway",
                      "ceiling": "held at likely (the ceiling)",
                      "cap": "held at realistic possibility by the weakest step"}
RULE = ("Apps are ranked by the strongest judgement each has for any foreign legal order: first by its likelihood "
        "(higher first), then by its confidence (high, moderate, low), then by how many categories of personal data "
        "any foreign state can reach, then by how many of those are about children. Apps equal on all four share a "
        "rank. An app with no judgement comes after every app with one, and an app whose legal layer was not "
        "modelled (a pytm script) comes last: it cannot be ranked on state access.")


def app_row(analysis: Analysis, report: str | None = None, file: str | None = None) -> AppRow:
    """One app's row from its own analysis alone (rank 0 until compared). file: the model file as given (a pytm
    script's analysis records none)."""
    a = analysis
    elements = {e.id: e for e in a.elements}
    data = {d.id: d for d in a.data}
    orgs = {o.id: o for o in a.organisations}
    subjects: dict[str, set[str]] = {}
    for e in a.exposures:
        subjects.setdefault(e.jurisdiction, set()).update(e.subjects)
    cells = []
    for j in a.judgements:
        reach = set(j.route.reachable_data)
        children = any(data[d].children for d in reach if d in data) or "children" in subjects.get(j.jurisdiction, ())
        cells.append(Cell(jurisdiction=j.jurisdiction, name=j.name, judgement=j, reason=None,
                          route_words=_route_words(j, elements), weakest=step_words(j),
                          children=children, whose=sorted(subjects.get(j.jurisdiction, ()))))
    for n in sorted(a.no_judgement, key=lambda n: n.jurisdiction):
        cells.append(Cell(jurisdiction=n.jurisdiction, name=n.name, judgement=None, reason=n.reason, route_words=None,
                          weakest=None, children=False, whose=[]))
    strongest = _strongest(a.judgements)
    reachable: dict[str, set[str]] = {}
    for j in a.judgements:
        for d in j.route.reachable_data:
            reachable.setdefault(d, set()).add(j.jurisdiction)
    reachable_data = [ReachableData(id=d, name=data[d].name if d in data else d, children=data[d].children if d in data else False,
                                    sensitive=data[d].sensitive if d in data else False, jurisdictions=sorted(codes))
                      for d, codes in sorted(reachable.items(), key=lambda kv: (-len(kv[1]), _name(data, kv[0]), kv[0]))]
    note = None if a.model.legal_layer else (
        "A pytm script: it names no organisations or jurisdictions, so the legal layer was not modelled and this app "
        "has no judgements. Its row cannot say which states could reach its data.")
    row = AppRow(
        id=a.model.id, name=a.model.name, file=file or a.model.file, as_of=a.model.as_of, legal_layer=a.model.legal_layer, note=note,
        domestic=list(a.model.domestic), data_subjects=list(a.model.data_subjects), report=report, cells=cells,
        strongest=strongest.jurisdiction if strongest else None,
        compellers=_compellers(a, elements, orgs), companies=_companies(a), reachable_data=reachable_data,
        personal_data=sum(1 for d in a.data if d.personal), top_risks=_top_risks(a.findings),
        scenarios=[_scenario(s) for s in a.scenarios], reason="", rank=0)
    return row.model_copy(update={"reason": _reason(row, strongest)})


def compare(rows: list[AppRow], *, title: str, organisation: str | None = None) -> Comparison:
    """The comparison of these apps' rows; the order the rows come in does not matter."""
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("each app appears once in a comparison")  # callers report which file repeats which id
    ordered = sorted(rows, key=lambda r: (_rank_key(r), r.name.casefold(), r.name, r.id))
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(ordered, 1):
        key = _rank_key(row)
        if key != previous:
            rank, previous = position, key
        ranked.append(row.model_copy(update={"rank": rank}))
    columns = _columns(ranked)
    dates = sorted(r.as_of for r in ranked if r.legal_layer) or sorted(r.as_of for r in ranked)
    return Comparison(title=title, organisation=organisation, as_of=dates[-1] if dates else "", rule=RULE,
                      columns=columns, apps=ranked, alike=alike(ranked, columns), differ=differ(ranked, columns),
                      yardstick=[(words, band) for _, words, band in YARDSTICK])


def empty_reason(row: AppRow, code: str, name: str) -> str:
    """Why an app has nothing in a column: its own reason, or that nothing of it is linked to the legal order."""
    cell = cell_of(row, code)
    if cell is not None and cell.reason:
        return cell.reason
    if not row.legal_layer:
        return "Legal layer not modelled (a pytm script)."
    if code in row.domestic:
        return f"{name} is the users' own legal order in this model, not a foreign one."
    return f"No reach: no organisation, staff or place of this app is linked to {name}."


def _strongest(judgements: list[Judgement]) -> Judgement | None:
    if not judgements:
        return None
    return min(judgements, key=lambda j: (-yardstick_index(j.likelihood), -CONFIDENCE.index(j.confidence), j.jurisdiction))


def _rank_key(row: AppRow) -> tuple:
    """Smaller sorts first: the most exposed app first."""
    j = judgement_of(row, row.strongest) if row.strongest else None
    if j is None:
        return (1 if row.legal_layer else 2, 0, 0, 0, 0)
    children = sum(1 for d in row.reachable_data if d.children)
    return (0, -yardstick_index(j.likelihood), -CONFIDENCE.index(j.confidence), -len(row.reachable_data), -children)


def _reason(row: AppRow, j: Judgement | None) -> str:
    if not row.legal_layer:
        return "Ranked last: the legal layer was not modelled, so the analysis cannot say which states could reach its data."
    if j is None:
        return ("Ranked after every app with a judgement: no foreign legal order in the library can compel one of its "
                "organisations to hand over the personal data the model describes.")
    children = sum(1 for d in row.reachable_data if d.children)
    others = [c for c in row.cells if c.judgement and c.jurisdiction != j.jurisdiction]
    also = (" Also: " + "; ".join(f"{c.name}, {c.judgement.likelihood_words} ({c.judgement.confidence} confidence)"
                                  for c in others) + ".") if others else ""
    return (f"Strongest: {j.name} ({j.jurisdiction}), {j.likelihood_words} ({j.band}) that its authorities obtain the "
            f"users' data within {j.timeframe.years} year{'s' if j.timeframe.years != 1 else ''}, {j.confidence} confidence. "
            f"Why that likely: {driver_words(j)}. Why that sure: {confidence_words(j)} "
            f"It rests on {step_words(j)}.{also} "
            f"{len(row.reachable_data)} of its {row.personal_data} categories of personal data can reach a foreign state"
            f"{f', {children} of them about children' if children else ''}.")


def driver_words(j: Judgement) -> str:
    """The drivers that moved the likelihood, in a few plain words each (the report gives them in full)."""
    lead = j.reach.provisions[0] if j.reach.provisions else None
    words = []
    for d in j.drivers:
        if d.driver == "purpose" and lead:
            words.append(f"{lead.label} is a power for {PURPOSE_WORDS.get(lead.purpose, lead.purpose)}")
        elif d.driver == "scope" and lead:
            words.append(SCOPE_WORDS.get(lead.scope, lead.scope))
        elif d.effect and d.driver in DRIVER_WORDS:
            words.append(DRIVER_WORDS[d.driver][0 if d.effect > 0 else 1])
    return "; ".join(words)


def driver_labels(j: Judgement) -> list[str]:
    """The drivers that moved the likelihood, a few words and the steps each: for a table row."""
    lead = j.reach.provisions[0] if j.reach.provisions else None
    out = []
    for d in j.drivers:
        if not d.effect:
            continue
        if d.driver == "purpose" and lead:
            text = f"{PURPOSE_WORDS.get(lead.purpose, lead.purpose)} power"
        elif d.driver == "scope" and lead:
            text = {"general": "no named target", "programmatic": "bulk selectors", "targeted": "named target"}.get(
                lead.scope, lead.scope)
        elif d.driver in ("ceiling", "cap"):
            out.append(SHORT_DRIVER_WORDS[d.driver])  # a limit, not a step of its own
            continue
        else:
            text = SHORT_DRIVER_WORDS.get(d.driver, d.driver)
        out.append(f"{text} {d.effect:+d}")
    return out


def confidence_label(j: Judgement) -> str:
    """What holds the confidence where it is, in a few words, from the judgement's own fields."""
    if j.confidence == "low":
        if j.route.weakest.status in DOUBTFUL | UNSUPPORTED:
            return f"the weakest step is {EVIDENCE_WORDS[j.route.weakest.status]}"
        if j.reach.certainty == "unverified":
            return "the law reaching it could not be checked"
        return "gaps in the evidence"
    if j.confidence == "moderate":
        return "no demand on this vendor on record"
    return "corroborated by primary sources"


def confidence_words(j: Judgement) -> str:
    """The reason that decides the confidence: for low, the gap that lowers it; otherwise the last stated."""
    reasons = j.confidence_reasons
    if j.confidence == "low":
        decisive = [r for r in reasons if "weakest step" in r.lower() or "could not be checked" in r]
        return (decisive or reasons[-1:] or [""])[0]
    return reasons[-1] if reasons else ""


def _route_words(j: Judgement, elements: dict) -> str:
    """Where the named route ends, the place the legal order can compel, and how many other routes there are."""
    holder = elements[j.route.holder].name if j.route.holder in elements else j.route.holder
    more = j.route.routes - 1
    return f"at {holder}" + (f" (+{more} other route{'s' if more != 1 else ''})" if more else "")


def step_words(j: Judgement) -> str:
    p = j.route.weakest
    what = {"collection": f"the collection of {p.name}", "hand-over": f"the flow {p.name}",
            "holder": f"{p.name} (where it is and who runs it)", "link": f"{p.name}'s link to the legal order"}[p.role]
    return f"{what}, {EVIDENCE_WORDS[p.status]}"


def _compellers(a: Analysis, elements: dict, orgs: dict) -> list[Compeller]:
    names = {j.id: j.name for j in a.jurisdictions}
    groups: dict[str, tuple[dict[str, set[str]], set[str], set[str], dict[str, int]]] = {}
    for link in a.compulsion:
        if not link.foreign:
            continue
        bound, places, parts, provisions = groups.setdefault(link.jurisdiction, ({}, set(), set(), {}))
        parts.add(link.element)
        for b in link.bases:
            provisions.setdefault(b.label, b.law_rank)
            if b.via == "location" or not b.chain:
                places.add(_name(elements, link.element))
            elif b.via == "control":
                bound.setdefault(_name(orgs, b.chain[0]), set()).add(f"control by {_name(orgs, b.chain[-1])}")
            else:
                bound.setdefault(_name(orgs, b.chain[0]), set()).add(LINK_PLACES[b.via])
    via_order = list(LINK_PLACES.values())
    return [Compeller(jurisdiction=code, name=names.get(code, code),
                      organisations=[Bound(name=name, how=sorted(how, key=lambda w: (via_order.index(w) if w in via_order
                                                                                     else len(via_order), w)))
                                     for name, how in sorted(bound.items(), key=lambda kv: (kv[0].casefold(), kv[0]))],
                      places=sorted(places, key=lambda n: (n.casefold(), n)), elements=len(parts),
                      provisions=sorted(provisions, key=lambda label: (provisions[label], label)))
            for code, (bound, places, parts, provisions) in sorted(groups.items())]


def _companies(a: Analysis) -> list[Company]:
    compelled: dict[str, set[str]] = {}
    operator = {e.id: e.operator for e in a.elements}
    for link in a.compulsion:
        if link.foreign and operator.get(link.element):
            compelled.setdefault(operator[link.element], set()).add(link.jurisdiction)
    names = {j.id: j.name for j in a.jurisdictions}
    return sorted((Company(name=o.name, headquarters=o.headquarters, headquarters_name=names.get(o.headquarters, o.headquarters),
                           incorporated_in=o.incorporated_in,
                           compelled_by=sorted(compelled.get(o.id, ()))) for o in a.organisations),
                  key=lambda c: (c.name.casefold(), c.name, c.headquarters))


def _name(items: dict, key: str) -> str:
    return items[key].name if key in items else key


def _top_risks(findings: list[Finding]) -> list[TopRisk]:
    """The strongest findings, one per threat; legal threats when there are any (a pytm model has none)."""
    legal = [f for f in findings if f.origin == "threatlib"] or list(findings)
    ranked = sorted(legal, key=lambda f: (-RATINGS.index(f.risk.rating), -yardstick_index(f.risk.likelihood),
                                          -f.risk.impact, f.id))
    out, seen = [], set()
    for f in ranked:
        if f.threat_id in seen:
            continue
        seen.add(f.threat_id)
        out.append(TopRisk(finding=f.id, title=f.title, element=f.element_name, likelihood_words=f.risk.likelihood_words,
                           band=f.risk.band, impact_words=f.risk.impact_words, rating=f.risk.rating))
        if len(out) == TOP_RISKS:
            break
    return out


def _scenario(s) -> ScenarioEffect:
    remaining = {(d, code) for d, code, _, _ in s.remaining}
    gone: dict[str, set[str]] = {}
    for d, code, _, _ in s.closed:
        if (d, code) not in remaining:
            gone.setdefault(code, set()).add(d)
    new: dict[str, set[str]] = {}
    for d, code, _, _ in s.opened:
        if (d, code) not in remaining:
            new.setdefault(code, set()).add(d)
    return ScenarioEffect(id=s.id, name=s.name, description=s.description,
                          statuses=sorted({c.status for c in s.claims}), judgements=list(s.judgements),
                          no_longer_reachable=[(code, len(ds)) for code, ds in sorted(gone.items())],
                          newly_reachable=[(code, len(ds)) for code, ds in sorted(new.items())])


def _columns(rows: list[AppRow]) -> list[Column]:
    found: dict[str, tuple[str, list[Judgement]]] = {}
    for row in rows:
        for c in row.cells:
            found.setdefault(c.jurisdiction, (c.name, []))[1].extend([c.judgement] if c.judgement else [])
    columns = []
    for code, (name, judged) in found.items():
        top = max((yardstick_index(j.likelihood) for j in judged), default=-1)
        columns.append((-top, -len(judged), code, Column(jurisdiction=code, name=name, judged=len(judged),
                                                         highest=YARDSTICK[top][1] if top >= 0 else "no judgement")))
    return [c for *_, c in sorted(columns, key=lambda t: t[:3])]
