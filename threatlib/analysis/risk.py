"""Calibrated risk: likelihood in the words of the UK PHIA probability yardstick, impact on a stated
five-point scale, a rating from a fixed matrix, and the reasons for each step.

A threat that relies on a state's powers takes its likelihood from the judgement drivers
(threatlib.analysis.drivers) at its element. Any other threat starts from the likelihood the library states
for it. Impact starts from the threat's severity, one step higher when the data involved includes children's
or sensitive data. pytm's own High/Medium/Low likelihoods are mapped onto the yardstick (High: likely, Medium:
realistic possibility, Low: unlikely); they are about attacks, not states, and are labelled as mapped.
"""

from __future__ import annotations

from threatlib.analysis.model import Risk

YARDSTICK = [  # (key, words, band)
    ("remote_chance", "remote chance", "0-5%"),
    ("highly_unlikely", "highly unlikely", "10-20%"),
    ("unlikely", "unlikely", "25-35%"),
    ("realistic_possibility", "realistic possibility", "40-50%"),
    ("likely", "likely or probable", "55-75%"),
    ("highly_likely", "highly likely", "80-90%"),
    ("almost_certain", "almost certain", "95-100%"),
]
IMPACT = ["minimal", "minor", "moderate", "major", "severe"]  # 1..5
SEVERITY_IMPACT = {"very_low": 1, "low": 2, "medium": 3, "high": 4, "very_high": 5}
PYTM_LIKELIHOOD = {"high": "likely", "medium": "realistic_possibility", "low": "unlikely", "very high": "highly_likely",
                   "very low": "highly_unlikely"}
RATINGS = ["low", "medium", "high", "very high"]


def rating(likelihood_index: int, impact: int) -> str:
    """The matrix: rows are the seven yardstick steps (0..6), columns the impact (1..5)."""
    if likelihood_index >= 4 and impact >= 4:
        return "very high"
    if (likelihood_index >= 3 and impact >= 3) or (likelihood_index >= 5 and impact >= 2) or (impact >= 5 and likelihood_index >= 2):
        return "high"
    if likelihood_index + impact >= 5:
        return "medium"
    return "low"


def matrix() -> list[list[str]]:
    """Rating by (likelihood row from most to least likely, impact column 1..5), for the heatmap."""
    return [[rating(i, impact) for impact in range(1, 6)] for i in reversed(range(len(YARDSTICK)))]


def yardstick_index(key: str) -> int:
    return next(i for i, (k, _, _) in enumerate(YARDSTICK) if k == key)


def assess(likelihood: str, severity: str, *, likelihood_reasons: list[str] | None = None, children: bool = False,
           sensitive: bool = False, mapped_from_pytm: bool = False) -> Risk:
    """likelihood_reasons: how the drivers reached `likelihood`; without them it is the threat's base likelihood."""
    index = yardstick_index(likelihood)
    if likelihood_reasons:
        why = list(likelihood_reasons)
        why.append(f"Likelihood {YARDSTICK[index][1]} ({YARDSTICK[index][2]}).")
    else:
        why = [f"Base likelihood {YARDSTICK[index][1]} ({YARDSTICK[index][2]})"
               + (", mapped from pytm's own scale." if mapped_from_pytm else ", from the threat library.")]
    impact = SEVERITY_IMPACT[severity]
    why.append(f"Base impact {IMPACT[impact - 1]} ({impact} of 5), from the threat's severity.")
    if children or sensitive:
        impact = min(5, impact + 1)
        kinds = " and ".join(k for k, on in (("children's", children), ("sensitive", sensitive)) if on)
        why.append(f"Impact raised one step: the data includes {kinds} data.")
    key, words, band = YARDSTICK[index]
    result = rating(index, impact)
    why.append(f"Rating {result}: {words} likelihood with {IMPACT[impact - 1]} impact, from the rating matrix.")
    return Risk.trusted(likelihood=key, likelihood_words=words, band=band, impact=impact, impact_words=IMPACT[impact - 1],
                rating=result, rationale=why)
