"""threatlib's vocabulary: the codes of the model format and the library, and the words they are printed in.

Code keeps codes (enums, whose values are what the JSON outputs carry); only a renderer turns one into words, and
it takes them from here: a label, a link's wording, a scale another tool rates on. This module imports nothing of
threatlib's, so every stage can read it.
"""

from __future__ import annotations

from enum import Enum, StrEnum

# ---- Enums that the model format and the library both use ----


class Sector(str, Enum):
    """Kinds of organisation that some laws single out; a provision limited to sectors reaches only those."""

    electronic_communications = "electronic_communications"  # telecoms operators, ISPs, messaging and calling
    online_platform = "online_platform"  # social media, video, search, app platforms
    cloud_hosting = "cloud_hosting"  # data centres, cloud and hosting providers
    critical_infrastructure = "critical_infrastructure"  # designated critical information infrastructure
    security_software = "security_software"
    ai_service = "ai_service"
    marketplace = "marketplace"
    payment_services = "payment_services"


# Tags that were split or renamed, and what to use instead: a model using one gets this hint.
RENAMED = {
    "recommendation": "'recommendation' was split: use content_recommendation for a feed of posts, videos or news, "
                      "or product_recommendation for a shopping recommender",
}

# Keys that were renamed: a file still using the old name is told the new one, not just "unknown key".
RENAMED_KEYS = {
    "stride": ("categories", "which takes STRIDE and LINDDUN categories alike"),
}


# ---- Labels, link wordings and rating scales (the words each code is printed in) ----


class Labelled(StrEnum):
    """An enum printed by its label in LABELS; `str()` of a member is its value, as the JSON outputs write it."""

    @property
    def label(self) -> str:
        return LABELS[type(self).__name__][self.value]


# Each enum's members and the words a report prints for them, by the enum's name. A test checks that every member
# of every Labelled enum has its label here.
LABELS: dict[str, dict[str, str]] = {
    "Status": {"confirmed": "confirmed", "reported": "reported", "alleged": "alleged", "vendor_claim": "vendor claim",
               "disputed": "disputed"},
    "Assessment": {"supported": "supported", "partly_supported": "partly supported", "not_supported": "not supported",
                   "cannot_be_assessed": "cannot be assessed"},
    "Power": {"compelled_assistance": "compelled assistance", "compelled_disclosure": "compelled disclosure",
              "technical_assistance": "technical assistance", "data_localisation": "data localisation",
              "secrecy": "secrecy", "extraterritorial_reach": "extraterritorial reach",
              "export_restriction": "export restriction"},
    "Purpose": {"intelligence": "intelligence", "national_security": "national security",
                "law_enforcement": "law enforcement", "regulatory": "regulatory"},
    "Scope": {"general": "general", "programmatic": "programmatic", "targeted": "targeted"},
    "Nexus": {"incorporation": "incorporation", "headquarters": "headquarters", "control": "control", "staff": "staff",
              "location": "location"},
    "Severity": {"very_high": "very high", "high": "high", "medium": "medium", "low": "low", "very_low": "very low"},
    "Likelihood": {"remote_chance": "remote chance", "highly_unlikely": "highly unlikely", "unlikely": "unlikely",
                   "realistic_possibility": "realistic possibility", "likely": "likely",
                   "highly_likely": "highly likely", "almost_certain": "almost certain"},
    "SourceDocument": {"statute": "statute", "regulation": "regulation", "court_judgment": "court judgment",
                       "court_filing": "court filing", "regulator_decision": "regulator decision",
                       "government_statement": "government statement", "parliamentary_record": "parliamentary record",
                       "official_register": "official register", "company_statement": "company statement",
                       "company_filing": "company filing", "research_report": "research report", "news_report": "news report",
                       "analysis": "analysis"},
    "SubjectGroup": {"general_public": "general public", "children": "children", "public_officials": "public officials",
                     "parliamentarians": "parliamentarians", "journalists": "journalists", "dissidents": "dissidents",
                     "military": "military"},
}


