"""The library catalogue as Markdown, generated from the data so it is never written twice.

`threatlib catalogue -o docs/catalogue.md` rewrites it; a test fails when the committed page is stale.
"""

from __future__ import annotations

from threatlib.analysis.drivers import method_markdown
from threatlib.documents.common import Source
from threatlib.library import BUILT_IN, Library
from threatlib.vocabulary import GUARANTEE_LABELS


def _md(text: str) -> str:
    """Table-safe, one-line Markdown text."""
    return " ".join(text.split()).replace("|", "\\|")


def _source(s: Source) -> str:
    title = f"[{_md(s.title)}]({s.url})" if s.url else _md(s.title)
    return f"{title}, {_md(s.publisher)}, {s.date} ({s.kind.value})"


def catalogue_markdown(library: Library) -> str:
    out = ["# threatlib library catalogue", "",
           "Generated from `threatlib/library/` by `threatlib catalogue`; do not edit by hand.", "",
           f"{len(library.jurisdictions)} jurisdictions, "
           f"{sum(len(l.provisions) for j in library.jurisdictions.values() for l in j.laws)} provisions, "
           f"{len(library.threats)} threats.", "", "## How judgements and legal findings are rated", "",
           method_markdown(), "## Threats", ""]
    families: dict[str, list] = {}
    for loaded in library.threats:
        families.setdefault(loaded.threat.family, []).append(loaded.threat)
    out += ["| id | family | title | targets | severity | likelihood |", "|---|---|---|---|---|---|"]
    for loaded in library.threats:
        t = loaded.threat
        out.append(f"| [{t.id}](#{t.id.lower()}) | {t.family} | {_md(t.title)} | {', '.join(k.value for k in t.targets)} "
                   f"| {t.severity.label} | {'by the judgement drivers' if t.powers else t.likelihood.label} |")
    origins = {loaded.threat.id: loaded.origin for loaded in library.threats}
    for family, threats in sorted(families.items()):
        out += ["", f"### Family: {family}"]
        for t in threats:
            out += ["", f"#### {t.id}", "", f"**{_md(t.title)}**. {_md(t.description)}", "",
                    *([f"- From the user library `{_md(origins[t.id])}`"] if origins[t.id] != BUILT_IN else []),
                    f"- Targets: {', '.join(k.value for k in t.targets)}",
                    f"- Condition: `{_md(t.condition)}`",
                    f"- Powers relied on: {', '.join(p.label for p in t.powers) or 'none'}",
                    f"- Severity: {t.severity.label}; likelihood: "
                    + ("by the judgement drivers at each element (see the method above)" if t.powers else t.likelihood.label),
                    f"- Impact: {_md(t.impact)}",
                    f"- Categories: {', '.join(c.value for c in t.categories) or '-'}; "
                    f"CAPEC: {', '.join(t.capec) or '-'}; CWE: {', '.join(t.cwe) or '-'}",
                    "- Mitigations:"]
            out += [f"  - {_md(m)}" for m in t.mitigations]
            out.append("- Evidence:")
            for claim in t.evidence:
                out.append(f"  - {_md(claim.statement)} ({claim.status.label}) "
                           + "; ".join(_source(s) for s in claim.sources))
    out += _vocabulary()
    out += ["", "## Jurisdictions"]
    for code, j in sorted(library.jurisdictions.items()):
        out += ["", f"### {code}: {_md(j.name)}", "", _md(j.summary)]
        if library.origin(code) != BUILT_IN:
            out += ["", f"From the user library `{_md(library.origin(code))}`."]
        if j.part_of:
            out += ["", f"Part of: {j.part_of}."]
        if j.authorities:
            out += ["", "Authorities: " + "; ".join(f"{_md(a.name)} (`{a.id}`)" for a in j.authorities) + "."]
        for law in j.laws:
            out += ["", f"#### {_md(law.title)} ({law.enacted.isoformat()})", "",
                    "| provision | powers | purpose, scope | reaches via | sectors | status | summary | sources |",
                    "|---|---|---|---|---|---|---|---|"]
            for p in law.provisions:
                checked = "" if p.article_verified else " (article not checked against the text)"
                out.append(f"| {_md(p.article)} | {', '.join(x.label for x in p.powers)} "
                           f"| {p.purpose.label}, {p.scope.label} | {', '.join(v.value for v in p.applies_via)} "
                           f"| {_binds(p)} | {p.status.label}{checked} | {_md(p.summary)} "
                           f"| {'; '.join(_source(s) for s in p.sources)} |")
        g = j.essential_guarantees
        out += ["", "EDPB essential guarantees:", "", "| guarantee | rating | why | sources |", "|---|---|---|---|"]
        for name in type(g).model_fields:
            r = getattr(g, name)
            out.append(f"| {GUARANTEE_LABELS[name]} | {r.rating.value} | {_md(r.note)} | {'; '.join(_source(s) for s in r.sources)} |")
        if j.practice:
            out += ["", "Documented practice:", "", "| date | what | powers | foreign data | status | sources |",
                    "|---|---|---|---|---|---|"]
            for c in j.practice:
                out.append(f"| {c.date} | {_md(c.statement)} | {', '.join(x.label for x in c.powers)} "
                           f"| {'yes' if c.foreign_data else 'no'} | {c.status.label} | {'; '.join(_source(s) for s in c.sources)} |")
    return "\n".join(out) + "\n"


def _vocabulary() -> list[str]:
    """The words a model's tags and sectors may use, each with its definition (threats match these words)."""
    from threatlib.spec.vocabulary import DATA_TAGS, ELEMENT_TAGS, SECTORS

    out = ["", "## Tags and sectors", "",
           "Threats match these words, so each has one meaning; `threatlib library --tags` prints the same list."]
    for title, definitions in (("Element tags", ELEMENT_TAGS), ("Data tags", DATA_TAGS), ("Sectors", SECTORS)):
        out += ["", f"### {title}", "", "| word | meaning |", "|---|---|"]
        out += [f"| `{m.value}` | {_md(text)} |" for m, text in definitions.items()]
    return out


def _binds(p) -> str:
    """Which organisations a provision binds: its sectors, or those above its thresholds, or any."""
    parts = [", ".join(s.value for s in p.sectors)] if p.sectors else []
    if p.thresholds:
        t = p.thresholds
        sizes = ([f"personal data of at least {t.personal_data_subjects:,} people"] if t.personal_data_subjects else []) + \
                ([f"at least {t.users:,} users"] if t.users else [])
        parts.append(" or ".join(sizes) + " (" + "; ".join(_source(s) for s in t.sources) + ")")
    return "; or ".join(parts) or "any"
