"""The policy brief: a few pages for a reader with no security background.

Key judgements in the words of the probability yardstick, each with its path and sources; the exposure
matrix; the diagram; the top risks; the vendor's position and the counter-arguments; recommendations;
the scenarios that would change the judgement; sources. The technical report keeps every finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatlib.analysis.model import Analysis, Finding
from threatlib.analysis.risk import YARDSTICK
from threatlib.render.report import ReportView

RATING_ORDER = {"very high": 0, "high": 1, "medium": 2, "low": 3}
# Key judgements rest on the threats that are about a state obtaining data, not on side effects.
JUDGEMENT_FAMILIES = ("legal-compulsion", "cross-border", "insider-access")
LIKELIHOOD_INDEX = {key: i for i, (key, _, _) in enumerate(YARDSTICK)}
# How well a flow is evidenced, best first: by its best-evidenced claim; a flow with no claim sits mid-way.
EVIDENCE_ORDER = {"confirmed": 0, "vendor_claim": 1, "reported": 2, None: 3, "alleged": 4, "disputed": 5}


def _strength(f: Finding) -> tuple:
    return (RATING_ORDER[f.risk.rating], -LIKELIHOOD_INDEX[f.risk.likelihood], -f.risk.impact, f.id)


@dataclass
class Judgement:
    jurisdiction: str
    name: str
    likelihood: str
    band: str
    data: list[str]
    children: list[str]
    holders: list[str]
    path: list[str]
    laws: list[str]
    finding: Finding
    sources: list[str]


class BriefView(ReportView):
    def __init__(self, analysis: Analysis, detail_limit: int | None = None):
        super().__init__(analysis, detail_limit)
        self._flows = {f.id: f for f in analysis.flows}
        legal = [f for f in analysis.findings if f.origin == "threatlib"]
        self.top_risks = sorted(legal, key=_strength)[:6]
        self.judgements = [j for j in (self._judgement(code) for code in (x.id for x in self.foreign_jurisdictions)) if j]
        self.judgements.sort(key=lambda j: (-LIKELIHOOD_INDEX[j.finding.risk.likelihood], j.jurisdiction))
        self.recommendations = self._recommendations(legal)
        # Number only the sources the brief cites, in order of first citation.
        cited: list[str] = []
        for j in self.judgements:
            cited += j.sources
        for p in analysis.positions:
            cited += p.vendor.sources + (p.counter[0].sources if p.counter else [])
        for scenario in analysis.scenarios:
            cited += [s for c in scenario.claims for s in c.sources]
        self.cited_sources = [s for s in analysis.sources if s.id in set(cited)]
        order = list(dict.fromkeys(cited))
        self.cited_sources.sort(key=lambda s: order.index(s.id))
        self._source_number = {s.id: i for i, s in enumerate(self.cited_sources, 1)}
        self.legal_count = len(legal)

    def _judgement(self, code: str) -> Judgement | None:
        findings = sorted((f for f in self.analysis.findings if code in f.jurisdictions and f.family in JUDGEMENT_FAMILIES),
                          key=_strength)
        exposures = [e for e in self.analysis.exposures if e.jurisdiction == code]
        if not findings or not exposures:
            return None
        data_names = {d.id: d.name for d in self.analysis.data}
        children = sorted({data_names[e.data] for e in exposures if self._data[e.data].children})
        # The most telling route: to a place inside that legal order, preferably a data store; of those, the
        # one whose last step (the hand-over to the place that can be compelled) is best evidenced; then one
        # carrying children's data where there is such a route; the shortest of those.
        def telling(e):
            holder = self._elements[e.holder]
            return (holder.location != code, holder.kind != "datastore", self._evidence(e.flows[-1]) if e.flows else 0,
                    not self._data[e.data].children, len(e.elements), e.holder)

        shortest = min(exposures, key=telling)
        # Rate the judgement on the findings about the route it names: its holder, or flows into it.
        flows_in = {f.id for f in self.analysis.flows if f.sink == shortest.holder}
        on_route = [f for f in findings if f.element_id == shortest.holder or f.element_id in flows_in]
        top = (on_route or findings)[0]
        holders = list(dict.fromkeys(self.element_name(e.holder)
                                     for e in sorted(exposures, key=lambda e: (len(e.elements), e.holder))))
        laws = sorted({self.provision_label(p) for e in exposures for p in e.bases})
        # The law's own sources: the threat's evidence is about whichever app showed the threat, often another.
        sources = sorted({s for e in exposures for p in e.bases for s in self._provisions[p].sources})
        jurisdiction = next(j for j in self.analysis.jurisdictions if j.id == code)
        return Judgement(code, jurisdiction.name, top.risk.likelihood_words, top.risk.band,
                         sorted({data_names[e.data] for e in exposures}), children, holders,
                         [self.element_name(x) for x in shortest.elements], laws, top, sources)

    def _evidence(self, flow_id: str) -> int:
        claims = self._flows[flow_id].claims
        return min((EVIDENCE_ORDER[c.status] for c in claims), default=EVIDENCE_ORDER[None])

    @staticmethod
    def _recommendations(legal: list[Finding]) -> list[tuple[str, list[str]]]:
        """The mitigations of the strongest legal threats, each once, with the threats it answers."""
        seen: dict[str, list[str]] = {}
        for f in sorted(legal, key=_strength):
            for m in f.mitigations:
                seen.setdefault(m, [])
                if f.threat_id not in seen[m]:
                    seen[m].append(f.threat_id)
        return list(seen.items())[:10]