def label(code: str, enum: str) -> str:
    """The label of a code held as a plain string (a Premise's status, a scenario's subjects), by its enum's name."""
    return LABELS[enum][code]


def labels(codes, enum: str) -> str:
    """Labels of several codes of one enum, joined with commas."""
    return ", ".join(LABELS[enum][c] for c in codes)


# Whose data it is, as a sentence names them ("data of the general public").
SUBJECT_WORDS = {"general_public": "the general public", "children": "children", "public_officials": "public officials",
                 "parliamentarians": "parliamentarians", "journalists": "journalists", "dissidents": "dissidents",
                 "military": "military staff"}

# How well a step of a route is evidenced, as a sentence says it ("the weakest step ... is only alleged"): a claim's
# status, and the two states a step can be in without one.
EVIDENCE_WORDS = {"confirmed": "confirmed", "vendor_claim": "stated by the vendor", "reported": "reported",
                  "alleged": "only alleged", "disputed": "disputed", "unsourced": "given no source in the model",
                  "assumption": "a modelling assumption"}

# What a power is for, as the judgements' drivers say it.
PURPOSE_WORDS = {"intelligence": "intelligence collection", "national_security": "national security",
                 "law_enforcement": "criminal investigation", "regulatory": "regulation"}

# The drivers of a judgement's likelihood (threatlib.analysis.drivers), as the report names them.
DRIVER_LABELS = {"purpose": "purpose", "scope": "scope", "safeguards": "safeguards", "practice": "documented practice",
                 "vendor_practice": "vendor practice", "targeting": "targeting", "certainty": "legal certainty",
                 "evidence": "route evidence", "gateway": "access gateway", "ceiling": "ceiling", "cap": "weakest premise"}

# The EDPB's four essential guarantees (threatlib.library.schema.EssentialGuarantees), by field name.
GUARANTEE_LABELS = {"clear_precise_rules": "clear precise rules", "necessity_proportionality": "necessity proportionality",
                    "independent_oversight": "independent oversight", "effective_remedies": "effective remedies"}

# The link by which a provision reaches an organisation or element (a Nexus), worded two ways: as the reason in a
# finding's sentence ("... reaches X because it is incorporated there"), and as a noun in the report's lists
# ("reaches by incorporation"). Control by a parent names the parent where the chain is known.
LINK_REASONS = {
    "incorporation": "it is incorporated there",
    "headquarters": "it is headquartered there",
    "control": "it is controlled from there",
    "staff": "its staff with access sit there",
    "location": "the element is located there",
}
LINK_NOUNS = {
    "incorporation": "incorporation",
    "headquarters": "headquarters",
    "control": "control by a parent",
    "staff": "staff with access there",
    "location": "the element's location",
}
# And as a comparison names what binds an organisation ("ByteDance Ltd (incorporated there)"), in this order.
LINK_PLACES = {"incorporation": "incorporated there", "headquarters": "headquartered there",
               "staff": "staff with access there", "location": "located there", "control": "control by a parent"}

# ---- Severity and likelihood scales ----

# pytm's severities in ours (pytm writes them as free text; the key is lower case, trimmed).
PYTM_SEVERITY = {"very high": "very_high", "critical": "very_high", "high": "high", "medium": "medium",
                 "low": "low", "very low": "very_low", "info": "very_low"}

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

# ---- Threat categories ----

STRIDE = ("spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service", "elevation_of_privilege")
LINDDUN = ("linking", "identifying", "non_repudiation", "detecting", "data_disclosure", "unawareness", "non_compliance")

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


def category_label(category: str) -> str:
    """A threat's category as other tools print it; one outside STRIDE and LINDDUN as written, capitalised."""
    return CATEGORY_WORDS.get(category) or category.replace("_", " ").capitalize()
