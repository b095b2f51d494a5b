"""How sure a judgement is and what would change it: its key assumptions, confidence, the alternative view and
the indicators that would raise or lower it (GOV.UK's "Explaining Uncertainty in UK Intelligence Assessment"; ICD 203).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threatlib.analysis.drivers import DOUBTFUL, UNSUPPORTED
from threatlib.analysis.model import Alternative, CitedClaim, Indicators, KeyAssumption, Premise
from threatlib.compile import CompiledModel
from threatlib.spec.model import Model
from threatlib.vocabulary import EVIDENCE_WORDS

if TYPE_CHECKING:  # judgements.py builds candidates and calls these
    from threatlib.analysis.judgements import Candidate


def key_assumptions(spec: Model, c: Candidate) -> list[KeyAssumption]:
    """The model's assumptions resting on the route, and each unsourced step as an assumption of its own."""
    on_route = {p.id for p in c.premises} | set(c.exposures[0].elements) | set(c.exposures[0].flows)
    out = [KeyAssumption(id=a.id, statement=a.statement, why=a.why, would_change=a.would_change)
           for a in spec.assumptions if on_route.intersection(a.rests_on)]
    out += [KeyAssumption(id=None, statement=f"{p.name} is as the model describes it ({p.role} step).",
                          why="The model gives no source for this step.",
                          would_change="A source for it, or evidence against it.")
            for p in c.premises if p.status == "unsourced"]
    return out


def confidence_of(c: Candidate) -> tuple[str, list[str]]:
    """High, moderate or low, with the reasons: source quality, gaps, the reach's certainty and documented practice."""
    premises = c.premises
    strong = [p for p in premises if p.primary or len(p.sources) >= 2]
    reasons = [f"Source quality: {len(strong)} of {len(premises)} necessary steps rest on a primary source or on "
               "two sources."]
    gaps = [f"{step_words(p)} is {EVIDENCE_WORDS[p.status]}" for p in premises if p.status not in ("confirmed", "vendor_claim")]
    if gaps:
        reasons.append("Gaps: " + "; ".join(gaps) + ".")
    weakest = c.weakest
    settled = c.provisions[0].certainty
    reasons.append(f"Legal reach: {settled}" + {
        "settled": ": the provision's text is checked and no counter-reading is recorded.",
        "contested": ": the provision carrying the reach has a recorded counter-reading or reaches only through "
                     "control by a parent abroad.",
        "unverified": ": the provisions carrying the reach could not be checked against their text."}[settled])
    vendor = any(d.driver == "vendor_practice" and d.effect > 0 for d in c.rated.drivers)
    reasons.append("Practice: " + ("a demand on this vendor's group is documented." if vendor else
                   "documented elsewhere, not on this vendor." if c.rated.practice else "none documented."))
    if weakest.status in UNSUPPORTED | DOUBTFUL:
        reasons.append(f"The weakest step, {step_words(weakest)}, is {EVIDENCE_WORDS[weakest.status]}.")
        return "low", reasons
    if settled == "unverified":
        return "low", reasons
    corroborated = len(strong) == len(premises) and not gaps
    if corroborated and settled == "settled" and vendor:
        reasons.append("Every step is confirmed or stated by the vendor and corroborated, the reach is settled and "
                       "a demand on this vendor is on record.")
        return "high", reasons
    reasons.append("Without every step corroborated, a settled reach and a demand on this vendor on record, a "
                   "forecast of covert access is held with moderate confidence.")
    return "moderate", reasons


def alternative_view(compiled: CompiledModel, code: str, c: Candidate) -> Alternative:
    """The strongest case that the judgement is too high: competing explanations first, then the vendor's own
    positions on this legal order and the counter-reading of the provision, with their evidence."""
    spec = compiled.spec
    name = compiled.library.jurisdictions[code].in_sentence
    lead = c.provisions[0]
    parts: list[str] = []
    if lead.purpose in ("intelligence", "national_security"):
        parts.append(f"the authorities of {name} can get what they want by cheaper or quieter means (public content, "
                     "data brokers, other companies, their own collection), so compelling this company, with the "
                     "exposure that risks, is left unused")
    if c.weakest.status != "confirmed":
        parts.append(f"the route is not as the model has it: {step_words(c.weakest)} is {EVIDENCE_WORDS[c.weakest.status]}")
    claims: list[CitedClaim] = []
    about = [p for p in spec.positions if code in p.about]
    for position in about:
        v = position.vendor
        claims.append(CitedClaim(statement=v.statement, status=v.status.value, sources=list(v.sources)))
    if about:
        parts.append("the vendor's position below holds" if len(about) == 1 else
                     f"the vendor's positions on {len(about)} questions hold (the first is below)")
    if lead.counter_reading:
        claims.append(lead.counter_reading)
        parts.append(f"the counter-reading of {lead.label} holds")
    if not parts:
        parts.append(f"the authorities of {name} never use this power on data of people abroad, as no recorded case "
                     "shows they have")
    return Alternative(statement="The judgement would be too high if " + "; or if ".join(parts) + ".", claims=claims)


def indicators(compiled: CompiledModel, code: str, c: Candidate) -> Indicators:
    """Observable changes that would move the judgement, from its own drivers and route."""
    name = compiled.library.jurisdictions[code].in_sentence
    lead = c.provisions[0]
    effects = {d.driver: d.effect for d in c.rated.drivers}
    first = c.exposures[0]
    holder = compiled.facts[first.holder]
    remote = any(compiled.facts[f].remote_access for f in first.flows)
    up, down = [], []
    if not effects.get("vendor_practice"):
        up.append(f"A demand by the authorities of {name} on this vendor's group coming to light (a court case, a "
                  "regulator's finding, a leak the vendor confirms).")
    if not c.rated.practice:
        up.append(f"A documented case of the authorities of {name} using these powers on a company like this one "
                  "or on foreigners' data.")
    if not effects.get("targeting") and lead.purpose in ("intelligence", "national_security"):
        up.append("Officials, parliamentarians, journalists or dissidents found among the users whose data takes "
                  "this route.")
    if c.weakest.status not in ("confirmed", "vendor_claim"):
        up.append(f"A primary source confirming that {step_words(c.weakest)} is as the model has it.")
    if c.gateway:
        up.append(f"Evidence that {c.gateway} can be bypassed or is not audited.")
    elif remote:
        down.append(f"Remote access from {name} passing only through a gateway run and audited outside the group, "
                    "with the audit's findings published.")
    if holder.kind in ("datastore", "server") and holder.jurisdiction == code:
        down.append(f"The vendor moving this data out of {name}, confirmed by an independent audit.")
    elif remote:
        down.append(f"Staff in {name} losing access to this data, confirmed by an independent audit.")
    if lead.counter_reading or lead.certainty == "contested":
        down.append(f"A court or official ruling that {lead.label} does not reach {lead.organisation or holder.name}.")
    if effects.get("safeguards", 0) > 0:
        down.append(f"Independent prior authorisation of demands under {lead.label}, with redress for foreigners.")
    return Indicators(raise_=up, lower=down)


def step_words(p: Premise) -> str:
    """A necessary step of the route, named for a sentence."""
    return _STEP_WORDS[p.role].format(p.name)


_STEP_WORDS = {"collection": "the collection of {}", "hand-over": "the flow {}", "holder": "{} (where it is and who runs it)",
               "link": "{}'s link to the legal order"}
