"""Machine outputs: the whole analysis and the finding list as JSON, and a risk register as CSV."""

from __future__ import annotations

import csv
import io

from threatlib.analysis.model import Analysis
from threatlib.jsontext import json_bytes

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def analysis_json(analysis: Analysis) -> bytes:
    return json_bytes(analysis.model_dump(mode="json"))


def threats_json(analysis: Analysis) -> bytes:
    sources = {s.id: s.model_dump(mode="json") for s in analysis.sources}
    findings = []
    for f in analysis.findings:
        entry = f.model_dump(mode="json")
        entry["sources"] = [sources[s] | {"status": claim.status} for claim in f.evidence for s in claim.sources]
        findings.append(entry)
    m = analysis.model
    return json_bytes({"model": {"id": m.id, "name": m.name, "as_of": m.as_of}, "findings": findings})




def spreadsheet_safe(value: str) -> str:
    """A cell that starts like a formula is prefixed with an apostrophe, so a spreadsheet shows it as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


CSV_COLUMNS = ["id", "threat_id", "title", "family", "element_id", "element_name", "element_kind", "severity",
               "likelihood", "why", "mitigations", "sources", "status"]


def threats_csv(analysis: Analysis) -> bytes:
    sources = {s.id: s for s in analysis.sources}
    decided = {d.finding: d.decision for d in analysis.decisions}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in analysis.findings:
        cited = []
        for claim in f.evidence:
            for s in claim.sources:
                src = sources[s]
                cited.append(f"{src.title} ({src.publisher}, {src.date}; {claim.status.replace('_', ' ')})"
                             + (f" {src.url}" if src.url else ""))
        row = [f.id, f.threat_id, f.title, f.family, f.element_id, f.element_name, f.element_kind,
               f.severity.replace("_", " "), f.likelihood, " ".join(f.why), " | ".join(f.mitigations),
               " | ".join(cited) or f.references, decided.get(f.id, "open")]
        writer.writerow([spreadsheet_safe(str(v)) for v in row])
    # UTF-8 with a byte-order mark: spreadsheets then read accents and CJK names correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
