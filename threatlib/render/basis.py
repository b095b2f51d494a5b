"""What a judgement rests on, in words a reader can weigh: the documents, kinds and statuses of the sources behind its route.

Each necessary step of the route is named by its best evidence (a copy counts as the source it copies): the strongest
of its primary documents where it has any, otherwise of the independent reporting or analysis it rests on. A source that says what
document it is (`document:`) is named as such ("regulators' decisions", "court judgments", "press reports"), and one
that names its author among the model's organisations (`author:`) is "the company's own" statement or filing. A step
the vendor states is "the vendor's own statement". Where a source says neither, the wording falls back on its kind:
the company's own documents when its publisher's name shares a word with an organisation's, otherwise official or
first-hand records; and a step resting on no source or on an assumption says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from threatlib.analysis.model import Premise, SourceRef

# Strongest first: the order the sentence names them in. The first keys are documents (spec.common.SourceDocument).
BASIS_WORDS = {
    "statute": "legislation",
    "regulation": "regulations",
    "court_judgment": "court judgments",
    "regulator_decision": "regulators' decisions",
    "parliamentary_record": "parliamentary records",
    "official_register": "official registers",
    "government_statement": "government statements",
    "court_filing": "court filings",
    "own_filing": "the company's own filings",
    "own_statement": "the company's own statements",
    "company_filing": "other companies' filings",
    "company_statement": "other companies' statements",
    "research_report": "researchers' own findings",
    "official": "official records or researchers' own findings",
    "company": "the company's own documents",
    "vendor_claim": "the vendor's own statement",
    "vendor_reported": "press reports of what the vendor says",
    "news_report": "press reports",
    "analysis": "independent analysis",
    "press": "press reports or independent analysis",
    "assumption": "a modelling assumption",
    "unsourced": "no source",
}
_RANK = {k: i for i, k in enumerate(BASIS_WORDS)}
# Words of a company's name that do not tell one publisher from another, and words of public bodies' names that a
# company's name can share ("High-Flyer" and a High Court).
_COMMON = frozenset("""
    limited ltd inc co corp corporation company holdings holding group plc pte llc gmbh the and of for
    technology technologies information international service services systems system computer communications
    beijing hangzhou shenzhen shanghai guangzhou china chinese europe european global research development
    data security video artificial intelligence engine mobile identity subsidiaries fund hedge quantitative
    high court supreme national state states united new federal government department ministry office
    commission authority council parliament public
""".split())
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _COMMON}


class RouteBasis:
    def __init__(self, sources: Sequence[SourceRef], organisation_names: Iterable[str]):
        self._sources = {s.id: s for s in sources}
        self._company_words = set().union(*(_words(n) for n in organisation_names))

    def _original(self, source_id: str) -> SourceRef | None:
        s, seen = self._sources.get(source_id), {source_id}
        while s is not None and s.kind == "mirror" and s.mirror_of in self._sources and s.mirror_of not in seen:
            seen.add(s.mirror_of)
            s = self._sources[s.mirror_of]
        return s

    def _named(self, s: SourceRef) -> str:
        """The words for one source: its document where it says, else a guess from its kind and publisher."""
        if s.author is not None:
            return "own_filing" if s.document == "company_filing" else "own_statement" if s.document in (
                None, "company_statement") else s.document
        if s.document is not None:
            return s.document
        if s.kind != "primary":
            return "press"
        return "company" if _words(s.publisher) & self._company_words else "official"

    def step_class(self, p: Premise) -> str:
        """The step's best evidence: the strongest of its primary documents, else of its independent sources."""
        if p.status in ("assumption", "unsourced"):
            return p.status
        originals = [s for s in map(self._original, p.sources) if s is not None]
        primary = [s for s in originals if s.kind == "primary"]
        if p.status == "vendor_claim":
            return "vendor_claim" if primary else "vendor_reported"
        return min((self._named(s) for s in primary or originals), key=_RANK.__getitem__, default="press")

    def counts(self, premises: Sequence[Premise]) -> Mapping[str, int]:
        found: dict[str, int] = {}
        for p in premises:
            c = self.step_class(p)
            found[c] = found.get(c, 0) + 1
        return {k: found[k] for k in BASIS_WORDS if k in found}

    def words(self, premises: Sequence[Premise]) -> str:
        """'Its steps rest on regulators' decisions (2 steps) and press reports (1 step).'"""
        parts = [f"{BASIS_WORDS[k]} ({n} step{'s' if n != 1 else ''})" for k, n in self.counts(premises).items()]
        if not parts:
            return ""
        return f"Its steps rest on {_listed(parts)}."


def _listed(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
