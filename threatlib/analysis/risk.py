"""Calibrated risk: likelihood in the words of the UK PHIA probability yardstick, impact on a stated
five-point scale, a rating from a fixed matrix, and the reasons for each step.

A threat in the library states a base likelihood and severity. The facts of the finding move them, one
step at a time, each step with its reason:
- likelihood +1 when every legal order the finding relies on is rated weak or absent on one or more of
  the EDPB's essential guarantees (a demand is easier to make and harder to resist); -1 when every one
  is rated substantial on all four;
- likelihood -1 when the only route is control through a parent abroad: whether the law reaches a
  foreign subsidiary is contested (see the provisions' counter-readings);
- impact +1 when the data involved includes children's or sensitive data.
pytm's own High/Medium/Low likelihoods are mapped onto the yardstick (High: likely, Medium: realistic
possibility, Low: unlikely); they are about attacks, not states, and are labelled as mapped.
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


def _index(key: str) -> int:
    return next(i for i, (k, _, _) in enumerate(YARDSTICK) if k == key)


def assess(base_likelihood: str, severity: str, *, safeguards: list[str] | None = None, control_only: bool = False,
           children: bool = False, sensitive: bool = False, mapped_from_pytm: bool = False) -> Risk:
    """safeguards: for each legal order the finding relies on, 'weak' (a guarantee rated weak or absent),
    'substantial' (all four substantial) or 'partial'."""
    index = _index(base_likelihood)
    why = [f"Base likelihood {YARDSTICK[index][1]} ({YARDSTICK[index][2]})"
           + (", mapped from pytm's own scale." if mapped_from_pytm else ", from the threat library.")]
    if safeguards:
        if all(s == "weak" for s in safeguards):
            index += 1
            why.append("Raised one step: every legal order relied on is rated weak or absent on an EDPB essential guarantee.")
        elif all(s == "substantial" for s in safeguards):
            index -= 1
            why.append("Lowered one step: every legal order relied on is rated substantial on all four EDPB essential guarantees.")
    if control_only:
        index -= 1
        why.append("Lowered one step: the only route is control through a parent abroad, whose legal reach is contested.")
    index = max(0, min(index, len(YARDSTICK) - 1))
    impact = SEVERITY_IMPACT[severity]
    why.append(f"Base impact {IMPACT[impact - 1]} ({impact} of 5), from the threat's severity.")
    if children or sensitive:
        impact = min(5, impact + 1)
        kinds = " and ".join(k for k, on in (("children's", children), ("sensitive", sensitive)) if on)
        why.append(f"Impact raised one step: the data includes {kinds} data.")
    key, words, band = YARDSTICK[index]
    result = rating(index, impact)
    why.append(f"Rating {result}: {words} likelihood with {IMPACT[impact - 1]} impact, from the rating matrix.")
    return Risk(likelihood=key, likelihood_words=words, band=band, impact=impact, impact_words=IMPACT[impact - 1],
                rating=result, rationale=why)
