"""Likelihood from stated drivers: the one method by which judgements and legal findings are rated.

The question is always the same: that a legal order's authorities obtain these users' data, by the means the
model shows, within the model's timeframe. The answer starts at the foot of the PHIA yardstick (remote chance)
and each driver moves it by whole steps, each with its reason:

- purpose of the power that carries the reach: intelligence +2 (collecting on foreigners is what it is for),
  national security +1, law enforcement 0 (an offence must be suspected, which these users rarely are);
- scope: general +1 (any help the authority asks for, no named target), programmatic 0 (selectors approved in
  bulk), targeted -1 (an order naming the person or account);
- safeguards, the EDPB essential guarantees as rated in the library: weak or absent on any +1, partial 0,
  substantial on all four -1;
- documented practice: +1 when the library records a confirmed or reported use of these powers on organisations
  of the holder's sectors or on foreigners' data;
- vendor practice: +1 when the model records (`practice`) a confirmed or reported demand by this legal order on
  the vendor's group;
- targeting: +1 when the data is about public officials, parliamentarians, journalists, dissidents or military
  staff and the power is for intelligence or national security (children's data raises impact, not likelihood);
- legal certainty: -1 when the provision carrying the reach is contested (a recorded counter-reading, or reach
  only through control by a parent abroad); an article that could not be checked lowers confidence instead;
- route evidence: -1 when the route's weakest necessary step is only alleged or disputed;
- access gateway: -1 when the data reaches the holder only through an access gateway run by an organisation
  outside the holder's group (a group-run gateway opens on the group's say, so it does not count).

Then two limits, each recorded as a driver when it bites: the ceiling, likely (highly likely when a demand on
this vendor's group is documented), because covert access under a secrecy duty is by design rarely confirmed in
public, so evidence about the state alone cannot carry a forecast higher; and a cap
at realistic possibility when the weakest necessary step is alleged, disputed, unsourced or a modelling
assumption. No judgement is stronger than its weakest necessary premise.
"""

from __future__ import annotations

from dataclasses import dataclass

from threatlib.analysis.model import Driver
from threatlib.analysis.risk import YARDSTICK, yardstick_index
from threatlib.library.schema import Jurisdiction, Power, safeguard_level
from threatlib.spec.model import TARGETED_GROUPS
from threatlib.vocabulary import EVIDENCE_WORDS, PURPOSE_WORDS, label

PURPOSE_STEPS = {"intelligence": 2, "national_security": 1, "law_enforcement": 0, "regulatory": 0}
SCOPE_STEPS = {"general": 1, "programmatic": 0, "targeted": -1}
SAFEGUARD_STEPS = {"weak": 1, "partial": 0, "substantial": -1}
CEILING = yardstick_index("likely")
VENDOR_CEILING = yardstick_index("highly_likely")  # when a demand on this vendor's group is on record
CAP = yardstick_index("realistic_possibility")
# Evidence of a step, strongest first. A vendor's own statement that data goes somewhere is an admission.
WEAKNESS = ("confirmed", "vendor_claim", "reported", "alleged", "disputed", "unsourced", "assumption")
DOUBTFUL = frozenset({"alleged", "disputed"})
UNSUPPORTED = frozenset({"unsourced", "assumption"})
TARGETED = frozenset(g.value for g in TARGETED_GROUPS)


@dataclass(frozen=True)
class Basis:
    """What the rating needs of the provision that carries the reach."""

    label: str
    purpose: str
    scope: str
    powers: frozenset[Power]


@dataclass(frozen=True)
class Rated:
    index: int
    raw: int  # the sum of the drivers before the ceiling and the cap: ranks routes the limits make equal
    drivers: tuple[Driver, ...]
    practice: tuple[str, ...]  # the documented cases that counted

    @property
    def key(self) -> str:
        return YARDSTICK[self.index][0]


def strength(purpose: str, scope: str) -> int:
    return PURPOSE_STEPS[purpose] + SCOPE_STEPS[scope]


def matching_practice(jurisdiction: Jurisdiction, powers: frozenset[Power], sectors: frozenset[str],
                      purpose: str | None = None) -> list[str]:
    """The documented uses of these powers on organisations like this one or on foreigners' data, as
    "date: statement", confirmed ones first, then the most recent."""
    latest_first = sorted(jurisdiction.practice, key=lambda p: p.date, reverse=True)
    return [f"{p.date}: {p.statement}" for p in sorted(latest_first, key=lambda p: p.status.value != "confirmed")
            if p.status.value in ("confirmed", "reported") and powers.intersection(p.powers)
            and (p.purpose is None or purpose is None or p.purpose.value == purpose)
            and (p.foreign_data or sectors.intersection(s.value for s in p.sectors))]


