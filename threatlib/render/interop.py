"""What the interoperability exports (OTM, Threat Dragon, SARIF) share: the threats that have findings, their
categories, weakness ids, and where the model file is. The numbers and words other tools rate with (scores,
three-level severities, category names) are in threatlib.vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

from threatlib.analysis.model import Analysis, Finding
from threatlib.vocabulary import category_label

# pytm's threats name no STRIDE category; the letters of their ids group them by what they attack. This is our
# reading of each group, from the threats pytm 1.4 ships under it: input and injection (INP), scripts in pages
# (SC), lambdas (LB) and language-model prompts (LLM) tamper; authentication (AA) spoofs; access control (AC) and
# exposed APIs (API) raise privilege; cryptography (CR), data stores (DS), data exposure (DE), hardening (HA)
# and data retention (DR) disclose; DO denies service.
PYTM_CATEGORY = {
    "INP": "tampering", "SC": "tampering", "LB": "tampering", "LLM": "tampering",
    "AA": "spoofing",
    "AC": "elevation_of_privilege", "API": "elevation_of_privilege",
    "CR": "information_disclosure", "DS": "information_disclosure", "DE": "information_disclosure",
    "HA": "information_disclosure", "DR": "information_disclosure",
    "DO": "denial_of_service",
}
_PREFIX = re.compile(r"[A-Z]+")

_MITRE = re.compile(r"(cwe|capec)\.mitre\.org/data/definitions/(\d+)", re.IGNORECASE)


def findings_by_threat(analysis: Analysis) -> dict[str, list[Finding]]:
    """Findings grouped by threat id, threats in the order they first appear in the (sorted) finding list."""
    groups: dict[str, list[Finding]] = {}
    for finding in analysis.findings:
        groups.setdefault(finding.threat_id, []).append(finding)
    return groups


def categories(finding: Finding) -> list[str]:
    """The threat's STRIDE and LINDDUN categories; for one of pytm's, the category of its id's group."""
    if finding.stride or finding.origin != "pytm":
        return list(finding.stride)
    prefix = _PREFIX.match(finding.threat_id)
    return [PYTM_CATEGORY[prefix.group()]] if prefix and prefix.group() in PYTM_CATEGORY else []


def category_words(finding: Finding) -> list[str]:
    return [category_label(c) for c in categories(finding)]


def cwe_ids(finding: Finding) -> list[str]:
    """CWE ids the threat names, including those pytm only gives as reference links."""
    return _weaknesses(finding.cwe, finding.references, "cwe")


def capec_ids(finding: Finding) -> list[str]:
    return _weaknesses(finding.capec, finding.references, "capec")


def _weaknesses(listed: list[str], references: str, kind: str) -> list[str]:
    linked = [f"{kind.upper()}-{number}" for found, number in _MITRE.findall(references) if found.lower() == kind]
    return list(dict.fromkeys([*listed, *linked]))


def model_path(analysis: Analysis) -> str | None:
    """The model file with forward slashes, relative to the current directory when it lies below it; None if unknown."""
    if not analysis.model.file:
        return None
    path = Path(analysis.model.file)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return path.as_posix()


