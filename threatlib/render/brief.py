"""The policy brief: a few pages for a reader with no security background.

Key judgements, each in four parts (legal reach, route, likelihood within a timeframe, confidence) with its
drivers, key assumptions, the alternative view and what would change it; the exposure matrix; the diagram; the
top risks; the vendor's position and the counter-arguments; recommendations for the reader's organisation and for
the vendor; the scenarios that would change the judgement; sources. The technical report keeps every finding.
"""

from __future__ import annotations

from threatlib.analysis.model import Analysis, Finding
from threatlib.analysis.risk import YARDSTICK, yardstick_index
from threatlib.render.report_view import ReportView, month_words

RATING_ORDER = {"very high": 0, "high": 1, "medium": 2, "low": 3}
LIKELIHOOD_INDEX = {key: i for i, (key, _, _) in enumerate(YARDSTICK)}


def _strength(f: Finding) -> tuple:
    return (RATING_ORDER[f.risk.rating], -LIKELIHOOD_INDEX[f.risk.likelihood], -f.risk.impact, f.id)


class BriefView(ReportView):
    def __init__(self, analysis: Analysis, detail_limit: int | None = None):
        super().__init__(analysis, detail_limit)
        legal = [f for f in analysis.findings if f.origin == "threatlib"]
        self.top_risks = _varied(sorted(legal, key=_strength), 6)
        self.top_threats = _by_threat(sorted(legal, key=_strength), 6)
        self.vendor_recommendations = self._vendor_recommendations(legal)
        self.reader_recommendations = self._reader_recommendations()
        # Number only the sources the brief cites, in order of first citation.
        cited: list[str] = []
        for j in self.judgements:  # what the brief's compact judgement shows (judgement.html, compact)
            lead = j.reach.provisions[0]
            cited += lead.sources + (lead.counter_reading.sources if lead.counter_reading else [])
            cited += j.route.weakest.sources
            cited += [s for c in j.alternative.claims[:1] for s in c.sources]
        for p in analysis.positions:
            cited += p.vendor.sources + (p.counter[0].sources if p.counter else [])
        for scenario in analysis.scenarios:
            cited += [s for c in scenario.claims for s in c.sources]
        order = {s: i for i, s in enumerate(dict.fromkeys(cited))}
        self.cited_sources = sorted((s for s in analysis.sources if s.id in order), key=lambda s: order[s.id])
        self._source_number = {s.id: i for i, s in enumerate(self.cited_sources, 1)}
        self.legal_count = len(legal)

    def _reader_recommendations(self) -> list[tuple[str, str]]:
        """Options for the reader's organisation (a parliament, a ministry, a regulator), each with its reason.
        Software that must run with privilege on the machines it protects is advised on differently from an app
        that can be kept apart on its own device."""
        out: list[tuple[str, str]] = []
        serious = [j for j in self.judgements if yardstick_index(j.likelihood) >= yardstick_index("realistic_possibility")]
        if serious:
            rated = "; ".join(f"{j.name_in_sentence}: {j.likelihood_words}, {j.confidence} confidence" for j in serious)
            if self._privileged_software():
                out.append(("Do not install the software on official devices; where it is installed, plan its "
                            "replacement and hold back its updates until then.",
                            f"It runs with full rights on the machines it protects, and access is rated: {rated}."))
            else:
                out.append(("Keep the app off official devices and accounts; where it must be used (for public "
                            "communication), use a dedicated device that holds no official contacts, messages or "
                            "location.", f"Access is rated: {rated}."))
        targeted = sorted({g for j in self.judgements for d in j.drivers if d.driver == "targeting" and d.effect > 0
                           for g in j.route.subjects})
        if targeted:
            out.append((f"Keep the data of {self.subject_words(targeted)} off it.",
                        "Their data raises the likelihood through the targeting driver."))
        elif serious:
            out.append(("Treat any use by officials, parliamentarians or journalists as raising the judgement.",
                        "Their data draws intelligence interest (the targeting driver); the model has none of them."))
        if self.judgements:
            weakest = "; ".join(f"{j.name_in_sentence}: {self.step_words(j.route.weakest)}"
                                for j in self.judgements[:3] if j.route.weakest.status != "confirmed")
            out.append(("Make any official use conditional on what can be checked: an independent auditor's attestation "
                        "of where each category of data is stored and from where it is read, contractual audit rights, "
                        "and prompt notice of any change of ownership or data location.",
                        "Secrecy duties can forbid the vendor to disclose demands, so a promise to report them is no "
                        "control" + (f"; the least evidenced steps are: {weakest}." if weakest else ".")))
        children = [j for j in self.judgements if self.children_count(j)]
        if children:
            out.append(("Tell schools and parents which of children's data can reach places a foreign state can compel.",
                        f"{self.children_count(children[0])} categories about children reach places "
                        f"{children[0].name_in_sentence} can compel."))
        if self.judgements:
            out.append(("Review this assessment every six months, and at once when an indicator listed under a "
                        "judgement comes true.", f"The judgements cover {self.analysis.model.timeframe_years} years "
                        f"from {month_words(self.analysis.model.as_of)}; the indicators say what would move them."))
        return out

    def _privileged_software(self) -> bool:
        tags = {t for e in self.analysis.elements for t in e.tags}
        return bool(tags & {"security_software", "update_channel"})

    @staticmethod
    def _vendor_recommendations(legal: list[Finding]) -> list[tuple[str, list[str]]]:
        """The mitigations of the strongest legal threats, each once, with the threats it answers."""
        seen: dict[str, list[str]] = {}
        for f in sorted(legal, key=_strength):
            for m in f.mitigations:
                seen.setdefault(m, [])
                if f.threat_id not in seen[m]:
                    seen[m].append(f.threat_id)
        return list(seen.items())[:8]


def _varied(findings: list[Finding], n: int) -> list[Finding]:
    """The strongest findings, at most two of any one threat, so the list shows different risks."""
    out, per_threat = [], {}
    for f in findings:
        if per_threat.get(f.threat_id, 0) < 2:
            out.append(f)
            per_threat[f.threat_id] = per_threat.get(f.threat_id, 0) + 1
        if len(out) == n:
            break
    return out




def _by_threat(findings: list[Finding], n: int) -> list[tuple[Finding, list[str]]]:
    """The strongest threats, each once with the elements it is rated that strongly on, so the list shows n risks."""
    out: dict[str, tuple[Finding, list[str]]] = {}
    for f in findings:
        if f.threat_id not in out:
            if len(out) == n:
                continue
            out[f.threat_id] = (f, [])
        first = out[f.threat_id][0]
        if (f.risk.rating, f.risk.likelihood, f.risk.impact) == (first.risk.rating, first.risk.likelihood, first.risk.impact):
            out[f.threat_id][1].append(f.element_name)
    return list(out.values())
