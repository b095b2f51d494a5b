"""Machine outputs: the whole analysis and the finding list as JSON, and a risk register as CSV."""

from __future__ import annotations

import codecs
import io
import re

from threatlib.analysis.model import Analysis
from threatlib.errors import shown
from threatlib.jsontext import json_bytes

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# What a finding shares with every other finding of its threat: written once, under "threats".
THREAT_FIELDS = ("title", "family", "origin", "description", "mitigations", "evidence", "references", "stride", "capec", "cwe",
                 "library")


# What a legal basis shares with every other basis resting on its provision: written once, under "provisions".
PROVISION_FIELDS = ("jurisdiction", "law", "law_rank", "article", "label", "powers", "status", "summary", "sources")


def analysis_json(analysis: Analysis) -> bytes:
    """The whole analysis, each finding without its threat's text and each compulsion link's legal bases without
    their provision's text; those are under "threats" and "provisions", once each. With the text repeated, a
    5,000-asset estate's file was 440 MB."""
    whole = analysis.model_dump(mode="json", exclude={
        "findings": {"__all__": set(THREAT_FIELDS)},
        "compulsion": {"__all__": {"bases": {"__all__": set(PROVISION_FIELDS)}}},
    })
    whole["threats"] = _threat_texts(analysis)
    provisions: dict[str, dict] = {}
    for link in analysis.compulsion:
        for b in link.bases:
            if b.provision_id not in provisions:
                provisions[b.provision_id] = b.model_dump(mode="json", include=set(PROVISION_FIELDS))
    whole["provisions"] = dict(sorted(provisions.items()))
    return json_bytes(whole)


def _threat_texts(analysis: Analysis) -> dict[str, dict]:
    threats: dict[str, dict] = {}
    for f in analysis.findings:
        if f.threat_id not in threats:
            threats[f.threat_id] = {name: getattr(f, name) for name in THREAT_FIELDS}
            threats[f.threat_id]["evidence"] = [c.model_dump(mode="json") for c in f.evidence]
    return dict(sorted(threats.items()))


def _judgement_sources(j) -> set[str]:
    out = {s for p in j.reach.provisions for s in p.sources}
    out |= {s for p in j.reach.provisions if p.counter_reading for s in p.counter_reading.sources}
    out |= {s for p in j.route.premises for s in p.sources}
    return out | {s for c in j.alternative.claims for s in c.sources}


def threats_json(analysis: Analysis) -> bytes:
    """Findings in the analysis's order, each naming its threat; each threat's text, mitigations and sourced
    evidence once; the sources by id. A large estate has many findings per threat, so nothing is repeated."""
    decided = {d.finding: d.decision for d in analysis.decisions}
    threats = _threat_texts(analysis)
    findings = []
    for f in analysis.findings:
        findings.append({
            "id": f.id, "threat_id": f.threat_id, "element_id": f.element_id, "element_name": f.element_name,
            "element_kind": f.element_kind, "severity": f.severity, "likelihood": f.likelihood,
            "likelihood_scale": f.likelihood_scale, "why": f.why, "risk": f.risk.model_dump(mode="json"),
            "jurisdictions": f.jurisdictions, "status": decided.get(f.id, "open"),
        })
    judgements = [j.model_dump(mode="json") for j in analysis.judgements]
    cited = {s for t in threats.values() for c in t["evidence"] for s in c["sources"]}
    cited |= {s for j in analysis.judgements for s in _judgement_sources(j)}
    m = analysis.model
    return json_bytes({
        "model": {"id": m.id, "name": m.name, "as_of": m.as_of},
        # The same judgements as analysis.json: a finding's rating states the drivers it shares with them.
        "judgements": judgements,
        "no_judgement": [n.model_dump(mode="json") for n in analysis.no_judgement],
        "findings": findings,
        "threats": threats,
        "sources": {s.id: s.model_dump(mode="json") for s in analysis.sources if s.id in cited},
    })


def spreadsheet_safe(value: str) -> str:
    """A cell that starts like a formula is prefixed with an apostrophe, so a spreadsheet shows it as text; control
    characters and bidirectional controls are shown escaped (\\x07, \\u202e), so none can reorder or hide a cell."""
    value = shown(value, keep_layout=True)
    return "'" + value if value.startswith(FORMULA_START) else value


CSV_COLUMNS = ["id", "threat_id", "title", "family", "element_id", "element_name", "element_kind", "severity",
               "likelihood", "why", "mitigations", "sources", "status"]


def threats_csv(analysis: Analysis) -> bytes:
    sources = {s.id: s for s in analysis.sources}
    decided = {d.finding: d.decision for d in analysis.decisions}
    # UTF-8 with a byte-order mark: spreadsheets then read accents and CJK names correctly. Rows are
    # encoded as they are written, so a large estate's register is held once, as bytes. The mark is written here
    # and the rows as plain UTF-8: the same bytes as "utf-8-sig", whose encoder is Python code called for each row.
    out = io.BytesIO(codecs.BOM_UTF8)
    out.seek(0, io.SEEK_END)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write(",".join(map(csv_cell, CSV_COLUMNS)) + CSV_LINE_END)
    # An element's cells, and the few words of severity, likelihood and status, recur on many rows; a threat's title,
    # family, mitigations and sources on every row of its findings: each made safe and quoted once. The threat's
    # cells are most of the file, and csv.writer would scan them again on every row.
    cells: dict[str, str] = {}

    def recurring(value: str) -> str:
        if value not in cells:
            cells[value] = csv_cell(spreadsheet_safe(value))
        return cells[value]

    # Each threat's id cell, its title and family cells joined, and its mitigations and sources cells joined: once each.
    threat_cells: dict[str, tuple[str, str, str]] = {}
    for f in analysis.findings:
        if f.threat_id not in threat_cells:
            cited = []
            for claim in f.evidence:
                for s in claim.sources:
                    src = sources[s]
                    cited.append(f"{src.title} ({src.publisher}, {src.date}; {claim.status.label})"
                                 + (f" {src.url}" if src.url else ""))
            title, family, mitigations, cited_text = (csv_cell(spreadsheet_safe(v)) for v in (
                f.title, f.family, " | ".join(f.mitigations), " | ".join(cited) or f.references))
            threat_cells[f.threat_id] = (recurring(f.threat_id), f"{title},{family}", f"{mitigations},{cited_text}")
        threat_id, title_family, mitigations_sources = threat_cells[f.threat_id]
        text.write(",".join((
            csv_cell(spreadsheet_safe(f.id)), threat_id, title_family, recurring(f.element_id),
            recurring(f.element_name), recurring(f.element_kind), recurring(f.severity.label), recurring(f.likelihood),
            csv_cell(spreadsheet_safe(" ".join(f.why))), mitigations_sources, recurring(decided.get(f.id, "open")),
        )) + CSV_LINE_END)
    text.flush()
    return out.getvalue()


CSV_LINE_END = "\r\n"
_CSV_QUOTED = re.compile('[,"\r\n]')


def csv_cell(value: str) -> str:
    """One cell of a row of several as csv.writer writes it with the CSV's dialect (the defaults, minimal quoting,
    lines ending in CR LF): quoted, its quotes doubled, where it holds a comma, a quote or a line break."""
    return '"' + value.replace('"', '""') + '"' if _CSV_QUOTED.search(value) else value
