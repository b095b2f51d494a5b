"""SARIF 2.1.0: the findings as static-analysis results, for code-scanning dashboards and CI.

One rule per threat that has findings, one result per finding, located at the line of the model file where the
element or flow it concerns is written. The stable finding id is the result's partial fingerprint, so a
dashboard tracks a finding across runs even when lines move.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import threatlib
from threatlib.analysis.model import Analysis, Finding
from threatlib.jsontext import json_bytes
from threatlib.render.interop import capec_ids, category_words, cwe_ids, findings_by_threat, model_path
from threatlib.vocabulary import SARIF_LEVEL, SEVERITY_SCORE

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "threatlibFindingId/v1"
_URL = re.compile(r"https?://[^\s,]+")


def sarif_json(analysis: Analysis) -> bytes:
    return json_bytes(sarif_log(analysis))


def sarif_log(analysis: Analysis) -> dict:
    groups = findings_by_threat(analysis)
    rule_index = {threat_id: i for i, threat_id in enumerate(groups)}
    element_lines = {e.id: e.line for e in analysis.elements}
    flow_lines = {f.id: f.line for f in analysis.flows}
    uri = _model_uri(analysis)
    results = []
    for f in analysis.findings:
        result = {
            "ruleId": f.threat_id,
            "ruleIndex": rule_index[f.threat_id],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.title}: {' '.join(f.why)}" if f.why else f.title},
        }
        if uri is not None:
            physical: dict = {"artifactLocation": {"uri": uri}}
            line = (flow_lines if f.element_kind == "flow" else element_lines).get(f.element_id, 0)
            if line:
                physical["region"] = {"startLine": line}
            result["locations"] = [{
                "physicalLocation": physical,
                "logicalLocations": [{"name": f.element_name, "fullyQualifiedName": f.element_id,
                                      "kind": "flow" if f.element_kind == "flow" else "element"}],
            }]
        result["partialFingerprints"] = {FINGERPRINT: f.id}
        result["properties"] = {"findingId": f.id, "element": f.element_id, "severity": f.severity,
                                "likelihood": f.likelihood}
        results.append(result)
    run: dict = {
        "tool": {"driver": {
            "name": "threatlib",
            "fullName": f"threatlib {threatlib.__version__}: jurisdiction-aware threat modelling on OWASP pytm",
            "version": threatlib.__version__,
            "semanticVersion": threatlib.__version__,
            "informationUri": threatlib.HOMEPAGE,
            "rules": [_rule(findings[0]) for findings in groups.values()],
        }},
        # One category per model (SARIF 3.17.3: "category/" with no run instance), so a dashboard keeps each
        # model's findings apart and a new run of the same model replaces the last.
        "automationDetails": {"id": f"threatlib/{analysis.model.id}/"},
    }
    if uri is not None:
        run["artifacts"] = [{"location": {"uri": uri}, "roles": ["analysisTarget"]}]
    run["results"] = results
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _model_uri(analysis: Analysis) -> str | None:
    """A relative reference when the model file lies below the current directory, else a file: URI."""
    path = model_path(analysis)
    if path is None:
        return None
    return Path(path).as_uri() if Path(path).is_absolute() else quote(path)


def _rule(f: Finding) -> dict:
    rule = {
        "id": f.threat_id,
        "name": _identifier(f.title),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.description or f.title},
        "defaultConfiguration": {"level": SARIF_LEVEL[f.severity]},
        "help": {"text": ("Mitigations:\n" + "\n".join(f"- {m}" for m in f.mitigations)) if f.mitigations
                 else "No mitigation is recorded for this threat."},
    }
    if f.origin == "threatlib":
        rule["helpUri"] = f"{threatlib.CATALOGUE_URL}#{f.threat_id.lower()}"
    elif urls := _URL.findall(f.references):
        rule["helpUri"] = urls[0]
    rule["properties"] = {
        "severity": f.severity,
        "likelihood": f.likelihood,
        "likelihood_scale": f.likelihood_scale,
        "family": f.family,
        # GitHub code scanning ranks alerts by this 0-10 score: our impact number (vocabulary.SEVERITY_SCORE) / 10.
        "security-severity": f"{SEVERITY_SCORE[f.severity] / 10:.1f}",
        "tags": list(dict.fromkeys(["security", f.family, *category_words(f), *capec_ids(f), *cwe_ids(f)])),
    }
    return rule


def _identifier(title: str) -> str:
    """A Pascal-case rule name, as SARIF asks: 'XSS targeting a parent's URI' -> 'XssTargetingParentsUri'.

    The Multitool's SARIF2012 refuses two capitals in a row, so acronyms are written as words, one-letter
    words ('a') are left out, and apostrophes are dropped rather than splitting a word.
    """
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"['\u2019]", "", title))
    kept = [w for w in words if len(w) > 1 or w.isdigit()] or words
    return "".join(word[:1].upper() + word[1:].lower() for word in kept) or "Threat"
