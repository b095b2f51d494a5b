"""The comparison's portfolio-wide observations: where the apps are alike and where they differ, in sentences.

They are the only part of a comparison that depends on the set of apps (besides the ranking positions).
"""

from __future__ import annotations

from threatlib.analysis.comparison_records import CONFIDENCE, AppRow, Column, cell_of, judgement_of
from threatlib.analysis.risk import yardstick_index
from threatlib.vocabulary import EVIDENCE_WORDS


def _names(rows: list[AppRow]) -> str:
    return _names_of([r.name for r in rows])


def _names_of(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else (names[0] if names else "none")


def alike(rows: list[AppRow], columns: list[Column]) -> list[str]:
    """Where the apps are alike: a legal order reaching every app, one confidence for all, a shared strongest
    judgement, a company a foreign state can compel serving several."""
    legal = [r for r in rows if r.legal_layer]
    out = []
    if len(legal) < 2:
        return out
    for col in columns:
        judged = [(r, judgement_of(r, col.jurisdiction)) for r in legal]
        if all(j for _, j in judged):
            levels = {(j.likelihood_words, j.confidence) for _, j in judged}
            if len(levels) == 1:
                words, confidence = levels.pop()
                out.append(f"{col.name} ({col.jurisdiction}): every app is rated {words} with {confidence} confidence.")
            else:
                out.append(f"{col.name} ({col.jurisdiction}) can reach the data of every app, at different likelihoods "
                           "(see below).")
    confidences = {c.judgement.confidence for r in legal for c in r.cells if c.judgement}
    if len(confidences) == 1:
        out.append(f"Every judgement is held with {confidences.pop()} confidence, so the ranking turns on likelihood and "
                   "breadth of data, not on how sure the analysis is.")
    by_strongest: dict[tuple, list[AppRow]] = {}
    for r in legal:
        j = judgement_of(r, r.strongest) if r.strongest else None
        if j:
            by_strongest.setdefault((j.name, j.likelihood_words, j.confidence), []).append(r)
    for (name, words, confidence), group in sorted(by_strongest.items()):
        if 1 < len(group) < len(legal):
            out.append(f"{_names(group)} have the same strongest judgement: {words} access by {name}, "
                       f"{confidence} confidence.")
    companies: dict[str, set[str]] = {}
    for r in legal:
        for c in r.companies:
            if c.compelled_by:
                companies.setdefault(c.name, set()).add(r.name)
    shared = sorted((name, apps) for name, apps in companies.items() if len(apps) > 1)
    for name, apps in shared[:8]:
        out.append(f"{name}, which a foreign state can compel, serves {len(apps)} apps: {_names_of(sorted(apps))}.")
    if not out:
        out.append("No foreign legal order reaches every app, and no two apps share their strongest judgement.")
    return out


def differ(rows: list[AppRow], columns: list[Column]) -> list[str]:
    """Where the apps differ: by legal order, in children's data reaching a foreign state, in the weakest step."""
    legal = [r for r in rows if r.legal_layer]
    out = []
    for col in columns:
        levels: dict[tuple, list[AppRow]] = {}
        for r in legal:
            j = judgement_of(r, col.jurisdiction)
            key = ((-yardstick_index(j.likelihood), -CONFIDENCE.index(j.confidence),
                    f"{j.likelihood_words} ({j.confidence} confidence)") if j
                   else (1, 0, "no judgement") if cell_of(r, col.jurisdiction) else (2, 0, "no reach"))
            levels.setdefault(key, []).append(r)
        if len(levels) > 1:
            judged = [key for key in sorted(levels) if key[0] < 1]
            if not judged:
                continue
            rest = sum(len(levels[key]) for key in levels if key[0] >= 1)
            parts = [f"{key[2]} for {_names(levels[key])}" for key in judged]
            if rest:
                parts.append(f"no judgement for the {rest} others" if rest > 1 else
                             f"no judgement for {_names([r for key in levels if key[0] >= 1 for r in levels[key]])}")
            out.append(f"{col.name} ({col.jurisdiction}): " + "; ".join(parts) + ".")
    with_children = [r for r in legal if any(d.children for d in r.reachable_data)]
    if with_children and len(with_children) < len(legal):
        out.append(f"Children's data can reach a foreign state only in {_names(with_children)}.")
    steps: dict[str, list[AppRow]] = {}
    for r in legal:
        j = judgement_of(r, r.strongest) if r.strongest else None
        if j:
            steps.setdefault(EVIDENCE_WORDS[j.route.weakest.status], []).append(r)
    if len(steps) > 1:
        out.append("The weakest step of the strongest judgement is " +
                   "; ".join(f"{status} for {_names(group)}" for status, group in sorted(steps.items())) + ".")
    for r in rows:
        if not r.legal_layer:
            out.append(f"{r.name} has no legal layer (a pytm script): it cannot be compared on state access.")
    if not out:
        out.append("The apps do not differ in their judgements.")
    return out
