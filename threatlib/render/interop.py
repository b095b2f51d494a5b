"""What the interoperability exports (OTM, Threat Dragon, SARIF) share: numbers for our rating words, the
threats that have findings, weakness ids, and where the model file is.

Other tools want numbers or their own words where threatlib keeps words, so each mapping is written once here.
"""

from __future__ import annotations

import re
from pathlib import Path

from threatlib.analysis.model import Analysis, Finding

# Impact on OTM's 0-100 scale: the midpoint of the fifth of the scale that each of our five severities names.
SEVERITY_SCORE = {"very_high": 90, "high": 70, "medium": 50, "low": 30, "very_low": 10}

# Likelihood on OTM's 0-100 scale, in per cent. Our own threats use the UK PHIA probability yardstick: each word
# scores the midpoint of its published range (remote chance <=5%, highly unlikely 10-20%, unlikely 25-35%,
# realistic possibility 40-50%, likely 55-75%, highly likely 80-90%, almost certain >=95%), rounded half up.
# pytm's threats use High/Medium/Low with no published ranges: each scores the midpoint of a third of the scale.
# pytm threats with no likelihood ("not rated") get none; OTM allows null there.
LIKELIHOOD_SCORE = {
    "remote chance": 3,
    "highly unlikely": 15,
    "unlikely": 30,
    "realistic possibility": 45,
    "likely": 65,
    "highly likely": 85,
    "almost certain": 98,
    "High": 83,
    "Medium": 50,
    "Low": 17,
}

# Threat Dragon knows three severities; SARIF knows three levels for a failed rule.
THREE_LEVELS = {"very_high": "High", "high": "High", "medium": "Medium", "low": "Low", "very_low": "Low"}
SARIF_LEVEL = {"very_high": "error", "high": "error", "medium": "warning", "low": "note", "very_low": "note"}

# Our STRIDE and LINDDUN words as other tools print them.
CATEGORY_WORDS = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information_disclosure": "Information disclosure",
    "denial_of_service": "Denial of service",
    "elevation_of_privilege": "Elevation of privilege",
    "linking": "Linking",
    "identifying": "Identifying",
    "non_repudiation": "Non-repudiation",
    "detecting": "Detecting",
    "data_disclosure": "Data disclosure",
    "unawareness": "Unawareness",
    "non_compliance": "Non-compliance",
}
STRIDE = ("spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service", "elevation_of_privilege")
LINDDUN = ("linking", "identifying", "non_repudiation", "detecting", "data_disclosure", "unawareness", "non_compliance")

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
    return [CATEGORY_WORDS.get(c, c.replace("_", " ").capitalize()) for c in categories(finding)]


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