def rate(jurisdiction: Jurisdiction, lead: Basis, *, contested: bool, sectors: frozenset[str], subjects: frozenset[str],
         weakest: tuple[str, str], gateway: str | None, vendor_cases: tuple[str, ...] = (),
         memo: dict | None = None) -> Rated:
    """weakest: (status, what) of the route's weakest necessary step; gateway: the gateway's name, if any;
    vendor_cases: documented demands by this legal order on the vendor's group, from the model; memo: where
    ratings in one analysis keep the drivers they share (the first six depend on the state and the data alone)."""
    key = (id(jurisdiction), lead, sectors, subjects, vendor_cases)
    state = memo.get(key) if memo is not None else None
    if state is None:
        state = _state_drivers(jurisdiction, lead, sectors, subjects, vendor_cases)
        if memo is not None:
            memo[key] = state
    return _route_drivers(*state, contested=contested, weakest=weakest, gateway=gateway, vendor_cases=vendor_cases)


def _state_drivers(jurisdiction: Jurisdiction, lead: Basis, sectors: frozenset[str], subjects: frozenset[str],
                   vendor_cases: tuple[str, ...]) -> tuple[tuple[Driver, ...], list[str]]:
    """The drivers from the power, the state's safeguards and practice, the vendor's record and whose data it is."""
    name = jurisdiction.in_sentence
    drivers: list[Driver] = []

    def step(driver: str, effect: int, text: str) -> None:
        drivers.append(Driver.trusted(driver=driver, effect=effect, text=text))

    step("purpose", PURPOSE_STEPS[lead.purpose], f"{lead.label} is a power for {PURPOSE_WORDS[lead.purpose]}.")
    step("scope", SCOPE_STEPS[lead.scope], {
        "general": "It reaches any help or data the authority asks for, with no named target and no set procedure.",
        "programmatic": "Demands are drawn by selectors or categories approved in bulk, not an order per person.",
        "targeted": "Each demand needs an order naming the person, account or records.",
    }[lead.scope])
    guarantees = jurisdiction.essential_guarantees
    level = safeguard_level(guarantees)
    step("safeguards", SAFEGUARD_STEPS[level], {
        "weak": f"The library rates {name} weak or absent on {_words(guarantees.weak_ones())} (EDPB essential "
                "guarantees): whatever a demand must name, little stands between it and the data.",
        "partial": f"The library rates {possessive(name)} safeguards partial on the EDPB essential guarantees.",
        "substantial": f"The library rates {name} substantial on all four EDPB essential guarantees.",
    }[level])
    cases = matching_practice(jurisdiction, lead.powers, sectors, lead.purpose)
    secret = any(Power.secrecy in p.powers for law in jurisdiction.laws for p in law.provisions)
    step("practice", 1 if cases else 0,
         f"The library records {len(cases)} documented use{'s' if len(cases) != 1 else ''} of these powers on "
         f"organisations of this kind or on foreigners' data, for example: {cases[0]}" if cases else
         "The library records no documented use of these powers on organisations of this kind or on foreigners' "
         "data" + ("; secrecy duties would keep one from view, so this is a gap, not evidence of restraint."
                   if secret else "."))
    step("vendor_practice", 1 if vendor_cases else 0,
         f"A demand by {possessive(name)} authorities on this vendor's group is documented: {vendor_cases[0]}"
         if vendor_cases
         else "No demand on this vendor's group by these authorities is documented in the model.")
    targeted = [label(g, "SubjectGroup") for g in sorted(subjects & TARGETED)]
    interested = lead.purpose in ("intelligence", "national_security")
    step("targeting", 1 if targeted and interested else 0,
         f"The data is about {_words(targeted)}, of interest to {PURPOSE_WORDS[lead.purpose]}." if targeted and interested
         else f"The data is about {_words(targeted)}, but this power is for {PURPOSE_WORDS[lead.purpose]}." if targeted
         else "No group of particular interest to intelligence services is among the data subjects.")
    return tuple(drivers), cases


