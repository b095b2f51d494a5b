"""What the report's templates read beside the Analysis: look-ups, groupings and sentences, so the templates
stay free of logic. brief.BriefView extends it for the policy brief."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

from markupsafe import Markup, escape

from threatlib.analysis.drivers import DOUBTFUL, UNSUPPORTED
from threatlib.analysis.model import Analysis, Basis, Finding, Judgement
from threatlib.analysis.risk import IMPACT, RATINGS, YARDSTICK, matrix
from threatlib.documents.common import Status
from threatlib.library.schema import Power, Severity
from threatlib.render.basis import RouteBasis
from threatlib.render.diagram import SINGLE_DIAGRAM_LIMIT, diagram_pages
from threatlib.render.estate_summary import EstateSummary, estate_summary
from threatlib.render.interactive import Interactive
from threatlib.render.print_columns import columns, lines
from threatlib.render.report_rows import technical_rows
from threatlib.vocabulary import DRIVER_LABELS, EVIDENCE_WORDS, LINK_NOUNS, labels

RATING_RANK = {r: i for i, r in enumerate(RATINGS)}
DRIVER_STEP = re.compile(r"^[+-]\d+ [a-z ]+: ")


def month_words(day: str) -> str:
    return dt.date.fromisoformat(day).strftime("%B %Y")


# The yardstick's nouns take "there is", its adjectives "it is".
OPENING = {"remote_chance": "There is a {words} ({band}) that", "realistic_possibility": "There is a {words} ({band}) that",
           "highly_unlikely": "It is {words} ({band}) that", "unlikely": "It is {words} ({band}) that",
           "likely": "It is likely ({band}) that", "highly_likely": "It is {words} ({band}) that",
           "almost_certain": "It is {words} ({band}) that"}


class ReportView:
    """Look-ups and groupings the templates need, so templates stay free of logic."""

    def __init__(self, analysis: Analysis, detail_limit: int | None = None):
        a = analysis
        self.analysis = a
        self.judgements = a.judgements
        # A printed report of a large estate sets out at most this many elements per threat or authority;
        # the HTML report, threats.csv and threats.json keep every one.
        self.detail_limit = detail_limit
        self._elements = {e.id: e for e in a.elements}
        self._data = {d.id: d for d in a.data}
        self._authorities = {x.id: x for x in a.authorities}
        self._orgs = {o.id: o for o in a.organisations}
        self._jurisdictions = {j.id: j for j in a.jurisdictions}
        self._source_number = {s.id: i for i, s in enumerate(a.sources, 1)}
        self._decisions = {d.finding: d for d in a.decisions}
        self._basis = RouteBasis(a.sources, [o.name for o in a.organisations])
        self._exposures: dict[tuple[str, str], list] = {}  # (data, jurisdiction) -> exposures
        for e in a.exposures:
            self._exposures.setdefault((e.data, e.jurisdiction), []).append(e)
        self._provisions = {b.provision_id: b for c in a.compulsion for b in c.bases}
        # A model too large for one picture: dfd.svg is an overview, and these boundary diagrams sit beside the report.
        self.boundary_diagrams = diagram_pages(a)
        self.single_diagram_limit = SINGLE_DIAGRAM_LIMIT
        self.boundaries_in_parts = any(p.parts > 1 for p in self.boundary_diagrams)
        self.outside_diagrams = any(p.boundary is None for p in self.boundary_diagrams)
        exposed = {e.jurisdiction for e in a.exposures}
        self.foreign_jurisdictions = [j for j in a.jurisdictions if j.foreign and j.id in exposed]
        groups: dict[str, list[Finding]] = {}
        for f in a.findings:
            groups.setdefault(f.severity, []).append(f)
        self.by_severity = [(s, groups[s]) for s in Severity if s in groups]
        # Legal findings are read threat by threat: the threat once, then every element it applies to, under the
        # highest risk rating any of its findings has (so a section holds what is rated so, not what the threat's
        # severity says), strongest first within a threat.
        by_threat: dict[str, list[Finding]] = {}
        for f in a.findings:
            if f.origin == "threatlib":
                by_threat.setdefault(f.threat_id, []).append(f)
        self.legal_by_rating: dict[str, list[list[Finding]]] = {}
        for group in sorted(by_threat.values(), key=lambda g: (-max(RATING_RANK[f.risk.rating] for f in g), g[0].threat_id)):
            group = sorted(group, key=lambda f: (-RATING_RANK[f.risk.rating], f.element_name, f.id))
            self.legal_by_rating.setdefault(group[0].risk.rating, []).append(group)
        self.legal_count = sum(len(g) for groups in self.legal_by_rating.values() for g in groups)
        # pytm's technical findings, one row per threat with every element it hits.
        technical: dict[str, dict] = {}
        for f in a.findings:
            if f.origin == "pytm":
                row = technical.setdefault(f.threat_id, {"id": f.threat_id, "title": f.title, "severity": f.severity,
                                                         "likelihood": f.likelihood, "elements": []})
                row["elements"].append(f.element_name)
        severity_rank = {s.value: i for i, s in enumerate(Severity)}
        self.technical_by_threat = sorted(technical.values(), key=lambda r: (severity_rank[r["severity"]], r["id"]))
        self.technical_count = sum(len(r["elements"]) for r in self.technical_by_threat)
        self.compulsion_groups = []
        for authority in sorted(a.authorities, key=lambda x: (x.jurisdiction in a.model.domestic, x.jurisdiction, x.id)):
            links = [c for c in a.compulsion if c.authority == authority.id]
            bases: dict[str, Basis] = {}
            routes: dict[str, set[str]] = {}
            for c in links:
                for b in c.bases:
                    bases.setdefault(b.provision_id, b)
                    routes.setdefault(b.provision_id, set()).add(self.via_words(b))
            self.compulsion_groups.append({
                "authority": authority, "foreign": links[0].foreign if links else True,
                "elements": sorted({c.element for c in links}),
                "bases": [(bases[k], sorted(routes[k])) for k in sorted(bases)]})

    @cached_property
    def _appendix(self) -> tuple[list[dict], list[dict]]:
        """The appendix: each element, what it is, who can compel it, and the findings on it. A threat can apply
        to a flow as well as to an element: flows with findings follow the elements. Worked out when a template
        asks (a large estate's printed report sums them up instead)."""
        found_on: dict[str, list[Finding]] = {}
        for f in self.analysis.findings:
            found_on.setdefault(f.element_id, []).append(f)
        elements, flows = [], []
        for item in [*self.analysis.elements, *(flow for flow in self.analysis.flows if flow.id in found_on)]:
            found = found_on.get(item.id, [])
            (elements if item.id in self._elements else flows).append({
                "element": item, "legal": [f for f in found if f.origin == "threatlib"],
                "technical": sorted({f.threat_id for f in found if f.origin == "pytm"})})
        return elements, flows

    @property
    def element_details(self) -> list[dict]:
        return self._appendix[0]

    @property
    def flow_details(self) -> list[dict]:
        return self._appendix[1]

    @cached_property
    def estate(self) -> EstateSummary:
        """A large estate's findings summed up, for its printed report in place of the appendix."""
        return estate_summary(self.analysis, self.legal_by_rating)

    def compulsion_by_order(self) -> list[dict]:
        """The compulsion groups gathered per legal order: its authorities, the elements they reach, and each
        provision once (several authorities of one legal order rest on the same provisions)."""
        orders: dict[str, dict] = {}
        for g in self.compulsion_groups:
            code = g["authority"].jurisdiction
            order = orders.setdefault(code, {"code": code, "foreign": g["foreign"], "authorities": [], "elements": [],
                                              "bases": {}})
            order["authorities"].append(g["authority"])
            order["elements"] = sorted(set(order["elements"]) | set(g["elements"]))
            for basis, routes in g["bases"]:
                known = order["bases"].setdefault(basis.provision_id, (basis, set()))
                known[1].update(routes)
        return [dict(o, bases=[(b, sorted(r)) for b, r in o["bases"].values()]) for o in orders.values()]

    @staticmethod
    def columns(items: list, count: int, line_chars: int) -> list[list[list[tuple[int, object]]]]:
        """A printed list in blocks of balanced columns (see print_columns), by the length of each item's text:
        a source, a technical row or a boundary diagram."""
        texts = [" ".join(str(x[k]) for k in ("id", "title", "severity", "likelihood")) if isinstance(x, dict)
                 else " ".join(str(getattr(x, k, "") or "") for k in ("title", "publisher", "date", "url", "file"))
                 for x in items]
        return columns(items, texts, count, line_chars)

    @staticmethod
    def side_by_side(mitigations: list[str], evidence: list) -> bool:
        """Whether a finding's mitigations and precedent print side by side: only when each list fills about as
        many lines of a half-width column as the other, or the shorter would stand beside a column of white."""
        if not mitigations or not evidence:
            return False
        left = sum(lines(m, 60) for m in mitigations) + 1
        right = sum(lines(c.statement, 60) for c in evidence) + 2
        return max(left, right) <= 1.25 * min(left, right) + 1

    @staticmethod
    def rated_alike(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
        """A threat's findings in runs rated alike (rating, likelihood and impact), strongest first."""
        runs: dict[tuple, list[Finding]] = {}
        for f in findings:
            runs.setdefault((f.risk.rating, f.risk.likelihood, f.risk.impact), []).append(f)
        return [(run[0], run) for run in runs.values()]

    def technical_sets(self) -> list[tuple[list[str], list[dict]]]:
        """pytm's threats gathered by the set of elements they hit, so each set of elements is named once."""
        sets: dict[tuple[str, ...], list[dict]] = {}
        for row in self.technical_by_threat:
            sets.setdefault(tuple(row["elements"]), []).append(row)
        return sorted(((list(k), rows) for k, rows in sets.items()), key=lambda x: (-len(x[1]), x[0]))

    @staticmethod
    def threats_by_rating(findings: list[Finding]) -> list[tuple[str, list[str]]]:
        """One element's findings as threat ids under each rating, strongest first (the element completes each id)."""
        by: dict[str, list[str]] = {}
        for f in sorted(findings, key=lambda f: (-RATING_RANK[f.risk.rating], f.threat_id)):
            by.setdefault(f.risk.rating, []).append(f.threat_id)
        return list(by.items())

    @staticmethod
    def shared_why(findings: list[Finding]) -> list[str]:
        """The reasons an element's legal findings give, each once, in the order they first appear."""
        return list(dict.fromkeys(w for f in findings for w in f.why))

    def shown(self, items: list) -> tuple[list, int]:
        """The items to set out in full, and how many are left out under the detail limit."""
        if self.detail_limit is None or len(items) <= self.detail_limit:
            return items, 0
        return items[: self.detail_limit], len(items) - self.detail_limit

    def strongest_first(self, findings: list[Finding]) -> tuple[list[Finding], int]:
        """For a threat's findings under the detail limit: the highest-rated set out first, then by element."""
        if self.detail_limit is None or len(findings) <= self.detail_limit:
            return findings, 0
        return self.shown(sorted(findings, key=lambda f: (-RATING_RANK[f.risk.rating], f.element_id)))

    @staticmethod
    def rating_steps(f: Finding) -> list[str]:
        """How a legal finding was rated, without the driver steps its judgement already sets out."""
        return [r for r in f.risk.rationale if not DRIVER_STEP.match(r) and not r.startswith("Likelihood by the judgement drivers")]

    @staticmethod
    def severity_words(severity: str) -> str:
        return Severity(severity).label

    def technical_rows(self, findings: list[Finding]) -> tuple[list[dict], bool]:
        """pytm's findings of one severity: a row each, or under the detail limit a row per threat (then True)."""
        technical = [f for f in findings if f.origin == "pytm"]
        if self.detail_limit is None or len(technical) <= self.detail_limit:
            return [{"id": f.id, "title": f.title, "elements": [f.element_name], "count": 1, "likelihood": f.likelihood}
                    for f in technical], False
        rows: dict[str, dict] = {}
        for f in technical:
            row = rows.setdefault(f.threat_id, {"id": f.threat_id, "title": f.title, "elements": [], "count": 0,
                                                "likelihood": f.likelihood})
            row["count"] += 1
            if len(row["elements"]) < 3:
                row["elements"].append(f.element_name)
        return list(rows.values()), True

    def technical_each(self, ix: Interactive | None) -> Markup:
        return technical_rows(self.analysis, ix)

    def heatmap(self, origin: str = "threatlib") -> list[dict]:
        """Rows from most to least likely; each cell the matrix rating and how many findings sit there."""
        counts: dict[tuple[str, int], int] = {}
        for f in self.analysis.findings:
            if f.origin == origin:
                counts[(f.risk.likelihood, f.risk.impact)] = counts.get((f.risk.likelihood, f.risk.impact), 0) + 1
        grid = matrix()
        rows = []
        for row, (key, words, band) in zip(grid, reversed(YARDSTICK), strict=True):
            rows.append({"words": words, "band": band,
                         "cells": [(rating, counts.get((key, impact), 0)) for impact, rating in enumerate(row, 1)]})
        return rows

    impact_words = IMPACT

    def decision(self, finding_id: str):
        return self._decisions.get(finding_id)

    def scenario_groups(self, exposures: list) -> list[tuple[str, str, str, list[str]]]:
        """(jurisdiction, holder name, whose data, data names) for a scenario's exposures, grouped for reading."""
        groups: dict[tuple[str, str, str], list[str]] = {}
        for data_id, code, holder, subjects in exposures:
            holder_name = self._elements[holder].name if holder in self._elements else holder
            data_name = self._data[data_id].name if data_id in self._data else data_id
            groups.setdefault((code, holder_name, self.subject_words(subjects.split(","))), []).append(data_name)
        return [(code, holder, whose, sorted(names)) for (code, holder, whose), names in sorted(groups.items())]

    def scenario_summary(self, exposures: list) -> list[tuple[str, str, int, int]]:
        """(jurisdiction, whose data, categories, places) for a scenario's exposures: one line each for a brief."""
        groups: dict[tuple[str, str], tuple[set, set]] = {}
        for data_id, code, holder, subjects in exposures:
            cats, places = groups.setdefault((code, self.subject_words(subjects.split(","))), (set(), set()))
            cats.add(data_id)
            places.add(holder)
        return [(code, whose, len(c), len(p)) for (code, whose), (c, p) in sorted(groups.items())]

    @staticmethod
    def legal_only(finding_ids: list[str]) -> list[str]:
        """Ids of findings from threatlib's library (family prefix and number), leaving out pytm's."""
        return [i for i in finding_ids if "-" in i.split("@")[0]]

    def element_name(self, element_id: str) -> str:
        return self._elements[element_id].name

    def org_name(self, org_id: str) -> str:
        return self._orgs[org_id].name

    def provision_label(self, provision_id: str) -> str:
        b = self._provisions.get(provision_id)
        return b.label if b else provision_id

    def holders(self, data_id: str, code: str) -> list[str]:
        """Names of the compellable elements in reach of `code` that hold this data, nearest first."""
        found = sorted(self._exposures.get((data_id, code), []), key=lambda e: (len(e.elements), e.holder))
        return list(dict.fromkeys(self.element_name(e.holder) for e in found))

    def path_groups(self, code: str) -> list[dict]:
        """For one jurisdiction: each distinct shortest path, with the data categories that take it."""
        groups: dict[tuple, dict] = {}
        for d in self.analysis.data:
            found = self._exposures.get((d.id, code))
            if not found:
                continue
            e = min(found, key=lambda x: (len(x.elements), x.holder, x.authority))
            key = (tuple(e.elements), e.holder)
            group = groups.setdefault(key, {"elements": [self.element_name(x) for x in e.elements],
                                            "bases": set(), "data": []})
            group["bases"].update(self.provision_label(p) for p in e.bases)
            group["data"].append(d.name)
        return [dict(g, bases=sorted(g["bases"])) for _, g in sorted(groups.items())]

    def jurisdiction_names(self, codes: list[str]) -> str:
        return ", ".join(f"{self._jurisdictions[c].name} ({c})" if c in self._jurisdictions else c for c in codes)

    def via_words(self, basis: Basis) -> str:
        """How a provision reaches: for control, name the controlling organisation at the top of the chain."""
        if basis.via == "control" and len(basis.chain) > 1:
            top = basis.chain[-1]
            return f"control by {self._orgs[top].name if top in self._orgs else top}"
        return LINK_NOUNS[basis.via]

    def headline(self, j: Judgement) -> str:
        """The judgement's sentence: likelihood, who, how, by when; and what it rests on when that is weak."""
        holder = self.element_name(j.route.holder)
        end = month_words(j.timeframe.end)
        opening = OPENING[j.likelihood].format(words=j.likelihood_words, band=j.band)
        whose = f" ({self.subject_words(j.route.subjects)})" if j.route.subjects != ["general_public"] else ""
        text = (f"{opening} the authorities of {j.name_in_sentence} will obtain, by {end}, data of these users{whose} "
                f"held or read by {holder}")
        if j.route.weakest.status in DOUBTFUL | UNSUPPORTED:
            text += (f", a judgement resting on {self.step_words(j.route.weakest)}, which is "
                     f"{EVIDENCE_WORDS[j.route.weakest.status]}")
        return text + "."

    def basis_words(self, j: Judgement) -> str:
        """What the route's necessary steps rest on, from the kinds and statuses of their sources."""
        return self._basis.words(j.route.premises)

    def step_words(self, p) -> str:
        return {"collection": f"the collection of {p.name}", "hand-over": f"the flow {p.name}",
                "holder": f"{p.name} (where it is and who runs it)", "link": f"{p.name}'s link to the legal order"}[p.role]

    @staticmethod
    def status_words(status: str) -> str:
        return EVIDENCE_WORDS[status]

    def data_names(self, ids: list[str]) -> list[str]:
        return [self._data[i].name for i in ids]

    def subject_words(self, groups: list[str]) -> str:
        return labels(groups, "SubjectGroup")

    def children_count(self, j: Judgement) -> int:
        return sum(1 for d in j.route.reachable_data if self._data[d].children)

    def states_words(self, f: Finding) -> str:
        return ", ".join(self._jurisdictions[c].name if c in self._jurisdictions else c for c in f.jurisdictions) or "-"

    @staticmethod
    def moved_drivers(change) -> str:
        return ", ".join(DRIVER_LABELS.get(d.split(":")[0], d.split(":")[0]) for d in change.drivers)

    def path_words(self, element_ids: list[str]) -> str:
        return " → ".join(self.element_name(e) for e in element_ids)

    def via_text(self, via: str) -> str:
        return LINK_NOUNS[via]

    @staticmethod
    def power_words(powers: list[str]) -> str:
        return ", ".join(Power(p).label for p in powers)

    @staticmethod
    def status_label(status: str) -> str:
        return EVIDENCE_WORDS[status] if status in ("unsourced", "assumption") else Status(status).label

    @staticmethod
    def driver_label(driver: str) -> str:
        return DRIVER_LABELS[driver]

    month_words = staticmethod(month_words)

    def cite(self, source_ids: list[str]) -> Markup:
        refs = ",".join(f'<a href="#src-{escape(s)}">{self._source_number[s]}</a>' for s in source_ids)
        return Markup(f'<span class="cite">[{refs}]</span>') if refs else Markup("")