def _route_drivers(state: tuple[Driver, ...], cases: list[str], *, contested: bool, weakest: tuple[str, str],
                   gateway: str | None, vendor_cases: tuple[str, ...]) -> Rated:
    """The drivers from the route (legal certainty, evidence, a gateway), then the ceiling and the cap."""
    drivers = list(state)

    def step(driver: str, effect: int, text: str) -> None:
        drivers.append(Driver.trusted(driver=driver, effect=effect, text=text))

    if contested:
        step("certainty", -1, "The reach rests on a contested reading (a recorded counter-reading, or control by a "
                              "parent abroad).")
    status, what = weakest
    if status in DOUBTFUL:
        step("evidence", -1, f"The route's weakest step, {what}, is {EVIDENCE_WORDS[status]}.")
    if gateway:
        step("gateway", -1, f"The data reaches the holder only through {gateway}, an access gateway run outside the "
                            "holder's group: a demand would have to pass or bypass it.")
    index = raw = sum(d.effect for d in drivers)
    ceiling = VENDOR_CEILING if vendor_cases else CEILING
    if index > ceiling:
        step("ceiling", ceiling - index, f"Held at {YARDSTICK[ceiling][1]} (the drivers sum to {YARDSTICK[min(raw, 6)][1]}): "
             + ("even a documented demand on this vendor does not show the next one will be met."
                if vendor_cases else "without a documented demand on this vendor, public evidence cannot carry a "
                "forecast of covert access higher."))
        index = ceiling
    if status in DOUBTFUL | UNSUPPORTED and index > CAP:
        step("cap", CAP - index, f"Capped at realistic possibility: it rests on {what}, which is {EVIDENCE_WORDS[status]}.")
        index = CAP
    return Rated(index=max(0, index), raw=raw, drivers=tuple(drivers), practice=tuple(cases))


def method_markdown() -> str:
    """The rating method as Markdown, from the constants above: the README and the catalogue print this."""
    steps = lambda table, enum: ", ".join(f"{label(k, enum)} {v:+d}" for k, v in table.items())  # noqa: E731
    rows = [
        ("purpose of the power that carries the reach", steps(PURPOSE_STEPS, "Purpose")),
        ("scope: how narrowly a demand must be drawn", steps(SCOPE_STEPS, "Scope")),
        ("safeguards, the EDPB essential guarantees as rated in the library",
         "weak or absent on any +1, partial +0, substantial on all four -1"),
        ("documented practice: a confirmed or reported use of these powers for the same purpose, recorded in the "
         "library, on organisations of the holder's sectors or on foreigners' data", "+1"),
        ("targeting: the data is about " + ", ".join(sorted(label(g, "SubjectGroup") for g in TARGETED))
         + ", and the power is for intelligence or national security", "+1"),
        ("vendor practice: the model records (`practice`) a confirmed or reported demand by this legal order on the "
         "vendor's group", "+1"),
        ("legal certainty: the provision carrying the reach is contested (a counter-reading, or control by a parent "
         "abroad)", "-1"),
        ("route evidence: the weakest necessary step is " + " or ".join(sorted(DOUBTFUL)), "-1"),
        ("access gateway run outside the holder's group on the route", "-1"),
    ]
    lines = ["The question: that a legal order's authorities obtain these users' data, by the means the model shows, "
             "within the model's `timeframe_years` (default 2). The likelihood starts at "
             f"{YARDSTICK[0][1]} and each driver moves it by whole steps on the PHIA yardstick:", "",
             "| driver | steps |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    lines += ["", f"It is never rated above {YARDSTICK[CEILING][1]}, or {YARDSTICK[VENDOR_CEILING][1]} when a demand on "
              "the vendor's group is documented: covert access under a secrecy duty is rarely confirmed in public, so "
              "evidence about the state alone cannot carry a forecast higher (the judgement prints what the drivers "
              "sum to). It is rated no higher than "
              f"{YARDSTICK[CAP][1]} when the weakest necessary step is alleged, disputed, unsourced or a modelling "
              "assumption. "
              "A route's necessary steps are the collection of the data, each hand-over into another organisation's or "
              "legal order's hands, the holder (where it is and who runs it) and its operator's link to the legal "
              "order; each is as strong as the best claim on it, weakest first: "
              + ", ".join(EVIDENCE_WORDS[s] for s in WEAKNESS) + ". Of all routes the judgement names the strongest, "
              "then the best evidenced.", "",
              "Legal reach is a question of law, stated apart: settled (text checked, no counter-reading), contested "
              "(a recorded counter-reading, or reach only through control by a parent abroad) or unverified (the "
              "article could not be checked against its text). Confidence is low when the weakest step is alleged, "
              "disputed, unsourced or an assumption, or when the reach is unverified; high when every step is "
              "confirmed or stated by the vendor and corroborated, the reach is settled and a demand on the vendor's "
              "group is documented; otherwise moderate. Findings that rely on a state's powers are rated by the same drivers at "
              "their own element, and say so when they differ from their legal order's judgement."]
    return "\n".join(lines) + "\n"


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _words(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else (names[0] if names else "no particular group")
